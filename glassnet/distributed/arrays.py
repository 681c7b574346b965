"""Dask collections as training data: recognized, lined up block by block, and read once for the targets.

A Dask array is a grid of NumPy blocks that live on the workers. glassnet trains on
its *row blocks*: ``X`` is cut into blocks of rows (its columns kept whole), and ``y``
and the sample weights must be cut into the same blocks, so that block ``b`` of each
describes the same samples and can be processed where it lives, without ever
gathering ``X``. A Dask DataFrame or Series becomes such an array (its partition
lengths computed once); ``y`` or weights in memory beside a Dask ``X`` are cut like it.

Nothing here imports Dask at module level: :func:`is_dask_collection` only asks Dask
about a value once Dask has been imported (a Dask collection cannot exist before).
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import dask.array as da

    from .._typing import NDArray


def is_dask_collection(*values: object) -> bool:
    """Whether any of ``values`` is a Dask collection (array, DataFrame, Series, delayed).

    Dask itself is never imported to find out: if it has not been imported, no value
    can be one of its collections.
    """
    dask = sys.modules.get("dask")
    return dask is not None and any(v is not None and dask.is_dask_collection(v) for v in values)


def as_dask_rows(value: Any, name: str, chunks: tuple[int, ...] | None = None) -> da.Array:
    """``value`` as a Dask array with known row-block sizes and its columns in one block.

    Parameters
    ----------
    value : Dask array, DataFrame or Series; or array-like when ``chunks`` is given
    name : str
        Named in error messages.
    chunks : tuple of int, optional
        Row blocks to cut an in-memory ``value`` into (those of ``X``).
    """
    import dask.array as da

    if not is_dask_collection(value):
        if chunks is None:
            raise TypeError(f"{name} must be a Dask array, DataFrame or Series, got {type(value).__name__}")
        value = np.asarray(value)
        if value.ndim == 0 or value.shape[0] != sum(chunks):
            got = 0 if value.ndim == 0 else value.shape[0]
            raise ValueError(f"X and {name} have different numbers of samples: {sum(chunks)} and {got}")
        return da.from_array(value, chunks=(chunks, *value.shape[1:]))
    if hasattr(value, "to_dask_array"):  # a Dask DataFrame or Series
        value = value.to_dask_array(lengths=True)
    if not isinstance(value, da.Array):
        raise TypeError(f"{name} must be a Dask array, DataFrame or Series, got {type(value).__name__}")
    if any(np.isnan(size) for size in value.chunks[0]):  # e.g. after boolean indexing
        value = value.compute_chunk_sizes()
    if value.ndim == 2 and len(value.chunks[1]) > 1:
        value = value.rechunk({1: -1})
    return value


def line_up(X: Any, y: Any, sample_weight: Any = None) -> tuple[da.Array, da.Array, da.Array | None]:
    """``(X, y, sample_weight)`` as Dask arrays cut into the same row blocks, or a clear error.

    ``X`` must be a 2-D numeric Dask collection; ``y`` (1-D or 2-D) and ``sample_weight``
    (1-D) may be Dask collections or in memory. Blocks that differ are an error naming
    both, rather than a silent rechunk that would move data between workers.
    """
    if not is_dask_collection(X):
        raise TypeError(
            "y or sample_weight is a Dask collection but X is not: pass X as a Dask array "
            "or DataFrame too (X is what stays on the cluster)"
        )
    X = as_dask_rows(X, "X")
    if X.ndim != 2:
        raise ValueError(f"X must be 2-D (n_samples, n_features), got a Dask array of shape {X.shape}")
    if X.shape[0] == 0 or X.shape[1] == 0:
        raise ValueError(f"X is empty: it has shape {X.shape}")
    if X.dtype.kind not in "fiub":
        raise ValueError(f"X must be numeric, got values of type {X.dtype}")
    y = as_dask_rows(y, "y", X.chunks[0])
    if y.ndim not in (1, 2):
        raise ValueError(f"y must be 1-D or 2-D, got a Dask array of shape {y.shape}")
    _check_same_blocks(X, y, "y")
    if sample_weight is not None:
        sample_weight = as_dask_rows(sample_weight, "sample_weight", X.chunks[0])
        if sample_weight.ndim != 1:
            raise ValueError(f"sample_weight must be 1-D, got shape {sample_weight.shape}")
        if sample_weight.dtype.kind not in "fiub":
            raise ValueError(f"sample_weight must be numeric, got values of type {sample_weight.dtype}")
        _check_same_blocks(X, sample_weight, "sample_weight")
    return X, y, sample_weight


def _check_same_blocks(X: da.Array, other: da.Array, name: str) -> None:
    if other.shape[0] != X.shape[0]:
        raise ValueError(f"X and {name} have different numbers of samples: {X.shape[0]} and {other.shape[0]}")
    if other.chunks[0] != X.chunks[0]:
        raise ValueError(
            f"X and {name} are cut into different row blocks: X into {_blocks(X)}, {name} "
            f"into {_blocks(other)}; cut them alike, e.g. {name} = {name}.rechunk({{0: X.chunks[0]}})"
        )


def _blocks(array: da.Array, most: int = 6) -> str:
    sizes = array.chunks[0]
    shown = ", ".join(map(str, sizes[:most]))
    return f"{len(sizes)} blocks of ({shown}{', …' if len(sizes) > most else ''}) rows"


def feature_names(X: Any) -> NDArray[np.object_] | None:
    """The column names of a Dask DataFrame (all strings), else None: scikit-learn's ``feature_names_in_``."""
    columns = getattr(X, "columns", None)
    if columns is None or not all(isinstance(c, str) for c in columns):
        return None
    return np.asarray(list(columns), dtype=object)


def float_dtype(X: da.Array) -> np.dtype[Any]:
    """The dtype glassnet computes in for ``X``: float32 kept, anything else float64."""
    return X.dtype if X.dtype in (np.float32, np.float64) else np.dtype(np.float64)


def first_pass(y: da.Array, sample_weight: da.Array | None = None, labels: bool = False) -> dict[str, Any]:
    """One pass over the targets and weights (never ``X``), computed on the workers.

    Returns a dict: ``classes`` and ``counts`` (with ``labels``), ``scale`` = max |y|
    (numeric targets, for the divergence guard), ``weight`` = Σ w (with weights).
    NaN or infinite numbers, negative weights and weights summing to 0 are errors.
    """
    import dask
    import dask.array as da

    todo: dict[str, Any] = {}
    if labels:
        todo["classes"], todo["counts"] = da.unique(y.ravel(), return_counts=True)
    elif y.dtype.kind not in "fiub":
        raise ValueError(f"y must be numeric here, got values of type {y.dtype}")
    else:
        todo["scale"] = abs(y).max()
    if sample_weight is not None:
        todo["weight"], todo["lowest"] = sample_weight.sum(), sample_weight.min()
    (found,) = dask.compute(todo)
    if "scale" in found:
        if not np.isfinite(found["scale"]):
            raise ValueError("y contains NaN or infinite values")
        found["scale"] = float(found["scale"])
    if sample_weight is not None and not (
        np.isfinite(found["weight"]) and found["lowest"] >= 0 and found["weight"] > 0
    ):
        raise ValueError("sample_weight must be finite, non-negative and not all zero")
    return found
