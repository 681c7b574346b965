"""Training data that stays on the cluster: row blocks ``(X_b, Y_b, w_b)`` and what is done with them.

A :class:`BlockData` is a list of *parts*, one per row block of ``X``: a task that
checks the block, encodes its targets with the network's head (or the estimator's
label binarizer) and returns ``(X_b, Y_b, w_b)`` on the worker that computed it. The
client only holds the tasks' names and the blocks' sizes. What is sent to the
workers is the network (once) and ``θ``; what comes back is a loss, a gradient or a
block's outputs ``Ŷ_b`` — never ``X``.

- :meth:`BlockData.persist` keeps the parts in the workers' memory (L-BFGS reads
  every block at every iteration, :mod:`glassnet.distributed.lbfgs`);
- :meth:`BlockData.batches` streams them to the client one block at a time, the next
  one already on its way (:class:`BlockBatches`, the batch source of Adam and SGD);
- :meth:`BlockData.split` holds out a random share of each block for validation;
- :meth:`BlockData.outputs` computes ``Ŷ`` for every row where the rows live.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any, Self, TypeAlias

import numpy as np
from numpy.typing import DTypeLike

from .._typing import FloatArray, NDArray
from .._validation import aligned, check_X
from ..batches import ArrayBatches, Batch
from .cluster import cluster_failures

if TYPE_CHECKING:
    import dask.array as da
    from distributed import Client

    from ..losses import Loss
    from ..network import Network

Part: TypeAlias = "tuple[FloatArray, FloatArray, FloatArray | None]"
"""One row block on a worker: ``(X_b, Y_b, w_b)``."""

Encoder: TypeAlias = "Callable[[Any, FloatArray | None], tuple[FloatArray, FloatArray | None]]"
"""``encode(y_b, w_b) -> (Y_b, w_b)``: a block's targets as the network's (on the workers)."""

Sums: TypeAlias = "tuple[float, NDArray[np.float64], float]"
"""``(Σ wᵢ ℓᵢ, Σ wᵢ ∂ℓᵢ/∂θ, Σ wᵢ)`` over some rows."""


class BlockData:
    """Rows that stay on a Dask cluster, as parts ``(X_b, Y_b, w_b)`` computed where they live.

    Parameters
    ----------
    client : distributed.Client
    parts : list of dask Delayed or distributed Future
        One per non-empty row block, each computing ``(X_b, Y_b, w_b)``.
    sizes : tuple of int
        Rows of each part.
    n_features, n_outputs : int
    dtype : numpy dtype
        Of ``X_b`` and ``Y_b`` (the network's).
    target_scale : float
        max |Y| (1 for classifiers): what the divergence guard calls a large weight.
    """

    def __init__(
        self,
        client: Client,
        parts: Iterable[Any],
        sizes: Iterable[int],
        n_features: int,
        n_outputs: int,
        dtype: DTypeLike,
        target_scale: float = 1.0,
    ) -> None:
        self.client, self.parts, self.sizes = client, list(parts), tuple(int(s) for s in sizes)
        self.n_features, self.n_outputs, self.dtype = n_features, n_outputs, np.dtype(dtype)
        self.target_scale = float(target_scale)
        self.persisted = False

    @classmethod
    def from_arrays(
        cls,
        client: Client,
        X: da.Array,
        y: da.Array,
        sample_weight: da.Array | None,
        encode: Encoder,
        n_outputs: int,
        dtype: DTypeLike,
        target_scale: float = 1.0,
    ) -> Self:
        """Parts from Dask arrays cut into the same row blocks (:func:`~.arrays.line_up`).

        ``encode(y_b, w_b) -> (Y_b, w_b)`` turns a block's targets into the network's
        (it runs on the workers, so it is a picklable object, not a closure).
        """
        import dask

        make = dask.delayed(_make_part, pure=False)
        X_blocks = X.to_delayed().ravel()
        y_blocks = y.to_delayed().ravel()
        w_blocks = [None] * len(X_blocks) if sample_weight is None else sample_weight.to_delayed().ravel()
        sizes = X.chunks[0]
        parts = [
            make(xb, yb, wb, encode, dtype)
            for xb, yb, wb, size in zip(X_blocks, y_blocks, w_blocks, sizes, strict=True)
            if size > 0
        ]
        return cls(client, parts, [s for s in sizes if s > 0], X.shape[1], n_outputs, dtype, target_scale)

    @property
    def n_samples(self) -> int:
        return sum(self.sizes)

    @property
    def shape(self) -> tuple[int, int]:
        return (self.n_samples, self.n_features)

    def _like(self, parts: Iterable[Any], sizes: Iterable[int]) -> BlockData:
        return BlockData(
            self.client, parts, sizes, self.n_features, self.n_outputs, self.dtype, self.target_scale
        )

    def persist(self) -> BlockData:
        """The same data with every part computed and kept in the memory of its worker."""
        if self.persisted:
            return self
        from distributed import wait

        futures = self.client.compute(self.parts)
        with cluster_failures("reading the training data"):
            wait(futures)
            for future in futures:
                if future.status == "error":
                    future.result()  # raises the block's own error (a NaN in X, an unknown label, …)
        kept = self._like(futures, self.sizes)
        kept.persisted = True
        return kept

    def by_worker(self) -> dict[str | None, list[Any]]:
        """``{worker address: [parts it holds]}`` for the persisted parts (asked each time:
        after a worker is lost, its blocks are computed again elsewhere)."""
        holders = self.client.who_has(self.parts)
        groups: dict[str | None, list[Any]] = {}
        for part in self.parts:
            where = sorted(holders.get(part.key, ()))
            groups.setdefault(where[0] if where else None, []).append(part)
        return groups

    def split(self, fraction: float, seed: int, stratify: bool = False) -> tuple[BlockData, BlockData]:
        """``(train, held_out)``: a random ``fraction`` of each block's rows held out.

        Which rows is drawn on the worker from ``(seed, block)``; how many is known
        here, from the block sizes alone. With ``stratify`` (a classifier's single-label
        targets), each block holds out its classes in its own proportions, as
        scikit-learn's stratified split does for the whole of ``y``.
        """
        import dask

        take = dask.delayed(_take_rows, pure=False)
        train: list[Any] = []
        held: list[Any] = []
        train_sizes: list[int] = []
        held_sizes: list[int] = []
        for b, (part, size) in enumerate(zip(self.parts, self.sizes, strict=True)):
            n_held = int(round(fraction * size))
            if size - n_held > 0:
                train.append(take(part, seed, b, n_held, False, stratify))
                train_sizes.append(size - n_held)
            if n_held > 0:
                held.append(take(part, seed, b, n_held, True, stratify))
                held_sizes.append(n_held)
        if not train:
            raise ValueError("the validation fraction leaves no training samples")
        return self._like(train, train_sizes), self._like(held, held_sizes)

    def batches(self, batch_size: int | None = None, shuffle: bool = True) -> BlockBatches:
        """A batch source over the blocks (:class:`BlockBatches`)."""
        return BlockBatches(self, batch_size, shuffle)

    def outputs(self, net: Network) -> FloatArray:
        """``Ŷ`` for every row, in order, shape (n_samples, n_outputs): computed on the
        workers, only ``Ŷ`` gathered (the validation loop's view of held-out blocks)."""
        model = self.client.scatter(net, broadcast=True, hash=False)
        tasks = [self.client.submit(_block_outputs, model, part, pure=False) for part in self.parts]
        with cluster_failures("computing the network's outputs"):
            return np.concatenate(self.client.gather(tasks))

    def targets(self) -> tuple[FloatArray, FloatArray | None]:
        """``(Y, w)`` of every row, in order, gathered to the client (for held-out rows)."""
        tasks = [self.client.submit(_block_targets, part, pure=False) for part in self.parts]
        with cluster_failures("gathering the held-out targets"):
            found = self.client.gather(tasks)
        weights = [w for _, w in found]
        return (
            np.concatenate([Y for Y, _ in found]),
            None if weights[0] is None else np.concatenate(weights),
        )


class BlockBatches:
    """The batch source of the training loop over :class:`BlockData`: one block at a time.

    Each epoch visits the blocks in a new random order and, inside each block, the
    rows in a new random order (:class:`glassnet.batches.ArrayBatches` over the
    block), so that every sample is seen once per epoch. While the loop trains on
    one block the next is already being computed and sent: the client holds at most
    two blocks. Every block ends with its own remainder batch. ``batch_size=None``
    makes each block one batch.
    """

    def __init__(self, data: BlockData, batch_size: int | None = None, shuffle: bool = True) -> None:
        self.data, self.batch_size, self.shuffle = data, batch_size, shuffle
        self.n_samples = data.n_samples

    @property
    def n_batches(self) -> int:
        m = self.batch_size
        return sum(1 if m is None else -(-size // min(m, size)) for size in self.data.sizes)

    def target_scale(self) -> float:
        """max |Y|, found in the first pass over the targets."""
        return self.data.target_scale

    def epoch(self, rng: np.random.Generator) -> Iterator[Batch]:
        """Yield ``(X_batch, Y_batch, w_batch)`` for one pass over every block."""
        data = self.data
        order = rng.permutation(len(data.parts)) if self.shuffle else range(len(data.parts))
        fetch = (
            (lambda b: data.parts[b]) if data.persisted else (lambda b: data.client.compute(data.parts[b]))
        )
        ahead = None
        for k, b in enumerate(order):
            current = ahead if ahead is not None else fetch(b)
            ahead = fetch(order[k + 1]) if k + 1 < len(order) else None  # prefetch the next block
            with cluster_failures("reading a block of training data"):
                X_b, Y_b, w_b = map(aligned, current.result())
            del current
            yield from ArrayBatches(X_b, Y_b, w_b, self.batch_size, self.shuffle).epoch(rng)


# ---------------------------------------------------------------------- on the workers
def _make_part(X_b: Any, y_b: Any, w_b: Any, encode: Encoder, dtype: DTypeLike) -> Part:
    """``(X_b, Y_b, w_b)`` of one block: ``X_b`` checked, targets encoded, weights checked."""
    X_b = check_X(X_b, dtype=dtype)  # aligned too: it may have come from another worker
    if w_b is not None:
        w_b = np.ascontiguousarray(w_b, dtype=dtype).reshape(-1)
        if not np.isfinite(w_b).all() or (w_b < 0).any():
            raise ValueError("sample_weight must be finite and non-negative")
    Y_b, w_b = encode(y_b, w_b)
    return X_b, Y_b, w_b


def _take_rows(part: Part, seed: int, block: int, n_held: int, held: bool, stratify: bool = False) -> Part:
    """The held-out rows of a part (``held``) or the others, drawn from ``(seed, block)``."""
    X_b, Y_b, w_b = part
    chosen = held_rows(Y_b, n_held, np.random.default_rng([seed, block]), stratify)
    rows = chosen if held else ~chosen
    return X_b[rows], Y_b[rows], None if w_b is None else w_b[rows]


def held_rows(
    Y: FloatArray, n_held: int, rng: np.random.Generator, stratify: bool = False
) -> NDArray[np.bool_]:
    """A mask of ``n_held`` rows of ``Y`` drawn at random (the same for the same ``rng``).

    With ``stratify``, each class of the encoded targets ``Y`` (one column: > 0.5;
    several: the largest) gives its share ``n_held · count / rows``: the integer parts,
    then one more row each to the classes with the largest remainders (ties at random)
    until there are ``n_held``, as scikit-learn's stratified split allots them.
    """
    n = Y.shape[0]
    chosen = np.zeros(n, dtype=bool)
    if not stratify:
        chosen[rng.permutation(n)[:n_held]] = True
        return chosen
    codes = Y[:, 0] > 0.5 if Y.shape[1] == 1 else Y.argmax(axis=1)
    _, codes = np.unique(codes, return_inverse=True)
    counts = np.bincount(codes).astype(np.int64)
    take, remainder = np.divmod(counts * n_held, n)  # in integers: the shares add up to n_held exactly
    more = np.lexsort((rng.random(counts.size), -remainder))[: n_held - int(take.sum())]
    take[more] += 1
    for c, k in enumerate(take):
        chosen[rng.permutation(np.flatnonzero(codes == c))[:k]] = True
    return chosen


def _block_outputs(net: Network, part: Part) -> FloatArray:
    return net.predict_output(part[0])


def _block_targets(part: Part) -> tuple[FloatArray, FloatArray | None]:
    return part[1], part[2]


def blocks_sums(model: tuple[Network, Loss], theta: FloatArray, *parts: Part) -> Sums:
    """``(Σ wᵢ ℓᵢ, Σ wᵢ ∂ℓᵢ/∂θ, Σ wᵢ)`` over the rows of ``parts`` at ``θ`` (``wᵢ = 1``
    without weights): one worker's share of an L-BFGS evaluation.

    The network's ``loss_and_grad`` gives a block's weighted *mean* and its
    gradient; times the block's weight they are sums, which add up across blocks.
    """
    net, loss = model
    net = copy.deepcopy(net)  # the worker's copy is shared by its threads: each task has its own
    net.theta[...] = theta
    total: Sums = (0.0, np.zeros(net.n_params), 0.0)
    for X_b, Y_b, w_b in parts:
        weight = float(X_b.shape[0] if w_b is None else w_b.sum(dtype=np.float64))
        if weight > 0:
            value = net.loss_and_grad(
                X_b, Y_b, loss, sample_weight=w_b, buffers=net._training_buffers(X_b.shape[0])
            )  # reused by same-size blocks
            total = add_sums(total, (float(value) * weight, net.grad.astype(np.float64) * weight, weight))
    return total


def add_sums(a: Sums, b: Sums) -> Sums:
    """Two ``(value, gradient, weight)`` sums added."""
    return a[0] + b[0], a[1] + b[1], a[2] + b[2]
