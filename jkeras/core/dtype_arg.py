"""A layer's `dtype` argument in the forms Keras 3 accepts: a dtype name, a NumPy/JAX dtype, a
DTypePolicy object (anything with a `.name`), or a DTypePolicy config dict as Keras 3 writes it
into `get_config()` ({"module": "keras", "class_name": "DTypePolicy", "config": {"name": ...}}),
so a custom layer's `from_config` written as `cls(**config)` works. Only float policies (one
dtype for variables and compute) are meant here; mixed policies are refused with the fix."""
import jax.numpy as jnp

_POLICY_CLASSES = ("DTypePolicy", "FloatDTypePolicy")


def layer_dtype_name(dtype, layer_name):
    """The dtype name a layer holds for its `dtype` argument (float32 when None)."""
    if isinstance(dtype, dict):
        if dtype.get("class_name") not in _POLICY_CLASSES or not isinstance(
                dtype.get("config"), dict):
            raise ValueError(
                f"Layer '{layer_name}': a dict `dtype` must be a DTypePolicy config such as "
                "{'module': 'keras', 'class_name': 'DTypePolicy', 'config': {'name': "
                f"'float32'}}}}. Received: dtype={dtype!r}")
        dtype = dtype["config"].get("name")
    elif dtype is not None and not isinstance(dtype, str) and hasattr(dtype, "name") and \
            not hasattr(dtype, "itemsize"):
        dtype = dtype.name  # a DTypePolicy object
    if isinstance(dtype, str) and dtype.startswith("mixed_"):
        raise ValueError(
            f"Layer '{layer_name}': jkeras does not support mixed precision policies yet. "
            f"Received: dtype={dtype!r}; use 'float32' (or another plain dtype name).")
    try:
        return jnp.dtype(dtype or "float32").name
    except TypeError:
        raise TypeError(
            f"Layer '{layer_name}': `dtype` must be a dtype name (such as 'float32'), a dtype or "
            f"a DTypePolicy. Received: dtype={dtype!r}") from None
