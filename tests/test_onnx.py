"""ONNX export, run in a real onnxruntime and compared with glassnet's own predictions.

Every activation (hidden and output) × every task × float32/float64; Networks, both
estimators and saved models (their standardizer folded in); scikit-learn Pipelines
through ``skl2onnx.to_onnx``; the ``glassnet export`` command. Every exported model
also passes ``onnx.checker.check_model(full_check=True)``.

float32: probabilities within 1e-5 of glassnet's (float64) predictions, labels
identical; float64: within 1e-12. onnxruntime's CPU build has no float64 kernel
for LeakyRelu, Elu, Softplus and Erf (GELU): exporting those in float64 fails with
a clear error, and a test checks that the installed onnxruntime really lacks them.
"""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
import pytest
from sklearn.exceptions import NotFittedError
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from test_cli import assert_error

import glassnet as gn
from glassnet.activations import ELU, LeakyReLU, ReLU, Sigmoid, get_activation
from glassnet.data import Standardizer
from glassnet.io import load_saved, save
from glassnet.io.onnx import NO_FLOAT64_KERNEL, _describe, _model_proto, export_onnx

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

TOL = {"float32": 1e-5, "float64": 1e-12}
DTYPES = ["float32", "float64"]

# Every activation a layer can have, with non-default parameters where it has some.
ACTIVATIONS = {
    "identity": "identity",
    "sigmoid": "sigmoid",
    "sigmoid_beta": Sigmoid(beta=2.5),
    "tanh": "tanh",
    "relu": "relu",
    "leaky_relu": LeakyReLU(alpha=0.2),
    "elu": ELU(alpha=0.7),
    "softplus": "softplus",
    "gelu": "gelu",
    "exp": "exp",
}
# task → (output activation, number of outputs, class labels given to the network)
TASKS = {
    "binary": ("sigmoid", 1, np.array(["no", "yes"])),
    "multiclass": ("softmax", 3, np.array([10, 20, 30])),
    "multilabel": ("sigmoid", 3, None),
    "regression": ("identity", 1, None),
    "regression_2_outputs": ("identity", 2, None),
    "poisson": ("exp", 1, None),
}


def session(proto):
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1  # two pytest workers share two cores
    return ort.InferenceSession(proto.SerializeToString(), options, providers=["CPUExecutionProvider"])


def run_onnx(proto, X, input_name="X"):
    """onnxruntime's outputs by name, after onnx's full check of the model."""
    onnx.checker.check_model(proto, full_check=True)
    sess = session(proto)
    return dict(zip([o.name for o in sess.get_outputs()], sess.run(None, {input_name: X}), strict=True))


def expected(model, X):
    """glassnet's own predictions, under the output names of the ONNX graph."""
    if isinstance(model, gn.Network) or hasattr(model, "scaler"):  # a Network or a SavedModel
        net = model if isinstance(model, gn.Network) else model.network
        P = model.predict_output(X)
        if net.output_activation.name not in ("softmax", "sigmoid"):
            return {"variable": P}
        if P.shape[1] == 1:
            P = np.hstack([1 - P, P])
        return {"label": model.predict(X), "probabilities": P}
    if hasattr(model, "predict_proba"):
        return {"label": model.predict(X), "probabilities": model.predict_proba(X)}
    return {"variable": model.predict(X).reshape(len(X), -1)}


def assert_same(outputs, reference, dtype):
    """Identical labels (same values, same kind), outputs within the dtype's tolerance."""
    assert set(outputs) == set(reference)
    tol = TOL[dtype]
    for name, want in reference.items():
        got = outputs[name]
        assert got.shape == want.shape, (name, got.shape, want.shape)
        if name == "label":
            assert got.dtype.kind == ("O" if want.dtype.kind in "OU" else "i"), got.dtype
            assert np.array_equal(got, want), name
        elif name == "probabilities":
            assert got.dtype == np.dtype(dtype)
            assert np.abs(got - want).max() <= tol
        else:
            assert got.dtype == np.dtype(dtype)
            np.testing.assert_allclose(got, want, rtol=tol, atol=tol)


def features(n=300, d=3, seed=0):
    return np.random.default_rng(seed).normal(scale=2.0, size=(n, d))


def network(hidden, task, seed=0):
    output, k, classes = TASKS[task]
    net = gn.Network([3, 6, 5, k], activations=[hidden, "tanh"], output=output, random_state=seed)
    net.classes_ = classes
    return net


