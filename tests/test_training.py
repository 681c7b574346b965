"""The training loop: real learning, batching, stopping rules, restarts, failure handling."""

import re
import tracemalloc
import warnings

import numpy as np
import pytest
import scipy.sparse as sp

import glassnet as gn
from glassnet import _compiled_epoch, data
from glassnet.callbacks import Callback, EarlyStopping, PrintProgress, StopAtGradNorm, StopAtLoss


def accuracy(net, X, y):
    return float(np.mean(net.predict(X) == y))


def test_xor_is_learned_perfectly_with_plain_gradient_descent():
    X, y = data.xor(4)
    net = gn.Network([2, 4, 1], activations="tanh", output="sigmoid", random_state=1)
    history = gn.train(net, X, y, optimizer="sgd", lr=0.5, epochs=2000, batch_size=None)
    assert accuracy(net, X, y) == 1.0
    assert history.loss[-1] < 0.01 < history.loss[0]
    assert history.accuracy[-1] == 1.0


def test_two_moons_reach_95_percent_on_the_test_split():
    X, y = data.moons(500, noise=0.2, random_state=0)
    X_tr, X_te, y_tr, y_te = data.train_test_split(X, y, test_size=0.2, random_state=0)
    net = gn.Network([2, 16, 8, 1], activations="relu", output="sigmoid", random_state=0)
    gn.train(net, X_tr, y_tr, optimizer="adam", lr=0.01, epochs=300, batch_size=32, random_state=0)
    assert accuracy(net, X_te, y_te) >= 0.95


def test_three_classes_with_softmax_adam_and_minibatches_of_50():
    from sklearn.datasets import make_classification  # BENCH.md's "small" problem

    X, y = make_classification(500, n_features=5, n_informative=3, n_classes=3, random_state=0)
    X_tr, X_te, y_tr, y_te = data.train_test_split(X, y, test_size=0.2, random_state=0)
    X_tr, X_te, _ = data.standardize(X_tr, X_te)
    net = gn.Network([5, 50, 3], activations="relu", output="softmax", random_state=0)
    history = gn.train(net, X_tr, y_tr, optimizer="adam", lr=0.01, epochs=100, batch_size=50, random_state=0)
    assert accuracy(net, X_te, y_te) > 0.82
    assert history.epochs == 100


def test_regression_fits_a_sine():
    rng = np.random.default_rng(0)
    X = rng.uniform(-3, 3, (400, 1))
    y = np.sin(X[:, 0]) + 0.05 * rng.normal(size=400)
    net = gn.Network([1, 32, 32, 1], activations="tanh", output="identity", random_state=0)
    gn.train(net, X, y, optimizer="adam", lr=0.01, epochs=300, batch_size=32, random_state=0)
    pred = net.predict(X)
    assert pred.shape == (400,)
    r2 = 1 - np.sum((pred - y) ** 2) / np.sum((y - y.mean()) ** 2)
    assert r2 > 0.98


def test_multi_output_regression_and_multi_label_classification():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(300, 3))
    Y = np.column_stack([X[:, 0] + X[:, 1], X[:, 1] - 2 * X[:, 2]])
    net = gn.Network([3, 16, 2], activations="tanh", output="identity", random_state=0)
    gn.train(net, X, Y, optimizer="adam", lr=0.01, epochs=300, batch_size=32, random_state=0)
    assert np.mean((net.predict(X) - Y) ** 2) < 0.01

    labels = np.column_stack([X[:, 0] > 0, X[:, 1] + X[:, 2] > 0]).astype(int)
    net = gn.Network([3, 16, 2], activations="relu", output="sigmoid", random_state=0)
    gn.train(net, X, labels, optimizer="adam", lr=0.01, epochs=200, batch_size=32, random_state=0)
    assert net.predict(X).shape == (300, 2)
    assert np.mean(net.predict(X) == labels) > 0.95


def test_string_labels_round_trip_and_single_sigmoid_binary():
    X, y = data.blobs(300, centers=3, cluster_std=0.5, random_state=0)
    names = np.array(["cat", "dog", "emu"])[y]
    net = gn.Network([2, 8, 3], output="softmax", random_state=0)
    gn.train(net, X, names, lr=0.05, epochs=100, batch_size=32, random_state=0)
    assert list(net.classes_) == ["cat", "dog", "emu"]
    assert np.mean(net.predict(X) == names) > 0.95

    yes_no = np.where(y == 0, "yes", "no")
    net = gn.Network([2, 8, 1], output="sigmoid", random_state=0)
    gn.train(net, X, yes_no, lr=0.05, epochs=100, batch_size=32, random_state=0)
    assert set(net.predict(X)) <= {"yes", "no"}
    assert np.mean(net.predict(X) == yes_no) > 0.95


