"""The other jobs of the command, as functions: evaluate, predict a CSV, check gradients.

Each takes what the user named (files, a dataset, settings) and returns results;
the command only parses options and prints.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from .._typing import NDArray, PathLike
from ..heads import as_targets, head_for_targets
from .prepare import load_data

if TYPE_CHECKING:
    from ..gradcheck import GradCheck
    from ..io.models import SavedModel
    from ..network import Network


def open_model(path: PathLike) -> SavedModel:
    """The :class:`~glassnet.persistence.SavedModel` in ``path``; it must hold a network."""
    from ..io import load_saved

    saved = load_saved(path)
    if saved.network is None:
        raise ValueError(f"{path} holds no network")
    return saved


def predictions_path(input_csv: PathLike, out: PathLike | None = None) -> Path:
    """Where :func:`predict_csv` writes: ``out``, or ``INPUT.predictions.csv`` beside the input."""
    input_csv = Path(input_csv)
    return Path(out) if out is not None else input_csv.with_name(input_csv.stem + ".predictions.csv")


class ColumnTaken(ValueError):
    """The prediction column's name is empty or already a column of the input."""


class SplitNeedsTrainingData(ValueError):
    """``split="train"``/``"test"`` repeats the training split, so it needs the same data."""


@dataclass
class Evaluation:
    """Scores of a saved model on some data; ``y_true``/``y_pred`` for a confusion matrix."""

    metrics: dict[str, Any]
    y_true: NDArray[Any]
    y_pred: NDArray[Any]
    classes: NDArray[Any] | None


def evaluate(
    model: PathLike,
    dataset: str | None = None,
    csv_path: PathLike | None = None,
    target: str | int | None = None,
    split: Literal["all", "train", "test"] = "all",
    n_samples: int | None = None,
    noise: float | None = None,
    seed: int | None = None,
) -> Evaluation:
    """Score the model saved in ``model`` on a dataset or CSV (by default the one it was
    trained on); ``split`` is ``"all"``, or ``"train"``/``"test"`` to repeat the run's split."""
    from ..data import train_test_split
    from .folder import scores

    if split not in ("all", "train", "test"):
        raise ValueError(f"unknown split {split!r}; valid choices are: all, test, train")
    saved = open_model(model)
    net, info = saved.network, saved.info
    assert net is not None  # open_model refuses a file without a network
    source = info.get("source", {})
    if csv_path is None and dataset is None:
        if "csv" in source:
            csv_path, target = Path(source["csv"]), target or source.get("target")
        elif "dataset" in source:
            dataset = source["dataset"]
        else:
            raise SplitNeedsTrainingData("name a dataset or give a CSV file and its target column")
    same_source = (csv_path is not None and str(csv_path) == source.get("csv")) or (
        csv_path is None and dataset == source.get("dataset")
    )
    seed = seed if seed is not None else info.get("seed", 0)
    X, y, _, _ = load_data(
        dataset,
        csv_path,
        target,
        n_samples or source.get("n_samples", 500),
        source.get("noise", 0.2) if noise is None else noise,
        seed,
    )
    y = as_targets(y, "regression" if not net.head.is_classifier else net.task)
    if split != "all":
        if not same_source:
            raise SplitNeedsTrainingData(
                "split train/test repeats the training split, so it needs the data the model was trained on"
            )
        X_tr, X_te, y_tr, y_te = train_test_split(
            X, y, test_size=info.get("test_size", 0.2), random_state=seed
        )
        X, y = (X_tr, y_tr) if split == "train" else (X_te, y_te)
    X = saved.transform(X.astype(net.dtype))
    metrics = {
        "model": str(model),
        "data": str(csv_path or dataset),
        "split": split,
        "n_samples": len(y),
        **scores(net, X, y),
    }
    return Evaluation(metrics, y, net.predict(X), net.classes_)


