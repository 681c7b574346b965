"""The compiled kernels compute exactly what the NumPy formulas beside them say."""

import math

import numpy as np
import pytest

from glassnet import _fused
from glassnet.activations import ReLU, Softmax


@pytest.fixture(params=[np.float32, np.float64], ids=["float32", "float64"])
def dtype(request):
    return request.param


def test_adam_step_equals_the_numpy_formula_bit_for_bit(dtype):
    rng = np.random.default_rng(0)
    theta, grad, m, v = (rng.normal(size=1000).astype(dtype) for _ in range(4))
    v = np.abs(v)
    b1, b2, eps, lr, t = 0.9, 0.999, 1e-8, 0.01, 3
    expected_m = m * dtype(b1) + grad * dtype(1 - b1)
    expected_v = v * dtype(b2) + (grad * grad) * dtype(1 - b2)
    denominator = np.sqrt(expected_v) * dtype(1 / math.sqrt(1 - b2**t)) + dtype(eps)
    expected_theta = theta - (expected_m / denominator) * dtype(lr / (1 - b1**t))
    scalars = (b1, 1 - b1, b2, 1 - b2, 1 / math.sqrt(1 - b2**t), eps, lr / (1 - b1**t))
    _fused.adam_step(theta, grad, m, v, *(dtype(s) for s in scalars))
    np.testing.assert_array_equal(m, expected_m)
    np.testing.assert_array_equal(v, expected_v)
    np.testing.assert_array_equal(theta, expected_theta)


def test_bias_relu_and_relu_mask(dtype):
    rng = np.random.default_rng(1)
    Z = rng.normal(size=(37, 11)).astype(dtype)
    b = rng.normal(size=11).astype(dtype)
    expected_Z = Z + b
    A = np.empty_like(Z)
    _fused.bias_relu(Z, b, A)
    np.testing.assert_array_equal(Z, expected_Z)
    np.testing.assert_array_equal(A, np.maximum(expected_Z, 0))

    Z_inplace = expected_Z - b
    assert _fused.bias_relu_inplace(Z_inplace, b)  # every Z + b finite
    np.testing.assert_array_equal(Z_inplace, np.maximum(expected_Z, 0))

    dA = rng.normal(size=A.shape).astype(dtype)
    expected = dA * (A > 0)
    _fused.relu_mask(dA, A)
    np.testing.assert_array_equal(dA, expected)


def test_softmax_kernel_matches_the_numpy_formula_and_stays_finite(dtype):
    rng = np.random.default_rng(2)
    Z = (rng.normal(size=(20, 7)) * 50).astype(dtype)
    Z[0] = [1e4, -1e4, 0, 5, 1e4, -3, 2]  # huge logits: no overflow
    shifted = Z.astype(np.float64) - Z.max(axis=1, keepdims=True)
    expected = np.exp(shifted) / np.exp(shifted).sum(axis=1, keepdims=True)
    A = np.empty_like(Z)
    _fused.softmax(Z, A)
    tol = 1e-6 if dtype == np.float32 else 1e-14
    np.testing.assert_allclose(A, expected, rtol=tol, atol=tol)
    assert np.isfinite(A).all()


def test_activations_take_the_numpy_path_for_strided_arrays():
    rng = np.random.default_rng(3)
    Z = rng.normal(size=(8, 6))
    strided = Z[:, ::2]  # not C-contiguous
    np.testing.assert_allclose(Softmax()(strided), Softmax()(np.ascontiguousarray(strided)))
    relu = ReLU()
    dA = rng.normal(size=strided.shape)
    A = relu(strided)
    np.testing.assert_array_equal(relu.backward(dA, strided, A), dA * (A > 0))
    out = np.empty_like(Z)
    np.testing.assert_array_equal(relu.apply_with_bias(Z.copy(), np.ones(6), out), np.maximum(Z + 1, 0))


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("where", [0, 1, 16, 31, 998, 999])
def test_all_finite_finds_one_bad_entry_anywhere(dtype, bad, where):
    a = np.random.default_rng(0).normal(size=1000).astype(dtype)
    a[::7] = np.finfo(dtype).max  # huge but finite entries are fine
    assert _fused.all_finite(a)
    a[where] = bad
    assert not _fused.all_finite(a)
    assert _fused.all_finite(a[:0])  # nothing to object to


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("where", [(0, 0), (0, 10), (5, 3), (36, 10)])
def test_bias_relu_inplace_reports_a_non_finite_entry_anywhere(dtype, bad, where):
    rng = np.random.default_rng(4)
    Z = rng.normal(size=(37, 11)).astype(dtype)
    b = rng.normal(size=11).astype(dtype)
    Z[where] = bad
    expected = np.maximum(Z + b, 0)
    expected[where] = 0 if np.isnan(bad) else max(bad, 0)  # the kernel's max(NaN, 0) is 0
    assert not _fused.bias_relu_inplace(Z, b)
    np.testing.assert_array_equal(Z, expected)


@pytest.mark.parametrize("activation", ["relu", "tanh"])
@pytest.mark.parametrize("contiguous", [True, False])
def test_apply_with_bias_checked_applies_the_activation_and_flags_non_finite(activation, contiguous):
    from glassnet.activations import get_activation

    act = get_activation(activation)
    rng = np.random.default_rng(5)
    base = rng.normal(size=(9, 12))
    b = rng.normal(size=6 if not contiguous else 12)
    view = (lambda a: a) if contiguous else (lambda a: a[:, ::2])
    Z = base.copy()
    assert act.apply_with_bias_checked(view(Z), b)
    np.testing.assert_allclose(view(Z), act(view(base) + b), rtol=1e-15)
    Z = base.copy()
    Z[4, 2] = np.nan
    assert not act.apply_with_bias_checked(view(Z), b)


def test_argmax_with_bias_equals_numpy_with_ties_and_nan(dtype):
    rng = np.random.default_rng(6)
    Z = rng.integers(-2, 3, size=(200, 10)).astype(dtype)  # many ties
    b = rng.integers(-1, 2, size=10).astype(dtype)
    Z[3, 4] = np.nan  # NaN after the largest
    Z[7, 0] = np.nan  # NaN first
    Z[9, [2, 6]] = np.nan  # two NaNs: the first wins
    Z[11, 9] = np.inf  # inf is just large
    out = np.empty(200, np.intp)
    _fused.argmax_with_bias(Z, b, out)
    np.testing.assert_array_equal(out, np.argmax(Z + b, axis=1))
    assert (out[3], out[7], out[9], out[11]) == (4, 0, 2, 9)
