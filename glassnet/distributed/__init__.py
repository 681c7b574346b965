"""glassnet beyond one machine, on Dask: data that stays on a cluster, and sweeps spread over it.

Hand the estimators (``fit``, ``partial_fit``, ``predict*``, ``score``),
:func:`glassnet.train` or :func:`glassnet.minimize_lbfgs` a Dask array or DataFrame
instead of a NumPy array, with a ``distributed.Client`` running, and ``X`` stays
where its blocks are:

- ``solver="lbfgs"`` (:mod:`.lbfgs`): every iteration sends ``θ`` to the workers;
  each returns the loss and gradient sums of the blocks it holds, the client adds
  them and SciPy takes its step — the same steps as in memory;
- Adam, SGD and the other stochastic solvers (:mod:`.blocks`): each epoch streams
  the blocks to the training loop in a new order, one at a time, the rows of each
  reshuffled;
- ``predict``/``predict_proba`` return Dask arrays computed block by block.

Sweeps (:mod:`.sweeps`): ``run_experiment(..., scheduler="local")`` or ``glassnet
experiment ... --scheduler tcp://host:port`` run one task per (configuration, seed).

:mod:`.cluster` connects to a scheduler or starts a LocalCluster on 127.0.0.1.
Install with ``pip install 'glassnet[dask]'``; Dask is imported only when used.
"""

from .arrays import is_dask_collection
from .cluster import CONNECT_TIMEOUT, ClusterError, check_scheduler, connect, current_client

__all__ = [
    "CONNECT_TIMEOUT",
    "ClusterError",
    "check_scheduler",
    "connect",
    "current_client",
    "is_dask_collection",
]
