"""Checking a glassnet file's JSON metadata before anything is read or built.

A model file's metadata names sizes (layer sizes, class counts, feature counts),
names (activations, optimizers, schedules, random generators, classes) and the
shapes of the arrays beside it. Anyone can edit it and recompute the SHA-256
(the checksum has no key), so nothing in it is trusted: :func:`check_metadata`
checks every field's type, every list's length, every name against a fixed
table, every size against a bound, and every size against the arrays' headers
-- ``len(theta) = Σ (n_in · n_out + n_out)`` is computed from ``layer_sizes``
with integers, before any ``Network`` exists. It returns a :class:`Plan` of the
checks that need the numbers themselves (finite weights, classes equal to the
JSON's), which :func:`check_values` runs once the arrays are read.

Every failure is a ``ValueError`` naming the field, e.g.
``network.layer_sizes[1] must be between 1 and 1,048,576, got 12000000``.
"""

from __future__ import annotations

import inspect
import math
from dataclasses import dataclass, field

import numpy as np

from ._npzcheck import short
from .activations import ACTIVATIONS
from .initializers import INITIALIZERS
from .optimizers import OPTIMIZERS
from .schedules import SCHEDULES
from .training import History

MAX_LAYER_SIZE = 2**20       # units in one layer
MAX_LAYERS = 1000            # layers in one network
MAX_PARAMS = 2**28           # entries of theta (2 GiB of float64)
MAX_COUNT = 2**62            # epochs, steps, iterations
MAX_DEPTH = 32               # nesting of the JSON
MAX_NAME = 200               # characters of a name or version string

# The names a file may use: looked up in these tables, never imported or getattr'd by name.
BIT_GENERATORS = {name: getattr(np.random, name) for name in ("PCG64", "PCG64DXSM", "MT19937", "Philox", "SFC64")}
SCHEDULE_CLASSES = {cls.__name__: cls for cls in SCHEDULES.values()}
FLOAT_DTYPES = ("float16", "float32", "float64")
HISTORY_SERIES = ("loss", "val_loss", "accuracy", "val_accuracy", "lr", "grad_norm", "epoch_time",
                  "restart_losses")
_Y_TYPES = {"binary": "sigmoid", "multiclass": "softmax", "multilabel-indicator": "sigmoid"}


def estimator_classes():
    """The estimator classes a file may name (imported here, on first use: scikit-learn is heavy)."""
    from . import estimators
    return {"MLPClassifier": estimators.MLPClassifier, "MLPRegressor": estimators.MLPRegressor}


def helper_classes():
    """Fitted helper objects an estimator may hold, saved attribute by attribute."""
    from sklearn.preprocessing import LabelBinarizer
    return {"LabelBinarizer": LabelBinarizer}


def decode_value(value):
    """A parameter or attribute value from its JSON form (``{"tuple": [...]}``, ``{"dict": {...}}``)."""
    if isinstance(value, dict) and set(value) == {"tuple"} and isinstance(value["tuple"], list):
        return tuple(decode_value(v) for v in value["tuple"])
    if isinstance(value, dict) and set(value) == {"dict"} and isinstance(value["dict"], dict):
        return {k: decode_value(v) for k, v in value["dict"].items()}
    if isinstance(value, list):
        return [decode_value(v) for v in value]
    return value


# --------------------------------------------------------------------------- typed fields

def _kind(value):
    for t, name in ((bool, "true/false"), (int, "an integer"), (float, "a number"), (str, "a string"),
                    (list, "a list"), (dict, "an object"), (type(None), "null")):
        if isinstance(value, t):
            return name
    return type(value).__name__


def _fail(where, problem):
    raise ValueError(f"{where} {problem}")


