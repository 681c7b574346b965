"""The systems under test, each behind the same three calls, and the GEMM roofline.

- ``train(workload, X, y, seed)`` → ``(model, seconds)`` for the whole training run;
- ``predictor(workload, X, y, seed)`` → a model for the predict workload (weights
  do not matter for its speed, so it is trained on a few rows for one epoch);
- ``predict(model, X)`` → class labels.

Only the training (or predicting) call is timed, never building the data.
"""

from __future__ import annotations

import time
import warnings
from itertools import pairwise

import numpy as np
from workloads import LR, PREDICT_CHUNK, layer_sizes

import glassnet


class Glassnet:
    name = "glassnet"

    def prepare(self):
        """Load the compiled kernels now, as a long-lived process has them: a run long enough
        loads them itself (glassnet/_jit.py), and the bench times the steady state."""
        from glassnet import _jit

        _jit.load()

    def _network(self, workload, n_features, n_classes, seed):
        sizes = layer_sizes(workload, n_features, n_classes)
        # Glorot-uniform initial weights, the family scikit-learn uses, so that the
        # accuracy column compares training under the same settings (glassnet's own
        # default for ReLU layers is He-normal; the speed columns do not depend on it).
        return glassnet.Network(
            sizes,
            activations="relu",
            output="sigmoid" if sizes[-1] == 1 else "softmax",
            init="glorot_uniform",
            random_state=seed,
            dtype=np.float32,
        )

    def train(self, workload, X, y, seed):
        net = self._network(workload, X.shape[1], np.unique(y).size, seed)
        start = time.perf_counter()
        glassnet.train(
            net,
            X,
            y,
            optimizer="adam",
            lr=LR,
            epochs=workload.epochs,
            batch_size=workload.batch_size,
            track_accuracy=False,
            random_state=seed,
        )
        return net, time.perf_counter() - start

    def predictor(self, workload, X, y, seed):
        return self._network(workload, X.shape[1], 10, seed)

    def predict(self, model, X):
        return model.predict(X)


