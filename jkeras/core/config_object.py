"""`ConfigObject`: the base of Keras's plain configurable objects (losses, metrics,
initializers, regularizers, constraints, schedules, seed generators)."""


class ConfigObject:
    """`cls.from_config(obj.get_config())` rebuilds the object: the config holds exactly the
    constructor's arguments. Subclasses whose config holds more override `from_config`."""

    @classmethod
    def from_config(cls, config):
        return cls(**config)
