"""What one training run is: every setting of ``glassnet train``, checked in one place."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any, Self

from ..activations import ACTIVATIONS
from ..optimizers import OPTIMIZERS
from ..schedules import SCHEDULES

_SGD_LIKE = ("sgd", "momentum", "nesterov")


class ConfigError(ValueError):
    """A setting of a run is malformed; ``field`` names it (the command maps it to its option)."""

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(message)
        self.field = field_name


@dataclass
class RunConfig:
    """The settings of a run: the data, the network, the training.

    Built from keyword arguments (the command builds it from its options, the
    playground and notebooks directly) and checked by :meth:`checked`, which also
    fills in defaults that depend on other settings (the learning rate).
    It is stored in the run's checkpoint, so ``--resume`` rebuilds the same data
    (a checkpoint written before a setting existed resumes with its default).

    ``test_size=0`` holds nothing out: the network trains on every sample and the
    "test" scores are those of the training data (four XOR points have nothing to
    spare). ``standardize`` rescales the features with the training split's
    statistics; ``shuffle`` reshuffles the samples every epoch. ``beta1``,
    ``beta2`` and ``eps`` are Adam's (and AdamW's; RMSprop takes ``eps``).
    """

    dataset: str | None = "moons"
    csv: str | None = None
    target: str | int | None = None
    task: str = "auto"
    n_samples: int = 500
    noise: float = 0.2
    seed: int = 0
    test_size: float = 0.2
    hidden: tuple[int, ...] = (16, 8)
    activation: tuple[str, ...] = ("relu",)
    output: str = "auto"
    optimizer: str = "adam"
    lr: float | None = None
    schedule: str | None = None
    epochs: int = 200
    batch_size: int | None = 32
    l2: float = 0.0
    dropout: float = 0.0
    dtype: str = "float64"
    standardize: bool = True
    shuffle: bool = True
    beta1: float = 0.9
    beta2: float = 0.999
    eps: float = 1e-8

    def checked(self) -> Self:
        """A copy with defaults filled in, or a :class:`ConfigError` naming the bad setting."""
        _check_types(self)
        c = dataclasses.replace(self, hidden=tuple(self.hidden), activation=tuple(self.activation))
        if c.csv is None and not c.dataset:
            raise ConfigError("dataset", "name a dataset or a CSV file")
        if c.csv is not None and c.target is None:
            raise ConfigError("target", "a CSV file needs the target column (its name or position)")
        _choose(c.task, ("auto", "classification", "regression"), "task")
        _choose(c.optimizer, OPTIMIZERS, "optimizer")
        if c.schedule is not None:
            _choose(c.schedule, SCHEDULES, "schedule")
        _choose(c.dtype, ("float64", "float32"), "dtype")
        if not c.activation:
            raise ConfigError("activation", "name at least one activation")
        for name in c.activation:
            _choose(name, ACTIVATIONS, "activation")
        if c.output != "auto":
            _choose(c.output, ACTIVATIONS, "output")
        n_act = len(c.activation)
        if n_act not in (1, len(c.hidden), len(c.hidden) + 1):
            raise ConfigError(
                "activation",
                f"{n_act} activations for {len(c.hidden)} hidden layers: give one "
                "for all, one per hidden layer, or one per layer",
            )
        for size in c.hidden:
            _positive(size, "hidden", integer=True)
        if not 0 <= c.test_size < 1:
            raise ConfigError(
                "test_size",
                f"the test size must be a fraction in [0, 1) (0: no test split), got {c.test_size}",
            )
        if c.lr is None:
            c.lr = 0.1 if c.optimizer in _SGD_LIKE else 0.01
        _positive(c.lr, "lr")
        _positive(c.epochs, "epochs", integer=True)
        _positive(c.n_samples, "n_samples", integer=True)
        if c.batch_size is not None:
            _positive(c.batch_size, "batch_size", integer=True)
        for name in ("l2", "noise"):
            if not (math.isfinite(getattr(c, name)) and getattr(c, name) >= 0):
                raise ConfigError(name, f"{name} must be a non-negative number, got {getattr(c, name)}")
        if not 0 <= c.dropout < 1:
            raise ConfigError("dropout", f"the dropout rate must be in [0, 1), got {c.dropout}")
        for name in ("beta1", "beta2"):
            value = getattr(c, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value < 1:
                raise ConfigError(name, f"{name} must be a number in [0, 1), got {value!r}")
        _positive(c.eps, "eps")
        for name in ("standardize", "shuffle"):
            if not isinstance(getattr(c, name), bool):
                raise ConfigError(name, f"{name} must be true or false, got {getattr(c, name)!r}")
        return c

    def optimizer_settings(self) -> dict[str, float | None]:
        """The keyword arguments of the run's optimizer: its learning rate, and Adam's
        ``beta1``, ``beta2``, ``eps`` (RMSprop's ``eps``) for the optimizers that take them."""
        settings: dict[str, float | None] = {"lr": self.lr}
        if self.optimizer in ("adam", "adamw"):
            settings.update(beta1=self.beta1, beta2=self.beta2, eps=self.eps)
        elif self.optimizer == "rmsprop":
            settings["eps"] = self.eps
        return settings

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON data (lists for tuples), as the checkpoint and metrics.json keep it."""
        d = dataclasses.asdict(self)
        d["hidden"], d["activation"] = list(self.hidden), list(self.activation)
        return d

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Self:
        """The config stored by :meth:`as_dict` (unknown keys are refused)."""
        names = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(d) - names)
        if unknown:
            raise ValueError(f"unknown run settings: {', '.join(unknown)}")
        settings: dict[str, Any] = {k: tuple(v) if k in ("hidden", "activation") else v for k, v in d.items()}
        return cls(**settings)


_TYPES: dict[str, type | tuple[type, ...]] = {
    "dataset": (str, type(None)),
    "csv": (str, type(None)),
    "target": (str, int, type(None)),
    "task": str,
    "n_samples": int,
    "noise": (int, float),
    "seed": int,
    "test_size": (int, float),
    "hidden": (tuple, list),
    "activation": (tuple, list),
    "output": str,
    "optimizer": str,
    "lr": (int, float, type(None)),
    "schedule": (str, type(None)),
    "epochs": int,
    "batch_size": (int, type(None)),
    "l2": (int, float),
    "dropout": (int, float),
    "dtype": str,
}


def _check_types(config: RunConfig) -> None:
    """Every setting of the type it must have (a checkpoint's settings come from a file)."""
    for name, kinds in _TYPES.items():
        value = getattr(config, name)
        if isinstance(value, bool) or not isinstance(value, kinds):
            raise ConfigError(name, f"{name} has the wrong type: {type(value).__name__} {str(value)[:40]!r}")
    if not all(isinstance(h, int) and not isinstance(h, bool) for h in config.hidden):
        raise ConfigError("hidden", f"hidden layer sizes must be integers, got {str(config.hidden)[:60]}")
    if not all(isinstance(a, str) for a in config.activation):
        raise ConfigError("activation", "activations must be names")
    if config.seed < 0:
        raise ConfigError("seed", f"the seed must be a non-negative integer, got {config.seed}")


def _choose(value: object, valid: Collection[str], name: str) -> None:
    if value not in valid:
        raise ConfigError(name, f"unknown {name} {value!r}; valid choices are: {', '.join(sorted(valid))}")


def _positive(value: object, name: str, integer: bool = False) -> None:
    kind = int if integer else (int, float)
    if isinstance(value, bool) or not isinstance(value, kind) or not math.isfinite(value) or value <= 0:
        what = "a positive integer" if integer else "a positive number"
        raise ConfigError(name, f"{name} must be {what}, got {value!r}")
