"""Data: toy problems, bundled datasets, your own files, and the usual preparation.

Every generator has the same shape of call and answer::

    X, y = generator(n_samples=..., noise=..., random_state=None)

``X`` is a float64 array of shape ``(n_samples, n_features)`` and ``y`` an int
array of shape ``(n_samples,)`` with labels ``0 .. n_classes - 1``. Samples come
grouped by class (not shuffled); :func:`train_test_split` shuffles.
Randomness comes only from ``numpy.random.default_rng(random_state)``, so the
same seed always gives the same data.

Preparation follows the one rule that keeps a test score honest: whatever is
learned from data -- the mean and scale of :class:`Standardizer`, the classes
of :func:`one_hot` -- is learned from the *training* split only and then applied
unchanged to the test split.
"""

from __future__ import annotations

import codecs
import collections
import csv
import math
import numbers
from pathlib import Path

import numpy as np

from ._npzcheck import clip, load_npy, open_npz, short
from ._validation import check_non_negative, check_positive, check_random_state, check_X

__all__ = [
    "xor", "moons", "circles", "spirals", "blobs", "classification",
    "train_test_split", "Standardizer", "standardize", "one_hot", "from_one_hot",
    "load_dataset", "load_csv", "load_npz", "save_csv",
]


# --------------------------------------------------------------------------- generators

MAX_SAMPLES = 10_000_000
"""The most points a generator draws: a size from a command line or a model file's
provenance (``glassnet evaluate``) is checked before gigabytes are allocated."""


def _check_n_samples(n_samples, minimum=1):
    check_positive(n_samples, "n_samples", integer=True)
    if n_samples < minimum:
        raise ValueError(f"n_samples must be at least {minimum} here, got {n_samples}")
    if n_samples > MAX_SAMPLES:
        raise ValueError(f"n_samples must be at most {MAX_SAMPLES:,} (glassnet.data.MAX_SAMPLES), "
                         f"got {n_samples:,}")
    return int(n_samples)


