"""Keras 3's dtype policies (`keras.dtype_policies`) and the global policy.

A policy names a layer's compute dtype and variable dtype: `"mixed_bfloat16"` computes in bfloat16
with float32 variables, `"mixed_float16"` in float16; any other dtype name uses that dtype for
both. Layers read them through `jkeras.core.layer_dtype`; this module holds only the objects.
`QuantizedDTypePolicy("int8", "float32")` (name `"int8_from_float32"`) is the policy of a layer
quantized by `layer.quantize("int8")` (`Int4DTypePolicy("int4/128", ...)` for int4): it computes
like its source policy and tells the layer to build quantized variables. Modes jkeras does not
implement (float8, gptq, awq) raise a clear error.
"""

from jkeras.core import config
from jkeras.core.path_map import PathMap

QUANTIZATION_MODES = ("int8", "float8", "int4", "gptq", "awq")
SUPPORTED_QUANTIZATION_MODES = ("int8", "int4")
_MIXED = {"mixed_float16": ("float16", "float32"), "mixed_bfloat16": ("bfloat16", "float32")}
_global = {"policy": None}


class DTypePolicy:
    """A layer's compute and variable dtypes (Keras's `DTypePolicy`).

    `name`: a dtype name (`"float32"`, `"bfloat16"`, ...) used for both, or `"mixed_float16"` /
    `"mixed_bfloat16"` (compute in float16 / bfloat16, variables in float32). `None` takes the
    global policy's name (`jkeras.config.dtype_policy()`).
    """

    def __init__(self, name=None):
        if name is None:
            name = dtype_policy().name
        self._name = name
        self._compute_dtype, self._variable_dtype = self._parse_name(name)
        self._quantization_mode = None

    def _parse_name(self, name):
        if not isinstance(name, str):
            raise TypeError("'name' must be a string, such as 'mixed_float16'. "
                            f"Received: name={name} (of type {type(name)})")
        if name in _MIXED:
            return _MIXED[name]
        try:
            dtype = config.standardize_dtype(name)
        except ValueError:
            raise ValueError(
                f"Cannot convert '{name}' to a mixed precision DTypePolicy. Valid policies "
                "include 'mixed_float16', 'mixed_bfloat16', and the name of any float dtype "
                "such as 'float32'.") from None
        return dtype, dtype

    @property
    def variable_dtype(self):
        """The dtype layers create their variables in."""
        return self._variable_dtype

    @property
    def compute_dtype(self):
        """The dtype layers compute in (inputs and variables are cast to it in `call`)."""
        return self._compute_dtype

    @property
    def name(self):
        return self._name

    @property
    def quantization_mode(self):
        """Always `None`: jkeras has no quantized policies."""
        return self._quantization_mode

    def get_config(self):
        return {"name": self.name}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        class_name = type(self).__name__
        if class_name == "FloatDTypePolicy":
            class_name = "DTypePolicy"
        return f'<{class_name} "{self._name}">'

    def __eq__(self, other):
        if type(self) in (DTypePolicy, FloatDTypePolicy):
            if type(other) not in (DTypePolicy, FloatDTypePolicy):
                return False
        elif type(other) is not type(self):
            return False
        return self._name == other._name

    __hash__ = object.__hash__


class FloatDTypePolicy(DTypePolicy):
    """An alias of `DTypePolicy` (Keras keeps the name for old configs)."""


class QuantizedDTypePolicy(DTypePolicy):
    """The policy of a quantized layer: `mode` ("int8") over the float policy `source_name`
    (None: the global policy's name), named `"<mode>_from_<source_name>"`."""

    def __init__(self, mode, source_name=None):
        if source_name is None:
            source_name = dtype_policy().name
        self._compute_dtype, self._variable_dtype = self._parse_name(source_name)
        self._check_quantization_mode(mode, self._compute_dtype)
        self._name = f"{mode}_from_{source_name}"
        self._source_name = source_name
        self._quantization_mode = mode

    def __eq__(self, other):
        if super().__eq__(other) is False:
            return False
        return (self._quantization_mode == other._quantization_mode
                and self._source_name == other._source_name)

    __hash__ = object.__hash__

    def get_config(self):
        return {"mode": self._quantization_mode, "source_name": self._source_name}

    def _check_quantization_mode(self, mode, compute_dtype):
        if mode not in QUANTIZATION_MODES:
            raise ValueError("Invalid quantization mode. "
                             f"Expected one of {QUANTIZATION_MODES}. Received: mode={mode}")
        if compute_dtype == "float16" and mode == "int8":
            raise ValueError(f"Quantization mode='{mode}' doesn't work well with "
                             "compute_dtype='float16'.")
        if mode not in SUPPORTED_QUANTIZATION_MODES:
            raise ValueError(_quantized_message(f"{mode}_from_..."))