def _obj(value, where, required=(), optional=(), any_keys=False):
    """``value`` if it is a JSON object with every ``required`` key and no key outside the lists."""
    if not isinstance(value, dict):
        _fail(where, f"must be a JSON object, got {_kind(value)}")
    for key in required:
        if key not in value:
            _fail(where, f"lacks the entry {short(key)}")
    if not any_keys:
        for key in value:
            if key not in required and key not in optional:
                _fail(where, f"has the unknown entry {short(key)}")
    return value


def _int(value, where, lo=0, hi=MAX_COUNT):
    if isinstance(value, bool) or not isinstance(value, int):
        _fail(where, f"must be an integer, got {_kind(value)}")
    if not lo <= value <= hi:
        _fail(where, f"must be between {lo:,} and {hi:,}, got {short(value)}")
    return value


def _real(value, where, lo=-np.inf, hi=np.inf, finite=True, none=False):
    if value is None and none:
        return value
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        _fail(where, f"must be a number, got {_kind(value)}")
    if isinstance(value, float) and not math.isfinite(value):
        if finite:
            _fail(where, f"must be finite, got {value}")
        return value
    if not lo <= value <= hi:
        _fail(where, f"must be between {lo} and {hi}, got {short(value)}")
    return value


def _str(value, where, choices=None, what="name", limit=MAX_NAME):
    """A string; with ``choices``, one of them (an unknown name is refused with the valid ones listed)."""
    if not isinstance(value, str):
        _fail(where, f"must be a string, got {_kind(value)}")
    if choices is not None and value not in choices:
        valid = ", ".join(choices)
        valid = valid if len(valid) <= 150 else valid[:145] + " …"
        raise ValueError(f"{where}: unknown {what} {short(value)}; valid {what}s are: {valid}")
    if len(value) > limit:
        _fail(where, f"is longer than {limit} characters")
    return value


def _bool(value, where):
    if not isinstance(value, bool):
        _fail(where, f"must be true or false, got {_kind(value)}")
    return value


def _list(value, where, length=None, lo=0, hi=None):
    if not isinstance(value, list):
        _fail(where, f"must be a list, got {_kind(value)}")
    if length is not None and len(value) != length:
        _fail(where, f"must have {length:,} entries, got {len(value):,}")
    if len(value) < lo or (hi is not None and len(value) > hi):
        _fail(where, f"must have between {lo:,} and {hi:,} entries, got {len(value):,}")
    return value


def _check_depth(value):
    """Refuse JSON nested deeper than ``MAX_DEPTH`` (no recursion here, so none can overflow)."""
    stack = [(value, 1)]
    while stack:
        v, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise ValueError(f"the metadata nests deeper than {MAX_DEPTH} levels")
        if isinstance(v, dict):
            stack.extend((x, depth + 1) for x in v.values())
        elif isinstance(v, list):
            stack.extend((x, depth + 1) for x in v)


# --------------------------------------------------------------------------- arrays

@dataclass
class Plan:
    """The checks that need the arrays' numbers, gathered while the metadata is checked.

    ``finite``: ``(array, problem)`` pairs that must hold finite numbers only;
    ``json``: ``(array, values)`` that must equal lists in the JSON; ``labels``:
    class arrays that must be sorted and unique; ``same``: pairs of equal arrays;
    ``positive``: arrays that must be > 0.
    """

    finite: list = field(default_factory=list)
    json: list = field(default_factory=list)
    labels: list = field(default_factory=list)
    same: list = field(default_factory=list)
    positive: list = field(default_factory=list)


