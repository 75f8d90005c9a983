"""scikit-learn estimators around compiled models (Keras 3's `keras.wrappers`).

scikit-learn is an optional dependency (`pip install jkeras[sklearn]`): it is imported when one of
the wrappers is first used, not by `import jkeras`.
"""
import importlib

__all__ = ["SKLearnClassifier", "SKLearnRegressor", "SKLearnTransformer"]


def __getattr__(name):
    if name in __all__:
        return getattr(importlib.import_module("jkeras.wrappers.sklearn_wrapper"), name)
    raise AttributeError(f"module 'jkeras.wrappers' has no attribute '{name}'")


def __dir__():
    return sorted(list(globals()) + __all__)