def test_batches_cover_every_sample_once_with_the_remainder_last():
    sizes = []
    X, y = data.blobs(53, random_state=0)
    net = gn.Network([2, 3], output="softmax", random_state=0)
    original = net.loss_and_grad

    def spy(Xb, Yb, *args, **kwargs):
        sizes.append(Xb.shape[0])
        return original(Xb, Yb, *args, **kwargs)

    net.loss_and_grad = spy
    gn.train(net, X, y, epochs=2, batch_size=10, random_state=0)
    assert sizes == [10, 10, 10, 10, 10, 3] * 2
    sizes.clear()
    gn.train(net, X, y, epochs=1, batch_size=None)
    assert sizes == [53]
    sizes.clear()
    gn.train(net, X, y, epochs=1, batch_size=1, random_state=0)
    assert sizes == [1] * 53


def test_same_seed_same_weights_and_float32_trains_in_float32():
    X, y = data.moons(200, noise=0.1, random_state=0)
    nets = []
    for _ in range(2):
        net = gn.Network([2, 8, 1], output="sigmoid", random_state=3)
        gn.train(net, X, y, epochs=5, batch_size=16, random_state=5)
        nets.append(net)
    np.testing.assert_array_equal(nets[0].theta, nets[1].theta)

    net = gn.Network([2, 8, 1], output="sigmoid", random_state=3)
    gn.train(net, X.astype(np.float32), y, epochs=5, batch_size=16, random_state=5)
    assert net.theta.dtype == np.float32 and net.predict_output(X.astype(np.float32)).dtype == np.float32


def test_l2_shrinks_weights_and_dropout_still_learns():
    X, y = data.moons(300, noise=0.2, random_state=0)
    norms = []
    for l2 in (0.0, 5.0):
        net = gn.Network([2, 32, 1], output="sigmoid", random_state=0)
        gn.train(net, X, y, lr=0.01, epochs=100, batch_size=32, l2=l2, random_state=0)
        norms.append(np.linalg.norm(net.theta[: net.n_weights]))
    assert norms[1] < 0.7 * norms[0]

    net = gn.Network([2, 64, 1], output="sigmoid", dropout=0.3, random_state=0)
    gn.train(net, X, y, lr=0.01, epochs=150, batch_size=32, random_state=0)
    assert accuracy(net, X, y) > 0.9
    # prediction is deterministic: dropout only acts during training
    np.testing.assert_array_equal(net.predict_output(X), net.predict_output(X))


def test_early_stopping_on_validation_restores_the_best_weights():
    X, y = data.moons(300, noise=0.35, random_state=1)
    net = gn.Network([2, 64, 64, 1], output="sigmoid", random_state=0)
    seen = {}

    def remember(epoch, logs):
        seen[epoch] = (logs["val_loss"], logs["net"].theta.copy())

    history = gn.train(
        net,
        X,
        y,
        lr=0.01,
        epochs=400,
        batch_size=16,
        validation=0.3,
        callbacks=[remember, EarlyStopping(patience=10)],
        random_state=0,
    )
    assert history.stop_reason == "early_stopping"
    assert history.epochs < 400
    best = int(np.argmin(history.val_loss))
    assert history.best_epoch == best
    assert history.epochs == best + 1 + 10
    np.testing.assert_array_equal(net.theta, seen[best][1])


def test_loss_threshold_grad_threshold_and_callback_stop_training():
    X, y = data.xor(4)
    net = gn.Network([2, 4, 1], activations="tanh", output="sigmoid", random_state=1)
    h = gn.train(net, X, y, optimizer="sgd", lr=0.5, epochs=5000, callbacks=[StopAtLoss(0.05)])
    assert h.stop_reason == "loss_threshold" and h.loss[-1] <= 0.05 < h.loss[-2]

    net = gn.Network([2, 4, 1], activations="tanh", output="sigmoid", random_state=1)
    h = gn.train(net, X, y, optimizer="sgd", lr=0.5, epochs=5000, callbacks=[StopAtGradNorm(1e-2)])
    assert h.stop_reason == "grad_threshold" and h.grad_norm[-1] < 1e-2 <= h.grad_norm[-2]

    h = gn.train(net, X, y, epochs=100, callbacks=[lambda epoch, logs: epoch == 6])
    assert h.stop_reason == "callback" and h.epochs == 7