class _Claims:
    """The arrays of a file, each claimed by exactly one field of the metadata."""

    def __init__(self, headers):
        self.headers, self.claimed = headers, set()

    def claim(self, name, where, dtype=None, shape=None, kinds=None):
        """The ``(dtype, shape)`` of array ``name``, after checking it against what ``where`` expects."""
        if name not in self.headers:
            _fail(where, f"names the array {short(name)}, which the file does not hold")
        if name in self.claimed:
            _fail(where, f"uses the array {short(name)} a second time")
        self.claimed.add(name)
        a_dtype, a_shape = self.headers[name]
        if dtype is not None and a_dtype != dtype:
            _fail(where, f"needs {short(name)} of dtype {np.dtype(dtype)}, the file holds {a_dtype}")
        if shape is not None and tuple(a_shape) != tuple(shape):
            _fail(where, f"needs {short(name)} of shape {short(tuple(shape))}, the file holds {short(a_shape)}")
        if kinds is not None and a_dtype.kind not in kinds:
            _fail(where, f"needs {short(name)} of numbers or strings, the file holds dtype {a_dtype}")
        return a_dtype, tuple(a_shape)

    def check_all_claimed(self):
        extra = sorted(set(self.headers) - self.claimed)
        if extra:
            raise ValueError(f"the file holds the array {short(extra[0])}, which its metadata does not use")


def _check_listing(listing, headers):
    """``meta["arrays"]`` must list exactly the arrays the file holds, with their dtypes and shapes."""
    _obj(listing, "arrays", any_keys=True)
    if set(listing) != set(headers):
        raise ValueError("arrays does not list the arrays the file holds")
    for name, spec in listing.items():
        where = f"arrays[{short(name, 40)}]"
        _obj(spec, where, ("dtype", "shape"))
        dtype, shape = headers[name]
        if spec["dtype"] != dtype.str or spec["shape"] != list(shape):
            _fail(where, "does not match the array in the file")


def _check_labels(spec, claims, plan, name, where):
    """Class labels ``{"dtype": ..., "values": [...]}`` beside their 1-D array ``name``; returns their count."""
    _obj(spec, where, ("dtype", "values"))
    dtype, shape = claims.claim(name, where, kinds="biufUS")
    if len(shape) != 1 or shape[0] < 1:
        _fail(where, f"needs a non-empty 1-D array of labels, {short(name)} has shape {shape}")
    if spec["dtype"] != dtype.str:
        _fail(where, f"says dtype {short(spec['dtype'])}, the array has {dtype.str}")
    values = _list(spec["values"], f"{where}.values", length=shape[0])
    plan.json.append((name, values))
    plan.labels.append(name)
    return shape[0]


# --------------------------------------------------------------------------- networks

@dataclass
class NetworkShape:
    """What the other checks need to know of a network: its sizes, dtype and output."""

    sizes: list
    n_params: int
    dtype: np.dtype
    output: str
    n_classes: int | None


_NETWORK_KEYS = ("layer_sizes", "activations", "output_activation", "dropout", "dtype", "init",
                 "ravel_output", "classes", "n_params")


def _layer_sizes(value, where):
    sizes = _list(value, where, lo=2, hi=MAX_LAYERS + 1)
    for i, n in enumerate(sizes):
        _int(n, f"{where}[{i}]", 1, MAX_LAYER_SIZE)
    n_params = sum(n_in * n_out + n_out for n_in, n_out in zip(sizes, sizes[1:]))
    if n_params > MAX_PARAMS:
        _fail(where, f"{short(sizes, 80)} needs {n_params:,} parameters; glassnet loads at most {MAX_PARAMS:,}")
    return sizes, n_params


def _activation(spec, where):
    """The canonical name of one activation ``{"name": ..., "params": {...}}``."""
    _obj(spec, where, ("name", "params"))
    cls = ACTIVATIONS[_str(spec["name"], f"{where}.name", ACTIVATIONS, "activation")]
    allowed = tuple(inspect.signature(cls).parameters)
    for key, value in _obj(spec["params"], f"{where}.params", optional=allowed).items():
        _real(value, f"{where}.params.{key}")
    return cls.name


