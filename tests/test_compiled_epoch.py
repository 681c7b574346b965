"""The compiled epoch (glassnet/_epoch_kernels.py) pinned to the NumPy loop it replaces.

Every run here trains twice from the same start, once on each path
(``_compiled_epoch.MODE`` = "never" / "always"), and compares the weights and the
history. The products are the same BLAS calls and the formulas the same
operations in the same order, so the weights agree to the last bits (asserted to
1e-12 in float64, to float32's rounding in float32); the loss is summed in
another order, so it agrees to rounding.
"""

import copy
import warnings

import numpy as np
import pytest
import scipy.sparse as sp

import glassnet as gn
from glassnet import _compiled_epoch, _jit, activations, losses, optimizers
from glassnet.batches import ArrayBatches
from glassnet.training import _Run, fit_arrays

TOLERANCE = {np.float64: 1e-12, np.float32: 2e-6}


def _data(n=103, n_features=4, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, n_features))
    return X, rng.integers(0, 3, n)


def _train_both(monkeypatch, make_net, X, y, dtype=np.float64, **kwargs):
    """``[(theta, history)]`` of the NumPy loop, then of the compiled epoch, from the same start."""
    results = []
    for mode in ("never", "always"):
        monkeypatch.setattr(_compiled_epoch, "MODE", mode)
        net = make_net(dtype)
        with warnings.catch_warnings(record=True):
            warnings.simplefilter("always")
            history = gn.train(net, X.astype(dtype), y, random_state=1, **copy.deepcopy(kwargs))
        results.append((net.theta.copy(), history))
    return results


def _assert_same(results, dtype):
    (theta_np, h_np), (theta_c, h_c) = results
    tol = TOLERANCE[dtype]
    np.testing.assert_allclose(theta_c, theta_np, rtol=tol, atol=tol)
    np.testing.assert_allclose(h_c.loss, h_np.loss, rtol=tol)
    np.testing.assert_allclose(h_c.grad_norm, h_np.grad_norm, rtol=tol)
    np.testing.assert_allclose(h_c.accuracy, h_np.accuracy, rtol=tol)
    assert h_c.lr == h_np.lr and h_c.stop_reason == h_np.stop_reason and h_c.epochs == h_np.epochs


def _relu_softmax(sizes):
    return lambda dtype: gn.Network(sizes, activations="relu", output="softmax", random_state=0, dtype=dtype)


OPTIMIZERS = [
    optimizers.SGD(0.1),
    optimizers.Momentum(0.05),
    optimizers.Momentum(0.05, form="ewma"),
    optimizers.Nesterov(0.05),
    optimizers.RMSprop(0.01),
    optimizers.Adam(0.01),
    optimizers.AdamW(0.01, weight_decay=0.1),
    optimizers.Adam(0.05, clip_norm=0.5),
]


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("l2", [0.0, 0.3])
@pytest.mark.parametrize("opt", OPTIMIZERS, ids=repr)
def test_every_optimizer_matches_the_numpy_loop(monkeypatch, opt, l2, dtype):
    X, y = _data()
    results = _train_both(
        monkeypatch, _relu_softmax([4, 9, 7, 3]), X, y, dtype, optimizer=opt, epochs=4, batch_size=10, l2=l2
    )
    _assert_same(results, dtype)
    assert results[1][1].loss[-1] < results[1][1].loss[0]  # it learned


def _fresh(opt):
    """A new optimizer like ``opt`` (each run starts from zero state)."""
    return type(opt)(**{k: v for k, v in opt._hyper().items()}, clip_norm=opt.clip_norm)


