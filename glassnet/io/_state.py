"""The state of glassnet's objects as arrays and JSON: networks, standardizers,
optimizers, schedules, random generators and histories, and back.

Every ``*_from_state`` builds from metadata that :mod:`glassnet.io._metacheck`
has already checked against the arrays; objects come only from fixed tables of
known classes, never from a name looked up at random.
"""

from __future__ import annotations

import copy
import inspect
import sys
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from .._npzcheck import clip
from .._typing import NDArray
from ..activations import ACTIVATIONS
from ..network import Network
from ..optimizers import OPTIMIZERS
from ..training import History
from ._container import Arrays, Meta, _plain, _typed_list
from ._metacheck import BIT_GENERATORS, SCHEDULE_CLASSES

if TYPE_CHECKING:
    from ..activations import Activation
    from ..data.preprocessing import Standardizer
    from ..optimizers import Optimizer
    from ..schedules import Schedule


def _generator_state(rng: np.random.Generator) -> Meta:
    state = copy.deepcopy(rng.bit_generator.state)

    def encode(v: Any) -> Any:
        if isinstance(v, np.ndarray):
            return {"ndarray": v.tolist(), "dtype": v.dtype.str}
        if isinstance(v, dict):
            return {k: encode(x) for k, x in v.items()}
        return _plain(v, "the random generator state")

    return encode(state)


def _generator_from_state(state: Mapping[str, Any]) -> np.random.Generator:
    """A Generator in the saved state (its form checked by :func:`glassnet._metacheck.check_generator`)."""

    def decode(v: Any) -> Any:
        if isinstance(v, dict) and set(v) == {"ndarray", "dtype"}:
            return np.array(v["ndarray"], dtype=np.dtype(v["dtype"]))
        if isinstance(v, dict):
            return {k: decode(x) for k, x in v.items()}
        return v

    bit_generator = BIT_GENERATORS[state["bit_generator"]]()
    try:
        bit_generator.state = decode(state)
    except (TypeError, OverflowError) as exc:  # NumPy's own checks of the numbers
        raise ValueError(f"the random generator state is invalid ({clip(exc, 80)})") from None
    return np.random.Generator(bit_generator)


# --------------------------------------------------------------------------- networks


def _activation_meta(activation: Activation) -> Meta:
    name = activation.name
    if name not in ACTIVATIONS:
        raise ValueError(
            f"cannot save activation {activation!r}: only the built-in activations "
            f"({', '.join(sorted(ACTIVATIONS))}) can be saved"
        )
    params = {
        k: _plain(v, f"activation {name}") for k, v in vars(activation).items() if not k.startswith("_")
    }
    return {"name": name, "params": params}


def _network_state(net: Network, prefix: str = "") -> tuple[Arrays, Meta]:
    """``(arrays, meta)`` describing a Network; arrays' names start with ``prefix``."""
    arrays: Arrays = {prefix + "theta": net.theta.copy()}
    classes = None
    if net.classes_ is not None:
        c = np.asarray(net.classes_)
        if c.dtype.kind not in "biufUS":
            raise ValueError(f"cannot save classes of type {c.dtype}: use numbers or strings as labels")
        arrays[prefix + "classes"] = c
        classes = _typed_list(c)
    meta = {
        "layer_sizes": list(net.layer_sizes),
        "activations": [_activation_meta(layer.activation) for layer in net.layers],
        "output_activation": net.output_activation.name,
        "dropout": [layer.dropout for layer in net.layers[:-1]],
        "dtype": net.dtype.name,
        "init": net.init if isinstance(net.init, str) else "auto",
        "ravel_output": bool(net.ravel_output),
        "classes": classes,
        "n_params": int(net.n_params),
        "task": net.task,
    }
    if prefix:
        meta["prefix"] = prefix
    return arrays, meta


def _network_from_state(
    meta: Mapping[str, Any], arrays: Mapping[str, NDArray[Any]], prefix: str = ""
) -> Network:
    """A Network from metadata :func:`glassnet._metacheck.check_network` has passed (sizes match theta)."""
    activations = [ACTIVATIONS[spec["name"]](**spec["params"]) for spec in meta["activations"]]
    # init="zeros": no random draws for weights that set_params replaces at once
    net = Network(
        meta["layer_sizes"],
        activations=activations,
        init="zeros",
        dropout=meta["dropout"],
        random_state=0,
        dtype=np.dtype(meta["dtype"]),
        task=meta.get("task"),
    )
    net.init = meta["init"]
    net.set_params(arrays[prefix + "theta"])
    if meta["classes"] is not None:
        net.classes_ = arrays[prefix + "classes"]
    net.ravel_output = meta["ravel_output"]
    return net


def _scaler_state(scaler: Standardizer | None) -> tuple[Arrays, Meta | None]:
    if scaler is None:
        return {}, None
    mean, scale = _scaler_numbers(scaler)
    if mean.shape != scale.shape or mean.ndim != 1:
        raise ValueError("the standardizer's mean_ and scale_ must be 1-D arrays of the same length")
    arrays = {"scaler_mean": mean.copy(), "scaler_scale": scale.copy()}
    meta = {"standardizer": {"n_features": int(mean.size), "mean": mean.tolist(), "scale": scale.tolist()}}
    return arrays, meta


