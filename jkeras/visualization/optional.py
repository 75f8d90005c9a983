"""The optional packages behind the visualization functions, imported on first use with
Keras's message when missing."""
import importlib


def cv2(function_name):
    try:
        return importlib.import_module("cv2")
    except ImportError as e:
        raise ImportError(f"The `{function_name}` function requires the `cv2` package "
                          " (OpenCV). Please install it with `pip install opencv-python`.") from e


def matplotlib(function_name, module="matplotlib.pyplot"):
    try:
        return importlib.import_module(module)
    except ImportError as e:
        raise ImportError(f"The `{function_name}` function requires the `matplotlib` "
                          "package. Please install it with `pip install matplotlib`.") from e
