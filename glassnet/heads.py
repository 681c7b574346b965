"""The task a network solves, decided once: its output activation, loss, targets and score.

A *head* sits on top of the last layer and knows everything that depends on the
task, so that no other module has to compare activation names:

==============  ==================  ===========================  =====================  ========
head            output activation   canonical loss               targets ``Y``          score
==============  ==================  ===========================  =====================  ========
``Binary``      sigmoid, 1 unit     binary cross-entropy         labels → one 0/1 col   accuracy
``Multiclass``  softmax, k units    categorical cross-entropy    labels → one-hot rows  accuracy
``Multilabel``  sigmoid, k units    binary cross-entropy         0/1 indicator matrix   accuracy
``Regression``  any (identity)      squared error                numbers                R²
``Poisson``     exp                 Poisson deviance             counts ≥ 0             R²
==============  ==================  ===========================  =====================  ========

Each canonical pair makes the output delta ``dZ = Ŷ − Y`` (see :mod:`glassnet.losses`).
A head turns the user's targets into the numeric matrix ``Y`` (:meth:`Head.encode`,
remembering class labels in ``classes_``), turns outputs back into predictions
(:meth:`Head.decode`), and scores predictions (:meth:`Head.score`).

:func:`infer_task` and :func:`head_for_targets` choose the task from the targets,
for the applications that are handed plain data (the command, experiments).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from numpy.typing import DTypeLike

from ._typing import ActivationName, ArrayLike, FloatArray, IntArray, LossName, NDArray, TaskName
from .activations import Activation, get_activation
from .losses import Loss, get_loss

if TYPE_CHECKING:
    from .network import Network

TASKS: tuple[TaskName, ...] = ("binary", "multiclass", "multilabel", "regression", "poisson")
"""Every task by name."""


class Head:
    """Base class: a regression-like head. Subclasses set ``task`` and the canonical loss."""

    task: TaskName = "regression"
    canonical_loss: LossName = "squared_error"
    is_classifier = False
    metric = "r2"

    def __init__(self, activation: ActivationName | Activation = "identity") -> None:
        self.activation = get_activation(activation)
        self.loss = get_loss(self.canonical_loss)
        self.classes_: NDArray[Any] | None = None
        self.ravel = False  # predict 1-D: trained on a 1-D target with one output
        self.inferred = False  # read off the output activation rather than named (see make_head)

    # ------------------------------------------------------------------ targets
    def encode(
        self, y: ArrayLike, n_outputs: int, dtype: DTypeLike, fit: bool = False
    ) -> tuple[FloatArray, IntArray | None]:
        """The numeric targets ``Y``, shape (n_samples, n_outputs), and integer labels or None.

        ``fit=True`` remembers what prediction needs (the classes, a 1-D target).
        """
        Y = _numeric(y, dtype, f"a {self.task} head")
        if fit:
            self.ravel = Y.ndim == 1
        Y = _as_columns(Y, n_outputs, y)
        return Y, None

    def decode(self, Y_hat: FloatArray) -> NDArray[Any]:
        """Predictions from the network's outputs ``Ŷ``: here ``Ŷ`` itself."""
        return Y_hat[:, 0] if self.ravel else Y_hat

    def predict(self, net: Network, X: ArrayLike) -> NDArray[Any]:
        """Predictions for ``X`` (validated by the network)."""
        return self.decode(net.predict_output(X))

    # ------------------------------------------------------------------ scores
    def score(self, y_true: ArrayLike, y_pred: ArrayLike, sample_weight: ArrayLike | None = None) -> float:
        """R² (the coefficient of determination), averaged over outputs as scikit-learn does."""
        return r2_score(y_true, y_pred, sample_weight)

    def batch_accuracy(self, Y_hat: FloatArray, Y: FloatArray) -> float | None:
        """Share of rows of a batch predicted right (classifiers), or None."""
        return None

    def probabilities(self, Y_hat: FloatArray) -> FloatArray | None:
        """One column of probability per class (scikit-learn's ``predict_proba``), or None
        for a head whose outputs are not class probabilities."""
        return None

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.activation!r})"


