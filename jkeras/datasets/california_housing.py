"""California Housing price regression (`keras.datasets.california_housing`)."""
from jkeras.datasets.common import TF_KERAS_DATASETS, load_xy, shuffled_split

ORIGIN = f"{TF_KERAS_DATASETS}california_housing.npz"
FILE_HASH = "1a2e3a52e0398de6463aebe6f4a8da34fb21fbb6b934cf88c3425e766f2a1a6f"


def load_data(version="large", path="california_housing.npz", test_split=0.2, seed=113):
    """Loads the California Housing dataset (1990 U.S. census, one row per block group:
    MedInc, HouseAge, AveRooms, AveBedrms, Population, AveOccup, Latitude, Longitude; the
    target is the median house value in dollars).

    `version` is `"small"` (the first 600 samples, a stand-in for Boston Housing) or `"large"`
    (all 20,640); `path`, `test_split` and `seed` are as in `boston_housing.load_data`.
    Returns `(x_train, y_train), (x_test, y_test)`, `x` of shape `(n, 8)`, `y` of shape `(n,)`.
    """
    x, y = load_xy(path, ORIGIN, FILE_HASH, test_split)
    if version == "small":
        x, y = x[:600], y[:600]
    elif version != "large":
        raise ValueError("Argument `version` must be one of 'small', 'large'. "
                         f"Received: version={version}")
    return shuffled_split(seed, x, y, test_split)
