"""How often the host must see batches, decided from the callbacks and the arguments alone.

Keras 3 calls the batch hooks after every `steps_per_execution` steps (1 by default). jkeras
keeps that contract for every callback that listens to batches: such a callback gets its hooks
after every batch (or every K with an integer `steps_per_execution=K`). Only jkeras's own
passive listeners let the engine run longer chunks: the progress bar is updated about
`PROGRESS_UPDATES` times per epoch, and nobody listening means one chunk per epoch. The chunk
length never depends on measured time, so the number of hook calls is the same on every machine.
A built-in callback says what it needs through `_jk_batch_listening(kind, in_fit)`.
"""
import math

EVERY = "every"  # the hooks after every batch (Keras's steps_per_execution=1)
PROGRESS = "progress"  # a progress display: a fixed number of updates per epoch
PROGRESS_UPDATES = 20
HOST_CHUNK = 64  # batches stacked per transfer from a host pipeline when nobody listens

_HOOKS = {
    "train": ("on_train_batch_begin", "on_train_batch_end", "on_batch_begin", "on_batch_end"),
    "test": ("on_test_batch_begin", "on_test_batch_end"),
    "predict": ("on_predict_batch_begin", "on_predict_batch_end"),
}


def is_overridden(callback, hook, base):
    """Whether `callback` replaces `base.<hook>`, in its class or on the instance (Keras's
    LambdaCallback keeps its hooks as instance attributes)."""
    if hook in vars(callback):
        return True
    return getattr(type(callback), hook, None) is not getattr(base, hook, None)


def level(callbacks, kind, base, in_fit=False):
    """EVERY, PROGRESS or None for batches of `kind` ("train", "test", "predict")."""
    found = None
    for cb in callbacks:
        own = getattr(cb, "_jk_batch_listening", None)
        if own is not None:
            lv = own(kind, in_fit)
        else:
            lv = EVERY if any(is_overridden(cb, h, base) for h in _HOOKS[kind]) else None
        if lv == EVERY:
            return EVERY
        found = found or lv
    return found


def chunk_length(listen, remaining, total, fixed_k=None, cap=None):
    """Steps to run before the next batch hooks."""
    if fixed_k is not None:
        k = fixed_k
    elif listen == EVERY:
        k = 1
    elif listen == PROGRESS:
        k = math.ceil(total / PROGRESS_UPDATES) if total else 16
    else:
        k = remaining if cap is None else cap
    if cap is not None and fixed_k is None:
        k = min(k, cap)
    return max(1, min(k, remaining)) if remaining else max(1, k)
