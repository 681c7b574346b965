"""Network: flat parameter views, shapes, a hand-worked training step, bad input."""

import pickle

import numpy as np
import pytest

import glassnet as gn


def sigmoid_221():
    """The textbook 2-2-1 sigmoid network with every number set by hand."""
    net = gn.Network([2, 2, 1], activations="sigmoid", random_state=0)
    # W has shape (n_in, n_out): column j holds the weights into neuron j.
    net.layers[0].W = [[0.1, 0.3], [0.2, 0.4]]
    net.layers[0].b = [0.1, 0.2]
    net.layers[1].W = [[0.5], [0.6]]
    net.layers[1].b = [0.1]
    return net


def test_hand_worked_training_step_of_a_221_sigmoid_network():
    net = sigmoid_221()
    X, Y = np.array([[1.0, 2.0]]), np.array([[1.0]])

    loss, grads = net.gradients(X, Y, loss="binary_cross_entropy")
    h, o = net.layers

    # Forward pass, neuron by neuron.
    #   z1 = 0.1·1 + 0.2·2 + 0.1 = 0.6          a1 = σ(0.6) = 0.645656
    #   z2 = 0.3·1 + 0.4·2 + 0.2 = 1.3          a2 = σ(1.3) = 0.785835
    #   z3 = 0.5·a1 + 0.6·a2 + 0.1 = 0.894329    a3 = σ(z3)  = 0.709783
    np.testing.assert_allclose(h.Z, [[0.6, 1.3]], atol=1e-12)
    np.testing.assert_allclose(h.A, [[0.6456563, 0.7858350]], atol=1e-4)
    np.testing.assert_allclose(o.Z, [[0.8943291]], atol=1e-4)
    np.testing.assert_allclose(o.A, [[0.7097827]], atol=1e-4)
    # Loss: L = −log a3 = −log 0.709783 = 0.342796
    assert loss == pytest.approx(0.3427963, abs=1e-4)

    # Backward pass. Output: δ3 = a3 − y = 0.709783 − 1 = −0.290217
    np.testing.assert_allclose(o.dZ, [[-0.2902173]], atol=1e-4)
    # dW2 = [a1, a2]ᵀ δ3 = [0.645656·(−0.290217), 0.785835·(−0.290217)]
    np.testing.assert_allclose(grads[1][0], [[-0.1873806], [-0.2280629]], atol=1e-4)
    np.testing.assert_allclose(grads[1][1], [-0.2902173], atol=1e-4)
    # Hidden: δ1 = w·δ3·a1(1 − a1) = 0.5·(−0.290217)·0.645656·0.354344 = −0.033199
    #         δ2 = 0.6·(−0.290217)·0.785835·0.214165 = −0.029306
    np.testing.assert_allclose(h.dZ, [[-0.0331986, -0.0293059]], atol=1e-4)
    # dW1 = xᵀ δ = [[1·δ1, 1·δ2], [2·δ1, 2·δ2]],  db1 = δ
    np.testing.assert_allclose(grads[0][0], [[-0.0331986, -0.0293059], [-0.0663971, -0.0586117]], atol=1e-4)
    np.testing.assert_allclose(grads[0][1], [-0.0331986, -0.0293059], atol=1e-4)

    # One step of gradient descent with η = 0.5: θ ← θ − 0.5·∂L/∂θ
    gn.SGD(lr=0.5).step(net.theta, net.grad)
    np.testing.assert_allclose(h.W, [[0.1165993, 0.3146529], [0.2331986, 0.4293059]], atol=1e-4)
    np.testing.assert_allclose(h.b, [0.1165993, 0.2146529], atol=1e-4)
    np.testing.assert_allclose(o.W, [[0.5936903], [0.7140314]], atol=1e-4)
    np.testing.assert_allclose(o.b, [0.2451086], atol=1e-4)


