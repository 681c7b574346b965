"""Property-based fuzzing of the public entry points: each case works or is a clear error.

Hypothesis throws random, careless and hostile arguments at ``Network``, ``train``,
the estimators' ``fit``/``predict``/``partial_fit``, the loaders (CSV, NPZ, models,
checkpoints) and the expression parser. A case passes when the call returns, or
raises glassnet's own ``ValueError``/``TypeError`` with a short one-line message;
anything else — another exception, a NumPy RuntimeWarning (the suite turns those
into errors), a hang — fails the test.

A few hundred cases run in the normal suite; ``GLASSNET_FUZZ_EXAMPLES=N`` runs N
per entry point, and ``GLASSNET_FUZZ_TALLY=path.json`` writes the tally of
outcomes (entry point → ok / clear error) there at the end.
"""

import collections
import json
import os
import warnings
import zipfile

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings, strategies as st

import glassnet as gn
from glassnet.data import load_csv, load_npz
from glassnet.estimators import MLPClassifier, MLPRegressor
from glassnet.glass.expressions import parse
from glassnet.io import load, load_checkpoint, save, save_checkpoint

EXAMPLES = int(os.environ.get("GLASSNET_FUZZ_EXAMPLES", "40"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize="GLASSNET_FUZZ_EXAMPLES" not in os.environ,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.function_scoped_fixture,
        HealthCheck.filter_too_much,
    ],
)
TALLY = collections.Counter()


@pytest.fixture(scope="module", autouse=True)
def write_the_tally():
    yield
    path = os.environ.get("GLASSNET_FUZZ_TALLY")
    if path:
        worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
        rows = {f"{entry}: {outcome}": n for (entry, outcome), n in sorted(TALLY.items())}
        with open(f"{path}.{worker}" if worker != "main" else path, "w") as f:
            json.dump(rows, f, indent=1)


