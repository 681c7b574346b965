"""A playground setup: its settings, their defaults, and the bounds every request must keep.

The page sends its whole setup (the same settings it keeps in the URL) as JSON;
:func:`check_config` merges it into the session's current setup and checks
every value before anything is allocated: names against their lists of
choices, numbers against their ranges, sizes against :class:`Limits`. A bad
value is a :class:`SetupError` whose message names the setting, what was
given and what is allowed, so the page can show it as is.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, cast, overload

from .datasets import CLASSIFICATION, DATASETS, FEATURES, REGRESSION

if TYPE_CHECKING:
    from glassnet._typing import ActivationName


class SetupError(ValueError):
    """A request the playground refuses; ``status`` is the HTTP status to answer with."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Limits:
    """How big anything a request asks for may be.

    The default network limits are TensorFlow Playground's (6 hidden layers of
    8 neurons); ``big=True`` in a setup lifts them to ``big_layers`` × ``big_neurons``.
    """

    max_layers: int = 6
    max_neurons: int = 8
    big_layers: int = 8
    big_neurons: int = 64
    max_samples: int = 2000
    max_csv_rows: int = 5000
    max_epochs: int = 10_000
    max_sessions: int = 32
    max_body: int = 1_000_000
    max_formula: int = 200
    max_descent_steps: int = 1000
    max_explainer_steps: int = 500
    formula_seconds: float = 5.0

    def as_dict(self) -> dict[str, int | float]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


ACTIVATIONS = ("tanh", "relu", "sigmoid", "linear", "leaky_relu", "elu", "softplus", "gelu")
"""Hidden-layer activations the page offers (glassnet names; "linear" is the identity)."""
OPTIMIZERS = ("sgd", "momentum", "adam")
PROBLEMS = ("classification", "multiclass", "regression")
REGULARIZATIONS = ("none", "l1", "l2")
OUTPUT: dict[str, ActivationName] = {
    "classification": "sigmoid",
    "multiclass": "softmax",
    "regression": "identity",
}
"""The output activation of each problem; each pairs with its canonical loss
(binary cross-entropy, categorical cross-entropy, squared error)."""

DEFAULTS: dict[str, Any] = {
    "dataset": "circle",
    "noise": 0.0,
    "train_ratio": 0.5,
    "n_samples": 500,
    "n_classes": 3,
    "batch_size": 10,
    "seed": 1,
    "features": ["x1", "x2"],
    "hidden": [4, 2],
    "activations": ["tanh", "tanh"],
    "problem": "classification",
    "lr": 0.03,
    "optimizer": "sgd",
    "momentum": 0.9,
    "beta1": 0.9,
    "beta2": 0.999,
    "regularization": "none",
    "reg_rate": 0.0,
    "dropout": 0.0,
    "big": False,
}
"""The setup of a new session: TensorFlow Playground's first screen."""

DATA_KEYS = ("dataset", "noise", "train_ratio", "n_samples", "n_classes", "seed")
"""Settings that change the data (and so the network, which is rebuilt)."""
NETWORK_KEYS = ("features", "hidden", "activations", "problem", "big")
"""Settings that change the network's shape: new initial weights."""


@overload
def check_number(
    value: object, name: str, low: float, high: float, integer: Literal[True], low_open: bool = False
) -> int: ...
@overload
def check_number(
    value: object, name: str, low: float, high: float, integer: Literal[False] = False, low_open: bool = False
) -> float: ...
@overload
def check_number(
    value: object, name: str, low: float, high: float, integer: bool = False, low_open: bool = False
) -> int | float: ...