def test_layers_are_views_into_one_flat_vector():
    net = gn.Network([3, 4, 2], random_state=0)
    assert net.theta.size == 3 * 4 + 4 * 2 + 4 + 2 == net.n_params
    # Layout: all weights first, then all biases (scikit-learn's packing order).
    net.layers[1].W = np.arange(8.0).reshape(4, 2)
    np.testing.assert_array_equal(net.theta[12:20], np.arange(8.0))
    net.theta[20:24] = 7.0
    np.testing.assert_array_equal(net.layers[0].b, 7.0)
    assert np.shares_memory(net.layers[0].W, net.theta)
    assert np.shares_memory(net.layers[1].dW, net.grad)


def test_weight_assignment_checks_the_shape():
    net = gn.Network([3, 4, 2], random_state=0)
    with pytest.raises(ValueError, match=r"W must have shape \(3, 4\)"):
        net.layers[0].W = np.zeros(12)
    with pytest.raises(ValueError, match="pass W.T"):
        net.layers[0].W = np.zeros((4, 3))
    net.layers[0].b = 0.25  # a scalar fills every entry
    np.testing.assert_array_equal(net.layers[0].b, [0.25] * 4)


def test_same_seed_gives_identical_weights_and_float32_is_kept():
    a = gn.Network([5, 8, 3], output="softmax", random_state=42)
    b = gn.Network([5, 8, 3], output="softmax", random_state=42)
    c = gn.Network([5, 8, 3], output="softmax", random_state=43)
    np.testing.assert_array_equal(a.theta, b.theta)
    assert not np.array_equal(a.theta, c.theta)
    net32 = gn.Network([5, 8, 3], output="softmax", random_state=0, dtype=np.float32)
    X = np.ones((2, 5), dtype=np.float32)
    assert net32.forward(X).dtype == np.float32
    assert net32.theta.dtype == np.float32


def test_activations_per_layer_or_hidden_plus_output():
    net = gn.Network([2, 3, 3, 1], activations=["tanh", "relu", "sigmoid"])
    assert [l.activation.name for l in net.layers] == ["tanh", "relu", "sigmoid"]
    net = gn.Network([2, 3, 3, 1], activations="tanh", output="identity")
    assert [l.activation.name for l in net.layers] == ["tanh", "tanh", "identity"]
    net = gn.Network([2, 3, 1], activations="sigmoid")
    assert [l.activation.name for l in net.layers] == ["sigmoid", "sigmoid"]
    with pytest.raises(ValueError, match="expected 2 activations"):
        gn.Network([2, 3, 1], activations=["tanh"])
    with pytest.raises(ValueError, match="only valid as the output"):
        gn.Network([2, 3, 1], activations=["softmax", "identity"])


def test_forward_caches_what_backward_needs():
    net = gn.Network([3, 4, 2], activations="tanh", output="softmax", random_state=1)
    X = np.random.default_rng(0).normal(size=(5, 3))
    Y_hat = net.forward(X)
    np.testing.assert_allclose(Y_hat.sum(axis=1), 1.0)
    h, o = net.layers
    np.testing.assert_allclose(h.Z, X @ h.W + h.b)
    np.testing.assert_allclose(h.A, np.tanh(h.Z))
    assert o.A_prev is h.A
    np.testing.assert_allclose(net.predict_output(X), Y_hat)
    np.testing.assert_array_equal(net.predict(X), Y_hat.argmax(axis=1))


def test_chunked_prediction_equals_one_pass():
    net = gn.Network([4, 16, 3], output="softmax", random_state=0)
    X = np.random.default_rng(1).normal(size=(1000, 4))
    np.testing.assert_allclose(net.predict_output(X, batch_size=64), net.forward(X), rtol=1e-12)


def test_summary_lists_layers_shapes_and_parameter_count():
    net = gn.Network([64, 128, 64, 10], activations="relu", output="softmax")
    text = net.summary()
    assert "64 → 128" in text and "128 → 64" in text and "64 → 10" in text
    assert "Softmax" in text
    assert f"total parameters: {64 * 128 + 128 + 128 * 64 + 64 + 64 * 10 + 10}" in text


def test_copy_and_pickle_are_independent_and_exact():
    net = gn.Network([3, 5, 2], output="softmax", random_state=0)
    twin = net.copy()
    np.testing.assert_array_equal(twin.theta, net.theta)
    twin.layers[0].W = 0.0
    assert not np.array_equal(twin.theta, net.theta)
    restored = pickle.loads(pickle.dumps(net))
    X = np.random.default_rng(0).normal(size=(4, 3))
    np.testing.assert_array_equal(restored.forward(X), net.forward(X))
    assert np.shares_memory(restored.layers[1].W, restored.theta)


