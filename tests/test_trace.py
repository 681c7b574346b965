"""The traced training step, checked number by number against hand arithmetic."""

import json
import math

import numpy as np
import pytest

import glassnet as gn
from glassnet.glass.trace import Trace, trace


def sigmoid(z):
    return 1 / (1 + math.exp(-z))


def small_net(hidden="sigmoid", output="sigmoid"):
    """2-2-1 with W¹ = [[0.1, 0.3], [0.2, 0.4]], b¹ = [0.1, 0.1], W² = [[0.5], [0.6]], b² = [0.2]."""
    net = gn.Network([2, 2, 1], activations=hidden, output=output)
    net.layers[0].W = [[0.1, 0.3], [0.2, 0.4]]
    net.layers[0].b = [0.1, 0.1]
    net.layers[1].W = [[0.5], [0.6]]
    net.layers[1].b = [0.2]
    return net


def assert_layer(layer, **expected):
    for name, value in expected.items():
        np.testing.assert_allclose(getattr(layer, name), value, atol=1e-4, err_msg=name)


def test_sigmoid_network_with_binary_cross_entropy_by_hand():
    t = trace(small_net(), [[1, 2]], [[1]], lr=0.1)

    # Forward: z = Σ w·a + b, a = σ(z).
    z1, z2 = 0.1 * 1 + 0.2 * 2 + 0.1, 0.3 * 1 + 0.4 * 2 + 0.1          # 0.6, 1.2
    a1, a2 = sigmoid(z1), sigmoid(z2)                                     # 0.6457, 0.7685
    zo = 0.5 * a1 + 0.6 * a2 + 0.2
    ao = sigmoid(zo)
    loss = -math.log(ao)                                                  # y = 1
    # Backward: sigmoid + cross-entropy is canonical, δ = a − y.
    do = ao - 1
    d1 = 0.5 * do * a1 * (1 - a1)
    d2 = 0.6 * do * a2 * (1 - a2)

    assert z1 == pytest.approx(0.6) and a1 == pytest.approx(0.6457, abs=1e-4)
    hidden, out = t.layers
    assert_layer(hidden, A_prev=[[1, 2]], Z=[[z1, z2]], A=[[a1, a2]], dZ=[[d1, d2]],
                 dW=[[1 * d1, 1 * d2], [2 * d1, 2 * d2]], db=[d1, d2],
                 W_new=[[0.1 - 0.1 * d1, 0.3 - 0.1 * d2], [0.2 - 0.1 * 2 * d1, 0.4 - 0.1 * 2 * d2]],
                 b_new=[0.1 - 0.1 * d1, 0.1 - 0.1 * d2])
    assert_layer(out, A_prev=[[a1, a2]], Z=[[zo]], A=[[ao]], dZ=[[do]],
                 dW=[[do * a1], [do * a2]], db=[do],
                 W_new=[[0.5 - 0.1 * do * a1], [0.6 - 0.1 * do * a2]], b_new=[0.2 - 0.1 * do])
    assert t.loss == pytest.approx(loss, abs=1e-4)
    assert t.canonical and t.loss_name == "binary_cross_entropy"

    text = str(t)
    assert "z1 = 0.1·1 + 0.2·2 + 0.1 = 0.6" in text
    assert "a1 = σ(0.6) = 0.6457" in text
    assert f"δ1 = a1 − y1 = {ao:.4g} − 1 = {do:.4g}" in text
    assert "σ'(z1) = a1·(1 − a1) = 0.6457·(1 − 0.6457) = 0.2288" in text
    assert f"∂L/∂w11 = δ1 · x1 = ({d1:.4g}) · 1 = {d1:.4g}" in text
    assert f"w11 ← w11 − η·∂L/∂w11 = 0.1 − 0.1·({d1:.4g}) = {0.1 - 0.1 * d1:.4g}" in text
    assert "−Σₖ [yₖ·log aₖ + (1 − yₖ)·log(1 − aₖ)]" in text


