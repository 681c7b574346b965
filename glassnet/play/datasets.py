"""The playground's data: TensorFlow Playground's problems on the plane ``[-6, 6]²``.

Most problems are drawn by a glassnet generator (:mod:`glassnet.data`) and
stretched onto the plane the page shows; what TensorFlow Playground has and
glassnet does not is written here: its spiral (arms of 1.75 turns) and its two
regression problems::

    plane:       y = (x1 + x2) / 10                      (a tilted plane, in [-1, 1])
    multigauss:  y = Σₖ sₖ · exp(−‖x − cₖ‖² / 2σ²)      (bumps of sign sₖ = ±1)

Only NumPy and :mod:`glassnet.data` are imported, so the Python code the
playground exports can import :func:`dataset` and :func:`features` without
the server's packages.

>>> X, y = dataset("spiral", n_samples=200, noise=0.1, random_state=0)
>>> F = features(X, ["x1", "x2", "sinx1"])
>>> F.shape
(200, 3)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Literal, TypeAlias

import numpy as np

from glassnet import data

if TYPE_CHECKING:
    from glassnet._typing import ArrayLike, FloatArray, IntArray, NDArray

DatasetName: TypeAlias = Literal["circle", "xor", "gauss", "spiral", "moons", "plane", "multigauss"]
"""The playground's problems (:data:`DATASETS`)."""

DOMAIN = 6.0
"""The plane the page shows is ``[-DOMAIN, DOMAIN]²``."""

CLASSIFICATION = ("circle", "xor", "gauss", "spiral", "moons")
"""Problems with class labels (``gauss`` and ``spiral`` take any number of classes)."""
REGRESSION = ("plane", "multigauss")
"""Problems with a number in ``[-1, 1]`` as the target."""
DATASETS = CLASSIFICATION + REGRESSION

FEATURES: dict[str, tuple[str, Callable[[FloatArray, FloatArray], FloatArray]]] = {
    "x1": ("X₁", lambda x1, x2: x1),
    "x2": ("X₂", lambda x1, x2: x2),
    "x1sq": ("X₁²", lambda x1, x2: x1 * x1),
    "x2sq": ("X₂²", lambda x1, x2: x2 * x2),
    "x1x2": ("X₁X₂", lambda x1, x2: x1 * x2),
    "sinx1": ("sin(X₁)", lambda x1, x2: np.sin(x1)),
    "sinx2": ("sin(X₂)", lambda x1, x2: np.sin(x2)),
}
"""The input features TensorFlow Playground offers: ``name → (label, f(x1, x2))``."""

FEATURE_SCALE = {
    "x1": DOMAIN,
    "x2": DOMAIN,
    "x1sq": DOMAIN**2,
    "x2sq": DOMAIN**2,
    "x1x2": DOMAIN**2,
    "sinx1": 1.0,
    "sinx2": 1.0,
}
"""The largest absolute value of each feature on the plane (to colour it in [-1, 1])."""

_BUMPS = np.array(
    [[-3.0, 3.0, 1], [0.0, 3.5, -1], [3.0, 3.0, 1], [-3.0, -3.0, -1], [0.0, -3.5, 1], [3.0, -3.0, -1]]
)
"""Centres ``(c1, c2)`` and signs of the multi-Gaussian problem's bumps."""


def features(X: ArrayLike, names: Sequence[str]) -> FloatArray:
    """The network's inputs: the chosen features of each point ``(x1, x2)``.

    Parameters
    ----------
    X : ndarray, shape (n, 2)
        Points of the plane.
    names : sequence of str
        Keys of :data:`FEATURES`, in the order of the network's inputs.

    Returns
    -------
    ndarray, shape (n, len(names))
    """
    points = np.asarray(X, dtype=np.float64)
    x1, x2 = points[:, 0], points[:, 1]
    return np.column_stack([FEATURES[name][1](x1, x2) for name in names])


def dataset(
    name: DatasetName,
    n_samples: int = 500,
    noise: float = 0.0,
    n_classes: int = 2,
    random_state: int | np.random.Generator | None = None,
) -> tuple[FloatArray, NDArray[Any]]:
    """Draw one of the playground's problems.

    Parameters
    ----------
    name : str
        One of :data:`DATASETS`.
    n_samples : int
    noise : float in [0, 0.5]
        TensorFlow Playground's noise slider (0–50 %), turned into each
        generator's own noise.
    n_classes : int
        Number of classes of ``gauss`` and ``spiral`` (the others have two).
    random_state : int or None

    Returns
    -------
    X : ndarray, shape (n_samples, 2), points of the plane
    y : ndarray, shape (n_samples,), int labels or float targets in [-1, 1]
    """
    rng = np.random.default_rng(random_state)
    if name == "circle":
        X, y = data.circles(n_samples, noise=0.02 + 0.3 * noise, factor=0.45, random_state=rng)
        return 5.0 * X, 1 - y  # the inner disc is class 0 (orange)
    if name == "xor":
        X, y = data.xor(n_samples, noise=0.12 + 0.3 * noise, random_state=rng)
        return 6.0 * (X - 0.5), y
    if name == "gauss":
        angles = 2 * np.pi * np.arange(n_classes) / n_classes + np.pi / 4
        centers = 3.0 * np.column_stack([np.cos(angles), np.sin(angles)])
        if n_classes == 2:
            centers = np.array([[-2.5, -2.5], [2.5, 2.5]])
        return data.blobs(n_samples, centers=centers, cluster_std=0.8 + 3.0 * noise, random_state=rng)
    if name == "spiral":
        return spiral(n_samples, noise, n_classes, rng)
    if name == "moons":
        X, y = data.moons(n_samples, noise=0.05 + 0.3 * noise, random_state=rng)
        return 3.2 * (X - [0.5, 0.25]), y
    if name in REGRESSION:
        X = rng.uniform(-DOMAIN + 1, DOMAIN - 1, size=(n_samples, 2))
        height = plane(X) if name == "plane" else multigauss(X)
        return X, np.clip(height + noise * rng.standard_normal(n_samples), -1.0, 1.0)
    raise ValueError(f"unknown dataset {name!r}; valid datasets are: {', '.join(DATASETS)}")


