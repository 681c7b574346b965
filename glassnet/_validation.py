"""Input checks shared by the engine: every message names the problem."""

from __future__ import annotations

import math
import numbers
import sys
from typing import TYPE_CHECKING, Any, Literal, TypeVar, cast, overload

import numpy as np
from numpy.typing import DTypeLike

from ._typing import ArrayLike, FloatArray, RandomState

if TYPE_CHECKING:
    from scipy.sparse import spmatrix

_Array = TypeVar("_Array", bound="np.ndarray[Any, Any] | None")
_Value = TypeVar("_Value", bound="float | None")


def issparse(X: object) -> bool:
    """``scipy.sparse.issparse(X)``, without importing SciPy's sparse module (0.1 s of
    ``import glassnet``): no sparse matrix exists before someone imported it."""
    sparse = sys.modules.get("scipy.sparse")
    return sparse is not None and bool(sparse.issparse(X))


def check_random_state(random_state: RandomState) -> np.random.Generator:
    """A ``numpy.random.Generator`` from ``None``, an int seed, or a Generator."""
    if random_state is None:
        return np.random.default_rng()
    if isinstance(random_state, np.random.Generator):
        return random_state
    if isinstance(random_state, np.random.RandomState):
        return np.random.default_rng(random_state.randint(0, 2**31 - 1))
    if isinstance(random_state, numbers.Integral) and not isinstance(random_state, bool):
        if random_state < 0:
            raise ValueError(f"random_state must be a non-negative integer, got {random_state}")
        return np.random.default_rng(int(random_state))
    raise ValueError(f"random_state must be None, an int or a numpy Generator, got {random_state!r}")


@overload
def check_X(
    X: ArrayLike | spmatrix,
    n_features: int | None = ...,
    dtype: DTypeLike | None = ...,
    name: str = ...,
    finite: bool = ...,
    accept_sparse: Literal[False] = ...,
) -> FloatArray: ...
@overload
def check_X(
    X: ArrayLike | spmatrix,
    n_features: int | None = ...,
    dtype: DTypeLike | None = ...,
    name: str = ...,
    finite: bool = ...,
    *,
    accept_sparse: bool,
) -> Any: ...  # an ndarray, or a CSR matrix where accept_sparse
def check_X(
    X: Any,
    n_features: int | None = None,
    dtype: DTypeLike | None = None,
    name: str = "X",
    finite: bool = True,
    accept_sparse: bool = False,
) -> Any:
    """A 2-D, non-empty, finite float array (float32 kept, anything else → float64).

    ``finite=False`` leaves the NaN/inf check to the caller (see :func:`check_finite`).
    A SciPy sparse matrix stays sparse (as CSR, whose rows the caller densifies a
    batch at a time) where ``accept_sparse``, and has its stored values checked;
    elsewhere it is made dense.
    """
    sparse = issparse(X)
    if sparse and not accept_sparse:
        X, sparse = X.toarray(), False
    if not sparse:
        try:
            X = np.asarray(X)
        except Exception as exc:  # ragged lists and the like
            raise ValueError(f"{name} could not be read as an array: {exc}") from None
    if X.ndim == 1:
        raise ValueError(
            f"{name} must be 2-D (n_samples, n_features), got a 1-D array of shape {X.shape}; "
            "use X.reshape(-1, 1) for a single feature or X.reshape(1, -1) for a single sample"
        )
    if X.ndim != 2:
        raise ValueError(f"{name} must be 2-D (n_samples, n_features), got shape {X.shape}")
    if X.shape[0] == 0:
        raise ValueError(f"{name} is empty: it has 0 samples")
    if X.shape[1] == 0:
        raise ValueError(f"{name} has 0 features")
    if X.dtype.kind == "c":
        raise ValueError(f"{name} has complex values; glassnet works with real numbers")
    if X.dtype.kind not in "fiub":
        try:
            X = X.astype(np.float64)
        except (TypeError, ValueError):
            raise ValueError(f"{name} must be numeric, got values of type {X.dtype}") from None
    target = dtype if dtype is not None else (X.dtype if X.dtype in (np.float32, np.float64) else np.float64)
    if sparse:
        X = X.tocsr().astype(target, copy=False)
        check_finite(X.data, name)  # cheap, so always: the entries not stored are 0
    else:
        X = aligned(np.ascontiguousarray(X, dtype=target))
        if finite:
            check_finite(X, name)
    if n_features is not None and X.shape[1] != n_features:
        raise ValueError(f"{name} has {X.shape[1]} features, but the network expects {n_features}")
    return X