def check_network(spec, claims, plan, prefix="", where="network"):
    """Check a network's metadata and its ``theta`` (and ``classes``) arrays; returns its :class:`NetworkShape`."""
    _obj(spec, where, _NETWORK_KEYS + (("prefix",) if prefix else ()))
    if prefix and spec["prefix"] != prefix:
        _fail(f"{where}.prefix", f"must be {prefix!r}, got {short(spec['prefix'])}")
    sizes, n_params = _layer_sizes(spec["layer_sizes"], f"{where}.layer_sizes")
    if _int(spec["n_params"], f"{where}.n_params", 0, MAX_PARAMS) != n_params:
        _fail(f"{where}.n_params", f"is {spec['n_params']:,}, but layer_sizes give {n_params:,}")
    acts = _list(spec["activations"], f"{where}.activations", length=len(sizes) - 1)
    names = [_activation(a, f"{where}.activations[{i}]") for i, a in enumerate(acts)]
    if "softmax" in names[:-1]:
        _fail(f"{where}.activations", "may use softmax only on the output layer")
    output = _str(spec["output_activation"], f"{where}.output_activation", ACTIVATIONS, "activation")
    if ACTIVATIONS[output].name != names[-1]:
        _fail(f"{where}.output_activation", f"is {output!r}, but the last layer's activation is {names[-1]!r}")
    drops = _list(spec["dropout"], f"{where}.dropout", length=len(sizes) - 2)
    for i, p in enumerate(drops):
        _real(p, f"{where}.dropout[{i}]", 0.0, np.nextafter(1.0, 0.0))
    dtype = np.dtype(_str(spec["dtype"], f"{where}.dtype", FLOAT_DTYPES, "dtype"))
    _str(spec["init"], f"{where}.init", ("auto", *INITIALIZERS), "initializer")
    _bool(spec["ravel_output"], f"{where}.ravel_output")
    claims.claim(prefix + "theta", where, dtype=dtype, shape=(n_params,))
    plan.finite.append((prefix + "theta", "the network has NaN/infinite weights"))
    n_classes = None
    if spec["classes"] is not None:
        n_classes = _check_labels(spec["classes"], claims, plan, prefix + "classes", f"{where}.classes")
        _check_classes_fit_output(n_classes, names[-1], sizes[-1], f"{where}.classes")
    return NetworkShape(sizes, n_params, dtype, names[-1], n_classes)


def _check_classes_fit_output(n_classes, output, n_out, where):
    """Softmax: one unit per class; one sigmoid unit: two classes; k sigmoid units: k labels."""
    if output == "softmax":
        expected = n_out
    elif output == "sigmoid":
        expected = 2 if n_out == 1 else n_out
    else:
        _fail(where, f"are given, but a {output} output does not predict classes")
    if n_classes != expected:
        _fail(where, f"lists {n_classes} classes, but {n_out} {output} output units need {expected}")


# --------------------------------------------------------------------------- training state

def check_optimizer(spec, claims, net, prefix, where="optimizer"):
    """An optimizer's name, hyperparameters, step count and state arrays (each shaped like theta)."""
    _obj(spec, where, ("name", "hyper", "clip_norm", "t", "state", "prefix"))
    cls = OPTIMIZERS[_str(spec["name"], f"{where}.name", OPTIMIZERS, "optimizer")]
    allowed = tuple(k for k in inspect.signature(cls).parameters if k != "clip_norm")
    for key, value in _obj(spec["hyper"], f"{where}.hyper", optional=allowed).items():
        if key == "form":
            _str(value, f"{where}.hyper.form", ("classical", "ewma"), "momentum form")
        else:
            _real(value, f"{where}.hyper.{key}")
    _real(spec["clip_norm"], f"{where}.clip_norm", 0.0, none=True)
    _int(spec["t"], f"{where}.t")
    if spec["prefix"] != prefix:
        _fail(f"{where}.prefix", f"must be {prefix!r}, got {short(spec['prefix'])}")
    states = _list(spec["state"], f"{where}.state", hi=len(cls._state_names))
    for i, state in enumerate(states):
        public = [s for s in cls._state_names if not s.startswith("_") and s not in states[:i]]
        _str(state, f"{where}.state[{i}]", public, "optimizer state")
        claims.claim(prefix + state, where, dtype=net.dtype, shape=(net.n_params,))


