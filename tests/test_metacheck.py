"""Re-signed files with hostile metadata: every one is a clear ValueError, never another exception.

The checksum has no key, so an attacker edits the JSON (or the arrays) and
recomputes it with glassnet's own ``_checksum`` (the ``resign`` fixture). Each
mutation below targets one field of a real model, checkpoint or estimator file;
each must fail with a one-line ValueError that names the file and the problem.
"""

import contextlib
import copy
import math
import os

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

import glassnet as gn
from glassnet import estimators
from glassnet.data import moons, standardize
from glassnet.persistence import load, load_checkpoint, load_saved, save, save_checkpoint

X, Y = moons(60, noise=0.2, random_state=0)


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """A real model (2-6-5-1, string classes, a standardizer), checkpoint (softmax, Adam,
    generators, a plateau schedule) and estimator file (MLPClassifier fitted on a DataFrame)."""
    folder = tmp_path_factory.mktemp("real")
    X_std, scaler = standardize(X)
    net = gn.Network([2, 6, 5, 1], activations="relu", output="sigmoid", random_state=0)
    gn.train(net, X_std, np.array(["cat", "dog"])[Y], epochs=3, lr=0.01, random_state=0)
    model = save(net, folder / "model.npz", scaler=scaler, info={"dataset": "moons"})

    net3 = gn.Network([2, 4, 3], activations="tanh", output="softmax", random_state=1)
    opt, rng = gn.Adam(lr=0.01), np.random.default_rng(5)
    history = gn.train(net3, X, np.arange(60) % 3, optimizer=opt, epochs=2, random_state=rng)
    schedule = gn.ReduceOnPlateau(0.01, patience=2)
    schedule.observe(0.5)
    checkpoint = save_checkpoint(
        folder / "checkpoint.npz",
        net3,
        opt,
        history,
        epoch=2,
        rng=rng,
        schedule=schedule,
        scaler=standardize(X)[1],
        config={"epochs": 4},
    )

    with pytest.warns(Warning):  # scikit-learn's ConvergenceWarning after 3 iterations
        clf = estimators.MLPClassifier(hidden_layer_sizes=(4,), max_iter=3, random_state=0)
        clf.fit(pd.DataFrame(X, columns=["u", "v"]), np.array(["left", "right"])[Y])
    estimator = save(clf, folder / "estimator.npz")
    return {"model": model, "checkpoint": checkpoint, "estimator": estimator}


def _walk(node, path):
    for key in path:
        node = node[key]
    return node


def setting(path, value):
    """A mutation: set the metadata entry at ``path`` (a tuple of keys and indices) to ``value``."""

    def mutate(meta, arrays):
        _walk(meta, path[:-1])[path[-1]] = value

    return mutate


def deleting(path):
    def mutate(meta, arrays):
        del _walk(meta, path[:-1])[path[-1]]

    return mutate


def array(name, value):
    """A mutation of the arrays: ``value(old_array)`` replaces (None: removes) array ``name``."""

    def mutate(meta, arrays):
        new = value(arrays.pop(name))
        if new is not None:
            arrays[name] = new

    return mutate


def both(*mutations):
    def mutate(meta, arrays):
        for m in mutations:
            m(meta, arrays)

    return mutate


def nested(depth):
    value = 0
    for _ in range(depth):
        value = {"a": value}
    return value