def test_tanh_hidden_sigmoid_output_by_hand():
    t = trace(small_net(hidden="tanh"), [[1, 2]], [[0]], lr=0.5)

    z1, z2 = 0.6, 1.2
    a1, a2 = math.tanh(z1), math.tanh(z2)                                 # 0.5370, 0.8337
    zo = 0.5 * a1 + 0.6 * a2 + 0.2
    ao = sigmoid(zo)
    loss = -math.log(1 - ao)                                              # y = 0
    do = ao - 0
    d1 = 0.5 * do * (1 - a1**2)                                           # tanh' = 1 − a²
    d2 = 0.6 * do * (1 - a2**2)

    hidden, out = t.layers
    assert_layer(hidden, Z=[[z1, z2]], A=[[a1, a2]], dsigma=[[1 - a1**2, 1 - a2**2]],
                 dZ=[[d1, d2]], dW=[[d1, d2], [2 * d1, 2 * d2]],
                 W_new=[[0.1 - 0.5 * d1, 0.3 - 0.5 * d2], [0.2 - 0.5 * 2 * d1, 0.4 - 0.5 * 2 * d2]])
    assert_layer(out, Z=[[zo]], A=[[ao]], dZ=[[do]], dW=[[do * a1], [do * a2]],
                 b_new=[0.2 - 0.5 * do])
    assert t.loss == pytest.approx(loss, abs=1e-4)
    text = str(t)
    assert "a1 = tanh(0.6) = 0.537" in text
    assert "tanh'(z1) = 1 − a1² = 1 − 0.537² = 0.7116" in text


def test_relu_hidden_identity_output_squared_error_by_hand():
    net = small_net(hidden="relu", output="identity")
    net.layers[0].W = [[0.1, -0.3], [0.2, -0.4]]      # the second unit is off (z < 0)
    t = trace(net, [[1, 2]], [[2]], lr=0.1)
    z1, z2 = 0.6, -0.3 - 0.8 + 0.1
    a1, a2 = 0.6, 0.0
    yo = 0.5 * a1 + 0.6 * a2 + 0.2                     # 0.5
    loss = 0.5 * (yo - 2) ** 2
    do = yo - 2                                        # identity + squared error: δ = ŷ − y
    d1, d2 = 0.5 * do * 1, 0.6 * do * 0
    hidden, out = t.layers
    assert_layer(hidden, Z=[[z1, z2]], A=[[a1, a2]], dZ=[[d1, d2]], dW=[[d1, d2], [2 * d1, 2 * d2]])
    assert_layer(out, A=[[yo]], dZ=[[do]], dW=[[do * a1], [0.0]])
    assert t.loss == pytest.approx(loss)
    assert "a1 = relu(0.6) = 0.6" in str(t) and "δ1 = a1 − y1 = 0.5 − 2 = -1.5" in str(t)


def mazur_net():
    """Matt Mazur's "A Step by Step Backpropagation Example": a 2-2-2 sigmoid network.

    His w1..w4 feed the hidden units (w1: i1→h1, w2: i2→h1, w3: i1→h2, w4: i2→h2),
    w5..w8 the outputs. Our W[i, j] joins unit i below to unit j, the transpose of
    his column-vector layout.
    """
    net = gn.Network([2, 2, 2], activations="sigmoid")
    net.layers[0].W = [[0.15, 0.25], [0.20, 0.30]]
    net.layers[0].b = [0.35, 0.35]
    net.layers[1].W = [[0.40, 0.50], [0.45, 0.55]]
    net.layers[1].b = [0.60, 0.60]
    return net


def test_mazur_squared_error_example_exactly():
    # Our squared error ½ Σₖ (ŷₖ − yₖ)², summed over outputs, is his E_total for one sample.
    t = trace(mazur_net(), [0.05, 0.10], [0.01, 0.99], loss="squared_error", lr=0.5)
    hidden, out = t.layers
    np.testing.assert_allclose(hidden.A, [[0.593269992, 0.596884378]], atol=1e-9)
    np.testing.assert_allclose(out.A, [[0.75136507, 0.772928465]], atol=1e-8)
    assert t.loss == pytest.approx(0.298371109, abs=1e-9)
    assert not t.canonical                          # sigmoid with squared error
    # His δ for o1: (out − target) · out(1 − out) = 0.74136507 · 0.186815602.
    assert out.dZ[0, 0] == pytest.approx(0.74136507 * 0.186815602, abs=1e-8)
    assert out.dW[0, 0] == pytest.approx(0.082167041, abs=1e-9)     # ∂E/∂w5
    assert out.W_new[0, 0] == pytest.approx(0.35891648, abs=1e-8)   # w5⁺
    assert out.W_new[1, 0] == pytest.approx(0.408666186, abs=1e-9)  # w6⁺
    assert out.W_new[0, 1] == pytest.approx(0.511301270, abs=1e-9)  # w7⁺
    assert out.W_new[1, 1] == pytest.approx(0.561370121, abs=1e-9)  # w8⁺
    assert hidden.W_new[0, 0] == pytest.approx(0.149780716, abs=1e-9)  # w1⁺
    assert hidden.W_new[1, 0] == pytest.approx(0.19956143, abs=1e-8)   # w2⁺
    assert hidden.W_new[0, 1] == pytest.approx(0.24975114, abs=1e-8)   # w3⁺
    assert hidden.W_new[1, 1] == pytest.approx(0.29950229, abs=1e-8)   # w4⁺

    text = str(t)
    assert "z1 = 0.15·0.05 + 0.2·0.1 + 0.35 = 0.3775" in text
    assert "a1 = σ(0.3775) = 0.5933" in text
    assert "L = ½·[(0.7514 − 0.01)² + (0.7729 − 0.99)²] = 0.2984" in text
    assert "∂L/∂a1 = a1 − y1 = 0.7514 − 0.01 = 0.7414" in text
    assert "δ1 = ∂L/∂a1 · σ'(z1) = 0.7414 · 0.1868 = 0.1385" in text
    assert "δ1 = (Σ w·δ) · σ'(z1) = (0.4·0.1385 + 0.5·(-0.0381)) · 0.2413" in text
    assert "w11 ← w11 − η·∂L/∂w11 = 0.4 − 0.5·0.08217 = 0.3589" in text


