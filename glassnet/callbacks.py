"""Callbacks: what a training run does at the end of each epoch besides learning.

The training loop (:func:`glassnet.train`) calls, for each callback,

- ``on_train_begin(run)`` once, with the run (its ``net``, ``optimizer``,
  ``schedule``, ``rng``, ``history`` and ``validation``);
- ``on_epoch_begin(epoch)`` before each epoch's first step;
- ``on_epoch_end(epoch, logs)`` after every epoch, with the epoch's figures
  (``loss``, ``val_loss``, ``accuracy``, ``lr``, ``grad_norm``, … and ``net``);
  returning True stops training, with the callback's ``stop_reason``;
- ``on_train_end(run)`` once at the end.

A plain function ``f(epoch, logs)`` works too (it is the ``on_epoch_end`` of a
:class:`LambdaCallback`). The optional stopping rules are callbacks, as in Keras:
:class:`EarlyStopping`, :class:`StopAtLoss`, :class:`StopAtGradNorm`; so are
:class:`PrintProgress` and the Rich :class:`ProgressBar` that the command and the
estimators share.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, Literal, TypeAlias

from ._typing import FloatArray
from ._validation import check_non_negative, check_positive

if TYPE_CHECKING:
    from rich.console import Console
    from rich.progress import Progress, TaskID

    from .training import _Run

Logs: TypeAlias = dict[str, Any]
"""An epoch's figures by name (``"loss"``, ``"val_loss"``, ``"lr"``, …) and ``"net"``."""

CallbackFunction: TypeAlias = Callable[[int, Logs], Any]
"""``f(epoch, logs)``; a truthy return stops training."""

Callbacks: TypeAlias = "Callback | CallbackFunction | Iterable[Callback | CallbackFunction] | None"
"""What ``callbacks=`` takes: callbacks and functions ``f(epoch, logs)``, one or several."""

Monitor: TypeAlias = Literal["val_loss", "val_accuracy", "loss"]

MONITORS: tuple[Monitor, ...] = ("val_loss", "val_accuracy", "loss")


class Callback:
    """Base class: every hook does nothing."""

    stop_reason = "callback"

    def on_train_begin(self, run: _Run) -> None:
        pass

    def on_epoch_begin(self, epoch: int) -> None:
        pass

    def on_epoch_end(self, epoch: int, logs: Logs) -> bool:
        return False

    def on_train_end(self, run: _Run) -> None:
        pass


class LambdaCallback(Callback):
    """A function ``f(epoch, logs)`` as a callback; its truthy return stops training."""

    def __init__(self, on_epoch_end: CallbackFunction) -> None:
        if not callable(on_epoch_end):
            raise ValueError(
                f"a callback must be a Callback or a function f(epoch, logs), got {on_epoch_end!r}"
            )
        self.function = on_epoch_end

    def on_epoch_end(self, epoch: int, logs: Logs) -> bool:
        return bool(self.function(epoch, logs))


def as_callbacks(callbacks: Callbacks) -> list[Callback]:
    """A list of :class:`Callback` objects from callbacks and plain functions."""
    if callbacks is None:
        return []
    if isinstance(callbacks, Callback) or callable(callbacks) and not isinstance(callbacks, (list, tuple)):
        callbacks = [callbacks]
    return [c if isinstance(c, Callback) else LambdaCallback(c) for c in callbacks]


class EarlyStopping(Callback):
    """Stop when ``monitor`` has not improved by ``min_delta`` for ``patience`` epochs.

    ``monitor`` is ``"val_loss"`` (lower is better), ``"val_accuracy"`` (higher is
    better) or ``"loss"``. With ``restore_best`` the weights of the best epoch are
    put back at the end, and ``history.best_epoch`` says which it was.
    """

    stop_reason = "early_stopping"

    best_score: float
    best_epoch: int | None
    best_theta: FloatArray | None
    waited: int

    def __init__(
        self,
        monitor: Monitor = "val_loss",
        patience: int = 10,
        min_delta: float = 0.0,
        restore_best: bool = True,
    ) -> None:
        if monitor not in MONITORS:
            raise ValueError(f"unknown monitor {monitor!r}; valid choices are: {', '.join(MONITORS)}")
        self.monitor = monitor
        self.patience = check_positive(patience, "patience", integer=True)
        self.min_delta = check_non_negative(min_delta, "min_delta")
        self.restore_best = bool(restore_best)

    def on_train_begin(self, run: _Run) -> None:
        if self.monitor.startswith("val_") and run.validation is None:
            raise ValueError(
                f"early stopping on {self.monitor} needs validation data: pass "
                "validation=(X_val, y_val) or validation=fraction"
            )
        self.run, self.best_score, self.best_epoch, self.best_theta, self.waited = (
            run,
            math.inf,
            None,
            None,
            0,
        )

    def on_epoch_end(self, epoch: int, logs: Logs) -> bool:
        score = -logs["val_accuracy"] if self.monitor == "val_accuracy" else logs[self.monitor]
        if score < self.best_score - self.min_delta:
            self.best_score, self.best_epoch, self.waited = score, epoch, 0
            theta = self.run.net.theta
            if self.best_theta is None:
                self.best_theta = theta.copy()
            else:
                self.best_theta[...] = theta
            return False
        self.waited += 1
        return self.waited >= self.patience

    def on_train_end(self, run: _Run) -> None:
        if self.restore_best and self.best_theta is not None and self.best_epoch is not None:
            run.net.theta[...] = self.best_theta
            run.history.best_epoch = self.best_epoch - run.initial_epoch