def check_schedule(spec, where="schedule"):
    """A built-in schedule: its class and exactly the plain numbers a fresh one holds."""
    if spec is None:
        return
    _obj(spec, where, ("class", "state"))
    cls = SCHEDULE_CLASSES[_str(spec["class"], f"{where}.class", SCHEDULE_CLASSES, "schedule")]
    for key, value in _obj(spec["state"], f"{where}.state", tuple(vars(cls(1.0)))).items():
        if key.startswith("_best"):  # the best loss so far: inf before the first epoch
            _real(value, f"{where}.state.{key}", finite=False)
        else:
            _real(value, f"{where}.state.{key}", lo=0.0)


def check_generator(spec, where):
    """A bit generator's state: its name from the table, then the very structure a fresh one has."""
    _obj(spec, where, ("bit_generator",), any_keys=True)
    name = _str(spec["bit_generator"], f"{where}.bit_generator", BIT_GENERATORS, "random bit generator")
    _check_like(spec, BIT_GENERATORS[name]().state, where)


def _check_like(value, reference, where):
    """``value`` has the JSON form of ``reference``: the same keys, array lengths and kinds of number."""
    if isinstance(reference, dict):
        _obj(value, where, tuple(reference))
        for key, ref in reference.items():
            _check_like(value[key], ref, f"{where}.{key}")
    elif isinstance(reference, np.ndarray):
        _obj(value, where, ("ndarray", "dtype"))
        if value["dtype"] != reference.dtype.str:
            _fail(f"{where}.dtype", f"must be {reference.dtype.str!r}")
        for i, v in enumerate(_list(value["ndarray"], f"{where}.ndarray", length=reference.size)):
            _int(v, f"{where}.ndarray[{i}]", 0, np.iinfo(reference.dtype).max)
    elif isinstance(reference, str):
        if value != reference:
            _fail(where, f"must be {reference!r}")
    else:
        _int(value, where, 0, 2**128 - 1)


def check_history(spec, where="history"):
    """The per-epoch figures: lists of numbers, a stop reason, the best epoch, a message."""
    fields = tuple(History.__dataclass_fields__)
    _obj(spec, where, optional=fields)
    for key, value in spec.items():
        if key in HISTORY_SERIES:
            for i, v in enumerate(_list(value, f"{where}.{key}")):
                _real(v, f"{where}.{key}[{i}]", finite=False, none=True)
        elif key == "best_epoch":
            if value is not None:
                _int(value, f"{where}.best_epoch")
        elif value is not None:
            _str(value, f"{where}.{key}", limit=10_000)


def check_preprocessing(spec, claims, plan, n_inputs, where="preprocessing"):
    """The standardizer: ``mean``/``scale`` of the network's inputs, in the JSON and as arrays."""
    if spec is None:
        return
    std = _obj(_obj(spec, where, ("standardizer",))["standardizer"], f"{where}.standardizer",
               ("n_features", "mean", "scale"))
    n = _int(std["n_features"], f"{where}.standardizer.n_features", 1, MAX_LAYER_SIZE)
    if n != n_inputs:
        _fail(f"{where}.standardizer.n_features", f"is {n:,}, but the network has {n_inputs:,} inputs")
    dtype, _ = claims.claim("scaler_mean", where, shape=(n,), kinds="f")
    claims.claim("scaler_scale", where, dtype=dtype, shape=(n,))
    for key in ("mean", "scale"):
        plan.json.append((f"scaler_{key}", _list(std[key], f"{where}.standardizer.{key}", length=n)))
        plan.finite.append((f"scaler_{key}", f"the standardizer's {key} holds NaN/infinite values"))
    plan.positive.append("scaler_scale")


