"""From a run's settings to its data and its network, the same way every time.

The command, the playground, the notebooks and ``--resume`` all go through here,
so a run rebuilt from its checkpoint sees exactly the same split, scaling and
network shape as the run that wrote it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, cast

import numpy as np

from .._typing import ActivationName, FloatArray, NDArray, PathLike, TaskName
from ..heads import head_for_targets
from ..network import Network

if TYPE_CHECKING:
    from ..data.preprocessing import Standardizer
    from .config import RunConfig


@dataclass
class Prepared:
    """A run's data, split and standardized with the statistics of the training split.

    ``held_out`` is False when the run has no test split (``test_size=0``): then
    ``X_test``, ``y_test`` are the training data. ``scaler`` is None when the run
    does not standardize.
    """

    X_train: FloatArray
    X_test: FloatArray
    y_train: NDArray[Any]
    y_test: NDArray[Any]
    scaler: Standardizer | None
    task: TaskName
    feature_names: list[str] = field(default_factory=list)
    source: dict[str, Any] = field(default_factory=dict)
    held_out: bool = True

    @property
    def is_classification(self) -> bool:
        return self.task in ("binary", "multiclass", "multilabel")


def load_data(
    dataset: str | None = None,
    csv: PathLike | None = None,
    target: str | int | None = None,
    n_samples: int = 500,
    noise: float = 0.2,
    seed: int = 0,
) -> tuple[FloatArray, NDArray[Any], list[str], dict[str, Any]]:
    """``(X, y, feature_names, source)`` for a built-in dataset or a CSV file.

    Generated datasets (moons, circles, …) take ``n_samples``, ``noise`` and ``seed``;
    scikit-learn's bundled ones are fixed. ``source`` describes where the data came
    from, for the run's metadata.
    """
    from .. import data

    if csv is not None:
        if target is None:
            raise ValueError("a CSV file needs the target column (its name or position)")
        if Path(csv).is_dir():
            raise IsADirectoryError(f"the CSV file {csv} is a directory")
        column = int(target) if str(target).lstrip("-").isdigit() else target
        X, y, names = data.load_csv(csv, column)
        return X, y, names, {"csv": str(csv), "target": str(target)}
    name = str(dataset).strip().lower().replace("-", "_")
    if name in data.GENERATORS:
        X, y, names, _ = data.load_dataset(
            name, return_names=True, n_samples=n_samples, noise=noise, random_state=seed
        )
        return X, y, names, {"dataset": name, "n_samples": n_samples, "noise": noise}
    X, y, names, _ = data.load_dataset(name, return_names=True)  # raises with the valid names
    return X, y, names, {"dataset": name}


def prepare(config: RunConfig) -> Prepared:
    """The :class:`Prepared` data of a checked :class:`RunConfig`."""
    from ..data import standardize, train_test_split

    X, y, names, source = load_data(
        config.dataset,
        None if config.csv is None else Path(config.csv),
        config.target,
        config.n_samples,
        config.noise,
        config.seed,
    )
    # config.task is one of these once checked
    head, _, y = head_for_targets(y, cast("Literal['auto', 'classification', 'regression']", config.task))
    X = X.astype(config.dtype)
    if config.test_size == 0:
        X_train, X_test, y_train, y_test = X, X, y, y
    else:
        X_train, X_test, y_train, y_test = train_test_split(
            X, y, test_size=config.test_size, random_state=config.seed
        )
    scaler = None
    if config.standardize:
        X_train, X_test, scaler = standardize(X_train, X_test)
    return Prepared(
        X_train,
        X_test,
        y_train,
        y_test,
        scaler,
        head.task,
        list(names),
        source,
        held_out=config.test_size > 0,
    )


def build_network(config: RunConfig, prepared: Prepared) -> Network:
    """The network of a run: ``[n_features, *hidden, n_outputs]``, the output layer
    from the task (sigmoid, softmax or identity) unless the config names one."""
    head, n_outputs, _ = head_for_targets(prepared.y_train, prepared.task)
    output = head.activation.name if config.output in (None, "auto") else config.output
    hidden, acts = list(config.hidden), list(config.activation)
    if len(acts) == 1:
        acts = acts * len(hidden) + [output]
    elif len(acts) == len(hidden):
        acts = acts + [output]
    return Network(
        [prepared.X_train.shape[1], *hidden, n_outputs],
        activations=cast("list[ActivationName]", acts),  # names a checked config holds
        dropout=config.dropout if hidden else 0.0,
        random_state=config.seed,
        dtype=np.dtype(config.dtype),
        task=prepared.task,
    )
