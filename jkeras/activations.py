"""Activation functions with Keras 3 (`keras.activations`) semantics, on jax.numpy.

Every function is pure jnp code: it works under `jax.jit`, `jax.grad` and `jax.vmap`.
Hyperparameters (negative_slope, max_value, alpha, axis, ...) are static Python values.
"""
import jax
import jax.numpy as jnp

from jkeras.ops import nn as nn_ops

__all__ = [
    "linear", "relu", "relu6", "sigmoid", "tanh", "softmax", "log_softmax", "gelu",
    "elu", "selu", "softplus", "softsign", "silu", "swish", "leaky_relu",
    "exponential", "hard_sigmoid", "hard_silu", "hard_swish", "mish",
    "celu", "glu", "hard_shrink", "hard_tanh", "log_sigmoid", "soft_shrink", "sparse_plus",
    "sparse_sigmoid", "sparsemax", "squareplus", "tanh_shrink", "threshold",
    "get", "serialize", "deserialize",
]

# Every name of `keras.activations` is provided (tests/test_keras_catalogue.py checks).
LEFT_OUT = {}

# SELU constants (Klambauer et al., 2017), as in TF and JAX.
_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def _as_array(x):
    x = jnp.asarray(x)
    if not jnp.issubdtype(x.dtype, jnp.inexact):
        x = x.astype(jnp.float32)  # Keras converts int inputs to floatx
    return x


def linear(x):
    """Identity: returns the input unmodified."""
    return x


def relu(x, negative_slope=0.0, max_value=None, threshold=0.0):
    """Keras 3 relu: `max(x, 0)` with optional leak, clip and threshold."""
    x = _as_array(x)
    if negative_slope != 0.0:
        if max_value is None and threshold == 0:
            return leaky_relu(x, negative_slope=negative_slope)
        if threshold != 0:
            negative_part = jax.nn.relu(-x + threshold)
        else:
            negative_part = jax.nn.relu(-x)
    clip_max = max_value is not None
    if threshold != 0:
        # x for x > threshold, else 0
        x = jnp.where(x > jnp.asarray(threshold, x.dtype), x, jnp.zeros_like(x))
    elif max_value == 6:
        x = relu6(x)
        clip_max = False
    else:
        x = jax.nn.relu(x)
    if clip_max:
        x = jnp.clip(x, jnp.asarray(0.0, x.dtype), jnp.asarray(max_value, x.dtype))
    if negative_slope != 0.0:
        x = x - negative_slope * negative_part
    return x


def leaky_relu(x, negative_slope=0.2):
    """`x` if `x > 0` else `negative_slope * x` (Keras default slope 0.2)."""
    x = _as_array(x)
    return jnp.where(x > 0, x, negative_slope * x)


def relu6(x):
    """`min(max(x, 0), 6)`."""
    return jax.nn.relu6(_as_array(x))


def sigmoid(x):
    """`1 / (1 + exp(-x))`."""
    return jax.nn.sigmoid(_as_array(x))


def tanh(x):
    """Hyperbolic tangent."""
    return jnp.tanh(_as_array(x))


def softmax(x, axis=-1):
    """`exp(x) / sum(exp(x))` along `axis` (None: over all elements)."""
    return jax.nn.softmax(_as_array(x), axis=axis)


def log_softmax(x, axis=-1):
    """`x - logsumexp(x)` along `axis` (None: over all elements)."""
    return jax.nn.log_softmax(_as_array(x), axis=axis)


def gelu(x, approximate=False):
    """GELU: exact `0.5 x erfc(-x / sqrt(2))` (Keras 3 default), tanh form if `approximate`."""
    x = _as_array(x)
    if approximate:
        c = jnp.asarray(0.7978845608028654, x.dtype)  # sqrt(2/pi)
        return 0.5 * x * (1.0 + jnp.tanh(c * (x + jnp.asarray(0.044715, x.dtype) * x**3)))
    return 0.5 * x * jax.lax.erfc(-x * jnp.asarray(0.7071067811865476, x.dtype))


def elu(x, alpha=1.0):
    """`x` if `x > 0` else `alpha * (exp(x) - 1)`."""
    x = _as_array(x)
    neg = jnp.expm1(jnp.where(x > 0, jnp.zeros_like(x), x))  # safe for grad
    return jnp.where(x > 0, x, alpha * neg if alpha != 1 else neg)