@pytest.mark.parametrize(
    "hidden, output, target",
    [
        ("tanh", "sigmoid", "binary"),
        ("sigmoid", "identity", "regression"),
        ("identity", "softmax", "multiclass"),
        ("relu", "sigmoid", "multilabel"),
    ],
)
def test_every_activation_and_head_matches_the_numpy_loop(monkeypatch, hidden, output, target):
    X, y = _data(n_features=3)
    n_out = {"binary": 1, "regression": 2, "multiclass": 3, "multilabel": 2}[target]
    Y = {
        "binary": y == 1,
        "regression": X[:, :2] * 2.0,
        "multiclass": y,
        "multilabel": np.stack([y == 1, y == 2], axis=1).astype(int),
    }[target]

    def make(dtype):
        return gn.Network([3, 6, 5, n_out], activations=hidden, output=output, random_state=0, dtype=dtype)

    for dtype in (np.float64, np.float32):
        _assert_same(
            _train_both(monkeypatch, make, X, Y, dtype, optimizer="adam", lr=0.01, epochs=3, batch_size=16),
            dtype,
        )


@pytest.mark.parametrize("batch_size, shuffle", [(None, True), (16, False), (1, True), (100, True)])
def test_batches_in_order_full_and_single_match(monkeypatch, batch_size, shuffle):
    X, y = _data(n=37)
    _assert_same(
        _train_both(
            monkeypatch,
            _relu_softmax([4, 5, 3]),
            X,
            y,
            optimizer="momentum",
            lr=0.05,
            epochs=3,
            batch_size=batch_size,
            shuffle=shuffle,
        ),
        np.float64,
    )


def test_schedule_validation_and_callbacks_run_around_the_compiled_epoch(monkeypatch):
    X, y = _data()
    seen = []
    results = _train_both(
        monkeypatch,
        _relu_softmax([4, 8, 3]),
        X,
        y,
        optimizer="sgd",
        lr=0.2,
        epochs=6,
        batch_size=8,
        schedule="step",
        validation=0.2,
        callbacks=[lambda epoch, logs: seen.append(logs["loss"]) or epoch == 4],
    )
    _assert_same(results, np.float64)
    assert results[1][1].stop_reason == "callback" and results[1][1].epochs == 5
    np.testing.assert_allclose(results[1][1].val_loss, results[0][1].val_loss, rtol=1e-12)
    assert seen[5:] == results[1][1].loss  # the callback saw the compiled run's losses


def test_divergence_stops_both_paths_alike(monkeypatch):
    X, y = _data()
    results = _train_both(
        monkeypatch, _relu_softmax([4, 8, 3]), X * 1e3, y, optimizer="sgd", lr=1e3, epochs=20, batch_size=10
    )
    _assert_same(results, np.float64)
    assert results[1][1].stop_reason == "diverged"


