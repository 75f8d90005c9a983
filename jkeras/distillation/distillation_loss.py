"""Keras 3's distillation losses: how a teacher's outputs (or features) and a student's are
compared (`DistillationLoss`, `LogitsDistillation`, `FeatureDistillation`)."""
import jax
import jax.numpy as jnp

from jkeras import losses, tree
from jkeras.core.serialization import deserialize_keras_object, serialize_keras_object


def convert_loss_to_function(loss_item):
    """Keras's `keras.losses.get` for one loss: a string names a function ("mse",
    "kl_divergence") unless it names a class ("KLDivergence"), which gives an instance."""
    if isinstance(loss_item, str):
        loss = losses.get(loss_item)
        return loss if loss_item == type(loss).__name__ else loss.fn
    return loss_item


def convert_losses(loss):
    return tree.map_structure(convert_loss_to_function, loss)


def _sum_of(loss_values):
    return jnp.sum(jnp.stack([jnp.asarray(v, jnp.float32) for v in tree.flatten(loss_values)]))


class DistillationLoss:
    """Base class of distillation losses: subclasses override `compute_loss(teacher_outputs,
    student_outputs, **kwargs)` and may override `validate_outputs` and
    `validate_model_compatibility`."""

    def compute_loss(self, teacher_outputs, student_outputs, **kwargs):
        raise NotImplementedError("Subclasses must implement compute_loss")

    def validate_outputs(self, teacher_outputs, student_outputs):
        """Raises ValueError when the two output structures differ."""
        tree.assert_same_structure(teacher_outputs, student_outputs)

    def validate_model_compatibility(self, teacher, student):
        """Raises ValueError when this loss cannot be used with these models."""


class _LossFromConfig(DistillationLoss):
    """`from_config` of Keras's distillation losses: the `loss` entry is deserialized."""

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        config["loss"] = deserialize_keras_object(config["loss"])
        return cls(**config)


class FeatureDistillation(_LossFromConfig):
    """The mean of `loss(teacher_features, student_features)` per output, summed; features of
    the named layers (`teacher_layer_name` / `student_layer_name`), else the final outputs."""

    def __init__(self, loss="mse", teacher_layer_name=None, student_layer_name=None):
        self.teacher_layer_name = teacher_layer_name
        self.student_layer_name = student_layer_name
        self.loss = convert_losses(loss)
        if all(item is None for item in tree.flatten(self.loss)):
            raise ValueError("The `loss` argument in `FeatureDistillation` must contain at "
                             "least one non-`None` value.")

    def validate_model_compatibility(self, teacher, student):
        if self.teacher_layer_name is not None or self.student_layer_name is not None:
            subclassed = [role for role, model in (("teacher", teacher), ("student", student))
                          if getattr(model, "inputs", None) is None]
            if subclassed:
                models_str = " and ".join(subclassed)
                raise ValueError(
                    f"FeatureDistillation with specific layer names requires Functional or "
                    f"Sequential models. The {models_str} model(s) appear to be subclassed (no "
                    f"symbolic inputs/outputs). Either use Functional/Sequential models, or use "
                    f"FeatureDistillation without layer names (to distill final outputs only), "
                    f"or use LogitsDistillation instead.")
        for role, model, name in (("teacher", teacher, self.teacher_layer_name),
                                  ("student", student, self.student_layer_name)):
            if name is not None:
                try:
                    model.get_layer(name=name)
                except ValueError as e:
                    raise ValueError(f"In {role} model: {e}") from None

    def validate_outputs(self, teacher_outputs, student_outputs):
        super().validate_outputs(teacher_outputs, student_outputs)
        try:
            tree.assert_same_structure(self.loss, teacher_outputs)
        except ValueError as e:
            raise ValueError(f"Loss structure mismatch. Loss structure: "
                             f"{_structure(self.loss)}, Output structure: "
                             f"{_structure(teacher_outputs)}. Error: {e}") from None

    def compute_loss(self, teacher_outputs, student_outputs, **kwargs):
        def apply_loss(loss_fn, teacher_features, student_features):
            if loss_fn is None:
                return 0.0
            return jnp.mean(loss_fn(teacher_features, student_features))

        return _sum_of(tree.map_structure(apply_loss, self.loss, teacher_outputs,
                                          student_outputs))

    def get_config(self):
        return {"loss": serialize_keras_object(self.loss),
                "teacher_layer_name": self.teacher_layer_name,
                "student_layer_name": self.student_layer_name}


class LogitsDistillation(_LossFromConfig):
    """`loss(teacher_logits / T, student_logits / T)` per output, averaged and summed; a
    `KLDivergence` instance compares the softmax probabilities and is scaled by T**2."""

    def __init__(self, temperature=3.0, loss="kl_divergence"):
        self.temperature = temperature
        self.loss = convert_losses(loss)
        if all(item is None for item in tree.flatten(self.loss)):
            raise ValueError("At least one loss must be non-`None`.")
        if not isinstance(self.temperature, (int, float)):
            raise ValueError(f"temperature must be a number, got {type(self.temperature)}")
        if self.temperature <= 0.0:
            raise ValueError("temperature must be positive.")

    def compute_loss(self, teacher_outputs, student_outputs, **kwargs):
        teacher_scaled = tree.map_structure(lambda x: x / self.temperature, teacher_outputs)
        student_scaled = tree.map_structure(lambda x: x / self.temperature, student_outputs)

        def apply_loss(loss_fn, teacher_logits, student_logits):
            if loss_fn is None:
                return 0.0
            if isinstance(loss_fn, losses.KLDivergence):
                teacher_probs = jax.nn.softmax(teacher_logits, axis=-1)
                student_probs = jax.nn.softmax(student_logits, axis=-1)
                loss = jnp.mean(loss_fn(teacher_probs, student_probs))
                return loss * (self.temperature ** 2)
            return jnp.mean(loss_fn(teacher_logits, student_logits))

        return _sum_of(tree.map_structure(apply_loss, self.loss, teacher_scaled,
                                          student_scaled))

    def get_config(self):
        return {"temperature": self.temperature, "loss": serialize_keras_object(self.loss)}


def _structure(structure):
    return tree.map_structure(lambda _: "*", structure)