NET, STD = ("network",), ("preprocessing", "standardizer")
ACT = NET + ("activations",)
LB = ("estimator", "attributes", "_label_binarizer", "attributes")
EA = ("estimator", "attributes")
MODEL = [
    (
        "layer sizes as text",
        setting(NET + ("layer_sizes",), "2,6,5,1"),
        "layer_sizes must be a list, got a string",
    ),
    (
        "negative size",
        setting(NET + ("layer_sizes", 1), -6),
        "layer_sizes[1] must be between 1 and 1,048,576, got -6",
    ),
    ("zero size", setting(NET + ("layer_sizes", 1), 0), "got 0"),
    ("huge size", setting(NET + ("layer_sizes", 1), 2**21), "got 2097152"),
    ("float size", setting(NET + ("layer_sizes", 1), 6.0), "layer_sizes[1] must be an integer, got a number"),
    ("bool size", setting(NET + ("layer_sizes", 1), True), "must be an integer, got true/false"),
    ("one size", setting(NET + ("layer_sizes",), [2]), "must have between 2 and 1,001 entries, got 1"),
    ("1001 layers", setting(NET + ("layer_sizes",), [2] * 1002), "got 1,002"),
    ("n_params", setting(NET + ("n_params",), 10), "n_params is 10, but layer_sizes give 59"),
    (
        "too few activations",
        setting(ACT, [{"name": "relu", "params": {}}] * 2),
        "activations must have 3 entries",
    ),
    ("activations as object", setting(ACT, {"0": "relu"}), "activations must be a list, got an object"),
    ("unknown activation", setting(ACT + (0, "name"), "os.system"), "unknown activation 'os.system'"),
    ("activation as number", setting(ACT + (0, "name"), 3), "name must be a string, got an integer"),
    ("unknown parameter", setting(ACT + (2, "params", "evil"), 1), "params has the unknown entry 'evil'"),
    (
        "text parameter",
        setting(ACT + (2, "params", "beta"), "2"),
        "params.beta must be a number, got a string",
    ),
    ("nan parameter", setting(ACT + (2, "params", "beta"), math.nan), "params.beta must be finite, got nan"),
    ("negative beta", setting(ACT + (2, "params", "beta"), -1.0), "steepness beta must be a positive number"),
    (
        "hidden softmax",
        setting(ACT + (0,), {"name": "softmax", "params": {}}),
        "softmax only on the output layer",
    ),
    ("output mismatch", setting(NET + ("output_activation",), "relu"), "is 'relu', but the last layer's"),
    ("dropout length", setting(NET + ("dropout",), [0.1]), "dropout must have 2 entries, got 1"),
    ("dropout 1", setting(NET + ("dropout", 0), 1.0), "dropout[0] must be between 0.0 and 0.99"),
    ("dropout negative", setting(NET + ("dropout", 0), -0.1), "dropout[0] must be between"),
    ("object dtype", setting(NET + ("dtype",), "object"), "unknown dtype 'object'"),
    (
        "other dtype",
        setting(NET + ("dtype",), "float32"),
        "needs 'theta' of dtype float32, the file holds float64",
    ),
    ("unknown init", setting(NET + ("init",), "evil"), "unknown initializer 'evil'"),
    (
        "ravel as text",
        setting(NET + ("ravel_output",), "yes"),
        "ravel_output must be true or false, got a string",
    ),
    (
        "classes as list",
        setting(NET + ("classes",), ["cat", "dog"]),
        "classes must be a JSON object, got a list",
    ),
    ("one class value", setting(NET + ("classes", "values"), ["cat"]), "values must have 2 entries, got 1"),
    ("swapped classes", setting(NET + ("classes", "values"), ["dog", "cat"]), "differs from the values"),
    ("class dtype", setting(NET + ("classes", "dtype"), "<U5"), "says dtype '<U5', the array has <U3"),
    (
        "classes dropped",
        setting(NET + ("classes",), None),
        "holds the array 'classes', which its metadata does not",
    ),
    (
        "three classes",
        both(
            array("classes", lambda a: np.array(["a", "b", "c"])),
            setting(NET + ("classes",), {"dtype": "<U1", "values": ["a", "b", "c"]}),
        ),
        "lists 3 classes, but a binary network of 1 sigmoid output units has 2 classes",
    ),
    (
        "unsorted classes",
        both(
            array("classes", lambda a: a[::-1].copy()), setting(NET + ("classes", "values"), ["dog", "cat"])
        ),
        "not sorted and unique",
    ),
    (
        "empty classes",
        both(array("classes", lambda a: a[:0]), setting(NET + ("classes", "values"), [])),
        "needs a non-empty 1-D array of labels",
    ),
    ("unknown task", setting(NET + ("task",), "evil"), "unknown task 'evil'"),
    ("task against output", setting(NET + ("task",), "multiclass"), "network.task: a multi-class head needs"),
    (
        "classes of a regression",
        setting(NET + ("task",), "regression"),
        "lists 2 classes, but a regression network of 1 sigmoid output units has no classes",
    ),
    ("float32 theta", array("theta", lambda a: a.astype(np.float32)), "needs 'theta' of dtype float64"),
    ("short theta", array("theta", lambda a: a[:-1]), "needs 'theta' of shape (59,), the file holds (58,)"),
    ("2-D theta", array("theta", lambda a: a.reshape(59, 1)), "needs 'theta' of shape (59,)"),
    (
        "missing theta",
        array("theta", lambda a: None),
        "names the array 'theta', which the file does not hold",
    ),
    (
        "extra array",
        lambda meta, arrays: arrays.update(evil=np.zeros(3)),
        "holds the array 'evil', which its",
    ),
    (
        "object array",
        lambda meta, arrays: arrays.update(evil=np.array([{}], dtype=object)),
        "holds Python objects",
    ),
    ("no init", deleting(NET + ("init",)), "network lacks the entry 'init'"),
    ("no info", deleting(("info",)), "the metadata lacks the entry 'info'"),
    ("unknown entry", setting(("extra",), 1), "the metadata has the unknown entry 'extra'"),
    ("info as list", setting(("info",), ["moons"]), "info must be a JSON object, got a list"),
    ("info as text", setting(("info",), "moons"), "info must be a JSON object, got a string"),
    ("n_features", setting(STD + ("n_features",), 3), "n_features is 3, but the network has 2 inputs"),
    ("short mean", setting(STD + ("mean",), [0.0]), "mean must have 2 entries, got 1"),
    ("other mean", setting(STD + ("mean", 0), 123.0), "the array 'scaler_mean' differs from the values"),
    ("scaler dropped", setting(("preprocessing",), None), "which its metadata does not use"),
    (
        "preprocessing list",
        setting(("preprocessing",), []),
        "preprocessing must be a JSON object, got a list",
    ),
    (
        "no scale array",
        array("scaler_scale", lambda a: None),
        "names the array 'scaler_scale', which the file",
    ),
    (
        "zero scale",
        both(array("scaler_scale", lambda a: np.zeros_like(a)), setting(STD + ("scale",), [0.0, 0.0])),
        "the array 'scaler_scale' must be positive",
    ),
    (
        "infinite mean",
        both(
            array("scaler_mean", lambda a: np.full_like(a, np.inf)),
            setting(STD + ("mean",), [math.inf, math.inf]),
        ),
        "mean holds NaN/infinite values",
    ),
    ("version as text", setting(("format_version",), "1"), "unknown file format version '1'"),
    ("version as bool", setting(("format_version",), True), "unknown file format version True"),
    ("version 0", setting(("format_version",), 0), "unknown file format version 0"),
    ("unknown kind", setting(("kind",), "weights"), "not a glassnet model file (kind 'weights')"),
    ("unknown model", setting(("model",), "pickle"), "has invalid model metadata: unknown model 'pickle'"),
    (
        "version number",
        setting(("glassnet_version",), 5),
        "glassnet_version must be a string, got an integer",
    ),
    ("deep info", setting(("info",), nested(40)), "the metadata nests deeper than 32 levels"),
    ("huge integer", setting(NET + ("n_params",), 10**4000), "n_params must be between 0 and 268,435,456"),
]