def test_print_every_k_epochs(capsys):
    X, y = data.xor(4)
    net = gn.Network([2, 4, 1], activations="tanh", output="sigmoid", random_state=1)
    gn.train(net, X, y, optimizer="sgd", lr=0.5, epochs=30, callbacks=[PrintProgress(10)])
    lines = capsys.readouterr().out.strip().splitlines()
    assert [l.split()[1] for l in lines] == ["10/30", "20/30", "30/30"]
    assert "loss" in lines[0] and "accuracy" in lines[0]


def test_schedule_sets_the_learning_rate_each_epoch():
    X, y = data.xor(4)
    net = gn.Network([2, 4, 1], activations="tanh", output="sigmoid", random_state=1)
    h = gn.train(
        net,
        X,
        y,
        optimizer="sgd",
        lr=0.4,
        epochs=3,
        schedule="step",
    )
    assert h.lr == [0.4, 0.4, 0.4]
    h = gn.train(net, X, y, optimizer="sgd", lr=0.4, epochs=3, schedule=gn.InverseTime(0.4, decay=1.0))
    assert h.lr == pytest.approx([0.4, 0.2, 0.4 / 3])


def test_an_adaptive_schedule_passed_in_is_the_one_that_learns():
    X, y = data.xor(4)
    net = gn.Network([2, 4, 1], activations="tanh", output="sigmoid", random_state=1)
    plateau = gn.ReduceOnPlateau(0.5, factor=0.5, patience=1, threshold=10.0)
    h = gn.train(net, X, y, optimizer="sgd", lr=0.5, epochs=4, schedule=plateau)
    # epoch 1's loss improves on ∞; later ones never improve by 10, so each halves the rate
    assert h.lr == [0.5, 0.5, 0.25, 0.125]
    assert plateau.lr == 0.0625


def test_restarts_keep_the_best_of_several_initializations():
    X, y = data.xor(4)
    net = gn.Network([2, 2, 1], activations="tanh", output="sigmoid", random_state=0)
    h = gn.train(net, X, y, optimizer="sgd", lr=0.5, epochs=200, restarts=5, random_state=0)
    assert len(h.restart_losses) == 5
    assert h.loss[-1] == pytest.approx(min(h.restart_losses))
    final = net.resolve_loss(None)(net.predict_output(X), y.reshape(-1, 1))
    assert final == pytest.approx(min(h.restart_losses), rel=0.05)


def test_restarts_start_from_new_weights_when_network_and_train_share_a_seed():
    # Full batches draw nothing from the training generator: restarts drawn from it would
    # repeat the network's own first weights (seeded alike), and "best of 3" be best of 2.
    X, y = data.xor(4)

    class FirstWeights(Callback):
        def __init__(self):
            self.seen = []

        def on_train_begin(self, run):
            self.seen.append(run.net.theta.copy())

    full = FirstWeights()
    net = gn.Network([2, 4, 1], random_state=0)
    h = gn.train(
        net, X, y, optimizer="sgd", epochs=20, batch_size=None, restarts=3, random_state=0, callbacks=[full]
    )
    starts = full.seen
    assert len(starts) == 3 and len(set(h.restart_losses)) == 3
    for i in range(3):
        for j in range(i):
            assert not np.array_equal(starts[i], starts[j])
    # Restart k's weights are those of the k-th spawned generator, whatever the runs drew.
    for k in (1, 2):
        expected = gn.Network([2, 4, 1], random_state=0).initialize(np.random.default_rng(0).spawn(2)[k - 1])
        np.testing.assert_array_equal(starts[k], expected.theta)
    shuffled = FirstWeights()  # mini-batches draw from the generator: the restarts start the same
    gn.train(
        gn.Network([2, 4, 1], random_state=0),
        X,
        y,
        epochs=3,
        batch_size=2,
        restarts=3,
        random_state=0,
        callbacks=[shuffled],
    )
    np.testing.assert_array_equal(shuffled.seen[1], starts[1])
    np.testing.assert_array_equal(shuffled.seen[2], starts[2])


def _epoch_weights(log):
    """A callback recording the weights after every epoch."""
    return lambda epoch, logs: log.append(logs["net"].theta.copy())


