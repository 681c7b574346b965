"""Where the training loop's mini-batches come from: one path for dense and sparse data.

A batch source yields ``(X_batch, Y_batch, w_batch)`` for one epoch: every sample
once, reshuffled each epoch from the generator it is given, the last batch holding
the remainder. The loop never asks what the data is: an in-memory array, a SciPy
CSR matrix (made dense one batch at a time, never whole), or — through another
source with the same :meth:`epoch` — blocks that live elsewhere.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Protocol, TypeAlias, cast

import numpy as np

from ._typing import FloatArray
from ._validation import issparse

Batch: TypeAlias = "tuple[FloatArray, FloatArray, FloatArray | None]"
"""``(X_batch, Y_batch, w_batch)``: one mini-batch's rows, targets and sample weights (or None)."""


class BatchSource(Protocol):
    """What the training loop reads its mini-batches from (:class:`ArrayBatches`, or
    :class:`glassnet.distributed.blocks.BlockBatches` for rows on a Dask cluster)."""

    n_samples: int

    @property
    def n_batches(self) -> int: ...

    def target_scale(self) -> float: ...

    def epoch(self, rng: np.random.Generator) -> Iterator[Batch]: ...


class ArrayBatches:
    """Mini-batches of in-memory ``X`` (ndarray or CSR), ``Y`` and optional sample weights.

    Parameters
    ----------
    X : ndarray or scipy.sparse CSR matrix, shape (n_samples, n_features)
    Y : ndarray, shape (n_samples, n_outputs)
    sample_weight : ndarray, shape (n_samples,), optional
    batch_size : int or None
        None: one full batch per epoch.
    shuffle : bool
        Reshuffle before every epoch (batches are drawn in order otherwise).
    """

    def __init__(
        self,
        X: Any,
        Y: FloatArray,
        sample_weight: FloatArray | None = None,
        batch_size: int | None = None,
        shuffle: bool = True,
    ) -> None:
        self.X, self.Y, self.sample_weight = X, Y, sample_weight
        self.n_samples = X.shape[0]
        self.batch_size = self.n_samples if batch_size is None else min(batch_size, self.n_samples)
        self.shuffle = shuffle
        self._gather = shuffle and self.batch_size < self.n_samples
        self._sparse = issparse(X)
        m = self.batch_size
        # One reusable batch buffer each: a step gathers its rows into it (take with out=;
        # mode="clip" copies straight into it, where the default "raise" gathers into a
        # temporary first; the indices come from a permutation, so none is out of range).
        self._X_batch: FloatArray | None = (
            np.empty((m, X.shape[1]), X.dtype) if self._gather or self._sparse else None
        )
        self._Y_batch: FloatArray | None = np.empty((m, Y.shape[1]), Y.dtype) if self._gather else None

    @property
    def n_batches(self) -> int:
        return -(-self.n_samples // self.batch_size)

    def target_scale(self) -> float:
        """max |Y|: the divergence guard does not call weights of the targets' size large."""
        return float(np.max(np.abs(self.Y)))

    def epoch(self, rng: np.random.Generator) -> Iterator[Batch]:
        """Yield ``(X_batch, Y_batch, w_batch)`` for one pass over the data (``w_batch`` may be None)."""
        X, Y, sw, m, n = self.X, self.Y, self.sample_weight, self.batch_size, self.n_samples
        order = rng.permutation(n) if self._gather else None
        # The buffers exist wherever they are used: X's to gather or densify rows, Y's to gather.
        X_buffer, Y_buffer = cast(FloatArray, self._X_batch), cast(FloatArray, self._Y_batch)
        for start in range(0, n, m):
            stop = min(start + m, n)
            size = stop - start
            if order is not None:
                idx = order[start:stop]
                Xb = (
                    X[idx].toarray(out=X_buffer[:size])
                    if self._sparse
                    else X.take(idx, axis=0, out=X_buffer[:size], mode="clip")
                )  # the method: np.take
                Yb = Y.take(idx, axis=0, out=Y_buffer[:size], mode="clip")  # adds ~1 µs of wrapper
                yield Xb, Yb, None if sw is None else sw[idx]
            else:
                Xb = X[start:stop].toarray(out=X_buffer[:size]) if self._sparse else X[start:stop]
                yield Xb, Y[start:stop], None if sw is None else sw[start:stop]
