"""Preparing data: train/test split, standardization, one-hot encoding.

Preparation follows the one rule that keeps a test score honest: whatever is
learned from data -- the mean and scale of :class:`Standardizer`, the classes
of :func:`one_hot` -- is learned from the *training* split only and then applied
unchanged to the test split.
"""

from __future__ import annotations

import math
import numbers
from typing import Any, Self, overload

import numpy as np

from .._typing import ArrayLike, FloatArray, IntArray, NDArray, RandomState
from .._validation import check_random_state, check_X

# --------------------------------------------------------------------------- splitting


def train_test_split(
    X: ArrayLike,
    y: ArrayLike,
    test_size: float = 0.2,
    stratify: bool | None = None,
    random_state: RandomState = None,
) -> tuple[NDArray[Any], NDArray[Any], NDArray[Any], NDArray[Any]]:
    """Shuffle and split ``(X, y)`` into a training and a test part.

    A *stratified* split keeps each class's share the same in both parts (to
    within one sample), so a rare class cannot vanish from the test set by bad
    luck. Every class then appears in both parts whenever that is possible.

    Parameters
    ----------
    X : array of shape (n_samples, ...)
    y : array of shape (n_samples,) or (n_samples, n_outputs)
    test_size : float in (0, 1) or int
        Fraction of the samples (rounded up) or number of samples for the test part.
    stratify : None, True or False
        ``True`` stratifies on the labels ``y`` (errors if impossible); ``False``
        does a plain shuffled split; ``None`` (auto) stratifies when ``y`` looks
        like class labels -- 1-D with an int, bool or string dtype -- and falls
        back to a plain split if some class has fewer than 2 samples.
    random_state : None, int or numpy.random.Generator

    Returns
    -------
    X_train, X_test, y_train, y_test : arrays
    """
    X, y = np.asarray(X), np.asarray(y)
    if X.ndim == 0 or y.ndim == 0:
        raise ValueError("X and y must be arrays with one row per sample, got a scalar")
    n = len(X)
    if len(y) != n:
        raise ValueError(f"X and y have different numbers of samples: {n} and {len(y)}")
    if n < 2:
        raise ValueError(f"need at least 2 samples to split, got {n}")
    n_test = _n_test(test_size, n)
    if stratify not in (None, True, False):
        raise ValueError(f"stratify must be None (auto), True or False, got {stratify!r}")
    rng = check_random_state(random_state)

    if stratify is None:
        looks_like_labels = y.ndim == 1 and y.dtype.kind in "iubUSO"
        stratify = looks_like_labels and _stratify_problem(y, n_test) is None
    elif stratify:
        if y.ndim != 1:
            raise ValueError(f"stratify=True needs 1-D class labels y, got shape {y.shape}")
        _check_labels(y, "y")
        problem = _stratify_problem(y, n_test)
        if problem is not None:
            raise ValueError(f"cannot stratify: {problem}; use stratify=False")

    if stratify:
        test_idx = _stratified_test_indices(y, n_test, rng)
        is_test = np.zeros(n, dtype=bool)
        is_test[test_idx] = True
        train_idx = rng.permutation(np.flatnonzero(~is_test))
        test_idx = rng.permutation(test_idx)
    else:
        order = rng.permutation(n)
        test_idx, train_idx = order[:n_test], order[n_test:]
    return X[train_idx], X[test_idx], y[train_idx], y[test_idx]


def _n_test(test_size: float, n: int) -> int:
    """Number of test samples, leaving at least one on each side."""
    if isinstance(test_size, numbers.Integral) and not isinstance(test_size, bool):
        if not 1 <= test_size <= n - 1:
            raise ValueError(
                f"test_size as a count must be between 1 and n_samples - 1 = {n - 1}, got {test_size}"
            )
        return int(test_size)
    if isinstance(test_size, bool) or not isinstance(test_size, numbers.Real) or not 0 < test_size < 1:
        raise ValueError(f"test_size must be a fraction in (0, 1) or a number of samples, got {test_size!r}")
    n_test = math.ceil(test_size * n)
    if n_test > n - 1:
        raise ValueError(f"test_size={test_size} of {n} samples leaves no training samples")
    return n_test