class StopAtLoss(Callback):
    """Stop once the epoch's training loss is at or below ``threshold``.

    The epoch's loss is measured before its update (each step computes the loss,
    then steps). By default the epoch's update is kept, as Keras does. With
    ``before_update=True`` the update is undone: training stops with the weights
    at which the loss fell below the threshold, as texts write the loop ("compute
    the loss; if it is below ε, stop; else step"). With full-batch training that is
    exactly their rule; with mini-batches it puts back the weights from before the
    epoch.
    """

    stop_reason = "loss_threshold"

    def __init__(self, threshold: float, before_update: bool = False) -> None:
        self.threshold = check_non_negative(threshold, "threshold")
        self.before_update = bool(before_update)
        self.start: FloatArray | None = None

    def on_train_begin(self, run: _Run) -> None:
        self.run = run
        if self.before_update:
            self.start = run.net.theta.copy()

    def on_epoch_begin(self, epoch: int) -> None:
        if self.start is not None:  # before_update
            self.start[...] = self.run.net.theta

    def on_epoch_end(self, epoch: int, logs: Logs) -> bool:
        if logs["loss"] > self.threshold:
            return False
        if self.start is not None:  # before_update
            self.run.net.theta[...] = self.start
        return True


class StopAtGradNorm(Callback):
    """Stop once the epoch's mean gradient norm ``‖∇L‖`` falls below ``threshold``."""

    stop_reason = "grad_threshold"

    def __init__(self, threshold: float) -> None:
        self.threshold = check_positive(threshold, "threshold")

    def on_epoch_end(self, epoch: int, logs: Logs) -> bool:
        return logs["grad_norm"] < self.threshold


class PrintProgress(Callback):
    """Print a line of the epoch's figures every ``every`` epochs."""

    def __init__(self, every: int = 1) -> None:
        self.every = check_positive(every, "every", integer=True)

    def on_train_begin(self, run: _Run) -> None:
        self.last_epoch = run.epochs

    def on_epoch_end(self, epoch: int, logs: Logs) -> bool:
        if (epoch + 1) % self.every == 0:
            print(
                f"epoch {epoch + 1}/{self.last_epoch}  "
                + "  ".join(f"{k} {v:.4g}" for k, v in logs.items() if k not in ("epoch_time", "net"))
            )
        return False


def _default_stats(logs: Logs) -> str:
    stats = f"loss {logs['loss']:.4f}"
    if "val_accuracy" in logs:
        stats += f"  val acc {logs['val_accuracy']:.3f}"
    elif "val_loss" in logs:
        stats += f"  val loss {logs['val_loss']:.4f}"
    return stats


class ProgressBar(Callback):
    """A Rich progress bar: ``epoch 12/200 ━━━━━━━━━ loss 0.0515  val acc 0.980 0:00:01``.

    Parameters
    ----------
    label : str
        Shown before the count ("epoch", "L-BFGS iteration").
    stats : callable, optional
        ``stats(logs) → str``, the text beside the bar.
    console : rich.console.Console, optional
        Where to draw (default: standard error).
    total : int, optional
        The bar's length (default: the run's last epoch).
    """

    def __init__(
        self,
        label: str = "epoch",
        stats: Callable[[Logs], str] = _default_stats,
        console: Console | None = None,
        total: int | None = None,
    ) -> None:
        self.label, self.stats, self.console, self.total = label, stats, console, total
        self._progress: Progress | None = None
        self._task: TaskID

    def start(self, total: int | None, completed: int = 0) -> None:
        """Draw the bar (also usable without a training run, as the L-BFGS solver does)."""
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self._progress = Progress(
            TextColumn(f"[bold]{self.label}"),
            MofNCompleteColumn(),
            BarColumn(),
            TextColumn("{task.fields[stats]}"),
            TimeElapsedColumn(),
            console=self.console or Console(stderr=True),
        )
        self._progress.start()
        self._task = self._progress.add_task("", total=total, completed=completed, stats="")

    def advance(self, completed: int, logs: Logs) -> None:
        """Move the bar to ``completed`` and show ``stats(logs)`` beside it (after :meth:`start`)."""
        assert self._progress is not None, "start() the progress bar first"
        self._progress.update(self._task, completed=completed, stats=self.stats(logs))

    def stop(self) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None

    def on_train_begin(self, run: _Run) -> None:
        self.start(self.total or run.epochs, run.initial_epoch)

    def on_epoch_end(self, epoch: int, logs: Logs) -> bool:
        self.advance(epoch + 1, logs)
        return False

    def on_train_end(self, run: _Run) -> None:
        self.stop()