def refuses_float64(activation):
    return get_activation(activation).name in NO_FLOAT64_KERNEL


# --------------------------------------------------------------------------- every activation × every task


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("task", TASKS)
@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_every_hidden_activation_for_every_task(activation, task, dtype):
    net, X = network(ACTIVATIONS[activation], task), features()
    if dtype == "float64" and refuses_float64(ACTIVATIONS[activation]):
        name = get_activation(ACTIVATIONS[activation]).name
        with pytest.raises(ValueError, match=rf"no float64 kernel for {name} \(layer 1"):
            export_onnx(net, dtype=dtype)
        return
    outputs = run_onnx(export_onnx(net, dtype=dtype), X.astype(dtype))
    assert_same(outputs, expected(net, X), dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(
    "output", ["identity", "tanh", "relu", "leaky_relu", "elu", "softplus", "gelu", "exp", "sigmoid_beta"]
)
def test_every_output_activation(output, dtype):
    """Any output but softmax and sigmoid is a regression output (exp: Poisson), as in Network.predict."""
    if output == "sigmoid_beta":  # one sigmoid output with β = 0.5: a binary classifier
        net = gn.Network([3, 6, 1], activations=["relu"], output=Sigmoid(beta=0.5), random_state=1)
    else:
        net = gn.Network([3, 6, 2], activations=["relu"], output=output, random_state=1)
    X = features(seed=1)
    if dtype == "float64" and refuses_float64(output if output != "sigmoid_beta" else "sigmoid"):
        with pytest.raises(ValueError, match=rf"{output} \(layer 2; no float64"):
            export_onnx(net, dtype=dtype)
        return
    outputs = run_onnx(export_onnx(net, dtype=dtype), X.astype(dtype))
    assert_same(outputs, expected(net, X), dtype)


def test_a_hand_worked_binary_network():
    """z = 1·1 + 2·1 − 1 = 2, p = σ(2) = 0.8807970779778823 → label 'yes'; z = −1 → p = σ(−1)."""
    net = gn.Network([2, 1], activations="sigmoid", random_state=0)
    net.layers[0].W, net.layers[0].b = [[1.0], [2.0]], [-1.0]
    net.classes_ = np.array(["no", "yes"])
    out = run_onnx(export_onnx(net, dtype="float64"), np.array([[1.0, 1.0], [0.0, 0.0]]))
    p = np.array([0.8807970779778823, 0.2689414213699951])
    np.testing.assert_allclose(out["probabilities"], np.c_[1 - p, p], rtol=0, atol=1e-15)
    assert out["label"].tolist() == ["yes", "no"]


def test_large_inputs_stay_finite_and_agree():
    """Rows 20× larger (|z| in the hundreds) saturate every activation; onnxruntime stays as stable.

    Compared on the very float32 rows the graph is given: with logits this large, rounding
    the input to float32 alone moves the probabilities by a few 1e-6.
    """
    X = (features(seed=2) * 20).astype(np.float32)
    for activation in ("sigmoid", "tanh", "softplus", "elu", "gelu", "leaky_relu", "relu"):
        net = gn.Network([3, 8, 4], activations=[activation], output="softmax", random_state=3)
        outputs = run_onnx(export_onnx(net), X)
        assert np.isfinite(outputs["probabilities"]).all()
        assert_same(outputs, expected(net, X.astype(np.float64)), "float32")


def test_poisson_exp_is_capped_as_glassnet_caps_it():
    """exp(min(z, 88)) in float32: a huge z gives the same finite count, not inf."""
    net = gn.Network([1, 1], activations="exp", dtype=np.float32, random_state=0)
    net.layers[0].W, net.layers[0].b = [[1.0]], [0.0]
    X = np.array([[1.0], [50.0], [1000.0]], np.float32)
    out = run_onnx(export_onnx(net), X)["variable"]
    assert np.isfinite(out).all()
    np.testing.assert_allclose(out, net.predict_output(X), rtol=1e-6)
    np.testing.assert_allclose(out[2, 0], np.exp(88.0), rtol=1e-6)


def test_networks_without_class_labels_predict_class_indices():
    X = features(seed=4)
    for output, k in (("softmax", 4), ("sigmoid", 1)):
        net = gn.Network([3, 5, k], activations=["relu"], output=output, random_state=4)
        outputs = run_onnx(export_onnx(net), X.astype(np.float32))
        assert outputs["label"].dtype == np.int64 and set(outputs["label"]) <= set(range(max(k, 2)))
        assert_same(outputs, expected(net, X), "float32")


@pytest.mark.parametrize(
    "classes, onnx_type",
    [
        (np.array([False, True]), "tensor(bool)"),
        (np.array([0.5, 2.5]), "tensor(double)"),
        (np.array(["a", "é"], dtype=object), "tensor(string)"),
    ],
)
def test_labels_keep_their_type(classes, onnx_type):
    net = gn.Network([3, 4, 1], activations=["tanh"], output="sigmoid", random_state=5)
    net.classes_ = classes
    proto, X = export_onnx(net), features(seed=5)
    assert session(proto).get_outputs()[0].type == onnx_type
    assert np.array_equal(run_onnx(proto, X.astype(np.float32))["label"], net.predict(X))


# --------------------------------------------------------------------------- float64 kernels


@pytest.mark.parametrize("name", sorted(NO_FLOAT64_KERNEL))
def test_the_float64_refusals_are_what_onnxruntime_lacks(name):
    """Built anyway (past the check), the float64 graph does not load in this onnxruntime."""
    net = gn.Network([3, 4, 2], activations=[name], output="identity", random_state=0)
    proto = _model_proto(_describe(net), np.dtype(np.float64), 20)
    onnx.checker.check_model(proto, full_check=True)  # a valid graph: only the kernel is missing
    with pytest.raises(Exception, match=rf"NOT_IMPLEMENTED.*{NO_FLOAT64_KERNEL[name]}"):
        session(proto)
    assert session(_model_proto(_describe(net), np.dtype(np.float32), 20))  # float32 loads


# --------------------------------------------------------------------------- estimators


def classification_data(kind, n=240, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 4))
    if kind == "binary":
        return X, np.where(X[:, 0] + X[:, 1] > 0, "spam", "ham")
    if kind == "multiclass":
        return X, np.array([3, 7, 11])[(X[:, 0] > 0).astype(int) + (X[:, 1] > 0.5)]
    return X, np.c_[X[:, 0] > 0, X[:, 1] > 0, X[:, 2] + X[:, 3] > 0].astype(int)


