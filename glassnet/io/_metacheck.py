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
import itertools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeAlias, cast

import numpy as np

from .. import network
from .._npzcheck import clip, short
from .._typing import ActivationName, NDArray
from ..activations import ACTIVATIONS
from ..heads import TASKS, make_head
from ..initializers import INITIALIZERS
from ..optimizers import OPTIMIZERS
from ..schedules import SCHEDULES
from ..training import History
from ._fieldcheck import (
    Claims,
    Header,
    Plan,
    boolean,
    check_depth,
    fail,
    integer,
    numbers,
    obj,
    real,
    sequence,
    text,
)

if TYPE_CHECKING:
    from ..estimators import MLPClassifier, MLPRegressor

JSON: TypeAlias = Any
"""A value parsed from a file's JSON, not yet checked: anything JSON can hold."""

MAX_LAYER_SIZE = 2**20  # units in one layer
MAX_LAYERS = 1000  # layers in one network
# and at most glassnet.network.MAX_PARAMS (2**28) parameters, read when a file is checked

# The names a file may use: looked up in these tables, never imported or getattr'd by name.
BIT_GENERATORS: dict[str, type[np.random.BitGenerator]] = {
    name: getattr(np.random, name) for name in ("PCG64", "PCG64DXSM", "MT19937", "Philox", "SFC64")
}
SCHEDULE_CLASSES = {cls.__name__: cls for cls in SCHEDULES.values()}
FLOAT_DTYPES = ("float32", "float64")
HISTORY_SERIES = (*History.SERIES, "restart_losses")
_Y_TYPES = {"binary": "sigmoid", "multiclass": "softmax", "multilabel-indicator": "sigmoid"}


def estimator_classes() -> dict[str, type[MLPClassifier] | type[MLPRegressor]]:
    """The estimator classes a file may name (imported here, on first use: scikit-learn is heavy)."""
    from .. import estimators

    return {"MLPClassifier": estimators.MLPClassifier, "MLPRegressor": estimators.MLPRegressor}


def helper_classes() -> dict[str, type[Any]]:
    """Fitted helper objects an estimator may hold, saved attribute by attribute."""
    from sklearn.preprocessing import LabelBinarizer

    return {"LabelBinarizer": LabelBinarizer}


def decode_value(value: JSON) -> Any:
    """A parameter or attribute value from its JSON form (``{"tuple": [...]}``, ``{"dict": {...}}``)."""
    if isinstance(value, dict) and set(value) == {"tuple"} and isinstance(value["tuple"], list):
        return tuple(decode_value(v) for v in value["tuple"])
    if isinstance(value, dict) and set(value) == {"dict"} and isinstance(value["dict"], dict):
        return {k: decode_value(v) for k, v in value["dict"].items()}
    if isinstance(value, list):
        return [decode_value(v) for v in value]
    return value


def _check_listing(listing: JSON, headers: Mapping[str, Header]) -> None:
    """``meta["arrays"]`` must list exactly the arrays the file holds, with their dtypes and shapes."""
    obj(listing, "arrays", any_keys=True)
    if set(listing) != set(headers):
        raise ValueError("arrays does not list the arrays the file holds")
    for name, spec in listing.items():
        where = f"arrays[{short(name, 40)}]"
        obj(spec, where, ("dtype", "shape"))
        dtype, shape = headers[name]
        if spec["dtype"] != dtype.str or spec["shape"] != list(shape):
            fail(where, "does not match the array in the file")


def _check_labels(spec: JSON, claims: Claims, plan: Plan, name: str, where: str) -> int:
    """Class labels ``{"dtype": ..., "values": [...]}`` beside their 1-D array ``name``; returns their count."""
    obj(spec, where, ("dtype", "values"))
    dtype, shape = claims.claim(name, where, kinds="biufUS")
    if len(shape) != 1 or shape[0] < 1:
        fail(where, f"needs a non-empty 1-D array of labels, {short(name)} has shape {shape}")
    if spec["dtype"] != dtype.str:
        fail(where, f"says dtype {short(spec['dtype'])}, the array has {dtype.str}")
    values = sequence(spec["values"], f"{where}.values", length=shape[0])
    plan.json.append((name, values))
    plan.labels.append(name)
    return shape[0]


# --------------------------------------------------------------------------- networks


