"""Traceback filtering (`keras.config.enable_traceback_filtering` and friends), as Keras's
keras/src/utils/traceback_utils.py does it.

`filter_traceback` wraps the public entry points (`Layer.__call__`, `build`, `compile`, `fit`,
`evaluate`, `predict`, the `*_on_batch` methods, `stateless_call`, saving and loading): an error
raised below one of them reaches the user with jkeras's own frames removed, so the traceback
shows the user's code (their `call`, their loss) and not the library's internals. The exception
itself is the same object: its type, message, notes, `__cause__` and `__context__` are kept.
With filtering disabled the full traceback is kept.

With JAX's own filtering (`JAX_TRACEBACK_FILTERING`, default "auto"): JAX removes its internal
frames below its API boundaries (`jax.jit`, `lax.scan`, ...) and, by mode, adds a note to the
exception or attaches the unfiltered trace as its `__cause__` (an `UnfilteredStackTrace`); with
"off" it keeps its frames. This filter removes only jkeras's frames and keeps what JAX added, so
the two compose in every mode. (Keras re-raises `from None`, which drops JAX's
`UnfilteredStackTrace` in the "remove_frames" mode; jkeras keeps it.)
"""
import functools
import os
import traceback
import types

_JKERAS_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep
_state = {"enabled": True}


def enable_traceback_filtering():
    """Turn on traceback filtering (the default).

    Raw tracebacks involve many internal frames, which can be challenging to read through,
    while not being actionable for end users. With filtering on, errors raised inside jkeras's
    public entry points show your own code's frames and not jkeras's internals.

    See also `keras.config.disable_traceback_filtering()` and
    `keras.config.is_traceback_filtering_enabled()`.
    """
    _state["enabled"] = True


def disable_traceback_filtering():
    """Turn off traceback filtering: errors keep jkeras's internal frames in their tracebacks.

    See also `keras.config.enable_traceback_filtering()` and
    `keras.config.is_traceback_filtering_enabled()`.
    """
    _state["enabled"] = False


def is_traceback_filtering_enabled():
    """`True` if traceback filtering is enabled (the default), `False` otherwise."""
    return _state["enabled"]


def include_frame(filename):
    """Whether a frame of `filename` stays in a filtered traceback (it is not jkeras's)."""
    return not os.path.abspath(filename).startswith(_JKERAS_DIR)


def _process_traceback_frames(tb):
    """A new traceback of `tb`'s frames that are not jkeras's; when none is left, the
    innermost frame alone (as Keras)."""
    filtered = None
    frames = list(traceback.walk_tb(tb))
    for frame, line_no in reversed(frames):
        if include_frame(frame.f_code.co_filename):
            filtered = types.TracebackType(filtered, frame, frame.f_lasti, line_no)
    if filtered is None and frames:
        frame, line_no = frames[-1]
        filtered = types.TracebackType(None, frame, frame.f_lasti, line_no)
    return filtered


def filter_traceback(fn):
    """Remove jkeras's frames from the traceback of exceptions raised by `fn`."""

    @functools.wraps(fn)
    def error_handler(*args, **kwargs):
        if not is_traceback_filtering_enabled():
            return fn(*args, **kwargs)
        filtered = None
        try:
            return fn(*args, **kwargs)
        except Exception as e:
            filtered = _process_traceback_frames(e.__traceback__)
            # The full traceback: `jkeras.config.disable_traceback_filtering()`.
            raise e.with_traceback(filtered)
        finally:
            del filtered

    return error_handler
