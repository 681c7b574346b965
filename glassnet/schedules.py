"""Learning-rate schedules: the learning rate as a function of the epoch.

A schedule is a callable ``lr = schedule(t)``, with ``t = 0, 1, 2, …`` counting
epochs (or steps: the schedule does not care). Each is a tiny class so that it
prints, pickles and plots; call it on ``range(n)`` to see its curve.
``ReduceOnPlateau`` is the one adaptive schedule: it also watches the loss
through ``observe(loss)``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from ._typing import ScheduleName
from ._validation import check_non_negative, check_positive


class Schedule:
    def __call__(self, t: int) -> float:
        raise NotImplementedError  # pragma: no cover - every subclass defines it

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in vars(self).items() if not k.startswith("_"))
        return f"{type(self).__name__}({args})"


class Constant(Schedule):
    """``η(t) = η₀``."""

    def __init__(self, lr0: float) -> None:
        self.lr0: float = check_positive(lr0, "lr0")

    def __call__(self, t: int) -> float:
        return self.lr0


class InverseTime(Schedule):
    """Inverse-time decay: ``η(t) = η₀ / (1 + decay · t)``."""

    def __init__(self, lr0: float, decay: float = 0.01) -> None:
        self.lr0: float = check_positive(lr0, "lr0")
        self.decay: float = check_non_negative(decay, "decay")

    def __call__(self, t: int) -> float:
        return self.lr0 / (1 + self.decay * t)


class InverseScaling(Schedule):
    """Inverse scaling: ``η(t) = η₀ / (t + 1)ᵖ`` (scikit-learn's ``invscaling``, ``t`` from 0)."""

    def __init__(self, lr0: float, power: float = 0.5) -> None:
        self.lr0: float = check_positive(lr0, "lr0")
        self.power: float = check_non_negative(power, "power")

    def __call__(self, t: int) -> float:
        lr: float = self.lr0 / (t + 1) ** self.power
        return lr


class StepDecay(Schedule):
    """Step decay: ``η(t) = η₀ · drop^⌊t / every⌋``."""

    def __init__(self, lr0: float, drop: float = 0.5, every: int = 10) -> None:
        self.lr0: float = check_positive(lr0, "lr0")
        self.drop: float = check_positive(drop, "drop")
        self.every: int = check_positive(every, "every", integer=True)

    def __call__(self, t: int) -> float:
        return self.lr0 * self.drop ** (t // self.every)


class Exponential(Schedule):
    """Exponential decay: ``η(t) = η₀ · γᵗ``."""

    def __init__(self, lr0: float, gamma: float = 0.95) -> None:
        self.lr0: float = check_positive(lr0, "lr0")
        self.gamma: float = check_positive(gamma, "gamma")

    def __call__(self, t: int) -> float:
        return self.lr0 * self.gamma**t


class Cosine(Schedule):
    """Cosine annealing: ``η(t) = η_min + ½ (η₀ − η_min)(1 + cos(π t / T))``, constant after ``T``."""

    def __init__(self, lr0: float, total: int = 100, lr_min: float = 0.0) -> None:
        self.lr0: float = check_positive(lr0, "lr0")
        self.total: int = check_positive(total, "total", integer=True)
        self.lr_min: float = check_non_negative(lr_min, "lr_min")

    def __call__(self, t: int) -> float:
        t = min(t, self.total)
        return self.lr_min + 0.5 * (self.lr0 - self.lr_min) * (1 + math.cos(math.pi * t / self.total))


class ReduceOnPlateau(Schedule):
    """Divide the rate by ``1/factor`` when the loss stops improving (scikit-learn's ``adaptive``).

    After each epoch call ``observe(loss)``. When ``patience`` consecutive epochs fail
    to lower the best loss by at least ``threshold``, ``η ← factor · η`` (not below
    ``min_lr``) and the count restarts. ``schedule(t)`` returns the current rate.
    """

    def __init__(
        self, lr0: float, factor: float = 0.2, patience: int = 2, threshold: float = 1e-4, min_lr: float = 0.0
    ) -> None:
        self.lr0: float = check_positive(lr0, "lr0")
        if not 0 < factor < 1:
            raise ValueError(f"factor must be in (0, 1), got {factor!r}")
        self.factor = factor
        self.patience: int = check_positive(patience, "patience", integer=True)
        self.threshold: float = check_non_negative(threshold, "threshold")
        self.min_lr = min_lr
        self.lr = lr0
        self._best, self._bad = math.inf, 0

    def observe(self, loss: float) -> float:
        if loss < self._best - self.threshold:
            self._bad = 0
        else:
            self._bad += 1
        self._best = min(self._best, loss)
        if self._bad >= self.patience:
            self.lr = max(self.lr * self.factor, self.min_lr)
            self._bad = 0
        return self.lr

    def __call__(self, t: int) -> float:
        return self.lr


SCHEDULES: dict[str, Callable[..., Schedule]] = {
    "constant": Constant,
    "inverse_time": InverseTime,
    "invscaling": InverseScaling,
    "inverse_scaling": InverseScaling,
    "step": StepDecay,
    "exponential": Exponential,
    "cosine": Cosine,
    "plateau": ReduceOnPlateau,
    "adaptive": ReduceOnPlateau,
}
"""Every schedule by name ("invscaling"/"adaptive" are scikit-learn's names)."""


def get_schedule(
    name_or_schedule: ScheduleName | Callable[[int], float],
    lr0: float,
    epochs: int | None = None,
    **kwargs: Any,
) -> Callable[[int], float]:
    """A schedule for a name (built with ``lr0`` and keyword arguments), or pass a callable through.

    ``epochs``, the length of the run, is what cosine annealing anneals over
    (``total``); the other schedules do not need it.
    """
    if callable(name_or_schedule):
        return name_or_schedule
    if isinstance(name_or_schedule, str) and name_or_schedule in SCHEDULES:
        cls = SCHEDULES[name_or_schedule]
        if cls is Cosine and epochs is not None:
            kwargs.setdefault("total", epochs)
        return cls(lr0, **kwargs)
    raise ValueError(f"unknown schedule {name_or_schedule!r}; valid schedules are: " + ", ".join(SCHEDULES))