def test_a_sigmoid_run_whose_weights_explode_is_stopped_before_any_nan():
    # The loss of a sigmoid output stays finite (≈ 18) while lr = 1e10 throws the
    # weights to 1e96: the weights give it away, and the initial weights are kept.
    X, y = data.moons(200, noise=0.2, random_state=0)
    net = gn.Network([2, 8, 1], activations="relu", output="sigmoid", random_state=0)
    start = net.theta.copy()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        h = gn.train(net, X, y, optimizer="sgd", lr=1e10, epochs=200, batch_size=32, random_state=0)
    assert [w.category for w in caught] == [gn.TrainingDivergedWarning]
    message = str(caught[0].message)
    assert message.startswith("training diverged at epoch 1: a weight grew past")
    assert "the initial weights were kept" in message
    assert h.stop_reason == "diverged" and h.divergence == "exploding weights" and h.epochs == 0
    np.testing.assert_array_equal(net.theta, start)


def test_an_exploding_loss_is_caught_while_finite_and_the_best_epoch_is_kept():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(100, 3))
    y = X @ np.array([1.0, 2.0, 3.0])
    net = gn.Network([3, 8, 1], activations="tanh", output="identity", random_state=0)
    seen = []
    with pytest.warns(gn.TrainingDivergedWarning, match="the loss grew past 1000 times") as caught:
        h = gn.train(
            net, X, y, optimizer="sgd", lr=1.0, epochs=500, batch_size=None, callbacks=[_epoch_weights(seen)]
        )
    assert len(caught) == 1
    assert h.divergence == "exploding loss" and np.isfinite(h.loss).all()
    best = int(np.argmin(h.loss))  # the epoch with the lowest loss, counted from 0
    assert best > 0 and f"the weights after epoch {best} (loss {h.loss[best]:.4g})" in h.message
    # Full batches: an epoch's loss is that of the weights it starts from, those after
    # the epoch before it. Those are kept, not the weights it ended with (the blow-up's first).
    np.testing.assert_array_equal(net.theta, seen[best - 1])
    kept_loss = gn.get_loss("squared_error")(net.predict_output(X), y[:, None])
    assert kept_loss == pytest.approx(h.loss[best], rel=1e-12)
    assert best < len(h.loss) - 1


def test_the_weights_kept_after_a_blow_up_give_the_loss_the_message_names():
    # lr = 0.01 on unscaled data: the first epoch's update already throws the loss from
    # 2.6e4 to 2.3e10. The first epoch's loss is that of the initial weights, so those are
    # kept (before the fix, the weights after epoch 1 were kept under epoch 1's loss).
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 3)) * 100
    y = (X[:, 0] * 2 + 100)[:, None]
    net = gn.Network([3, 5, 1], output="identity", random_state=0)
    start = net.theta.copy()
    with pytest.warns(gn.TrainingDivergedWarning) as caught:
        h = gn.train(net, X, y, optimizer="sgd", lr=0.01, epochs=20)
    (first,) = h.loss
    assert str(caught[0].message) == (
        "training diverged at epoch 2: the loss grew past 1000 times its first epoch's; the initial "
        f"weights (loss {first:.4g}) were kept (try a smaller learning rate)"
    )
    np.testing.assert_array_equal(net.theta, start)
    assert gn.get_loss("squared_error")(net.predict_output(X), y) == pytest.approx(first, rel=1e-12)


