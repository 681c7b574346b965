"""L-BFGS over rows that stay on a Dask cluster: θ goes out, one gradient comes back.

L-BFGS needs, at each point ``θ`` SciPy asks for, the loss and gradient over *all*
the training data. Both are means over the samples, so they are sums divided by
the total weight ``W = Σ wᵢ`` (``W = n`` without weights)::

    L(θ)  = (1/W) Σ_blocks Σ_{i∈b} wᵢ ℓᵢ(θ)       + l2/(2W) ‖W_weights‖²
    ∇L(θ) = (1/W) Σ_blocks Σ_{i∈b} wᵢ ∇ℓᵢ(θ)      + (l2/W) W_weights

Each worker computes the inner sums of the blocks it holds (persisted where they
were computed) in one task, the client adds the workers' sums pairwise (a tree),
divides by ``W`` and adds the penalty once — the
same arithmetic as ``Network.loss_and_grad`` on the whole data, so SciPy takes
the same steps as :func:`glassnet.lbfgs.lbfgs_arrays` in memory. Spark MLlib's
MultilayerPerceptronClassifier trains the same way ("treeAggregate" of the
gradient). What crosses the network per evaluation is O(parameters), not O(rows): ``θ``
to each worker and one gradient back from each.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from .._typing import NDArray
from ..lbfgs import minimize_objective
from .blocks import Sums, add_sums, blocks_sums
from .cluster import cluster_failures

if TYPE_CHECKING:
    from scipy.optimize import OptimizeResult

    from ..callbacks import CallbackFunction
    from ..losses import Loss
    from ..network import Network
    from .blocks import BlockData


class BlockGradient:
    """``x ↦ (L(θ), ∇L(θ))`` for SciPy: one task per worker over the blocks it holds.

    Parameters
    ----------
    net : Network
        Its ``theta`` is set to each point evaluated and its ``grad`` holds the
        last gradient, as in memory.
    data : BlockData
        Persisted here (every block is read at every evaluation).
    loss : Loss
    l2, l1 : float
        Penalties on the weights, added once, on the client.

    Attributes
    ----------
    evaluations : int
    bytes_sent, bytes_received : int
        What the client sent (``θ`` in each worker's task) and received (each
        worker's sums), in array bytes.
    """

    def __init__(self, net: Network, data: BlockData, loss: Loss, l2: float = 0.0, l1: float = 0.0) -> None:
        self.net, self.loss, self.l2, self.l1 = net, loss, l2, l1
        self.data = data.persist()
        self.client = data.client
        self.model = self.client.scatter((net, loss), broadcast=True, hash=False)
        self.evaluations = self.bytes_sent = self.bytes_received = 0

    def __call__(self, x: NDArray[np.float64]) -> tuple[float, NDArray[np.float64]]:
        net, client = self.net, self.client
        net.theta[...] = x
        theta = net.theta.copy()
        with cluster_failures("an L-BFGS evaluation of the loss and gradient"):
            tasks = [
                client.submit(
                    blocks_sums,
                    self.model,
                    theta,
                    *parts,
                    pure=False,
                    workers=None if worker is None else [worker],
                    allow_other_workers=True,
                )
                for worker, parts in self.data.by_worker().items()
            ]
            partials = client.gather(tasks)
        value_sum, grad_sum, weight = tree_sum(partials)
        self.evaluations += 1
        self.bytes_sent += theta.nbytes * len(tasks)
        self.bytes_received += sum(p[1].nbytes + 16 for p in partials)
        if weight <= 0:
            raise ValueError("sample_weight must be finite, non-negative and not all zero")
        grad = net.grad
        grad[...] = grad_sum / weight
        value = value_sum / weight
        if self.l2 or self.l1:
            value += net._penalize(self.l2, self.l1, weight)
        return value, grad.astype(np.float64)

    def close(self) -> None:
        """Release the persisted blocks and the scattered network."""
        self.client.cancel([*self.data.parts, self.model])


def tree_sum(partials: list[Sums]) -> Sums:
    """The sum of ``(value, gradient, weight)`` triples, added pairwise in a tree:
    ``log₂(k)`` rounds of :func:`~.blocks.add_sums` (and the rounding of a tree)."""
    while len(partials) > 1:
        partials = [
            add_sums(*partials[i : i + 2]) if i + 1 < len(partials) else partials[i]
            for i in range(0, len(partials), 2)
        ]
    return partials[0]


def lbfgs_blocks(
    net: Network,
    data: BlockData,
    loss: Loss,
    l2: float = 0.0,
    l1: float = 0.0,
    max_iter: int = 200,
    max_fun: int = 15000,
    tol: float = 1e-4,
    callbacks: Sequence[CallbackFunction] = (),
) -> OptimizeResult:
    """Train ``net`` in place with L-BFGS-B over :class:`~.blocks.BlockData`.

    As :func:`glassnet.lbfgs.lbfgs_arrays` (the same SciPy driver, the same result to
    rounding), with the loss and gradient reduced over the cluster. If the cluster
    fails under the run (a :class:`~.cluster.ClusterError`), or anything else stops
    it, the network's weights are put back as they were before it.
    """
    start = net.theta.copy()
    objective = BlockGradient(net, data, loss, l2, l1)
    try:
        return minimize_objective(
            net, objective, max_iter=max_iter, max_fun=max_fun, tol=tol, callbacks=callbacks
        )
    except BaseException:
        net.theta[...] = start
        raise
    finally:
        objective.close()