@dataclass
class NetworkShape:
    """What the other checks need to know of a network: its sizes, dtype and output."""

    sizes: list[int]
    n_params: int
    dtype: np.dtype[Any]
    output: str
    n_classes: int | None


_NETWORK_KEYS = (
    "layer_sizes",
    "activations",
    "output_activation",
    "dropout",
    "dtype",
    "init",
    "ravel_output",
    "classes",
    "n_params",
)


def _layer_sizes(value: JSON, where: str) -> tuple[list[int], int]:
    sizes = sequence(value, where, lo=2, hi=MAX_LAYERS + 1)
    for i, n in enumerate(sizes):
        integer(n, f"{where}[{i}]", 1, MAX_LAYER_SIZE)
    n_params = sum(n_in * n_out + n_out for n_in, n_out in itertools.pairwise(sizes))
    if n_params > network.MAX_PARAMS:
        fail(
            where,
            f"{short(sizes, 80)} needs {n_params:,} parameters; glassnet loads at most "
            f"{network.MAX_PARAMS:,}",
        )
    return sizes, n_params


def _activation(spec: JSON, where: str) -> str:
    """The canonical name of one activation ``{"name": ..., "params": {...}}``."""
    obj(spec, where, ("name", "params"))
    cls = ACTIVATIONS[text(spec["name"], f"{where}.name", ACTIVATIONS, "activation")]
    allowed = tuple(inspect.signature(cls).parameters)
    for key, value in obj(spec["params"], f"{where}.params", optional=allowed).items():
        real(value, f"{where}.params.{key}")
    return cls.name


def check_network(
    spec: JSON, claims: Claims, plan: Plan, prefix: str = "", where: str = "network"
) -> NetworkShape:
    """Check a network's metadata and its ``theta`` (and ``classes``) arrays; returns its :class:`NetworkShape`."""
    obj(spec, where, _NETWORK_KEYS + (("prefix",) if prefix else ()), ("task",))  # older files: no task
    if prefix and spec["prefix"] != prefix:
        fail(f"{where}.prefix", f"must be {prefix!r}, got {short(spec['prefix'])}")
    sizes, n_params = _layer_sizes(spec["layer_sizes"], f"{where}.layer_sizes")
    if integer(spec["n_params"], f"{where}.n_params", 0, network.MAX_PARAMS) != n_params:
        fail(f"{where}.n_params", f"is {spec['n_params']:,}, but layer_sizes give {n_params:,}")
    acts = sequence(spec["activations"], f"{where}.activations", length=len(sizes) - 1)
    names = [_activation(a, f"{where}.activations[{i}]") for i, a in enumerate(acts)]
    if "softmax" in names[:-1]:
        fail(f"{where}.activations", "may use softmax only on the output layer")
    output = text(spec["output_activation"], f"{where}.output_activation", ACTIVATIONS, "activation")
    if ACTIVATIONS[output].name != names[-1]:
        fail(f"{where}.output_activation", f"is {output!r}, but the last layer's activation is {names[-1]!r}")
    drops = sequence(spec["dropout"], f"{where}.dropout", length=len(sizes) - 2)
    for i, p in enumerate(drops):
        real(p, f"{where}.dropout[{i}]", 0.0, np.nextafter(1.0, 0.0))
    dtype = np.dtype(text(spec["dtype"], f"{where}.dtype", FLOAT_DTYPES, "dtype"))
    text(spec["init"], f"{where}.init", ("auto", *INITIALIZERS), "initializer")
    boolean(spec["ravel_output"], f"{where}.ravel_output")
    claims.claim(prefix + "theta", where, dtype=dtype, shape=(n_params,))
    plan.finite.append((prefix + "theta", "the network has NaN/infinite weights"))
    task = _task(spec.get("task"), names[-1], sizes[-1], f"{where}.task")
    n_classes = None
    if spec["classes"] is not None:
        n_classes = _check_labels(spec["classes"], claims, plan, prefix + "classes", f"{where}.classes")
        expected = {"binary": 2, "multiclass": sizes[-1]}.get(task)
        if n_classes != expected:
            need = "no classes" if expected is None else f"{expected} classes"
            fail(
                f"{where}.classes",
                f"lists {n_classes} classes, but a {task} network of {sizes[-1]} "
                f"{names[-1]} output units has {need}",
            )
    return NetworkShape(sizes, n_params, dtype, names[-1], n_classes)


