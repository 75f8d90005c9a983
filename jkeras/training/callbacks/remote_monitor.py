"""`RemoteMonitor`: posts each epoch's logs to a server, as Keras (standard library HTTP)."""

import json
import urllib.error
import urllib.parse
import urllib.request
import warnings

import numpy as np

from jkeras.training.callbacks.base import Callback


def _plain(value):
    # Keras unwraps numpy scalars with .item(); an array-valued metric becomes a list.
    if isinstance(value, (np.ndarray, np.generic)):
        return value.item() if np.size(value) == 1 else np.asarray(value).tolist()
    if hasattr(value, "__array__") and not isinstance(value, (str, bytes)):
        return _plain(np.asarray(value))
    return value


class RemoteMonitor(Callback):
    """Streams events to a server: at each epoch end an HTTP POST to `root + path` with
    `{"epoch": epoch, **logs}` encoded as JSON, either as the body ("application/json",
    `send_as_json=True`) or as the form field `field` (form-encoded, the default).

    Keras uses the `requests` library; jkeras sends the same requests with `urllib`. An
    unreachable server gives Keras's warning, not an error.

    Args:
        root: root url of the target server.
        path: path relative to `root` to which the events are sent.
        field: JSON field under which the data is stored in the form (when
            `send_as_json=False`).
        headers: optional dict of extra HTTP headers.
        send_as_json: send the JSON as the request body, content type "application/json".
        timeout: seconds to wait for the server (jkeras addition; Keras waits indefinitely).
    """

    def __init__(self, root="http://localhost:9000", path="/publish/epoch/end/", field="data",
                 headers=None, send_as_json=False, timeout=10.0):
        super().__init__()
        self.root = root
        self.path = path
        self.field = field
        self.headers = headers
        self.send_as_json = send_as_json
        self.timeout = timeout

    def on_epoch_end(self, epoch, logs=None):
        send = {"epoch": epoch}
        for k, v in (logs or {}).items():
            send[k] = _plain(v)
        headers = dict(self.headers or {})
        if self.send_as_json:
            body = json.dumps(send).encode("utf-8")
            headers.setdefault("Content-Type", "application/json")
        else:
            body = urllib.parse.urlencode({self.field: json.dumps(send)}).encode("utf-8")
            headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
        request = urllib.request.Request(self.root + self.path, data=body, headers=headers,
                                         method="POST")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                response.read()
        except (urllib.error.URLError, OSError, ValueError):
            warnings.warn(f"Could not reach RemoteMonitor root server at {self.root}",
                          stacklevel=2)