class GlassnetEstimator:
    """glassnet's ``MLPClassifier``: the engine through the scikit-learn estimator, with the
    settings of the scikit-learn column (its initial weights, every epoch run)."""

    name = "estimator"
    train_only = True

    def train(self, workload, X, y, seed):
        from sklearn.exceptions import ConvergenceWarning

        clf = glassnet.MLPClassifier(
            **ScikitLearn.settings(workload, seed, workload.epochs, workload.batch_size)
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            start = time.perf_counter()
            clf.fit(X, y)
            return clf, time.perf_counter() - start


class ScikitLearn:
    name = "sklearn"

    @staticmethod
    def settings(workload, seed, epochs, batch_size):
        # tol=0 and n_iter_no_change > epochs: it runs every epoch, as the others do.
        return dict(
            hidden_layer_sizes=workload.hidden,
            activation="relu",
            solver="adam",
            alpha=0.0,
            batch_size=batch_size,
            learning_rate_init=LR,
            max_iter=epochs,
            shuffle=True,
            tol=0.0,
            n_iter_no_change=epochs + 1,
            random_state=seed,
        )

    def _classifier(self, workload, seed, epochs, batch_size):
        from sklearn.neural_network import MLPClassifier

        return MLPClassifier(**self.settings(workload, seed, epochs, batch_size))

    def train(self, workload, X, y, seed):
        from sklearn.exceptions import ConvergenceWarning

        clf = self._classifier(workload, seed, workload.epochs, workload.batch_size)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            start = time.perf_counter()
            clf.fit(X, y)
            return clf, time.perf_counter() - start

    def predictor(self, workload, X, y, seed):
        from sklearn.exceptions import ConvergenceWarning

        clf = self._classifier(workload, seed, 1, 256)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            return clf.fit(X[:2000], y[:2000])

    def predict(self, model, X):
        return model.predict(X)


class Torch:
    """``nn.Sequential`` of ``Linear``/``ReLU``, ``optim.Adam``, ``CrossEntropyLoss``.

    The mini-batches are the ones glassnet draws: a permutation of the rows per
    epoch from ``numpy.random.default_rng(seed)``.
    """

    name = "torch"

    def __init__(self):
        import torch

        self.torch = torch

    def _model(self, workload, n_features, n_classes, seed):
        nn = self.torch.nn
        self.torch.manual_seed(seed)
        sizes = [n_features, *workload.hidden, n_classes]
        layers = []
        for n_in, n_out in pairwise(sizes):
            layers += [nn.Linear(n_in, n_out), nn.ReLU()]
        return nn.Sequential(*layers[:-1])

    def train(self, workload, X, y, seed):
        torch = self.torch
        model = self._model(workload, X.shape[1], int(y.max()) + 1, seed)
        optimizer = torch.optim.Adam(model.parameters(), lr=LR)
        loss_fn = torch.nn.CrossEntropyLoss()
        X_t, y_t = torch.from_numpy(X), torch.from_numpy(y.astype(np.int64))
        rng = np.random.default_rng(seed)
        n, m = X.shape[0], workload.batch_size
        start = time.perf_counter()
        for _ in range(workload.epochs):
            order = torch.from_numpy(rng.permutation(n))
            total = 0.0
            for first in range(0, n, m):
                idx = order[first : first + m]
                optimizer.zero_grad()
                loss = loss_fn(model(X_t[idx]), y_t[idx])
                loss.backward()
                optimizer.step()
                total += loss.item() * idx.shape[0]  # the epoch's loss, as the others record
        return model, time.perf_counter() - start

    def predictor(self, workload, X, y, seed):
        return self._model(workload, X.shape[1], 10, seed).eval()

    def predict(self, model, X):
        torch = self.torch
        X_t = torch.from_numpy(X)
        labels = torch.empty(X.shape[0], dtype=torch.int64)
        with torch.inference_mode():
            for first in range(0, X.shape[0], PREDICT_CHUNK):
                rows = slice(first, first + PREDICT_CHUNK)
                labels[rows] = model(X_t[rows]).argmax(dim=1)
        return labels.numpy()


def available_systems():
    """``(systems, notes)``: glassnet (engine and estimator) and scikit-learn always,
    torch and JAX when they are installed."""
    from jax_peer import Jax

    systems, notes = [Glassnet(), GlassnetEstimator(), ScikitLearn()], []
    for peer, package in ((Torch, "torch"), (Jax, "jax")):
        try:
            systems.append(peer())
        except ImportError:
            notes.append(f"{package} is not installed: its column is skipped (pip install -e '.[bench]')")
    return systems, "; ".join(notes) or None


# ---------------------------------------------------------------------------- roofline
def gemm_seconds(shape_a, shape_b, transpose_a=False, transpose_b=False, rng=None):
    """Median seconds of one float32 ``A @ B`` of these shapes with NumPy (warm caches).

    ``transpose_a``/``transpose_b`` pass a transposed view, as backpropagation does
    for ``A_prevᵀ dZ`` and ``dZ Wᵀ``.
    """
    rng = rng or np.random.default_rng(0)
    A = rng.standard_normal(shape_a[::-1] if transpose_a else shape_a, dtype=np.float32)
    B = rng.standard_normal(shape_b[::-1] if transpose_b else shape_b, dtype=np.float32)
    A, B = (A.T if transpose_a else A), (B.T if transpose_b else B)
    out = np.empty((shape_a[0], shape_b[1]), np.float32)
    np.matmul(A, B, out=out)
    start = time.perf_counter()
    np.matmul(A, B, out=out)
    once = time.perf_counter() - start
    calls = max(1, min(1000, int(0.01 / max(once, 1e-7))))  # blocks of about 10 ms
    per_call = []
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(calls):
            np.matmul(A, B, out=out)
        per_call.append((time.perf_counter() - start) / calls)
    return float(np.median(per_call))


def train_step_gemm_seconds(sizes, m):
    """GEMMs of one training step on ``m`` rows: every ``Z = A_prev W``, every
    ``dW = A_prevᵀ dZ``, and ``dA_prev = dZ Wᵀ`` for every layer but the first."""
    total = 0.0
    for i, (n_in, n_out) in enumerate(pairwise(sizes)):
        total += gemm_seconds((m, n_in), (n_in, n_out))
        total += gemm_seconds((n_in, m), (m, n_out), transpose_a=True)
        if i > 0:
            total += gemm_seconds((m, n_out), (n_out, n_in), transpose_b=True)
    return total


def roofline_seconds(sizes, n_rows, batch_size=None):
    """GEMM time of one training epoch (or, with no ``batch_size``, one predict pass)."""
    if batch_size is None:  # forward GEMMs only, on PREDICT_CHUNK-row blocks

        def block(m):
            return sum(gemm_seconds((m, a), (a, b)) for a, b in pairwise(sizes))

        m = min(PREDICT_CHUNK, n_rows)
    else:
        block, m = (lambda rows: train_step_gemm_seconds(sizes, rows)), min(batch_size, n_rows)
    full, rest = divmod(n_rows, m)
    return full * block(m) + (block(rest) if rest else 0.0)