class Regression(Head):
    """Numbers, one or several outputs, with squared error; any elementwise output activation."""

    def __init__(self, activation: ActivationName | Activation = "identity") -> None:
        super().__init__(activation)
        if self.activation.name == "softmax":
            raise ValueError("a regression head needs an elementwise output activation, not softmax")


class Poisson(Head):
    """Counts (or rates) ``y ≥ 0`` with an exponential output and the Poisson deviance."""

    task = "poisson"
    canonical_loss = "poisson"

    def __init__(self, activation: ActivationName | Activation = "exp") -> None:
        super().__init__(activation)

    def encode(
        self, y: ArrayLike, n_outputs: int, dtype: DTypeLike, fit: bool = False
    ) -> tuple[FloatArray, IntArray | None]:
        Y, labels = super().encode(y, n_outputs, dtype, fit)
        if (Y < 0).any():
            raise ValueError("Poisson targets must be non-negative counts or rates")
        return Y, labels


class _Classifier(Head):
    is_classifier = True
    metric = "accuracy"

    def score(self, y_true: ArrayLike, y_pred: ArrayLike, sample_weight: ArrayLike | None = None) -> float:
        """Accuracy: the share of samples (rows, for multi-label) predicted exactly."""
        right = np.asarray(y_true) == np.asarray(y_pred)
        if right.ndim == 2:
            right = right.all(axis=1)
        weights = None if sample_weight is None else np.asarray(sample_weight)
        return float(np.average(right, weights=weights))

    def _labels_to_index(self, y: NDArray[Any], fit: bool) -> IntArray:
        """Integer class indices of label vector ``y`` (classes learned with ``fit``)."""
        if y.dtype.kind == "f" and not np.isfinite(y).all():
            raise ValueError("y contains NaN or infinite values")
        if y.dtype.kind == "c":
            raise ValueError("y has complex values; class labels must be numbers or strings")
        if y.dtype.kind == "O":
            y = y.astype(str)
        if fit:
            learned = np.unique(y)
            if learned.size < 2:
                raise ValueError(
                    f"y has a single class ({learned[0].item()!r}); a classifier needs at least two"
                )
            self.classes_ = learned
        classes = self.classes_
        if classes is None:
            raise ValueError("the network has no classes yet; train it on labels first")
        index = np.clip(np.searchsorted(classes, y), 0, classes.size - 1)
        unknown = classes[index] != y
        if unknown.any():
            raise ValueError(f"y contains labels not seen in training: {np.unique(y[unknown])[:5].tolist()}")
        return index


class Binary(_Classifier):
    """Two classes with one sigmoid unit: ``p = P(class 1)``, predicted class ``p > 0.5``."""

    task: TaskName = "binary"
    canonical_loss = "binary_cross_entropy"

    def __init__(self, activation: ActivationName | Activation = "sigmoid") -> None:
        super().__init__(activation)
        _require(self.activation, "sigmoid", self.task)

    def encode(
        self, y: ArrayLike, n_outputs: int, dtype: DTypeLike, fit: bool = False
    ) -> tuple[FloatArray, IntArray | None]:
        y = np.asarray(y)
        if y.ndim == 2:  # a 0/1 column, already numeric
            Y = _as_columns(_numeric(y, dtype, "a sigmoid output"), n_outputs, y)
            _require_01(Y, self.activation.name)
            return Y, None
        index = self._labels_to_index(y, fit)
        assert self.classes_ is not None  # _labels_to_index raises without classes
        if self.classes_.size != 2:
            raise ValueError(
                f"y has {self.classes_.size} classes, but one sigmoid output separates "
                "exactly two; use softmax"
            )
        return index.astype(dtype).reshape(-1, 1), index

    def decode(self, Y_hat: FloatArray) -> NDArray[Any]:
        on: IntArray = (Y_hat[:, 0] > 0.5).astype(int)
        return on if self.classes_ is None else self.classes_[on]

    def probabilities(self, Y_hat: FloatArray) -> FloatArray:
        return np.hstack([1 - Y_hat, Y_hat])  # P(first class), P(second class)

    def batch_accuracy(self, Y_hat: FloatArray, Y: FloatArray) -> float:
        return float(((Y_hat > 0.5) == (Y > 0.5)).all(axis=1).mean())


