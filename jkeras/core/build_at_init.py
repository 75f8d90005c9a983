"""Keras 3's `_build_at_init`: a layer without state is `built` as soon as it is constructed.

Keras's stateless layers (activations, dropout and noise, pooling, `Identity`, `Masking`, ...)
call `self._build_at_init()` at the end of `__init__`. jkeras keeps its lazy pure pair: `init`
and `apply` still run the layer's shape checks in `build` on the first input, but the facade
reports `built=True` at once, and (as in Keras, whose `build` then never runs) the build config
stays None.
"""


class BuildAtInitMixin:
    _builds_at_init = False  # a stateless layer class sets True (Keras calls `_build_at_init`)

    def _build_at_init_if_stateless(self):
        if type(self)._builds_at_init:
            self._build_at_init()

    def _build_at_init(self):
        """Mark the layer built unless a class outside jkeras (a user's subclass) defines
        `build`: then, as Keras's `utils.is_default(self.build)` rule, it waits for its build."""
        for cls in type(self).__mro__:
            if "build" in cls.__dict__ and not cls.__module__.startswith("jkeras."):
                return
        self.built = True
        self.__dict__["_built_at_init"] = True

    def _build_config_at_init(self):
        """True when the build config is None for good (built at construction, as Keras)."""
        return bool(self.__dict__.get("_built_at_init"))
