"""Interactive logging (`keras.config.enable_interactive_logging` and friends) and `print_msg`.

With interactive logging on (the default) messages go to stdout; off, they go to `absl.logging`
(absl comes with chex), as Keras's `io_utils` does. The progress bar and the callbacks print
through `print_msg`, so the switch reaches everything fit shows.
"""
import sys

from absl import logging

_state = {"interactive_logging": True}


def enable_interactive_logging():
    """Turn on interactive logging: logs are displayed on stdout (shells, notebooks)."""
    _state["interactive_logging"] = True


def disable_interactive_logging():
    """Turn off interactive logging: logs are sent to `absl.logging` (jobs on a server)."""
    _state["interactive_logging"] = False


def is_interactive_logging_enabled():
    """`True` if logs go to stdout, `False` if they go to `absl.logging`."""
    return _state["interactive_logging"]


def print_msg(message, line_break=True):
    """Print the message to stdout (interactive logging) or to `absl.logging`."""
    message = str(message)
    if not is_interactive_logging_enabled():
        logging.info(message)
        return
    if line_break:
        message += "\n"
    try:
        sys.stdout.write(message)
    except UnicodeEncodeError:
        # Consoles that cannot encode the bar glyph get Keras 2's "=" instead.
        encoding = sys.stdout.encoding or "utf-8"
        message = message.replace("━", "=").encode(encoding, errors="ignore").decode(encoding)
        sys.stdout.write(message)
    sys.stdout.flush()