def _task(task: JSON, output: str, n_out: int, where: str) -> str:
    """The network's task: the file's (a name from the table), or the one its output activation implies."""
    if task is not None:
        text(task, where, TASKS, "task")
    try:
        return make_head(task, cast("ActivationName", output), n_out).task  # a name from the table
    except ValueError as exc:
        raise ValueError(f"{where}: {clip(exc, 150)}") from None


# --------------------------------------------------------------------------- training state


def check_optimizer(
    spec: JSON, claims: Claims, net: NetworkShape, prefix: str, where: str = "optimizer"
) -> None:
    """An optimizer's name, hyperparameters, step count and state arrays (each shaped like theta)."""
    obj(spec, where, ("name", "hyper", "clip_norm", "t", "state", "prefix"))
    cls = OPTIMIZERS[text(spec["name"], f"{where}.name", OPTIMIZERS, "optimizer")]
    hyper = tuple(cls(lr=1.0)._hyper())  # the names of its hyperparameters (any rate will do)
    for key, value in obj(spec["hyper"], f"{where}.hyper", ("lr",), hyper).items():
        if key == "form":
            text(value, f"{where}.hyper.form", ("classical", "ewma"), "momentum form")
        else:  # lr may be 0: schedules set it (cosine decays to lr_min = 0)
            real(value, f"{where}.hyper.{key}", lo=0.0)
    real(spec["clip_norm"], f"{where}.clip_norm", 0.0, none=True)
    integer(spec["t"], f"{where}.t")
    if spec["prefix"] != prefix:
        fail(f"{where}.prefix", f"must be {prefix!r}, got {short(spec['prefix'])}")
    states = sequence(spec["state"], f"{where}.state", hi=len(cls._state_names))
    for i, state in enumerate(states):
        public = [s for s in cls._state_names if not s.startswith("_") and s not in states[:i]]
        text(state, f"{where}.state[{i}]", public, "optimizer state")
        claims.claim(prefix + state, where, dtype=net.dtype, shape=(net.n_params,))


def check_schedule(spec: JSON, where: str = "schedule") -> None:
    """A built-in schedule: its class and exactly the plain numbers a fresh one holds."""
    if spec is None:
        return
    obj(spec, where, ("class", "state"))
    cls = SCHEDULE_CLASSES[text(spec["class"], f"{where}.class", SCHEDULE_CLASSES, "schedule")]
    for key, value in obj(spec["state"], f"{where}.state", tuple(vars(cls(1.0)))).items():
        if key.startswith("_best"):  # the best loss so far: inf before the first epoch
            real(value, f"{where}.state.{key}", finite=False)
        else:
            real(value, f"{where}.state.{key}", lo=0.0)


def check_generator(spec: JSON, where: str) -> None:
    """A bit generator's state: its name from the table, then the very structure a fresh one has."""
    obj(spec, where, ("bit_generator",), any_keys=True)
    name = text(spec["bit_generator"], f"{where}.bit_generator", BIT_GENERATORS, "random bit generator")
    _check_like(spec, BIT_GENERATORS[name]().state, where)


def _check_like(value: JSON, reference: object, where: str) -> None:
    """``value`` has the JSON form of ``reference``: the same keys, array lengths and kinds of number."""
    if isinstance(reference, dict):
        obj(value, where, tuple(reference))
        for key, ref in reference.items():
            _check_like(value[key], ref, f"{where}.{key}")
    elif isinstance(reference, np.ndarray):
        obj(value, where, ("ndarray", "dtype"))
        if value["dtype"] != reference.dtype.str:
            fail(f"{where}.dtype", f"must be {reference.dtype.str!r}")
        for i, v in enumerate(sequence(value["ndarray"], f"{where}.ndarray", length=reference.size)):
            integer(v, f"{where}.ndarray[{i}]", 0, np.iinfo(reference.dtype).max)
    elif isinstance(reference, str):
        if value != reference:
            fail(where, f"must be {reference!r}")
    else:
        integer(value, where, 0, 2**128 - 1)