def aligned(array: _Array) -> _Array:
    """``array``, copied if its data does not start at an address aligned for its dtype.

    An array read from a network message (a Dask result gathered to the client, a
    block sent between workers) can start at any byte of that message. NumPy works
    on it, but its row gathers run about 200 times slower (measured: 170 µs instead
    of 0.8 µs for 200 rows of 20 float32 values), so such an array is copied once.
    """
    return array if array is None or array.flags.aligned else cast("_Array", array.copy())


def check_finite(X: np.ndarray[Any, Any], name: str = "X") -> None:
    """A clear ``ValueError`` naming NaN or inf if ``X`` holds any, else nothing."""
    # A finite sum means finite entries, and needs no n-sized temporary as isfinite(X)
    # does (784 MB for a million MNIST rows); only an inf/NaN sum looks entry by entry.
    with np.errstate(over="ignore", invalid="ignore"):  # a huge finite sum may overflow
        finite = np.isfinite(X.sum()) or np.isfinite(X).all()
    if not finite:
        bad = "NaN" if np.isnan(X).any() else "infinite"
        raise ValueError(f"{name} contains {bad} values")


def check_Y_for_network(
    Y: ArrayLike, n_samples: int, n_outputs: int, dtype: DTypeLike, name: str = "Y"
) -> FloatArray:
    """Numeric targets shaped ``(n_samples, n_outputs)``; a 1-D vector counts as one output."""
    Y = np.asarray(Y)
    if Y.dtype.kind == "c":
        raise ValueError(f"{name} has complex values; glassnet works with real numbers")
    if Y.dtype.kind not in "fiub":
        raise ValueError(f"{name} must be numeric here (encode labels first, e.g. with glassnet.one_hot)")
    if Y.ndim == 1:
        Y = Y.reshape(-1, 1)
    if Y.ndim != 2:
        raise ValueError(f"{name} must be 1-D or 2-D, got shape {Y.shape}")
    if Y.shape[0] != n_samples:
        raise ValueError(f"X and {name} have different numbers of samples: {n_samples} and {Y.shape[0]}")
    if Y.shape[1] != n_outputs:
        raise ValueError(f"{name} has {Y.shape[1]} columns, but the network has {n_outputs} outputs")
    Y = np.ascontiguousarray(Y, dtype=dtype)
    if not np.isfinite(Y).all():
        bad = "NaN" if np.isnan(Y).any() else "infinite"
        raise ValueError(f"{name} contains {bad} values")
    return Y


def check_positive(value: _Value, name: str, integer: bool = False, allow_none: bool = False) -> _Value:
    """``value > 0`` (and an integer when ``integer``), or a clear ``ValueError``."""
    if value is None and allow_none:
        return value
    kind = numbers.Integral if integer else numbers.Real
    if isinstance(value, bool) or not isinstance(value, kind) or not _finite(value) or value <= 0:
        what = "a positive integer" if integer else "a positive number"
        raise ValueError(f"{name} must be {what}, got {value!r}")
    return value


def check_non_negative(value: _Value, name: str) -> _Value:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not _finite(value) or value < 0:
        raise ValueError(f"{name} must be a non-negative number, got {value!r}")
    return value


def check_sample_weight(sample_weight: ArrayLike | None, n: int, dtype: DTypeLike) -> FloatArray | None:
    """``sample_weight`` as a vector of ``n`` finite, non-negative weights, not all zero (or None)."""
    if sample_weight is None:
        return None
    sw = np.asarray(sample_weight, dtype=dtype).reshape(-1)
    if sw.shape[0] != n:
        raise ValueError(f"sample_weight has {sw.shape[0]} entries but X has {n} samples")
    if not np.isfinite(sw).all() or (sw < 0).any() or sw.sum() <= 0:
        raise ValueError("sample_weight must be finite, non-negative and not all zero")
    return sw


def _finite(value: numbers.Real) -> bool:
    """Not NaN or infinite; an integer always is (even past float64's range, which
    ``np.isfinite`` cannot take)."""
    return isinstance(value, numbers.Integral) or math.isfinite(value)