def test_without_a_guard_only_nan_and_infinity_stop_training():
    X, y = data.moons(200, noise=0.2, random_state=0)
    net = gn.Network([2, 8, 1], activations="relu", output="sigmoid", random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        h = gn.train(
            net, X, y, optimizer="sgd", lr=1e10, epochs=3, batch_size=32, divergence=None, random_state=0
        )
    assert h.epochs == 3 and np.abs(net.theta).max() > 1e9  # garbage, as asked


def test_a_warn_only_guard_warns_once_and_trains_on():
    X, y = data.moons(200, noise=0.2, random_state=0)
    net = gn.Network([2, 8, 1], activations="relu", output="sigmoid", random_state=0)
    with pytest.warns(gn.TrainingDivergedWarning, match="training is diverging at epoch 1") as caught:
        h = gn.train(
            net,
            X,
            y,
            optimizer="sgd",
            lr=1e10,
            epochs=3,
            batch_size=32,
            divergence=gn.DivergenceGuard(stop=False),
            random_state=0,
        )
    assert len(caught) == 1 and h.epochs == 3 and h.divergence is None


@pytest.mark.parametrize(
    "kwargs", [dict(loss_factor=0), dict(weight_factor=-1.0), dict(loss_factor=float("nan"))]
)
def test_a_divergence_guard_needs_positive_factors(kwargs):
    with pytest.raises(ValueError, match="must be a positive number"):
        gn.DivergenceGuard(**kwargs)


def test_divergence_stops_with_a_clear_message_and_keeps_the_last_good_weights():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(50, 3)) * 100
    y = X @ np.array([1.0, 2.0, 3.0]) * 1e3
    net = gn.Network([3, 8, 1], activations="relu", output="identity", random_state=0)
    epochs_done = [net.theta.copy()]  # the weights after 0, 1, 2, … epochs
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        h = gn.train(
            net,
            X,
            y,
            optimizer="sgd",
            lr=10.0,
            epochs=50,
            callbacks=[lambda e, logs: epochs_done.append(logs["net"].theta.copy())],
        )
    # exactly one warning, ours: NumPy's overflow warnings on the way are not shown
    assert [w.category for w in caught] == [gn.TrainingDivergedWarning]
    assert "diverged at epoch" in str(caught[0].message)
    assert h.stop_reason == "diverged"
    assert np.isfinite(net.theta).all()
    # epoch k's loss (full batch) is that of the weights after k epochs: those are kept
    np.testing.assert_array_equal(net.theta, epochs_done[int(np.argmin(h.loss))])


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(epochs=0), "epochs must be a positive integer"),
        (dict(batch_size=0), "batch_size must be a positive integer"),
        (dict(lr=-0.1), "lr must be a positive number"),
        (dict(optimizer="adagrad"), "valid optimizers are"),
        (dict(loss="hinge"), "valid losses are"),
        (dict(l2=-1.0), "l2 must be a non-negative number"),
        (dict(callbacks=[EarlyStopping()]), "early stopping on val_loss needs validation data"),
        (dict(validation=1.5), r"validation must be \(X_val, y_val\) or a fraction in \(0, 1\)"),
        (dict(validation="half"), "validation must be"),
        (dict(initial_epoch=100), r"initial_epoch must be an integer in \[0, epochs\)"),
        (dict(callbacks=[3]), "a callback must be a Callback or a function"),
    ],
)
def test_bad_arguments_get_clear_errors(kwargs, message):
    X, y = data.blobs(30, random_state=0)
    net = gn.Network([2, 4, 3], output="softmax", random_state=0)
    with pytest.raises(ValueError, match=message):
        gn.train(net, X, y, **kwargs)


def test_bad_data_gets_clear_errors():
    X, y = data.blobs(30, random_state=0)
    net = gn.Network([2, 4, 3], output="softmax", random_state=0)
    bad = X.copy()
    bad[3, 1] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        gn.train(net, bad, y)
    with pytest.raises(ValueError, match="different numbers of samples: 30 and 29"):
        gn.train(net, X, y[:-1])
    with pytest.raises(ValueError, match="single class"):
        gn.train(net, X, np.zeros(30, dtype=int))
    with pytest.raises(ValueError, match="has 3 features, but the network expects 2"):
        gn.train(net, np.ones((30, 3)), y)
    with pytest.raises(ValueError, match="empty"):
        gn.train(net, np.ones((0, 2)), y[:0])
    with pytest.raises(ValueError, match="4 classes, but the softmax output has 3"):
        gn.train(net, X, np.arange(30) % 4)
    regressor = gn.Network([2, 4, 1], output="identity", random_state=0)
    with pytest.raises(ValueError, match="NaN or infinite"):
        gn.train(regressor, X, np.full(30, np.inf))


# ---------------------------------------------------------------- sparse input
@pytest.mark.parametrize("batch_size, shuffle", [(16, True), (16, False), (None, True)])
def test_sparse_X_trains_exactly_like_its_dense_twin(batch_size, shuffle, monkeypatch):
    # Both on the NumPy loop (a sparse X never takes the compiled one): bit for bit.
    monkeypatch.setattr(_compiled_epoch, "MODE", "never")
    rng = np.random.default_rng(0)
    X = rng.normal(size=(120, 30)) * (rng.random((120, 30)) < 0.1)  # 90% zeros
    y = (X[:, :5].sum(axis=1) > 0).astype(int)
    nets = [gn.Network([30, 8, 1], output="sigmoid", random_state=0) for _ in range(2)]
    histories = [
        gn.train(
            net,
            data,
            y,
            epochs=5,
            batch_size=batch_size,
            shuffle=shuffle,
            validation=(data[:20], y[:20]),
            random_state=1,
        )
        for net, data in zip(nets, (X, sp.csr_matrix(X)), strict=True)
    ]
    np.testing.assert_array_equal(nets[1].theta, nets[0].theta)
    assert histories[1].loss == histories[0].loss and histories[1].val_loss == histories[0].val_loss
    np.testing.assert_array_equal(nets[1].predict_output(sp.csc_matrix(X)), nets[0].predict_output(X))
    np.testing.assert_array_equal(nets[1].predict(sp.csr_array(X)), nets[0].predict(X))