ESTIMATOR_TASKS = ["binary", "multiclass", "multilabel", "regression", "regression_2_outputs", "poisson"]


def estimator(task, activation, seed=0):
    """An unfitted estimator for ``task`` with one activation per hidden layer, and its data."""
    kwargs = dict(hidden_layer_sizes=(8, 6), activation=list(activation), max_iter=40, random_state=seed)
    if task in ("binary", "multiclass", "multilabel"):
        return gn.MLPClassifier(**kwargs), *classification_data(task, seed=seed)
    X = np.random.default_rng(seed).normal(size=(240, 4))
    y = {
        "regression": X[:, 0] - 2 * X[:, 1],
        "regression_2_outputs": np.c_[X[:, 0] - X[:, 1], X[:, 2] * X[:, 3]],
        "poisson": np.random.default_rng(seed).poisson(np.exp(0.5 * X[:, 0])),
    }[task]
    loss = "poisson" if task == "poisson" else "squared_error"
    return gn.MLPRegressor(loss=loss, **kwargs), X, y


def fitted_estimator(task, activation, seed=0):
    est, X, y = estimator(task, activation, seed)
    return est.fit(X, y), X


@pytest.mark.parametrize(
    "dtype, activation",
    [
        ("float32", ("gelu", "leaky_relu")),
        ("float32", ("tanh", "relu")),
        ("float64", ("tanh", "relu")),
        ("float64", ("logistic", "identity")),
    ],
)
@pytest.mark.parametrize("task", ESTIMATOR_TASKS)
def test_fitted_estimators(task, dtype, activation):
    est, X = fitted_estimator(task, activation)
    outputs = run_onnx(export_onnx(est, dtype=dtype), X.astype(dtype))
    assert_same(outputs, expected(est, X), dtype)
    if task == "regression_2_outputs":
        assert outputs["variable"].shape == (len(X), 2)
    if task in ("regression", "poisson"):
        assert outputs["variable"].shape == (len(X), 1)  # a 1-D target gives (n, 1), as skl2onnx's