class Int4DTypePolicy(QuantizedDTypePolicy):
    """int4 with its block size: `mode` "int4/<block_size>" (-1: per output channel; a positive
    size: groups of that many input rows), named "int4/<block_size>_from_<source_name>"."""

    def __init__(self, mode, source_name=None):
        parts = mode.split("/")
        expected_format = "'int4/<block_size>'"
        if len(parts) != 2 or parts[0] != "int4":
            raise ValueError("Invalid mode for Int4DTypePolicy. Expected format "
                             f"{expected_format}, but got '{mode}'.")
        try:
            block_size = int(parts[1])
        except ValueError:
            raise ValueError("Invalid mode for Int4DTypePolicy. <block_size> must be an integer. "
                             f"Expected format {expected_format}, but got '{mode}'.") from None
        if block_size < -1 or block_size == 0:
            raise ValueError("Invalid block_size in mode. Supported values are -1 (per-channel) "
                             "or a positive integer (sub-channel), "
                             f"but got {block_size} from '{mode}'.")
        super().__init__(mode=parts[0], source_name=source_name)
        self._name = f"{mode}_from_{self._source_name}"
        self.mode = parts[0]
        self.block_size = block_size

    def __eq__(self, other):
        if super().__eq__(other) is False:
            return False
        return self.block_size == other.block_size

    __hash__ = object.__hash__

    def get_config(self):
        return {**super().get_config(), "mode": f"{self.mode}/{self.block_size}"}


class DTypePolicyMap(DTypePolicy, PathMap):
    """Layer paths (or regular expressions over them) -> `DTypePolicy`, with a default policy.

    A layer given a map as `dtype` uses the entry for its path (its name at the top level), else
    `default_policy` (the global policy when None).
    """

    def __init__(self, default_policy=None, policy_map=None):
        if isinstance(default_policy, DTypePolicyMap):
            raise ValueError("`default_policy` cannot be a `DTypePolicyMap`.")
        if policy_map is not None and not isinstance(policy_map, dict):
            raise TypeError("If specified, `policy_map` must be a dict. "
                            f"Received: policy_map={policy_map} of type {type(policy_map)}")
        self._default_policy_arg = default_policy
        self._default_policy = get(default_policy)
        PathMap.__init__(self)
        for key, policy in (policy_map or {}).items():
            self[key] = policy
        self._quantization_mode = None

    @property
    def name(self):
        return f"map_{self.default_policy.name}"

    @property
    def default_policy(self):
        return get(self._default_policy)

    @property
    def variable_dtype(self):
        return self.default_policy.variable_dtype

    @property
    def compute_dtype(self):
        return self.default_policy.compute_dtype

    @property
    def quantization_mode(self):
        return self.default_policy.quantization_mode

    def _missing(self, path):
        return self.default_policy

    def _many_matches(self, path, keys):
        return (f"Path '{path}' matches multiple dtype policy specification keys: {keys}. "
                "Please make sure each path only matches at most one dtype policy specification "
                "key in the DTypePolicyMap.")

    def _accept(self, key, policy):
        try:
            return get(policy)
        except Exception:
            raise ValueError("Cannot interpret the assigned value by "
                             f"`keras.dtype_policies.get`. Received: {policy} of type "
                             f"{type(policy)}") from None

    def __eq__(self, other):
        return self is other

    __hash__ = object.__hash__

    def get_config(self):
        # Keras writes the entries' names as None when the map has no explicit default.
        anonymous = self._default_policy_arg is None
        entries = {}
        for key, policy in self._entries.items():
            entry = serialize(policy)
            if anonymous:
                entry["config"] = {**entry["config"], "name": None}
            entries[key] = entry
        return {"default_policy": self._default_policy_arg, "policy_map": entries}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        config["policy_map"] = {k: deserialize(v) if isinstance(v, dict) else v
                                for k, v in (config.get("policy_map") or {}).items()}
        return cls(**config)

    def __repr__(self):
        mapping = [(k, v.name) for k, v in self._entries.items()]
        return (f"<DTypePolicyMap at {hex(id(self))} default_policy="
                f"{self._default_policy.name}, mapping={mapping}>")


