"""What a run leaves behind: its folder of model, metrics, history, pictures and report.

::

    runs/moons-20261130-101500/
        model.npz           the trained network with its standardizer (glassnet.persistence)
        checkpoint.npz      everything --resume needs
        metrics.json        scores on the train and test splits, timings, the settings
        history.csv         one row per epoch
        *.png               learning curves, decision boundary (2-D data), confusion matrix, network
        report.html         one self-contained page with all of the above
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .._typing import ArrayLike, FloatArray, NDArray, PathLike
from ..io.files import atomic_write, save_png
from ..training import History

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from ..network import Network
    from .prepare import Prepared


def scores(net: Network, X: FloatArray, y: ArrayLike) -> dict[str, float]:
    """``{metric: value, "loss": value}`` of ``net`` on standardized ``(X, y)``.

    The metric is the head's: accuracy for a classifier; R² and the mean squared
    error for regression.
    """
    from ..training import encode_targets

    head = net.head
    with np.errstate(over="ignore", invalid="ignore"):  # a diverged run's scores may overflow
        Y_hat = net.predict_output(X)
        Y, _ = encode_targets(net, y, X.shape[0])
        result: dict[str, float] = {head.metric: head.score(y, head.decode(Y_hat))}
        if not head.is_classifier:
            residual = np.asarray(head.decode(Y_hat), dtype=float) - np.asarray(y, dtype=float)
            result["mse"] = float(np.mean(residual**2))
        result["loss"] = net.resolve_loss(None)(Y_hat, Y)
    return result


def write_history_csv(path: PathLike, history: History) -> None:
    """One row per epoch: ``epoch, loss, val_loss, accuracy, …``, atomically."""
    columns = [k for k in History.SERIES if getattr(history, k)]
    with atomic_write(path, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["epoch", *columns])
        for i in range(len(history.loss)):
            writer.writerow(
                [
                    i + 1,
                    *(
                        repr(float(getattr(history, k)[i])) if i < len(getattr(history, k)) else ""
                        for k in columns
                    ),
                ]
            )


def read_history_csv(path: PathLike) -> History:
    """The :class:`History` a run folder's ``history.csv`` holds."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no history.csv in {path.parent}")
    columns: dict[str, Any] = {}  # series name → its values, History's keyword arguments
    with open(path, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            for k, v in row.items():
                if k in History.SERIES and v not in ("", None):
                    try:
                        columns.setdefault(k, []).append(float(v))
                    except ValueError:
                        raise ValueError(f"{path}: column {k!r} holds a non-number {v!r}") from None
    if not columns.get("loss"):
        raise ValueError(f"{path} holds no loss values")
    return History(**columns)


def draw_pictures(
    folder: PathLike,
    net: Network,
    history: History,
    prepared: Prepared,
    metrics: Mapping[str, Any] | None = None,
) -> tuple[dict[str, Path], list[str]]:
    """The run's pictures: ``({name: path}, [problems])``; one that fails to draw is a
    problem to report, not a reason to lose the run.

    The decision boundary shows the data in its own units (the network sees them
    standardized) with the test accuracy in the title; the learning curves call the
    held-out data what it is, the test split.
    """
    from ..glass import plots

    images: dict[str, Path] = {}
    problems: list[str] = []
    X_all, y_all = _all_samples(prepared)
    drawings: dict[str, Callable[[], Figure]] = {
        "learning_curves": lambda: plots.plot_history(history, validation_label="test")
    }
    if prepared.is_classification and X_all.shape[1] == 2:
        scaler = prepared.scaler
        raw = X_all if scaler is None else scaler.inverse_transform(X_all)
        title = "Decision boundary"
        if metrics and "test_accuracy" in metrics:
            which = "test" if prepared.held_out else "training"
            title += f" ({which} accuracy {metrics['test_accuracy']:.3f})"
        drawings["decision_boundary"] = lambda: plots.plot_decision_boundary(
            net, raw, y_all, transform=None if scaler is None else scaler.transform, title=title
        )
    if prepared.is_classification:
        drawings["confusion_matrix"] = lambda: plots.plot_confusion_matrix(
            prepared.y_test, net.predict(prepared.X_test), labels=net.classes_
        )
    drawings["network"] = lambda: plots.plot_network(net)
    for name, draw in drawings.items():
        try:
            images[name] = save_png(draw(), Path(folder) / f"{name}.png")
        except Exception as exc:  # a picture must not cost the user the run
            problems.append(f"could not draw {name}: {exc}")
    return images, problems


def _all_samples(prepared: Prepared) -> tuple[FloatArray, NDArray[Any]]:
    """Every sample of the run once (the training split is the test split without one)."""
    if not prepared.held_out:
        return prepared.X_train, prepared.y_train
    return (
        np.vstack([prepared.X_train, prepared.X_test]),
        np.concatenate([prepared.y_train, prepared.y_test]),
    )
