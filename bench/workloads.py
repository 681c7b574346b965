"""The workloads of BENCH.md: their data, networks and training settings.

Every system trains the same network (ReLU hidden layers, softmax output, or one
sigmoid output for two classes) with Adam at ``LR`` on the same data, batch size
and number of epochs. ``--quick`` shrinks the sizes so that the whole bench runs
in seconds (a smoke test, not a measurement).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.datasets import load_breast_cancer, load_digits, load_wine, make_classification
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

LR = 1e-3  # Adam's learning rate, scikit-learn's default learning_rate_init
N_FEATURES = 784  # large and predict: MNIST-sized rows
PREDICT_CHUNK = 8192  # rows per block of the predict roofline (glassnet's default chunk)


@dataclass(frozen=True)
class Workload:
    """One row of the table: what is trained (or predicted) and how."""

    name: str
    hidden: tuple  # hidden layer sizes
    batch_size: int
    epochs: int
    n_samples: int = 0  # synthetic workloads only
    predict_only: bool = False
    timed: bool = True  # False: accuracy only (wine, breast_cancer)


def workloads(quick=False):
    """The four timed workloads and the two accuracy-only ones, by name."""
    if quick:
        rows = [
            Workload("small", (50,), 50, 20),
            Workload("digits", (128, 64), 32, 3),
            Workload("large", (256, 128), 256, 1, n_samples=2_048),
            Workload("predict", (256, 128), 0, 0, n_samples=20_000, predict_only=True),
            Workload("wine", (50,), 32, 20, timed=False),
            Workload("breast_cancer", (50,), 32, 20, timed=False),
        ]
    else:
        rows = [
            Workload("small", (50,), 50, 500),
            Workload("digits", (128, 64), 32, 100),
            Workload("large", (256, 128), 256, 3, n_samples=60_000),
            Workload("predict", (256, 128), 0, 0, n_samples=1_000_000, predict_only=True),
            Workload("wine", (50,), 32, 200, timed=False),
            Workload("breast_cancer", (50,), 32, 200, timed=False),
        ]
    return {w.name: w for w in rows}


ACCURACY_WORKLOADS = ("small", "digits", "wine", "breast_cancer")


def load(workload, seed=0):
    """``(X_train, y_train, X_test, y_test)``, float32 features and integer labels.

    The real data sets are split 80/20 (stratified, by ``seed``) and standardized
    with the training split's statistics. ``large`` has no test split, and
    ``predict`` only ``X_test`` (the rows to predict).
    """
    name = workload.name
    if name in ("large", "predict"):
        return _synthetic(workload, seed)
    if name == "small":
        X, y = make_classification(
            500, n_features=5, n_informative=3, n_redundant=1, n_classes=3, random_state=0
        )
    else:
        X, y = {"digits": load_digits, "wine": load_wine, "breast_cancer": load_breast_cancer}[name](
            return_X_y=True
        )
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, stratify=y, random_state=seed)
    scaler = StandardScaler().fit(X_train)
    return (
        scaler.transform(X_train).astype(np.float32),
        y_train,
        scaler.transform(X_test).astype(np.float32),
        y_test,
    )


def _synthetic(workload, seed):
    """Gaussian rows, 10 classes, each class shifting its own feature (learnable, seeded)."""
    rng = np.random.default_rng(seed)
    n = workload.n_samples
    X = rng.standard_normal((n, N_FEATURES), dtype=np.float32)  # float32 directly: no float64 copy
    y = rng.integers(0, 10, size=n)
    X[np.arange(n), y] += 3.0
    if workload.predict_only:
        return None, None, X, y
    return X, y, None, None


def predictor_rows(seed=0):
    """A few labelled rows like the predict data: each system fits its predict model on them."""
    return _synthetic(Workload("fit", (), 256, 1, n_samples=2_000), seed)[:2]


def layer_sizes(workload, n_features, n_classes):
    """``[n_in, hidden…, n_out]``: one sigmoid output for two classes, else one per class."""
    return [n_features, *workload.hidden, 1 if n_classes == 2 else n_classes]
