"""Activations: exact values, derivatives beside them, stability for huge inputs."""

import math
import warnings

import numpy as np
import pytest

from glassnet import activations as act
from glassnet.activations import ACTIVATIONS, get_activation

Z = np.array([[-2.0, -0.5, 0.3, 1.7]])


@pytest.mark.parametrize(
    "name, expected",
    [
        ("identity", [-2.0, -0.5, 0.3, 1.7]),
        (
            "sigmoid",
            [
                1 / (1 + math.exp(2)),
                1 / (1 + math.exp(0.5)),
                1 / (1 + math.exp(-0.3)),
                1 / (1 + math.exp(-1.7)),
            ],
        ),
        ("tanh", [math.tanh(-2), math.tanh(-0.5), math.tanh(0.3), math.tanh(1.7)]),
        ("relu", [0.0, 0.0, 0.3, 1.7]),
        ("leaky_relu", [-0.02, -0.005, 0.3, 1.7]),
        ("elu", [math.exp(-2) - 1, math.exp(-0.5) - 1, 0.3, 1.7]),
        (
            "softplus",
            [
                math.log1p(math.exp(-2)),
                math.log1p(math.exp(-0.5)),
                math.log1p(math.exp(0.3)),
                math.log1p(math.exp(1.7)),
            ],
        ),
        ("gelu", [z * 0.5 * (1 + math.erf(z / math.sqrt(2))) for z in (-2.0, -0.5, 0.3, 1.7)]),
        ("exp", [math.exp(-2), math.exp(-0.5), math.exp(0.3), math.exp(1.7)]),
    ],
)
def test_values(name, expected):
    np.testing.assert_allclose(get_activation(name)(Z), [expected], rtol=1e-12)


@pytest.mark.parametrize("name", sorted(set(ACTIVATIONS) - {"softmax"}))
def test_derivative_matches_central_differences(name):
    f = get_activation(name)
    z = np.linspace(-3, 3, 61).reshape(1, -1) + 0.013  # avoid the kink of relu at 0
    h = 1e-6
    numeric = (f(z + h) - f(z - h)) / (2 * h)
    np.testing.assert_allclose(f.derivative(z, f(z)), numeric, atol=1e-7)


def test_sigmoid_steepness_beta():
    s = act.Sigmoid(beta=3.0)
    z = np.array([[0.4]])
    assert s(z)[0, 0] == pytest.approx(1 / (1 + math.exp(-1.2)))
    a = s(z)
    assert s.derivative(z, a)[0, 0] == pytest.approx(3 * a[0, 0] * (1 - a[0, 0]))
    with pytest.raises(ValueError, match="beta"):
        act.Sigmoid(beta=0)


