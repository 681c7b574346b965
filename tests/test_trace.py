"""The traced training step, checked number by number against hand arithmetic."""

import json
import math
from itertools import pairwise

import numpy as np
import pytest

import glassnet as gn
from glassnet.glass.trace import Trace, trace, trace_steps


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


def f4(x):
    """A number as the trace prints it by default: 4 decimals, trailing zeros dropped."""
    return f"{x:.4f}".rstrip("0").rstrip(".")


def assert_layer(layer, **expected):
    for name, value in expected.items():
        np.testing.assert_allclose(getattr(layer, name), value, atol=1e-4, err_msg=name)


def test_sigmoid_network_with_binary_cross_entropy_by_hand():
    t = trace(small_net(), [[1, 2]], [[1]], lr=0.1)

    # Forward: z = Σ w·a + b, a = σ(z).
    z1, z2 = 0.1 * 1 + 0.2 * 2 + 0.1, 0.3 * 1 + 0.4 * 2 + 0.1  # 0.6, 1.2
    a1, a2 = sigmoid(z1), sigmoid(z2)  # 0.6457, 0.7685
    zo = 0.5 * a1 + 0.6 * a2 + 0.2
    ao = sigmoid(zo)
    loss = -math.log(ao)  # y = 1
    # Backward: sigmoid + cross-entropy is canonical, δ = a − y.
    do = ao - 1
    d1 = 0.5 * do * a1 * (1 - a1)
    d2 = 0.6 * do * a2 * (1 - a2)

    assert z1 == pytest.approx(0.6) and a1 == pytest.approx(0.6457, abs=1e-4)
    hidden, out = t.layers
    assert_layer(
        hidden,
        A_prev=[[1, 2]],
        Z=[[z1, z2]],
        A=[[a1, a2]],
        dZ=[[d1, d2]],
        dW=[[1 * d1, 1 * d2], [2 * d1, 2 * d2]],
        db=[d1, d2],
        W_new=[[0.1 - 0.1 * d1, 0.3 - 0.1 * d2], [0.2 - 0.1 * 2 * d1, 0.4 - 0.1 * 2 * d2]],
        b_new=[0.1 - 0.1 * d1, 0.1 - 0.1 * d2],
    )
    assert_layer(
        out,
        A_prev=[[a1, a2]],
        Z=[[zo]],
        A=[[ao]],
        dZ=[[do]],
        dW=[[do * a1], [do * a2]],
        db=[do],
        W_new=[[0.5 - 0.1 * do * a1], [0.6 - 0.1 * do * a2]],
        b_new=[0.2 - 0.1 * do],
    )
    assert t.loss == pytest.approx(loss, abs=1e-4)
    assert t.canonical and t.loss_name == "binary_cross_entropy"

    text = str(t)
    assert "z⁽¹⁾₁ = w⁽¹⁾₁₁·x₁ + w⁽¹⁾₂₁·x₂ + b⁽¹⁾₁ = 0.1·1 + 0.2·2 + 0.1 = 0.6" in text
    assert "a⁽¹⁾₁ = σ(z⁽¹⁾₁) = σ(0.6) = 0.6457" in text
    assert f"δ⁽²⁾₁ = ŷ₁ − y₁ = {f4(ao)} − 1 = {f4(do)}" in text
    assert "σ'(z⁽¹⁾₁) = a⁽¹⁾₁·(1 − a⁽¹⁾₁) = 0.6457·(1 − 0.6457) = 0.2288" in text
    assert f"∂L/∂w⁽¹⁾₁₁ = δ⁽¹⁾₁·x₁ = ({f4(d1)})·1 = {f4(d1)}" in text
    assert f"w⁽¹⁾₁₁ ← w⁽¹⁾₁₁ − η·∂L/∂w⁽¹⁾₁₁ = 0.1 − 0.1·({f4(d1)}) = {f4(0.1 - 0.1 * d1)}" in text
    assert "−Σₖ [yₖ·log ŷₖ + (1 − yₖ)·log(1 − ŷₖ)]" in text


