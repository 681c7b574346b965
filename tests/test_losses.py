"""Losses: hand-computed values, gradients by central differences, stability at 0 and 1."""

import math
import warnings

import numpy as np
import pytest

from glassnet.losses import LOSSES, get_loss


def test_squared_error_is_half_the_squared_difference_summed_over_outputs():
    loss = get_loss("squared_error")
    Y_hat = np.array([[1.0, 2.0], [0.0, 0.0]])
    Y = np.array([[0.0, 0.0], [0.0, 1.0]])
    # sample 1: ½(1 + 4) = 2.5, sample 2: ½(0 + 1) = 0.5 → mean 1.5
    assert loss(Y_hat, Y) == pytest.approx(1.5)
    np.testing.assert_allclose(loss.gradient(Y_hat, Y), Y_hat - Y)


def test_cross_entropies_by_hand():
    bce = get_loss("binary_cross_entropy")
    assert bce(np.array([[0.8], [0.3]]), np.array([[1.0], [0.0]])) == pytest.approx(
        -(math.log(0.8) + math.log(0.7)) / 2
    )
    cce = get_loss("categorical_cross_entropy")
    assert cce(np.array([[0.7, 0.2, 0.1]]), np.array([[0.0, 1.0, 0.0]])) == pytest.approx(-math.log(0.2))


def test_poisson_is_zero_for_a_perfect_fit():
    p = get_loss("poisson")
    y = np.array([[0.0], [1.0], [4.0]])
    assert p(y + (y == 0) * 1e-300, y) == pytest.approx(0.0, abs=1e-12)
    # ℓ(ŷ=2, y=1) = 2 − log 2 + 0 − 1
    assert p(np.array([[2.0]]), np.array([[1.0]])) == pytest.approx(1 - math.log(2))


@pytest.mark.parametrize(
    "name", ["squared_error", "binary_cross_entropy", "categorical_cross_entropy", "poisson"]
)
def test_gradient_matches_central_differences(name):
    loss = get_loss(name)
    rng = np.random.default_rng(0)
    Y_hat = rng.uniform(0.1, 0.9, (3, 4))
    Y = rng.integers(0, 2, (3, 4)).astype(float) if name != "poisson" else rng.poisson(2, (3, 4)) * 1.0
    h = 1e-7
    numeric = np.zeros_like(Y_hat)
    for idx in np.ndindex(Y_hat.shape):
        up, down = Y_hat.copy(), Y_hat.copy()
        up[idx] += h
        down[idx] -= h
        numeric[idx] = (loss.per_sample(up, Y).sum() - loss.per_sample(down, Y).sum()) / (2 * h)
    np.testing.assert_allclose(loss.gradient(Y_hat, Y), numeric, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", sorted(LOSSES))
def test_finite_for_probabilities_of_exactly_zero_and_one(name):
    loss = get_loss(name)
    Y_hat = np.array([[0.0, 1.0], [1.0, 0.0]])
    Y = np.array([[1.0, 0.0], [1.0, 0.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert math.isfinite(loss(Y_hat, Y))
        assert np.isfinite(loss.gradient(Y_hat, Y)).all()


@pytest.mark.parametrize("name", sorted(LOSSES))
def test_total_is_the_sum_of_the_per_sample_losses(name):
    loss = get_loss(name)
    rng = np.random.default_rng(1)
    Y_hat = rng.uniform(0.05, 0.95, (6, 3))
    Y = np.eye(3)[rng.integers(0, 3, 6)]
    assert loss.total(Y_hat, Y) == pytest.approx(loss.per_sample(Y_hat, Y).sum(), rel=1e-12)


def test_one_dimensional_inputs_and_sample_weights():
    loss = get_loss("mse")
    assert loss(np.array([1.0, 3.0]), np.array([0.0, 0.0]), sample_weight=[1, 3]) == pytest.approx(
        (0.5 * 1 + 3 * 4.5) / 4
    )


def test_unknown_loss_lists_the_valid_ones():
    with pytest.raises(ValueError, match=r"unknown loss 'hinge'.*squared_error"):
        get_loss("hinge")


def test_xlogy_is_scipys_without_importing_it():
    from scipy.special import xlogy

    from glassnet.losses import _xlogy

    x = np.array([0.0, 0.0, 0.0, 1.0, 2.5, 0.0, 3.0, 1.0, 0.0])
    y = np.array([0.0, 1.0, np.nan, 0.0, 3.0, np.inf, -1.0, np.inf, 2.0])
    got, expected = _xlogy(x, y), xlogy(x, y)
    np.testing.assert_array_equal(got, expected)  # 0·log 0 = 0, NaN stays NaN, log of a negative is NaN
    np.testing.assert_array_equal(_xlogy(np.float32([0, 2]), np.float32([0, 3])).dtype, np.float32)