def check_json_object(value, where):
    """``info`` and ``config``: any JSON, as long as it is an object (a dict)."""
    return _obj(value, where, any_keys=True)


# --------------------------------------------------------------------------- estimators

# Fitted attributes of MLPClassifier/MLPRegressor a file may set, by kind. Any other
# name is refused: an instance attribute could otherwise shadow a method or property.
_COUNTS = ("n_iter_", "t_", "_no_improvement_count", "_schedule_epoch")
_SCORES = ("loss_", "best_loss_", "best_validation_score_")
_CURVES = ("loss_curve_", "validation_scores_", "validation_loss_curve_")
_STRUCTURE = ("network_", "n_features_in_", "n_outputs_", "n_layers_", "out_activation_")
_OPTIONAL = _COUNTS + _SCORES + _CURVES + ("_best_theta", "_optimizer", "_schedule", "feature_names_in_")
_CLASSIFIER = ("classes_", "_label_binarizer")


def _value(spec, where):
    return _obj(spec, where, ("value",))["value"]


def _array_of(spec, claims, key, where, **expect):
    """An attribute stored as the array ``key``: ``{"array": key}`` (``"object": true`` for strings)."""
    _obj(spec, where, ("array",), ("object",))
    if spec["array"] != key or spec.get("object", True) is not True:
        _fail(where, f"must name the array {key!r}")
    return claims.claim(key, where, **expect)


def check_estimator(spec, claims, plan, where="estimator"):
    """A fitted MLPClassifier/MLPRegressor: parameters, then each attribute, against its network."""
    _obj(spec, where, ("class", "params", "dropped_params", "attributes"))
    name = _str(spec["class"], f"{where}.class", ("MLPClassifier", "MLPRegressor"), "estimator class")
    cls = estimator_classes()[name]
    _check_params(spec["params"], spec["dropped_params"], cls, where)
    classifier = name == "MLPClassifier"
    at = f"{where}.attributes"
    attrs = _obj(spec["attributes"], at, _STRUCTURE + (_CLASSIFIER if classifier else ()), _OPTIONAL)
    net_spec = _obj(attrs["network_"], f"{at}.network_", ("network",))["network"]
    net = check_network(net_spec, claims, plan, prefix="network_.", where=f"{at}.network_")
    if net.n_classes is not None:
        _fail(f"{at}.network_.classes", "must be null: the estimator keeps its classes")
    for key, expected in (("n_features_in_", net.sizes[0]), ("n_outputs_", net.sizes[-1]),
                          ("n_layers_", len(net.sizes))):
        value = _int(_value(attrs[key], f"{at}.{key}"), f"{at}.{key}")
        if value != expected:
            _fail(f"{at}.{key}", f"is {value:,}, but the network says {expected:,}")
    where_out = f"{at}.out_activation_"
    out = _str(_value(attrs["out_activation_"], where_out), where_out, ACTIVATIONS, "activation")
    if ACTIVATIONS[out].name != net.output:
        _fail(where_out, f"is {out!r}, but the network's output is {net.output!r}")
    _check_fitted_numbers(attrs, at)
    _check_fitted_state(attrs, claims, plan, net, at)
    if classifier:
        _check_classifier(attrs, claims, plan, net, at)
    return net