OPT, HIST, RNG, SCHED = ("optimizer",), ("history",), ("rng",), ("schedule",)
CHECKPOINT = [
    ("unknown optimizer", setting(OPT + ("name",), "evil"), "unknown optimizer 'evil'"),
    ("unknown hyperparameter", setting(OPT + ("hyper", "evil"), 1), "hyper has the unknown entry 'evil'"),
    ("negative lr", setting(OPT + ("hyper", "lr"), -1), "lr must be"),
    ("lr as text", setting(OPT + ("hyper", "lr"), "fast"), "hyper.lr must be a number, got a string"),
    ("beta1 of 1", setting(OPT + ("hyper", "beta1"), 1.0), "beta1 must be in [0, 1)"),
    ("negative step", setting(OPT + ("t",), -1), "optimizer.t must be between 0 and"),
    ("step as text", setting(OPT + ("t",), "5"), "optimizer.t must be an integer, got a string"),
    ("unknown state", setting(OPT + ("state",), ["m", "evil"]), "unknown optimizer state 'evil'"),
    ("state twice", setting(OPT + ("state",), ["m", "m"]), "unknown optimizer state 'm'"),
    ("private state", setting(OPT + ("state",), ["_scratch"]), "unknown optimizer state '_scratch'"),
    ("short state", array("optimizer.m", lambda a: a[:3]), "needs 'optimizer.m' of shape (27,)"),
    (
        "float32 state",
        array("optimizer.v", lambda a: a.astype(np.float32)),
        "needs 'optimizer.v' of dtype float64",
    ),
    ("prefix", setting(OPT + ("prefix",), "x."), "optimizer.prefix must be 'optimizer.'"),
    ("negative clip", setting(OPT + ("clip_norm",), -1.0), "clip_norm must be between 0.0 and inf"),
    ("no optimizer", deleting(OPT), "the metadata lacks the entry 'optimizer'"),
    ("history list", setting(HIST, []), "history must be a JSON object, got a list"),
    ("loss as text", setting(HIST + ("loss",), "low"), "history.loss must be a list, got a string"),
    ("loss entry", setting(HIST + ("loss",), [1.0, "a"]), "history.loss[1] must be a number, got a string"),
    ("unknown series", setting(HIST + ("evil",), []), "history has the unknown entry 'evil'"),
    ("best epoch", setting(HIST + ("best_epoch",), -1), "history.best_epoch must be between 0"),
    ("message", setting(HIST + ("message",), ["x"]), "history.message must be a string, got a list"),
    ("negative epoch", setting(("epoch",), -1), "epoch must be between 0"),
    ("fractional epoch", setting(("epoch",), 1.5), "epoch must be an integer, got a number"),
    ("epoch as text", setting(("epoch",), "3"), "epoch must be an integer, got a string"),
    ("unknown generator", setting(RNG + ("bit_generator",), "os"), "unknown random bit generator 'os'"),
    ("generator as list", setting(RNG, []), "rng must be a JSON object, got a list"),
    ("no increment", deleting(RNG + ("state", "inc")), "rng.state lacks the entry 'inc'"),
    ("negative increment", setting(RNG + ("state", "inc"), -1), "rng.state.inc must be between 0 and"),
    ("increment as text", setting(RNG + ("state", "inc"), "1"), "rng.state.inc must be an integer"),
    ("overflowing field", setting(RNG + ("has_uint32",), 2**40), "random generator state is invalid"),
    (
        "short MT key",
        setting(
            RNG,
            {"bit_generator": "MT19937", "state": {"key": {"ndarray": [1] * 10, "dtype": "<u4"}, "pos": 0}},
        ),
        "rng.state.key.ndarray must have 624 entries",
    ),
    (
        "MT key dtype",
        setting(
            RNG,
            {"bit_generator": "MT19937", "state": {"key": {"ndarray": [1] * 624, "dtype": "<f8"}, "pos": 0}},
        ),
        "rng.state.key.dtype must be '<u4'",
    ),
    (
        "MT key overflow",
        setting(
            RNG,
            {
                "bit_generator": "MT19937",
                "state": {"key": {"ndarray": [2**33] * 624, "dtype": "<u4"}, "pos": 0},
            },
        ),
        "must be between 0 and 4,294,967,295",
    ),
    ("no network generator", setting(("network_rng",), None), "network_rng must be a JSON object, got null"),
    ("unknown schedule", setting(SCHED + ("class",), "evil"), "unknown schedule 'evil'"),
    ("schedule entry", setting(SCHED + ("state", "evil"), 1), "schedule.state has the unknown entry 'evil'"),
    ("schedule text", setting(SCHED + ("state", "lr0"), "x"), "schedule.state.lr0 must be a number"),
    ("zero patience", setting(SCHED + ("state", "patience"), 0), "patience must be"),
    (
        "negative rate",
        setting(SCHED + ("state", "lr"), -1.0),
        "schedule.state.lr must be between 0.0 and inf",
    ),
    ("schedule as list", setting(SCHED, []), "schedule must be a JSON object, got a list"),
    ("config as list", setting(("config",), []), "config must be a JSON object, got a list"),
    ("estimator checkpoint", setting(("model",), "estimator"), "unknown model 'estimator'"),
    (
        "3 classes for 2",
        both(
            array("classes", lambda a: a[:2]), setting(NET + ("classes",), {"dtype": "<i8", "values": [0, 1]})
        ),
        "lists 2 classes, but a multiclass network of 3 softmax output units has 3 classes",
    ),
]

