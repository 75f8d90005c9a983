"""Layers that act on random rectangles or mix images of a batch: RandomErasing, MixUp, CutMix.

MixUp and CutMix also take Keras's dict inputs {"images": ..., "labels": ...} and mix the
(one-hot) labels with the same weights.
"""
import jax
import jax.numpy as jnp

from jkeras.layers.preprocessing.image_base import BaseImagePreprocessingLayer


def random_span(key, batch, length, ratio):
    """Start and end of a span of `ratio * length` at a uniform offset, per image."""
    crop = ratio * length
    start = jax.random.uniform(key, (batch,)) * (length - crop)
    return start, start + crop


def box_masks(shape, x0, x1, y0, y1):
    """(B, H, W, C) masks of the boxes [x0, x1) x [y0, y1), one per image."""
    rows = jnp.arange(shape[1], dtype=jnp.float32)[None, :, None, None]
    cols = jnp.arange(shape[2], dtype=jnp.float32)[None, None, :, None]
    x0, x1, y0, y1 = (v[:, None, None, None] for v in (x0, x1, y0, y1))
    return jnp.broadcast_to((cols >= x0) & (cols < x1) & (rows >= y0) & (rows < y1), shape)


class RandomErasing(BaseImagePreprocessingLayer):
    """Replace a random rectangle of each image (with a probability drawn from `factor`) by
    `fill_value` or, by default, Gaussian noise scaled by value_range[1]."""
    _FACTOR_BOUNDS = (0, 1)

    def __init__(self, factor=1.0, scale=(0.02, 0.33), fill_value=None, value_range=(0, 255),
                 seed=None, data_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self._set_factor(factor)
        self.scale = self._factor_range(scale, "scale")
        fill_error = "The `fill_value` argument should be a number (or a list of three numbers) "
        if isinstance(fill_value, (tuple, list)) and len(fill_value) != 3 or not (
                fill_value is None or isinstance(fill_value, (int, float, tuple, list))):
            raise ValueError(fill_error)
        self.fill_value = fill_value
        self.value_range = value_range
        self._set_seed(seed)

    def _inference(self, images):
        return self._float(images)

    def _transform(self, images, key):
        images = self._float(images)
        batch, height, width = images.shape[:3]
        keys = jax.random.split(key, 6)
        sides = jnp.sqrt(jax.random.uniform(keys[0], (batch, 2), minval=self.scale[0],
                                            maxval=self.scale[1]))
        x0, x1 = random_span(keys[1], batch, width, sides[:, 0])
        y0, y1 = random_span(keys[2], batch, height, sides[:, 1])
        probability = jax.random.uniform(keys[3], (batch,), minval=self.factor[0],
                                         maxval=self.factor[1])
        apply = jax.random.uniform(keys[4], (batch,)) < probability
        if self.fill_value is None:
            fill = jax.random.normal(keys[5], images.shape) * self.value_range[1]
        else:
            fill = jnp.broadcast_to(jnp.asarray(self.fill_value, self.dtype), images.shape)
        return self.erase(images, box_masks(images.shape, x0, x1, y0, y1), apply, fill)

    def erase(self, images, masks, apply, fill):
        """The deterministic part: `fill` (clipped to value_range) inside `masks` where `apply`."""
        fill = jnp.clip(fill, self.value_range[0], self.value_range[1])
        erased = jnp.where(masks, fill, images)
        return jnp.where(jnp.asarray(apply)[:, None, None, None], erased, images)

    def get_config(self):
        return {**super().get_config(), "factor": self.factor, "scale": self.scale,
                "fill_value": self.fill_value, "value_range": self.value_range,
                "seed": self.seed}


class _MixingLayer(BaseImagePreprocessingLayer):
    """Images (or {"images", "labels"}) -> the same, mixed with a permutation of the batch."""

    def call(self, inputs, training=True):
        data = dict(inputs) if isinstance(inputs, dict) else {"images": inputs}
        unknown = set(data) - {"images", "labels"}
        if unknown or "images" not in data:
            raise ValueError(f"Layer '{self.name}' ({type(self).__name__}) takes images or a dict "
                             "with keys 'images' and optionally 'labels'. Received keys: "
                             f"{sorted(data)}")
        images = jnp.asarray(data["images"])
        if images.ndim not in (3, 4):
            raise ValueError("Expected image tensor to have rank 3 (single image) or 4 (batch of "
                             f"images). Received: data.shape={images.shape}")
        if training:
            batch_shape = images.shape if images.ndim == 4 else (1,) + images.shape
            if self.data_format == "channels_first":
                batch_shape = (batch_shape[0],) + batch_shape[2:] + (batch_shape[1],)
            t = self.sample(self._key(), batch_shape)
            if t is not None:
                data["images"] = self._on_batches(images, lambda x: self.mix_images(x, t))
                if "labels" in data:
                    data["labels"] = self.mix_labels(data["labels"], t)
        data["images"] = self._float(data["images"])
        return data if isinstance(inputs, dict) else data["images"]

    def mix_labels(self, labels, t):
        """Labels (B, classes) mixed with the same weights and permutation as the images."""
        labels = jnp.asarray(labels, self.dtype)
        weight = jnp.reshape(jnp.asarray(t["mix_weight"], self.dtype), (-1, 1))
        return weight * labels + (1.0 - weight) * jnp.take(labels, t["permutation_order"], axis=0)


class MixUp(_MixingLayer):
    """MixUp: each image (and label) becomes w * itself + (1 - w) * another of the batch, with
    w ~ Beta(alpha, alpha) per image."""

    def __init__(self, alpha=0.2, data_format=None, seed=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self.alpha = alpha
        self._set_seed(seed)

    def sample(self, key, shape):
        key_p, key_w = jax.random.split(key)
        return {"permutation_order": jax.random.permutation(key_p, shape[0]),
                "mix_weight": jax.random.beta(key_w, self.alpha, self.alpha, (shape[0],))}

    def mix_images(self, images, t):
        """The deterministic part, given tf.keras's transformation dict."""
        images = self._float(images)
        weight = jnp.reshape(jnp.asarray(t["mix_weight"], self.dtype), (-1, 1, 1, 1))
        return weight * images + (1.0 - weight) * jnp.take(images, t["permutation_order"], axis=0)

    def get_config(self):
        return {**super().get_config(), "alpha": self.alpha, "seed": self.seed}


class CutMix(_MixingLayer):
    """CutMix: paste a random box from another image of the batch into each image; labels mix by
    the pasted area. Single images pass through unchanged, as Keras."""
    _FACTOR_BOUNDS = (0, 1)

    def __init__(self, factor=1.0, seed=None, data_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self._set_factor(factor)
        self._set_seed(seed)

    def sample(self, key, shape):
        batch, height, width = shape[:3]
        keys = jax.random.split(key, 5)
        alpha = jax.random.uniform(keys[0], (), minval=self.factor[0],
                                   maxval=self.factor[1]) + 1e-6
        ratio = jnp.sqrt(1.0 - jax.random.beta(keys[1], alpha, alpha, (batch,)))
        x0, x1 = random_span(keys[2], batch, width, ratio)
        y0, y1 = random_span(keys[3], batch, height, ratio)
        return {"permutation_order": jax.random.permutation(keys[4], batch),
                "batch_masks": box_masks(shape, x0, x1, y0, y1),
                "mix_weight": 1.0 - (x1 - x0) * (y1 - y0) / (width * height)}

    def call(self, inputs, training=True):
        images = inputs["images"] if isinstance(inputs, dict) else inputs
        if jnp.ndim(images) == 3:  # Keras leaves single images unchanged
            return super().call(inputs, training=False)
        return super().call(inputs, training=training)

    def mix_images(self, images, t):
        """The deterministic part, given tf.keras's transformation dict."""
        images = self._float(images)
        return jnp.where(t["batch_masks"], jnp.take(images, t["permutation_order"], axis=0),
                         images)

    def get_config(self):
        return {**super().get_config(), "factor": self.factor, "seed": self.seed}