def check_history(spec: JSON, claims: Claims, where: str = "history") -> None:
    """The per-epoch figures: float64 series (arrays named in ``series``; lists of numbers in
    older files), a stop reason, the best epoch, a message."""
    fields = tuple(History.__dataclass_fields__)
    obj(spec, where, optional=(*fields, "series"))
    for name in sequence(spec.get("series", []), f"{where}.series", hi=len(HISTORY_SERIES)):
        text(name, f"{where}.series", HISTORY_SERIES, "series")
        _, shape = claims.claim(f"history.{name}", f"{where}.series", dtype=np.dtype(np.float64))
        if len(shape) != 1:
            fail(f"{where}.series", f"needs 1-D arrays, history.{name} has shape {short(shape)}")
    for key, value in spec.items():
        if key in HISTORY_SERIES:
            numbers(value, f"{where}.{key}", finite=False, none=True)
        elif key == "best_epoch":
            if value is not None:
                integer(value, f"{where}.best_epoch")
        elif key != "series" and value is not None:
            text(value, f"{where}.{key}", limit=10_000)


def check_preprocessing(
    spec: JSON, claims: Claims, plan: Plan, n_inputs: int, where: str = "preprocessing"
) -> None:
    """The standardizer: ``mean``/``scale`` of the network's inputs, in the JSON and as arrays."""
    if spec is None:
        return
    std = obj(
        obj(spec, where, ("standardizer",))["standardizer"],
        f"{where}.standardizer",
        ("n_features", "mean", "scale"),
    )
    n = integer(std["n_features"], f"{where}.standardizer.n_features", 1, MAX_LAYER_SIZE)
    if n != n_inputs:
        fail(f"{where}.standardizer.n_features", f"is {n:,}, but the network has {n_inputs:,} inputs")
    dtype, _ = claims.claim("scaler_mean", where, shape=(n,), kinds="f")
    claims.claim("scaler_scale", where, dtype=dtype, shape=(n,))
    for key in ("mean", "scale"):
        plan.json.append((f"scaler_{key}", sequence(std[key], f"{where}.standardizer.{key}", length=n)))
        plan.finite.append((f"scaler_{key}", f"the standardizer's {key} holds NaN/infinite values"))
    plan.positive.append("scaler_scale")


def check_json_object(value: JSON, where: str) -> dict[str, Any]:
    """``info`` and ``config``: any JSON, as long as it is an object (a dict)."""
    return obj(value, where, any_keys=True)


# --------------------------------------------------------------------------- estimators

# Fitted attributes of MLPClassifier/MLPRegressor a file may set, by kind. Any other
# name is refused: an instance attribute could otherwise shadow a method or property.
_COUNTS = ("n_iter_", "t_", "_no_improvement_count", "_schedule_epoch")
_SCORES = ("loss_", "best_loss_", "best_validation_score_")
_CURVES = ("loss_curve_", "validation_scores_", "validation_loss_curve_")
_STRUCTURE = ("network_", "n_features_in_", "n_outputs_", "n_layers_", "out_activation_")
_OPTIONAL = _COUNTS + _SCORES + _CURVES + ("_best_theta", "_optimizer", "_schedule", "feature_names_in_")
_CLASSIFIER = ("classes_", "_label_binarizer")


def _value(spec: JSON, where: str) -> JSON:
    return obj(spec, where, ("value",))["value"]


def _array_of(
    spec: JSON, claims: Claims, key: str, where: str, strings: bool = False, **expect: Any
) -> Header:
    """An attribute stored as the array ``key``: ``{"array": key}``, plus ``"object": true`` for
    ``strings`` that were an object array (``feature_names_in_``)."""
    obj(spec, where, ("array",) + (("object",) if strings else ()))
    if spec["array"] != key or (strings and spec["object"] is not True):
        fail(where, f"must name the array {key!r}" + (" as strings" if strings else ""))
    return claims.claim(key, where, **expect)


