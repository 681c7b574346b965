"""Datasets: toy problems drawn by glassnet's own generators, and scikit-learn's bundled sets.

Every generator has the same shape of call and answer::

    X, y = generator(n_samples=..., noise=..., random_state=None)

``X`` is a float64 array of shape ``(n_samples, n_features)`` and ``y`` an int
array of shape ``(n_samples,)`` with labels ``0 .. n_classes - 1``. Samples come
grouped by class (not shuffled); :func:`~glassnet.data.train_test_split` shuffles.
Randomness comes only from ``numpy.random.default_rng(random_state)``, so the
same seed always gives the same data.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable
from typing import Any, Literal, overload

import numpy as np

from .._typing import ArrayLike, FloatArray, IntArray, NDArray, RandomState
from .._validation import check_non_negative, check_positive, check_random_state

# --------------------------------------------------------------------------- generators

MAX_SAMPLES = 10_000_000
"""The most points a generator draws: a size from a command line or a model file's
provenance (``glassnet evaluate``) is checked before gigabytes are allocated."""


def _check_n_samples(n_samples: int, minimum: int = 1) -> int:
    check_positive(n_samples, "n_samples", integer=True)
    if n_samples < minimum:
        raise ValueError(f"n_samples must be at least {minimum} here, got {n_samples}")
    if n_samples > MAX_SAMPLES:
        raise ValueError(
            f"n_samples must be at most {MAX_SAMPLES:,} (glassnet.data.MAX_SAMPLES), got {n_samples:,}"
        )
    return int(n_samples)


def _split_evenly(n: int, k: int) -> list[int]:
    """Sizes of ``k`` groups of ``n`` items, as equal as possible (first groups get the extra)."""
    return [n // k + (1 if i < n % k else 0) for i in range(k)]


def xor(
    n_samples: int = 200, noise: float = 0.0, random_state: RandomState = None
) -> tuple[FloatArray, IntArray]:
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


def moons(
    n_samples: int = 100, noise: float = 0.0, random_state: RandomState = None
) -> tuple[FloatArray, IntArray]:
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


def circles(
    n_samples: int = 100, noise: float = 0.0, factor: float = 0.5, random_state: RandomState = None
) -> tuple[FloatArray, IntArray]:
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


def _two_classes(
    points_0: FloatArray, points_1: FloatArray, noise: float, rng: np.random.Generator
) -> tuple[FloatArray, IntArray]:
    """Stack class 0's and class 1's points, add Gaussian noise, label them 0 and 1."""
    X = np.vstack([points_0, points_1])
    X += noise * rng.standard_normal(X.shape)
    y = np.repeat([0, 1], [len(points_0), len(points_1)])
    return X, y


def spirals(
    n_samples: int = 100, noise: float = 0.0, n_classes: int = 2, random_state: RandomState = None
) -> tuple[FloatArray, IntArray]:
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


def blobs(
    n_samples: int = 100,
    n_features: int = 2,
    centers: int | ArrayLike = 3,
    cluster_std: float | ArrayLike = 1.0,
    noise: float | None = None,
    random_state: RandomState = None,
) -> tuple[FloatArray, IntArray]:
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
            raise ValueError(
                f"noise is another name for cluster_std; got both noise={noise!r} "
                f"and cluster_std={cluster_std!r}, give only one"
            )
        cluster_std = noise

    if isinstance(centers, numbers.Integral) and not isinstance(centers, bool):
        check_positive(centers, "centers", integer=True)
        check_positive(n_features, "n_features", integer=True)
        centers = rng.uniform(-10.0, 10.0, size=(int(centers), int(n_features)))
    else:
        centers = np.asarray(centers, dtype=np.float64)
        if centers.ndim != 2 or centers.shape[0] == 0 or centers.shape[1] == 0:
            raise ValueError(
                "centers must be an int or a non-empty array of shape "
                f"(n_centers, n_features), got shape {centers.shape}"
            )
    n_centers, n_features = centers.shape

    stds = np.asarray(cluster_std, dtype=np.float64)
    if stds.ndim == 0:
        stds = np.full(n_centers, stds)
    if stds.shape != (n_centers,):
        raise ValueError(
            f"cluster_std must be a number or one number per centre ({n_centers}), got {cluster_std!r}"
        )
    if not np.all(np.isfinite(stds) & (stds >= 0)):
        raise ValueError(f"cluster_std must be non-negative, got {cluster_std!r}")

    sizes = _split_evenly(n_samples, n_centers)
    X = np.vstack(
        [
            c + s * rng.standard_normal((size, n_features))
            for c, s, size in zip(centers, stds, sizes, strict=True)
        ]
    )
    return X, np.repeat(np.arange(n_centers), sizes)


def classification(
    n_samples: int = 100,
    n_features: int = 5,
    n_informative: int = 3,
    n_classes: int = 3,
    noise: float = 0.0,
    class_sep: float = 1.0,
    random_state: RandomState = None,
) -> tuple[FloatArray, IntArray]:
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
    for name, value in [
        ("n_features", n_features),
        ("n_informative", n_informative),
        ("n_classes", n_classes),
    ]:
        check_positive(value, name, integer=True)
    if n_informative > n_features:
        raise ValueError(f"n_informative ({n_informative}) must be at most n_features ({n_features})")
    if n_classes < 2:
        raise ValueError(f"n_classes must be at least 2, got {n_classes}")
    if n_informative < 63 and n_classes > 2**n_informative:
        raise ValueError(
            f"n_classes ({n_classes}) must be at most 2 ** n_informative "
            f"({2**n_informative}): each class needs its own hypercube vertex"
        )
    n_samples = _check_n_samples(n_samples, minimum=n_classes)
    check_non_negative(noise, "noise")
    if noise > 1:
        raise ValueError(f"noise is the fraction of labels flipped and must be in [0, 1], got {noise!r}")
    check_positive(class_sep, "class_sep")
    rng = check_random_state(random_state)

    # 1. distinct hypercube vertices, as rows of +-1
    if n_informative <= 12:
        codes = rng.choice(2**n_informative, size=n_classes, replace=False)
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


# --------------------------------------------------------------------------- datasets by name

SKLEARN_DATASETS: dict[str, str] = {
    "iris": "load_iris",  # 150 x 4, 3 classes
    "digits": "load_digits",  # 1797 x 64, 10 classes (8x8 images)
    "wine": "load_wine",  # 178 x 13, 3 classes
    "breast_cancer": "load_breast_cancer",  # 569 x 30, 2 classes
    "diabetes": "load_diabetes",  # 442 x 10, regression
}

GENERATORS: dict[str, Callable[..., tuple[FloatArray, IntArray]]] = {
    "xor": xor,
    "moons": moons,
    "circles": circles,
    "spirals": spirals,
    "blobs": blobs,
    "classification": classification,
}


@overload
def load_dataset(
    name: str, return_names: Literal[False] = False, **kwargs: Any
) -> tuple[FloatArray, NDArray[Any]]: ...


@overload
def load_dataset(
    name: str, return_names: Literal[True], **kwargs: Any
) -> tuple[FloatArray, NDArray[Any], list[str], list[str] | None]: ...


@overload
def load_dataset(
    name: str, return_names: bool, **kwargs: Any
) -> tuple[FloatArray, NDArray[Any]] | tuple[FloatArray, NDArray[Any], list[str], list[str] | None]: ...


def load_dataset(
    name: str, return_names: bool = False, **kwargs: Any
) -> tuple[FloatArray, NDArray[Any]] | tuple[FloatArray, NDArray[Any], list[str], list[str] | None]:
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
    X: FloatArray
    y: NDArray[Any]
    target_names: list[str] | None
    if key in SKLEARN_DATASETS:
        if kwargs:
            raise ValueError(f"dataset {name!r} takes no options, got {sorted(kwargs)}")
        from sklearn import datasets  # lazy: only needed here

        bunch = getattr(datasets, SKLEARN_DATASETS[key])()
        X = np.asarray(bunch.data, dtype=np.float64)
        y = np.asarray(bunch.target)
        feature_names = [str(f) for f in bunch.feature_names]
        bunch_names = bunch.get("target_names")
        target_names = None if bunch_names is None else [str(t) for t in bunch_names]
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
