"""The application of ``glassnet train``: settings in, a trained network and its run folder out.

::

    result = run(RunConfig(dataset="moons", hidden=(16, 8), epochs=200))
    result.metrics["test_accuracy"], result.folder, result.net

``run`` loads and splits the data, standardizes it, builds the network, trains it
with a checkpoint every few epochs, scores it and writes the run folder
(:mod:`glassnet.runs.folder`). ``resume`` continues a run from its checkpoint as if
it had never stopped: the data are rebuilt from the stored settings and the
optimizer, the schedule and both random generators come back in their exact
state, so 10 epochs and 5 + 5 epochs end with bit-identical weights.

The first Ctrl-C during training stops at the end of the current epoch and writes
the checkpoint; a second one stops at once (the last periodic checkpoint stands).
Either way :class:`RunInterrupted` says how to continue.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any, cast

import numpy as np

from .._typing import OptimizerName, PathLike, ScheduleName
from ..callbacks import Callback
from ..io.files import write_json
from ..optimizers import get_optimizer
from ..schedules import get_schedule
from ..training import History
from .config import ConfigError, RunConfig
from .folder import draw_pictures, scores, write_history_csv
from .prepare import Prepared, build_network, prepare

if TYPE_CHECKING:
    from ..data.preprocessing import Standardizer
    from ..network import Network
    from ..optimizers import Optimizer
    from ..schedules import Schedule
    from ..training import _Run


class RunInterrupted(Exception):
    """Ctrl-C stopped the run; the message says what is saved and how to continue."""


class RunExists(ValueError):
    """The folder already holds a run (resume it, overwrite it, or choose another)."""


class FolderNotEmpty(RunExists):
    """The folder holds files but no run: a new run would overwrite them (overwrite, or choose another)."""


@dataclass
class RunResult:
    """What a run produced."""

    folder: Path
    config: RunConfig
    net: Network
    scaler: Standardizer | None
    history: History
    metrics: dict[str, Any]
    model_path: Path
    checkpoint_path: Path
    report_path: Path
    problems: list[str] = field(default_factory=list)

    @property
    def diverged(self) -> bool:
        return self.history.stop_reason == "diverged"


def default_folder(config: RunConfig) -> Path:
    """``runs/NAME-YYYYmmdd-HHMMSS``, NAME the dataset or the CSV file's stem."""
    name = Path(config.csv).stem if config.csv else config.dataset
    return Path("runs") / f"{name}-{datetime.now().strftime('%Y%m%d-%H%M%S')}"


def run(
    config: RunConfig | None = None,
    folder: PathLike | None = None,
    *,
    overwrite: bool = False,
    callbacks: Iterable[Callback | Callable[[int, dict[str, Any]], Any]] = (),
    checkpoint_every: int = 10,
    plots: bool = True,
) -> RunResult:
    """Train a new run of ``config`` (a :class:`RunConfig`) and write its folder.

    The folder is created only once the data and the network are sound, so a
    mistake leaves nothing behind. Returns a :class:`RunResult`.
    """
    started = time.perf_counter()
    config = (config or RunConfig()).checked()
    folder = _folder(folder) if folder is not None else default_folder(config)
    if not overwrite:
        _check_new_folder(folder)
    prepared = prepare(config)
    net = build_network(config, prepared)
    # A checked config names a built-in optimizer and schedule (so get_schedule builds a Schedule).
    optimizer = get_optimizer(cast("OptimizerName", config.optimizer), **config.optimizer_settings())
    schedule = None
    if config.schedule is not None:
        assert config.lr is not None  # checked() sets it
        built = get_schedule(cast("ScheduleName", config.schedule), config.lr, epochs=config.epochs)
        schedule = cast("Schedule", built)
    state = _State(
        config, prepared, net, optimizer, np.random.default_rng(config.seed), schedule, History(), 0
    )
    folder.mkdir(parents=True, exist_ok=True)
    return _go(state, folder, callbacks, checkpoint_every, plots, started)