def test_tanh_hidden_sigmoid_output_by_hand():
    t = trace(small_net(hidden="tanh"), [[1, 2]], [[0]], lr=0.5)

    z1, z2 = 0.6, 1.2
    a1, a2 = math.tanh(z1), math.tanh(z2)  # 0.5370, 0.8337
    zo = 0.5 * a1 + 0.6 * a2 + 0.2
    ao = sigmoid(zo)
    loss = -math.log(1 - ao)  # y = 0
    do = ao - 0
    d1 = 0.5 * do * (1 - a1**2)  # tanh' = 1 − a²
    d2 = 0.6 * do * (1 - a2**2)

    hidden, out = t.layers
    assert_layer(
        hidden,
        Z=[[z1, z2]],
        A=[[a1, a2]],
        dsigma=[[1 - a1**2, 1 - a2**2]],
        dZ=[[d1, d2]],
        dW=[[d1, d2], [2 * d1, 2 * d2]],
        W_new=[[0.1 - 0.5 * d1, 0.3 - 0.5 * d2], [0.2 - 0.5 * 2 * d1, 0.4 - 0.5 * 2 * d2]],
    )
    assert_layer(out, Z=[[zo]], A=[[ao]], dZ=[[do]], dW=[[do * a1], [do * a2]], b_new=[0.2 - 0.5 * do])
    assert t.loss == pytest.approx(loss, abs=1e-4)
    text = str(t)
    assert "a⁽¹⁾₁ = tanh(z⁽¹⁾₁) = tanh(0.6) = 0.537" in text
    assert "tanh'(z⁽¹⁾₁) = 1 − a⁽¹⁾₁² = 1 − 0.537² = 0.7116" in text


def test_relu_hidden_identity_output_squared_error_by_hand():
    net = small_net(hidden="relu", output="identity")
    net.layers[0].W = [[0.1, -0.3], [0.2, -0.4]]  # the second unit is off (z < 0)
    t = trace(net, [[1, 2]], [[2]], lr=0.1)
    z1, z2 = 0.6, -0.3 - 0.8 + 0.1
    a1, a2 = 0.6, 0.0
    yo = 0.5 * a1 + 0.6 * a2 + 0.2  # 0.5
    loss = 0.5 * (yo - 2) ** 2
    do = yo - 2  # identity + squared error: δ = ŷ − y
    d1, d2 = 0.5 * do * 1, 0.6 * do * 0
    hidden, out = t.layers
    assert_layer(hidden, Z=[[z1, z2]], A=[[a1, a2]], dZ=[[d1, d2]], dW=[[d1, d2], [2 * d1, 2 * d2]])
    assert_layer(out, A=[[yo]], dZ=[[do]], dW=[[do * a1], [0.0]])
    assert t.loss == pytest.approx(loss)
    assert "a⁽¹⁾₁ = relu(z⁽¹⁾₁) = relu(0.6) = 0.6" in str(t) and "δ⁽²⁾₁ = ŷ₁ − y₁ = 0.5 − 2 = -1.5" in str(t)
    assert "relu'(z⁽¹⁾₂) = [z⁽¹⁾₂ > 0] = [(-1) > 0] = 0" in str(t)


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
    assert not t.canonical  # sigmoid with squared error
    # His δ for o1: (out − target) · out(1 − out) = 0.74136507 · 0.186815602.
    assert out.dZ[0, 0] == pytest.approx(0.74136507 * 0.186815602, abs=1e-8)
    assert out.dW[0, 0] == pytest.approx(0.082167041, abs=1e-9)  # ∂E/∂w5
    assert out.W_new[0, 0] == pytest.approx(0.35891648, abs=1e-8)  # w5⁺
    assert out.W_new[1, 0] == pytest.approx(0.408666186, abs=1e-9)  # w6⁺
    assert out.W_new[0, 1] == pytest.approx(0.511301270, abs=1e-9)  # w7⁺
    assert out.W_new[1, 1] == pytest.approx(0.561370121, abs=1e-9)  # w8⁺
    assert hidden.W_new[0, 0] == pytest.approx(0.149780716, abs=1e-9)  # w1⁺
    assert hidden.W_new[1, 0] == pytest.approx(0.19956143, abs=1e-8)  # w2⁺
    assert hidden.W_new[0, 1] == pytest.approx(0.24975114, abs=1e-8)  # w3⁺
    assert hidden.W_new[1, 1] == pytest.approx(0.29950229, abs=1e-8)  # w4⁺

    text = str(t)
    assert "z⁽¹⁾₁ = w⁽¹⁾₁₁·x₁ + w⁽¹⁾₂₁·x₂ + b⁽¹⁾₁ = 0.15·0.05 + 0.2·0.1 + 0.35 = 0.3775" in text
    assert "a⁽¹⁾₁ = σ(z⁽¹⁾₁) = σ(0.3775) = 0.5933" in text
    assert "L = ½·(ŷ₁ − y₁)² + ½·(ŷ₂ − y₂)² = ½·(0.7514 − 0.01)² + ½·(0.7729 − 0.99)² = 0.2984" in text
    assert "∂L/∂ŷ₁ = ŷ₁ − y₁ = 0.7514 − 0.01 = 0.7414" in text
    assert "δ⁽²⁾₁ = ∂L/∂ŷ₁·σ'(z⁽²⁾₁) = 0.7414·0.1868 = 0.1385" in text
    assert "δ⁽¹⁾₁ = (w⁽²⁾₁₁·δ⁽²⁾₁ + w⁽²⁾₁₂·δ⁽²⁾₂)·σ'(z⁽¹⁾₁) = (0.4·0.1385 + 0.5·(-0.0381))·0.2413" in text
    assert "w⁽²⁾₁₁ ← w⁽²⁾₁₁ − η·∂L/∂w⁽²⁾₁₁ = 0.4 − 0.5·0.0822 = 0.3589" in text
    # His w5 is our W⁽²⁾[0, 0]; with 9 decimals the trace prints his numbers.
    assert "w⁽²⁾₁₁ ← w⁽²⁾₁₁ − η·∂L/∂w⁽²⁾₁₁ = 0.4 − 0.5·0.082167041 = 0.35891648" in t.text(digits=9)