def check_estimator(spec: JSON, claims: Claims, plan: Plan, where: str = "estimator") -> NetworkShape:
    """A fitted MLPClassifier/MLPRegressor: parameters, then each attribute, against its network."""
    obj(spec, where, ("class", "params", "dropped_params", "attributes"))
    name = text(spec["class"], f"{where}.class", ("MLPClassifier", "MLPRegressor"), "estimator class")
    cls = estimator_classes()[name]
    _check_params(spec["params"], spec["dropped_params"], cls, where)
    classifier = name == "MLPClassifier"
    at = f"{where}.attributes"
    attrs = obj(spec["attributes"], at, _STRUCTURE + (_CLASSIFIER if classifier else ()), _OPTIONAL)
    net_spec = obj(attrs["network_"], f"{at}.network_", ("network",))["network"]
    net = check_network(net_spec, claims, plan, prefix="network_.", where=f"{at}.network_")
    if net.n_classes is not None:
        fail(f"{at}.network_.classes", "must be null: the estimator keeps its classes")
    for key, expected in (
        ("n_features_in_", net.sizes[0]),
        ("n_outputs_", net.sizes[-1]),
        ("n_layers_", len(net.sizes)),
    ):
        value = integer(_value(attrs[key], f"{at}.{key}"), f"{at}.{key}")
        if value != expected:
            fail(f"{at}.{key}", f"is {value:,}, but the network says {expected:,}")
    where_out = f"{at}.out_activation_"
    out = text(_value(attrs["out_activation_"], where_out), where_out, ACTIVATIONS, "activation")
    if ACTIVATIONS[out].name != net.output:
        fail(where_out, f"is {out!r}, but the network's output is {net.output!r}")
    _check_fitted_numbers(attrs, at)
    _check_fitted_state(attrs, claims, plan, net, at)
    if classifier:
        _check_classifier(attrs, claims, plan, net, at)
    return net


def _check_params(
    params: JSON, dropped: JSON, cls: type[MLPClassifier] | type[MLPRegressor], where: str
) -> None:
    """Exactly the constructor's parameters, valid by the estimator's own constraint table."""
    names = tuple(cls().get_params(deep=False))
    obj(params, f"{where}.params", names)
    for i, key in enumerate(sequence(dropped, f"{where}.dropped_params", hi=len(names))):
        if params[text(key, f"{where}.dropped_params[{i}]", names, "parameter")] is not None:
            fail(f"{where}.params.{key}", "was dropped when saving and must be null")
    values = {k: decode_value(v) for k, v in params.items() if k not in dropped}
    hidden = values["hidden_layer_sizes"]
    hidden = list(hidden) if isinstance(hidden, (list, tuple)) else [hidden]
    sequence(hidden, f"{where}.params.hidden_layer_sizes", hi=MAX_LAYERS)
    for i, n in enumerate(hidden):
        integer(n, f"{where}.params.hidden_layer_sizes[{i}]", 1, MAX_LAYER_SIZE)
    from sklearn.utils._param_validation import InvalidParameterError, validate_parameter_constraints

    try:
        validate_parameter_constraints(cls._parameter_constraints, values, caller_name=cls.__name__)
    except InvalidParameterError as exc:
        raise ValueError(f"{where}.params: {clip(exc, 200)}") from None


def _check_fitted_numbers(attrs: dict[str, Any], at: str) -> None:
    for key in _COUNTS:
        if key in attrs:
            integer(_value(attrs[key], f"{at}.{key}"), f"{at}.{key}")
    for key in _SCORES:
        if key in attrs:
            real(_value(attrs[key], f"{at}.{key}"), f"{at}.{key}", finite=False, none=True)
    for key in _CURVES:
        if key in attrs and (curve := _value(attrs[key], f"{at}.{key}")) is not None:
            for i, v in enumerate(sequence(curve, f"{at}.{key}")):
                real(v, f"{at}.{key}[{i}]", finite=False)


def _check_fitted_state(
    attrs: dict[str, Any], claims: Claims, plan: Plan, net: NetworkShape, at: str
) -> None:
    """``_best_theta``, the optimizer, the schedule and ``feature_names_in_``."""
    if "_best_theta" in attrs:
        _array_of(
            attrs["_best_theta"],
            claims,
            "_best_theta",
            f"{at}._best_theta",
            dtype=net.dtype,
            shape=(net.n_params,),
        )
        plan.finite.append(("_best_theta", "the estimator's best weights hold NaN/infinite values"))
    if "_optimizer" in attrs:
        spec = obj(attrs["_optimizer"], f"{at}._optimizer", ("optimizer",))["optimizer"]
        check_optimizer(spec, claims, net, "_optimizer.", f"{at}._optimizer")
    if "_schedule" in attrs:
        spec = attrs["_schedule"]
        if "schedule" in obj(spec, f"{at}._schedule", optional=("schedule", "value")):
            check_schedule(spec["schedule"], f"{at}._schedule")
        elif _value(spec, f"{at}._schedule") is not None:
            fail(f"{at}._schedule", "must be a built-in schedule or null")
    if "feature_names_in_" in attrs:
        _array_of(
            attrs["feature_names_in_"],
            claims,
            "feature_names_in_",
            f"{at}.feature_names_in_",
            strings=True,
            shape=(net.sizes[0],),
            kinds="U",
        )