ESTIMATOR = [
    ("unknown class", setting(("estimator", "class"), "Pipeline"), "unknown estimator class 'Pipeline'"),
    ("missing parameter", deleting(("estimator", "params", "alpha")), "params lacks the entry 'alpha'"),
    ("unknown parameter", setting(("estimator", "params", "evil"), 1), "params has the unknown entry 'evil'"),
    (
        "huge hidden layer",
        setting(("estimator", "params", "hidden_layer_sizes"), {"tuple": [10**9]}),
        "hidden_layer_sizes[0] must be between 1 and 1,048,576",
    ),
    (
        "unknown solver",
        setting(("estimator", "params", "solver"), "evil"),
        "The 'solver' parameter of MLPClassifier",
    ),
    ("negative alpha", setting(("estimator", "params", "alpha"), -1.0), "The 'alpha' parameter"),
    ("unknown dropped", setting(("estimator", "dropped_params"), ["evil"]), "unknown parameter 'evil'"),
    ("dropped but set", setting(("estimator", "dropped_params"), ["alpha"]), "params.alpha was dropped"),
    (
        "shadowing a method",
        setting(EA + ("predict",), {"value": 1}),
        "attributes has the unknown entry 'predict'",
    ),
    (
        "shadowing a property",
        setting(EA + ("coefs_",), {"arrays": "coefs_", "count": 1}),
        "attributes has the unknown entry 'coefs_'",
    ),
    ("no network", deleting(EA + ("network_",)), "attributes lacks the entry 'network_'"),
    ("network prefix", setting(EA + ("network_", "network", "prefix"), "x."), "prefix must be 'network_.'"),
    (
        "network classes",
        both(
            lambda meta, arrays: arrays.update({"network_.classes": np.array(["left", "right"])}),
            setting(EA + ("network_", "network", "classes"), {"dtype": "<U5", "values": ["left", "right"]}),
        ),
        "network_.classes must be null: the estimator keeps its classes",
    ),
    (
        "n_features_in_",
        setting(EA + ("n_features_in_", "value"), 3),
        "n_features_in_ is 3, but the network says 2",
    ),
    ("n_outputs_", setting(EA + ("n_outputs_", "value"), 2), "n_outputs_ is 2, but the network says 1"),
    ("n_layers_ as text", setting(EA + ("n_layers_", "value"), "3"), "n_layers_ must be an integer"),
    (
        "out_activation_",
        setting(EA + ("out_activation_", "value"), "softmax"),
        "is 'softmax', but the network's",
    ),
    ("y_type_", setting(LB + ("y_type_", "value"), "multiclass"), "do not fit 1 sigmoid output units"),
    ("unknown y_type_", setting(LB + ("y_type_", "value"), "evil"), "unknown target type 'evil'"),
    ("helper class", setting(EA + ("_label_binarizer", "object"), "os"), "unknown helper class 'os'"),
    ("helper entry", setting(LB + ("evil",), {"value": 1}), "attributes has the unknown entry 'evil'"),
    ("pos_label", setting(LB + ("pos_label", "value"), 5), "pos_label must be between -1 and 1"),
    (
        "sparse labels",
        setting(LB + ("sparse_input_", "value"), True),
        "sparse_input_ must be false for binary",
    ),
    (
        "classes differ",
        array("classes_", lambda a: np.array(["lefu", "right"])),
        "'classes_' and '_label_binarizer",
    ),
    (
        "nan best theta",
        array("_best_theta", lambda a: np.full_like(a, np.nan)),
        "best weights hold NaN/infinite",
    ),
    (
        "curve as text",
        setting(EA + ("loss_curve_", "value"), "x"),
        "loss_curve_ must be a list, got a string",
    ),
    ("negative n_iter_", setting(EA + ("n_iter_", "value"), -1), "n_iter_ must be between 0"),
    ("loss_ as list", setting(EA + ("loss_", "value"), [1]), "loss_ must be a number, got a list"),
    (
        "feature names",
        array("feature_names_in_", lambda a: np.array(["u", "v", "w"])),
        "needs 'feature_names_in_' of shape (2,)",
    ),
    (
        "numeric feature names",
        array("feature_names_in_", lambda a: np.array([1.0, 2.0])),
        "needs 'feature_names_in_' of strings, the file holds dtype float64",
    ),
    (
        "schedule value",
        setting(EA + ("_schedule",), {"value": 5}),
        "_schedule must be a built-in schedule or null",
    ),
    (
        "optimizer state gone",
        array("_optimizer.m", lambda a: None),
        "names the array '_optimizer.m', which the",
    ),
    (
        "array spec",
        setting(EA + ("classes_",), {"array": "network_.theta"}),
        "classes_ must name the array 'classes_'",
    ),
]