def _scaler_numbers(scaler: Any) -> tuple[NDArray[Any], NDArray[Any]]:
    """``(mean_, scale_)`` of a fitted Standardizer, or of a scikit-learn StandardScaler that
    both centres and scales: what a loaded model's ``(X − mean_) / scale_`` applies."""
    from ..data.preprocessing import Standardizer

    # Looked up, not imported: the train command never imports scikit-learn, and a
    # StandardScaler exists only once it is imported.
    sklearn_preprocessing = sys.modules.get("sklearn.preprocessing")
    standard_scaler = sklearn_preprocessing is not None and isinstance(
        scaler, sklearn_preprocessing.StandardScaler
    )
    if not (isinstance(scaler, Standardizer) or standard_scaler):
        raise TypeError(
            "scaler must be a fitted glassnet Standardizer (or scikit-learn StandardScaler), "
            f"got {type(scaler).__name__}"
        )
    if standard_scaler and not (scaler.with_mean and scaler.with_std):
        raise ValueError(
            "cannot save a StandardScaler with with_mean=False or with_std=False: a saved "
            "model standardizes X as (X − mean_) / scale_"
        )
    if getattr(scaler, "mean_", None) is None or getattr(scaler, "scale_", None) is None:
        raise ValueError(
            f"the scaler {type(scaler).__name__} is not fitted: fit it on the training data first"
        )
    return np.asarray(scaler.mean_), np.asarray(scaler.scale_)


def _scaler_from_state(
    meta: Mapping[str, Any] | None, arrays: Mapping[str, NDArray[Any]]
) -> Standardizer | None:
    if meta is None:
        return None
    from ..data.preprocessing import Standardizer

    scaler = Standardizer()
    scaler.mean_, scaler.scale_ = arrays["scaler_mean"], arrays["scaler_scale"]
    return scaler


_OPTIMIZER_NAMES: dict[type[Optimizer], str] = {cls: name for name, cls in OPTIMIZERS.items()}


def _optimizer_state(optimizer: Optimizer, prefix: str = "optimizer.") -> tuple[Arrays, Meta]:
    name = _OPTIMIZER_NAMES.get(type(optimizer))
    if name is None:
        raise ValueError(f"cannot checkpoint optimizer {optimizer!r}: only the built-in optimizers")
    arrays: Arrays = {}
    state: str
    for state in optimizer._state_names:
        value = getattr(optimizer, state, None)
        if state.startswith("_") or value is None:
            continue  # scratch buffers are rebuilt on the next step
        arrays[prefix + state] = value.copy()
    meta = {
        "name": name,
        "hyper": _plain(optimizer._hyper(), "optimizer"),
        "clip_norm": optimizer.clip_norm,
        "t": int(optimizer.t),
        "state": sorted(k.removeprefix(prefix) for k in arrays),
        "prefix": prefix,
    }
    return arrays, meta


def _optimizer_from_state(
    meta: Mapping[str, Any], arrays: Mapping[str, NDArray[Any]], prefix: str = "optimizer."
) -> Optimizer:
    """An optimizer from metadata :func:`glassnet._metacheck.check_optimizer` has passed."""
    hyper = dict(meta["hyper"])
    lr = hyper.pop("lr")  # set after: a schedule may have taken it to 0 (cosine down to lr_min=0)
    optimizer = OPTIMIZERS[meta["name"]](**hyper, clip_norm=meta["clip_norm"])
    optimizer.lr, optimizer.t = lr, meta["t"]
    for state in meta["state"]:
        setattr(optimizer, state, arrays[prefix + state])
    return optimizer


def _schedule_state(schedule: Schedule | None) -> Meta | None:
    if schedule is None:
        return None
    name = type(schedule).__name__
    if SCHEDULE_CLASSES.get(name) is not type(schedule):
        raise ValueError(f"cannot checkpoint schedule {schedule!r}: only the built-in schedules")
    return {"class": name, "state": _plain(vars(schedule), "schedule")}


def _schedule_from_state(meta: Mapping[str, Any] | None) -> Schedule | None:
    """A schedule from checked metadata: built by its constructor (which checks the ranges), then its state."""
    if meta is None:
        return None
    cls = SCHEDULE_CLASSES[meta["class"]]
    arguments = inspect.signature(cls).parameters
    schedule = cls(**{k: v for k, v in meta["state"].items() if k in arguments})
    vars(schedule).update(meta["state"])  # every schedule's state is plain numbers
    return schedule


def _history_state(
    history: History | Mapping[str, Any] | None, prefix: str = "history."
) -> tuple[Arrays, Meta]:
    """``(arrays, meta)``: the per-epoch series as float64 arrays named ``history.<series>``, the
    rest (stop reason, best epoch, message) in the JSON. A long run's checkpoints then grow
    as arrays grow, not as JSON lists that are written, read and checked number by number."""
    if history is None:
        return {}, {}
    if not isinstance(history, History):
        history = History(**dict(history))
    arrays = {
        prefix + k: np.asarray(getattr(history, k), dtype=np.float64)
        for k in (*History.SERIES, "restart_losses")
        if getattr(history, k)
    }
    meta = {
        "series": sorted(k.removeprefix(prefix) for k in arrays),
        "stop_reason": history.stop_reason,
        "best_epoch": history.best_epoch,
        "message": history.message,
        "divergence": history.divergence,
    }
    return arrays, _plain(meta, "history")


def _history_from_meta(
    data: Mapping[str, Any], arrays: Mapping[str, NDArray[Any]], prefix: str = "history."
) -> History:
    """A History from checked metadata: series from arrays (``series``), or, in files written
    before they were arrays, from JSON lists."""
    data = dict(data)
    for name in data.pop("series", ()):
        data[name] = arrays[prefix + name].tolist()
    return History(**data)
