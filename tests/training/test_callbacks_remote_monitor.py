"""RemoteMonitor: each epoch's logs reach a local HTTP server as Keras sends them (a form field
holding JSON, or a JSON body), with custom headers; an unreachable server only warns."""
import http.server
import json
import threading
import urllib.parse

import numpy as np
import pytest

import jkeras
from jkeras import callbacks as C


class _Server:
    def __init__(self):
        self.requests = []
        seen = self.requests

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"])).decode()
                seen.append((self.path, dict(self.headers), body))
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.httpd = http.server.HTTPServer(("127.0.0.1", 0), Handler)
        self.root = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()


def _fit(callback, epochs=2):
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(8, 3)).astype(np.float32), rng.normal(size=(8, 1)).astype(np.float32)
    model = jkeras.Sequential([jkeras.Input((3,)), jkeras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse", metrics=["mae"])
    return model.fit(x, y, epochs=epochs, batch_size=4, verbose=0, callbacks=[callback])


def test_posts_form_encoded_json_per_epoch():
    with _Server() as server:
        history = _fit(C.RemoteMonitor(root=server.root, headers={"X-Run": "abc"}))
    assert len(server.requests) == 2
    for epoch, (path, headers, body) in enumerate(server.requests):
        assert path == "/publish/epoch/end/"
        assert headers["Content-Type"] == "application/x-www-form-urlencoded"
        assert headers["X-Run"] == "abc"
        form = urllib.parse.parse_qs(body)
        data = json.loads(form["data"][0])
        assert data == {"epoch": epoch, "loss": history.history["loss"][epoch],
                        "mae": history.history["mae"][epoch]}


def test_posts_a_json_body():
    with _Server() as server:
        history = _fit(C.RemoteMonitor(root=server.root, path="/p", send_as_json=True,
                                       field="ignored"), epochs=1)
    (path, headers, body), = server.requests
    assert path == "/p" and headers["Content-Type"] == "application/json"
    assert json.loads(body) == {"epoch": 0, "loss": history.history["loss"][0],
                                "mae": history.history["mae"][0]}


def test_numpy_values_are_unwrapped():
    with _Server() as server:
        C.RemoteMonitor(root=server.root, send_as_json=True).on_epoch_end(
            3, {"a": np.float32(0.5), "b": np.asarray(2), "c": np.asarray([1.0, 2.0])})
    assert json.loads(server.requests[0][2]) == {"epoch": 3, "a": 0.5, "b": 2, "c": [1.0, 2.0]}


def test_unreachable_server_warns_as_keras():
    with _Server() as server:
        root = server.root  # the port is free again once the server is closed
    with pytest.warns(UserWarning, match=f"Could not reach RemoteMonitor root server at {root}"):
        C.RemoteMonitor(root=root, timeout=2).on_epoch_end(0, {"loss": 1.0})


def test_arguments_as_keras(tf):
    ours, theirs = C.RemoteMonitor(), tf.keras.callbacks.RemoteMonitor()
    for name in ("root", "path", "field", "headers", "send_as_json"):
        assert getattr(ours, name) == getattr(theirs, name)