def spiral(
    n_samples: int, noise: float, n_classes: int, rng: np.random.Generator
) -> tuple[FloatArray, IntArray]:
    """TensorFlow Playground's spiral: ``n_classes`` arms of 1.75 turns each, out to radius 5.

    Along arm ``k`` the radius grows from 0 to 5 while the angle turns 1.75 times::

        r = 5 s,  t = 1.75 · 2π s + 2πk / n_classes,  x = (r sin t, r cos t) + noise · U(−1, 1)²

    for ``s`` evenly in ``[0, 1)``. (:func:`glassnet.data.spirals` is the CS231n
    problem, whose arms turn about 0.6 times: far easier, so not the one the
    playground's users know.)
    """
    sizes = [n_samples // n_classes + (k < n_samples % n_classes) for k in range(n_classes)]
    parts = []
    for k, size in enumerate(sizes):
        s = np.arange(size) / size
        r, t = 5.0 * s, 1.75 * 2 * np.pi * s + 2 * np.pi * k / n_classes
        parts.append(
            np.column_stack([r * np.sin(t), r * np.cos(t)]) + noise * rng.uniform(-1, 1, size=(size, 2))
        )
    return np.vstack(parts), np.repeat(np.arange(n_classes), sizes)


def plane(X: FloatArray) -> FloatArray:
    """``y = (x1 + x2) / 10``: TensorFlow Playground's regression plane."""
    return (X[:, 0] + X[:, 1]) / 10.0


def multigauss(X: FloatArray, sigma: float = 1.6) -> FloatArray:
    """``y = Σₖ sₖ · exp(−‖x − cₖ‖² / 2σ²)``: bumps of sign ±1 (see :data:`_BUMPS`)."""
    d2 = ((X[:, None, :] - _BUMPS[None, :, :2]) ** 2).sum(axis=2)
    return np.clip(np.exp(-d2 / (2 * sigma**2)) @ _BUMPS[:, 2], -1.0, 1.0)


# --------------------------------------------------------------------------- your own CSV

MAX_CLASSES = 6
"""A label column with at most this many whole-number (or any text) values is a class label."""


def _stretch(v: FloatArray, extent: float) -> FloatArray:
    """Map each column linearly onto ``[-extent, extent]`` (a constant column onto 0)."""
    low, high = v.min(axis=0), v.max(axis=0)
    half = np.where(high > low, (high - low) / 2, 1.0)
    return (v - (low + high) / 2) / half * extent


def csv_problem(X: ArrayLike, y: ArrayLike) -> tuple[FloatArray, NDArray[Any], list[str] | None]:
    """Put a CSV's two feature columns onto the plane and decide what its label is.

    Whole numbers or text with at most :data:`MAX_CLASSES` values are class
    labels (numbered 0, 1, … in sorted order); other numbers are a regression
    target, stretched onto ``[-1, 1]`` as the features are onto ``[-5, 5]``.

    Returns
    -------
    X : ndarray, shape (n, 2)
    y : ndarray, shape (n,), int class indices or float targets
    classes : list of str, or None for regression
    """
    points = _stretch(np.asarray(X, dtype=np.float64), DOMAIN - 1)
    labels = np.asarray(y)
    values = np.unique(labels)
    numeric = labels.dtype.kind in "iuf"
    if not numeric or (np.all(values == np.round(values)) and len(values) <= MAX_CLASSES):
        if len(values) < 2:
            raise ValueError("the label column has a single value: a classifier needs two classes")
        return points, np.searchsorted(values, labels), [str(v) for v in values.tolist()]
    return points, _stretch(labels.astype(np.float64), 1.0), None


def csv_points(text: object, max_rows: int) -> tuple[FloatArray, NDArray[Any], dict[str, Any]]:
    """Read the user's CSV text: two numeric feature columns, then the label.

    Parsed as data by :func:`glassnet.data.load_csv` (never run); at most
    ``max_rows`` rows. Returns ``(X, y, info)`` with ``X`` on the plane (see
    :func:`csv_problem`) and ``info`` describing it for the page.
    """
    import tempfile
    from pathlib import Path

    if not isinstance(text, str) or not text.strip():
        raise ValueError("the CSV is empty")
    rows = sum(1 for line in text.splitlines() if line.strip())
    if rows > max_rows + 1:
        raise ValueError(f"the CSV has {rows} rows; the playground takes at most {max_rows}")
    with tempfile.TemporaryDirectory(prefix="glassnet-play-") as folder:
        path = Path(folder) / "data.csv"
        path.write_text(text, encoding="utf-8")
        X, y, names = data.load_csv(path, target=-1)
    if X.shape[1] != 2:
        raise ValueError(
            f"the CSV needs two feature columns and then the label; it has {X.shape[1]} feature columns"
        )
    if len(X) > max_rows:
        raise ValueError(f"the CSV has {len(X)} rows; the playground takes at most {max_rows}")
    if len(X) < 10:
        raise ValueError(f"the CSV needs at least 10 rows, got {len(X)}")
    X, y, classes = csv_problem(X, y)
    info = {
        "rows": len(X),
        "columns": names,
        "kind": "regression" if classes is None else "classes",
        "n_classes": 0 if classes is None else len(classes),
        "classes": classes,
    }
    return X, y, info
