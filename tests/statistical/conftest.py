"""The shipped forecasting data sets of the golden tests (sktime.datasets, no download)."""

import numpy as np
import pytest


@pytest.fixture(scope="session")
def airline():
    from sktime.datasets import load_airline

    return np.log(load_airline().to_numpy(dtype=float))


@pytest.fixture(scope="session")
def lynx():
    from sktime.datasets import load_lynx

    return np.log(load_lynx().to_numpy(dtype=float))


@pytest.fixture(scope="session")
def uschange():
    """(n_timesteps, 5): Consumption first, then Income, Production, Savings, Unemployment."""
    from sktime.datasets import load_uschange

    y, X = load_uschange()
    return np.column_stack([y.to_numpy(dtype=float), X.to_numpy(dtype=float)])
