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
