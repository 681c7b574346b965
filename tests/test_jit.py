"""When the kernels load (glassnet/_jit.py), and the NumPy forms that run before they do.

The NumPy loop calls a fused kernel only when the kernels are loaded, which depends
on what else the process did; so each kernel it calls must give its NumPy form's
numbers bit for bit, or a fit's numbers would depend on the process's history.
"""

import os
import subprocess
import sys

import numpy as np
import pytest

import glassnet as gn
from glassnet import _compiled_epoch, _fused, _jit, activations, optimizers


@pytest.fixture
def without_kernels(monkeypatch):
    """Run the test as a fresh process would, before the kernels are loaded."""
    monkeypatch.setattr(_jit, "_fused", None)
    monkeypatch.setattr(_jit, "MODE", "auto")


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_adam_numpy_form_is_the_kernel_bit_for_bit(monkeypatch, dtype):
    rng = np.random.default_rng(0)
    theta = rng.standard_normal(257).astype(dtype)
    with_kernel, numpy_form = theta.copy(), theta.copy()
    a, b = optimizers.Adam(0.01), optimizers.Adam(0.01)
    for _ in range(6):
        grad = (rng.standard_normal(257) * 10.0 ** rng.uniform(-6, 2)).astype(dtype)
        monkeypatch.setattr(_jit, "_fused", _fused)
        a.step(with_kernel, grad.copy())
        monkeypatch.setattr(_jit, "_fused", None)
        b.step(numpy_form, grad.copy())
    np.testing.assert_array_equal(numpy_form, with_kernel)
    np.testing.assert_array_equal(b.m, a.m)
    np.testing.assert_array_equal(b.v, a.v)


def test_relu_numpy_forms_are_the_kernels(monkeypatch):
    rng = np.random.default_rng(1)
    Z, b, dA = rng.standard_normal((7, 5)), rng.standard_normal(5), rng.standard_normal((7, 5))
    relu = activations.ReLU()
    results = []
    for kernels in (_fused, None):
        monkeypatch.setattr(_jit, "_fused", kernels)
        A = relu.apply_with_bias(Z.copy(), b, out=np.empty_like(Z))
        inplace = Z.copy()
        finite = relu.apply_with_bias_checked(inplace, b)
        dZ = relu.backward(dA.copy(), Z + b, A, out=None)
        dZ_inplace = dA.copy()
        relu.backward(dZ_inplace, Z + b, A, out=dZ_inplace)
        results.append((A, inplace, finite, dZ, dZ_inplace))
    for kernel_value, numpy_value in zip(*results, strict=True):
        np.testing.assert_array_equal(numpy_value, kernel_value)


def test_predictions_are_the_same_with_and_without_kernels(monkeypatch):
    X, y = gn.data.blobs(300, centers=3, random_state=0)
    net = gn.Network([2, 16, 3], output="softmax", random_state=0)
    gn.train(net, X, y, epochs=5, batch_size=32, random_state=0)
    X_bad = X.copy()
    X_bad[7, 1] = np.nan
    results = []
    for kernels in (_fused, None):
        monkeypatch.setattr(_jit, "_fused", kernels)
        with pytest.raises(ValueError, match="NaN"):
            net.predict(X_bad)
        results.append((net.predict(X), net.predict_output(X)))
    np.testing.assert_array_equal(results[1][0], results[0][0])
    np.testing.assert_array_equal(results[1][1], results[0][1])


def test_a_short_run_trains_with_numpy_and_a_long_one_loads_the_kernels(without_kernels):
    X, y = gn.data.blobs(200, centers=3, random_state=0)
    short = gn.Network([2, 8, 3], output="softmax", random_state=0)
    gn.train(short, X, y, epochs=10, batch_size=32, random_state=0)
    assert _jit.fused() is None  # 10 epochs: NumPy is done before Numba imports
    seconds = _jit.training_seconds([2, 8, 3], 32, 7, 2000)
    assert seconds >= _jit.LOAD_SECONDS  # 2,000 epochs of the same: worth the kernels
    long = gn.Network([2, 8, 3], output="softmax", random_state=0)
    history = gn.train(long, X, y, epochs=2000, batch_size=32, random_state=0)
    assert _jit.fused() is not None and history.epochs == 2000


def test_the_estimate_grows_with_epochs_batches_and_width():
    base = _jit.training_seconds([5, 50, 3], 50, 8, 500)
    assert base == pytest.approx(500 * 8 * (10e-6 + 24e-6 + 6 * 50 * 400 / 20e9))
    assert _jit.training_seconds([5, 50, 3], 50, 8, 1000) == pytest.approx(2 * base)
    assert _jit.training_seconds([5, 500, 3], 50, 8, 500) > base
    assert _jit.training_seconds([5, 50, 50, 3], 50, 8, 500) > base