def test_l2_term_is_half_alpha_sum_of_squared_weights_over_n():
    net = gn.Network([2, 2, 1], activations="identity", random_state=0)
    net.theta[:] = 0.0
    net.layers[0].W = [[1.0, 2.0], [3.0, 4.0]]
    net.layers[0].b = [5.0, 6.0]  # biases are not penalised
    X, Y = np.zeros((4, 2)), np.zeros((4, 1))
    loss, grads = net.gradients(X, Y, l2=0.5)
    # ½·0.5·(1 + 4 + 9 + 16)/4 = 1.875; the data term is 0 (all outputs 0 = targets)
    assert loss == pytest.approx(1.875)
    np.testing.assert_allclose(grads[0][0], 0.5 / 4 * np.array([[1.0, 2.0], [3.0, 4.0]]))


def test_sample_weight_gives_the_weighted_mean_loss():
    net = gn.Network([1, 1], activations="identity", random_state=0)
    net.layers[0].W = [[0.0]]
    net.layers[0].b = [0.0]
    X, Y = np.zeros((2, 1)), np.array([[1.0], [3.0]])
    loss, _ = net.gradients(X, Y, sample_weight=[3.0, 1.0])
    # ℓ = ½(0−1)² = 0.5 and ½(0−3)² = 4.5; weighted mean (3·0.5 + 1·4.5)/4 = 1.5
    assert loss == pytest.approx(1.5)


@pytest.mark.parametrize(
    "bad, message",
    [
        (np.array([[1.0, np.nan, 0.0]]), "NaN"),
        (np.array([[1.0, np.inf, 0.0]]), "infinite"),
        (np.ones((2, 4)), "has 4 features, but the network expects 3"),
        (np.ones((0, 3)), "empty"),
        (np.ones(3), "must be 2-D"),
        (np.array([["a", "b", "c"]]), "numeric"),
    ],
)
def test_bad_input_gets_a_clear_error(bad, message):
    net = gn.Network([3, 4, 2], random_state=0)
    with pytest.raises(ValueError, match=message):
        net.forward(bad)


def test_bad_targets_and_sizes_get_clear_errors():
    net = gn.Network([3, 4, 2], random_state=0)
    X = np.ones((5, 3))
    with pytest.raises(ValueError, match="different numbers of samples: 5 and 4"):
        net.gradients(X, np.ones((4, 2)))
    with pytest.raises(ValueError, match="NaN"):
        net.gradients(X, np.full((5, 2), np.nan))
    with pytest.raises(ValueError, match="positive integers"):
        gn.Network([3, 0, 2])
    with pytest.raises(ValueError, match="positive integers"):
        gn.Network([3, -4, 2])
    with pytest.raises(ValueError, match="at least an input and an output"):
        gn.Network([3])
    with pytest.raises(ValueError, match="valid activations are: .*relu"):
        gn.Network([3, 2], activations="relu6")
    with pytest.raises(ValueError, match="valid initializers are"):
        gn.Network([3, 2], init="orthogonal")
    with pytest.raises(ValueError, match="dropout rates"):
        gn.Network([3, 4, 2], dropout=1.5)


@pytest.mark.parametrize(
    "sizes, activation",
    [([3, 5, 4, 2], "relu"), ([3, 5, 4, 2], "tanh"), ([3, 2], "relu")],
    ids=["relu-fused", "tanh", "no-hidden-layer"],
)
@pytest.mark.parametrize(
    "bad, message",
    [(np.nan, "X contains NaN"), (np.inf, "X contains infinite"), (-np.inf, "X contains infinite")],
)
def test_prediction_checks_every_chunk_for_nan_and_inf(bad, message, sizes, activation):
    net = gn.Network(sizes, activations=activation, random_state=0)
    X = np.random.default_rng(1).normal(size=(50, 3))
    X[37, 1] = bad  # in the fourth chunk of 10 rows
    with pytest.raises(ValueError, match=message):
        net.predict_output(X, batch_size=10)
    with pytest.raises(ValueError, match=message):
        net.predict(X)


