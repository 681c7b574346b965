"""Checkpoints: everything training needs to continue as if it had never stopped.

A checkpoint is a glassnet file (:mod:`glassnet.io.models` describes the format)
holding the network, the optimizer's state arrays (Adam's ``m``, ``v`` and step
``t``; momentum's velocity; …), the schedule's state, the history so far, the
epoch, and the states of the random generators (``Generator.bit_generator.state``),
so that a run of 10 epochs and a run of 5 + 5 end with bit-identical weights.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .._typing import PathLike
from ..network import Network
from ..training import History
from ._container import _building, _plain, _read_container, _write_container
from ._state import (
    _generator_from_state,
    _generator_state,
    _history_from_meta,
    _history_state,
    _network_from_state,
    _network_state,
    _optimizer_from_state,
    _optimizer_state,
    _scaler_from_state,
    _scaler_state,
    _schedule_from_state,
    _schedule_state,
)

if TYPE_CHECKING:
    from ..data.preprocessing import Standardizer
    from ..optimizers import Optimizer
    from ..schedules import Schedule

__all__ = ["Checkpoint", "save_checkpoint", "load_checkpoint"]


@dataclass
class Checkpoint:
    """Everything :func:`load_checkpoint` restores to continue training."""

    net: Network
    optimizer: Optimizer
    history: History
    epoch: int
    rng: np.random.Generator | None = None
    schedule: Schedule | None = None
    scaler: Standardizer | None = None
    config: dict[str, Any] = field(default_factory=dict)
    info: dict[str, Any] = field(default_factory=dict)


def save_checkpoint(
    path: PathLike,
    net: Network,
    optimizer: Optimizer,
    history: History | Mapping[str, Any],
    epoch: int,
    rng: np.random.Generator | None = None,
    schedule: Schedule | None = None,
    scaler: Standardizer | None = None,
    config: Mapping[str, Any] | None = None,
    info: Mapping[str, Any] | None = None,
) -> Path:
    """Save the state of an unfinished training run, atomically.

    Parameters
    ----------
    path : str or Path
    net : Network
    optimizer : Optimizer
        Its state arrays (``m``, ``v``, ``velocity``, …) and step count ``t`` are kept.
    history : History or dict
        The per-epoch figures so far.
    epoch : int
        Number of finished epochs.
    rng : numpy.random.Generator, optional
        The generator training draws its shuffles from; its exact state is kept,
        so the next epoch shuffles as it would have without the interruption.
        (The network's own generator, used for dropout, is always kept.)
    schedule : Schedule, optional
        A built-in schedule; its state (e.g. reduce-on-plateau's rate) is kept.
    scaler : Standardizer, optional
    config, info : dict, optional
        JSON-serializable settings of the run (how to rebuild the data, …).
    """
    arrays, net_meta = _network_state(net)
    opt_arrays, opt_meta = _optimizer_state(optimizer)
    scaler_arrays, scaler_meta = _scaler_state(scaler)
    history_arrays, history_meta = _history_state(history)
    arrays.update(opt_arrays)
    arrays.update(scaler_arrays)
    arrays.update(history_arrays)
    meta = {
        "model": "network",
        "network": net_meta,
        "optimizer": opt_meta,
        "history": history_meta,
        "epoch": int(epoch),
        "rng": None if rng is None else _generator_state(rng),
        "network_rng": _generator_state(net.rng),
        "schedule": _schedule_state(schedule),
        "preprocessing": scaler_meta,
        "config": _plain(config or {}, "config"),
        "info": _plain(info or {}, "info"),
    }
    return _write_container(path, "checkpoint", arrays, meta)


def load_checkpoint(path: PathLike) -> Checkpoint:
    """Load a checkpoint written by :func:`save_checkpoint` as a :class:`Checkpoint`."""
    meta, arrays = _read_container(path)
    if meta["kind"] != "checkpoint":
        raise ValueError(f"{path} is a glassnet {meta['kind']} file, not a checkpoint")
    with _building(path, "checkpoint"):
        net = _network_from_state(meta["network"], arrays)
        net.rng = _generator_from_state(meta["network_rng"])
        return Checkpoint(
            net=net,
            optimizer=_optimizer_from_state(meta["optimizer"], arrays),
            history=_history_from_meta(meta["history"], arrays),
            epoch=meta["epoch"],
            rng=None if meta["rng"] is None else _generator_from_state(meta["rng"]),
            schedule=_schedule_from_state(meta["schedule"]),
            scaler=_scaler_from_state(meta["preprocessing"], arrays),
            config=meta["config"],
            info=meta["info"],
        )