def _check_classifier(attrs: dict[str, Any], claims: Claims, plan: Plan, net: NetworkShape, at: str) -> None:
    """``classes_`` and the LabelBinarizer, and that they fit the network's output units."""
    dtype, shape = _array_of(attrs["classes_"], claims, "classes_", f"{at}.classes_", kinds="biufUS")
    where = f"{at}._label_binarizer"
    spec = obj(attrs["_label_binarizer"], where, ("object", "attributes"))
    text(spec["object"], f"{where}.object", helper_classes(), "helper class")
    lb = obj(
        spec["attributes"],
        f"{where}.attributes",
        ("classes_", "y_type_", "neg_label", "pos_label", "sparse_output", "sparse_input_"),
    )
    _array_of(
        lb["classes_"], claims, "_label_binarizer.classes_", f"{where}.classes_", dtype=dtype, shape=shape
    )
    for key, expected in (("neg_label", 0), ("pos_label", 1)):
        if integer(_value(lb[key], f"{where}.{key}"), f"{where}.{key}", -1, 1) != expected:
            fail(f"{where}.{key}", f"must be {expected}: glassnet's estimators binarize to 0/1")
    if boolean(_value(lb["sparse_output"], f"{where}.sparse_output"), f"{where}.sparse_output"):
        fail(f"{where}.sparse_output", "must be false")
    y_type = text(_value(lb["y_type_"], f"{where}.y_type_"), f"{where}.y_type_", _Y_TYPES, "target type")
    sparse = boolean(_value(lb["sparse_input_"], f"{where}.sparse_input_"), f"{where}.sparse_input_")
    if sparse and y_type != "multilabel-indicator":  # predict would return labels as a sparse matrix
        fail(f"{where}.sparse_input_", f"must be false for {y_type} targets")
    n_classes, n_out = shape[0] if shape else 0, net.sizes[-1]
    fits = (1 <= n_classes <= 2 and n_out == 1) if y_type == "binary" else n_classes == n_out
    if len(shape) != 1 or not fits or _Y_TYPES[y_type] != net.output:
        fail(f"{at}.classes_", f"({short(shape)}, {y_type}) do not fit {n_out} {net.output} output units")
    plan.labels.append("classes_")
    plan.same.append(("classes_", "_label_binarizer.classes_"))


# --------------------------------------------------------------------------- the whole file

_COMMON_KEYS = (
    "format",
    "format_version",
    "kind",
    "glassnet_version",
    "arrays",
    "checksum",
    "model",
    "preprocessing",
    "info",
)
_CHECKPOINT_KEYS = ("optimizer", "history", "epoch", "rng", "network_rng", "schedule", "config")


def check_metadata(meta: dict[str, Any], headers: Mapping[str, Header]) -> Plan:
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
    check_depth(meta)
    checkpoint = meta["kind"] == "checkpoint"
    body = ("network",) if meta["model"] == "network" else ("estimator",)
    obj(meta, "the metadata", _COMMON_KEYS + body + (_CHECKPOINT_KEYS if checkpoint else ()))
    text(meta["glassnet_version"], "glassnet_version")
    checksum = obj(meta["checksum"], "checksum", ("algorithm", "value"))
    text(checksum["algorithm"], "checksum.algorithm", ("sha256",), "checksum algorithm")
    text(checksum["value"], "checksum.value", limit=64)
    _check_listing(meta["arrays"], headers)
    claims, plan = Claims(headers), Plan()
    if meta["model"] == "network":
        net = check_network(meta["network"], claims, plan)
    else:
        net = check_estimator(meta["estimator"], claims, plan)
    check_preprocessing(meta["preprocessing"], claims, plan, net.sizes[0])
    check_json_object(meta["info"], "info")
    if checkpoint:
        check_optimizer(meta["optimizer"], claims, net, "optimizer.")
        check_history(meta["history"], claims)
        integer(meta["epoch"], "epoch")
        if meta["rng"] is not None:
            check_generator(meta["rng"], "rng")
        check_generator(meta["network_rng"], "network_rng")
        check_schedule(meta["schedule"])
        check_json_object(meta["config"], "config")
    claims.check_all_claimed()
    return plan


def check_values(plan: Plan, arrays: Mapping[str, NDArray[Any]]) -> None:
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
