"""Where the work goes: a Dask cluster reached by address, or one started on this machine.

``scheduler="local"`` starts a :class:`distributed.LocalCluster` on 127.0.0.1 — worker
*processes*, one thread each, their OpenBLAS, MKL and OpenMP limited to one thread
(:data:`ONE_BLAS_THREAD`), so two workers on two cores do not oversubscribe them — and closes it when
the work is done. ``"tcp://host:port"`` connects to a running scheduler and fails
within :data:`CONNECT_TIMEOUT` seconds, naming the address, when nothing answers.

Everything Dask is imported inside the functions: ``import glassnet`` never loads it.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import os
import re
from collections.abc import Iterator
from types import ModuleType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from distributed import Client

CONNECT_TIMEOUT = 5.0
"""Seconds to wait for a scheduler to answer before giving up."""

ONE_BLAS_THREAD = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
"""The environment of a local cluster's workers (Dask's default too, here whatever its configuration)."""

_ADDRESS = re.compile(r"^(tcp|tls)://(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_.-]+):(\d{1,5})$")


class ClusterError(RuntimeError):
    """The cluster failed under a run: a worker died too often, or the scheduler went away.

    The run stopped; what it was computing was not kept (the network's weights are
    put back, nothing is written)."""


def check_scheduler(scheduler: str) -> str:
    """``"local"`` or ``"tcp://host:port"`` (also ``tls://``), else a ``ValueError`` naming the forms."""
    if scheduler == "local":
        return scheduler
    match = _ADDRESS.match(scheduler.strip()) if isinstance(scheduler, str) else None
    if match is None or not 0 < int(match.group(3)) < 65536:
        raise ValueError(
            f"scheduler must be 'local' or an address such as 'tcp://127.0.0.1:8786', got {scheduler!r}"
        )
    return scheduler.strip()


def import_distributed() -> ModuleType:
    """The ``distributed`` module, or an ``ImportError`` telling how to install it."""
    try:
        import distributed
    except ImportError:
        raise ImportError(
            "glassnet's Dask support needs the 'dask' extra: pip install 'glassnet[dask]'"
        ) from None
    return distributed


@contextlib.contextmanager
def connect(
    scheduler: str = "local", n_workers: int | None = None, timeout: float | None = None
) -> Iterator[Client]:
    """A ``distributed.Client`` for the length of a ``with`` block.

    Parameters
    ----------
    scheduler : str
        ``"local"``: start a LocalCluster on 127.0.0.1 (worker processes, one
        thread each) and close it at the end. ``"tcp://host:port"``: connect to
        that scheduler (the cluster is left running).
    n_workers : int, optional
        Workers of a local cluster (default: one per core, at most 8).
    timeout : float, optional
        Seconds to wait for the scheduler (default :data:`CONNECT_TIMEOUT`).

    Yields
    ------
    distributed.Client
        Also the default client inside the block, so Dask collections compute on it.
    """
    scheduler = check_scheduler(scheduler)
    distributed = import_distributed()
    timeout = CONNECT_TIMEOUT if timeout is None else timeout
    if scheduler == "local":
        workers = n_workers or max(1, min(os.cpu_count() or 1, 8))
        # No dashboard; the scheduler's small HTTP server (health checks) on a free port of 127.0.0.1.
        with (
            distributed.LocalCluster(
                n_workers=workers,
                threads_per_worker=1,
                processes=True,
                host="127.0.0.1",
                dashboard_address="127.0.0.1:0",
                scheduler_kwargs={"dashboard": False},
                env=ONE_BLAS_THREAD,
            ) as cluster,
            distributed.Client(cluster) as client,
        ):
            yield client
        return
    try:
        client = distributed.Client(scheduler, timeout=f"{timeout}s")
    except (OSError, TimeoutError) as exc:
        reason = " ".join(str(exc).split()) or type(exc).__name__
        raise ConnectionError(
            f"cannot reach the Dask scheduler at {scheduler} within {timeout:g} s ({reason})"
        ) from None
    with client:
        yield client


def current_client() -> Client:
    """The ``distributed.Client`` that Dask collections compute on, or a clear error."""
    distributed = import_distributed()
    try:
        return distributed.default_client()
    except ValueError:
        raise ValueError(
            "glassnet trains on Dask collections on a dask.distributed cluster, and no "
            "client is running: start one first, e.g. `with glassnet.distributed.connect("
            "'local'):` or `distributed.Client('tcp://host:port')`"
        ) from None


@contextlib.contextmanager
def cluster_failures(what: str) -> Iterator[None]:
    """Turn a lost worker or scheduler into a :class:`ClusterError` that says what stopped."""
    distributed = import_distributed()
    from distributed.comm.core import CommClosedError

    try:
        yield
    except distributed.KilledWorker as exc:
        raise ClusterError(
            f"a Dask worker died each time it ran a task of {what} ({exc}); "
            "the run stopped and nothing of it was kept"
        ) from None
    except (CommClosedError, ConnectionError) as exc:
        raise ClusterError(
            f"the connection to the Dask cluster was lost during {what} ({exc}); "
            "the run stopped and nothing of it was kept"
        ) from None
    except concurrent.futures.CancelledError as exc:  # distributed's FutureCancelledError among them
        raise ClusterError(
            f"the cluster cancelled a task of {what} ({exc or type(exc).__name__}), e.g. after losing "
            "the worker that held its data; the run stopped and nothing of it was kept"
        ) from None