def check_number(
    value: object, name: str, low: float, high: float, integer: bool = False, low_open: bool = False
) -> int | float:
    """``value`` as an int or float in ``[low, high]`` (``(low, high]`` with ``low_open``), or a SetupError."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value):
        raise SetupError(f"{name} must be a number, got {value!r}")
    value = cast(float, value)  # a Real: an int, a float or a NumPy number, which int() takes
    if integer and value != int(value):
        raise SetupError(f"{name} must be a whole number, got {value!r}")
    if value < low or value > high or (low_open and value == low):
        raise SetupError(
            f"{name} must be {'above' if low_open else 'at least'} {low:g} "
            f"and at most {high:g}, got {value:g}"
        )
    return int(value) if integer else float(value)


def _number(
    cfg: dict[str, Any], key: str, low: float, high: float, integer: bool = False, low_open: bool = False
) -> None:
    cfg[key] = check_number(cfg[key], key, low, high, integer, low_open)


def _choice(cfg: Mapping[str, Any], key: str, choices: Sequence[str]) -> None:
    value = cfg[key]
    if value not in choices:
        raise SetupError(f"unknown {key} {value!r}; valid choices are: {', '.join(choices)}")


def _names(cfg: Mapping[str, Any], key: str, choices: Sequence[str]) -> None:
    value = cfg[key]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise SetupError(f"{key} must be a list of names, got {value!r}")
    for v in value:
        if v not in choices:
            raise SetupError(f"unknown {key[:-1]} {v!r}; valid choices are: {', '.join(choices)}")


def check_hidden(cfg: Mapping[str, Any], limits: Limits) -> None:
    """The hidden layers: at most ``max_layers`` of at most ``max_neurons`` (or the lifted bounds)."""
    hidden = cfg["hidden"]
    layers, neurons = (
        (limits.big_layers, limits.big_neurons) if cfg["big"] else (limits.max_layers, limits.max_neurons)
    )
    lift = "" if cfg["big"] else " (lifted size limits allow more)"
    if not isinstance(hidden, list) or not all(
        isinstance(n, int) and not isinstance(n, bool) for n in hidden
    ):
        raise SetupError(f"hidden must be a list of neuron counts, got {hidden!r}")
    if len(hidden) > layers:
        raise SetupError(f"at most {layers} hidden layers{lift}, got {len(hidden)}")
    for n in hidden:
        if not 1 <= n <= neurons:
            raise SetupError(f"each hidden layer needs 1 to {neurons} neurons{lift}, got {n}")
    if len(cfg["activations"]) != len(hidden):
        raise SetupError(
            f"activations names {len(cfg['activations'])} layers, but there are {len(hidden)} hidden layers"
        )


def check_config(
    raw: object, current: Mapping[str, Any], limits: Limits, has_csv: bool = False
) -> dict[str, Any]:
    """Merge the settings ``raw`` into ``current`` and check every value.

    Parameters
    ----------
    raw : dict
        Some or all of the settings in :data:`DEFAULTS`.
    current : dict
        The session's setup so far.
    limits : Limits
    has_csv : bool
        Whether the session holds an uploaded CSV (then ``dataset="csv"`` is valid).

    Returns
    -------
    dict
        The new setup, every value checked and of its proper type.
    """
    if not isinstance(raw, dict):
        raise SetupError(f"the setup must be a JSON object, got {type(raw).__name__}")
    unknown = sorted(set(raw) - set(DEFAULTS))
    if unknown:
        raise SetupError(f"unknown setting {unknown[0]!r}; valid settings are: {', '.join(DEFAULTS)}")
    cfg = {**current, **raw}
    if not isinstance(cfg["big"], bool):
        raise SetupError(f"big must be true or false, got {cfg['big']!r}")
    _choice(cfg, "problem", PROBLEMS)
    _choice(cfg, "dataset", DATASETS + (("csv",) if has_csv else ()))
    if cfg["problem"] == "regression" and cfg["dataset"] in CLASSIFICATION:
        raise SetupError(
            f"dataset {cfg['dataset']!r} has class labels; for regression choose "
            f"one of: {', '.join(REGRESSION)}"
        )
    if cfg["problem"] != "regression" and cfg["dataset"] in REGRESSION:
        raise SetupError(
            f"dataset {cfg['dataset']!r} is a regression problem; for classification "
            f"choose one of: {', '.join(CLASSIFICATION)}"
        )
    _number(cfg, "noise", 0, 0.5)
    _number(cfg, "train_ratio", 0.1, 0.9)
    _number(cfg, "n_samples", 10, limits.max_samples, integer=True)
    _number(cfg, "n_classes", 2, 6, integer=True)
    _number(cfg, "seed", 0, 2**31 - 1, integer=True)
    _number(cfg, "batch_size", 1, limits.max_csv_rows, integer=True)
    _names(cfg, "features", tuple(FEATURES))
    if not cfg["features"]:
        raise SetupError("choose at least one input feature")
    cfg["features"] = [f for f in FEATURES if f in cfg["features"]]  # one order, no repeats
    _names(cfg, "activations", ACTIVATIONS)
    check_hidden(cfg, limits)
    _number(cfg, "lr", 0, 10, low_open=True)
    _choice(cfg, "optimizer", OPTIMIZERS)
    _number(cfg, "momentum", 0, 0.999)
    _number(cfg, "beta1", 0, 0.999)
    _number(cfg, "beta2", 0, 0.99999)
    _choice(cfg, "regularization", REGULARIZATIONS)
    _number(cfg, "reg_rate", 0, 10)
    _number(cfg, "dropout", 0, 0.9)
    return cfg


def check_epochs(value: object, limits: Limits) -> int:
    """The number of epochs one run request may train: 1 … ``max_epochs``."""
    return check_number(
        limits.max_epochs if value is None else value, "epochs", 1, limits.max_epochs, integer=True
    )
