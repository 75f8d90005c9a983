"""Boston Housing price regression (`keras.datasets.boston_housing`)."""
from jkeras.datasets.common import TF_KERAS_DATASETS, load_xy, shuffled_split

ORIGIN = f"{TF_KERAS_DATASETS}boston_housing.npz"
FILE_HASH = "f553886a1f8d56431e820c5b82552d9d95cfcb96d1e678153f8839538947dff5"


def load_data(path="boston_housing.npz", test_split=0.2, seed=113):
    """Loads the Boston Housing dataset (StatLib, 506 houses, 13 attributes; targets are median
    values in k$).

    **WARNING:** the dataset has an ethical problem (its "B" variable); Keras discourages its
    use except to illustrate ethical issues in data science.

    Args:
        path: where to cache the dataset locally (relative to `~/.keras/datasets`).
        test_split: fraction of the data to reserve as test set, in `[0, 1)`.
        seed: random seed for shuffling the data before computing the test split.

    Returns:
        `(x_train, y_train), (x_test, y_test)`: `x` of shape `(n, 13)`, `y` of shape `(n,)`.
    """
    x, y = load_xy(path, ORIGIN, FILE_HASH, test_split)
    return shuffled_split(seed, x, y, test_split)
