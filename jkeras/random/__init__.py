"""`keras.random`: random ops seeded by an int, a `SeedGenerator` or a key (see seed_generator)."""
from jkeras.random.random import (beta, binomial, categorical, dropout, gamma, normal, randint,
                                  shuffle, truncated_normal, uniform)
from jkeras.random.seed_generator import SeedGenerator

__all__ = ["SeedGenerator", "beta", "binomial", "categorical", "dropout", "gamma", "normal",
           "randint", "shuffle", "truncated_normal", "uniform"]
