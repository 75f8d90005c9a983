"""The Layer base: the pure protocol (`init` / `apply`) and the Keras facade over held weights.

Layer authors write Keras-style `build(input_shape)` (declaring weights with `add_weight`) and
`call(inputs, training=...)`. Inside `call`, `self.kernel` is the array bound for this call, so the
same code serves pure `apply`, `jit`, `grad` and eager use.
"""
import inspect
import threading

import jax
import jax.numpy as jnp
import numpy as np

from jkeras import initializers
from jkeras.core import (bound_variable, errors, frame as frames, layer_config, masking, naming,
                         random, remat, shapes, weight_options)
from jkeras.core.auto_config import auto_config
from jkeras.core.build_at_init import BuildAtInitMixin
from jkeras.core.input_spec import check_input_spec
from jkeras.core.name_scope import current_path, name_scope
from jkeras.core.layer_dtype import LayerDTypeMixin
from jkeras.core.layer_losses import LossesMixin, collecting
from jkeras.core.traceback_utils import filter_traceback
from jkeras.core.variable import Variable

_spec_mode = threading.local()


def _in_spec_mode():
    return getattr(_spec_mode, "on", False)


class Layer(LossesMixin, LayerDTypeMixin, BuildAtInitMixin):
    def __new__(cls, *args, **kwargs):
        instance = object.__new__(cls)
        if cls.get_config is Layer.get_config and cls.__init__ is not Layer.__init__:
            # Keras's automatic config: plain constructor arguments of a custom layer
            instance.__dict__["_layer_auto_config"] = auto_config(cls, args, kwargs)
        return instance

    def __init__(self, *, name=None, trainable=True, dtype=None, input_shape=None, input_dim=None,
                 batch_input_shape=None, batch_size=None, **kwargs):
        kwargs = weight_options.take_arguments(self, kwargs, name)
        autocast = kwargs.pop("autocast", True)
        if kwargs:
            raise TypeError(
                f"Unrecognized keyword arguments passed to {type(self).__name__}: {kwargs}")
        if name is not None and not isinstance(name, str):
            raise TypeError(f"Layer name must be a string. Received: name={name!r}")
        self.__dict__["_weight_attrs"] = {}
        self.__dict__["_tracked"] = []
        self.__dict__["_remat_mode"] = remat.get_current_remat_mode()  # Keras: at construction
        self._own_weights = []
        self.name = name or naming.unique_name(naming.to_snake_case(type(self).__name__))
        self.trainable = bool(trainable)
        self._set_dtype_policy(dtype, autocast)
        self.built = False
        self._build_at_init_if_stateless()
        self._specs_built = False
        self.input_spec = None
        self._output_shape = None
        self._inbound_nodes = []
        self._batch_input_shape = shapes.batch_input_shape(
            input_shape, input_dim, batch_input_shape, batch_size, self)

    # ---- weights as attributes -------------------------------------------------------------
    def __setattr__(self, name, value):
        if isinstance(value, Variable):
            if hasattr(value, "_adopt"):  # a `keras.Variable` becomes one of this layer's weights
                self._track_variable(value)
            self.__dict__["_weight_attrs"][name] = value
            self.__dict__.pop(name, None)
            return
        tracked = self.__dict__.get("_tracked")
        if tracked is not None and name != "_inbound_nodes":
            known = {id(layer) for layer in tracked}
            tracked.extend(layer for layer in _layers_in(value) if id(layer) not in known)
        object.__setattr__(self, name, value)

    def __getattr__(self, name):
        attrs = self.__dict__.get("_weight_attrs")
        if attrs is not None and name in attrs:
            var = attrs[name]
            bound = frames.frame_of(self)
            if bound is None:
                return var
            value = bound_variable.attribute_in_call(self, var, bound)
            if isinstance(value, bound_variable.BoundVariable):
                return value  # a handle for `assign` inside call
            return self._autocast_variable(var, value)
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def add_weight(self, shape=None, initializer=None, dtype=None, trainable=True, name=None,
                   regularizer=None, constraint=None, autocast=True):
        """Declare a weight (Keras's signature). Outside `init` it also gets a value at once."""
        dtype = jnp.dtype(dtype or self.dtype)
        if initializer is None:
            initializer = "glorot_uniform" if jnp.issubdtype(dtype, jnp.floating) else "zeros"
        if name is None:
            taken, n = {w.name for w in self._own_weights}, len(self._own_weights)
            name = "variable" if not self._own_weights else f"variable_{n}"
            while name in taken:
                n += 1
                name = f"variable_{n}"
        if any(w.name == name for w in self._own_weights):
            raise ValueError(f"Layer '{self.name}' already has a weight named '{name}'.")
        var = Variable(self, name, () if shape is None else shape, dtype,
                       initializers.get(initializer), trainable)
        weight_options.attach(self, var, regularizer, constraint)
        with name_scope(self.name, caller=self):
            scoped = current_path()
        if scoped != self.name:  # made inside a user's `name_scope`: Keras's path
            var._path = f"{scoped}/{name}"
        var.autocast = bool(autocast)
        if not _in_spec_mode():
            var.assign(var.initializer(var.shape, var.dtype, key=random.next_key()))
        self._own_weights.append(var)
        return var

    def _track_variable(self, var):
        if not any(w is var for w in self._own_weights):
            var._adopt(self, {w.name for w in self._own_weights})
            self._own_weights.append(var)

    def assign_state(self, name, value):
        """Give a non-trainable weight (attribute or weight name) a new value from inside `call`;
        `apply` returns it in the new state (Keras writes `self.moving_mean.assign(...)`)."""
        var = self._weight_attrs.get(name) or next(
            (w for w in self._own_weights if w.name == name), None)
        if var is None or var.trainable:
            raise ValueError(f"Layer '{self.name}' has no non-trainable weight named '{name}'.")
        bound = frames.frame_of(self)
        if bound is None:
            var.assign(value)
        else:
            bound.assign_state(var.name, self._state_value(var, value))

    def call_rng(self):
        """The random key of this call (training-mode randomness such as dropout)."""
        bound = frames.frame_of(self)
        if bound is None or bound.rng is None:
            raise ValueError(
                f"Layer '{self.name}' needs a random key in training mode: pass "
                "`rng=jax.random.PRNGKey(...)` to `apply` (fit and eager calls do this for you).")
        return bound.rng

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "build" in cls.__dict__ and not getattr(cls, "_facade_build", False):
            cls.build = _wrap_build(cls.__dict__["build"])
        params = inspect.signature(cls.call).parameters
        cls._accepts_training = "training" in params
        cls._accepts_mask = "mask" in params

    def build(self, input_shape):
        """Declare weights for `input_shape`. Weightless layers need not override it."""

    supports_masking = False

    def compute_mask(self, inputs, previous_mask):
        """The mask of this layer's output (Keras semantics: pass it on when supported)."""
        return previous_mask if self.supports_masking else None

    def call(self, *args, **kwargs):
        raise TypeError(f"Layer '{self.name}' ({type(self).__name__}) does not define `call()`.")

    # ---- the pure protocol -----------------------------------------------------------------
    def init(self, key, /, *inputs, **kwargs):
        """`init(key, *inputs_or_shapes) -> {"params": ..., "state": ...}`. Pure: no held weight changes."""
        key = random.as_key(key)
        args = shapes.examples(inputs)
        self._build_specs(args)
        own_key, child_key = jax.random.split(key)
        params, state = {}, {}
        for i, var in enumerate(self._own_weights):
            value = var.initializer(var.shape, var.dtype, key=jax.random.fold_in(own_key, i))
            (params if var.trainable else state)[var.name] = value
        if self._init_runs_call():
            with frames.Frame(self, params, state, False, None, init_key=child_key) as frame:
                self._run_call(args, dict(kwargs), False)
            params, state = frame.params, frame.state
        return {"params": params, "state": state}

    def apply(self, variables, /, *inputs, training=False, rng=None, **kwargs):
        """`apply(variables, *inputs, training, rng) -> (outputs, new_state)`. Pure and jittable."""
        if not isinstance(training, (bool, np.bool_)) and training is not None:
            raise TypeError(f"`training` must be a Python bool (static). Received: {training!r}")
        self._build_specs(inputs)
        check_input_spec(self, inputs)
        if self.__dict__.get("_remat_mode"):
            return self._rematerialized_apply(variables, inputs, bool(training), rng, kwargs)
        return self._apply_now(variables, inputs, bool(training), rng, kwargs)

    def _apply_now(self, variables, inputs, training, rng, kwargs):
        with frames.Frame(self, variables.get("params", {}), variables.get("state", {}),
                          training, rng) as frame:
            out = bound_variable.outputs_of(self._run_call(inputs, dict(kwargs), training))
        self._add_activity_penalty(out)
        return out, frame.state

    def _rematerialized_apply(self, variables, inputs, training, rng, kwargs):
        """`apply` as a pure function under `jax.checkpoint` (a layer made in a RematScope);
        the losses it adds come out as outputs and are recorded outside."""
        adders = []

        def pure(variables, inputs, rng):
            with collecting() as bag:
                out, state = self._apply_now(variables, inputs, training, rng, kwargs)
            adders[:] = [layer for layer, _ in bag]
            return out, state, [value for _, value in bag]
        out, state, losses = remat.wrap_apply(self, pure)(variables, inputs, rng)
        for layer, value in zip(adders, losses):
            layer._record_losses([value])
        return out, state

    def _run_call(self, args, kwargs, training):
        args, kwargs = self._autocast_inputs(args, kwargs)
        if self._accepts_training:
            kwargs.setdefault("training", training)
        activation = self.__dict__.get("activation")
        if remat.remats_activation(self):  # RematScope(mode="activations")
            self.__dict__["activation"] = remat.remat(activation)
        try:
            return self.call(*args, **kwargs)
        except jax.errors.ConcretizationTypeError as e:
            raise errors.traced_control_flow(self, e) from None
        finally:
            if remat.remats_activation(self):
                self.__dict__["activation"] = activation

    def _declare_weights(self, input_shape):
        """Run `build` while `add_weight` only records specs (`init` gives the values)."""
        self.build(input_shape)

    def _init_runs_call(self):
        return bool(self._child_layers())

    def _build_specs(self, args):
        if self._specs_built:
            return
        _spec_mode.on, previous = True, _in_spec_mode()
        try:
            shape = shapes.shape_structure(args[0]) if args else None
            self._build_input_shape = shape  # for get_build_config
            self._declare_weights(shape)
        finally:
            _spec_mode.on = previous
        self._specs_built = True

    # ---- calling -----------------------------------------------------------------------------
    @filter_traceback
    def __call__(self, *args, **kwargs):
        if "_own_weights" not in self.__dict__:
            raise RuntimeError(
                f"'{type(self).__name__}' was not initialised: call `super().__init__()` first "
                "in its `__init__`.")
        from jkeras.core import symbolic
        if symbolic.any_symbolic((args, kwargs)):
            return symbolic.symbolic_call(self, args, kwargs)
        kwargs, first, previous_mask = masking.fill_mask_arguments(self, args, kwargs)
        frame = frames.current_frame()
        if frame is not None:
            out = frame.call_child(self, args, dict(kwargs))
        else:
            out = self._eager_call(args, kwargs)
        masking.attach_output_masks(self, first, out, previous_mask)
        return out

    def _eager_call(self, args, kwargs):
        training = bool(kwargs.pop("training", False) or False)
        args = jax.tree_util.tree_map(shapes.to_array, args)
        self._ensure_built(args, kwargs)
        rng = random.next_key() if training else None
        with bound_variable.returning_handles(self) as handles, self._eager_losses():
            out, new_state = self.apply(self.get_variables(), *args, training=training, rng=rng,
                                        **kwargs)
        if new_state:  # kept in inference mode too, as Keras keeps what `call` assigns
            self._assign_tree({"params": {}, "state": new_state}, only_unbuilt=False, state_only=True)
        self._record_output(out)
        return handles.restore(out)

    def _ensure_built(self, args, kwargs=None):
        if not self.built:
            variables = self.init(random.next_key(), *args, **(kwargs or {}))
            self._assign_tree(variables, only_unbuilt=True)

    def _record_output(self, out):
        leaf = jax.tree_util.tree_leaves(out)
        if leaf and hasattr(leaf[0], "shape"):
            self._output_shape = tuple(leaf[0].shape)

    # ---- children ------------------------------------------------------------------------------
    def _child_layers(self):
        """Sub-layers in Keras's tracking order: as first assigned (lists and dicts included),
        then layers appended to tracked containers later. Reassigned-away layers drop out."""
        current = [layer for attr, value in self.__dict__.items()
                   if attr not in ("_inbound_nodes", "_tracked") for layer in _layers_in(value)]
        live = {id(layer) for layer in current}
        found, seen = [], {id(self)}
        for layer in self.__dict__["_tracked"] + current:
            if id(layer) in live and id(layer) not in seen:
                seen.add(id(layer))
                found.append(layer)
        return found

    def _child_index(self):
        index, names = {}, {}
        for position, child in enumerate(self._child_layers()):
            if child.name in names:
                raise ValueError(
                    f"The name '{child.name}' is used 2 times in '{self.name}'. "
                    "All layer names should be unique.")
            names[child.name] = child
            index[id(child)] = (child.name, position)
        return index

    # ---- held variables (the facade) -------------------------------------------------------------
    def get_variables(self):
        """The current weights as the pure core's pytree: {"params": ..., "state": ...}."""
        if not self.built:
            raise ValueError(errors.unbuilt_message(self, "get_variables"))
        params, state = {}, {}
        for var in self._own_weights:
            (params if var.trainable else state)[var.name] = var.value
        for child in self._child_layers():
            sub = child.get_variables()
            if sub["params"]:
                params[child.name] = sub["params"]
            if sub["state"]:
                state[child.name] = sub["state"]
        return {"params": params, "state": state}

    def set_variables(self, variables):
        """Write a pytree from `init` / training back into the layers (shapes are checked)."""
        self._assign_tree(variables, only_unbuilt=False)

    def _assign_tree(self, variables, only_unbuilt, state_only=False):
        params, state = variables.get("params", {}), variables.get("state", {})
        if not (only_unbuilt and self.built):
            for var in self._own_weights:
                if state_only and var.trainable:
                    continue
                if only_unbuilt and var._value is not None:
                    continue  # made with its value in `__init__`: kept, as Keras
                source = params if var.trainable else state
                if var.name not in source:
                    raise ValueError(f"No value for weight '{var.path}' in the given variables.")
                var.assign(source[var.name])
        for child in self._child_layers():
            child._assign_tree({"params": params.get(child.name, {}),
                                "state": state.get(child.name, {})}, only_unbuilt, state_only)
        if not state_only:
            self.built = True

    # ---- Keras weights API ---------------------------------------------------------------------
    def _listed_own_weights(self):
        """Own weights for the weight lists: all once built; before, as Keras, those made
        with a value in `__init__` (`add_weight` or `keras.Variable`)."""
        if self.built:
            return self._own_weights
        return [w for w in self._own_weights if w._value is not None]

    @property
    def weights(self):
        out, seen = [], set()
        listed = self._listed_own_weights()
        own = [w for w in listed if w.trainable] + [w for w in listed if not w.trainable]
        for w in own + [w for c in self._child_layers() for w in c.weights]:
            if id(w) not in seen:
                seen.add(id(w))
                out.append(w)
        return out

    @property
    def trainable(self):
        return self.__dict__.get("_trainable", True)

    @trainable.setter
    def trainable(self, value):
        # As Keras: the setting reaches every sub-layer (a frozen base model's
        # BatchNormalization then runs in inference mode, as in transfer learning).
        self.__dict__["_trainable"] = bool(value)
        for child in self._child_layers() if "_tracked" in self.__dict__ else ():
            child.trainable = value

    @property
    def trainable_weights(self):
        if not self.trainable:
            return []
        own = [w for w in self._listed_own_weights() if w.trainable]
        return _dedupe(own + [w for c in self._child_layers() for w in c.trainable_weights])

    @property
    def non_trainable_weights(self):
        if not self.trainable:
            return self.weights
        own = [w for w in self._listed_own_weights() if not w.trainable]
        return _dedupe(own + [w for c in self._child_layers() for w in c.non_trainable_weights])

    variables = weights
    trainable_variables = trainable_weights
    non_trainable_variables = non_trainable_weights

    def get_weights(self):
        return [np.asarray(w.value) for w in self.weights]

    def set_weights(self, weights):
        own = self.weights
        weights = list(weights)
        if len(weights) != len(own):
            raise ValueError(
                f"You called `set_weights(weights)` on layer '{self.name}' with a weight list of "
                f"length {len(weights)}, but the layer was expecting {len(own)} weights.")
        arrays = []
        for var, value in zip(own, weights):
            value = np.asarray(value)
            if tuple(value.shape) != var.shape:
                raise ValueError(
                    f"Layer '{self.name}' weight shape {var.shape} is not compatible with provided "
                    f"weight shape {tuple(value.shape)} (weight '{var.path}').")
            arrays.append(value)
        for var, value in zip(own, arrays):
            var.assign(value)

    def count_params(self):
        if not self.built:
            raise ValueError(errors.unbuilt_message(self, "count_params"))
        return int(sum(int(np.prod(w.shape)) for w in self.weights))

    @property
    def output_shape(self):
        return self._output_shape

    @property
    def output(self):
        """The symbolic output of the layer's one call in a functional graph (Keras's
        `layer.output`, for feature extraction: `Model(inputs, [l.output for l in layers])`)."""
        if "output" in self.__dict__:  # an InputLayer's own tensor
            return self.__dict__["output"]
        nodes = self.__dict__.get("_inbound_nodes") or []
        if not nodes:  # with several calls, Keras gives the first call's output
            raise AttributeError(f"The layer {self.name} has never been called and thus has "
                                 "no defined output.")
        return nodes[0].outputs

    @output.setter
    def output(self, value):
        self.__dict__["output"] = value

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name}, built={self.built}>"

    # ---- config (Keras 3's format; the work is in jkeras.core.layer_config) --------------------
    def get_config(self):
        """Keras's base layer config: name, trainable and the dtype policy (plus the plain
        constructor arguments of a custom layer that does not define `get_config`)."""
        return layer_config.base_layer_config(self)

    @classmethod
    def from_config(cls, config):
        """A new layer from `get_config()` output (ours or tf.keras's)."""
        return layer_config.layer_from_config(cls, config)

    def get_build_config(self):
        """{"input_shape": ...} the layer was built for (None while unbuilt), as Keras."""
        if self._build_config_at_init():
            return None
        return layer_config.build_config_of(self)

    def build_from_config(self, config):
        """Create the weights for a build config, so saved values can then be loaded."""
        layer_config.build_layer_from_config(self, config)


def _layers_in(value):
    """Layers held by an attribute value, directly or inside lists, tuples and dicts."""
    if isinstance(value, Layer):
        return [value]
    if isinstance(value, (list, tuple)):
        return [layer for item in value for layer in _layers_in(item)]
    if isinstance(value, dict):
        return [layer for item in value.values() for layer in _layers_in(item)]
    return []


def _dedupe(ws):
    seen, out = set(), []
    for w in ws:
        if id(w) not in seen:
            seen.add(id(w))
            out.append(w)
    return out


def _wrap_build(build):
    @filter_traceback
    def wrapped(self, *args, **kwargs):
        # Extra build arguments pass through (Keras's guide builds with a `layer_init`).
        input_shape = args[0] if args else kwargs.get("input_shape")
        if self._specs_built:
            return
        with name_scope(self.name, caller=self):
            build(self, *args, **kwargs)
        self._specs_built = True
        if getattr(self, "_build_input_shape", None) is None and input_shape is not None:
            self._build_input_shape = input_shape  # for get_build_config and summary()
        if not _in_spec_mode():
            self.built = all(w._value is not None for w in self._own_weights)
    wrapped.__wrapped__ = build
    wrapped.__doc__ = build.__doc__
    return wrapped
