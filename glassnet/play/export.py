"""Taking a playground network away: a glassnet ``.npz`` file, an ONNX model, or the Python
code that rebuilds it.

The ``.npz`` file is :func:`glassnet.persistence.save`'s: it loads with
:func:`glassnet.persistence.load` (never running code) and predicts from the
chosen *features* of a point, listed in its ``info``. The Python code
rebuilds the same data (same generator, seed and split), the same network
(same seed, so the same initial weights) and trains it with
:func:`glassnet.train`.
"""

from __future__ import annotations

import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .config import OUTPUT
from .datasets import FEATURES

if TYPE_CHECKING:
    from glassnet.network import Network

    from .sessions import Session


def model_info(session: Session) -> dict[str, Any]:
    """What a saved model should remember of the playground: features, problem, data."""
    c = session.config
    return {
        "source": "glassnet play",
        "features": c["features"],
        "feature_labels": [FEATURES[n][0] for n in c["features"]],
        "problem": c["problem"],
        "dataset": c["dataset"],
        "epoch": session.epoch,
    }


def npz_bytes(net: Network, info: Mapping[str, Any]) -> bytes:
    """The bytes of ``glassnet.persistence.save(net, …, info=info)``."""
    from glassnet.io import save

    with tempfile.TemporaryDirectory(prefix="glassnet-play-") as folder:
        path = Path(folder) / "playground.npz"
        save(net, path, info=info)
        return path.read_bytes()


def onnx_bytes(net: Network) -> bytes:
    """The network as an ONNX model's bytes (:func:`glassnet.export_onnx`), float32, for onnxruntime.

    Its input is the vector of the chosen *features* of a point, as the ``.npz`` file's.
    """
    from glassnet.io.onnx import export_onnx

    return export_onnx(net).SerializeToString()


_OPTIMIZER_CODE = {
    "sgd": "gn.SGD(lr={lr!r})",
    "momentum": "gn.Momentum(lr={lr!r}, momentum={momentum!r})",
    "adam": "gn.Adam(lr={lr!r}, beta1={beta1!r}, beta2={beta2!r})",
}


def _data_code(c: Mapping[str, Any], n_classes: int) -> str:
    if c["dataset"] == "csv":
        return (
            "# Your CSV file (two feature columns, then the label), beside this script,\n"
            "# put onto the plane as the page did.\n"
            'X, y, _ = gn.load_csv("data.csv", target=-1)\n'
            "X, y, classes = csv_problem(X, y)\n"
        )
    return (
        f"X, y = dataset({c['dataset']!r}, n_samples={c['n_samples']}, noise={c['noise']!r}, "
        f"n_classes={max(n_classes, 2)}, random_state={c['seed']})\n"
    )


def python_code(session: Session, epochs: int | None = None) -> str:
    """A Python script that rebuilds the session's data and network and trains it."""
    c = session.config
    regression = c["problem"] == "regression"
    n_out = session.n_classes if c["problem"] == "multiclass" else 1
    sizes = [len(c["features"]), *c["hidden"], n_out]
    epochs = epochs or max(session.epoch, 100)
    penalty = {"l1": 0.0, "l2": 0.0}
    if c["regularization"] != "none":
        penalty[c["regularization"]] = c["reg_rate"]
    score = (
        "error = np.mean((net.predict(F_test) - y_test) ** 2)\n"
        'print(f"test mean squared error: {error:.4f}")\n'
        if regression
        else 'accuracy = np.mean(net.predict(F_test) == y_test)\nprint(f"test accuracy: {accuracy:.3f}")\n'
    )
    return (
        '"""A network from the glassnet playground, rebuilt and trained.\n\n'
        f"Data: {c['dataset']} ({c['problem']}); features: {', '.join(c['features'])}; "
        f'layers: {" → ".join(map(str, sizes))}.\nRun it with: python playground.py\n"""\n\n'
        "import numpy as np\n\nimport glassnet as gn\nfrom glassnet.io import save\n"
        f"from glassnet.play.datasets import {'csv_problem' if c['dataset'] == 'csv' else 'dataset'}, features\n\n"
        + _data_code(c, session.n_classes)
        + f"X_train, X_test, y_train, y_test = gn.train_test_split(X, y, test_size={1 - c['train_ratio']!r}, "
        f"random_state={c['seed']})\n"
        f"names = {c['features']!r}\n"
        "F_train, F_test = features(X_train, names), features(X_test, names)\n\n"
        f"net = gn.Network({sizes!r}, activations={c['activations']!r}, "
        f"output={OUTPUT[c['problem']]!r}, dropout={c['dropout']!r}, random_state={c['seed']})\n"
        f"history = gn.train(net, F_train, y_train, optimizer={_OPTIMIZER_CODE[c['optimizer']].format(**c)}, "
        f"epochs={epochs}, batch_size={c['batch_size']}, l2={penalty['l2']!r}, l1={penalty['l1']!r},\n"
        "                   validation=(F_test, y_test), random_state=0)\n"
        'print(f"after {history.epochs} epochs: train loss {history.loss[-1]:.4f}, '
        'test loss {history.val_loss[-1]:.4f}")\n'
        + score
        + 'save(net, "playground.npz", info={"features": names})\n'
    )