def test_an_unaligned_X_is_copied_once_and_trains_like_its_aligned_twin():
    # Arrays gathered from a Dask cluster can start at any byte of the message they came in;
    # NumPy's row gathers on them run ~200 times slower, so the checks copy them once.
    from glassnet._validation import check_X

    X, y = data.moons(200, noise=0.2, random_state=0)
    buffer = np.zeros(X.nbytes + 1, dtype=np.uint8)
    unaligned = buffer[1:].view(np.float64).reshape(X.shape)
    unaligned[...] = X
    assert not unaligned.flags.aligned
    assert check_X(unaligned).flags.aligned and check_X(X) is X
    nets = [gn.Network([2, 8, 1], output="sigmoid", random_state=0) for _ in range(2)]
    for net, inputs in zip(nets, (X, unaligned), strict=True):
        gn.train(net, inputs, y, epochs=3, batch_size=16, random_state=0)
    np.testing.assert_array_equal(nets[0].theta, nets[1].theta)


def test_sparse_X_is_never_made_dense_whole():
    # 2,000 × 100,000 float32 would be 800 MB dense; batches of 100 rows are 40 MB.
    rng = np.random.default_rng(0)
    rows, cols = rng.integers(0, 2000, 4000), rng.integers(0, 100_000, 4000)
    X = sp.csr_matrix((rng.normal(size=4000).astype(np.float32), (rows, cols)), shape=(2000, 100_000))
    y = np.asarray(X.sum(axis=1)).ravel() > 0
    net = gn.Network([100_000, 4, 1], output="sigmoid", random_state=0, dtype=np.float32)
    warm = gn.Network([3, 4, 1], output="sigmoid", random_state=0, dtype=np.float32)
    gn.train(warm, X[:20, :3], y[:20], epochs=1, batch_size=10)  # imports and compiles first:
    warm.predict(X[:20, :3])  # slow under tracemalloc
    tracemalloc.start()
    try:
        gn.train(net, X, y, epochs=1, batch_size=100)
        net.predict(X)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 200e6, f"peak {peak / 1e6:.0f} MB: X was densified"


def test_sparse_X_with_nan_or_wrong_width_gets_a_clear_error():
    X = sp.random(20, 6, density=0.5, format="csr", random_state=0)
    X.data[3] = np.nan
    net = gn.Network([6, 3, 1], random_state=0)
    with pytest.raises(ValueError, match="X contains NaN"):
        gn.train(net, X, np.zeros(20), epochs=1)
    with pytest.raises(ValueError, match="X contains NaN"):
        net.predict(X)
    with pytest.raises(ValueError, match="X has 5 features, but the network expects 6"):
        net.predict(sp.random(4, 5, density=0.5, format="csr", random_state=0))
    with pytest.raises(ValueError, match="X is empty: it has 0 samples"):
        net.predict(sp.csr_matrix((0, 6)))
    counts = sp.csr_matrix(np.eye(6, dtype=np.int64))  # integer counts become floats
    np.testing.assert_array_equal(net.predict_output(counts), net.predict_output(np.eye(6)))


def test_an_unknown_monitor_is_named():
    with pytest.raises(ValueError, match="unknown monitor 'val_f1'; valid choices are: val_loss"):
        EarlyStopping(monitor="val_f1")


def test_a_run_continued_from_initial_epoch_ends_bit_identical_to_one_run():
    # 10 epochs at once, or 6 and then 4 more from epoch 6 with the same optimizer,
    # schedule and generators: the schedule sees the absolute epoch, so they agree.
    X, y = data.moons(120, noise=0.2, random_state=0)
    nets = [gn.Network([2, 8, 1], output="sigmoid", random_state=0) for _ in range(2)]
    whole = gn.train(nets[0], X, y, lr=0.05, epochs=10, batch_size=16, schedule="cosine", random_state=3)
    opt, rng = gn.Adam(0.05), np.random.default_rng(3)
    sched = gn.Cosine(0.05, total=10)
    first = gn.train(nets[1], X, y, optimizer=opt, epochs=6, batch_size=16, schedule=sched, random_state=rng)
    rest = gn.train(
        nets[1],
        X,
        y,
        optimizer=opt,
        epochs=10,
        initial_epoch=6,
        batch_size=16,
        schedule=sched,
        random_state=rng,
    )
    np.testing.assert_array_equal(nets[1].theta, nets[0].theta)
    assert first.lr + rest.lr == whole.lr and rest.epochs == 4


