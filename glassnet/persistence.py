"""Saving and loading models and checkpoints: one ``.npz`` file, no pickle, checked.

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

import contextlib
import copy
import hashlib
import inspect
import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from . import _metacheck, _npzcheck
from ._metacheck import (BIT_GENERATORS, SCHEDULE_CLASSES, decode_value, estimator_classes,
                         helper_classes)
from ._npzcheck import clip, short
from .activations import ACTIVATIONS
from .network import Network
from .optimizers import OPTIMIZERS
from .training import History

__all__ = [
    "FORMAT_VERSION", "SavedModel", "Checkpoint", "atomic_write", "save", "load", "load_saved",
    "save_checkpoint", "load_checkpoint", "read_metadata",
]

FORMAT_VERSION = 1
_META_KEY = "__glassnet__"
_ZIP_MAGIC = b"PK\x03\x04"

# The process umask, read once: mkstemp creates files as 0600, renamed files get the usual mode.
_UMASK = os.umask(0)
os.umask(_UMASK)


# --------------------------------------------------------------------------- atomic writes

@contextlib.contextmanager
def atomic_write(path, mode="w", **open_kwargs):
    """Open a temporary file beside ``path``; on success rename it over ``path``.

    ::

        with atomic_write("metrics.json") as f:
            json.dump(metrics, f)

    If the body raises (or the process dies), ``path`` keeps its old content and
    the temporary file is removed. ``mode`` is ``"w"`` (text) or ``"wb"`` (binary);
    ``open_kwargs`` go to :func:`open` (``encoding``, ``newline``).
    """
    if mode not in ("w", "wb", "x", "xb"):
        raise ValueError(f"atomic_write opens files for writing only ('w' or 'wb'), got mode {mode!r}")
    path = Path(path)
    if path.is_dir():
        raise IsADirectoryError(f"cannot write {path}: it is a directory")
    if not path.parent.is_dir():
        raise FileNotFoundError(f"cannot write {path}: the folder {path.parent} does not exist")
    mode = mode.replace("x", "w")
    if "b" not in mode:
        open_kwargs.setdefault("encoding", "utf-8")
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, mode, **open_kwargs) as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o666 & ~_UMASK)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    _fsync_directory(path.parent)


def _fsync_directory(folder):
    """Make the rename itself durable (best effort; not every platform allows it)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


# --------------------------------------------------------------------------- the container

def _checksum(meta, arrays):
    """SHA-256 over the metadata (without its checksum) and each array's name, dtype, shape, bytes."""
    h = hashlib.sha256()
    body = {k: v for k, v in meta.items() if k != "checksum"}
    h.update(json.dumps(body, sort_keys=True, separators=(",", ":")).encode("utf-8"))
    for name in sorted(arrays):
        a = np.ascontiguousarray(arrays[name])
        h.update(f"\0{name}\0{a.dtype.str}\0{a.shape}\0".encode("utf-8"))
        h.update(a.tobytes())
    return h.hexdigest()


_MAX_META_BYTES = 64 * 2**20   # the JSON metadata: history, info and config included


def _write_container(path, kind, arrays, meta):
    """Write ``arrays`` and ``meta`` as a glassnet file, after the checks :func:`load` will make."""
    from . import __version__

    for name, a in arrays.items():
        if name == _META_KEY or not isinstance(a, np.ndarray) or a.dtype.kind not in "biufcUS":
            raise ValueError(f"cannot save array {name!r}: only numeric and string arrays can be saved")
    meta = {
        "format": "glassnet",
        "format_version": FORMAT_VERSION,
        "kind": kind,
        "glassnet_version": __version__,
        **meta,
        "arrays": {name: {"dtype": a.dtype.str, "shape": list(a.shape)} for name, a in arrays.items()},
    }
    meta["checksum"] = {"algorithm": "sha256", "value": _checksum(meta, arrays)}
    try:
        text = json.dumps(meta, sort_keys=True)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"cannot save: the metadata is not JSON-serializable ({exc})") from None
    if len(text) > _MAX_META_BYTES:
        raise ValueError(f"cannot save {path}: its metadata (history, info, config) takes {len(text):,} "
                         f"bytes; glassnet files hold at most {_MAX_META_BYTES:,}")
    try:
        plan = _metacheck.check_metadata(meta, {k: (a.dtype, a.shape) for k, a in arrays.items()})
    except ValueError as exc:
        raise ValueError(f"cannot save {path}: {exc}") from None
    try:
        _metacheck.check_values(plan, arrays)
    except ValueError as exc:
        raise ValueError(f"{exc}; refusing to save {path}") from None
    payload = {**arrays, _META_KEY: np.frombuffer(text.encode("utf-8"), dtype=np.uint8)}
    with atomic_write(path, "wb") as f:
        np.savez(f, **payload)
    return Path(path)


