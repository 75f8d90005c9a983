"""SpectralNormalization: the wrapped layer's `kernel` (or `embeddings`) divided by its largest
singular value, estimated by power iteration with a kept vector `vector_u` (Miyato et al. 2018).

In training mode the call runs `power_iterations` steps from `vector_u`, keeps the new vector as
state and runs the wrapped layer on `kernel / sigma` (gradients flow through both, the power
iteration vectors are constants); an all-zero kernel is left as it is. In inference mode the
wrapped layer runs on its kernel unchanged.

Where the normalised kernel goes, as Keras: Keras assigns it to the wrapped layer's trainable
kernel. Keras 3's JAX trainer (`stateless_call`) keeps only non-trainable updates, so in `fit` the
forward pass uses `kernel / sigma` and the optimizer updates the stored kernel; `apply` and `fit`
here do exactly that. An eager `layer(x, training=True)` also writes `kernel / sigma` into the
wrapped layer's kernel, as every Keras backend does eagerly. (tf.keras's own `fit` writes it
too, so its training trajectory differs from Keras-on-JAX's and ours.)

Weights as Keras: `weights` is [kernel, vector_u, the wrapped layer's others], and the wrapper's
own saved variables are [kernel, vector_u] (Keras tracks the wrapped kernel on the wrapper too).
"""
import jax
import jax.numpy as jnp
from jax import lax

from jkeras import initializers, ops
from jkeras.core import frame as frames, shapes
from jkeras.core.input_spec import InputSpec
from jkeras.layers.wrappers import Wrapper


class SpectralNormalization(Wrapper):
    """Wrap a layer with a `kernel` (Dense, Conv*, EinsumDense, ...) or `embeddings` (Embedding)
    attribute; `power_iterations` (int > 0) steps of the power method per training call."""

    def __init__(self, layer, power_iterations=1, **kwargs):
        super().__init__(layer, **kwargs)
        if isinstance(power_iterations, bool) or not isinstance(power_iterations, int) or \
                power_iterations <= 0:
            raise ValueError("`power_iterations` should be greater than zero. Received: "
                             f"`power_iterations={power_iterations}`")
        self.power_iterations = power_iterations

    def build(self, input_shape):
        self.layer.build(input_shape)
        self.input_spec = InputSpec(min_ndim=1, axes={-1: input_shape[-1]})
        attrs = self.layer.__dict__["_weight_attrs"]
        self._kernel_attr = next((a for a in ("kernel", "embeddings") if a in attrs), None)
        if self._kernel_attr is None:
            raise ValueError(f"{type(self.layer).__name__} object has no attribute 'kernel' "
                             "nor 'embeddings'")
        kernel = self._kernel_var
        self.kernel_shape = kernel.shape
        self.vector_u = self.add_weight(
            shape=(1, kernel.shape[-1]), initializer=initializers.TruncatedNormal(stddev=0.02),
            trainable=False, name="vector_u", dtype=kernel.dtype)

    @property
    def _kernel_var(self):  # the wrapped layer's Variable handle (not bound to a call)
        return self.layer.__dict__["_weight_attrs"][self._kernel_attr]

    def normalized_weights(self, kernel, vector_u):
        """(new vector_u, kernel / sigma) after `power_iterations` power-method steps."""
        weights = jnp.reshape(kernel, (-1, self.kernel_shape[-1]))
        vector_v = None
        for _ in range(self.power_iterations):
            vector_v = ops.normalize(jnp.matmul(vector_u, weights.T), axis=None)
            vector_u = ops.normalize(jnp.matmul(vector_v, weights), axis=None)
        vector_u, vector_v = lax.stop_gradient(vector_u), lax.stop_gradient(vector_v)
        sigma = jnp.matmul(jnp.matmul(vector_v, weights), vector_u.T)
        return vector_u.astype(self.vector_u.dtype), \
            jnp.reshape(kernel / sigma, self.kernel_shape).astype(kernel.dtype)

    def _maybe_normalized(self, kernel, vector_u):
        return lax.cond(jnp.all(kernel == 0), lambda k, u: (u, k),
                        lambda k, u: self.normalized_weights(k, u), kernel, vector_u)

    def call(self, inputs, training=False):
        inputs = jnp.asarray(inputs)
        frame = frames.frame_of(self)
        if training and frame is not None and frame.init_key is None:
            child = self.layer.name
            held = frame.params[child]
            vector_u, kernel = self._maybe_normalized(held[self._kernel_var.name],
                                                      self.vector_u)
            self.assign_state("vector_u", vector_u)
            frame.params[child] = {**held, self._kernel_var.name: kernel}
            try:
                output = self.layer(inputs)
            finally:
                frame.params[child] = held
        else:
            output = self.layer(inputs)
        return jax.tree_util.tree_map(lambda o: o.astype(inputs.dtype), output)

    def _eager_call(self, args, kwargs):
        if not kwargs.get("training"):
            return super()._eager_call(args, kwargs)
        self._ensure_built(jax.tree_util.tree_map(shapes.to_array, args),
                           {k: v for k, v in kwargs.items() if k != "training"})
        _, kernel = self._maybe_normalized(self._kernel_var.value, self.vector_u.value)
        out = super()._eager_call(args, kwargs)  # normalises the same held kernel inside
        self._kernel_var.assign(kernel)
        return out

    @property
    def weights(self):
        ws = super().weights
        if not ws:
            return ws
        return [self._kernel_var] + [w for w in ws if w is not self._kernel_var]

    variables = weights

    def _keras_saved_variables(self):
        """The wrapper's own variables in a Keras weights file: [kernel, vector_u]."""
        return [self._kernel_var, self.vector_u]

    def get_config(self):
        return {**super().get_config(), "power_iterations": self.power_iterations}
