"""When glassnet loads its compiled kernels: only for work that pays for them.

The compiled kernels (:mod:`glassnet._fused`, :mod:`glassnet._epoch_kernels`)
make each training step and prediction faster, but a fresh process pays for them
first: importing Numba and loading the cached machine code take about half a
second, more than a whole small fit takes without them. A notebook's first cell,
a ``glassnet`` command, each worker of a grid search or of a Dask cluster would
wait for kernels it barely uses.

So every formula has its NumPy form (the readable one), and a run uses the kernels
only when it is long enough: when NumPy would take at least ``LOAD_SECONDS`` for
it (:func:`training_seconds` estimates that from the run's settings). The choice
depends on the run alone — never on what the process did before — so that a run
gives the same numbers in a fresh worker as in a long-lived notebook: the two
paths agree to the last bits in the weights, not always in the loss's rounding.

A process that trains once, as the ``glassnet train`` command does, pays the whole
load for that one run; it trains within :func:`expect_one_run`, where the threshold
is ``ONE_RUN_LOAD_SECONDS``. The choice still depends on the run and the
command alone.

``MODE``: ``"auto"`` (the rule above), ``"always"`` or ``"never"``; its default is
read from the environment variable ``GLASSNET_KERNELS`` (inherited by worker
processes).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator, Sequence
from itertools import pairwise
from types import ModuleType

MODE = os.environ.get("GLASSNET_KERNELS", "auto")

LOAD_SECONDS = 0.1
"""A run that NumPy would train in at least this long uses the kernels. Loading
them costs a fresh process 0.3–0.5 s (2 cores), and they make a small network's
steps about three times faster: a 0.1 s run pays most of their cost back, and a
longer one (the usual case in a long-lived process, where they load once) gains."""

ONE_RUN_LOAD_SECONDS = 0.4
"""The threshold in a process that trains once (:func:`expect_one_run`): the kernels
must pay back their load within that run. Measured on ``glassnet train moons``
(2-16-8-1, fresh processes, 2 cores, with and without the kernels): they cost the
command 0.6 s at 200 epochs (estimate 0.12 s), break even near 600 epochs (0.37 s)
and save 0.65 s at 1,200 (0.74 s)."""

load_seconds = LOAD_SECONDS
"""The threshold in force: ``LOAD_SECONDS``, or ``ONE_RUN_LOAD_SECONDS`` within
:func:`expect_one_run`."""

PREDICT_LOAD_ENTRIES = 2**26
"""A prediction over an ``X`` of at least this many entries (64 Mi, e.g. 100,000 ×
784) loads the kernels (their result is the NumPy form's, bit for bit)."""

_fused: ModuleType | None = None


def fused() -> ModuleType | None:
    """The fused kernels (:mod:`glassnet._fused`) if they are loaded, else None.

    Those the NumPy loop calls give its NumPy forms' numbers bit for bit, so using
    them whenever they are loaded changes the speed, not the result.
    """
    return _fused


def load() -> ModuleType:
    """Import Numba and the fused kernels (each kernel's machine code loads on its first call)."""
    global _fused
    if _fused is None:
        from . import _fused as module

        _fused = module
    return _fused


@contextlib.contextmanager
def expect_one_run() -> Iterator[None]:
    """Within: the process trains once (the ``glassnet train`` command), so runs load the
    kernels only when NumPy would take at least ``ONE_RUN_LOAD_SECONDS``."""
    global load_seconds
    before, load_seconds = load_seconds, ONE_RUN_LOAD_SECONDS
    try:
        yield
    finally:
        load_seconds = before


def worth_loading(seconds: float) -> bool:
    """Whether work that NumPy would do in ``seconds`` uses the kernels (loading them if so)."""
    if MODE == "always" or (MODE == "auto" and seconds >= load_seconds):
        load()
        return True
    return False


def training_seconds(layer_sizes: Sequence[int], batch_size: int, n_batches: int, epochs: int) -> float:
    """A rough, deterministic estimate of how long NumPy would train: per step, about
    10 µs + 12 µs per layer of calls, plus the products (forward, ``dW``, ``dA``) at
    20 GFLOP/s, as measured on a 2-core machine."""
    macs = sum(n_in * n_out for n_in, n_out in pairwise(layer_sizes))
    step = 10e-6 + 12e-6 * (len(layer_sizes) - 1) + 3 * 2 * batch_size * macs / 20e9
    return epochs * n_batches * step


def predict_work(n_entries: int) -> ModuleType | None:
    """The kernels for a prediction over ``n_entries`` numbers if it is large enough
    (or they are loaded anyway), else None."""
    if _fused is None and n_entries >= PREDICT_LOAD_ENTRIES and MODE != "never":
        load()
    return _fused