def _read_container(path):
    """``(meta, arrays)`` of a glassnet file, after every check; never unpickles, never over-allocates.

    In order: the zip directory and each ``.npy`` header (sizes, dtypes), the
    metadata (read, parsed, checked against the headers), then the arrays,
    the checksum, and the numbers (finite weights, labels as listed).
    """
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"file not found: {path}")
    if path.is_dir():
        raise ValueError(f"{path} is a folder, not a glassnet model file")
    with open(path, "rb") as f:
        head = f.read(4)
    if head != _ZIP_MAGIC:
        what = "it is empty" if not head else "it is not an .npz archive"
        raise ValueError(f"{path} is not a glassnet model file ({what})")
    with _npzcheck.open_npz(path) as npz:
        if _META_KEY not in npz.headers:
            raise ValueError(f"{path} is not a glassnet model file (an .npz archive without glassnet metadata)")
        meta = _read_metadata_json(path, npz)
        headers = {name: (h.dtype, h.shape) for name, h in npz.headers.items() if name != _META_KEY}
        try:
            plan = _metacheck.check_metadata(meta, headers)
        except ValueError as exc:
            raise ValueError(f"{path} has invalid {meta['kind']} metadata: {exc}") from None
        arrays = {name: npz.read(name) for name in headers}
    if meta["checksum"]["value"] != _checksum(meta, arrays):
        raise ValueError(f"{path} is corrupted or truncated: checksum mismatch")
    try:
        _metacheck.check_values(plan, arrays)
    except ValueError as exc:
        raise ValueError(f"{path} cannot be loaded: {exc}") from None
    return meta, arrays