def test_early_stopping_on_the_training_loss_needs_no_validation():
    X, y = data.xor(4)
    net = gn.Network([2, 4, 1], activations="tanh", output="sigmoid", random_state=1)
    h = gn.train(
        net,
        X,
        y,
        optimizer="sgd",
        lr=5.0,
        epochs=3000,
        callbacks=[EarlyStopping(monitor="loss", patience=3, min_delta=1e-3)],
    )
    assert h.stop_reason == "early_stopping" and h.epochs < 3000
    assert h.loss[h.best_epoch] == min(h.loss)


def test_a_single_sigmoid_neuron_fits_a_number_with_squared_error_as_texts_do():
    # w = 0.3, b = 0.1, x = 0.5, y = 1.0, ℓ = ½(ŷ − y)², 20 steps of lr 0.1 (a seed tutorial's table).
    net = gn.Network.from_weights([[[0.3]]], [[0.1]], activations="sigmoid", layout="out_in")
    history = gn.train(
        net, [[0.5]], [1.0], optimizer="sgd", lr=0.1, epochs=20, batch_size=None, loss="squared_error"
    )
    assert net.task == "regression" and net.predict([[0.5]]).shape == (1,)
    z = 0.3 * 0.5 + 0.1
    y_hat = 1 / (1 + np.exp(-z))
    assert history.loss[0] == pytest.approx(0.5 * (y_hat - 1) ** 2)  # 0.0958
    dz = (y_hat - 1) * y_hat * (1 - y_hat)
    np.testing.assert_allclose(np.round(history.loss[:3], 4), [0.0958, 0.0944, 0.0930])
    assert round(history.loss[-1], 4) == 0.0726
    assert (round(float(net.layers[0].W[0, 0]), 4), round(float(net.layers[0].b[0]), 4)) == (0.3986, 0.2972)
    first = gn.Network.from_weights([[[0.3]]], [[0.1]], activations="sigmoid", layout="out_in")
    gn.train(first, [[0.5]], [1.0], optimizer="sgd", lr=0.1, epochs=1, batch_size=None, loss="squared_error")
    assert first.layers[0].W[0, 0] == pytest.approx(0.3 - 0.1 * dz * 0.5)  # 0.3054


def test_a_sigmoid_classifier_keeps_its_labels_with_squared_error():
    X = np.array([[0.0], [1.0], [2.0], [3.0]])
    net = gn.Network([1, 1], activations="sigmoid", random_state=0)
    gn.train(net, X, ["no", "no", "yes", "yes"], optimizer="sgd", lr=0.5, epochs=50, loss="squared_error")
    assert net.task == "binary" and set(net.predict(X)) <= {"no", "yes"}
    zero_one = gn.Network([1, 1], activations="sigmoid", random_state=0)
    gn.train(zero_one, X, [0, 0, 1, 1], optimizer="sgd", lr=0.5, epochs=5, loss="squared_error")
    assert zero_one.task == "binary"
    named = gn.Network([1, 1], activations="sigmoid", task="binary")
    with pytest.raises(ValueError, match="single class"):
        gn.train(named, [[0.5]], [1.0], loss="squared_error", epochs=1)  # a named task is kept
    with pytest.raises(ValueError, match="single class"):
        gn.train(gn.Network([1, 1], activations="sigmoid"), [[0.5]], [1.0], epochs=1)  # its own loss: labels


