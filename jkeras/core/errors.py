"""Messages for user mistakes, in Keras's style: what was expected, what was received, the fix."""


class TracedControlFlowError(TypeError):
    """Python control flow on a traced value inside a layer's `call` (under jit or scan)."""


def traced_control_flow(layer, error):
    kind = "Model" if getattr(layer, "_is_model", False) else "Layer"
    return TracedControlFlowError(
        f"{kind} '{layer.name}' ({type(layer).__name__}).call() uses Python control flow (if / "
        "while / bool() / float()) on a value that is traced by jax.jit, lax.scan or vmap, so the "
        "value is unknown when the code runs. Either rewrite that part with jax.lax.while_loop, "
        "jax.lax.cond or jnp.where, or run the model eagerly: call it outside jit, or use "
        f"`compile(..., run_eagerly=True)` for fit/evaluate/predict.\nJAX said: "
        f"{str(error).splitlines()[0]}")


def unbuilt_message(layer, what):
    return (f"You tried to call `{what}` on '{layer.name}', but it isn't built yet. Build it by "
            f"calling it on data, or with `build(batch_input_shape)`, or give its first layer an "
            "input shape (`Input(shape=...)`).")
