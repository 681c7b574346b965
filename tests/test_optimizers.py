"""Each optimizer's first steps against values computed by hand."""

import math

import numpy as np
import pytest

import glassnet as gn

THETA = np.array([1.0, -2.0])
G = np.array([0.5, -1.0])


def run(opt, *grads):
    theta = THETA.copy()
    for g in grads:
        opt.step(theta, np.array(g, dtype=float))
    return theta


def test_sgd():
    # θ ← θ − η g = [1 − 0.1·0.5, −2 + 0.1·1]
    np.testing.assert_allclose(run(gn.SGD(lr=0.1), G), [0.95, -1.9])


def test_classical_momentum():
    # step 1: v = −0.1·g = [−0.05, 0.1];                 θ = [0.95, −1.9]
    # step 2: v = 0.9·[−0.05, 0.1] − 0.1·g = [−0.095, 0.19]; θ = [0.855, −1.71]
    opt = gn.Momentum(lr=0.1, momentum=0.9)
    np.testing.assert_allclose(run(opt, G), [0.95, -1.9])
    np.testing.assert_allclose(run(gn.Momentum(lr=0.1, momentum=0.9), G, G), [0.855, -1.71])


def test_ewma_momentum():
    # step 1: m = 0.1·g = [0.05, −0.1];                     θ = θ − 0.1·m = [0.995, −1.99]
    # step 2: m = 0.9·[0.05, −0.1] + 0.1·g = [0.095, −0.19]; θ = [0.9855, −1.971]
    opt = gn.Momentum(lr=0.1, momentum=0.9, form="ewma")
    np.testing.assert_allclose(run(opt, G, G), [0.9855, -1.971])


def test_nesterov():
    # v = 0.9·0 − 0.1·g = [−0.05, 0.1];  θ ← θ + 0.9·v − 0.1·g = θ + [−0.095, 0.19]
    np.testing.assert_allclose(run(gn.Nesterov(lr=0.1, momentum=0.9), G), [0.905, -1.81])


def test_rmsprop():
    # s = 0.1·g² = [0.025, 0.1];  θ ← θ − 0.01·g/√s = θ − 0.01·[0.5/√0.025, −1/√0.1]
    expected = THETA - 0.01 * np.array([0.5 / math.sqrt(0.025), -1 / math.sqrt(0.1)])
    np.testing.assert_allclose(run(gn.RMSprop(lr=0.01, rho=0.9), G), expected, rtol=1e-7)


def test_adam_first_step_moves_each_parameter_by_lr_times_sign_of_gradient():
    # t = 1: m̂ = g, v̂ = g², so the step is η·g/(|g| + ε) ≈ η·sign(g)
    theta = run(gn.Adam(lr=0.001), G)
    np.testing.assert_allclose(theta, [1.0 - 0.001, -2.0 + 0.001], rtol=1e-7)


def test_adam_second_step_by_hand():
    g1, g2 = G, np.array([-0.5, 2.0])
    m = 0.9 * (0.1 * g1) + 0.1 * g2  # [−0.005, 0.11]
    v = 0.999 * (0.001 * g1**2) + 0.001 * g2**2  # [0.00049975, 0.004999]
    m_hat, v_hat = m / (1 - 0.9**2), v / (1 - 0.999**2)
    step1 = 0.001 * g1 / (np.abs(g1) + 1e-8)
    expected = THETA - step1 - 0.001 * m_hat / (np.sqrt(v_hat) + 1e-8)
    np.testing.assert_allclose(m, [-0.005, 0.11])
    np.testing.assert_allclose(run(gn.Adam(lr=0.001), g1, g2), expected, rtol=1e-10)


def test_adamw_decays_weights_before_the_adam_step():
    # θ ← θ·(1 − η·λ) then the Adam step ±η
    theta = run(gn.AdamW(lr=0.001, weight_decay=0.01), G)
    np.testing.assert_allclose(theta, THETA * (1 - 0.001 * 0.01) - 0.001 * np.sign(G), rtol=1e-7)


def test_gradient_norm_clipping():
    theta = np.zeros(2)
    grad = np.array([3.0, 4.0])  # ‖g‖ = 5 > 1 → g·(1/5)
    gn.SGD(lr=1.0, clip_norm=1.0).step(theta, grad)
    np.testing.assert_allclose(theta, [-0.6, -0.8])
    small = np.array([0.3, 0.4])  # ‖g‖ = 0.5 ≤ 1 → unchanged
    gn.SGD(lr=1.0, clip_norm=1.0).step(theta, small)
    np.testing.assert_allclose(theta, [-0.9, -1.2])


def test_reset_forgets_state_and_steps_keep_dtype():
    opt = gn.Adam(lr=0.01)
    theta = np.ones(3, dtype=np.float32)
    opt.step(theta, np.ones(3, dtype=np.float32))
    assert opt.t == 1 and opt.m.dtype == np.float32 and theta.dtype == np.float32
    opt.reset()
    assert opt.t == 0 and opt.m is None


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda: gn.SGD(lr=0), "lr must be a positive number"),
        (lambda: gn.SGD(lr=-1), "lr must be a positive number"),
        (lambda: gn.Adam(beta1=1.0), "beta1"),
        (lambda: gn.Momentum(momentum=1.2), r"momentum must be in \[0, 1\]"),
        (lambda: gn.Momentum(form="heavy"), "valid forms are"),
        (lambda: gn.get_optimizer("adagrad"), "valid optimizers are: sgd, momentum"),
        (lambda: gn.SGD(clip_norm=0), "clip_norm"),
    ],
)
def test_bad_hyperparameters_get_clear_errors(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_repr_shows_hyperparameters():
    assert repr(gn.Adam()) == "Adam(lr=0.001, beta1=0.9, beta2=0.999, eps=1e-08)"


def test_get_optimizer_does_not_ignore_settings_for_an_optimizer_object():
    # get_optimizer(Adam(), lr=0.5) returned the Adam with lr 0.001, silently.
    with pytest.raises(
        TypeError, match=r"lr would be ignored: keyword arguments configure an optimizer named by"
    ):
        gn.get_optimizer(gn.Adam(), lr=0.5)
    adam = gn.Adam(lr=0.5)
    assert gn.get_optimizer(adam) is adam and gn.get_optimizer("adam", lr=0.5).lr == 0.5