def predict_csv(
    model: PathLike,
    input_csv: PathLike,
    out: PathLike | None = None,
    proba: bool = False,
    column: str = "prediction",
) -> tuple[Path, int]:
    """Predict every row of ``input_csv``; write its rows with a prediction column (and
    ``p(class)`` columns with ``proba``) to ``out``, atomically. Returns ``(out, n_rows)``."""
    from ..data import read_feature_rows
    from ..io.files import atomic_write

    input_csv = Path(input_csv)
    out = predictions_path(input_csv, out)
    if out.resolve() == input_csv.resolve():
        raise ValueError("the output file must differ from the input file")
    if not column.strip():
        raise ColumnTaken("the prediction column needs a name")
    saved = open_model(model)
    net = saved.network
    assert net is not None  # open_model refuses a file without a network
    if proba and not net.head.is_classifier:
        raise ValueError("probabilities need a classifier")
    rows, header, X = read_feature_rows(
        input_csv, net.n_inputs, saved.info.get("feature_names") or [], saved.info.get("target")
    )
    extra_header: list[str] = []
    if proba:
        assert net.classes_ is not None  # a classifier's
        extra_header = [f"p({c})" for c in net.classes_]
    if column in header:  # the output would have two columns of that name
        raise ColumnTaken(f"{input_csv} already has a column {column!r}; name the predictions another way")
    if column in extra_header:
        raise ColumnTaken(f"{column!r} is the name of a probability column; name the predictions another way")
    X_std = saved.transform(X.astype(net.dtype))
    prediction = net.predict(X_std)
    extra: list[list[str]] = []
    if proba:
        P = net.head.probabilities(net.predict_output(X_std))
        assert P is not None  # a classifier's
        extra = [[repr(float(p)) for p in row] for row in P]
    with atomic_write(out, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow([*header, column, *extra_header])
        for i, row in enumerate(rows):
            value = prediction[i]
            value = (
                repr(float(value))
                if isinstance(value, (float, np.floating))
                else str(np.asarray(value).tolist())
            )
            writer.writerow([*row, value, *(extra[i] if extra else [])])
    return out, len(rows)


GRADCHECK_MAX_PARAMS = 20_000
"""Most parameters :func:`check_gradients` checks: two forward passes each (a 2-200-200-1
network's 41,000 took four minutes)."""
GRADCHECK_MAX_SAMPLES = 10_000
"""Most rows in its batch: every forward pass runs over all of them."""


def check_gradients(
    dataset: str | None = "moons",
    csv_path: PathLike | None = None,
    target: str | int | None = None,
    model: PathLike | None = None,
    hidden: Sequence[int] = (5, 4),
    activation: Sequence[str] = ("tanh",),
    output: str = "auto",
    samples: int = 20,
    l2: float = 0.0,
    seed: int = 0,
) -> tuple[Network, GradCheck, int]:
    """Backpropagation against central differences on ``samples`` rows of a dataset, for a
    fresh network (``hidden``, ``activation``, ``output``) or a saved ``model``.
    Returns ``(net, GradCheck, n_rows)``."""
    from .._validation import check_positive
    from ..data import standardize
    from ..gradcheck import gradcheck
    from ..training import encode_targets
    from .config import RunConfig
    from .prepare import Prepared, build_network

    check_positive(samples, "samples", integer=True)
    if samples > GRADCHECK_MAX_SAMPLES:
        raise ValueError(
            f"a gradient check takes at most {GRADCHECK_MAX_SAMPLES:,} samples "
            f"(GRADCHECK_MAX_SAMPLES), got {samples:,}: a few dozen show any error"
        )
    X, y, _, _ = load_data(dataset, csv_path, target, max(samples, 50), 0.2, seed)
    if model is not None:
        saved = open_model(model)
        net = saved.network
        assert net is not None  # open_model refuses a file without a network
        y = as_targets(y, "regression" if not net.head.is_classifier else net.task)
        X = saved.transform(X)
    else:
        head, _, y = head_for_targets(y)
        X = standardize(X)[0]
        config = RunConfig(hidden=tuple(hidden), activation=tuple(activation), output=output, seed=seed)
        net = build_network(config.checked(), Prepared(X, X[:0], y, y[:0], None, head.task))
        encode_targets(net, y, X.shape[0], fit=True)  # the classes, as training would learn them
    if net.n_params > GRADCHECK_MAX_PARAMS:
        raise ValueError(
            f"the network {net.layer_sizes} has {net.n_params:,} parameters; a gradient check "
            f"differentiates each one numerically, so it takes at most {GRADCHECK_MAX_PARAMS:,} "
            "(GRADCHECK_MAX_PARAMS): check a smaller network of the same shape"
        )
    rows = np.random.default_rng(seed).permutation(X.shape[0])[:samples]
    Y, _ = encode_targets(net, y[rows], len(rows))
    return net, gradcheck(net, X[rows], Y, l2=l2), len(rows)
