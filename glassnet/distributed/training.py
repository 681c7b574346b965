""":func:`glassnet.train` and :func:`glassnet.minimize_lbfgs` on Dask collections.

The network's head encodes the targets on the workers, block by block; it learns
the classes first, in one pass over ``y`` (never over ``X``). ``train`` then
streams the blocks to its loop (:class:`~.blocks.BlockBatches`); ``minimize_lbfgs``
reduces the loss and gradient over them (:mod:`glassnet.distributed.lbfgs`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from numpy.typing import DTypeLike

from .._typing import ArrayLike, FloatArray
from .._validation import check_X
from .arrays import first_pass, float_dtype, is_dask_collection, line_up
from .blocks import BlockBatches, BlockData
from .cluster import current_client

if TYPE_CHECKING:
    import numpy as np

    from ..heads import Head
    from ..network import Network
    from ..training import Validation


class HeadEncoder:
    """``(y_b, w_b) ↦ (Y_b, w_b)``: a block's targets encoded by the network's head.

    A small object rather than a closure, because it is sent to the workers.
    """

    def __init__(self, head: Head, n_outputs: int, dtype: DTypeLike) -> None:
        self.head, self.n_outputs, self.dtype = head, n_outputs, dtype

    def __call__(self, y_b: ArrayLike, w_b: FloatArray | None) -> tuple[FloatArray, FloatArray | None]:
        return self.head.encode(y_b, self.n_outputs, self.dtype)[0], w_b


def network_data(net: Network, X: Any, y: Any, sample_weight: Any = None, fit: bool = True) -> BlockData:
    """Dask ``X``, ``y`` (and weights) as :class:`~.blocks.BlockData` for ``net``.

    ``X``'s dtype decides the network's (float32 kept). With ``fit`` the head learns
    what it needs from a first pass over ``y``: the classes of labels, the scale of
    numbers. Nothing is computed on ``X`` until the data is used.
    """
    client = current_client()
    X, y, sample_weight = line_up(X, y, sample_weight)
    dtype = float_dtype(X)
    net.astype(dtype)
    if X.shape[1] != net.n_inputs:
        raise ValueError(f"X has {X.shape[1]} features, but the network expects {net.n_inputs}")
    head = net.head
    labels = head.is_classifier and (y.ndim == 1 or (head.task == "multiclass" and y.shape[1] == 1))
    scale = 1.0
    if fit:
        found = first_pass(y, sample_weight, labels=labels)
        sample = found["classes"] if labels else y[:1].compute()  # one row tells the targets' shape
        head.encode(sample, net.n_outputs, dtype, fit=True)
        scale = found.get("scale", 1.0)
    encode = HeadEncoder(head, net.n_outputs, dtype)
    return BlockData.from_arrays(client, X, y, sample_weight, encode, net.n_outputs, dtype, scale)


def streaming_data(
    net: Network,
    X: Any,
    y: Any,
    sample_weight: Any,
    validation: tuple[Any, Any] | float | None,
    batch_size: int | None,
    shuffle: bool,
    rng: np.random.Generator,
) -> tuple[BlockBatches, Validation]:
    """``(batches, validation)`` for the training loop over Dask collections.

    ``validation`` is None, ``(X_val, y_val)`` (in memory or Dask), or a fraction of
    each block held out on the cluster (drawn at random, not stratified). Held-out
    rows stay on the workers: each epoch only their outputs ``Ŷ`` are gathered.
    """
    from ..training import encode_targets

    data = network_data(net, X, y, sample_weight)
    held: Validation = None
    if isinstance(validation, (tuple, list)) and len(validation) == 2:
        X_val, y_val = validation
        if is_dask_collection(X_val, y_val):
            val = network_data(net, X_val, y_val, fit=False).persist()
            held = (val, val.targets()[0])
        else:
            X_val = check_X(X_val, net.n_inputs, dtype=net.dtype, name="X_val", accept_sparse=True)
            held = (X_val, encode_targets(net, y_val, X_val.shape[0])[0])
    elif validation is not None:
        if isinstance(validation, bool) or not isinstance(validation, (int, float)) or not 0 < validation < 1:
            raise ValueError(
                "validation must be (X_val, y_val) or a fraction in (0, 1) of the training "
                f"data to hold out, got {validation!r}"
            )
        data, val = data.split(validation, int(rng.integers(2**31)))
        val = val.persist()
        held = (val, val.targets()[0])
    return data.batches(batch_size, shuffle), held
