"""Backpropagation equals central differences for every activation × output/loss × depth."""

import numpy as np
import pytest

import glassnet as gn
from glassnet.activations import Sigmoid

HIDDEN = ["identity", "sigmoid", Sigmoid(beta=2.0), "tanh", "relu", "leaky_relu", "elu", "softplus", "gelu"]

# (output activation, loss): the four canonical pairs, then pairs that go through
# the general chain rule dZ = σ'(Z) ⊙ ∂ℓ/∂Ŷ (and the softmax Jacobian).
OUTPUTS = [
    ("identity", "squared_error"),
    ("sigmoid", "binary_cross_entropy"),
    ("softmax", "categorical_cross_entropy"),
    ("exp", "poisson"),
    ("sigmoid", "squared_error"),
    ("tanh", "squared_error"),
    ("softmax", "squared_error"),
    ("softplus", "poisson"),
    (Sigmoid(beta=2.0), "binary_cross_entropy"),
]


def targets(output, loss, rng, n, k):
    if loss == "categorical_cross_entropy":
        return np.eye(k)[rng.integers(0, k, n)]
    if loss == "binary_cross_entropy":
        return rng.integers(0, 2, (n, k)).astype(float)
    if loss == "poisson":
        return rng.poisson(2.0, (n, k)).astype(float)
    return rng.normal(size=(n, k)) if output not in ("sigmoid", "softmax") else rng.random((n, k))


@pytest.mark.parametrize("l2", [0.0, 0.3], ids=["no_l2", "l2"])
@pytest.mark.parametrize("depth", [1, 2, 3])
@pytest.mark.parametrize(
    "output, loss", OUTPUTS, ids=[f"{o if isinstance(o, str) else 'sigmoid_beta2'}+{l}" for o, l in OUTPUTS]
)
@pytest.mark.parametrize("hidden", HIDDEN, ids=lambda h: h if isinstance(h, str) else "sigmoid_beta2")
def test_backprop_matches_central_differences(hidden, output, loss, depth, l2):
    rng = np.random.default_rng(depth)
    sizes = [3] + [4] * depth + [3]
    net = gn.Network(sizes, activations=hidden, output=output, init="glorot_normal", random_state=7)
    net.theta[net.n_weights :] = rng.normal(scale=0.1, size=net.theta.size - net.n_weights)
    X = rng.normal(size=(6, 3))
    Y = targets(output, loss, rng, 6, 3)
    result = gn.gradcheck(net, X, Y, loss=loss, l2=l2)
    assert result.max_error < 1e-6, str(result)


def test_gradcheck_reports_every_layer_and_catches_a_wrong_gradient():
    net = gn.Network([2, 3, 1], activations="tanh", output="sigmoid", random_state=0)
    X = np.array([[0.5, -1.0], [1.5, 0.2]])
    Y = np.array([[1.0], [0.0]])
    result = gn.gradcheck(net, X, Y)
    assert set(result.errors) == {(1, "W"), (1, "b"), (2, "W"), (2, "b")}
    assert result.passed()
    assert "max relative error" in str(result)

    class WrongTanh(gn.activations.Tanh):
        def derivative(self, Z, A):
            return 1 - A  # should be 1 − A²

    net.layers[0].activation = WrongTanh()
    assert gn.gradcheck(net, X, Y).max_error > 1e-3


def test_gradcheck_with_l1_and_float32_network():
    net = gn.Network([2, 3, 2], activations="elu", output="softmax", random_state=0, dtype=np.float32)
    X = np.array([[0.5, -1.0], [1.5, 0.2], [-0.3, 0.8]])
    Y = np.eye(2)[[0, 1, 1]]
    result = gn.gradcheck(net, X, Y, l1=0.1)
    assert result.max_error < 1e-6
    assert net.theta.dtype == np.float32  # the check ran on a float64 copy


def _small_check_case():
    rng = np.random.default_rng(0)
    net = gn.Network([3, 3, 1], output="sigmoid", random_state=0)
    return net, rng.normal(size=(5, 3)), np.array([0.0, 1.0, 0.0, 1.0, 1.0])


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"h": 0.0}, "h must be a positive number, got 0.0"),
        ({"h": float("nan")}, "h must be a positive number, got nan"),
        ({"l2": float("nan")}, "l2 must be a non-negative number, got nan"),
        ({"l1": -1.0}, "l1 must be a non-negative number, got -1.0"),
    ],
)
def test_gradcheck_refuses_steps_and_penalties_that_cannot_check_anything(kwargs, message):
    # h = nan and l2 = nan used to "pass" (every error NaN, read as 0); h = 0 divided by zero.
    net, X, y = _small_check_case()
    with pytest.raises(ValueError, match=message):
        gn.gradcheck(net, X, y, **kwargs)


def test_gradcheck_of_nan_weights_is_an_error_not_a_pass():
    net, X, y = _small_check_case()
    net.theta[:] = np.nan
    with pytest.raises(ValueError, match="the loss is not finite at these weights"):
        gn.gradcheck(net, X, y)
    with pytest.raises(TypeError, match="gradcheck checks a glassnet Network, got str"):
        gn.gradcheck("net", X, y)


def test_a_gradient_that_is_not_finite_fails_the_check():
    # Finite loss, NaN gradient in one layer: the error is NaN and the check fails
    # (a NaN error used to count as 0, and max() let NaN through or not by order).
    result = gn.GradCheck(errors={(1, "W"): 1e-10, (1, "b"): float("nan"), (2, "W"): 1e-11})
    assert np.isnan(result.max_error) and not result.passed()
    assert "nan" in str(result)


def test_gradcheck_refuses_targets_outside_the_losss_domain():
    net, X, y = _small_check_case()
    with pytest.raises(
        ValueError, match=r"binary cross-entropy needs targets in \[0, 1\], got values from 5 to 7"
    ):
        gn.gradcheck(net, X, y * 2 + 5)
