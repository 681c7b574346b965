"""Test-suite settings shared by every test module."""

import os

import matplotlib
import pytest

matplotlib.use("Agg")


@pytest.fixture(scope="session", autouse=True)
def one_blas_thread_per_worker():
    """Under pytest-xdist, pin BLAS to one thread per worker.

    Two workers on two cores each starting two OpenBLAS threads oversubscribe the
    machine; small matrix products then run many times slower (measured 30x).
    """
    if os.environ.get("PYTEST_XDIST_WORKER") is None:
        yield
        return
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1):
        yield