def test_trace_leaves_the_network_alone():
    net = mazur_net()
    theta, grad = net.theta.copy(), net.grad.copy()
    trace(net, [[0.05, 0.10]], [[0.01, 0.99]], loss="squared_error", lr=0.5)
    np.testing.assert_array_equal(net.theta, theta)
    np.testing.assert_array_equal(net.grad, grad)
    assert all(layer.Z is None and layer.dZ is None for layer in net.layers)


@pytest.mark.parametrize(
    "hidden, output, loss",
    [
        ("sigmoid", "sigmoid", None),
        ("tanh", "softmax", None),
        ("relu", "identity", None),
        ("elu", "softmax", "squared_error"),
        ("gelu", "sigmoid", "squared_error"),
        ("leaky_relu", "identity", "binary_cross_entropy"),
        ("softplus", "exp", None),
    ],
)
def test_trace_agrees_with_the_engine(hidden, output, loss):
    rng = np.random.default_rng(0)
    net = gn.Network([3, 4, 3, 2], activations=hidden, output=output, random_state=1)
    X = rng.normal(size=(3, 3))
    high = 0.9 if str(loss).endswith("cross_entropy") else 2  # probabilities for a cross-entropy
    Y = np.eye(2)[[0, 1, 1]] if output in ("softmax", "sigmoid") else rng.uniform(0.1, high, (3, 2))
    t = trace(net, X, Y, loss=loss, lr=0.05)
    reference = net.copy()
    value, grads = reference.gradients(X, Y, loss)
    assert t.loss == pytest.approx(value) == pytest.approx(t.sample_loss.mean())
    for layer, ref, (dW, db) in zip(t.layers, reference.layers, grads, strict=True):
        np.testing.assert_allclose(layer.dW, dW)
        np.testing.assert_allclose(layer.db, db)
        np.testing.assert_allclose(layer.dW, layer.A_prev.T @ layer.dZ, atol=1e-12)
        np.testing.assert_allclose(layer.W_new, ref.W - 0.05 * dW)
        np.testing.assert_allclose(layer.b_new, ref.b - 0.05 * db)
    for below, above in pairwise(t.layers):  # δ = (dZ⁺ W⁺ᵀ) ⊙ σ'(z)
        np.testing.assert_allclose(below.dA, above.dZ @ above.W.T, atol=1e-12)
        np.testing.assert_allclose(below.dZ, below.dA * below.dsigma, atol=1e-12)
    text = str(t)
    assert "── Forward pass ──" in text and "z⁽¹⁾₁[3] =" in text and "δ⁽¹⁾₂[3]" in text


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
    assert "dZ = (A − Y) / n" in text and "z⁽¹⁾₁" not in text
    assert "z⁽¹⁾₁[1] =" in t.text(detailed=True)  # the long form is still available
    assert repr(t).startswith("Trace(network 10 → 8 → 3")
    assert isinstance(t, Trace)