def _split_evenly(n, k):
    """Sizes of ``k`` groups of ``n`` items, as equal as possible (first groups get the extra)."""
    return [n // k + (1 if i < n % k else 0) for i in range(k)]


def xor(n_samples=200, noise=0.0, random_state=None):
    """The XOR problem: four clusters at the corners of the unit square.

    Sample ``i`` sits on corner ``i % 4`` of ``(0,0), (0,1), (1,0), (1,1)`` and its
    label is ``x1 XOR x2``; ``xor(4)`` is exactly the truth table. No single line
    separates the classes, which is why a perceptron needs a hidden layer.

    Parameters
    ----------
    n_samples : int
        Number of points (split as evenly as possible over the 4 corners).
    noise : float
        Standard deviation of Gaussian noise added to each coordinate.
    random_state : None, int or numpy.random.Generator

    Returns
    -------
    X : ndarray of shape (n_samples, 2), float64
    y : ndarray of shape (n_samples,), int, labels ``[0, 1, 1, 0]`` by corner
    """
    n_samples = _check_n_samples(n_samples)
    check_non_negative(noise, "noise")
    rng = check_random_state(random_state)
    corners = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    which = np.arange(n_samples) % 4
    X = corners[which] + noise * rng.standard_normal((n_samples, 2))
    y = np.array([0, 1, 1, 0])[which]
    return X, y


def moons(n_samples=100, noise=0.0, random_state=None):
    """Two interleaving half circles (like scikit-learn's ``make_moons``).

    Class 0 is the upper half of the unit circle centred at ``(0, 0)``; class 1
    the lower half of the unit circle centred at ``(1, 0.5)``::

        class 0:  (cos t, sin t),              t in [0, pi]
        class 1:  (1 - cos t, 0.5 - sin t),    t in [0, pi]

    Parameters
    ----------
    n_samples : int
        Total number of points; class 0 gets ``n_samples // 2``.
    noise : float
        Standard deviation of Gaussian noise added to each coordinate.
    random_state : None, int or numpy.random.Generator

    Returns
    -------
    X : ndarray of shape (n_samples, 2), float64
    y : ndarray of shape (n_samples,), int in {0, 1}
    """
    n_samples = _check_n_samples(n_samples, minimum=2)
    check_non_negative(noise, "noise")
    rng = check_random_state(random_state)
    n_outer, n_inner = n_samples // 2, n_samples - n_samples // 2
    t_outer = np.linspace(0.0, np.pi, n_outer)
    t_inner = np.linspace(0.0, np.pi, n_inner)
    outer = np.column_stack([np.cos(t_outer), np.sin(t_outer)])
    inner = np.column_stack([1.0 - np.cos(t_inner), 0.5 - np.sin(t_inner)])
    return _two_classes(outer, inner, noise, rng)


def circles(n_samples=100, noise=0.0, factor=0.5, random_state=None):
    """Two concentric circles: class 0 on radius 1, class 1 on radius ``factor``.

    Parameters
    ----------
    n_samples : int
        Total number of points; class 0 (outer) gets ``n_samples // 2``.
    noise : float
        Standard deviation of Gaussian noise added to each coordinate.
    factor : float in (0, 1)
        Radius of the inner circle relative to the outer one.
    random_state : None, int or numpy.random.Generator

    Returns
    -------
    X : ndarray of shape (n_samples, 2), float64
    y : ndarray of shape (n_samples,), int in {0, 1}
    """
    n_samples = _check_n_samples(n_samples, minimum=2)
    check_non_negative(noise, "noise")
    if isinstance(factor, bool) or not isinstance(factor, numbers.Real) or not 0 < factor < 1:
        raise ValueError(f"factor must be a number in (0, 1), got {factor!r}")
    rng = check_random_state(random_state)
    n_outer, n_inner = n_samples // 2, n_samples - n_samples // 2
    # endpoint=False: 0 and 2*pi are the same point, so don't draw it twice
    t_outer = np.linspace(0.0, 2 * np.pi, n_outer, endpoint=False)
    t_inner = np.linspace(0.0, 2 * np.pi, n_inner, endpoint=False)
    outer = np.column_stack([np.cos(t_outer), np.sin(t_outer)])
    inner = factor * np.column_stack([np.cos(t_inner), np.sin(t_inner)])
    return _two_classes(outer, inner, noise, rng)


def _two_classes(points_0, points_1, noise, rng):
    """Stack class 0's and class 1's points, add Gaussian noise, label them 0 and 1."""
    X = np.vstack([points_0, points_1])
    X += noise * rng.standard_normal(X.shape)
    y = np.repeat([0, 1], [len(points_0), len(points_1)])
    return X, y


def spirals(n_samples=100, noise=0.0, n_classes=2, random_state=None):
    """Interleaved spiral arms, one per class (the CS231n toy problem).

    Along arm ``k`` the radius grows linearly from 0 to 1 while the angle
    sweeps 4 radians, starting where the previous arm ended::

        r = linspace(0, 1),  theta = linspace(4k, 4k + 4) + noise * N(0, 1)
        x = (r sin theta, r cos theta)

    Parameters
    ----------
    n_samples : int
        Total number of points, split as evenly as possible over the arms.
    noise : float
        Standard deviation of the Gaussian jitter on the angle, in radians
        (CS231n uses 0.2).
    n_classes : int
        Number of arms (classes), at least 2.
    random_state : None, int or numpy.random.Generator

    Returns
    -------
    X : ndarray of shape (n_samples, 2), float64, inside the unit disc
    y : ndarray of shape (n_samples,), int in ``0 .. n_classes - 1``
    """
    check_positive(n_classes, "n_classes", integer=True)
    if n_classes < 2:
        raise ValueError(f"n_classes must be at least 2, got {n_classes}")
    n_samples = _check_n_samples(n_samples, minimum=n_classes)
    check_non_negative(noise, "noise")
    rng = check_random_state(random_state)
    sizes = _split_evenly(n_samples, n_classes)
    X_parts = []
    for k, size in enumerate(sizes):
        r = np.linspace(0.0, 1.0, size)
        theta = np.linspace(4.0 * k, 4.0 * (k + 1), size) + noise * rng.standard_normal(size)
        X_parts.append(np.column_stack([r * np.sin(theta), r * np.cos(theta)]))
    return np.vstack(X_parts), np.repeat(np.arange(n_classes), sizes)


def blobs(n_samples=100, n_features=2, centers=3, cluster_std=1.0, noise=None, random_state=None):
    """Isotropic Gaussian blobs, one per class.

    Parameters
    ----------
    n_samples : int
        Total number of points, split as evenly as possible over the blobs.
    n_features : int
        Dimension of each point (ignored when ``centers`` is an array).
    centers : int or array of shape (n_centers, n_features)
        The number of blobs (their centres drawn uniformly in ``[-10, 10]``),
        or the centres themselves.
    cluster_std : float or sequence of floats, one per centre
        Standard deviation of each blob.
    noise : float, optional
        Another name for ``cluster_std``, so that every generator takes ``noise``.
    random_state : None, int or numpy.random.Generator

    Returns
    -------
    X : ndarray of shape (n_samples, n_features), float64
    y : ndarray of shape (n_samples,), int, the index of each point's blob
    """
    n_samples = _check_n_samples(n_samples)
    rng = check_random_state(random_state)
    if noise is not None:
        check_non_negative(noise, "noise")
        if np.ndim(cluster_std) != 0 or cluster_std not in (1.0, noise):
            raise ValueError(f"noise is another name for cluster_std; got both noise={noise!r} "
                             f"and cluster_std={cluster_std!r}, give only one")
        cluster_std = noise

    if isinstance(centers, numbers.Integral) and not isinstance(centers, bool):
        check_positive(centers, "centers", integer=True)
        check_positive(n_features, "n_features", integer=True)
        centers = rng.uniform(-10.0, 10.0, size=(int(centers), int(n_features)))
    else:
        centers = np.asarray(centers, dtype=np.float64)
        if centers.ndim != 2 or centers.shape[0] == 0 or centers.shape[1] == 0:
            raise ValueError("centers must be an int or a non-empty array of shape "
                             f"(n_centers, n_features), got shape {centers.shape}")
    n_centers, n_features = centers.shape

    stds = np.asarray(cluster_std, dtype=np.float64)
    if stds.ndim == 0:
        stds = np.full(n_centers, stds)
    if stds.shape != (n_centers,):
        raise ValueError(f"cluster_std must be a number or one number per centre ({n_centers}), "
                         f"got {cluster_std!r}")
    if not np.all(np.isfinite(stds) & (stds >= 0)):
        raise ValueError(f"cluster_std must be non-negative, got {cluster_std!r}")

    sizes = _split_evenly(n_samples, n_centers)
    X = np.vstack([c + s * rng.standard_normal((size, n_features))
                   for c, s, size in zip(centers, stds, sizes)])
    return X, np.repeat(np.arange(n_centers), sizes)


def classification(n_samples=100, n_features=5, n_informative=3, n_classes=3, noise=0.0,
                   class_sep=1.0, random_state=None):
    """A random n-class problem in the style of scikit-learn's ``make_classification``.

    1. Each class gets a centroid on a distinct vertex of the hypercube
       ``[-class_sep, class_sep] ** n_informative``.
    2. Its points are that centroid plus standard Gaussian noise: these are
       the *informative* features.
    3. Half of the remaining features (rounded down) are *redundant*: random
       linear combinations ``X_informative @ B`` of the informative ones.
    4. The rest are pure ``N(0, 1)`` noise with nothing to do with the label.
    5. A fraction ``noise`` of the labels is replaced by random labels
       (scikit-learn's ``flip_y``), so perfect accuracy becomes impossible.

    Parameters
    ----------
    n_samples : int
    n_features : int
        Total number of features, ``>= n_informative``.
    n_informative : int
        Number of features the classes actually differ in.
    n_classes : int
        At least 2 and at most ``2 ** n_informative`` (one vertex per class).
    noise : float in [0, 1]
        Fraction of samples whose label is redrawn at random.
    class_sep : float
        Half the side of the hypercube: larger means easier.
    random_state : None, int or numpy.random.Generator

    Returns
    -------
    X : ndarray of shape (n_samples, n_features), float64; columns are
        informative, then redundant, then noise
    y : ndarray of shape (n_samples,), int in ``0 .. n_classes - 1``
    """
    for name, value in [("n_features", n_features), ("n_informative", n_informative),
                        ("n_classes", n_classes)]:
        check_positive(value, name, integer=True)
    if n_informative > n_features:
        raise ValueError(f"n_informative ({n_informative}) must be at most n_features ({n_features})")
    if n_classes < 2:
        raise ValueError(f"n_classes must be at least 2, got {n_classes}")
    if n_informative < 63 and n_classes > 2 ** n_informative:
        raise ValueError(f"n_classes ({n_classes}) must be at most 2 ** n_informative "
                         f"({2 ** n_informative}): each class needs its own hypercube vertex")
    n_samples = _check_n_samples(n_samples, minimum=n_classes)
    check_non_negative(noise, "noise")
    if noise > 1:
        raise ValueError(f"noise is the fraction of labels flipped and must be in [0, 1], got {noise!r}")
    check_positive(class_sep, "class_sep")
    rng = check_random_state(random_state)

    # 1. distinct hypercube vertices, as rows of +-1
    if n_informative <= 12:
        codes = rng.choice(2 ** n_informative, size=n_classes, replace=False)
        bits = (codes[:, None] >> np.arange(n_informative)) & 1
    else:  # too many vertices to enumerate: draw until all are distinct (nearly always at once)
        bits = rng.integers(0, 2, size=(n_classes, n_informative))
        while len(np.unique(bits, axis=0)) < n_classes:
            bits = rng.integers(0, 2, size=(n_classes, n_informative))
    centroids = class_sep * (2.0 * bits - 1.0)

    # 2. Gaussian clusters around the centroids
    sizes = _split_evenly(n_samples, n_classes)
    y = np.repeat(np.arange(n_classes), sizes)
    X_informative = centroids[y] + rng.standard_normal((n_samples, n_informative))

    # 3. and 4. redundant mixtures, then pure noise
    n_rest = n_features - n_informative
    n_redundant = n_rest // 2
    B = rng.uniform(-1.0, 1.0, size=(n_informative, n_redundant))
    X_noise = rng.standard_normal((n_samples, n_rest - n_redundant))
    X = np.hstack([X_informative, X_informative @ B, X_noise])

    # 5. flip a fraction of the labels
    flip = rng.random(n_samples) < noise
    y[flip] = rng.integers(0, n_classes, size=int(flip.sum()))
    return X, y


# --------------------------------------------------------------------------- splitting

def train_test_split(X, y, test_size=0.2, stratify=None, random_state=None):
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


def _n_test(test_size, n):
    """Number of test samples, leaving at least one on each side."""
    if isinstance(test_size, numbers.Integral) and not isinstance(test_size, bool):
        if not 1 <= test_size <= n - 1:
            raise ValueError(f"test_size as a count must be between 1 and n_samples - 1 = {n - 1}, "
                             f"got {test_size}")
        return int(test_size)
    if isinstance(test_size, bool) or not isinstance(test_size, numbers.Real) or not 0 < test_size < 1:
        raise ValueError(f"test_size must be a fraction in (0, 1) or a number of samples, got {test_size!r}")
    n_test = math.ceil(test_size * n)
    if n_test > n - 1:
        raise ValueError(f"test_size={test_size} of {n} samples leaves no training samples")
    return n_test


def _stratify_problem(y, n_test):
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


def _stratified_test_indices(y, n_test, rng):
    """Pick ``n_test`` indices with each class's share rounded to floor or ceil."""
    classes, y_index, counts = np.unique(y, return_inverse=True, return_counts=True)
    ideal = n_test * counts / len(y)                 # the exact (fractional) share per class
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
    chosen = [rng.permutation(np.flatnonzero(y_index == c))[:take[c]] for c in range(len(classes))]
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

    def fit(self, X):
        """Learn ``mean_`` and ``scale_`` from ``X`` of shape (n_samples, n_features)."""
        X = check_X(X)
        mean = X.mean(axis=0, dtype=np.float64)
        std = X.std(axis=0, dtype=np.float64)
        # a constant column can come out with a tiny rounding-error std instead of 0
        constant = std <= 10 * np.finfo(X.dtype).eps * np.abs(mean)
        std[constant] = 1.0
        self.mean_, self.scale_ = mean.astype(X.dtype), std.astype(X.dtype)
        return self

    def transform(self, X):
        """``(X - mean_) / scale_``, same shape and float dtype as ``X``."""
        X = self._check(X)
        return (X - self.mean_.astype(X.dtype)) / self.scale_.astype(X.dtype)

    def fit_transform(self, X):
        return self.fit(X).transform(X)

    def inverse_transform(self, X):
        """``X * scale_ + mean_``: back to the original units."""
        X = self._check(X)
        return X * self.scale_.astype(X.dtype) + self.mean_.astype(X.dtype)

    def _check(self, X):
        if not hasattr(self, "mean_"):
            raise ValueError("this Standardizer is not fitted yet: call fit(X_train) first")
        X = check_X(X)
        if X.shape[1] != len(self.mean_):
            raise ValueError(f"X has {X.shape[1]} features, but the Standardizer was fitted "
                             f"on {len(self.mean_)}")
        return X

    def __repr__(self):
        fitted = f"n_features={len(self.mean_)}" if hasattr(self, "mean_") else "not fitted"
        return f"Standardizer({fitted})"


def standardize(X_train, *others):
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

def one_hot(y, classes=None):
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
    labels, inverse = np.unique(y, return_inverse=True)
    if classes is None:
        classes, column = labels, inverse.ravel()
    else:
        classes = np.asarray(classes)
        if classes.ndim != 1 or len(classes) == 0:
            raise ValueError(f"classes must be a non-empty 1-D sequence, got shape {classes.shape}")
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


def from_one_hot(Y, classes=None):
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
    if Y.ndim != 2:
        raise ValueError(f"Y must be 2-D (n_samples, n_classes), got shape {Y.shape}")
    index = Y.argmax(axis=1)
    if classes is None:
        return index
    classes = np.asarray(classes)
    if len(classes) != Y.shape[1]:
        raise ValueError(f"Y has {Y.shape[1]} columns but {len(classes)} classes were given")
    return classes[index]


# --------------------------------------------------------------------------- datasets by name

SKLEARN_DATASETS = {
    "iris": "load_iris",                    # 150 x 4, 3 classes
    "digits": "load_digits",                # 1797 x 64, 10 classes (8x8 images)
    "wine": "load_wine",                    # 178 x 13, 3 classes
    "breast_cancer": "load_breast_cancer",  # 569 x 30, 2 classes
    "diabetes": "load_diabetes",            # 442 x 10, regression
}

GENERATORS = {
    "xor": xor,
    "moons": moons,
    "circles": circles,
    "spirals": spirals,
    "blobs": blobs,
    "classification": classification,
}


def load_dataset(name, return_names=False, **kwargs):
    """A dataset by name: one of scikit-learn's bundled sets or a glassnet generator.

    Parameters
    ----------
    name : str
        ``'iris'``, ``'digits'``, ``'wine'``, ``'breast_cancer'``, ``'diabetes'``,
        or a generator: ``'xor'``, ``'moons'``, ``'circles'``, ``'spirals'``,
        ``'blobs'``, ``'classification'``.
    return_names : bool
        Also return the feature names and the target names.
    **kwargs
        Passed to the generator (``n_samples``, ``noise``, ``random_state``, ...).

    Returns
    -------
    X : ndarray of shape (n_samples, n_features), float64
    y : ndarray of shape (n_samples,), int labels (float for 'diabetes')
    feature_names : list of str, only with ``return_names``
    target_names : list or None, only with ``return_names``
    """
    key = name.strip().lower().replace("-", "_") if isinstance(name, str) else name
    if key in SKLEARN_DATASETS:
        if kwargs:
            raise ValueError(f"dataset {name!r} takes no options, got {sorted(kwargs)}")
        from sklearn import datasets  # lazy: only needed here

        bunch = getattr(datasets, SKLEARN_DATASETS[key])()
        X = np.asarray(bunch.data, dtype=np.float64)
        y = np.asarray(bunch.target)
        feature_names = [str(f) for f in bunch.feature_names]
        target_names = bunch.get("target_names")
        target_names = None if target_names is None else [str(t) for t in target_names]
    elif key in GENERATORS:
        X, y = GENERATORS[key](**kwargs)
        feature_names = [f"x{j}" for j in range(X.shape[1])]
        target_names = None
    else:
        valid = sorted(SKLEARN_DATASETS) + sorted(GENERATORS)
        raise ValueError(f"unknown dataset {name!r}; valid names are: {', '.join(valid)}")
    if return_names:
        return X, y, feature_names, target_names
    return X, y


# --------------------------------------------------------------------------- files

def _is_number(text):
    try:
        float(text)
    except ValueError:
        return False
    return True


MAX_CSV_BYTES = 256 * 2**20     # load_csv reads files up to 256 MiB ...
MAX_CSV_CELLS = 10_000_000      # ... and 10 million fields: larger data belong in .npz files


def _read_rows(path, delimiter):
    """``(rows, lines)``: the non-blank rows of a CSV file, fields stripped, and their line numbers.

    The file must be UTF-8 (an Excel byte-order mark is dropped) and within
    ``MAX_CSV_BYTES`` and ``MAX_CSV_CELLS``; a field may hold up to the csv
    module's limit of 131,072 characters.
    """
    size = path.stat().st_size
    if size > MAX_CSV_BYTES:
        raise ValueError(f"CSV file {path} is {size / 2**20:,.0f} MiB; load_csv reads files up to "
                         f"{MAX_CSV_BYTES // 2**20} MiB (save larger data as .npz)")
    rows, lines, cells = [], [], 0
    with open(path, newline="", encoding="utf-8-sig") as f:  # -sig drops an Excel byte-order mark
        reader = csv.reader(f, delimiter=delimiter)
        try:
            for row in reader:
                if not any(field.strip() for field in row):
                    continue  # blank line
                cells += len(row)
                if cells > MAX_CSV_CELLS:
                    raise ValueError(f"CSV file {path} has more than {MAX_CSV_CELLS:,} fields; load_csv "
                                     "reads up to that many (save larger data as .npz)")
                rows.append([field.strip() for field in row])
                lines.append(reader.line_num)
        except UnicodeDecodeError:
            position, byte = _first_bad_byte(path)
            raise ValueError(f"{path} is not UTF-8 text (byte 0x{byte:02x} at position {position:,}); "
                             "save it as UTF-8") from None
        except csv.Error as exc:
            problem = (f"a field is longer than {csv.field_size_limit():,} characters"
                       if "field limit" in str(exc) else f"not valid CSV ({clip(exc, 80)})")
            raise ValueError(f"{path}, line {reader.line_num}: {problem}") from None
    return rows, lines


def _first_bad_byte(path):
    """``(position, byte)`` of the first byte of ``path`` that is not UTF-8, reading 1 MiB at a time."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    offset = 0
    with open(path, "rb") as f:
        while True:
            chunk = f.read(1 << 20)
            pending = len(decoder.getstate()[0])  # bytes of a character begun in the last chunk
            try:
                decoder.decode(chunk, final=not chunk)
            except UnicodeDecodeError as exc:
                return offset - pending + exc.start, exc.object[exc.start]
            if not chunk:
                return offset, 0  # pragma: no cover - only called after a decoding error
            offset += len(chunk)


def _check_unique_names(names, path):
    """Two columns of one name would make a column by name ambiguous (and silently the first)."""
    repeated = [name for name, count in collections.Counter(names).items() if count > 1]
    if repeated:
        shown = ", ".join(short(name, 40) for name in repeated[:5]) + (" …" if len(repeated) > 5 else "")
        raise ValueError(f"CSV file {path} has duplicate column names: {shown}; give each column its own name")


def _listing(names, limit=10):
    """Names for an error message: the first ``limit``, then how many more."""
    shown = ", ".join(short(n, 40) if len(n) > 40 else n for n in names[:limit])
    return shown + (f" … ({len(names) - limit} more)" if len(names) > limit else "")


def load_csv(path, target, header="auto", delimiter=","):
    """Read a CSV file of numeric features and one target column.

    Parameters
    ----------
    path : str or Path
    target : str or int
        The target column, by header name or by position (negative counts from the end).
    header : 'auto', True or False
        Whether the first row holds column names. ``'auto'``: it does if one of
        its fields is not a number while the row below has a number there (so a
        headerless file with string labels is still read as data).
    delimiter : str

    Returns
    -------
    X : ndarray of shape (n_samples, n_features), float64
    y : ndarray of shape (n_samples,)
        float64 if every target value is a number, otherwise strings.
    feature_names : list of str
        From the header, or ``'x0', 'x1', ...`` (by column position) without one.

    Raises
    ------
    ValueError
        Naming the file (and line): a file that is not UTF-8 text, a field over
        the csv module's 131,072 characters, duplicate column names, ragged
        rows, non-numeric features; and a file over ``MAX_CSV_BYTES`` (256 MiB)
        or ``MAX_CSV_CELLS`` (10 million fields), the bounds that keep a CSV's
        rows, held as Python strings, to about a gigabyte at most.
    """
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"CSV file not found: {path}")
    if header not in ("auto", True, False):
        raise ValueError(f"header must be 'auto', True or False, got {header!r}")
    if not isinstance(delimiter, str) or len(delimiter) != 1:
        raise ValueError(f"delimiter must be one character, got {short(delimiter)}")
    rows, lines = _read_rows(path, delimiter)
    if not rows:
        raise ValueError(f"CSV file {path} is empty")

    if header == "auto":
        first = rows[0]
        second = rows[1] if len(rows) > 1 else [""] * len(first)
        header = all(not _is_number(v) for v in first) or any(
            not _is_number(v) and j < len(second) and _is_number(second[j])
            for j, v in enumerate(first))
    n_columns = len(rows[0])
    for row, line in zip(rows, lines):
        if len(row) != n_columns:
            raise ValueError(f"{path}, line {line}: expected {n_columns} fields like the first row, "
                             f"got {len(row)}")

    if header:
        names, rows, lines = rows[0], rows[1:], lines[1:]
        if not rows:
            raise ValueError(f"CSV file {path} has a header but no data rows")
        _check_unique_names(names, path)
    else:
        names = [f"x{j}" for j in range(n_columns)]
    if n_columns < 2:
        raise ValueError(f"CSV file {path} has only {n_columns} column: need features and a target")

    if isinstance(target, str):
        if not header:
            raise ValueError(f"target {target!r} is a column name, but {path} has no header row "
                             "(give the column's position instead, or header=True)")
        if target not in names:
            raise ValueError(f"target column {short(target)} not found in {path}; "
                             f"columns are: {_listing(names)}")
        t = names.index(target)
    elif isinstance(target, numbers.Integral) and not isinstance(target, bool):
        if not -n_columns <= target < n_columns:
            raise ValueError(f"target index {target} is out of range for {n_columns} columns")
        t = target % n_columns
    else:
        raise ValueError(f"target must be a column name or position, got {short(target)}")

    feature_columns = [j for j in range(n_columns) if j != t]
    X = np.empty((len(rows), len(feature_columns)))
    for i, (row, line) in enumerate(zip(rows, lines)):
        for k, j in enumerate(feature_columns):
            try:
                X[i, k] = float(row[j])
            except ValueError:
                what = "is empty" if row[j] == "" else f"has the non-numeric value {short(row[j], 40)}"
                raise ValueError(f"{path}, line {line}: feature column {short(names[j], 40)} {what}; "
                                 "feature columns must be numbers") from None

    targets = [row[t] for row in rows]
    for value, line in zip(targets, lines):
        if value == "":
            raise ValueError(f"{path}, line {line}: the target column {short(names[t], 40)} is empty")
    if all(_is_number(v) for v in targets):
        y = np.array([float(v) for v in targets])
    else:
        y = np.array(targets)
    return X, y, [names[j] for j in feature_columns]


def load_npz(path, x_key="X", y_key="y"):
    """Load arrays saved with ``numpy.savez`` (``.npz``) or ``numpy.save`` (``.npy``).

    Parameters
    ----------
    path : str or Path
    x_key, y_key : str
        Names of the arrays inside a ``.npz`` file; ``y_key=None`` loads X only.

    Returns
    -------
    X : ndarray
    y : ndarray or None
        ``None`` for a ``.npy`` file (which holds a single array) or ``y_key=None``.

    Raises
    ------
    ValueError
        Naming the file: a damaged or truncated file, Python objects (never
        unpickled), and arrays larger than the file holds or than the limits of
        :mod:`glassnet._npzcheck` (2**28 entries per array, 2 GiB per file),
        all refused before anything is allocated.
    """
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"file not found: {path}")
    if path.suffix not in (".npz", ".npy"):
        raise ValueError(f"expected a .npz or .npy file, got {path.name!r}")
    # Headers and sizes are checked before any array is allocated, and nothing is
    # unpickled: a data file can neither run code nor claim gigabytes (glassnet._npzcheck).
    if path.suffix == ".npy":
        return load_npy(path), None
    with open_npz(path) as data:
        keys = list(data.headers)
        for key in (x_key, y_key):
            if key is not None and key not in keys:
                raise ValueError(f"{path} has no array named {short(key)}; it holds: {_listing(keys)}")
        return data.read(x_key), None if y_key is None else data.read(y_key)


def save_csv(path, X, y=None, feature_names=None, target_name="target"):
    """Write ``X`` (and ``y`` as the last column) to a CSV file with a header row.

    The file is written to a temporary file beside ``path`` and then renamed,
    so a crash never leaves a half-written CSV behind. :func:`load_csv` reads it
    back: ``load_csv(path, target=target_name)``.

    Parameters
    ----------
    path : str or Path
    X : array of shape (n_samples, n_features)
    y : array of shape (n_samples,), optional
    feature_names : list of str, optional
        Default ``'x0', 'x1', ...``.
    target_name : str
        Header of the ``y`` column.

    Returns
    -------
    path : Path
    """
    path = Path(path)
    X = np.asarray(X)
    if X.ndim != 2:
        raise ValueError(f"X must be 2-D (n_samples, n_features), got shape {X.shape}")
    if feature_names is None:
        feature_names = [f"x{j}" for j in range(X.shape[1])]
    feature_names = [str(name) for name in feature_names]
    if len(feature_names) != X.shape[1]:
        raise ValueError(f"X has {X.shape[1]} columns but {len(feature_names)} feature_names were given")
    names = list(feature_names)
    if y is not None:
        y = np.asarray(y)
        if y.ndim != 1 or len(y) != len(X):
            raise ValueError(f"y must be 1-D with one label per row of X ({len(X)}), got shape {y.shape}")
        if target_name in feature_names:
            raise ValueError(f"target_name {target_name!r} is also a feature name")
        names.append(str(target_name))
    rows = X.tolist() if y is None else [r + [v] for r, v in zip(X.tolist(), y.tolist())]

    from .persistence import atomic_write  # data is imported eagerly; persistence only here

    with atomic_write(path, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(names)
        writer.writerows(rows)  # Python writes floats with repr(): they read back exactly
    return path