def _stratify_problem(y: NDArray[Any], n_test: int) -> str | None:
    """Why every class cannot be in both parts, or ``None`` if it can."""
    classes, counts = np.unique(y, return_counts=True)
    k = len(classes)
    if counts.min() < 2:
        return f"class {classes[counts.argmin()].item()!r} has only 1 sample"
    if n_test < k:
        return f"the test part ({n_test} samples) is smaller than the number of classes ({k})"
    if len(y) - n_test < k:
        return f"the training part ({len(y) - n_test} samples) is smaller than the number of classes ({k})"
    return None


def _stratified_test_indices(y: NDArray[Any], n_test: int, rng: np.random.Generator) -> IntArray:
    """Pick ``n_test`` indices with each class's share rounded to floor or ceil."""
    classes, y_index, counts = np.unique(y, return_inverse=True, return_counts=True)
    ideal = n_test * counts / len(y)  # the exact (fractional) share per class
    take = np.floor(ideal).astype(int)
    # hand out the samples lost to rounding down, largest fractional part first
    short = n_test - take.sum()
    take[np.argsort(-(ideal - take), kind="stable")[:short]] += 1
    # every class at least once in test and at least once in train
    while np.any(take < 1):
        donor = np.argmax(np.where(take > 1, take - ideal, -np.inf))
        take[np.argmin(take)] += 1
        take[donor] -= 1
    while np.any(take > counts - 1):
        receiver = np.argmin(np.where(take < counts - 1, take - ideal, np.inf))
        take[np.argmax(take - (counts - 1))] -= 1
        take[receiver] += 1
    chosen = [rng.permutation(np.flatnonzero(y_index == c))[: take[c]] for c in range(len(classes))]
    return np.concatenate(chosen)


# --------------------------------------------------------------------------- scaling


class Standardizer:
    """Rescale each feature to mean 0 and standard deviation 1: ``(X - mean_) / scale_``.

    Gradient descent converges much faster when features share one scale. Fit
    on the training split only: the test split must be transformed with the
    *training* statistics, as new data would be.

    Attributes
    ----------
    mean_ : ndarray of shape (n_features,)
    scale_ : ndarray of shape (n_features,)
        Standard deviation of each feature; 1 for a constant feature, so it
        maps to 0 instead of dividing by zero.
    """

    mean_: FloatArray
    scale_: FloatArray

    def fit(self, X: ArrayLike) -> Self:
        """Learn ``mean_`` and ``scale_`` from ``X`` of shape (n_samples, n_features)."""
        data: FloatArray = check_X(X)
        mean = data.mean(axis=0, dtype=np.float64)
        std = data.std(axis=0, dtype=np.float64)
        # a constant column can come out with a tiny rounding-error std instead of 0
        constant = std <= 10 * np.finfo(data.dtype).eps * np.abs(mean)
        std[constant] = 1.0
        self.mean_, self.scale_ = mean.astype(data.dtype), std.astype(data.dtype)
        return self

    def transform(self, X: ArrayLike) -> FloatArray:
        """``(X - mean_) / scale_``, same shape and float dtype as ``X``."""
        X = self._check(X)
        return (X - self.mean_.astype(X.dtype)) / self.scale_.astype(X.dtype)

    def fit_transform(self, X: ArrayLike) -> FloatArray:
        return self.fit(X).transform(X)

    def inverse_transform(self, X: ArrayLike) -> FloatArray:
        """``X * scale_ + mean_``: back to the original units."""
        X = self._check(X)
        return X * self.scale_.astype(X.dtype) + self.mean_.astype(X.dtype)

    def _check(self, X: ArrayLike) -> FloatArray:
        if not hasattr(self, "mean_"):
            raise ValueError("this Standardizer is not fitted yet: call fit(X_train) first")
        data: FloatArray = check_X(X)
        if data.shape[1] != len(self.mean_):
            raise ValueError(
                f"X has {data.shape[1]} features, but the Standardizer was fitted on {len(self.mean_)}"
            )
        return data

    def __repr__(self) -> str:
        fitted = f"n_features={len(self.mean_)}" if hasattr(self, "mean_") else "not fitted"
        return f"Standardizer({fitted})"


@overload
def standardize(X_train: ArrayLike, /) -> tuple[FloatArray, Standardizer]: ...


@overload
def standardize(X_train: ArrayLike, X_other: ArrayLike, /) -> tuple[FloatArray, FloatArray, Standardizer]: ...


@overload
def standardize(X_train: ArrayLike, /, *others: ArrayLike | None) -> tuple[Any, ...]: ...


