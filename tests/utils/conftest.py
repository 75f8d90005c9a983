"""A folder of real digit images (scikit-learn's 8x8 digits) written as PNG files, one
subfolder per class, in tmp_path; and a local http server for get_file."""
import functools
import http.server
import threading

import numpy as np
import pytest


def write_digits(root, classes=(0, 1, 2), per_class=12, size=None):
    from PIL import Image
    from sklearn.datasets import load_digits
    digits = load_digits()
    for c in classes:
        folder = root / f"class_{c}"
        folder.mkdir(parents=True)
        images = digits.images[digits.target == c][:per_class]
        for i, img in enumerate(images):
            pixels = (img * 255.0 / 16.0).round().astype("uint8")
            im = Image.fromarray(pixels, "L")
            if size is not None:
                im = im.resize(size[::-1])
            im.save(folder / f"{i:03d}.png")
    return root


@pytest.fixture
def digits_dir(tmp_path):
    return write_digits(tmp_path / "digits")


class _Server:
    """A folder served over http on 127.0.0.1 in a thread; `paths` lists the requested paths."""

    def __init__(self, root):
        self.root, self.paths = root, []
        paths = self.paths

        class Handler(http.server.SimpleHTTPRequestHandler):
            def do_GET(self):
                paths.append(self.path)
                super().do_GET()

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(
            ("127.0.0.1", 0), functools.partial(Handler, directory=str(root)))
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join()


@pytest.fixture
def http_server(tmp_path):
    """Serves `tmp_path / "www"` (created empty) at `http_server.url`."""
    root = tmp_path / "www"
    root.mkdir()
    server = _Server(root)
    yield server
    server.close()