class Multilabel(Binary):
    """Several independent yes/no outputs, one sigmoid unit each; ``y`` a 0/1 indicator matrix."""

    task = "multilabel"

    def encode(
        self, y: ArrayLike, n_outputs: int, dtype: DTypeLike, fit: bool = False
    ) -> tuple[FloatArray, IntArray | None]:
        y = np.asarray(y)
        if y.ndim == 1:
            raise ValueError(
                f"{n_outputs} sigmoid outputs need a 0/1 indicator matrix y of shape "
                f"(n_samples, {n_outputs}) (multi-label)"
            )
        Y = _as_columns(_numeric(y, dtype, "a sigmoid output"), n_outputs, y)
        _require_01(Y, self.activation.name)
        return Y, None

    def decode(self, Y_hat: FloatArray) -> NDArray[Any]:
        return (Y_hat > 0.5).astype(int)

    def probabilities(self, Y_hat: FloatArray) -> FloatArray:
        return Y_hat  # each label's own probability; the columns need not sum to 1


class Multiclass(_Classifier):
    """One of k classes with a softmax over k units; the prediction is the most probable class."""

    task = "multiclass"
    canonical_loss = "categorical_cross_entropy"

    def __init__(self, activation: ActivationName | Activation = "softmax") -> None:
        super().__init__(activation)
        _require(self.activation, "softmax", self.task)

    def encode(
        self, y: ArrayLike, n_outputs: int, dtype: DTypeLike, fit: bool = False
    ) -> tuple[FloatArray, IntArray | None]:
        y = np.asarray(y)
        if y.ndim == 2 and y.shape[1] == 1:
            y = y[:, 0]
        if y.ndim == 2:  # one-hot rows, already numeric
            Y = _as_columns(_numeric(y, dtype, "a softmax output"), n_outputs, y)
            _require_01(Y, self.activation.name)
            return Y, Y.argmax(axis=1)
        index = self._labels_to_index(y, fit)
        assert self.classes_ is not None  # _labels_to_index raises without classes
        if self.classes_.size != n_outputs:
            raise ValueError(
                f"y has {self.classes_.size} classes, but the softmax output has {n_outputs} units"
            )
        Y = np.zeros((y.shape[0], n_outputs), dtype=dtype)
        Y[np.arange(y.shape[0]), index] = 1
        return Y, index

    def decode(self, Y_hat: FloatArray) -> NDArray[Any]:
        index: IntArray = Y_hat.argmax(axis=1)
        return index if self.classes_ is None else self.classes_[index]

    def probabilities(self, Y_hat: FloatArray) -> FloatArray:
        return Y_hat

    def predict(self, net: Network, X: ArrayLike) -> NDArray[Any]:
        # Softmax keeps the order of each row: the most probable class is the largest
        # pre-activation, so no exp and no (n, k) array is needed (Network.predict_index).
        index: IntArray = net.predict_index(X)
        return index if self.classes_ is None else self.classes_[index]

    def batch_accuracy(self, Y_hat: FloatArray, Y: FloatArray) -> float:
        return float((Y_hat.argmax(axis=1) == Y.argmax(axis=1)).mean())


HEADS: dict[str, type[Head]] = {
    "binary": Binary,
    "multiclass": Multiclass,
    "multilabel": Multilabel,
    "regression": Regression,
    "poisson": Poisson,
}
"""Every head by task name."""