@pytest.mark.parametrize("label", [7, "spam"])
def test_a_one_class_classifier_exports_as_it_predicts(label):
    """scikit-learn fits one class: every label is that class, predict_proba has two columns."""
    from skl2onnx import to_onnx
    from sklearn.neural_network import MLPClassifier as SklearnMLP

    X, y = features(200, 4), np.full(200, label)
    est = gn.MLPClassifier(hidden_layer_sizes=(5,), max_iter=20, random_state=0).fit(X, y)
    assert est.predict_proba(X).shape == SklearnMLP(max_iter=20).fit(X, y).predict_proba(X).shape == (200, 2)
    p = est.predict_proba(X)[:, 1]
    est.intercepts_[-1][:] -= np.median(np.log(p / (1 - p)))  # p on both sides of ½ now
    assert 0 < (est.predict_proba(X)[:, 1] > 0.5).mean() < 1
    for dtype in DTYPES:
        outputs = run_onnx(export_onnx(est, dtype=dtype), X.astype(dtype))
        assert_same(outputs, expected(est, X), dtype)
        assert (outputs["label"] == label).all()
    outputs = run_onnx(to_onnx(est, X[:1].astype(np.float32)), X.astype(np.float32))
    assert_same(outputs, expected(est, X), "float32")


def test_estimator_feature_names_and_metadata():
    pd = pytest.importorskip("pandas")
    X, y = classification_data("multiclass")
    frame = pd.DataFrame(X, columns=["height", "width", "depth", "weight"])
    est = gn.MLPClassifier(hidden_layer_sizes=(5,), activation=["gelu"], max_iter=20, random_state=0).fit(
        frame, y
    )
    proto = export_onnx(est)
    meta = {p.key: p.value for p in proto.metadata_props}
    assert meta["glassnet_version"] == gn.__version__ and proto.producer_name == "glassnet"
    assert meta["task"] == "multiclass" and json.loads(meta["classes"]) == [3, 7, 11]
    assert json.loads(meta["feature_names"]) == ["height", "width", "depth", "weight"]
    assert json.loads(meta["architecture"]) == {
        "layer_sizes": [4, 5, 3],
        "activations": [{"name": "gelu"}, {"name": "softmax"}],
    }
    assert meta["dtype"] == "float32" and meta["standardized"] == "false"
    assert proto.opset_import[0].version == 20 and "Gelu" in {n.op_type for n in proto.graph.node}


# --------------------------------------------------------------------------- saved models


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("kind", ["network", "estimator"])
def test_saved_model_takes_raw_features(tmp_path, kind, dtype):
    """The standardizer is in the graph: raw features in, SavedModel.predict's answers out."""
    rng = np.random.default_rng(6)
    X = rng.normal(size=(200, 3)) * [1.0, 50.0, 0.01] + [0.0, 1000.0, -3.0]
    scaler = Standardizer().fit(X)
    if kind == "network":
        model = gn.Network([3, 6, 3], activations=["tanh"], output="softmax", random_state=6)
        model.classes_ = np.array(["cat", "dog", "eel"])
    else:
        model = gn.MLPRegressor(loss="poisson", hidden_layer_sizes=(6,), max_iter=30, random_state=6)
        model.fit(scaler.transform(X), rng.poisson(2.0, size=200))
    path = save(model, tmp_path / "model.npz", scaler=scaler, info={"feature_names": ["a", "b", "c"]})
    saved = load_saved(path)
    proto = export_onnx(str(path), tmp_path / "model.onnx", dtype=dtype)
    assert onnx.load(tmp_path / "model.onnx") == proto
    outputs = run_onnx(proto, X.astype(dtype))
    assert_same(outputs, expected(saved, X), dtype)
    meta = {p.key: p.value for p in proto.metadata_props}
    assert json.loads(meta["feature_names"]) == ["a", "b", "c"] and meta["standardized"] == "true"
    # Without the standardizer the same raw rows give other answers: the scaler really is in the graph.
    bare = run_onnx(export_onnx(saved.model, dtype=dtype), X.astype(dtype))
    name = "probabilities" if kind == "network" else "variable"
    assert np.abs(bare[name] - outputs[name]).max() > 0.01


# --------------------------------------------------------------------------- the graph


def test_batch_dimension_is_dynamic_and_the_graph_is_plain_onnx():
    net = network(Sigmoid(beta=2.5), "multiclass")
    proto = export_onnx(net)
    assert [d.dim_param for d in proto.graph.input[0].type.tensor_type.shape.dim] == ["N", ""]
    ops = [n.op_type for n in proto.graph.node]
    assert ops.count("MatMul") == 3 and ops.count("Add") == 3 and "ZipMap" not in ops
    assert {"Mul", "Sigmoid", "Tanh", "Softmax", "ArgMax", "Gather"} <= set(ops)
    assert {d.domain for d in proto.opset_import} == {""}  # no ai.onnx.ml operator needed
    for n in (1, 1000):
        X = features(n=n, seed=n)
        assert_same(run_onnx(proto, X.astype(np.float32)), expected(net, X), "float32")