def test_bad_arguments():
    with pytest.raises(ValueError, match="lr"):
        trace(small_net(), [[1, 2]], [[1]], lr=0)
    with pytest.raises(ValueError, match="features"):
        trace(small_net(), [[1, 2, 3]], [[1]])


# --------------------------------------------------------------------------- textbook notation


def textbook_221():
    """The seed tutorial's 2-2-1 sigmoid network, entered as printed: z = W a + b."""
    return gn.Network.from_weights(
        [[[0.1, 0.2], [0.3, 0.4]], [[0.5, 0.6]]], [[0.1, 0.2], [0.3]], activations="sigmoid", layout="out_in"
    )


def test_the_textbook_221_example_in_the_textbook_layout():
    t = trace(textbook_221(), [1, 2], [1], lr=0.1, layout="out_in")
    text = t.text()
    for line in [
        "z⁽¹⁾ = [0.6, 1.3]",
        "a⁽¹⁾ = [0.6457, 0.7858]",
        "z⁽²⁾ = [1.0943]",
        "a⁽²⁾ = [0.7492]",
        "= 0.2888",
        "δ⁽²⁾ = [-0.2508]",
        "∂L/∂W⁽²⁾ = [[-0.1619, -0.1971]]",
        "δ⁽¹⁾ = [-0.0287, -0.0253]",
        "∂L/∂W⁽¹⁾ = [[-0.0287, -0.0574], [-0.0253, -0.0507]]",
        "new W⁽¹⁾ = [[0.1029, 0.2057], [0.3025, 0.4051]]",
        "new W⁽²⁾ = [[0.5162, 0.6197]]",
        # the textbook's w⁽¹⁾₁₂ = W¹[0, 1] = 0.2 joins x₂ to unit 1
        "z⁽¹⁾₁ = w⁽¹⁾₁₁·x₁ + w⁽¹⁾₁₂·x₂ + b⁽¹⁾₁ = 0.1·1 + 0.2·2 + 0.1 = 0.6",
        "δ⁽¹⁾₂ = (w⁽²⁾₁₂·δ⁽²⁾₁)·σ'(z⁽¹⁾₂) = (0.6·(-0.2508))·0.1683 = -0.0253",
        "w⁽¹⁾₁₂ ← w⁽¹⁾₁₂ − η·∂L/∂w⁽¹⁾₁₂ = 0.2 − 0.1·(-0.0574) = 0.2057",
    ]:
        assert line in text, line
    assert "W⁽ˡ⁾[j, i] (the textbook layout, z = W a + b)" in text
    assert t.loss == pytest.approx(-math.log(sigmoid(0.5 * sigmoid(0.6) + 0.6 * sigmoid(1.3) + 0.3)))
    # The same step in glassnet's layout names the weight by its place in W = W_textbookᵀ.
    ours = t.text(layout="in_out")
    assert "z⁽¹⁾₁ = w⁽¹⁾₁₁·x₁ + w⁽¹⁾₂₁·x₂ + b⁽¹⁾₁ = 0.1·1 + 0.2·2 + 0.1 = 0.6" in ours
    assert "new W⁽¹⁾ = [[0.1029, 0.3025], [0.2057, 0.4051]]" in ours
    matrices = t.text(detailed=False)
    assert "W⁽¹⁾ (2, 2) · a_prev (2, 1) + b⁽¹⁾ (2, 1) → z⁽¹⁾ (2, 1)" in matrices
    assert "[[-0.1619 -0.1971]]" in matrices