def test_prediction_of_finite_input_that_overflows_is_not_called_bad_input():
    net = gn.Network([2, 3, 1], activations="identity", random_state=0, dtype=np.float32)
    net.layers[0].W = np.full((2, 3), 1e30)
    X = np.full((4, 2), 1e30, dtype=np.float32)  # finite, but X W overflows float32
    with pytest.warns(RuntimeWarning, match="overflow"):  # NumPy's own word on it
        assert np.isinf(net.predict_output(X)).all()


def test_softmax_labels_are_the_argmax_of_the_probabilities():
    rng = np.random.default_rng(2)
    net = gn.Network([4, 8, 5], activations="relu", output="softmax", random_state=0)
    X = rng.normal(size=(300, 4)) * 3
    np.testing.assert_array_equal(net.predict(X), net.predict_output(X).argmax(axis=1))
    net.classes_ = np.array(list("abcde"))
    np.testing.assert_array_equal(net.predict(X), net.classes_[net.predict_output(X).argmax(axis=1)])


def test_sizes_past_the_parameter_limit_are_refused_before_allocating():
    import tracemalloc

    tracemalloc.start()
    with pytest.raises(ValueError, match=r"make 10,000,500,001 parameters \(74.5 GiB in float64\)"):
        gn.Network([2, 100000, 100000, 1])
    assert tracemalloc.get_traced_memory()[1] < 1_000_000
    tracemalloc.stop()


@pytest.mark.parametrize("dtype", [np.float16, np.int32, "complex128", "nonsense"])
def test_only_float32_and_float64_networks(dtype):
    with pytest.raises(ValueError, match="dtype must be float32 or float64"):
        gn.Network([2, 3, 1], dtype=dtype)


def test_complex_inputs_are_refused_not_silently_made_real():
    net = gn.Network([2, 3, 1], output="sigmoid", random_state=0)
    X = np.ones((4, 2)) * (1 + 1j)
    for call in (
        lambda: net.predict(X),
        lambda: net.forward(X),
        lambda: gn.train(net, X, [0, 1, 0, 1], epochs=1),
    ):
        with pytest.raises(ValueError, match="X has complex values"):
            call()
    reg = gn.Network([2, 3, 1], output="identity", random_state=0)
    with pytest.raises(ValueError, match="y has complex values"):
        gn.train(reg, np.ones((4, 2)), np.ones(4) * 1j, epochs=1)


# --------------------------------------------------------------------------- textbook layout

TEXTBOOK_W = [[[0.1, 0.2], [0.3, 0.4]], [[0.5, 0.6]]]  # z = W a + b, W of shape (n_out, n_in)
TEXTBOOK_B = [[0.1, 0.2], [0.3]]


def test_from_weights_in_the_textbook_layout_gives_the_textbooks_numbers():
    net = gn.Network.from_weights(TEXTBOOK_W, TEXTBOOK_B, activations="sigmoid", layout="out_in")
    assert net.layer_sizes == [2, 2, 1]
    net.forward([[1.0, 2.0]])
    np.testing.assert_allclose(net.layers[0].Z, [[0.6, 1.3]])  # 0.1·1 + 0.2·2 + 0.1, 0.3·1 + 0.4·2 + 0.2
    np.testing.assert_allclose(net.layers[1].Z, [[0.5 / (1 + np.exp(-0.6)) + 0.6 / (1 + np.exp(-1.3)) + 0.3]])
    W, b = net.layers[0].get_weights(layout="out_in")
    np.testing.assert_array_equal(W, TEXTBOOK_W[0])
    np.testing.assert_array_equal(net.layers[0].W, np.transpose(TEXTBOOK_W[0]))
    same = gn.Network.from_weights(
        [np.transpose(W) for W in TEXTBOOK_W], TEXTBOOK_B, activations="sigmoid", layout="in_out"
    )
    np.testing.assert_array_equal(same.theta, net.theta)