def resume(
    folder: PathLike,
    *,
    epochs: int | None = None,
    callbacks: Iterable[Callback | Callable[[int, dict[str, Any]], Any]] = (),
    checkpoint_every: int = 10,
    plots: bool = True,
) -> RunResult:
    """Continue the run in ``folder`` from its checkpoint (up to ``epochs`` in all, if given).

    A run that has already trained its epochs has its results written again.
    """
    from ..io import load_checkpoint

    started = time.perf_counter()
    folder = _folder(folder)
    path = folder / "checkpoint.npz"
    if not path.exists():
        raise FileNotFoundError(f"no checkpoint to resume in {folder} (expected {path})")
    ckpt = load_checkpoint(path)
    if ckpt.rng is None:
        raise ValueError(f"{path} has no random generator state to resume from")
    try:
        config = RunConfig.from_dict(ckpt.config)
        config = config.checked()
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{path} holds settings this glassnet cannot use: {exc}") from None
    if epochs is not None:
        config.epochs = epochs
        config = config.checked()
    state = _State(
        config, prepare(config), ckpt.net, ckpt.optimizer, ckpt.rng, ckpt.schedule, ckpt.history, ckpt.epoch
    )
    return _go(state, folder, callbacks, checkpoint_every, plots, started)


def _folder(folder: PathLike) -> Path:
    """The run folder; an empty name is an error (``Path("")`` would be the current folder)."""
    if not str(folder).strip():
        raise ConfigError("out", "the run folder is an empty name")
    return Path(folder)


def _check_new_folder(folder: Path) -> None:
    """A new run goes into a new or empty folder: not over a run, nor over the user's own files."""
    if not folder.exists():
        return
    if not folder.is_dir():
        raise ConfigError("out", f"{folder} is not a folder")
    if (folder / "model.npz").exists() or (folder / "checkpoint.npz").exists():
        raise RunExists(f"{folder} already holds a run; resume it, overwrite it, or choose another folder")
    if any(folder.iterdir()):
        raise FolderNotEmpty(
            f"{folder} is not empty and holds no run; a run would overwrite its files "
            "(report.html, history.csv, …); overwrite them or choose another folder"
        )


@dataclass
class _State:
    """A run about to train: from scratch (epoch 0) or from a checkpoint."""

    config: RunConfig
    prepared: Prepared
    net: Network
    optimizer: Optimizer
    rng: np.random.Generator
    schedule: Schedule | None
    previous: History
    epoch: int

    @property
    def info(self) -> dict[str, Any]:
        p = self.prepared
        return {
            "task": p.task,
            "feature_names": p.feature_names,
            "source": p.source,
            "seed": self.config.seed,
            "test_size": self.config.test_size,
            "target": self.config.target,
        }


def _go(
    state: _State,
    folder: Path,
    callbacks: Iterable[Callback | Callable[[int, dict[str, Any]], Any]],
    checkpoint_every: int,
    plots: bool,
    started: float,
) -> RunResult:
    """Train what is left, write the checkpoint, then the results."""
    from ..training import train

    config, p = state.config, state.prepared
    checkpoint = _Checkpointer(folder / "checkpoint.npz", checkpoint_every, state)
    stopper = _StopOnInterrupt()
    history = state.previous
    if state.epoch < config.epochs:
        try:
            now = train(
                state.net,
                p.X_train,
                p.y_train,
                optimizer=state.optimizer,
                epochs=config.epochs,
                initial_epoch=state.epoch,
                batch_size=config.batch_size,
                schedule=state.schedule,
                l2=config.l2,
                shuffle=config.shuffle,
                validation=(p.X_test, p.y_test) if p.held_out else None,
                callbacks=[checkpoint, *callbacks, stopper],
                random_state=state.rng,
            )
        except KeyboardInterrupt:
            _sweep_temporary_files(folder)
            raise RunInterrupted(
                f"interrupted: {checkpoint.saved} epochs are saved in {checkpoint.path}; "
                f"continue with: glassnet train --out {folder} --resume"
            ) from None
        history = state.previous.extended(now)
        if now.stop_reason == "interrupted":
            checkpoint.save(len(history.loss), history)
            raise RunInterrupted(
                f"interrupted: {len(history.loss)} epochs are saved in {checkpoint.path}; "
                f"continue with: glassnet train --out {folder} --resume"
            )
    checkpoint.save(len(history.loss), history)
    try:
        return _write_results(state, folder, history, plots, started, checkpoint.path)
    except KeyboardInterrupt:
        _sweep_temporary_files(folder)
        raise RunInterrupted(
            f"interrupted while writing the results; the trained network is saved in "
            f"{checkpoint.path}; write them with: glassnet train --out {folder} --resume"
        ) from None


