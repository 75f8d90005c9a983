"""A folder of real digit images (scikit-learn's 8x8 digits) written as PNG files, one
subfolder per class, in tmp_path."""
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