def test_a_square_matrix_without_a_layout_is_refused_naming_layout():
    with pytest.raises(ValueError, match=r"W⁽1⁾ is square.*layout='out_in'.*layout='in_out'"):
        gn.Network.from_weights(TEXTBOOK_W, TEXTBOOK_B, activations="sigmoid")
    net = gn.Network([2, 2, 1], activations="sigmoid")
    with pytest.raises(ValueError, match="square.*layout="):
        net.layers[0].set_weights(TEXTBOOK_W[0], TEXTBOOK_B[0])
    net.layers[0].set_weights(TEXTBOOK_W[0], TEXTBOOK_B[0], layout="out_in")
    np.testing.assert_array_equal(net.layers[0].W, [[0.1, 0.3], [0.2, 0.4]])


def test_non_square_matrices_say_their_layout_and_wrong_shapes_are_named():
    out_in = gn.Network.from_weights(
        [np.ones((3, 2)), np.ones((1, 3))], [np.zeros(3), [0.0]], activations="tanh"
    )
    in_out = gn.Network.from_weights(
        [np.ones((2, 3)), np.ones((3, 1))], [np.zeros(3), [0.0]], activations="tanh"
    )
    assert out_in.layer_sizes == in_out.layer_sizes == [2, 3, 1]
    layer = gn.Network([3, 2, 1]).layers[0]
    layer.set_weights(np.arange(6.0).reshape(2, 3))  # only (n_out, n_in) fits
    np.testing.assert_array_equal(layer.W, np.arange(6.0).reshape(2, 3).T)
    with pytest.raises(ValueError, match=r"in layout 'in_out' must have shape \(3, 2\)"):
        layer.set_weights(np.ones((2, 3)), layout="in_out")
    with pytest.raises(ValueError, match="both layouts"):
        gn.Network.from_weights([np.ones((2, 3))], activations="tanh")  # no bias: 2 → 3 or 3 → 2
    with pytest.raises(ValueError, match="chain"):
        gn.Network.from_weights([np.ones((2, 3)), np.ones((2, 1))], activations="tanh", layout="in_out")
    with pytest.raises(ValueError, match="unknown layout"):
        gn.Network.from_weights(TEXTBOOK_W, TEXTBOOK_B, activations="sigmoid", layout="rows")


def test_a_single_weight_reads_the_same_in_both_layouts():
    net = gn.Network.from_weights([[[0.3]], [[0.2]]], [[0.1], [0.2]], activations="sigmoid")
    assert net.layer_sizes == [1, 1, 1] and net.layers[1].W[0, 0] == 0.2
    with pytest.raises(ValueError, match=r"must have shape \(2, 3\)"):
        gn.Network([2, 3]).layers[0].set_weights([[0.5]])


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"sample_weight": np.zeros(5)}, "sample_weight must be finite, non-negative and not all zero"),
        ({"sample_weight": -np.ones(5)}, "sample_weight must be finite, non-negative and not all zero"),
        ({"l2": -1.0}, "l2 must be a non-negative number, got -1.0"),
        ({"l1": float("inf")}, "l1 must be a non-negative number, got inf"),
    ],
)
def test_gradients_checks_what_train_checks(kwargs, message):
    # Zero weights used to give a NaN loss (a RuntimeWarning only); negative ones and a
    # negative l2 were taken as given.
    net = gn.Network([3, 3, 1], output="sigmoid", random_state=0)
    X = np.random.default_rng(0).normal(size=(5, 3))
    with pytest.raises(ValueError, match=message):
        net.gradients(X, np.array([0.0, 1.0, 0.0, 1.0, 1.0]), **kwargs)