def test_gelu_below_opset_20_is_written_with_erf():
    net = network("gelu", "regression_2_outputs")
    proto = export_onnx(net, opset=13)
    ops = {n.op_type for n in proto.graph.node}
    assert "Gelu" not in ops and "Erf" in ops and proto.opset_import[0].version == 13
    X = features(seed=7)
    assert_same(run_onnx(proto, X.astype(np.float32)), expected(net, X), "float32")
    assert export_onnx(network("relu", "binary")).opset_import[0].version == 13  # the default without GELU


def test_bad_arguments_get_clear_errors(tmp_path):
    from sklearn.neural_network import MLPClassifier as SklearnMLP

    net = network("relu", "binary")
    with pytest.raises(ValueError, match="dtype must be 'float32' or 'float64', got 'float16'"):
        export_onnx(net, dtype="float16")
    for opset in (12, 10_000, True, "20"):
        with pytest.raises(ValueError, match="opset must be an integer from 13 to"):
            export_onnx(net, opset=opset)
    with pytest.raises(TypeError, match="cannot export a MLPClassifier to ONNX: give a glassnet Network"):
        export_onnx(SklearnMLP())
    with pytest.raises(NotFittedError):
        export_onnx(gn.MLPRegressor())
    with pytest.raises(FileNotFoundError):
        export_onnx(tmp_path / "missing.npz")

    class Swish(ReLU):  # a user's own activation: not glassnet's, whatever it is called
        name = "relu"

    custom = gn.Network([2, 3, 1], activations=[Swish()], output="identity")
    with pytest.raises(ValueError, match="cannot export activation .* of layer 1 to ONNX"):
        export_onnx(custom)
    wrong = network("relu", "multiclass")
    with pytest.raises(ValueError, match="must be 3 distinct labels"):
        wrong.classes_ = np.array([1, 2])  # refused at the door; a head changed behind its back:
    wrong.head.classes_ = np.array([1, 2])
    with pytest.raises(ValueError, match="3 output.* and 2 class label"):
        export_onnx(wrong)
    assert (
        export_onnx(net, dtype=np.float64).graph.input[0].type.tensor_type.elem_type
        == onnx.TensorProto.DOUBLE
    )


def test_without_the_onnx_extra_the_error_says_what_to_install(monkeypatch):
    from glassnet.io.onnx import _register_with_skl2onnx

    assert _register_with_skl2onnx() is True
    monkeypatch.setitem(sys.modules, "skl2onnx", None)  # without skl2onnx, export still works
    assert _register_with_skl2onnx() is False
    assert export_onnx(network("relu", "binary")).graph.output[0].name == "label"
    monkeypatch.setitem(sys.modules, "onnx", None)  # as if onnx were not installed
    with pytest.raises(ImportError, match=r"pip install 'glassnet\[onnx\]'"):
        export_onnx(network("relu", "binary"))


