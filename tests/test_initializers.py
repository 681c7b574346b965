"""Initializers: shapes, scales, reproducibility."""

import math

import numpy as np
import pytest

from glassnet.initializers import INITIALIZERS, get_initializer


@pytest.mark.parametrize(
    "name, std",
    [
        ("he_normal", math.sqrt(2 / 400)),
        ("he_uniform", math.sqrt(6 / 400) / math.sqrt(3)),
        ("glorot_normal", math.sqrt(2 / 600)),
        ("glorot_uniform", math.sqrt(6 / 600) / math.sqrt(3)),
        ("scaled_normal", 1 / math.sqrt(400)),
    ],
)
def test_scale_depends_on_fan_in_and_out(name, std):
    W = get_initializer(name)(400, 200, np.random.default_rng(0))
    assert W.shape == (400, 200)
    assert abs(W.mean()) < 0.05 * std * 10
    assert W.std() == pytest.approx(std, rel=0.02)


def test_uniform_bounds_and_zeros():
    W = get_initializer("glorot_uniform")(10, 20, np.random.default_rng(0))
    assert np.abs(W).max() <= math.sqrt(6 / 30)
    assert not get_initializer("zeros")(3, 4).any()


@pytest.mark.parametrize("name", sorted(INITIALIZERS))
def test_same_seed_same_weights_and_dtype(name):
    a = get_initializer(name)(5, 3, np.random.default_rng(1), np.float32)
    b = get_initializer(name)(5, 3, np.random.default_rng(1), np.float32)
    np.testing.assert_array_equal(a, b)
    assert a.dtype == np.float32


def test_auto_picks_he_for_relu_and_glorot_otherwise():
    assert get_initializer("auto", "relu").__name__ == "he_normal"
    assert get_initializer("auto", "tanh").__name__ == "glorot_uniform"
    with pytest.raises(ValueError, match="valid initializers are"):
        get_initializer("lecun")