def _write_results(
    state: _State, folder: Path, history: History, plots: bool, started: float, checkpoint_path: Path
) -> RunResult:
    from ..glass.report import write_report
    from ..io import save

    config, p, net = state.config, state.prepared, state.net
    model_path = save(net, folder / "model.npz", scaler=p.scaler, info=state.info)
    metrics: dict[str, Any] = {
        "task": "classification" if p.is_classification else "regression",
        "head": p.task,
        "held_out": p.held_out,
    }
    for split, X, y in (("train", p.X_train, p.y_train), ("test", p.X_test, p.y_test)):
        metrics.update({f"{split}_{k}": v for k, v in scores(net, X, y).items()})
    metrics.update(
        {
            "epochs": len(history.loss),
            "stop_reason": history.stop_reason,
            "train_time_s": float(sum(history.epoch_time)),
            "wall_time_s": time.perf_counter() - started,
            "n_train": int(p.X_train.shape[0]),
            "n_test": int(p.X_test.shape[0]),
            "n_features": int(p.X_train.shape[1]),
            "n_params": int(net.n_params),
        }
    )
    if p.is_classification:
        assert net.classes_ is not None  # training a classifier sets them
        metrics["classes"] = net.classes_.tolist()
    write_json(folder / "metrics.json", {**metrics, "config": config.as_dict(), "source": p.source})
    write_history_csv(folder / "history.csv", history)
    images, problems = draw_pictures(folder, net, history, p, metrics) if plots else ({}, [])
    shown = {k: v for k, v in config.as_dict().items() if v is not None}
    report = write_report(
        folder, {k: v for k, v in metrics.items() if k != "classes"}, history, images, shown
    )
    return RunResult(
        folder, config, net, p.scaler, history, metrics, model_path, checkpoint_path, report, problems
    )


class _Checkpointer(Callback):
    """Write the run's checkpoint every ``every`` epochs (and at the end)."""

    run: _Run

    def __init__(self, path: PathLike, every: int, state: _State) -> None:
        self.path, self.every, self.state = Path(path), every, state
        self.saved = state.epoch

    def on_train_begin(self, run: _Run) -> None:
        self.run = run

    def on_epoch_end(self, epoch: int, logs: dict[str, Any]) -> bool:
        if (epoch + 1) % self.every == 0:
            self.save(epoch + 1, self.state.previous.extended(self.run.history))
        return False

    def save(self, epochs_done: int, history: History) -> None:
        from ..io import save_checkpoint

        s = self.state
        save_checkpoint(
            self.path,
            s.net,
            s.optimizer,
            history,
            epochs_done,
            rng=s.rng,
            schedule=s.schedule,
            scaler=s.prepared.scaler,
            config=s.config.as_dict(),
            info=s.info,
        )
        self.saved = epochs_done


class _StopOnInterrupt(Callback):
    """The first Ctrl-C ends training after the current epoch; a second one at once."""

    stop_reason = "interrupted"

    requested: bool
    previous: Callable[[int, FrameType | None], Any] | int | None

    def on_train_begin(self, run: _Run) -> None:
        self.requested, self.previous = False, None
        if threading.current_thread() is threading.main_thread():
            self.previous = signal.signal(signal.SIGINT, self._handle)

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        if self.requested:
            raise KeyboardInterrupt
        self.requested = True

    def on_epoch_end(self, epoch: int, logs: dict[str, Any]) -> bool:
        return self.requested

    def on_train_end(self, run: _Run) -> None:
        if self.previous is not None:
            signal.signal(signal.SIGINT, self.previous)
            self.previous = None


def _sweep_temporary_files(folder: PathLike) -> None:
    """Remove what an interrupted atomic write may have left (``.name.XXXX.tmp``)."""
    for tmp in Path(folder).glob(".*.tmp"):
        tmp.unlink(missing_ok=True)