def standardize(X_train: ArrayLike, *others: ArrayLike | None) -> tuple[Any, ...]:
    """Fit a :class:`Standardizer` on ``X_train`` and apply it to it and to ``others``.

    ::

        X_train, X_test, scaler = standardize(X_train, X_test)

    Returns
    -------
    (X_train_std, *others_std, scaler) : arrays, then the fitted Standardizer
        An entry of ``others`` that is ``None`` comes back as ``None``.
    """
    scaler = Standardizer().fit(X_train)
    transformed = [None if X is None else scaler.transform(X) for X in others]
    return (scaler.transform(X_train), *transformed, scaler)


# --------------------------------------------------------------------------- encoding


def one_hot(y: ArrayLike, classes: ArrayLike | None = None) -> tuple[FloatArray, NDArray[Any]]:
    """Encode labels as one-hot rows: ``Y[i, j] = 1`` if ``y[i] == classes[j]``.

    Parameters
    ----------
    y : array of shape (n_samples,)
        Labels of any type (ints, strings, ...).
    classes : sequence, optional
        The label of each column. Default: the sorted unique labels of ``y``.
        Pass the training classes when encoding test labels, so the columns agree.

    Returns
    -------
    Y : ndarray of shape (n_samples, n_classes), float64
    classes : ndarray of shape (n_classes,)
    """
    y = np.asarray(y)
    if y.ndim == 2 and y.shape[1] == 1:
        y = y.ravel()
    if y.ndim != 1:
        raise ValueError(f"y must be 1-D labels, got shape {y.shape}")
    if len(y) == 0:
        raise ValueError("y is empty")
    _check_labels(y, "y")
    try:
        labels, inverse = np.unique(y, return_inverse=True)
    except TypeError:  # an object array mixing, say, numbers and None
        types = sorted({type(v).__name__ for v in y.tolist()})
        raise ValueError(
            f"y mixes labels of types that cannot be sorted together: {', '.join(types)}"
        ) from None
    if classes is None:
        classes, column = labels, inverse.ravel()
    else:
        classes = np.asarray(classes)
        if classes.ndim != 1 or len(classes) == 0:
            raise ValueError(f"classes must be a non-empty 1-D sequence, got shape {classes.shape}")
        _check_labels(classes, "classes")
        position = {c: j for j, c in enumerate(classes.tolist())}
        if len(position) != len(classes):
            raise ValueError(f"classes contains duplicates: {classes.tolist()}")
        missing = [label for label in labels.tolist() if label not in position]
        if missing:
            raise ValueError(f"label {missing[0]!r} is not one of the classes {classes.tolist()}")
        column = np.array([position[label] for label in labels.tolist()])[inverse.ravel()]
    Y = np.zeros((len(y), len(classes)))
    Y[np.arange(len(y)), column] = 1.0
    return Y, classes


def _check_labels(labels: NDArray[Any], name: str) -> None:
    """A clear ``ValueError`` if ``labels`` holds NaN or an infinity: a missing value is no class."""
    if labels.dtype.kind == "O":  # labels of several types: look at the floats among them
        labels = np.array(
            [v for v in labels.tolist() if isinstance(v, float | np.floating)], dtype=np.float64
        )
    if labels.dtype.kind in "fc" and not np.isfinite(labels).all():
        bad = "NaN" if np.isnan(labels).any() else "infinite"
        raise ValueError(f"{name} contains {bad} values, which cannot be class labels")


def from_one_hot(Y: ArrayLike, classes: ArrayLike | None = None) -> NDArray[Any]:
    """Labels from one-hot rows or class scores: ``classes[argmax(Y, axis=1)]``.

    Parameters
    ----------
    Y : array of shape (n_samples, n_classes)
    classes : sequence of length n_classes, optional
        Default: the column indices ``0 .. n_classes - 1``.

    Returns
    -------
    y : ndarray of shape (n_samples,)
    """
    Y = np.asarray(Y)
    if Y.ndim != 2 or Y.shape[1] == 0:
        raise ValueError(f"Y must be 2-D (n_samples, n_classes) with at least one class, got shape {Y.shape}")
    if Y.dtype.kind not in "biuf":
        raise ValueError(f"Y must hold numbers (one-hot rows or class scores), got dtype {Y.dtype}")
    if not np.isfinite(Y).all():
        raise ValueError("Y contains NaN or infinite scores: no class can be read from them")
    index = Y.argmax(axis=1)
    if classes is None:
        return index
    classes = np.asarray(classes)
    if len(classes) != Y.shape[1]:
        raise ValueError(f"Y has {Y.shape[1]} columns but {len(classes)} classes were given")
    return classes[index]