def test_the_estimator_fits_the_same_on_both_paths(monkeypatch):
    X, y = _data(n=150)
    coefs = []
    for mode in ("never", "always"):
        monkeypatch.setattr(_compiled_epoch, "MODE", mode)
        clf = gn.MLPClassifier((8,), alpha=1e-3, batch_size=20, max_iter=15, random_state=0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            clf.fit(X, y)
        coefs.append(np.concatenate([c.ravel() for c in clf.coefs_ + clf.intercepts_]))
        assert clf.n_iter_ == 15
    np.testing.assert_allclose(coefs[1], coefs[0], rtol=1e-12, atol=1e-12)


# ---------------------------------------------------------------- which path
def _plan(net, X, y, epochs=1000, batch_size=10, optimizer="adam", loss=None, l1=0.0, sample_weight=None):
    """``(plan, why_not)``: what a training run with these settings would choose."""
    Y = np.eye(3)[y] if net.n_outputs == 3 else y.reshape(-1, 1).astype(float)
    run = _Run(
        net,
        ArrayBatches(X, Y, sample_weight, batch_size),
        net.resolve_loss(loss),
        optimizers.get_optimizer(optimizer),
        None,
        0.0,
        l1,
        None,
        [],
        False,
        None,
        np.random.default_rng(0),
        0,
        epochs,
    )
    return run.compiled, _compiled_epoch.why_not(run)


def test_auto_compiles_long_runs_of_small_networks_and_leaves_the_rest_to_numpy():
    X, y = _data()
    small, why = _plan(gn.Network([4, 50, 3], output="softmax"), X, y, epochs=1000)
    assert small is not None and why is None
    # The same network for 5 epochs: NumPy trains it before Numba would even be imported.
    assert _jit.training_seconds([4, 50, 3], 10, 11, 5) < _jit.LOAD_SECONDS
    assert _plan(gn.Network([4, 50, 3], output="softmax"), X, y, epochs=5)[0] is None
    # Wide layers: supported, but the products dominate and both paths run the same BLAS.
    wide, why = _plan(gn.Network([4, 300, 100, 3], output="softmax"), X, y, epochs=1000)
    assert wide is None and why is None
    assert 300 * 100 > _compiled_epoch.MAX_WIDTH_PRODUCT >= 64 * 128


def test_mode_never_and_always_force_the_path(monkeypatch):
    X, y = _data()
    monkeypatch.setattr(_compiled_epoch, "MODE", "never")
    assert _plan(gn.Network([4, 5, 3], output="softmax"), X, y)[0] is None
    monkeypatch.setattr(_compiled_epoch, "MODE", "always")
    assert _plan(gn.Network([4, 300, 100, 3], output="softmax"), X, y, epochs=1)[0] is not None


class _MyNetwork(gn.Network):
    pass


@pytest.mark.parametrize(
    "case, expected",
    [
        ("dropout", "dropout"),
        ("l1", "an L1 penalty"),
        ("sample_weight", "sample weights"),
        ("sparse", "X is sparse"),
        ("leaky_relu", "LeakyReLU"),
        ("steep_sigmoid", "Sigmoid(beta=2.0)"),
        ("squared_error", "with the loss SquaredError"),
        ("optimizer_subclass", "the optimizer Custom"),
        ("subclass", "methods of its own"),
        ("replaced_step", "methods of its own"),
    ],
)
def test_what_falls_back_to_the_numpy_loop_and_says_why(monkeypatch, case, expected):
    monkeypatch.setattr(_compiled_epoch, "MODE", "always")
    X, y = _data()
    net = gn.Network(
        [4, 5, 3],
        activations=activations.LeakyReLU()
        if case == "leaky_relu"
        else activations.Sigmoid(2.0)
        if case == "steep_sigmoid"
        else "relu",
        output="softmax",
        dropout=0.2 if case == "dropout" else 0.0,
        random_state=0,
    )
    if case == "subclass":
        net = _MyNetwork([4, 5, 3], output="softmax", random_state=0)
    if case == "replaced_step":
        net.loss_and_grad = net.loss_and_grad
    Custom = type("Custom", (optimizers.Adam,), {})
    plan, why = _plan(
        net,
        sp.csr_matrix(X) if case == "sparse" else X,
        y,
        l1=0.1 * (case == "l1"),
        sample_weight=np.ones(len(y)) if case == "sample_weight" else None,
        loss="squared_error" if case == "squared_error" else None,
        optimizer=Custom() if case == "optimizer_subclass" else "adam",
    )
    assert plan is None and expected in why


def test_another_batch_source_falls_back(monkeypatch):
    monkeypatch.setattr(_compiled_epoch, "MODE", "always")

    class Blocks(ArrayBatches):  # e.g. blocks of a Dask array: the NumPy loop reads them
        pass

    X, y = _data()
    net = gn.Network([4, 5, 3], output="softmax", random_state=0)
    batches = Blocks(X, np.eye(3)[y], batch_size=10)
    run = _Run(
        net,
        batches,
        net.resolve_loss(None),
        optimizers.Adam(),
        None,
        0.0,
        0.0,
        None,
        [],
        False,
        None,
        np.random.default_rng(0),
        0,
        2,
    )
    assert run.compiled is None and "ArrayBatches" in _compiled_epoch.why_not(run)
    assert fit_arrays(net, batches, optimizers.Adam(), epochs=2).epochs == 2


# ---------------------------------------------------------------- each kernel beside its NumPy definition
@pytest.fixture(scope="module")
def kernels():
    from glassnet import _epoch_kernels

    return _epoch_kernels


@pytest.mark.parametrize("name", ["relu", "tanh", "sigmoid", "identity"])
def test_activation_kernels_match_the_activations(kernels, name):
    rng = np.random.default_rng(0)
    Z, b = rng.standard_normal((5, 4)) * 3, rng.standard_normal(4)
    act = activations.get_activation(name)
    expected = act.apply_with_bias(Z.copy(), b, out=np.empty_like(Z))
    got = Z.copy()
    kernels.activate(_compiled_epoch._HIDDEN[name], got, b, got)
    np.testing.assert_allclose(got, expected, rtol=1e-15, atol=1e-16)
    dA = rng.standard_normal((5, 4))
    expected_dZ = act.backward(dA.copy(), Z + b, expected, out=dA.copy())
    got_dZ = dA.copy()
    kernels.hidden_delta(_compiled_epoch._HIDDEN[name], got_dZ, expected)
    np.testing.assert_allclose(got_dZ, expected_dZ, rtol=1e-15)


@pytest.mark.parametrize(
    "loss, code",
    [
        ("categorical_cross_entropy", _compiled_epoch.SOFTMAX_CE),
        ("binary_cross_entropy", _compiled_epoch.SIGMOID_BCE),
        ("squared_error", _compiled_epoch.IDENTITY_SE),
    ],
)
def test_loss_kernel_matches_the_losses(kernels, loss, code):
    rng = np.random.default_rng(0)
    Y_hat = np.clip(rng.random((6, 3)), 0, 1)
    Y_hat[0, 0] = 0.0  # clipped to eps, as the NumPy loss clips it
    Y = (rng.random((6, 3)) > 0.5).astype(float)
    expected = losses.get_loss(loss).total(Y_hat, Y)
    assert kernels.loss_total(code, Y_hat, Y, np.finfo(float).eps) == pytest.approx(expected, rel=1e-14)


@pytest.mark.parametrize("opt", OPTIMIZERS[:-1], ids=repr)
def test_optimizer_kernel_matches_the_optimizers_bit_for_bit(kernels, opt):
    rng = np.random.default_rng(0)
    theta, opt = rng.standard_normal(11).astype(np.float32), _fresh(opt)
    mine = theta.copy()
    s1, s2 = np.zeros_like(theta), np.zeros_like(theta)
    code = _compiled_epoch._optimizer_code(opt)
    for t in range(1, 4):
        grad = rng.standard_normal(11).astype(np.float32)
        opt.step(theta, grad.copy())
        kernels.optimizer_step(code, mine, grad, _compiled_epoch._hyper(opt), s1, s2, t)
        np.testing.assert_array_equal(mine, theta)


def test_the_regressor_with_several_outputs_fits_the_same_on_both_paths(monkeypatch):
    # Its loss averages over the outputs too (value_scale = 1/n_outputs): loss_curve_ agrees.
    rng = np.random.default_rng(0)
    X = rng.standard_normal((120, 4))
    Y = np.stack([X[:, 0] - X[:, 1], X[:, 2] * 0.5], axis=1)
    fits = []
    for mode in ("never", "always"):
        monkeypatch.setattr(_compiled_epoch, "MODE", mode)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fits.append(
                gn.MLPRegressor(hidden_layer_sizes=(6,), batch_size=16, max_iter=8, random_state=0).fit(X, Y)
            )
    np.testing.assert_allclose(fits[1].loss_curve_, fits[0].loss_curve_, rtol=1e-12)
    np.testing.assert_allclose(fits[1].coefs_[0], fits[0].coefs_[0], rtol=1e-12, atol=1e-14)