def test_trace_leaves_the_network_alone():
    net = mazur_net()
    theta, grad = net.theta.copy(), net.grad.copy()
    trace(net, [[0.05, 0.10]], [[0.01, 0.99]], loss="squared_error", lr=0.5)
    np.testing.assert_array_equal(net.theta, theta)
    np.testing.assert_array_equal(net.grad, grad)
    assert all(layer.Z is None and layer.dZ is None for layer in net.layers)


@pytest.mark.parametrize("hidden, output, loss", [
    ("sigmoid", "sigmoid", None), ("tanh", "softmax", None), ("relu", "identity", None),
    ("elu", "softmax", "squared_error"), ("gelu", "sigmoid", "squared_error"),
    ("leaky_relu", "identity", "binary_cross_entropy"), ("softplus", "exp", None),
])
def test_trace_agrees_with_the_engine(hidden, output, loss):
    rng = np.random.default_rng(0)
    net = gn.Network([3, 4, 3, 2], activations=hidden, output=output, random_state=1)
    X = rng.normal(size=(3, 3))
    Y = np.eye(2)[[0, 1, 1]] if output in ("softmax", "sigmoid") else rng.uniform(0.1, 2, (3, 2))
    t = trace(net, X, Y, loss=loss, lr=0.05)
    reference = net.copy()
    value, grads = reference.gradients(X, Y, loss)
    assert t.loss == pytest.approx(value) == pytest.approx(t.sample_loss.mean())
    for layer, ref, (dW, db) in zip(t.layers, reference.layers, grads):
        np.testing.assert_allclose(layer.dW, dW)
        np.testing.assert_allclose(layer.db, db)
        np.testing.assert_allclose(layer.dW, layer.A_prev.T @ layer.dZ, atol=1e-12)
        np.testing.assert_allclose(layer.W_new, ref.W - 0.05 * dW)
        np.testing.assert_allclose(layer.b_new, ref.b - 0.05 * db)
    for below, above in zip(t.layers[:-1], t.layers[1:]):   # δ = (dZ⁺ W⁺ᵀ) ⊙ σ'(z)
        np.testing.assert_allclose(below.dA, above.dZ @ above.W.T, atol=1e-12)
        np.testing.assert_allclose(below.dZ, below.dA * below.dsigma, atol=1e-12)
    text = str(t)
    assert "── Forward pass ──" in text and "z1[3] =" in text and "δ2[3]" in text


def test_as_dict_is_json():
    t = trace(small_net(), [[1, 2]], [[1]])
    d = json.loads(json.dumps(t.as_dict()))
    assert d["layer_sizes"] == [2, 2, 1]
    assert d["loss"] == pytest.approx(t.loss)
    assert d["layers"][0]["Z"][0] == pytest.approx([0.6, 1.2])
    assert set(d["layers"][1]) >= {"activation", "A_prev", "Z", "A", "dZ", "dW", "db", "W_new", "b_new"}


def test_large_network_prints_shapes_and_matrices():
    net = gn.Network([10, 8, 3], activations="relu", output="softmax", random_state=0)
    rng = np.random.default_rng(0)
    X, Y = rng.normal(size=(6, 10)), np.eye(3)[rng.integers(0, 3, 6)]
    t = trace(net, X, Y)
    assert not t.is_small()
    text = str(t)
    assert "A_prev (6, 10) @ W (10, 8) + b (8,) → Z (6, 8)" in text
    assert "dZ = (A − Y) / n" in text and "z1 =" not in text
    assert "z1[1] =" in t.text(detailed=True)          # the long form is still available
    assert repr(t).startswith("Trace(network 10 → 8 → 3")
    assert isinstance(t, Trace)


def test_bad_arguments():
    with pytest.raises(ValueError, match="lr"):
        trace(small_net(), [[1, 2]], [[1]], lr=0)
    with pytest.raises(ValueError, match="features"):
        trace(small_net(), [[1, 2, 3]], [[1]])