ALL_OBJECTS_DICT = {"DTypePolicy": DTypePolicy, "FloatDTypePolicy": FloatDTypePolicy,
                    "DTypePolicyMap": DTypePolicyMap, "QuantizedDTypePolicy": QuantizedDTypePolicy,
                    "Int4DTypePolicy": Int4DTypePolicy}


def _quantized_message(name):
    return (f"jkeras supports the quantized dtype policies of modes "
            f"{SUPPORTED_QUANTIZATION_MODES} only (e.g. 'int8_from_float32'). Received: "
            f"{name!r}.")


def quantized_policy_from_name(policy):
    """A quantized policy from its name `"<mode>_from_<source>"` (Keras's parsing)."""
    if not isinstance(policy, str):
        raise TypeError(f"`policy` must be a string. Received: policy={policy}")
    if not policy.startswith(QUANTIZATION_MODES):
        raise ValueError("`policy` is incompatible with the current supported quantization.")
    split_name = policy.split("_from_")
    if len(split_name) != 2:
        raise ValueError("Cannot convert `policy` into a valid pair (`mode`, `source_name`) to "
                         f"instantiate `QuantizedDTypePolicy`. Received: policy={policy}")
    mode, source_name = split_name
    if policy.startswith("int8"):
        return QuantizedDTypePolicy(mode, source_name)
    if policy.startswith("int4"):
        return Int4DTypePolicy(mode, source_name) if "/" in mode else \
            QuantizedDTypePolicy(mode, source_name)
    raise ValueError(_quantized_message(policy))


# ---- the global policy ---------------------------------------------------------------------------
def set_dtype_policy(policy):
    """Set the default dtype policy of layers created from now on (`keras.config.set_dtype_policy`)."""
    if not isinstance(policy, DTypePolicy):
        if not isinstance(policy, str):
            raise ValueError(
                "Invalid `policy` argument. Expected the string name of a policy (such as "
                "'mixed_float16') or a `DTypePolicy` instance. "
                f"Received: policy={policy} (of type {type(policy)})")
        policy = quantized_policy_from_name(policy) if policy.startswith(
            QUANTIZATION_MODES) else DTypePolicy(policy)
    _global["policy"] = policy


def clear_dtype_policy():
    """Forget the global policy (the next read gives `floatx()`'s), as Keras's `clear_session`."""
    _global["policy"] = None


def dtype_policy():
    """The current default dtype policy (a float32 policy unless set; follows `floatx()`)."""
    policy = _global["policy"]
    if policy is None:
        policy = DTypePolicy(config.floatx())
        _global["policy"] = policy
    return policy


# ---- get / serialize / deserialize ---------------------------------------------------------------
def serialize(dtype_policy):
    """A policy as Keras's config dict (`{"module", "class_name", "config", "registered_name"}`)."""
    if not isinstance(dtype_policy, DTypePolicy):
        raise TypeError(f"Expected a `DTypePolicy` instance. Received: {dtype_policy!r}")
    cls = type(dtype_policy)
    module = "keras.dtype_policies" if issubclass(cls, (DTypePolicyMap, QuantizedDTypePolicy)) \
        else "keras"
    return {"module": module, "class_name": cls.__name__, "config": dtype_policy.get_config(),
            "registered_name": None}


def deserialize(config, custom_objects=None):
    """A policy from `serialize` output (also a bare policy name)."""
    if isinstance(config, str):
        return get(config)
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(f"Could not interpret serialized dtype policy: {config!r}")
    name = config["class_name"]
    cls = (custom_objects or {}).get(name) or ALL_OBJECTS_DICT.get(name)
    if cls is None:
        if name.startswith("Quantized") or name in ("GPTQDTypePolicy", "AWQDTypePolicy"):
            raise ValueError(_quantized_message(name))
        raise ValueError(f"Could not locate class '{name}'. Expected one of "
                         f"{sorted(ALL_OBJECTS_DICT)}. Full object config: {config}")
    inner = config.get("config") or {}
    if cls is DTypePolicyMap:
        return cls.from_config(inner, custom_objects)
    return cls.from_config(inner)


def get(identifier):
    """A `DTypePolicy` from None (the global policy), a name, a config dict or a policy."""
    if identifier is None:
        return dtype_policy()
    if isinstance(identifier, DTypePolicy):
        return identifier
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str):
        if identifier.startswith(QUANTIZATION_MODES):
            return quantized_policy_from_name(identifier)
        return DTypePolicy(identifier)
    try:
        return DTypePolicy(config.standardize_dtype(identifier))
    except Exception:
        raise ValueError("Cannot interpret `dtype` argument. Expected a string or an instance "
                         f"of DTypePolicy. Received: dtype={identifier}") from None