def test_stop_at_loss_before_the_update_as_the_seed_tutorial_stops():
    # One identity neuron, x = 2, y = 5, w = 0.5, b = 1, lr 0.1, "if loss < 0.01: stop" before
    # updating: losses 4.5, 1.125, 0.2812, 0.0703, 0.0176, then 0.0044 at epoch 6, where it
    # stops with w = 1.6625, b = 1.5813 (the weights that gave 0.0044).
    def neuron():
        return gn.Network.from_weights([[[0.5]]], [[1.0]], activations="identity", layout="out_in")

    net = neuron()
    h = gn.train(
        net,
        [[2.0]],
        [5.0],
        optimizer="sgd",
        lr=0.1,
        epochs=20,
        batch_size=None,
        callbacks=[StopAtLoss(0.01, before_update=True)],
    )
    np.testing.assert_allclose(np.round(h.loss, 4), [4.5, 1.125, 0.2812, 0.0703, 0.0176, 0.0044])
    assert h.stop_reason == "loss_threshold"
    assert (round(float(net.layers[0].W[0, 0]), 4), round(float(net.layers[0].b[0]), 4)) == (1.6625, 1.5813)
    assert net.layers[0].W[0, 0] * 2 + net.layers[0].b[0] == pytest.approx(5 - np.sqrt(2 * h.loss[-1]))
    after = neuron()  # the default keeps the sixth update
    gn.train(
        after,
        [[2.0]],
        [5.0],
        optimizer="sgd",
        lr=0.1,
        epochs=20,
        batch_size=None,
        callbacks=[StopAtLoss(0.01)],
    )
    assert after.layers[0].W[0, 0] > net.layers[0].W[0, 0]


def test_train_names_what_it_was_given_instead_of_a_network_or_a_guard():
    X, y = data.moons(20, random_state=0)
    with pytest.raises(TypeError, match="train needs a glassnet Network to train, got str"):
        gn.train("net", X, y)
    net = gn.Network([2, 3, 1], output="sigmoid", random_state=0)
    with pytest.raises(TypeError, match="divergence must be a DivergenceGuard or None, got 3"):
        gn.train(net, X, y, divergence=3)


def test_an_epoch_count_past_float64s_integers_is_a_number_like_any_other():
    # np.isfinite(10**20) raised TypeError inside the check; an integer is always finite.
    X, y = data.moons(20, random_state=0)
    net = gn.Network([2, 3, 1], output="sigmoid", random_state=0)
    h = gn.train(net, X, y, epochs=10**20, callbacks=[lambda epoch, logs: epoch == 2])
    assert h.epochs == 3
    with pytest.raises(ValueError, match=r"epochs must be a positive integer, got -100000000000000000000"):
        gn.train(net, X, y, epochs=-(10**20))


@pytest.mark.parametrize(
    ("rate", "shown"), [(-0.5, "-0.5"), (float("nan"), "nan"), ("x", "'x'"), (None, "None")]
)
def test_a_schedule_callables_learning_rate_is_checked_every_epoch(rate, shown):
    # -0.5 climbed the loss from 1.02 to 25.2 without a word; "x" failed deep in the optimizer.
    X, y = data.moons(20, random_state=0)
    net = gn.Network([2, 3, 1], output="sigmoid", random_state=0)
    message = rf"the schedule gave the learning rate {re.escape(shown)} for epoch 1: it must be a number ≥ 0"
    with pytest.raises(ValueError, match=message):
        gn.train(net, X, y, optimizer="sgd", epochs=3, schedule=lambda epoch: rate)


def test_a_schedule_may_reach_zero():
    X, y = data.moons(20, random_state=0)
    net = gn.Network([2, 3, 1], output="sigmoid", random_state=0)
    h = gn.train(net, X, y, optimizer="sgd", epochs=3, schedule=lambda epoch: 0.0 if epoch else 0.1)
    assert h.lr == [0.1, 0.0, 0.0] and h.loss[1] == h.loss[2]


def test_whole_number_labels_past_int64_stay_apart_as_floats():
    from glassnet.heads import head_for_targets

    # 1e30 and 2e30 became the same int64 (-9223372036854775808), with a RuntimeWarning.
    X, _ = data.moons(60, random_state=0)
    y = np.repeat([1e30, 2e30, 5.0], 20)
    net = gn.Network([2, 8, 3], output="softmax", random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no cast warning
        gn.train(net, X, y, epochs=2, random_state=0)
    assert net.classes_.tolist() == [5.0, 1e30, 2e30]
    assert set(net.predict(X).tolist()) <= {5.0, 1e30, 2e30}
    # The command's path decides the task from the labels (head_for_targets): 3 classes.
    head, n_outputs, labels = head_for_targets(y)
    assert (head.task, n_outputs, labels.dtype) == ("multiclass", 3, np.float64)


def test_a_single_class_is_named_as_the_user_wrote_it():
    X, _ = data.moons(10, random_state=0)
    net = gn.Network([2, 3, 1], output="sigmoid", random_state=0)
    with pytest.raises(ValueError, match=r"y has a single class \(1.0\); a classifier needs at least two"):
        gn.train(net, X, np.ones(10))
    with pytest.raises(ValueError, match=r"y has a single class \('cat'\)"):
        gn.train(net, X, np.array(["cat"] * 10))