def test_gradients_refuses_targets_outside_the_losss_domain():
    # Targets 5 and 7 under binary cross-entropy gave a loss of -0.16.
    net = gn.Network([3, 3, 1], output="sigmoid", random_state=0)
    X = np.random.default_rng(0).normal(size=(5, 3))
    with pytest.raises(
        ValueError, match=r"binary cross-entropy needs targets in \[0, 1\], got values from 5 to 7"
    ):
        net.gradients(X, np.array([5.0, 7.0, 5.0, 7.0, 7.0]))
    softmax = gn.Network([3, 3], output="softmax", random_state=0)
    with pytest.raises(ValueError, match=r"categorical cross-entropy needs targets in \[0, 1\]"):
        softmax.gradients(X, -np.eye(3)[[0, 1, 2, 0, 1]])
    poisson = gn.Network([3, 1], output="exp", random_state=0)
    with pytest.raises(ValueError, match=r"Poisson deviance needs targets in \[0, inf\], got values from -1"):
        poisson.gradients(X, np.array([-1.0, 0.0, 1.0, 2.0, 3.0]))
    assert np.isfinite(poisson.gradients(X, np.array([0.0, 0.0, 1.0, 2.0, 3.0]))[0])


def test_weights_that_are_not_finite_are_refused_at_every_door():
    # They were taken as given: predict_output returned NaN and predict class 0, silently.
    net = gn.Network([2, 2, 1], output="sigmoid", random_state=0)
    before = net.theta.copy()
    with pytest.raises(ValueError, match="theta contains NaN values"):
        net.set_params(np.full(net.n_params, np.nan))
    with pytest.raises(ValueError, match="W holds NaN or infinite values"):
        net.layers[0].W = np.nan
    with pytest.raises(ValueError, match="b holds NaN or infinite values"):
        net.layers[1].set_weights([[1.0], [2.0]], [np.inf])
    np.testing.assert_array_equal(net.theta, before)  # nothing was half-written
    with pytest.raises(ValueError, match="holds NaN or infinite values"):
        gn.Network.from_weights([[[np.nan, 1.0]]], activations="sigmoid", layout="out_in")


@pytest.mark.parametrize("dtype", [int, np.float16, "complex128"])
def test_astype_takes_the_dtypes_the_constructor_takes(dtype):
    net = gn.Network([2, 2, 1], random_state=0)
    with pytest.raises(ValueError, match="dtype must be float32 or float64"):
        net.astype(dtype)
    assert net.dtype == np.float64 and net.astype(np.float32).theta.dtype == np.float32


@pytest.mark.parametrize("batch_size", [0, -1, 2.5])
def test_predict_output_refuses_a_batch_size_that_is_not_a_positive_integer(batch_size):
    # -1 said "negative dimensions are not allowed"; 0 was silently ignored.
    net = gn.Network([2, 2, 1], random_state=0)
    with pytest.raises(ValueError, match=f"batch_size must be a positive integer, got {batch_size}"):
        net.predict_output(np.zeros((3, 2)), batch_size=batch_size)


def test_a_network_without_sizes_or_activations_says_which_is_missing():
    # Both said "'NoneType' object is not iterable".
    with pytest.raises(
        TypeError, match=r"layer_sizes must be a list of layer sizes such as \[2, 8, 1\], got None"
    ):
        gn.Network(None)
    with pytest.raises(TypeError, match="layer_sizes must be a list of layer sizes .* got '2,1'"):
        gn.Network("2,1")
    with pytest.raises(
        TypeError, match="activations must name one activation for every layer, or one per layer"
    ):
        gn.Network([2, 1], activations=None)


def test_classes_must_fit_the_head():
    # Three labels on one sigmoid output were taken; predict then picked from the first two.
    binary = gn.Network([2, 3, 1], output="sigmoid", random_state=0)
    with pytest.raises(
        ValueError, match=r"classes_ of this binary network must be 2 distinct labels .* got \[7, 8, 9\]"
    ):
        binary.classes_ = [7, 8, 9]
    with pytest.raises(ValueError, match=r"must be 2 distinct labels in a 1-D array, got \(2, 1\)"):
        binary.classes_ = [[7], [8]]
    with pytest.raises(ValueError, match=r"got \[a, a\]"):
        binary.classes_ = ["a", "a"]
    binary.classes_ = ["no", "yes"]
    assert set(binary.predict(np.zeros((3, 2))).tolist()) <= {"no", "yes"}
    softmax = gn.Network([2, 3], output="softmax", random_state=0)
    softmax.classes_ = [7, 8, 9]
    with pytest.raises(ValueError, match="a regression network has no classes; classes_ can only be None"):
        gn.Network([2, 1], random_state=0).classes_ = [0, 1]