def test_softmax_rows_sum_to_one_and_jacobian_is_diag_minus_outer():
    sm = get_activation("softmax")
    z = np.array([1.0, 2.0, 0.5])
    a = np.exp(z) / np.exp(z).sum()
    np.testing.assert_allclose(sm(z.reshape(1, -1))[0], a)
    np.testing.assert_allclose(sm.jacobian(z), np.diag(a) - np.outer(a, a))
    # backward is the Jacobian-vector product, row by row
    dA = np.array([[0.3, -1.0, 2.0]])
    np.testing.assert_allclose(sm.backward(dA, z[None], a[None]), (sm.jacobian(z) @ dA[0])[None])


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_no_overflow_warnings_for_huge_inputs(name, dtype):
    f = get_activation(name)
    z = np.array([[-1e4, -800.0, -50.0, 0.0, 50.0, 800.0, 1e4]], dtype=dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        a = f(z)
        d = f.derivative(z, a)
    assert np.isfinite(a).all() and np.isfinite(d).all()
    assert a.dtype == dtype


def test_out_parameter_writes_in_place():
    for name in ACTIVATIONS:
        f = get_activation(name)
        out = np.empty_like(Z)
        result = f(Z, out=out)
        assert result is out
        np.testing.assert_allclose(out, f(Z))


def test_unknown_activation_lists_the_valid_ones():
    with pytest.raises(ValueError, match=r"unknown activation 'swish'.*relu.*tanh"):
        get_activation("swish")


def _softmax_by_reductions(Z):
    """Softmax as NumPy's row reductions compute it (the path for 8 or more columns)."""
    out = np.subtract(Z, Z.max(axis=1, keepdims=True))
    np.exp(out, out=out)
    out /= out.sum(axis=1, keepdims=True)
    return out


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("k", [2, 3, 4, 7, 8, 12])
def test_softmax_over_few_classes_column_by_column_is_bit_identical(k, dtype):
    """2 to 7 columns are reduced column by column (faster); the numbers must not change."""
    rng = np.random.default_rng(k)
    Z = (rng.standard_normal((513, k)) * rng.choice([1e-3, 1.0, 30.0], size=(513, k))).astype(dtype)
    Z[0] = 0.0  # a row of ties
    Z[1, 0] = -np.inf  # one impossible class
    got = act.Softmax()(Z)
    expected = _softmax_by_reductions(Z)
    assert got.dtype == dtype
    np.testing.assert_array_equal(got.view(np.uint8), expected.view(np.uint8))  # bit for bit
    np.testing.assert_allclose(got.sum(axis=1), 1.0, rtol=1e-6)
    out = np.empty_like(Z)
    assert act.Softmax()(Z, out=out) is out
    np.testing.assert_array_equal(out, expected)


def test_softmax_of_a_nan_row_is_nan_in_both_paths():
    Z = np.array([[0.0, np.nan, 1.0], [0.0, 1.0, 2.0]])
    got = act.Softmax()(Z)
    assert np.isnan(got[0]).all() and np.isfinite(got[1]).all()
    np.testing.assert_array_equal(got, _softmax_by_reductions(Z))


def test_relu_against_an_array_of_zeros_gives_maximum_with_zero():
    """ReLU compares with a cached read-only array of zeros (NumPy's faster two-array loop)."""
    rng = np.random.default_rng(0)
    for shape in [(200, 50), (7, 3), (1, 1)]:
        Z = rng.standard_normal(shape)
        Z[0, 0] = np.nan
        A = act.ReLU()(Z)
        np.testing.assert_array_equal(A, np.maximum(Z, 0))
        zeros = act._zeros_like(Z)
        assert isinstance(zeros, np.ndarray) and not zeros.flags.writeable and not zeros.any()
    # the cache holds a few shapes, and large arrays compare with the scalar instead
    for rows in range(1, 20):
        act.ReLU()(np.ones((rows, 4)))
    assert len(act._zeros) <= 8
    np.testing.assert_array_equal(act.ReLU()([1.5, -2.0]), [1.5, 0.0])  # array-likes as before
    assert act.ReLU()(np.float64(-3.0)) == 0.0
    big = np.full((act._ZEROS_MAX_ENTRIES + 1, 1), -1.0)
    assert isinstance(act._zeros_like(big), int)
    np.testing.assert_array_equal(act.ReLU()(big), 0.0)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_logistic_is_as_accurate_as_scipy_expit(dtype):
    """glassnet's own sigmoid (NumPy, no SciPy import) against the exact value and scipy.special.expit."""
    from scipy.special import expit

    rng = np.random.default_rng(0)
    Z = (rng.standard_normal(200_000) * rng.choice([1e-3, 1.0, 10.0, 80.0, 700.0], 200_000)).astype(dtype)
    Z[:5] = [0.0, -0.0, np.inf, -np.inf, np.nan]
    got, expected = act.logistic(Z), expit(Z)
    assert got.dtype == dtype
    np.testing.assert_array_equal(got[:5], [0.5, 0.5, 1.0, 0.0, np.nan])
    normal = expected >= np.finfo(dtype).tiny  # expit flushes what is below to 0; we keep subnormals
    normal[:5] = False
    exact = 1 / (1 + np.exp(-Z[normal].astype(np.longdouble)))  # 80-bit extended precision
    ulps = np.abs((got[normal] - exact) / np.spacing(exact.astype(dtype)).astype(np.longdouble))
    expit_ulps = np.abs((expected[normal] - exact) / np.spacing(exact.astype(dtype)).astype(np.longdouble))
    # (measured: 2.1 and 2.0 ulp in float64; 3.0 and 2.2 in float32)
    assert ulps.max() <= 3.0 and expit_ulps.max() <= 3.0
    assert ulps.mean() <= 1.1 * expit_ulps.mean()
    np.testing.assert_array_max_ulp(got[normal], expected[normal], maxulp=4)
    far_left = expected < np.finfo(dtype).tiny
    far_left[:5] = False
    assert far_left.sum() > 100 and np.all((got[far_left] >= 0) & (got[far_left] < np.finfo(dtype).tiny))
    # in place, as the layers call it, and through the activation with a steepness
    out = Z.copy()
    assert act.logistic(out, out=out) is out
    np.testing.assert_array_equal(out, got)
    moderate = np.clip(Z[5:1000], -20, 20)
    np.testing.assert_array_max_ulp(act.Sigmoid(beta=2.0)(moderate), expit(2 * moderate), maxulp=4)
    np.testing.assert_array_equal(act.logistic([0, 1]), act.logistic(np.array([0.0, 1.0])))  # ints too
