"""The Keras `Model` facade: subclassing (`__init__` + `call`), the weights API, summary.

`Model(inputs, outputs)` returns a functional model (functional.py). All math stays in the pure
`init` / `apply` of the Layer base; this class only holds, finds and reports.
"""
import json

import jax
import numpy as np

from jkeras.core import errors, layer_losses, random as core_random, shapes
from jkeras.core.auto_config import auto_config
from jkeras.core.layer import Layer
from jkeras.core.serialization import serialize_keras_object
from jkeras.core.traceback_utils import filter_traceback
from jkeras.layers.quantization import keep_optimizer_slots, quantize_model
from jkeras.models import model_config
from jkeras.training.trainer import Trainer


class Model(Trainer, Layer):
    _facade_build = True
    _is_model = True

    def __new__(cls, *args, **kwargs):
        if _functional_arguments(args, kwargs) and not getattr(cls, "_is_functional", False):
            from jkeras.models.functional import Functional
            if cls is Model:
                return Functional.__new__(Functional)
            if "__init__" not in _own_attributes(cls):
                # `CustomModel(inputs, outputs)` (Keras's guides): a functional model that
                # keeps the subclass's overrides (train_step, ...), as Keras's injection.
                return Functional.__new__(_functional_subclass(cls, Functional))
        instance = object.__new__(cls)
        instance.__dict__["_auto_config"] = auto_config(cls, args, kwargs)  # for get_config
        return instance

    def __init__(self, *args, name=None, trainable=True, dtype=None, **kwargs):
        if _functional_arguments(args, kwargs):
            # A subclass's own `__init__` calling `super().__init__(inputs, outputs)`: Keras
            # decides here, from the arguments Model receives, and injects Functional.
            from jkeras.models.functional import Functional
            self.__class__ = _functional_subclass(type(self), Functional)
            Functional.__init__(self, *args, name=name, trainable=trainable, **kwargs)
            return
        if args:
            raise TypeError(f"Model.__init__() takes keyword arguments only (name=, trainable=, "
                            f"dtype=); received {len(args)} positional argument(s). To build a "
                            "functional model pass `inputs` and `outputs`.")
        Layer.__init__(self, name=name, trainable=trainable, dtype=dtype, **kwargs)

    def call(self, inputs, *args, **kwargs):
        raise TypeError(f"Model '{self.name}' ({type(self).__name__}) must define `call()`; "
                        "subclasses of Model implement `call(self, inputs)`.")

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        own = cls.__dict__.get("build")
        if own is not None and not cls.__module__.startswith("jkeras."):
            # A subclass's own `build(input_shape)` (Keras: weights of the model itself): it
            # runs inside `init`, like a layer's; `model.build(shape)` builds through `init`.
            cls._user_build = own
            cls.build = Model.build

    _user_build = None

    def _declare_weights(self, input_shape):
        if self._user_build is not None:
            self._user_build(input_shape)

    def build(self, input_shape):
        """Create the weights for inputs of `input_shape` (a batch shape, None for any size)."""
        self._ensure_built(shapes.examples((input_shape,)))

    def _build_from_inputs(self, x):
        """Build from a real input structure, using its first rows only."""
        if not self.built:
            sample = jax.tree_util.tree_map(lambda a: np.asarray(a)[:1], x)
            self._ensure_built((jax.tree_util.tree_map(shapes.to_array, sample),))

    # ---- layers ------------------------------------------------------------------------------
    @property
    def layers(self):
        return list(self._child_layers())

    def get_layer(self, name=None, index=None):
        if name is not None and index is not None:
            raise ValueError("Provide only a layer name or a layer index. Received: "
                             f"index={index}, name={name}.")
        layers = self.layers
        if index is not None:
            if not -len(layers) <= index < len(layers):
                raise ValueError(f"Was asked to retrieve layer at index {index} but model "
                                 f"'{self.name}' only has {len(layers)} layers.")
            return layers[index]
        if name is not None:
            for layer in layers:
                if layer.name == name:
                    return layer
            raise ValueError(f"No such layer: {name}. Existing layers are: "
                             f"{[layer.name for layer in layers]}.")
        raise ValueError("Provide either a layer name or layer index at `get_layer`.")

    @property
    def output_names(self):
        return ["output"]

    # ---- Keras 3's stateless API on lists, for custom loops --------------------------------
    def _variable_paths(self):
        """Each held Variable's location in the variables pytree, in Keras weight order."""
        paths = {}

        def walk(layer, prefix):
            for var in layer._own_weights:
                group = "params" if var.trainable else "state"
                paths.setdefault(id(var), (group,) + prefix + (var.name,))
            for child in layer._child_layers():
                walk(child, prefix + (child.name,))
        walk(self, ())
        return paths

    @filter_traceback
    def stateless_call(self, trainable_variables, non_trainable_variables, *args, training=False,
                       rng=None, return_losses=False, **kwargs):
        """`(outputs, non_trainable_variables)` from value lists ordered as the weight lists
        (`(outputs, non_trainable_variables, losses)` with `return_losses=True`). Inside a
        training step run by fit, `training=True` draws its random key from the step's key."""
        if not self.built:
            raise ValueError(errors.unbuilt_message(self, "stateless_call"))
        paths = self._variable_paths()
        tree = {"params": {}, "state": {}}
        for group, values in ((self.trainable_weights, trainable_variables),
                              (self.non_trainable_weights, non_trainable_variables)):
            values = list(values)
            if len(values) != len(group):
                raise ValueError(f"stateless_call on '{self.name}' expected {len(group)} values, "
                                 f"received {len(values)}.")
            for var, value in zip(group, values):
                _set_path(tree, paths[id(var)], value)
        if rng is None and training:
            rng = core_random.next_step_key()
        with layer_losses.collecting() as bag:
            out, new_state = self.apply(tree, *args, training=training, rng=rng, **kwargs)
        flat_state = [_get_path({"state": new_state, "params": tree["params"]}, paths[id(v)])
                      for v in self.non_trainable_weights]
        if return_losses:
            return out, flat_state, self.pure_losses(bag, tree["params"])
        return out, flat_state

    # ---- configs (jkeras/models/model_config.py) and the .keras format (saving/archive.py) ---
    def get_config(self):
        """Keras's base config; for a subclass without its own `get_config()`, also its
        constructor arguments when they are plain values (Keras's automatic config)."""
        return model_config.subclassed_get_config(self, self.__dict__.get("_auto_config"),
                                                  model=Model)

    @classmethod
    def from_config(cls, config, custom_objects=None):
        """As Keras: a functional config revives a functional model (when `cls` takes
        Functional's constructor arguments); otherwise `cls(**config)`."""
        from jkeras.models.functional import Functional
        return model_config.model_from_config(cls, config, custom_objects, model=Model,
                                              functional=Functional)

    def to_json(self, **kwargs):
        """The model's serialized config as a JSON string (`models.model_from_json` reads it)."""
        return json.dumps(serialize_keras_object(self), **kwargs)

    @filter_traceback
    def save(self, filepath, overwrite=True, zipped=None, **kwargs):
        """Save as a Keras 3 `.keras` zip (config.json, model.weights.h5, metadata.json)."""
        from jkeras.saving import archive
        archive.save_model(self, filepath, overwrite=overwrite, zipped=zipped, **kwargs)

    # ---- Keras 3 `.weights.h5` files (jkeras/saving/weights_h5.py) ----------------------------
    @filter_traceback
    def save_weights(self, filepath, overwrite=True):
        """Save all weights (and the optimizer's variables) to a Keras 3 `.weights.h5` file,
        atomically. tf.keras loads it into the same architecture."""
        from jkeras.saving import weights_h5
        weights_h5.save_weights(self, filepath, overwrite=overwrite)

    @filter_traceback
    def load_weights(self, filepath, skip_mismatch=False, **kwargs):
        """Load a `.weights.h5` file (from jkeras or tf.keras) into this built model; a legacy
        `.h5`/`.hdf5` file loads by layer order, or by layer name with `by_name=True`."""
        from jkeras.saving import legacy_h5, orbax_io, weights_h5
        by_name = kwargs.pop("by_name", None)
        if kwargs:
            raise ValueError(f"Invalid keyword arguments: {kwargs}")
        path = str(filepath)
        if orbax_io.is_orbax_checkpoint(path):  # an OrbaxCheckpoint directory (or a step's)
            return orbax_io.load_weights(self, path)
        if legacy_h5.is_legacy_path(path):
            return legacy_h5.load_weights(self, filepath, skip_mismatch=skip_mismatch,
                                          by_name=bool(by_name))
        if by_name is not None:
            raise ValueError("`by_name` only supports loading legacy '.h5' or '.hdf5' files. "
                             f"Received: {filepath}")
        if not path.endswith(weights_h5.SUFFIX):
            raise ValueError(f"File format not supported: filepath={path}. jkeras loads "
                             "weights from Keras 3 `.weights.h5` files.")
        weights_h5.load_weights(self, filepath, skip_mismatch=skip_mismatch)

    @filter_traceback
    def quantize(self, mode=None, config=None, filters=None, **kwargs):
        """Quantize the weights of every Dense, EinsumDense and Embedding layer in place
        (`mode="int8"`, or a `jkeras.quantizers` config; `filters` selects layers by name regex
        or a callable), as Keras's `Model.quantize`."""
        quantize_model(self, mode, config, filters, **kwargs)
        engine = self.__dict__.get("_engine")
        if engine is not None and engine.opt_state is not None:  # trained before: Keras keeps
            engine.opt_state = keep_optimizer_slots(  # the slots of the weights that stay
                engine.opt_state, self.get_variables()["params"])

    def get_state_tree(self, value_format="backend_tensor"):
        """Keras's state tree: trainable, non-trainable, optimizer and metric variables as
        nested dicts by their Keras paths (jkeras/saving/state_tree.py);
        `value_format="numpy_array"` gives NumPy copies."""
        from jkeras.saving import orbax_io
        return orbax_io.get_state_tree(self, value_format)

    def set_state_tree(self, state_tree):
        """Assign a state tree (from `get_state_tree`, Keras's, or an Orbax checkpoint) to the
        model, its optimizer and its metrics, by Keras path."""
        from jkeras.saving import orbax_io
        orbax_io.set_state_tree(self, state_tree)

    def summary(self, line_length=None, positions=None, print_fn=None, expand_nested=False,
                show_trainable=False):
        from jkeras.models.summary import print_summary
        print_summary(self, line_length=line_length, print_fn=print_fn)


_FUNCTIONAL_SUBCLASSES = {}


def _functional_arguments(args, kwargs):
    """Keras's `functional_init_arguments`: `Model(inputs, outputs)` and its keyword forms."""
    return (len(args) == 2 or (len(args) == 1 and "outputs" in kwargs)
            or ("inputs" in kwargs and "outputs" in kwargs))


def _own_attributes(cls):
    """Names defined by `cls` or a user base class between it and Model."""
    names = set()
    for klass in cls.__mro__:
        if klass is Model:
            break
        names.update(klass.__dict__)
    return names


def _functional_subclass(cls, functional):
    if cls not in _FUNCTIONAL_SUBCLASSES:
        _FUNCTIONAL_SUBCLASSES[cls] = type(cls.__name__, (cls, functional),
                                           {"__module__": cls.__module__,
                                            "__qualname__": cls.__qualname__})
    return _FUNCTIONAL_SUBCLASSES[cls]


def _set_path(tree, path, value):
    node = tree
    for key in path[:-1]:
        node = node.setdefault(key, {})
    node[path[-1]] = value


def _get_path(tree, path):
    node = tree
    for key in path:
        node = node[key]
    return node