def test_import_glassnet_does_not_import_onnx():
    loaded = "print(sorted(m for m in ('onnx', 'onnxruntime', 'skl2onnx') if m in sys.modules))"
    done = subprocess.run(
        [sys.executable, "-c", f"import sys, glassnet; {loaded}"], capture_output=True, text=True
    )
    assert done.returncode == 0 and done.stdout.strip() == "[]", done.stderr
    # glassnet.export_onnx loads glassnet.onnx, which registers the estimators with skl2onnx
    done = subprocess.run(
        [sys.executable, "-c", f"import sys, glassnet; glassnet.export_onnx; {loaded}"],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0 and "skl2onnx" in done.stdout, done.stderr


# --------------------------------------------------------------------------- skl2onnx pipelines


def pipeline(task, activation=("tanh", "gelu")):
    """Pipeline(StandardScaler, glassnet estimator with per-layer activations), fitted on raw features."""
    est, X, y = estimator(task, activation, seed=1)
    X = X * [1.0, 10.0, 100.0, 0.1] + [5.0, -5.0, 50.0, 0.0]
    return Pipeline([("scale", StandardScaler()), ("mlp", est)]).fit(X, y), X


@pytest.mark.parametrize("task", ESTIMATOR_TASKS)
def test_pipeline_through_skl2onnx(task):
    from skl2onnx import to_onnx

    pipe, X = pipeline(task)
    proto = to_onnx(pipe, X[:1].astype(np.float32))
    assert "ZipMap" not in {n.op_type for n in proto.graph.node}
    outputs = run_onnx(proto, X.astype(np.float32))
    assert_same(outputs, expected(pipe, X), "float32")
    if task == "regression_2_outputs":
        assert outputs["variable"].shape == (len(X), 2)  # skl2onnx's own MLP converter gives (2n, 1)


def test_pipeline_in_float64_and_with_options():
    from skl2onnx import to_onnx

    pipe, X = pipeline("multiclass", activation=("tanh", "relu"))
    proto = to_onnx(pipe, X[:1], options={id(pipe[-1]): {"zipmap": False}})
    assert_same(run_onnx(proto, X), expected(pipe, X), "float64")
    gelu, X = pipeline("binary")
    with pytest.raises(ValueError, match=r"gelu \(layer 2; no float64 Erf\)"):
        to_onnx(gelu, X[:1])


def test_estimator_alone_with_integer_features():
    """Integer X is cast to float32 first, as skl2onnx's converters do."""
    from skl2onnx import to_onnx

    X = np.random.default_rng(9).integers(0, 10, size=(120, 3))
    est = gn.MLPClassifier(hidden_layer_sizes=(5,), activation=["elu"], max_iter=30, random_state=0)
    est.fit(X, np.where(X[:, 0] > 4, "high", "low"))
    proto = to_onnx(est, X[:1])
    assert proto.graph.node[0].op_type == "Cast"
    assert_same(run_onnx(proto, X), expected(est, X), "float32")


# --------------------------------------------------------------------------- the command


@pytest.mark.parametrize("dtype", DTYPES)
def test_export_command_on_a_run_folder(run, tmp_path, dtype):
    """``run`` (from test_cli) calls ``glassnet.cli.main`` in ``tmp_path``, as the console script does."""
    trained = run("train", "moons", "--epochs", "3", "--out", "tmp/run", "-q", "--no-plots")
    assert trained.code == 0, trained.err
    exported = run("export", "tmp/run/model.npz", "out.onnx", "--dtype", dtype)
    assert exported.code == 0, exported.err
    assert f"wrote out.onnx (binary, {dtype}" in exported.out
    assert "X (N, 2) → label, probabilities" in exported.out
    saved = load_saved(tmp_path / "tmp/run/model.npz")
    X = np.random.default_rng(8).uniform(-1.5, 2.5, size=(500, 2))  # raw features, as in the CSV
    outputs = run_onnx(onnx.load(tmp_path / "out.onnx"), X.astype(dtype))
    assert_same(outputs, expected(saved, X), dtype)
    assert np.array_equal(outputs["label"], saved.predict(X))


def test_export_command_errors(run, tmp_path, monkeypatch):
    assert run("export", "--help").code == 0
    assert_error(run("export", "model.npz", "out.onnx", "--dtype", "float16"), 2, "float16")
    assert_error(run("export", "missing.npz", "out.onnx"), 1, "missing.npz")
    net = gn.Network([2, 4, 1], activations=["gelu"], output="sigmoid", random_state=0)
    save(net, tmp_path / "gelu.npz")
    assert_error(
        run("export", "gelu.npz", "out.onnx", "--dtype", "float64"), 1, "no float64 kernel for gelu (layer 1"
    )
    assert_error(run("export", "gelu.npz", "out.onnx", "--opset", "99"), 1, "opset must be")
    assert not (tmp_path / "out.onnx").exists()
    monkeypatch.setitem(sys.modules, "onnx", None)
    assert_error(run("export", "gelu.npz", "out.onnx"), 1, "pip install 'glassnet[onnx]'")


def test_the_onnx_bench_runs():
    """``bench/onnx_vs_glassnet.py --quick`` prints its two rows (a smoke test: it times nothing here)."""
    bench = Path(__file__).resolve().parents[1] / "bench" / "onnx_vs_glassnet.py"
    done = subprocess.run(
        [sys.executable, str(bench), "--quick", "--pause", "0"], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-3000:]
    rows = {line.split()[0]: line for line in done.stdout.splitlines()[2:]}
    assert set(rows) == {"probabilities", "labels"} and all(" ms " in row for row in rows.values())