def _check_params(params, dropped, cls, where):
    """Exactly the constructor's parameters, valid by the estimator's own constraint table."""
    names = tuple(cls().get_params(deep=False))
    _obj(params, f"{where}.params", names)
    for i, key in enumerate(_list(dropped, f"{where}.dropped_params", hi=len(names))):
        if params[_str(key, f"{where}.dropped_params[{i}]", names, "parameter")] is not None:
            _fail(f"{where}.params.{key}", "was dropped when saving and must be null")
    values = {k: decode_value(v) for k, v in params.items() if k not in dropped}
    hidden = values["hidden_layer_sizes"]
    hidden = list(hidden) if isinstance(hidden, (list, tuple)) else [hidden]
    _list(hidden, f"{where}.params.hidden_layer_sizes", hi=MAX_LAYERS)
    for i, n in enumerate(hidden):
        _int(n, f"{where}.params.hidden_layer_sizes[{i}]", 1, MAX_LAYER_SIZE)
    from sklearn.utils._param_validation import InvalidParameterError, validate_parameter_constraints
    try:
        validate_parameter_constraints(cls._parameter_constraints, values, caller_name=cls.__name__)
    except InvalidParameterError as exc:
        raise ValueError(f"{where}.params: {short(str(exc), 200)}") from None


def _check_fitted_numbers(attrs, at):
    for key in _COUNTS:
        if key in attrs:
            _int(_value(attrs[key], f"{at}.{key}"), f"{at}.{key}")
    for key in _SCORES:
        if key in attrs:
            _real(_value(attrs[key], f"{at}.{key}"), f"{at}.{key}", finite=False, none=True)
    for key in _CURVES:
        if key in attrs and (curve := _value(attrs[key], f"{at}.{key}")) is not None:
            for i, v in enumerate(_list(curve, f"{at}.{key}")):
                _real(v, f"{at}.{key}[{i}]", finite=False)


def _check_fitted_state(attrs, claims, plan, net, at):
    """``_best_theta``, the optimizer, the schedule and ``feature_names_in_``."""
    if "_best_theta" in attrs:
        _array_of(attrs["_best_theta"], claims, "_best_theta", f"{at}._best_theta",
                  dtype=net.dtype, shape=(net.n_params,))
        plan.finite.append(("_best_theta", "the estimator's best weights hold NaN/infinite values"))
    if "_optimizer" in attrs:
        spec = _obj(attrs["_optimizer"], f"{at}._optimizer", ("optimizer",))["optimizer"]
        check_optimizer(spec, claims, net, "_optimizer.", f"{at}._optimizer")
    if "_schedule" in attrs:
        spec = attrs["_schedule"]
        if "schedule" in _obj(spec, f"{at}._schedule", optional=("schedule", "value")):
            check_schedule(spec["schedule"], f"{at}._schedule")
        elif _value(spec, f"{at}._schedule") is not None:
            _fail(f"{at}._schedule", "must be a built-in schedule or null")
    if "feature_names_in_" in attrs:
        _array_of(attrs["feature_names_in_"], claims, "feature_names_in_", f"{at}.feature_names_in_",
                  shape=(net.sizes[0],), kinds="U")


def _check_classifier(attrs, claims, plan, net, at):
    """``classes_`` and the LabelBinarizer, and that they fit the network's output units."""
    dtype, shape = _array_of(attrs["classes_"], claims, "classes_", f"{at}.classes_", kinds="biufUS")
    where = f"{at}._label_binarizer"
    spec = _obj(attrs["_label_binarizer"], where, ("object", "attributes"))
    _str(spec["object"], f"{where}.object", helper_classes(), "helper class")
    lb = _obj(spec["attributes"], f"{where}.attributes",
              ("classes_", "y_type_", "neg_label", "pos_label", "sparse_output"), ("sparse_input_",))
    _array_of(lb["classes_"], claims, "_label_binarizer.classes_", f"{where}.classes_", dtype=dtype, shape=shape)
    for key, expected in (("neg_label", 0), ("pos_label", 1)):
        if _int(_value(lb[key], f"{where}.{key}"), f"{where}.{key}", -1, 1) != expected:
            _fail(f"{where}.{key}", f"must be {expected}: glassnet's estimators binarize to 0/1")
    if _bool(_value(lb["sparse_output"], f"{where}.sparse_output"), f"{where}.sparse_output"):
        _fail(f"{where}.sparse_output", "must be false")
    if "sparse_input_" in lb:
        _bool(_value(lb["sparse_input_"], f"{where}.sparse_input_"), f"{where}.sparse_input_")
    y_type = _str(_value(lb["y_type_"], f"{where}.y_type_"), f"{where}.y_type_", _Y_TYPES, "target type")
    n_classes, n_out = shape[0] if shape else 0, net.sizes[-1]
    fits = (1 <= n_classes <= 2 and n_out == 1) if y_type == "binary" else n_classes == n_out
    if len(shape) != 1 or not fits or _Y_TYPES[y_type] != net.output:
        _fail(f"{at}.classes_", f"({short(shape)}, {y_type}) do not fit {n_out} {net.output} output units")
    plan.labels.append("classes_")
    plan.same.append(("classes_", "_label_binarizer.classes_"))