def selu(x):
    """`scale * elu(x, alpha)` with the SELU constants."""
    x = _as_array(x)
    neg = jnp.expm1(jnp.where(x > 0, jnp.zeros_like(x), x))
    return _SELU_SCALE * jnp.where(x > 0, x, _SELU_ALPHA * neg)


def softplus(x):
    """`log(exp(x) + 1)`, computed stably."""
    return jax.nn.softplus(_as_array(x))


def softsign(x):
    """`x / (abs(x) + 1)`."""
    x = _as_array(x)
    return x / (jnp.abs(x) + 1)


def silu(x):
    """Swish / SiLU: `x * sigmoid(x)`."""
    x = _as_array(x)
    return x * jax.nn.sigmoid(x)


swish = silu


def exponential(x):
    """`exp(x)`."""
    return jnp.exp(_as_array(x))


def hard_sigmoid(x):
    """Keras 3: `relu6(x + 3) / 6` (0 below -3, 1 above 3)."""
    x = _as_array(x)
    return relu6(x + jnp.asarray(3.0, x.dtype)) / jnp.asarray(6.0, x.dtype)


def hard_silu(x):
    """Hard swish: `x * hard_sigmoid(x)`."""
    x = _as_array(x)
    return x * hard_sigmoid(x)


hard_swish = hard_silu


def mish(x):
    """`x * tanh(softplus(x))`."""
    x = _as_array(x)
    return x * jnp.tanh(jax.nn.softplus(x))


def celu(x, alpha=1.0):
    """`x` if `x >= 0` else `alpha * (exp(x / alpha) - 1)`."""
    return jax.nn.celu(_as_array(x), alpha=alpha)


def glu(x, axis=-1):
    """Gated linear unit: `a * sigmoid(b)`, `x` split in halves `a, b` along `axis`."""
    return jax.nn.glu(_as_array(x), axis=axis)


def hard_shrink(x, threshold=0.5):
    """`x` if `|x| > threshold` else 0."""
    x = _as_array(x)
    return jnp.where(jnp.abs(x) > threshold, x, jnp.zeros_like(x))


def hard_tanh(x):
    """`clip(x, -1, 1)`."""
    return jax.nn.hard_tanh(_as_array(x))


def log_sigmoid(x):
    """`log(sigmoid(x))` = `-softplus(-x)`, computed stably."""
    return jax.nn.log_sigmoid(_as_array(x))


def soft_shrink(x, threshold=0.5):
    """`x - threshold` above `threshold`, `x + threshold` below `-threshold`, else 0."""
    x = _as_array(x)
    return jnp.where(x > threshold, x - threshold,
                     jnp.where(x < -threshold, x + threshold, jnp.zeros_like(x)))


def sparse_plus(x):
    """0 for `x <= -1`, `(x + 1)² / 4` for `-1 < x < 1`, `x` for `x >= 1`."""
    return jax.nn.sparse_plus(_as_array(x))


def sparse_sigmoid(x):
    """0 for `x <= -1`, `(x + 1) / 2` for `-1 < x < 1`, 1 for `x >= 1`."""
    return jax.nn.sparse_sigmoid(_as_array(x))


def sparsemax(x, axis=-1):
    """Sparsemax (Martins & Astudillo, 2016) as Keras 3.15 computes it (`ops.sparsemax`):
    max(x - tau, 0) along `axis`, with Keras's threshold tau = (sum of the cumulative sums
    over the support - 1) / k."""
    logits = _as_array(x)
    return nn_ops.sparsemax(logits, axis=axis).astype(logits.dtype)


def squareplus(x, b=4):
    """`(x + sqrt(x² + b)) / 2`, a smooth relu."""
    return jax.nn.squareplus(_as_array(x), b=b)


def tanh_shrink(x):
    """`x - tanh(x)`."""
    x = _as_array(x)
    return x - jnp.tanh(x)


def threshold(x, threshold, default_value):
    """`x` if `x > threshold` else `default_value`."""
    x = _as_array(x)
    return jnp.where(x > threshold, x, jnp.asarray(default_value, x.dtype))


