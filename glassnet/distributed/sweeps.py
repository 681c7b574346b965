"""Many independent runs on a Dask cluster: one task per run, results back in order.

A sweep (:func:`glassnet.glass.experiments.run_experiment`) trains every
(configuration, seed) on its own; each run is seeded, so it gives the same
numbers on any worker as in a serial loop. The data every run shares is sent to
each worker once (scattered), not once per task.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

from .cluster import cluster_failures, connect

_Result = TypeVar("_Result")


def map_on_cluster(
    scheduler: str,
    function: Callable[..., _Result],
    jobs: Iterable[Sequence[Any]],
    shared: Sequence[Any] = (),
    n_workers: int | None = None,
) -> list[_Result]:
    """``[function(*job, *shared) for job in jobs]``, each call a task on the cluster.

    Parameters
    ----------
    scheduler : str
        ``"local"`` (a LocalCluster on 127.0.0.1, closed at the end) or
        ``"tcp://host:port"`` (see :func:`~.cluster.connect`).
    function : callable
        Importable by the workers (a module-level function).
    jobs : list of tuple
        The arguments particular to each call.
    shared : tuple
        Arguments common to every call (the data): scattered to every worker once.
    n_workers : int, optional
        Workers of a local cluster.

    Returns
    -------
    list
        The results, in the order of ``jobs``. An exception raised by a run is
        raised here; a worker that keeps dying is a :class:`~.cluster.ClusterError`.
    """
    with connect(scheduler, n_workers=n_workers) as client, cluster_failures("a sweep"):
        data = client.scatter(list(shared), broadcast=True, hash=False) if shared else []
        futures = [client.submit(function, *job, *data, pure=False) for job in jobs]
        return client.gather(futures)