# --------------------------------------------------------------------------- the whole file

_COMMON_KEYS = ("format", "format_version", "kind", "glassnet_version", "arrays", "checksum", "model",
                "preprocessing", "info")
_CHECKPOINT_KEYS = ("optimizer", "history", "epoch", "rng", "network_rng", "schedule", "config")


def check_metadata(meta, headers):
    """Check a file's whole metadata against its arrays' headers, before any array is read.

    Parameters
    ----------
    meta : dict
        The parsed JSON; ``format``, ``format_version``, ``kind`` and ``model``
        already checked by the caller.
    headers : dict of str to (numpy.dtype, tuple)
        Each array's dtype and shape, from its ``.npy`` header.

    Returns
    -------
    Plan
        The checks left for :func:`check_values`, once the arrays are read.
    """
    _check_depth(meta)
    checkpoint = meta["kind"] == "checkpoint"
    body = ("network",) if meta["model"] == "network" else ("estimator",)
    _obj(meta, "the metadata", _COMMON_KEYS + body + (_CHECKPOINT_KEYS if checkpoint else ()))
    _str(meta["glassnet_version"], "glassnet_version")
    checksum = _obj(meta["checksum"], "checksum", ("algorithm", "value"))
    _str(checksum["algorithm"], "checksum.algorithm", ("sha256",), "checksum algorithm")
    _str(checksum["value"], "checksum.value", limit=64)
    _check_listing(meta["arrays"], headers)
    claims, plan = _Claims(headers), Plan()
    if meta["model"] == "network":
        net = check_network(meta["network"], claims, plan)
    else:
        net = check_estimator(meta["estimator"], claims, plan)
    check_preprocessing(meta["preprocessing"], claims, plan, net.sizes[0])
    check_json_object(meta["info"], "info")
    if checkpoint:
        check_optimizer(meta["optimizer"], claims, net, "optimizer.")
        check_history(meta["history"])
        _int(meta["epoch"], "epoch")
        if meta["rng"] is not None:
            check_generator(meta["rng"], "rng")
        check_generator(meta["network_rng"], "network_rng")
        check_schedule(meta["schedule"])
        check_json_object(meta["config"], "config")
    claims.check_all_claimed()
    return plan


def check_values(plan, arrays):
    """The checks of ``plan`` that need the numbers: finite weights, labels as the JSON lists them."""
    for name, problem in plan.finite:
        if not np.isfinite(arrays[name]).all():
            raise ValueError(f"{problem} ({name})")
    for name, values in plan.json:
        if arrays[name].tolist() != values:
            raise ValueError(f"the array {short(name)} differs from the values its metadata lists")
    for name in plan.labels:
        labels = arrays[name]
        if labels.size > 1 and not (labels[1:] > labels[:-1]).all():
            raise ValueError(f"the class labels {short(name)} are not sorted and unique")
    for a, b in plan.same:
        if not np.array_equal(arrays[a], arrays[b]):
            raise ValueError(f"the arrays {a!r} and {b!r} must be equal")
    for name in plan.positive:
        if not (arrays[name] > 0).all():
            raise ValueError(f"the array {short(name)} must be positive")
