"""Device prefetch under `DataParallel`, run in a subprocess with 4 forced CPU devices (the flag
must be set before JAX starts; see tests/training/test_prefetch_device.py). Prints one JSON
object with what the checks measured."""
import json
import warnings

import jax
import numpy as np
from jax.sharding import NamedSharding, PartitionSpec as P

import jkeras
from jkeras import distribution, layers
from jkeras.training import data as D


def batches(x, y, size):
    return [(x[i:i + size], y[i:i + size]) for i in range(0, len(x), size)]


class Indexed:
    """An index-based source of batches (`__len__` / `__getitem__`; fit would take a list as
    several inputs, not as batches)."""

    def __init__(self, items):
        self.items = items

    def __len__(self):
        return len(self.items)

    def __getitem__(self, i):
        return self.items[i]


def model():
    jkeras.utils.set_random_seed(0)
    m = jkeras.Sequential([layers.Input((6,)), layers.Dense(8, activation="tanh"),
                           layers.Dense(3, activation="softmax")])
    m.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    return m


def fit_eval_predict(source, x):
    m = model()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m.fit(source, epochs=2, verbose=0)
    return m.get_weights(), m.evaluate(source, verbose=0), m.predict(x, verbose=0)


def main():
    rs = np.random.RandomState(0)
    x, y = rs.randn(72, 6).astype("float32"), rs.randint(0, 3, 72).astype("int32")
    one = fit_eval_predict(Indexed(batches(x, y, 16)), x)  # one device: 4 batches of 16, one of 8
    dp = distribution.DataParallel()
    distribution.set_distribution(dp)
    mesh = dp.device_mesh.backend_mesh
    split = NamedSharding(mesh, P(dp.batch_dim_name))
    data = D.IterableData(batches(x, y, 16) + [(x[:6], y[:6])])  # 6 rows: not divisible by 4
    with jax.transfer_guard_host_to_device("disallow_explicit"):  # placed in the thread
        got = list(data.epoch(on_device=True))
    shardings = [[a.sharding.is_equivalent_to(split, a.ndim) for a in b[:2]] for b in got[:-1]]
    last = [a.sharding.is_fully_replicated and len(a.sharding.device_set) == 4
            for a in got[-1][:2]]
    values = all(np.array_equal(np.asarray(g[0]), s[0]) for g, s in
                 zip(got, batches(x, y, 16) + [(x[:6], y[:6])]))
    dist = fit_eval_predict(Indexed(batches(x, y, 16)), x)
    weights = max(float(np.max(np.abs(a - b))) for a, b in zip(one[0], dist[0]))
    print(json.dumps({
        "device_count": jax.device_count(), "split": shardings, "last_replicated": last,
        "values": values, "weights": weights, "evaluate": abs(one[1] - dist[1]),
        "predict": float(np.max(np.abs(one[2] - dist[2])))}))


if __name__ == "__main__":
    main()