def test_digits_and_the_tanh_exercise_whose_printed_answer_slips():
    # The seed's exercise: x = [0.5, 0.8], tanh hidden layer, sigmoid output. Its solution
    # prints z² = 0.5312 and a² = 0.6298, but 0.3·tanh(0.42) + 0.7·tanh(0.48) + 0.2 = 0.6314.
    net = gn.Network.from_weights(
        [[[0.2, 0.4], [0.6, 0.1]], [[0.3, 0.7]]],
        [[0, 0.1], [0.2]],
        activations=["tanh", "sigmoid"],
        layout="out_in",
    )
    t = trace(net, [0.5, 0.8], [1], layout="out_in")
    z2 = 0.3 * math.tanh(0.42) + 0.7 * math.tanh(0.48) + 0.2
    assert t.layers[1].Z[0, 0] == pytest.approx(z2) and round(z2, 4) == 0.6314
    text = t.text()
    assert "z⁽¹⁾ = [0.42, 0.48]" in text and "a⁽¹⁾ = [0.3969, 0.4462]" in text
    assert "z⁽²⁾ = [0.6314]" in text and f"a⁽²⁾ = [{f4(sigmoid(z2))}]" in text
    assert "z⁽²⁾ = [0.63145]" in t.text(digits=6)  # 0.631450, trailing zero dropped
    assert "a⁽¹⁾ = [0.39693, 0.44624]" in t.text(digits=5)
    with pytest.raises(ValueError, match="digits"):
        t.text(digits=0)
    with pytest.raises(ValueError, match="layout"):
        trace(net, [0.5, 0.8], [1], layout="textbook")


def test_numbers_are_printed_as_texts_print_them():
    from glassnet.glass.tracetext import Numbers

    four = Numbers(4)
    assert [four.num(x) for x in (0.6, 1.0943291, -0.028690, 0.0005737, 0.0, -0.0, 2.0, 1234567.0)] == [
        "0.6",
        "1.0943",
        "-0.0287",
        "0.0005737",
        "0",
        "0",
        "2",
        "1.235e+06",
    ]
    assert four.fac(-0.25) == "(-0.25)" and four.vec([0.6, 1.3]) == "[0.6, 1.3]"


def test_a_one_output_batch_takes_1d_targets_and_a_step_can_be_taken():
    net = textbook_221()
    t = trace(net, [[1, 2], [0, 1], [2, 0]], [1, 0, 1])
    np.testing.assert_array_equal(t.Y, [[1], [0], [1]])
    assert "ℓ[3] =" in t.text() and "L = (" in t.text()
    stepped = t.apply_to(net.copy())
    np.testing.assert_array_equal(stepped.layers[0].W, t.layers[0].W_new)
    assert trace(stepped, [[1, 2], [0, 1], [2, 0]], [1, 0, 1]).loss < t.loss


def test_steps_that_diverge_stop_with_the_step_named_not_with_nan_and_inf():
    # lr = 5 on inputs of 30 and 40: the weights overflow at step 136. The steps used to go
    # on with inf and nan (and NumPy's warnings), and --json wrote NaN and Infinity.
    import warnings

    net = gn.Network([2, 2, 1], activations=["tanh", "identity"], random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow warnings either
        with pytest.raises(
            ValueError, match=r"the steps diverged at step \d+: the loss or the weights became NaN"
        ):
            trace_steps(net, [[30.0, 40.0]], [[1.0]], steps=200, loss="squared_error", lr=5.0)
    assert len(trace_steps(net, [[30.0, 40.0]], [[1.0]], steps=3, loss="squared_error", lr=0.01)) == 3
