"""A layer's dtype policy, and Keras's autocasting of its inputs and variables in `call`.

As Keras 3: `layer.dtype` is the variable dtype, `layer.compute_dtype` the dtype it computes in.
When a layer runs, floating inputs are cast to the compute dtype (unless the layer opts out with
`_convert_input_args = False`, as Functional models do) and floating variables created with
`autocast=True` are read in the compute dtype. When everything already has the compute dtype
(the float32 default), nothing is inserted.
"""
import jax
import jax.numpy as jnp
import numpy as np

from jkeras.core import dtype_policy as policies


def _is_float(dtype):
    return jnp.issubdtype(dtype, jnp.floating)


class LayerDTypeMixin:
    """Properties and cast hooks the Layer base takes from its dtype policy."""

    _convert_input_args = True
    autocast = True

    def _set_dtype_policy(self, dtype, autocast=True):
        self.__dict__["_dtype_policy"] = policies.get(dtype)
        self.__dict__["autocast"] = bool(autocast)

    @property
    def dtype_policy(self):
        policy = self.__dict__.get("_dtype_policy")
        return policies.dtype_policy() if policy is None else policy

    @dtype_policy.setter
    def dtype_policy(self, value):
        policy = policies.get(value)
        current = self.__dict__.get("_dtype_policy")
        if isinstance(current, policies.DTypePolicyMap) and self._policy_path():
            path = self._policy_path()
            if path in current:
                del current[path]
            current[path] = policy
        else:
            self.__dict__["_dtype_policy"] = policy

    def _policy_path(self):
        return self.__dict__.get("path") or self.name

    def _own_policy(self):
        policy = self.__dict__.get("_dtype_policy")
        if policy is None:  # before Layer.__init__ ran
            return policies.dtype_policy()
        if isinstance(policy, policies.DTypePolicyMap):
            return policy[self._policy_path()]
        return policy

    @property
    def dtype(self):
        """The variable dtype (Keras 3's alias of `variable_dtype`)."""
        return self._own_policy().variable_dtype

    @dtype.setter
    def dtype(self, value):
        self.dtype_policy = value

    @property
    def compute_dtype(self):
        return self._own_policy().compute_dtype

    @property
    def variable_dtype(self):
        return self._own_policy().variable_dtype

    @property
    def input_dtype(self):
        """The dtype floating inputs are cast to (the compute dtype)."""
        return self.compute_dtype

    @property
    def quantization_mode(self):
        """The quantization mode of this layer's policy ("int8"), None if not quantized."""
        return self._own_policy().quantization_mode

    # ---- the hooks the Layer base calls ---------------------------------------------------------
    def _autocast_inputs(self, args, kwargs):
        """Floating array arguments cast to `input_dtype` (Keras's `convert_input`)."""
        if not (self.autocast and self._convert_input_args):
            return args, kwargs
        target = jnp.dtype(self.input_dtype)
        if not _is_float(target):
            return args, kwargs

        def needs(x):
            dtype = getattr(x, "dtype", None)
            return (isinstance(x, (jax.Array, np.ndarray)) and dtype is not None
                    and _is_float(dtype) and dtype != target)

        if not any(needs(x) for x in jax.tree_util.tree_leaves((args, kwargs))):
            return args, kwargs

        def cast(x):
            if not needs(x):
                return x
            return x.astype(target) if isinstance(x, np.ndarray) else jnp.asarray(x, target)

        return jax.tree_util.tree_map(cast, (args, kwargs))

    def _state_value(self, var, value):
        """A new value for a non-trainable weight, in the weight's own dtype (a mixed-precision
        layer may compute it in the compute dtype; Keras's `assign` casts the same way)."""
        dtype = getattr(value, "dtype", None)
        return value if dtype == var.dtype else jnp.asarray(value, var.dtype)

    def _autocast_variable(self, var, value):
        """A weight's value as `call` sees it: in the compute dtype when the variable autocasts."""
        if not (self.autocast and getattr(var, "autocast", True)):
            return value
        dtype = getattr(value, "dtype", None)
        target = jnp.dtype(self.compute_dtype)
        if dtype is None or dtype == target or not _is_float(dtype) or not _is_float(target):
            return value
        return jnp.asarray(value, target)