CASES = (
    [("model", *case) for case in MODEL]
    + [("checkpoint", *case) for case in CHECKPOINT]
    + [("estimator", *case) for case in ESTIMATOR]
)


@pytest.mark.parametrize("kind, name, mutate, phrase", CASES, ids=[f"{c[0]}: {c[1]}" for c in CASES])
def test_each_hostile_field_is_one_clear_value_error(files, resign, tmp_path, kind, name, mutate, phrase):
    path = resign(files[kind], mutate, out=tmp_path / f"{kind}.npz")
    loader = load_checkpoint if kind == "checkpoint" else load
    with pytest.raises(ValueError) as info:
        loader(path)
    message = str(info.value)
    assert message.startswith(str(path)) and "\n" not in message and len(message) < 300, message
    assert phrase in message, message


@pytest.mark.parametrize(
    "text, phrase",
    [
        (b"[1, 2]", "its metadata is not a JSON object"),
        (b"[" * 100_000 + b"]" * 100_000, "unreadable metadata"),  # deeper than Python's recursion limit
        (
            b'{"format": "glassnet", "format_version": 1, "kind": "model", "model": "network"}',
            "lacks the entry",
        ),
        (b"\xff\xfe{}", "unreadable metadata"),
        (b"1" * 5000, "unreadable metadata"),  # an integer of 5,000 digits
    ],
)
def test_metadata_that_is_not_a_json_object_is_refused(files, tmp_path, text, phrase):
    with np.load(files["model"], allow_pickle=False) as npz:
        arrays = {k: npz[k] for k in npz.files}
    arrays["__glassnet__"] = np.frombuffer(text, dtype=np.uint8)
    path = tmp_path / "m.npz"
    np.savez(path, **arrays)
    with pytest.raises(ValueError, match=phrase) as info:
        load(path)
    assert str(info.value).startswith(str(path)) and len(str(info.value)) < 300


