"""Keras 3's `Distiller`: a model whose `call` is the student and whose `compute_loss` mixes the
student's supervised loss with distillation losses against a frozen teacher.

fit runs an overridden `compute_loss` inside Keras's default step (training/keras_steps.py);
the student's features for a `FeatureDistillation` must see the step's traced weights, so
`compute_loss_and_updates` keeps them for the duration of the call.
"""
import jax.numpy as jnp

from jkeras import tree
from jkeras.core.serialization import deserialize_keras_object, serialize_keras_object
from jkeras.distillation.distillation_loss import convert_losses
from jkeras.metrics import Mean
from jkeras.models import Model, Sequential


class _Untracked:
    """A holder whose models are not sub-layers of the model holding it."""

    def __init__(self, **models):
        self.__dict__.update(models)


class Distiller(Model):
    """Trains `student` from `teacher` (frozen): `loss = student_loss_weight * student_loss +
    (1 - student_loss_weight) * sum(weight * distillation_loss)`; `call` runs the student."""

    def __init__(self, teacher, student, distillation_losses, distillation_loss_weights=None,
                 student_loss_weight=0.5, name="distiller", **kwargs):
        super().__init__(name=name, **kwargs)
        self._validate_models(teacher, student)
        self.teacher = teacher
        self.student = student
        if not isinstance(student_loss_weight, (int, float)):
            raise ValueError(f"student_loss_weight must be a number, got "
                             f"{type(student_loss_weight)}")
        if student_loss_weight < 0.0 or student_loss_weight > 1.0:
            raise ValueError(f"student_loss_weight must be between 0.0 and 1.0, got "
                             f"{student_loss_weight}")
        self.student_loss_weight = student_loss_weight
        if distillation_losses is None:
            raise ValueError("'distillation_losses' cannot be `None`. Provide a distillation "
                             "loss (e.g., LogitsDistillation or FeatureDistillation) or a list "
                             "of distillation losses.")
        if not isinstance(distillation_losses, (list, tuple)):
            self.distillation_losses = [distillation_losses]
            self.distillation_loss_weights = [1.0]
        else:
            self.distillation_losses = distillation_losses
            if distillation_loss_weights is None:
                self.distillation_loss_weights = [1.0] * len(distillation_losses)
            else:
                if len(distillation_loss_weights) != len(distillation_losses):
                    raise ValueError(
                        f"Number of distillation_loss_weights "
                        f"({len(distillation_loss_weights)}) must match number of "
                        f"distillation_losses ({len(distillation_losses)})")
                self.distillation_loss_weights = distillation_loss_weights
        for distillation_loss in self.distillation_losses:
            distillation_loss.validate_model_compatibility(teacher, student)
        self._create_multi_feature_extractors()
        self.teacher.trainable = False
        self.student_loss_tracker = Mean(name="student_loss")
        self.distillation_loss_tracker = Mean(name="distillation_loss")
        self.total_loss_tracker = Mean(name="total_loss")

    # ------------------------------------------------------------------ validation
    def _validate_models(self, teacher, student):
        if not isinstance(teacher, Model):
            raise ValueError(f"Teacher must be a keras.Model, got {type(teacher)}")
        if not isinstance(student, Model):
            raise ValueError(f"Student must be a keras.Model, got {type(student)}")
        for attribute, context in (("inputs", "input"), ("outputs", "output")):
            ours, theirs = getattr(teacher, attribute, None), getattr(student, attribute, None)
            if ours is None or theirs is None:
                continue
            tree.map_structure(
                lambda t, s: self._assert_shapes_are_compatible(t.shape, s.shape, context),
                ours, theirs)
        for attribute, context in (("inputs", "input"), ("outputs", "output")):
            ours, theirs = getattr(teacher, attribute, None), getattr(student, attribute, None)
            if ours is None or theirs is None:
                return
            tree.map_structure(
                lambda t, s: self._assert_same_dtype(t.dtype, s.dtype, context), ours, theirs)

    def _assert_shapes_are_compatible(self, shape1, shape2, context):
        shape1, shape2 = tuple(shape1), tuple(shape2)
        if len(shape1) != len(shape2):
            raise ValueError(f"Teacher and student {context} shapes have different dimensions. "
                             f"Teacher: {shape1}, Student: {shape2}.")
        for dim1, dim2 in zip(shape1, shape2):
            if dim1 is not None and dim2 is not None and dim1 != dim2:
                raise ValueError(f"Teacher and student {context} shapes are incompatible. "
                                 f"Teacher: {shape1}, Student: {shape2}. All dimensions must "
                                 f"match.")

    def _assert_same_dtype(self, teacher_dtype, student_dtype, context):
        if teacher_dtype != student_dtype:
            raise ValueError(f"Teacher and student {context} dtypes must match. Teacher: "
                             f"{teacher_dtype}, Student: {student_dtype}.")

    # ------------------------------------------------------------------ feature extractors
    def _create_multi_feature_extractors(self):
        teacher_names, student_names = [], []
        for distillation_loss in self.distillation_losses:
            for attribute, names in (("teacher_layer_name", teacher_names),
                                     ("student_layer_name", student_names)):
                name = getattr(distillation_loss, attribute, None)
                if name and name not in names:
                    names.append(name)
        # Held out of sub-layer tracking: the extractors share the models' layers and weights
        # (Keras tracks them and de-duplicates the weights; here they would be a second slice).
        self._feature_extractors = _Untracked(
            teacher=self._create_feature_extractor(self.teacher, teacher_names),
            student=self._create_feature_extractor(self.student, student_names))

    @property
    def _teacher_feature_extractor(self):
        return self._feature_extractors.teacher

    @property
    def _student_feature_extractor(self):
        return self._feature_extractors.student

    def _create_feature_extractor(self, model, layer_names):
        if not layer_names:
            return None
        if getattr(model, "inputs", None) is None:
            raise ValueError(f"Cannot create feature extractor for {model.name}. The model has "
                             f"no symbolic inputs attribute.")
        if isinstance(model, Sequential):
            final_output = model.layers[-1].output
        else:
            final_output = model.output
        outputs = {"final_output": final_output}
        for layer_name in layer_names:
            outputs[layer_name] = model.get_layer(name=layer_name).output
        return Model(inputs=model.inputs, outputs=outputs,
                     name=f"{model.name}_multi_feature_extractor")

    def _extract_all_teacher_features(self, x):
        if self._teacher_feature_extractor is not None:
            return self._run(self._teacher_feature_extractor, x, training=False)
        return {"final_output": self._run(self.teacher, x, training=False)}

    def _extract_all_student_features(self, x, y_pred):
        if self._student_feature_extractor is None:
            return {"final_output": y_pred}
        return self._run(self._student_feature_extractor, x, training=True)

    def _run(self, model, x, training):
        """`model(x)`; inside a step, on this step's values of its weights (traced arrays, as
        Keras's stateless scope gives them): the student's for the gradient, the teacher's so
        that they are not baked into the compiled step as constants."""
        traced = self.__dict__.get("_traced_variables")
        if traced is None:
            return model(x, training=training)
        values = dict(zip(map(id, self.trainable_weights + self.non_trainable_weights),
                          traced[0] + traced[1]))
        outputs, _ = model.stateless_call(
            [values[id(v)] for v in model.trainable_weights],
            [values[id(v)] for v in model.non_trainable_weights], x, training=training)
        return outputs

    def _get_distillation_loss_features(self, distillation_loss, all_features, is_teacher):
        if is_teacher:
            layer_name = distillation_loss.teacher_layer_name or "final_output"
        else:
            layer_name = distillation_loss.student_layer_name or "final_output"
        if layer_name not in all_features:
            raise ValueError(f"Layer '{layer_name}' not found in extracted features. "
                             f"Available: {list(all_features.keys())}")
        return all_features[layer_name]

    # ------------------------------------------------------------------ training
    def compile(self, optimizer="adam", loss=None, metrics=None, **kwargs):
        """`loss` is the student's supervised loss (required); the model itself compiles
        without one, as Keras's Distiller."""
        if loss is None:
            raise ValueError("'loss' cannot be `None`.")
        self._student_loss = convert_losses(loss)
        self._student_loss_for_serialization = loss
        if metrics is not None and not isinstance(metrics, (list, tuple)):
            raise ValueError(f"metrics must be a list or tuple, got {type(metrics)}")
        super().compile(optimizer=optimizer, loss=None, metrics=metrics, **kwargs)

    def call(self, inputs, training=None, **kwargs):
        return self.student(inputs, training=training, **kwargs)

    def compute_loss_and_updates(self, trainable_variables, non_trainable_variables,
                                 metrics_variables, x, y, sample_weight, training=False,
                                 optimizer_variables=None):
        self.__dict__["_traced_variables"] = (list(trainable_variables),
                                              list(non_trainable_variables))
        try:
            return super().compute_loss_and_updates(
                trainable_variables, non_trainable_variables, metrics_variables, x, y,
                sample_weight, training=training, optimizer_variables=optimizer_variables)
        finally:
            self.__dict__.pop("_traced_variables", None)

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        """`student_loss_weight * student_loss + (1 - student_loss_weight) *
        distillation_loss`; updates the `student_loss`, `distillation_loss` and `total_loss`
        trackers. `sample_weight` is not used (as Keras)."""
        if y_pred is None:
            y_pred = self(x, training=training)
        student_loss = 0.0
        if self.student_loss_weight > 0.0 and y is not None:
            loss_values = tree.map_structure(lambda loss, o, o_pred: loss(o, o_pred),
                                             self._student_loss, y, y_pred)
            flat_losses = tree.flatten(loss_values)
            student_loss = (jnp.sum(jnp.stack(flat_losses)) if len(flat_losses) > 1
                            else flat_losses[0])
            if jnp.ndim(student_loss) > 0:
                student_loss = jnp.mean(student_loss)
        distillation_loss = 0.0
        if self.student_loss_weight < 1.0:
            teacher_features = self._extract_all_teacher_features(x)
            student_features = self._extract_all_student_features(x, y_pred)
            for loss_fn, weight in zip(self.distillation_losses,
                                       self.distillation_loss_weights):
                teacher_output, student_output = self._features_for(
                    loss_fn, teacher_features, student_features, y_pred)
                loss_fn.validate_outputs(teacher_output, student_output)
                current = loss_fn.compute_loss(teacher_output, student_output)
                if jnp.ndim(current) > 0:
                    raise ValueError(
                        f"Distillation loss {loss_fn.__class__.__name__} returned a "
                        f"non-scalar loss with shape {tuple(jnp.shape(current))}. The "
                        f"compute_loss method must return a scalar tensor.")
                distillation_loss = distillation_loss + weight * current
        total_loss = (self.student_loss_weight * student_loss
                      + (1.0 - self.student_loss_weight) * distillation_loss)
        self.student_loss_tracker.update_state(student_loss)
        self.distillation_loss_tracker.update_state(distillation_loss)
        self.total_loss_tracker.update_state(total_loss)
        return total_loss

    def _features_for(self, loss_fn, teacher_features, student_features, y_pred):
        if getattr(loss_fn, "teacher_layer_name", None) is None:
            return teacher_features["final_output"], y_pred
        try:
            return (self._get_distillation_loss_features(loss_fn, teacher_features, True),
                    self._get_distillation_loss_features(loss_fn, student_features, False))
        except ValueError as e:
            raise RuntimeError(
                f"Failed to extract features for {type(loss_fn).__name__} targeting teacher "
                f"layer '{loss_fn.teacher_layer_name}' and student layer "
                f"'{loss_fn.student_layer_name}'. Original error: {e}") from e

    def reset_metrics(self):
        super().reset_metrics()
        self.student_loss_tracker.reset_state()
        self.distillation_loss_tracker.reset_state()
        self.total_loss_tracker.reset_state()

    # ------------------------------------------------------------------ config
    def get_config(self):
        config = super().get_config()
        config.update({
            "teacher": serialize_keras_object(self.teacher),
            "student": serialize_keras_object(self.student),
            "distillation_losses": [serialize_keras_object(loss)
                                    for loss in self.distillation_losses],
            "distillation_loss_weights": self.distillation_loss_weights,
            "student_loss_weight": self.student_loss_weight,
        })
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        for key in ("teacher", "student"):
            config[key] = deserialize_keras_object(config[key], custom_objects)
        config["distillation_losses"] = [deserialize_keras_object(loss, custom_objects)
                                         for loss in config["distillation_losses"]]
        return cls(**config)