def _read_metadata_json(path, npz):
    """The parsed JSON of the ``__glassnet__`` member: a bounded byte array, a glassnet format we read."""
    header = npz.headers[_META_KEY]
    corrupted = f"{path} is corrupted or truncated"
    if header.dtype != np.uint8 or len(header.shape) != 1:
        raise ValueError(f"{corrupted} (its metadata is not a byte array)")
    if header.nbytes > _MAX_META_BYTES:
        raise ValueError(f"{path} has {header.nbytes:,} bytes of metadata; glassnet reads at most "
                         f"{_MAX_META_BYTES:,}")
    try:
        meta = json.loads(npz.read(_META_KEY).tobytes().decode("utf-8"))
    except (ValueError, RecursionError) as exc:  # bad UTF-8 or JSON, too deeply nested
        raise ValueError(f"{corrupted} (unreadable metadata: {clip(exc, 80)})") from None
    if not isinstance(meta, dict):
        raise ValueError(f"{corrupted} (its metadata is not a JSON object)")
    if meta.get("format") != "glassnet":
        raise ValueError(f"{path} is not a glassnet model file (unknown format {short(meta.get('format'))})")
    version = meta.get("format_version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise ValueError(f"{corrupted} (unknown file format version {short(version)})")
    if version > FORMAT_VERSION:
        raise ValueError(f"{path} uses glassnet file format {version!r}, newer than this glassnet "
                         f"understands ({FORMAT_VERSION}); upgrade glassnet to read it")
    kind, model = meta.get("kind"), meta.get("model")
    if kind not in ("model", "checkpoint"):
        raise ValueError(f"{path} is not a glassnet model file (kind {short(kind)})")
    if model not in (("network",) if kind == "checkpoint" else ("network", "estimator")):
        raise ValueError(f"{path} has invalid {kind} metadata: unknown model {short(model)}")
    return meta


def read_metadata(path):
    """The verified JSON metadata of a glassnet file, as a dict (for ``glassnet info``)."""
    return _read_container(path)[0]


# --------------------------------------------------------------------------- JSON helpers

def _plain(value, what):
    """``value`` as plain JSON data (numpy scalars and arrays become numbers and lists)."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        if value.dtype.kind == "O":
            return [_plain(v, what) for v in value.tolist()]
        return value.tolist()
    if isinstance(value, (list, tuple)):
        return [_plain(v, what) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v, what) for k, v in value.items()}
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    raise ValueError(f"cannot save {what}: {type(value).__name__} values cannot be stored as JSON")


def _typed_list(a):
    """A 1-D array as JSON that remembers its dtype: ``{"dtype": "<U3", "values": [...]}``."""
    return {"dtype": a.dtype.str, "values": a.tolist()}


def _generator_state(rng):
    state = copy.deepcopy(rng.bit_generator.state)

    def encode(v):
        if isinstance(v, np.ndarray):
            return {"ndarray": v.tolist(), "dtype": v.dtype.str}
        if isinstance(v, dict):
            return {k: encode(x) for k, x in v.items()}
        return _plain(v, "the random generator state")

    return encode(state)


def _generator_from_state(state):
    """A Generator in the saved state (its form checked by :func:`glassnet._metacheck.check_generator`)."""
    def decode(v):
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

def _activation_meta(activation):
    name = activation.name
    if name not in ACTIVATIONS:
        raise ValueError(f"cannot save activation {activation!r}: only the built-in activations "
                         f"({', '.join(sorted(ACTIVATIONS))}) can be saved")
    params = {k: _plain(v, f"activation {name}") for k, v in vars(activation).items()
              if not k.startswith("_")}
    return {"name": name, "params": params}


def _network_state(net, prefix=""):
    """``(arrays, meta)`` describing a Network; arrays' names start with ``prefix``."""
    arrays = {prefix + "theta": net.theta.copy()}
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


def _network_from_state(meta, arrays, prefix=""):
    """A Network from metadata :func:`glassnet._metacheck.check_network` has passed (sizes match theta)."""
    activations = [ACTIVATIONS[spec["name"]](**spec["params"]) for spec in meta["activations"]]
    # init="zeros": no random draws for weights that set_params replaces at once
    net = Network(meta["layer_sizes"], activations=activations, init="zeros", dropout=meta["dropout"],
                  random_state=0, dtype=np.dtype(meta["dtype"]), task=meta.get("task"))
    net.init = meta["init"]
    net.set_params(arrays[prefix + "theta"])
    if meta["classes"] is not None:
        net.classes_ = arrays[prefix + "classes"]
    net.ravel_output = meta["ravel_output"]
    return net


def _scaler_state(scaler):
    if scaler is None:
        return {}, None
    mean, scale = np.asarray(scaler.mean_), np.asarray(scaler.scale_)
    if mean.shape != scale.shape or mean.ndim != 1:
        raise ValueError("the standardizer's mean_ and scale_ must be 1-D arrays of the same length")
    arrays = {"scaler_mean": mean.copy(), "scaler_scale": scale.copy()}
    meta = {"standardizer": {"n_features": int(mean.size), "mean": mean.tolist(), "scale": scale.tolist()}}
    return arrays, meta


def _scaler_from_state(meta, arrays):
    if meta is None:
        return None
    from .data import Standardizer

    scaler = Standardizer()
    scaler.mean_, scaler.scale_ = arrays["scaler_mean"], arrays["scaler_scale"]
    return scaler


# --------------------------------------------------------------------------- estimators

def _encode_value(value, what):
    """JSON for a parameter or attribute value, remembering tuples (``hidden_layer_sizes``)."""
    if isinstance(value, tuple):
        return {"tuple": [_encode_value(v, what) for v in value]}
    if isinstance(value, list):
        return [_encode_value(v, what) for v in value]
    if isinstance(value, dict):
        return {"dict": {str(k): _encode_value(v, what) for k, v in value.items()}}
    return _plain(value, what)


def _encode_attribute(value, key, arrays, what):
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
        return {"schedule": _schedule_state(value)}
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
        return {"object": type(value).__name__,
                "attributes": {k: _encode_attribute(v, f"{key}.{k}", arrays, f"{what}.{k}")
                               for k, v in vars(value).items()}}
    return {"value": _encode_value(value, what)}


def _decode_attribute(spec, arrays):
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
        obj = cls.__new__(cls)
        vars(obj).update({k: _decode_attribute(v, arrays) for k, v in spec["attributes"].items()})
        return obj
    return decode_value(spec["value"])


def _estimator_state(est):
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
    arrays, attributes = {}, {}
    for attr, value in vars(est).items():
        if attr in params or attr in skip:
            continue
        if isinstance(value, (np.random.Generator, np.random.RandomState)) or (
                callable(value) and SCHEDULE_CLASSES.get(type(value).__name__) is not type(value)
                and type(value) not in _OPTIMIZER_NAMES):
            continue  # rebuilt by the estimator when it trains again
        attributes[attr] = _encode_attribute(value, attr, arrays, f"{name}.{attr}")
    encoded_params, dropped = {}, []
    for key, value in params.items():
        if isinstance(value, (np.random.Generator, np.random.RandomState)):
            raise ValueError(f"cannot save {name}(random_state=<{type(value).__name__}>): "
                             "use an int seed or None")
        if callable(value) or (isinstance(value, (list, tuple)) and value and all(map(callable, value))):
            encoded_params[key], dropped = None, dropped + [key]
            continue
        encoded_params[key] = _encode_value(value, f"{name} parameter {key!r}")
    return arrays, {"estimator": {"class": name, "params": encoded_params, "dropped_params": dropped,
                                  "attributes": attributes}}


def _estimator_from_state(meta, arrays):
    """A fitted estimator from metadata :func:`glassnet._metacheck.check_estimator` has passed."""
    spec = meta["estimator"]
    params = {k: decode_value(v) for k, v in spec["params"].items()}
    est = estimator_classes()[spec["class"]](**params)
    for attr, what in spec["attributes"].items():
        vars(est)[attr] = _decode_attribute(what, arrays)
    return est


# --------------------------------------------------------------------------- models

@dataclass
class SavedModel:
    """What a model file holds: the model, its preprocessing and its metadata.

    ``predict``/``predict_output`` apply the standardizer (if any) first, so
    they take raw features, as the training data were before standardizing.
    """

    model: object
    scaler: object = None
    info: dict = field(default_factory=dict)
    metadata: dict = field(default_factory=dict)

    @property
    def network(self):
        """The Network inside (the model itself, or an estimator's fitted network)."""
        if isinstance(self.model, Network):
            return self.model
        for value in vars(self.model).values():
            if isinstance(value, Network):
                return value
        return None

    def transform(self, X):
        return X if self.scaler is None else self.scaler.transform(X)

    def predict(self, X):
        return self.model.predict(self.transform(X))

    def predict_output(self, X):
        if isinstance(self.model, Network):
            return self.model.predict_output(self.transform(X))
        if hasattr(self.model, "predict_proba"):
            return self.model.predict_proba(self.transform(X))
        return np.asarray(self.model.predict(self.transform(X))).reshape(len(X), -1)


def save(model, path, scaler=None, info=None):
    """Save a Network (or a fitted MLPClassifier/MLPRegressor) to one ``.npz`` file.

    Parameters
    ----------
    model : Network or fitted glassnet estimator
    path : str or Path
        Written atomically; conventionally ends in ``.npz``.
    scaler : Standardizer, optional
        The preprocessing fitted on the training data (its ``mean_`` and ``scale_``).
    info : dict, optional
        Anything JSON-serializable to keep beside the model (dataset, feature
        names, …); :func:`load_saved` returns it.

    Returns
    -------
    Path
    """
    if isinstance(model, Network):
        arrays, net_meta = _network_state(model)
        meta = {"model": "network", "network": net_meta}
    else:
        arrays, meta = _estimator_state(model)
        meta["model"] = "estimator"
    scaler_arrays, scaler_meta = _scaler_state(scaler)
    arrays.update(scaler_arrays)
    meta["preprocessing"] = scaler_meta
    meta["info"] = _plain(info or {}, "info")
    return _write_container(path, "model", arrays, meta)


def load_saved(path):
    """Load a model file as a :class:`SavedModel` (model + standardizer + info + metadata)."""
    meta, arrays = _read_container(path)
    with _building(path, meta["kind"]):
        if meta["model"] == "estimator":
            model = _estimator_from_state(meta, arrays)
        else:
            model = _network_from_state(meta["network"], arrays)
        scaler = _scaler_from_state(meta["preprocessing"], arrays)
    return SavedModel(model, scaler, meta["info"], meta)


@contextlib.contextmanager
def _building(path, kind):
    """Objects are built from checked metadata; their constructors' own range checks
    (a sigmoid's positive steepness, Adam's betas in [0, 1)) fail as one-line ValueErrors."""
    try:
        yield
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{path} has invalid {kind} metadata: {clip(exc, 200)}") from None


def load(path):
    """Load the model saved in ``path`` (a Network or a glassnet estimator).

    Never executes code from the file; raises ``ValueError`` for a tampered,
    truncated or foreign file. Use :func:`load_saved` to get the standardizer too.
    """
    return load_saved(path).model


# --------------------------------------------------------------------------- checkpoints

_OPTIMIZER_NAMES = {cls: name for name, cls in OPTIMIZERS.items()}


def _optimizer_state(optimizer, prefix="optimizer."):
    name = _OPTIMIZER_NAMES.get(type(optimizer))
    if name is None:
        raise ValueError(f"cannot checkpoint optimizer {optimizer!r}: only the built-in optimizers")
    arrays = {}
    for state in optimizer._state_names:
        value = getattr(optimizer, state, None)
        if state.startswith("_") or value is None:
            continue  # scratch buffers are rebuilt on the next step
        arrays[prefix + state] = value.copy()
    meta = {"name": name, "hyper": _plain(optimizer._hyper(), "optimizer"),
            "clip_norm": optimizer.clip_norm, "t": int(optimizer.t),
            "state": sorted(k.removeprefix(prefix) for k in arrays), "prefix": prefix}
    return arrays, meta


def _optimizer_from_state(meta, arrays, prefix="optimizer."):
    """An optimizer from metadata :func:`glassnet._metacheck.check_optimizer` has passed."""
    hyper = dict(meta["hyper"])
    lr = hyper.pop("lr")  # set after: a schedule may have taken it to 0 (cosine down to lr_min=0)
    optimizer = OPTIMIZERS[meta["name"]](**hyper, clip_norm=meta["clip_norm"])
    optimizer.lr, optimizer.t = lr, meta["t"]
    for state in meta["state"]:
        setattr(optimizer, state, arrays[prefix + state])
    return optimizer


def _schedule_state(schedule):
    if schedule is None:
        return None
    name = type(schedule).__name__
    if SCHEDULE_CLASSES.get(name) is not type(schedule):
        raise ValueError(f"cannot checkpoint schedule {schedule!r}: only the built-in schedules")
    return {"class": name, "state": _plain(vars(schedule), "schedule")}


def _schedule_from_state(meta):
    """A schedule from checked metadata: built by its constructor (which checks the ranges), then its state."""
    if meta is None:
        return None
    cls = SCHEDULE_CLASSES[meta["class"]]
    arguments = inspect.signature(cls).parameters
    schedule = cls(**{k: v for k, v in meta["state"].items() if k in arguments})
    vars(schedule).update(meta["state"])  # every schedule's state is plain numbers
    return schedule


def _history_meta(history):
    if history is None:
        return {}
    if isinstance(history, History):
        data = {k: list(getattr(history, k)) for k in (*History.SERIES, "restart_losses")}
        data.update(stop_reason=history.stop_reason, best_epoch=history.best_epoch,
                    message=history.message, divergence=history.divergence)
    else:
        data = dict(history)
    return _plain(data, "history")


def _history_from_meta(data):
    """A History from checked metadata (every key a History field, lists of numbers)."""
    return History(**data)


@dataclass
class Checkpoint:
    """Everything :func:`load_checkpoint` restores to continue training."""

    net: Network
    optimizer: object
    history: History
    epoch: int
    rng: np.random.Generator = None
    schedule: object = None
    scaler: object = None
    config: dict = field(default_factory=dict)
    info: dict = field(default_factory=dict)


def save_checkpoint(path, net, optimizer, history, epoch, rng=None, schedule=None, scaler=None,
                    config=None, info=None):
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
    arrays.update(opt_arrays)
    arrays.update(scaler_arrays)
    meta = {
        "model": "network",
        "network": net_meta,
        "optimizer": opt_meta,
        "history": _history_meta(history),
        "epoch": int(epoch),
        "rng": None if rng is None else _generator_state(rng),
        "network_rng": _generator_state(net.rng),
        "schedule": _schedule_state(schedule),
        "preprocessing": scaler_meta,
        "config": _plain(config or {}, "config"),
        "info": _plain(info or {}, "info"),
    }
    return _write_container(path, "checkpoint", arrays, meta)


def load_checkpoint(path):
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
            history=_history_from_meta(meta["history"]),
            epoch=meta["epoch"],
            rng=None if meta["rng"] is None else _generator_from_state(meta["rng"]),
            schedule=_schedule_from_state(meta["schedule"]),
            scaler=_scaler_from_state(meta["preprocessing"], arrays),
            config=meta["config"],
            info=meta["info"],
        )
