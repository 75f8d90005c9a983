"""Discretization: bucket numbers by boundaries (on the device, `jnp.digitize`); `adapt` learns
`num_bins` quantile boundaries on the host with Keras's approximate-quantile summaries."""
import jax.numpy as jnp
import numpy as np

from jkeras.core.layer import Layer
from jkeras.layers.preprocessing import category_encoding

_MODES = ("int", "one_hot", "multi_hot", "count")


def summarize(values, epsilon):
    """A weighted sample of every 1/epsilon-th sorted value: [[values], [weights]]."""
    values = np.sort(np.reshape(values, [-1]))
    step = max(np.size(values) / (1.0 / epsilon), 1)
    boundaries = values[int(step - 1)::int(step)]
    return np.stack([boundaries, np.ones_like(boundaries) * step])


def compress_summary(summary, epsilon):
    if summary.shape[1] * epsilon < 1:
        return summary
    percents = epsilon + np.arange(0.0, 1.0, epsilon)
    cum_weights = summary[1].cumsum()
    cum_weight_percents = cum_weights / cum_weights[-1]
    new_bins = np.interp(percents, cum_weight_percents, summary[0])
    cum_weights = np.interp(percents, cum_weight_percents, cum_weights)
    new_weights = cum_weights - np.concatenate((np.array([0]), cum_weights[:-1]))
    return np.stack((new_bins, new_weights)).astype("float32")


def merge_summaries(previous, new, epsilon):
    merged = np.concatenate((previous, new), axis=1)
    return compress_summary(np.take(merged, np.argsort(merged[0]), axis=1), epsilon)


class Discretization(Layer):
    """Numbers -> bucket indices (int32) or encoded vectors, by `bin_boundaries` or by the
    `num_bins` quantile boundaries `adapt` learns (approximately, within `epsilon`)."""

    def __init__(self, bin_boundaries=None, num_bins=None, epsilon=0.01, output_mode="int",
                 sparse=False, dtype=None, name=None):
        category_encoding.check_sparse(sparse)
        if output_mode not in _MODES:
            raise ValueError("The `output_mode` argument of layer Discretization received an "
                             f"invalid value {output_mode!r}. Allowed values are: {list(_MODES)}.")
        if num_bins is not None and num_bins < 0:
            raise ValueError("`num_bins` must be greater than or equal to 0. Received: "
                             f"`num_bins={num_bins}`")
        if num_bins is not None and bin_boundaries is not None:
            raise ValueError("Both `num_bins` and `bin_boundaries` should not be set. Received: "
                             f"`num_bins={num_bins}` and `bin_boundaries={bin_boundaries}`")
        if num_bins is None and bin_boundaries is None:
            raise ValueError("You need to set either `num_bins` or `bin_boundaries`.")
        super().__init__(name=name, dtype=dtype)
        self.bin_boundaries = None if bin_boundaries is None else list(bin_boundaries)
        self.num_bins, self.epsilon = num_bins, epsilon
        self.output_mode, self.sparse = output_mode, False
        self.summary = None if self.bin_boundaries else np.array([[], []], dtype="float32")

    def adapt(self, data, steps=None):
        """Learn `num_bins` boundaries from an array or an iterable of batches."""
        if self.num_bins is None:
            raise ValueError("Cannot adapt a Discretization layer that has been initialized with "
                             "`bin_boundaries`, use `num_bins` instead.")
        summary = np.array([[], []], dtype="float32")
        batches = [data] if isinstance(data, np.ndarray) or hasattr(data, "shape") or \
            not hasattr(data, "__iter__") else data
        for i, batch in enumerate(batches):
            if steps is not None and i >= steps:
                break
            batch = np.array(batch).astype("float32")
            summary = merge_summaries(summarize(batch, self.epsilon), summary, self.epsilon)
        self.summary = summary
        self.bin_boundaries = compress_summary(summary, 1.0 / self.num_bins)[0, :-1].tolist()

    def call(self, inputs):
        if self.bin_boundaries is None:
            raise ValueError("You need to either pass the `bin_boundaries` argument at "
                             "construction time or call `adapt(dataset)` before you can start "
                             "using the `Discretization` layer.")
        indices = jnp.digitize(jnp.asarray(inputs, self.dtype),
                               jnp.asarray(self.bin_boundaries, self.dtype)).astype(jnp.int32)
        if self.output_mode == "int":
            return indices
        return category_encoding.encode(indices, self.output_mode, len(self.bin_boundaries) + 1,
                                        self.dtype)

    def get_config(self):
        return {"bin_boundaries": self.bin_boundaries, "num_bins": self.num_bins,
                "epsilon": self.epsilon, "output_mode": self.output_mode, "sparse": self.sparse,
                "name": self.name, "dtype": self.dtype}

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        boundaries = config.get("bin_boundaries")
        if boundaries is not None and config.get("num_bins") is not None:
            config.pop("bin_boundaries")  # an adapted layer: num_bins, then its boundaries
            layer = super().from_config(config)
            layer.bin_boundaries = list(boundaries)
            return layer
        return super().from_config(config)