def make_head(
    task: TaskName | Literal["classification"] | None, activation: ActivationName | Activation, n_outputs: int
) -> Head:
    """The head for ``task`` (a name from :data:`TASKS`, ``"classification"`` or None) on
    an output layer of ``n_outputs`` units with ``activation``.

    ``task=None`` reads the task off the output activation, as a textbook network
    says it: softmax → multi-class, one sigmoid → binary, several → multi-label,
    exp → Poisson, anything else → regression. ``"classification"`` does the same
    but insists on a classifier.
    """
    activation = get_activation(activation)
    name = activation.name
    inferred = task is None
    if task in (None, "classification"):
        by_activation: dict[str, TaskName] = {
            "softmax": "multiclass",
            "exp": "poisson",
            "sigmoid": "binary" if n_outputs == 1 else "multilabel",
        }
        read_off = by_activation.get(name, "regression")
        if task == "classification" and read_off not in ("binary", "multiclass", "multilabel"):
            raise ValueError(f"a classifier needs a sigmoid or softmax output, not {name}")
        task = read_off
    if task not in TASKS:
        raise ValueError(f"unknown task {task!r}; valid tasks are: {', '.join(TASKS)}, classification")
    if task == "binary" and n_outputs != 1:
        raise ValueError(f"a binary head has one output unit, not {n_outputs}; use multilabel or multiclass")
    if task == "multiclass" and n_outputs < 2:
        raise ValueError("a multi-class head needs at least two output units")
    head = HEADS[task](activation)
    head.inferred = inferred
    return head


def head_for_loss(head: Head, y: ArrayLike, loss: LossName | Loss | None) -> Head:
    """The head to train ``y`` with ``loss``: ``head`` itself, or a :class:`Regression` head.

    A sigmoid output whose task was read off its activation (not named) is a
    classifier, unless it is trained with squared error on numbers that are not 0/1
    labels of two classes: values other than 0 and 1, or a single value, such as
    the textbook neuron fitted to ``y = 1.0``. Those are fitted as numbers, as the
    texts do. Classifier users, who train on labels, never meet the switch; naming
    ``task=`` on the network turns it off.
    """
    if loss is None or not head.inferred or head.task not in ("binary", "multilabel"):
        return head
    if get_loss(loss).name != "squared_error":
        return head
    y = np.asarray(y)
    if y.dtype.kind not in "fiub" or y.size == 0:
        return head
    values = np.unique(y)
    if np.isin(values, (0, 1)).all() and values.size == 2:
        return head
    regression = Regression(head.activation)
    regression.inferred = True
    return regression


def infer_task(y: ArrayLike, task: TaskName | Literal["auto", "classification"] = "auto") -> TaskName:
    """``"binary"``, ``"multiclass"``, ``"multilabel"`` or ``"regression"`` for targets ``y``.

    ``task`` is ``"auto"``, ``"classification"`` or ``"regression"`` (or a task name,
    returned as is). Automatically, strings, booleans and integers are class labels,
    and so are floats when they are whole numbers with at most 20 distinct values;
    a 2-D 0/1 matrix with several columns is multi-label; other numbers are
    regression targets.
    """
    if task in TASKS:
        return task
    if task not in ("auto", "classification", "regression"):
        raise ValueError(f"unknown task {task!r}; valid choices are: auto, classification, regression")
    y = np.asarray(y)
    if y.ndim == 2 and y.shape[1] > 1:
        indicator = y.dtype.kind in "fiub" and np.isin(y, (0, 1)).all()
        return "multilabel" if indicator and task != "regression" else "regression"
    y = y.reshape(-1) if y.ndim == 2 else y
    if task == "regression":
        return "regression"
    if task == "auto" and not _looks_like_labels(y):
        return "regression"
    n_classes = np.unique(y).size
    if n_classes < 2:
        raise ValueError(
            f"the targets hold a single class ({np.unique(y)[0].item()!r}); a classifier needs two"
        )
    return "binary" if n_classes == 2 else "multiclass"


def as_targets(y: ArrayLike, task: TaskName) -> NDArray[Any]:
    """``y`` as the task needs it: whole-number float labels become integers, and a
    regression target must be numeric (float64)."""
    y = np.asarray(y)
    if task == "regression":
        if y.dtype.kind not in "fiub":
            raise ValueError("a regression target must be numeric; use task='classification' for labels")
        return y.astype(np.float64)
    if y.dtype.kind == "f" and np.isfinite(y).all() and np.all(y == np.round(y)) and _fits_int64(y):
        return y.astype(np.int64)
    return y  # labels past int64's range stay floats: 1e30 and 2e30 are two classes