def test_the_unmutated_files_load(files, resign, tmp_path):
    """The base files themselves (and re-signed without a change) load: the failures above are the mutations'."""
    for kind, path in files.items():
        same = resign(path, lambda meta, arrays: None, out=tmp_path / f"{kind}.npz")
        loader = load_checkpoint if kind == "checkpoint" else load
        assert loader(path) is not None and loader(same) is not None


# --------------------------------------------------------------------------- random mutations

FUZZ_EXAMPLES = int(os.environ.get("GLASSNET_FUZZ_EXAMPLES", "150"))
FUZZ = settings(
    max_examples=FUZZ_EXAMPLES,
    deadline=None,
    derandomize="GLASSNET_FUZZ_EXAMPLES" not in os.environ,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _predictions(kind, path):
    """What a user gets from the file: the model's (or the checkpoint network's) labels for X."""
    with np.errstate(all="ignore"):  # a re-signed steepness may overflow exp on the way to the same labels
        if kind == "checkpoint":
            return load_checkpoint(path).net.predict(X).tolist()
        saved = load_saved(path)
        if kind == "estimator":
            return saved.predict(pd.DataFrame(X, columns=["u", "v"])).tolist()
        return saved.predict(X).tolist()


_ORIGINAL = {}


def _loads_as_before_or_value_error(kind, original, path):
    """The property: a damaged or re-signed file predicts exactly as the original, or is a ValueError."""
    if kind not in _ORIGINAL:
        _ORIGINAL[kind] = _predictions(kind, original)
    try:
        got = _predictions(kind, path)
    except ValueError as exc:
        message = str(exc)
        assert "\n" not in message and len(message) < 300 + len(str(path)), message
        return
    assert got == _ORIGINAL[kind]


@FUZZ
@given(kind=st.sampled_from(["model", "checkpoint", "estimator"]), data=st.data())
def test_random_byte_damage_is_refused_or_harmless(files, tmp_path_factory, kind, data):
    raw = bytearray(files[kind].read_bytes())
    how = data.draw(st.sampled_from(["flip", "cut", "insert"]))
    where = data.draw(st.integers(0, len(raw) - 1))
    if how == "flip":
        for offset in data.draw(st.lists(st.integers(0, 64), min_size=1, max_size=4)):
            raw[min(where + offset, len(raw) - 1)] ^= data.draw(st.integers(1, 255))
    elif how == "cut":
        raw = raw[:where]
    else:
        raw[where:where] = data.draw(st.binary(min_size=1, max_size=16))
    path = tmp_path_factory.mktemp("bytes") / "damaged.npz"
    path.write_bytes(bytes(raw))
    _loads_as_before_or_value_error(kind, files[kind], path)


HOSTILE = [
    None,
    True,
    False,
    0,
    -1,
    1,
    3,
    2**31,
    2**70,
    10**30,
    0.5,
    -0.5,
    1e308,
    -1e308,
    math.nan,
    math.inf,
    -math.inf,
    "",
    "x",
    "relu",
    "softmax",
    "float32",
    "adam",
    "PCG64",
    [],
    [1],
    [0.0, 1.0],
    {},
    {"a": 1},
    {"tuple": [2]},
    {"value": None},
    {"ndarray": [1], "dtype": "<u4"},
]


def _paths(node, path=()):
    """Every place in the JSON tree (but the checksum, which re-signing rewrites)."""
    yield path
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for key, child in items:
        if path + (key,) != ("checksum",):
            yield from _paths(child, path + (key,))


def _mutate_json(meta, path, how, value):
    value = copy.deepcopy(value)  # HOSTILE's lists and dicts are shared between examples
    parent = _walk(meta, path[:-1]) if path else None
    key = path[-1] if path else None
    if how == "replace" and path:
        parent[key] = value
    elif how == "delete" and path:
        del parent[key]
    elif how == "add":
        node = _walk(meta, path)
        if isinstance(node, dict):
            node["zz"] = value
        elif isinstance(node, list):
            node.append(value)
    elif how == "wrap" and path:
        parent[key] = [parent[key]]
    elif how == "listify" and path and isinstance(parent[key], dict):
        parent[key] = list(parent[key].values())


@FUZZ
@given(kind=st.sampled_from(["model", "checkpoint", "estimator"]), data=st.data())
def test_random_resigned_json_is_refused_or_predicts_as_before(files, resign, tmp_path_factory, kind, data):
    import json

    with np.load(files[kind], allow_pickle=False) as npz:
        meta = json.loads(npz["__glassnet__"].tobytes())
    paths = list(_paths(meta))
    chosen = [data.draw(st.sampled_from(paths)) for _ in range(data.draw(st.integers(1, 3)))]
    edits = [
        (
            p,
            data.draw(st.sampled_from(["replace", "delete", "add", "wrap", "listify"])),
            data.draw(st.sampled_from(HOSTILE)),
        )
        for p in chosen
    ]

    def mutate(meta, arrays):
        for path, how, value in edits:
            # an earlier edit may have removed or replaced this place
            with contextlib.suppress(KeyError, IndexError, TypeError):
                _mutate_json(meta, path, how, value)

    path = resign(
        files[kind],
        mutate,
        out=tmp_path_factory.mktemp("json") / f"{kind}.npz",
        relist=data.draw(st.booleans()),
    )
    _loads_as_before_or_value_error(kind, files[kind], path)
