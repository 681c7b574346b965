"""Saving and loading models: one ``.npz`` file, no pickle, checked.

A glassnet file is an ordinary NumPy ``.npz`` archive holding

- the numbers as plain arrays: ``theta`` (the flat parameter vector), the class
  labels, the standardizer's ``mean``/``scale``, an optimizer's state, …;
- one more array, ``__glassnet__``, the UTF-8 bytes of a JSON document (stored as
  ``uint8``) that describes everything else: the architecture (layer sizes,
  activations with their parameters, dtype), the classes as a typed list, the
  preprocessing, the glassnet version, the format version, and a SHA-256
  checksum over the metadata and every array's dtype, shape and bytes.

What the checksum is for, and what it is not: it detects *damage* -- a flipped
bit, a cut-off download, an edited array -- but it has no key, so anyone who
edits a file can recompute it. Safety does not rest on it. It rests on

- ``allow_pickle=False`` and objects built only from fixed tables of known
  classes (activations, optimizers, schedules, bit generators, estimators), so
  opening a file never runs code from it;
- checks made *before anything is allocated* (:mod:`glassnet._npzcheck`):
  each array's ``.npy`` header and the zip directory's sizes, against limits of
  2**28 entries per array and 2 GiB per file, so a 2 kB file cannot claim
  gigabytes and a compressed member cannot inflate beyond what it holds;
- a schema for the JSON metadata (:mod:`glassnet._metacheck`): every field's
  type, every name, every size bounded (a layer at most 2**20 units, at most
  1,000 layers, 2**28 parameters) and checked against the arrays' shapes --
  ``len(theta)`` is computed from ``layer_sizes`` with integers before any
  ``Network`` is built;
- the numbers themselves: a network with NaN or infinite weights is neither
  saved nor loaded (it would predict garbage).

Every failure is a one-line ``ValueError`` naming the file and the problem
(``FileNotFoundError`` for a missing file). Saving runs the same checks on what
it is about to write, so whatever :func:`save` writes, :func:`load` reads.

Every file is written atomically (:func:`atomic_write`): to a temporary file in
the same directory, then renamed over the target with ``os.replace``, so a crash
or an error midway leaves the previous file untouched.

Checkpoints (:func:`save_checkpoint`) add what training needs to continue as if
it had never stopped: the optimizer's state arrays (Adam's ``m``, ``v`` and step
``t``; momentum's velocity; …), the history so far, the epoch, and the states
of the random generators (``Generator.bit_generator.state``), so that a run of
10 epochs and a run of 5 + 5 end with bit-identical weights.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast, overload

import numpy as np

from .._typing import ArrayLike, FloatArray, NDArray, PathLike
from ..network import Network
from ._container import Arrays, Meta, _building, _plain, _read_container, _write_container
from ._metacheck import SCHEDULE_CLASSES, decode_value, estimator_classes, helper_classes
from ._state import (
    _OPTIMIZER_NAMES,
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
    from ..estimators import MLPClassifier, MLPRegressor
    from ..schedules import Schedule

# --------------------------------------------------------------------------- estimators


def _encode_value(value: Any, what: str) -> Any:
    """JSON for a parameter or attribute value, remembering tuples (``hidden_layer_sizes``)."""
    if isinstance(value, tuple):
        return {"tuple": [_encode_value(v, what) for v in value]}
    if isinstance(value, list):
        return [_encode_value(v, what) for v in value]
    if isinstance(value, dict):
        return {"dict": {str(k): _encode_value(v, what) for k, v in value.items()}}
    return _plain(value, what)


def _encode_attribute(value: Any, key: str, arrays: Arrays, what: str) -> Meta:
    """A JSON spec for one fitted attribute; its arrays go into ``arrays`` under names from ``key``."""
    if isinstance(value, Network):
        net_arrays, net_meta = _network_state(value, prefix=f"{key}.")
        arrays.update(net_arrays)
        return {"network": net_meta}
    if type(value) in _OPTIMIZER_NAMES:
        opt_arrays, opt_meta = _optimizer_state(value, prefix=f"{key}.")
        arrays.update(opt_arrays)
        return {"optimizer": opt_meta}
    if SCHEDULE_CLASSES.get(type(value).__name__) is type(value):
        return {"schedule": _schedule_state(cast("Schedule", value))}
    if isinstance(value, np.ndarray) and value.dtype.kind == "O":
        if not all(isinstance(v, str) for v in value.ravel()):
            raise ValueError(f"cannot save {what}: an object array that does not hold only strings")
        arrays[key] = value.astype(str)
        return {"array": key, "object": True}
    if isinstance(value, np.ndarray):
        arrays[key] = value
        return {"array": key}
    helper = helper_classes().get(type(value).__name__)
    if helper is type(value):
        return {
            "object": type(value).__name__,
            "attributes": {
                k: _encode_attribute(v, f"{key}.{k}", arrays, f"{what}.{k}") for k, v in vars(value).items()
            },
        }
    return {"value": _encode_value(value, what)}


def _decode_attribute(spec: Mapping[str, Any], arrays: Mapping[str, NDArray[Any]]) -> Any:
    """One fitted attribute from a spec :func:`glassnet._metacheck.check_estimator` has passed."""
    if "network" in spec:
        return _network_from_state(spec["network"], arrays, prefix=spec["network"]["prefix"])
    if "optimizer" in spec:
        return _optimizer_from_state(spec["optimizer"], arrays, prefix=spec["optimizer"]["prefix"])
    if "schedule" in spec:
        return _schedule_from_state(spec["schedule"])
    if "array" in spec:
        value = arrays[spec["array"]]
        return value.astype(object) if spec.get("object") else value
    if "object" in spec:
        cls = helper_classes()[spec["object"]]
        obj = cls.__new__(cls)  # type: ignore[call-overload]  # mypy resolves a type[Any]'s __new__ to type.__new__
        obj.__dict__.update({k: _decode_attribute(v, arrays) for k, v in spec["attributes"].items()})
        return obj
    return decode_value(spec["value"])


def _estimator_state(est: MLPClassifier | MLPRegressor) -> tuple[Arrays, Meta]:
    """``(arrays, meta)`` for a fitted scikit-learn-style estimator.

    Saved: ``get_params()`` and every attribute ``fit`` set: a :class:`Network`
    as a network, glassnet optimizers and schedules with their state, arrays as
    arrays (string object arrays such as ``feature_names_in_`` as strings), a
    few known helper objects (``LabelBinarizer``) attribute by attribute, and
    numbers, strings and lists in the JSON. Random generators and user functions
    are not saved (``fit`` makes them anew); parameters that hold functions
    (``callbacks``) are saved as ``None``. An estimator may list further
    attributes to leave out in ``_glassnet_skip_attributes``. The attributes a
    file may hold are a fixed table (:func:`glassnet._metacheck.check_estimator`):
    a new fitted attribute must be added there, or saving refuses it by name.
    """
    name = type(est).__name__
    classes = estimator_classes()
    if classes.get(name) is not type(est):
        raise ValueError(f"cannot save a {name}: save a glassnet Network, MLPClassifier or MLPRegressor")
    params = est.get_params(deep=False)
    skip = set(getattr(est, "_glassnet_skip_attributes", ()))
    arrays: Arrays = {}
    attributes: Meta = {}
    for attr, value in vars(est).items():
        if attr in params or attr in skip:
            continue
        if isinstance(value, (np.random.Generator, np.random.RandomState)) or (
            callable(value)
            and SCHEDULE_CLASSES.get(type(value).__name__) is not type(value)
            and type(value) not in _OPTIMIZER_NAMES
        ):
            continue  # rebuilt by the estimator when it trains again
        attributes[attr] = _encode_attribute(value, attr, arrays, f"{name}.{attr}")
    encoded_params: Meta = {}
    dropped: list[str] = []
    for key, value in params.items():
        if isinstance(value, (np.random.Generator, np.random.RandomState)):
            raise ValueError(
                f"cannot save {name}(random_state=<{type(value).__name__}>): use an int seed or None"
            )
        if callable(value) or (isinstance(value, (list, tuple)) and value and all(map(callable, value))):
            encoded_params[key], dropped = None, dropped + [key]
            continue
        encoded_params[key] = _encode_value(value, f"{name} parameter {key!r}")
    return arrays, {
        "estimator": {
            "class": name,
            "params": encoded_params,
            "dropped_params": dropped,
            "attributes": attributes,
        }
    }


def _estimator_from_state(
    meta: Mapping[str, Any], arrays: Mapping[str, NDArray[Any]]
) -> MLPClassifier | MLPRegressor:
    """A fitted estimator from metadata :func:`glassnet._metacheck.check_estimator` has passed."""
    spec = meta["estimator"]
    params = {k: decode_value(v) for k, v in spec["params"].items()}
    est = estimator_classes()[spec["class"]](**params)
    for attr, what in spec["attributes"].items():
        est.__dict__[attr] = _decode_attribute(what, arrays)
    return est


# --------------------------------------------------------------------------- models


@dataclass
class SavedModel:
    """What a model file holds: the model, its preprocessing and its metadata.

    ``predict``/``predict_output`` apply the standardizer (if any) first, so
    they take raw features, as the training data were before standardizing.
    """

    model: Network | MLPClassifier | MLPRegressor
    scaler: Standardizer | None = None
    info: dict[str, Any] = field(default_factory=dict)
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def network(self) -> Network | None:
        """The Network inside (the model itself, or an estimator's fitted network)."""
        if isinstance(self.model, Network):
            return self.model
        for value in vars(self.model).values():
            if isinstance(value, Network):
                return value
        return None

    @overload
    def transform(self, X: FloatArray) -> FloatArray: ...

    @overload
    def transform(self, X: ArrayLike) -> ArrayLike: ...

    def transform(self, X: ArrayLike) -> ArrayLike:
        """``X`` standardized as the training data were (unchanged without a standardizer)."""
        return X if self.scaler is None else self.scaler.transform(X)

    def predict(self, X: ArrayLike) -> NDArray[Any]:
        return self.model.predict(self.transform(X))

    def predict_output(self, X: ArrayLike) -> FloatArray:
        if isinstance(self.model, Network):
            return self.model.predict_output(self.transform(X))
        if hasattr(self.model, "predict_proba"):
            return self.model.predict_proba(self.transform(X))
        predictions = np.asarray(self.model.predict(self.transform(X)))  # one row per sample
        return predictions.reshape(len(predictions), -1)


def save(
    model: Network | MLPClassifier | MLPRegressor,
    path: PathLike,
    scaler: Standardizer | None = None,
    info: Mapping[str, Any] | None = None,
) -> Path:
    """Save a Network (or a fitted MLPClassifier/MLPRegressor) to one ``.npz`` file.

    Parameters
    ----------
    model : Network or fitted glassnet estimator
    path : str or Path
        Written atomically; conventionally ends in ``.npz``.
    scaler : Standardizer, optional
        The preprocessing fitted on the training data (its ``mean_`` and ``scale_``);
        a fitted scikit-learn ``StandardScaler`` is saved as one. Anything else is a
        ``TypeError``, an unfitted one a ``ValueError``.
    info : dict, optional
        Anything JSON-serializable to keep beside the model (dataset, feature
        names, …); :func:`load_saved` returns it.

    Returns
    -------
    Path
    """
    if isinstance(model, Network):
        arrays, net_meta = _network_state(model)
        meta: Meta = {"model": "network", "network": net_meta}
    else:
        arrays, meta = _estimator_state(model)
        meta["model"] = "estimator"
    scaler_arrays, scaler_meta = _scaler_state(scaler)
    arrays.update(scaler_arrays)
    meta["preprocessing"] = scaler_meta
    meta["info"] = _plain(info or {}, "info")
    return _write_container(path, "model", arrays, meta)


def load_saved(path: PathLike) -> SavedModel:
    """Load a model file as a :class:`SavedModel` (model + standardizer + info + metadata)."""
    meta, arrays = _read_container(path)
    model: Network | MLPClassifier | MLPRegressor
    with _building(path, meta["kind"]):
        if meta["model"] == "estimator":
            model = _estimator_from_state(meta, arrays)
        else:
            model = _network_from_state(meta["network"], arrays)
        scaler = _scaler_from_state(meta["preprocessing"], arrays)
    return SavedModel(model, scaler, meta["info"], meta)


def load(path: PathLike) -> Network | MLPClassifier | MLPRegressor:
    """Load the model saved in ``path`` (a Network or a glassnet estimator).

    Never executes code from the file; raises ``ValueError`` for a tampered,
    truncated or foreign file. Use :func:`load_saved` to get the standardizer too.
    """
    return load_saved(path).model