@pytest.mark.parametrize(
    "mode, seconds, loads",
    [("never", 100.0, False), ("always", 0.0, True), ("auto", 0.0, False), ("auto", 1.0, True)],
)
def test_mode_and_the_rule(without_kernels, monkeypatch, mode, seconds, loads):
    monkeypatch.setattr(_jit, "MODE", mode)
    monkeypatch.setattr(_jit, "load", lambda: setattr(_jit, "_fused", _fused) or _fused)
    assert _jit.worth_loading(seconds) is loads
    assert (_jit.fused() is not None) is loads


def test_a_process_that_trains_once_loads_the_kernels_only_for_runs_that_repay_them(
    without_kernels, monkeypatch
):
    monkeypatch.setattr(_jit, "MODE", "auto")
    monkeypatch.setattr(_jit, "load", lambda: setattr(_jit, "_fused", _fused) or _fused)
    assert _jit.LOAD_SECONDS < 0.2 < _jit.ONE_RUN_LOAD_SECONDS
    with _jit.expect_one_run():
        assert _jit.worth_loading(0.2) is False and _jit.fused() is None
        assert _jit.worth_loading(_jit.ONE_RUN_LOAD_SECONDS) is True
    monkeypatch.setattr(_jit, "_fused", None)
    assert _jit.worth_loading(0.2) is True  # outside: the library's rule again
    with pytest.raises(KeyboardInterrupt), _jit.expect_one_run():
        raise KeyboardInterrupt
    assert _jit.load_seconds == _jit.LOAD_SECONDS


def test_the_choice_depends_on_the_run_not_on_what_the_process_loaded(monkeypatch):
    # Loaded kernels (as after a long run) do not move a short run to the compiled epoch:
    # its numbers are those it gets in a fresh process.
    monkeypatch.setattr(_jit, "_fused", _fused)
    X, y = gn.data.blobs(200, centers=3, random_state=0)
    net = gn.Network([2, 8, 3], output="softmax", random_state=0)
    plans = []
    original = _compiled_epoch.plan
    monkeypatch.setattr(_compiled_epoch, "plan", lambda run: plans.append(original(run)) or plans[-1])
    gn.train(net, X, y, epochs=10, batch_size=32, random_state=0)
    assert plans == [None]


def test_environment_variable_sets_the_mode_in_a_fresh_process():
    code = "import glassnet._jit as j; print(j.MODE, j.worth_loading(0.0)); import sys; print('numba' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "GLASSNET_KERNELS": "always"},
    ).stdout.split()
    assert out == ["always", "True", "True"]


def _fit_in_a_worker(compiled):
    """In a joblib worker: fit a small classifier and report the threads it could use."""
    from threadpoolctl import threadpool_info

    from glassnet import MLPClassifier, _jit

    X = np.random.default_rng(0).standard_normal((200, 5))
    y = (X[:, 0] > 0).astype(int)
    mode, _jit.MODE = _jit.MODE, ("always" if compiled else "never")
    try:
        MLPClassifier(hidden_layer_sizes=(8,), max_iter=5, random_state=0).fit(X, y)
    finally:
        _jit.MODE = mode  # loky reuses its workers
    blas = {info["num_threads"] for info in threadpool_info() if info["user_api"] == "blas"}
    numba = sys.modules.get("numba")
    return blas, numba is not None and numba.config.NUMBA_NUM_THREADS, _jit._fused is not None


def test_grid_search_workers_do_not_oversubscribe_the_cores():
    # joblib's loky workers (GridSearchCV(n_jobs=2)) are fresh processes with their BLAS
    # limited to their share of the cores; glassnet keeps that limit, and its kernels are
    # single-threaded (no parallel=True), so two fits side by side use the cores once.
    from joblib import Parallel, delayed

    share = max(1, (os.cpu_count() or 1) // 2)
    found = Parallel(n_jobs=2, backend="loky")(delayed(_fit_in_a_worker)(c) for c in (False, True))
    (blas_numpy, _, _), (blas_kernels, _, loaded) = found
    assert blas_numpy == blas_kernels == {share}
    assert loaded  # the compiled epoch ran there, and did not raise the limit
    from glassnet import _epoch_kernels

    assert not _epoch_kernels.train_epoch.targetoptions.get("parallel", False)
    assert not _fused.adam_step.targetoptions.get("parallel", False)
