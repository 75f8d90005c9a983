"""Ensembles: N members of one architecture trained with different seeds in one compiled
program (`jax.vmap` over the members' variables)."""
from jkeras.ensemble.ensemble import Ensemble

__all__ = ["Ensemble"]