def attempt(entry, call):
    """Run ``call``; a clear error of glassnet's counts as handled, anything else propagates."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", gn.TrainingDivergedWarning)
        warnings.filterwarnings("ignore", category=UserWarning, module="sklearn")
        warnings.filterwarnings("ignore", message=".*[Cc]onverge")
        warnings.filterwarnings("ignore", message="Got `batch_size`")  # scikit-learn's own warning
        try:
            result = call()
        except (ValueError, TypeError) as exc:
            message = str(exc)
            assert message.strip(), f"{entry}: an error without a message ({type(exc).__name__})"
            assert len(message) < 1000 and "Traceback" not in message, f"{entry}: {message[:300]}…"
            TALLY[(entry, "clear error")] += 1
            return None
    TALLY[(entry, "ok")] += 1
    return result


# --------------------------------------------------------------------------- strategies

# Each strategy mixes sound values (drawn more often, so that the code past the checks runs
# too) with careless and hostile ones.
good_numbers = st.floats(1e-4, 1.0)
numbers = st.one_of(
    good_numbers,
    good_numbers,
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(-(10**6), 10**6),
    st.sampled_from([0, -1, 1e308, -1e-308, 2**63]),
)
good_names = st.sampled_from(["relu", "tanh", "sigmoid", "identity", "elu", "gelu", "softplus", "leaky_relu"])
names = st.one_of(good_names, good_names, st.sampled_from(sorted(gn.ACTIVATIONS)), st.text(max_size=8))
sizes = st.one_of(
    st.lists(st.integers(1, 6), min_size=2, max_size=4),
    st.lists(st.integers(1, 6), min_size=2, max_size=4),
    st.lists(st.one_of(st.integers(-3, 6), st.sampled_from([0, 10**9, True, 2.5, "3"])), max_size=5),
)


@st.composite
def matrices(draw, rows=(0, 12), cols=(0, 4)):
    n, d = draw(st.integers(*rows)), draw(st.integers(*cols))
    kind = draw(st.sampled_from(["float"] * 6 + ["int", "bool", "complex", "str", "nan", "huge", "list"]))
    if kind == "str":
        return np.array([[draw(st.text(max_size=3)) for _ in range(d)] for _ in range(n)], dtype=object)
    values = np.array(draw(st.lists(st.floats(-5, 5), min_size=n * d, max_size=n * d)), dtype=float).reshape(
        n, d
    )
    if kind == "int":
        return values.astype(int)
    if kind == "bool":
        return values > 0
    if kind == "complex":
        return values + 1j
    if kind == "nan" and values.size:
        values.flat[draw(st.integers(0, values.size - 1))] = draw(st.sampled_from([np.nan, np.inf, -np.inf]))
    if kind == "huge":
        return values * 1e300
    if kind == "list":
        return values.tolist()
    return values


@st.composite
def targets(draw, n):
    """Targets for ``n`` samples: mostly of the right length, labels or numbers, sometimes not."""
    length = draw(st.one_of(st.just(n), st.just(n), st.just(n), st.integers(0, 14)))
    kind = draw(st.sampled_from(["labels", "labels", "strings", "floats", "indicator", "scalar", "none"]))
    if kind == "labels":
        return np.array(draw(st.lists(st.integers(0, 2), min_size=length, max_size=length)))
    if kind == "strings":
        return np.array(draw(st.lists(st.sampled_from(["a", "b", "c"]), min_size=length, max_size=length)))
    if kind == "floats":
        return np.array(
            draw(st.lists(st.floats(allow_nan=True, allow_infinity=True), min_size=length, max_size=length))
        )
    if kind == "indicator":
        return np.array(
            draw(
                st.lists(
                    st.lists(st.integers(0, 1), min_size=2, max_size=2), min_size=length, max_size=length
                )
            )
        ).reshape(length, 2)
    return np.array(5) if kind == "scalar" else None


# --------------------------------------------------------------------------- the engine


@FUZZ
@given(
    sizes,
    st.one_of(names, st.lists(names, max_size=4)),
    st.one_of(st.none(), st.none(), names),
    st.one_of(st.just(0.0), st.floats(0, 0.9), numbers, st.lists(numbers, max_size=3)),
    st.sampled_from([np.float64, np.float32, np.float64, np.float16, int, "x", None]),
    st.sampled_from(
        [None, None, None, "binary", "regression", "multiclass", "classification", "poisson", "nope"]
    ),
)
def test_network_constructor(layer_sizes, activations, output, dropout, dtype, task):
    attempt(
        "Network",
        lambda: gn.Network(
            layer_sizes,
            activations=activations,
            output=output,
            dropout=dropout,
            dtype=dtype,
            task=task,
            random_state=0,
        ),
    )


@FUZZ
@given(
    st.data(),
    matrices(),
    st.sampled_from(["sigmoid", "softmax", "identity", "exp"]),
    st.fixed_dictionaries(
        {},
        optional={
            "epochs": st.integers(-1, 3),
            "batch_size": st.one_of(st.none(), st.integers(-1, 20)),
            "lr": numbers,
            "optimizer": st.sampled_from(["sgd", "adam", "rmsprop", "nesterov", "adagrad"]),
            "l2": numbers,
            "l1": numbers,
            "shuffle": st.booleans(),
            "validation": st.one_of(st.none(), st.floats(-1, 2), st.just("half")),
            "schedule": st.sampled_from([None, "cosine", "step", "weekly"]),
            "restarts": st.integers(0, 2),
            "initial_epoch": st.integers(-1, 3),
            "sample_weight": st.lists(st.floats(allow_nan=True), max_size=14),
        },
    ),
)
def test_train(data, X, output, kwargs):
    y = data.draw(targets(len(X)))
    n_outputs = 3 if output == "softmax" else 1
    net = gn.Network(
        [max(1, np.shape(X)[1] if np.ndim(X) == 2 else 1), 3, n_outputs], output=output, random_state=0
    )
    history = attempt("train", lambda: gn.train(net, X, y, random_state=0, **kwargs))
    if history is not None:
        assert np.isfinite(net.theta).all()
        attempt("Network.predict", lambda: net.predict(X))


@FUZZ
@given(
    st.data(),
    st.sampled_from([MLPClassifier, MLPRegressor]),
    matrices(rows=(0, 30)),
    st.fixed_dictionaries(
        {},
        optional={
            "hidden_layer_sizes": st.one_of(st.integers(-1, 5), st.lists(st.integers(-1, 4), max_size=3)),
            "solver": st.sampled_from(["adam", "sgd", "lbfgs", "rmsprop", "momentum", "newton"]),
            "alpha": numbers,
            "batch_size": st.one_of(st.integers(-1, 40), st.just("auto")),
            "learning_rate_init": numbers,
            "early_stopping": st.booleans(),
            "activation": st.one_of(names, st.lists(names, max_size=2)),
            "dropout": st.floats(-0.5, 1.5),
        },
    ),
)
def test_estimators(data, Estimator, X, params):
    y = data.draw(targets(len(X)))
    model = Estimator(max_iter=3, random_state=0, **params)
    fitted = attempt(f"{Estimator.__name__}.fit", lambda: model.fit(X, y))
    if fitted is not None:
        attempt(f"{Estimator.__name__}.predict", lambda: model.predict(X))
        if hasattr(model, "partial_fit"):  # scikit-learn's rule: not for L-BFGS
            attempt(f"{Estimator.__name__}.partial_fit", lambda: model.partial_fit(X, y))


# --------------------------------------------------------------------------- files


@FUZZ
@given(
    st.one_of(
        st.binary(max_size=300),
        st.lists(
            st.lists(st.one_of(st.text(max_size=5), st.floats().map(repr)), min_size=1, max_size=4),
            min_size=0,
            max_size=8,
        ).map(lambda rows: "\n".join(",".join(r) for r in rows).encode("utf-8", "surrogatepass")),
    ),
    st.one_of(st.integers(-5, 5), st.text(max_size=4), st.none()),
)
def test_load_csv(tmp_path_factory, content, target):
    path = tmp_path_factory.mktemp("csv") / "data.csv"
    path.write_bytes(content)
    attempt("load_csv", lambda: load_csv(path, target))


@pytest.fixture(scope="module")
def saved_files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("saved")
    X, y = gn.data.moons(40, noise=0.2, random_state=0)
    net = gn.Network([2, 4, 1], output="sigmoid", random_state=0)
    opt = gn.Adam(0.01)
    history = gn.train(net, X, y, optimizer=opt, epochs=2, random_state=0)
    paths = {
        "model": save(net, folder / "model.npz"),
        "checkpoint": save_checkpoint(
            folder / "ckpt.npz", net, opt, history, 2, rng=np.random.default_rng(0)
        ),
    }
    np.savez(folder / "data.npz", X=X, y=y)
    paths["data"] = folder / "data.npz"
    return {k: p.read_bytes() for k, p in paths.items()}


@FUZZ
@given(
    st.sampled_from(["model", "checkpoint", "data"]),
    st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 255)), min_size=1, max_size=4),
    st.one_of(st.none(), st.integers(0, 10**6)),
)
def test_damaged_files(tmp_path_factory, saved_files, which, flips, cut):
    data = bytearray(saved_files[which])
    for position, value in flips:
        data[position % len(data)] = value
    if cut is not None:
        data = data[: cut % len(data)]
    path = tmp_path_factory.mktemp("damaged") / f"{which}.npz"
    path.write_bytes(bytes(data))
    reader = {"model": load, "checkpoint": load_checkpoint, "data": load_npz}[which]
    attempt(f"load {which}", lambda: reader(path))


def test_a_zip_of_the_right_name_but_foreign_members_is_refused(tmp_path):
    path = tmp_path / "model.npz"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("theta.npy", b"not an array")
    assert attempt("load model", lambda: load(path)) is None


# --------------------------------------------------------------------------- formulas


@FUZZ
@given(
    st.one_of(
        st.text(max_size=60),
        st.lists(
            st.sampled_from(
                [
                    "x",
                    "y",
                    "+",
                    "-",
                    "*",
                    "/",
                    "**",
                    "(",
                    ")",
                    "2",
                    "0.5",
                    "sin(",
                    "exp(",
                    "log(",
                    "__import__",
                    "lambda",
                    ".",
                    "[",
                    "'",
                    "9**9**9",
                ]
            ),
            max_size=12,
        ).map("".join),
    )
)
def test_parse(text):
    assume(text.strip() != "")
    attempt("parse", lambda: parse(text))