def _fits_int64(y: NDArray[Any]) -> bool:
    """Whether whole-number floats convert to int64 exactly (|y| < 2⁶³)."""
    return y.size == 0 or bool(np.abs(y).max() < 2.0**63)


def head_for_targets(
    y: ArrayLike, task: TaskName | Literal["auto", "classification"] = "auto"
) -> tuple[Head, int, NDArray[Any]]:
    """``(head, n_outputs, y)``: the head for targets ``y`` (see :func:`infer_task`), the size of
    the output layer, and ``y`` converted by :func:`as_targets`."""
    task = infer_task(y, task)
    y = as_targets(y, task)
    if task == "multiclass":
        n_outputs = np.unique(y).size
    elif task == "binary":
        n_outputs = 1
    else:
        n_outputs = 1 if y.ndim == 1 else y.shape[1]
    activation: dict[str, ActivationName] = {
        "binary": "sigmoid",
        "multiclass": "softmax",
        "multilabel": "sigmoid",
        "regression": "identity",
        "poisson": "exp",
    }
    return make_head(task, activation[task], n_outputs), n_outputs, y


def r2_score(y_true: ArrayLike, y_pred: ArrayLike, sample_weight: ArrayLike | None = None) -> float:
    """``R² = 1 − Σ(y − ŷ)² / Σ(y − ȳ)²`` per output, averaged over the outputs.

    As scikit-learn's ``r2_score``: a constant target scores 1 when predicted
    exactly and 0 otherwise (no division by zero).
    """
    y_true = np.asarray(y_true, dtype=np.float64)
    y_pred = np.asarray(y_pred, dtype=np.float64).reshape(y_true.shape)
    if y_true.ndim == 1:
        y_true, y_pred = y_true[:, None], y_pred[:, None]
    w = np.ones(y_true.shape[0]) if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
    residual = (w[:, None] * (y_true - y_pred) ** 2).sum(axis=0)
    mean = np.average(y_true, axis=0, weights=w)
    total = (w[:, None] * (y_true - mean) ** 2).sum(axis=0)
    return r2_from_sums(residual, total)


def r2_from_sums(residual: ArrayLike, total: ArrayLike) -> float:
    """R² averaged over outputs from each output's ``Σw(y − ŷ)²`` and ``Σw(y − ȳ)²``
    (sums that blocks of rows can add up, :mod:`glassnet.distributed`)."""
    residual, total = np.asarray(residual, dtype=np.float64), np.asarray(total, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        scores = np.where(total > 0, 1 - residual / total, np.where(residual == 0, 1.0, 0.0))
    return float(scores.mean())


def _looks_like_labels(y: NDArray[Any]) -> bool:
    if y.dtype.kind in "USObiu":
        return True
    if y.dtype.kind != "f" or not np.isfinite(y).all():
        return False
    return bool(np.all(y == np.round(y))) and np.unique(y).size <= 20


def _numeric(y: ArrayLike, dtype: DTypeLike, what: str) -> FloatArray:
    y = np.asarray(y)
    if y.dtype.kind == "c":
        raise ValueError("y has complex values; glassnet works with real numbers")
    if y.dtype.kind not in "fiub":
        raise ValueError(f"y must be numeric for {what}, got values of type {y.dtype}")
    return np.ascontiguousarray(y, dtype=dtype)


def _as_columns(Y: FloatArray, n_outputs: int, y: ArrayLike) -> FloatArray:
    if Y.ndim == 1:
        Y = Y.reshape(-1, 1)
    if Y.ndim != 2 or Y.shape[1] != n_outputs:
        raise ValueError(f"y has shape {np.shape(y)}, but the network has {n_outputs} outputs")
    if not np.isfinite(Y).all():
        raise ValueError("y contains NaN or infinite values")
    return Y


def _require(activation: Activation, name: str, task: str) -> None:
    if not isinstance(activation, Activation) or activation.name != name:
        raise ValueError(f"a {task} head needs a {name} output, not {activation.name}")


def _require_01(Y: FloatArray, output: str) -> None:
    if not np.isin(Y, (0, 1)).all():
        raise ValueError(f"a {output} output needs 0/1 targets (one-hot or indicator rows)")