# Canonical Keras names (what serialize returns), then Keras's aliases.
_BUILTINS = {
    "linear": linear, "relu": relu, "relu6": relu6, "sigmoid": sigmoid, "tanh": tanh,
    "softmax": softmax, "log_softmax": log_softmax, "gelu": gelu, "elu": elu,
    "selu": selu, "softplus": softplus, "softsign": softsign, "silu": silu,
    "leaky_relu": leaky_relu, "exponential": exponential,
    "hard_sigmoid": hard_sigmoid, "hard_silu": hard_silu, "mish": mish,
    "celu": celu, "glu": glu, "hard_shrink": hard_shrink, "hard_tanh": hard_tanh,
    "log_sigmoid": log_sigmoid, "soft_shrink": soft_shrink, "sparse_plus": sparse_plus,
    "sparse_sigmoid": sparse_sigmoid, "sparsemax": sparsemax, "squareplus": squareplus,
    "tanh_shrink": tanh_shrink, "threshold": threshold,
}
_ALIASES = {"swish": silu, "hard_swish": hard_silu}
_BY_NAME = {**_BUILTINS, **_ALIASES}
_NAME_OF = {id(fn): name for name, fn in _BUILTINS.items()}

# jax.nn functions whose defaults equal Keras's: they serialize to the Keras name.
# (jax.nn.gelu defaults to approximate=True and jax.nn.leaky_relu to slope 0.01: not mapped.)
for _name, _fn in [
    ("relu", jax.nn.relu), ("relu6", jax.nn.relu6), ("sigmoid", jax.nn.sigmoid),
    ("tanh", jnp.tanh), ("softmax", jax.nn.softmax), ("log_softmax", jax.nn.log_softmax),
    ("elu", jax.nn.elu), ("selu", jax.nn.selu), ("softplus", jax.nn.softplus),
    ("softsign", jax.nn.soft_sign), ("silu", jax.nn.silu), ("exponential", jnp.exp),
    ("hard_sigmoid", jax.nn.hard_sigmoid), ("hard_silu", jax.nn.hard_silu),
]:
    _NAME_OF.setdefault(id(_fn), _name)
del _name, _fn


def _names_hint():
    return "Valid names: " + ", ".join(sorted(_BY_NAME)) + "."


def get(identifier):
    """Returns an activation function.

    None -> `linear`; a Keras name or alias -> the function; a callable -> itself;
    a Keras function config dict (`{"class_name": "function", "config": "relu"}`) -> the function.
    """
    if identifier is None:
        return linear
    if isinstance(identifier, str):
        fn = _BY_NAME.get(identifier)
        if fn is None:
            raise ValueError(
                "Could not interpret activation function identifier: "
                f"{identifier!r}. {_names_hint()}"
            )
        return fn
    if isinstance(identifier, dict):
        name = identifier.get("config")
        if identifier.get("class_name") == "function" and _BY_NAME.get(str(name)) is not None:
            return _BY_NAME[name]
        raise ValueError(
            f"Could not interpret activation function identifier: {identifier!r}. {_names_hint()}"
        )
    if callable(identifier):
        return identifier
    raise ValueError(
        "Could not interpret activation function identifier: "
        f"{identifier!r} (of type {type(identifier).__name__}); expected None, "
        f"a string or a callable. {_names_hint()}"
    )


def serialize(activation):
    """The Keras name for built-in activations (`swish` -> "silu", None -> "linear").

    Other named functions give Keras's function config dict; anything else is a ValueError.
    """
    if activation is None:
        return "linear"
    if isinstance(activation, str):
        return serialize(get(activation))
    name = _NAME_OF.get(id(activation))
    if name is not None:
        return name
    fn_name = getattr(activation, "__name__", None)
    if callable(activation) and fn_name and fn_name != "<lambda>":
        return {
            "module": getattr(activation, "__module__", None),
            "class_name": "function",
            "config": fn_name,
            "registered_name": "function",
        }
    raise ValueError(
        f"Unknown activation function '{activation}' cannot be serialized: "
        "use a built-in activation name or a named function."
    )


def deserialize(config):
    """Inverse of `serialize` for built-ins (same as `get`)."""
    return get(config)
