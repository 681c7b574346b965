"""glassnet on Dask: distributed L-BFGS, streaming training, predictions, sweeps, failures.

Everything runs on a real 2-worker ``LocalCluster`` on 127.0.0.1 (worker processes,
one thread each), started once for this file. The training data of most tests is
*made on the workers* (each block from its seed), so the client never has it: what
the client sees of ``X`` is what glassnet sends back.
"""

import os
import signal
import sys
import tracemalloc

import numpy as np
import pytest
from sklearn.model_selection import GridSearchCV

dask = pytest.importorskip("dask")
da = pytest.importorskip("dask.array")
distributed = pytest.importorskip("distributed")

import glassnet as gn  # noqa: E402
from glassnet import MLPClassifier, MLPRegressor  # noqa: E402
from glassnet.distributed import ClusterError, connect  # noqa: E402
from glassnet.distributed.blocks import BlockBatches  # noqa: E402
from glassnet.glass.experiments import run_experiment  # noqa: E402

pytestmark = [
    pytest.mark.xdist_group("dask"),
    pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning"),
]


@pytest.fixture(scope="module")
def client():
    # One death of a worker under a task is survived (the task runs again elsewhere);
    # a second one is a KilledWorker, so the test of a worker that always dies is short.
    with (
        dask.config.set({"distributed.scheduler.allowed-failures": 1}),
        distributed.LocalCluster(
            n_workers=2,
            processes=True,
            threads_per_worker=1,
            host="127.0.0.1",
            dashboard_address=None,
            scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
        ) as cluster,
        distributed.Client(cluster) as c,
    ):
        yield c


# ---------------------------------------------------------------- data made on the workers
def _block(seed, rows, n_features):
    """Block ``seed`` of a classification task: y = 1 where x₀ + x₁² > 1 (learnable, not linear)."""
    X = np.random.default_rng(seed).standard_normal((rows, n_features))
    return X, (X[:, 0] + X[:, 1] ** 2 > 1).astype(np.int64)


def _X_block(seed, rows, n_features):
    return _block(seed, rows, n_features)[0]


def _y_block(seed, rows, n_features):
    return _block(seed, rows, n_features)[1]


def _made_on_workers(n_blocks, rows, n_features, first_seed=0):
    """Dask ``X``, ``y`` whose blocks are computed on the workers from seeds: the graph holds no data."""
    seeds = range(first_seed, first_seed + n_blocks)
    X = da.concatenate(
        [
            da.from_delayed(dask.delayed(_X_block)(s, rows, n_features), (rows, n_features), dtype=np.float64)
            for s in seeds
        ]
    )
    y = da.concatenate(
        [da.from_delayed(dask.delayed(_y_block)(s, rows, n_features), (rows,), dtype=np.int64) for s in seeds]
    )
    return X, y


def _relative(a, b):
    a, b = np.concatenate([np.ravel(v) for v in a]), np.concatenate([np.ravel(v) for v in b])
    return np.linalg.norm(a - b) / np.linalg.norm(a)


# ---------------------------------------------------------------- distributed L-BFGS
def test_lbfgs_classifier_on_dask_equals_in_memory(client):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((1200, 6))
    y = np.array(["a", "b", "c"])[(X[:, 0] > 0.3).astype(int) + (X[:, 1] + X[:, 2] > 0.5)]
    Xd, yd = da.from_array(X, chunks=250), da.from_array(y, chunks=250)
    settings = dict(
        hidden_layer_sizes=(12,),
        solver="lbfgs",
        alpha=0.01,
        max_iter=35,
        class_weight="balanced",
        random_state=0,
    )
    memory = MLPClassifier(**settings).fit(X, y)
    cluster = MLPClassifier(**settings).fit(Xd, yd)
    assert cluster.n_iter_ == memory.n_iter_ == 35
    assert list(cluster.classes_) == ["a", "b", "c"]
    assert cluster.loss_ == pytest.approx(memory.loss_, rel=1e-10)
    assert _relative(memory.coefs_ + memory.intercepts_, cluster.coefs_ + cluster.intercepts_) < 1e-8
    np.testing.assert_allclose(cluster.loss_curve_, memory.loss_curve_, rtol=1e-10)


def test_lbfgs_regressor_with_sample_weights_on_dask_equals_in_memory(client):
    rng = np.random.default_rng(1)
    X = rng.standard_normal((900, 5))
    Y = np.column_stack([X[:, 0] - 2 * X[:, 1] ** 2, np.sin(X[:, 2])]) + 0.1 * rng.standard_normal((900, 2))
    w = rng.uniform(0.2, 2.0, 900)
    Xd, Yd, wd = (da.from_array(a, chunks=200) for a in (X, Y, w))
    settings = dict(hidden_layer_sizes=(10,), solver="lbfgs", alpha=0.1, max_iter=30, random_state=0)
    memory = MLPRegressor(**settings).fit(X, Y, sample_weight=w)
    cluster = MLPRegressor(**settings).fit(Xd, Yd, sample_weight=wd)
    assert cluster.n_iter_ == memory.n_iter_
    assert cluster.loss_ == pytest.approx(memory.loss_, rel=1e-10)
    assert _relative(memory.coefs_ + memory.intercepts_, cluster.coefs_ + cluster.intercepts_) < 1e-8
    assert cluster.score(Xd, Yd) == pytest.approx(memory.score(X, Y), rel=1e-9)


def test_minimize_lbfgs_on_dask_equals_in_memory_and_sends_only_parameters(client):
    X, y = _made_on_workers(4, 300, 5)
    X_mem, y_mem = dask.compute(X, y)
    a = gn.Network([5, 8, 1], output="sigmoid", random_state=0)
    b = a.copy()
    expected = gn.minimize_lbfgs(a, X_mem, y_mem, l2=0.5, max_iter=40)
    result = gn.minimize_lbfgs(b, X, y, l2=0.5, max_iter=40)
    assert (result.nit, result.nfev) == (expected.nit, expected.nfev)
    assert result.fun == pytest.approx(expected.fun, rel=1e-10)
    assert np.linalg.norm(a.theta - b.theta) / np.linalg.norm(a.theta) < 1e-8
    np.testing.assert_array_equal(b.classes_, [0, 1])


# ---------------------------------------------------------------- streaming Adam and SGD
def test_streaming_adam_reaches_the_in_memory_accuracy(client):
    X, y = _made_on_workers(4, 1000, 4)
    X_test, y_test = _block(99, 2000, 4)
    settings = dict(
        hidden_layer_sizes=(16,), learning_rate_init=0.01, max_iter=12, batch_size=50, random_state=0
    )
    memory = MLPClassifier(**settings).fit(*dask.compute(X, y))
    cluster = MLPClassifier(**settings).fit(X, y)
    accuracy = cluster.score(X_test, y_test)
    assert memory.score(X_test, y_test) > 0.95  # a task the network learns
    assert abs(accuracy - memory.score(X_test, y_test)) <= 0.01
    assert cluster.n_iter_ == 12 and len(cluster.loss_curve_) == 12


def test_streaming_early_stopping_holds_out_rows_on_the_cluster(client):
    X, y = _made_on_workers(3, 400, 4)
    clf = MLPClassifier(
        (16,),
        learning_rate_init=0.01,
        early_stopping=True,
        validation_fraction=0.2,
        max_iter=40,
        n_iter_no_change=3,
        random_state=0,
    ).fit(X, y)
    assert len(clf.validation_scores_) == clf.n_iter_ < 40  # it stopped on the held-out score
    assert clf.best_validation_score_ > 0.9
    assert clf.score(*_block(98, 1000, 4)) > 0.9


def test_a_classifiers_held_out_share_of_each_block_keeps_its_class_proportions(client, monkeypatch):
    from glassnet.distributed.blocks import BlockData

    held_targets = []
    split = BlockData.split

    def spy(self, fraction, seed, stratify=False):
        train, held = split(self, fraction, seed, stratify)
        held_targets.append((stratify, held.sizes, held.persist().targets()[0]))
        return train, held

    monkeypatch.setattr(BlockData, "split", spy)
    X, y = _made_on_workers(3, 400, 4)
    MLPClassifier((8,), early_stopping=True, validation_fraction=0.2, max_iter=3, random_state=0).fit(X, y)
    [(stratify, sizes, Y_val)] = held_targets
    assert stratify and sizes == (80, 80, 80)
    for b, Y_block in enumerate(np.split(Y_val.ravel(), 3)):
        ones = _y_block(b, 400, 4).sum()  # the block's positives, of 400
        assert Y_block.sum() in {80 * ones // 400, -(-80 * ones // 400)}  # its share, rounded
    held_targets.clear()
    MLPRegressor(
        hidden_layer_sizes=(8,), early_stopping=True, validation_fraction=0.2, max_iter=3, random_state=0
    ).fit(X, y * 1.0)
    assert held_targets[0][0] is False  # a regressor's share is drawn at random


@pytest.mark.parametrize(
    ("counts", "n_held"), [((90, 10), 20), ((60, 25, 15), 31), ((7, 3, 300), 50), ((2, 98), 10)]
)
def test_held_rows_allot_each_class_its_share_as_scikit_learn_does(counts, n_held):
    from sklearn.model_selection import train_test_split

    from glassnet.distributed.blocks import held_rows

    labels = np.random.default_rng(0).permutation(np.repeat(np.arange(len(counts)), counts))
    Y = (labels > 0.5)[:, None] * 1.0 if len(counts) == 2 else np.eye(len(counts))[labels]
    allotted = set()
    for seed in range(20):
        mask = held_rows(Y, n_held, np.random.default_rng(seed), stratify=True)
        assert mask.sum() == n_held
        np.testing.assert_array_equal(mask, held_rows(Y, n_held, np.random.default_rng(seed), stratify=True))
        ours = np.bincount(labels[mask], minlength=len(counts))
        theirs = np.bincount(
            train_test_split(labels, test_size=n_held, stratify=labels, random_state=seed)[1],
            minlength=len(counts),
        )
        assert np.abs(ours - theirs).max() <= 1 and ours.sum() == theirs.sum()  # ties may fall otherwise
        allotted.add(tuple(ours))
    share = np.array(counts) * n_held / sum(counts)
    assert all((np.floor(share) <= a).all() and (a <= np.ceil(share)).all() for a in allotted)
    # Without stratify: the first n_held of a permutation, as before.
    rng = np.random.default_rng(5)
    expected = np.zeros(len(labels), bool)
    expected[np.random.default_rng(5).permutation(len(labels))[:n_held]] = True
    np.testing.assert_array_equal(held_rows(Y, n_held, rng), expected)


def test_a_block_batch_source_visits_every_row_once_per_epoch_in_new_orders(client):
    from glassnet.distributed.training import network_data

    ids = np.arange(600, dtype=np.float64)
    X = da.from_array(np.column_stack([ids, ids % 7]), chunks=150)
    y = da.from_array(ids % 3, chunks=150)
    net = gn.Network([2, 3], output="softmax")
    batches = BlockBatches(network_data(net, X, y), batch_size=40, shuffle=True)
    assert batches.n_samples == 600 and batches.n_batches == 4 * 4  # 150 rows: 3 batches of 40 and one of 30
    rng = np.random.default_rng(0)
    epochs = [[Xb[:, 0].copy() for Xb, _, _ in batches.epoch(rng)] for _ in range(2)]
    for epoch in epochs:
        seen = np.concatenate(epoch)
        np.testing.assert_array_equal(np.sort(seen), ids)  # every row once
        blocks = [np.unique(seen[i : i + 150] // 150) for i in range(0, 600, 150)]
        assert all(b.size == 1 for b in blocks)  # one block at a time
        assert not np.array_equal(seen[:150], np.sort(seen[:150]))  # rows reshuffled inside it
    first, second = np.concatenate(epochs[0]), np.concatenate(epochs[1])
    assert not np.array_equal(first, second)  # a new order each epoch


def test_train_streams_dask_blocks_with_a_held_out_fraction_and_partial_fit(client):
    X, y = _made_on_workers(3, 400, 4)
    net = gn.Network([4, 16, 1], output="sigmoid", random_state=0)
    history = gn.train(
        net, X, y, optimizer="adam", lr=0.01, epochs=8, batch_size=32, validation=0.25, random_state=0
    )
    assert history.epochs == 8 and history.val_accuracy[-1] > 0.9
    assert history.loss[-1] < history.loss[0]
    clf = MLPClassifier((8,), random_state=0)
    clf.partial_fit(X, y, classes=[0, 1])
    clf.partial_fit(X, y)
    assert clf.n_iter_ == 1 and len(clf.loss_curve_) == 2 and clf.loss_curve_[1] < clf.loss_curve_[0]


# ---------------------------------------------------------------- the client never holds X
def test_the_client_never_holds_X(client):
    X, y = _made_on_workers(32, 6_250, 20)  # 200,000 × 20 float64: 32 MB, made on the workers
    assert not any(isinstance(v, np.ndarray) and v.nbytes > 10_000 for v in dict(X.__dask_graph__()).values())
    small_X, small_y = _made_on_workers(2, 100, 20)
    for solver in ("lbfgs", "adam"):  # the first fit imports and compiles what it needs: not data
        MLPClassifier((8,), solver=solver, max_iter=1, random_state=0).fit(small_X, small_y)
    # What the client process allocates beyond what it held before (this LocalCluster's
    # scheduler lives in it too, so its bookkeeping counts as well).
    tracemalloc.start()
    try:
        start, _ = tracemalloc.get_traced_memory()
        MLPClassifier((8,), solver="lbfgs", max_iter=3, random_state=0).fit(X, y)
        peak_lbfgs = tracemalloc.get_traced_memory()[1] - start
        tracemalloc.reset_peak()
        start, _ = tracemalloc.get_traced_memory()
        MLPClassifier((8,), max_iter=1, batch_size=500, random_state=0).fit(X, y)
        peak_stream = tracemalloc.get_traced_memory()[1] - start
    finally:
        tracemalloc.stop()
    size = 200_000 * 20 * 8
    print(
        f"client peak: L-BFGS {peak_lbfgs / 1e6:.1f} MB, streaming {peak_stream / 1e6:.1f} MB, X {size / 1e6:.0f} MB"
    )
    assert peak_lbfgs < size / 8  # L-BFGS: θ out, gradients back
    assert peak_stream < size / 4  # streaming: one block (1 MB) and the next one


# ---------------------------------------------------------------- predictions
def test_predictions_are_dask_arrays_computed_on_the_workers(client):
    rng = np.random.default_rng(2)
    X = rng.standard_normal((500, 3)).astype(np.float32)
    y = np.where(X[:, 0] > 0, "yes", "no")
    Xd, yd = da.from_array(X, chunks=120), da.from_array(y, chunks=120)
    clf = MLPClassifier((8,), solver="lbfgs", max_iter=20, random_state=0).fit(X, y)
    for method in ("predict", "predict_proba", "predict_log_proba"):
        result = getattr(clf, method)(Xd)
        assert isinstance(result, da.Array) and result.chunks[0] == Xd.chunks[0]
        np.testing.assert_array_equal(result.compute(), getattr(clf, method)(X))
    assert clf.score(Xd, yd) == clf.score(X, y)
    reg = MLPRegressor(hidden_layer_sizes=(8,), solver="lbfgs", max_iter=20, random_state=0).fit(X, X[:, 0])
    predicted = reg.predict(Xd)
    assert isinstance(predicted, da.Array) and predicted.shape == (500,) and predicted.dtype == np.float32
    np.testing.assert_array_equal(predicted.compute(), reg.predict(X))
    with pytest.raises(ValueError, match="X has 2 features, but MLPClassifier is expecting 3"):
        clf.predict(Xd[:, :2])


def test_dask_dataframes_train_and_predict(client):
    pd = pytest.importorskip("pandas")
    dd = pytest.importorskip("dask.dataframe")
    rng = np.random.default_rng(3)
    frame = pd.DataFrame(rng.standard_normal((400, 3)), columns=["a", "b", "c"])
    frame["label"] = (frame["a"] > frame["b"]).astype(int)
    ddf = dd.from_pandas(frame, npartitions=3)
    features = ddf[["a", "b", "c"]]
    clf = MLPClassifier((8,), solver="lbfgs", max_iter=30, random_state=0).fit(features, ddf["label"])
    assert list(clf.feature_names_in_) == ["a", "b", "c"]
    predicted = clf.predict(features)
    assert isinstance(predicted, da.Array) and predicted.shape == (400,)
    assert (predicted.compute() == frame["label"].to_numpy()).mean() > 0.95


# ---------------------------------------------------------------- sweeps and GridSearchCV
def test_a_sweep_on_the_cluster_equals_its_serial_run(client):
    rng = np.random.default_rng(4)
    X = rng.standard_normal((160, 2))
    y = (X[:, 0] * X[:, 1] > 0).astype(int)
    grid = {"hidden": [(8,), (16,)], "lr": [0.01, 0.05]}
    args = (grid, X[:120], y[:120], X[120:], y[120:])
    serial = run_experiment(*args, seeds=(0, 1), base={"epochs": 15})
    spread = run_experiment(*args, seeds=(0, 1), base={"epochs": 15}, scheduler=client.scheduler.address)
    assert len(spread.runs) == 8
    for a, b in zip(serial.runs, spread.runs, strict=True):
        assert {k: v for k, v in a.items() if k != "time"} == {k: v for k, v in b.items() if k != "time"}
    assert [[h.loss for h in row] for row in serial.histories] == [
        [h.loss for h in row] for row in spread.histories
    ]


def test_the_experiment_command_with_a_local_cluster_writes_what_a_serial_run_writes(run):
    import json

    options = [
        "experiment",
        "moons",
        "--hidden",
        "4",
        "8",
        "--seeds",
        "2",
        "--epochs",
        "10",
        "--n-samples",
        "120",
    ]
    serial = run(*options, "--out", "serial")
    spread = run(*options, "--out", "spread", "--scheduler", "local")
    assert serial.code == spread.code == 0, spread.err
    rows = [
        json.loads((run.tmp_path / name / "results.json").read_text())["rows"]
        for name in ("serial", "spread")
    ]
    drop_times = [[{k: v for k, v in r.items() if not k.startswith("time")} for r in rs] for rs in rows]
    assert drop_times[0] == drop_times[1]


def test_grid_search_under_the_dask_joblib_backend(client):
    import joblib

    rng = np.random.default_rng(5)
    X = rng.standard_normal((150, 3))
    y = (X[:, 0] + X[:, 1] > 0).astype(int)
    search = dict(
        estimator=MLPClassifier(solver="lbfgs", max_iter=30, random_state=0),
        param_grid={"alpha": [1e-4, 1.0], "hidden_layer_sizes": [(4,), (8,)]},
        cv=3,
    )
    serial = GridSearchCV(**search).fit(X, y)
    with joblib.parallel_config(backend="dask"):
        spread = GridSearchCV(n_jobs=-1, **search).fit(X, y)
    np.testing.assert_array_equal(
        spread.cv_results_["mean_test_score"], serial.cv_results_["mean_test_score"]
    )
    assert spread.best_params_ == serial.best_params_ and spread.best_score_ > 0.9


# ---------------------------------------------------------------- failures
def test_a_worker_killed_during_lbfgs_is_survived(client):
    X, y = _made_on_workers(4, 300, 5, first_seed=10)
    X_mem, y_mem = dask.compute(X, y)
    a = gn.Network([5, 8, 1], output="sigmoid", random_state=1)
    b = a.copy()
    expected = gn.minimize_lbfgs(a, X_mem, y_mem, max_iter=25)
    pids = list(client.run(os.getpid).values())

    def kill_a_worker(iteration, logs):
        if iteration == 3:
            os.kill(pids[0], signal.SIGKILL)  # its blocks are lost: they are computed again elsewhere

    result = gn.minimize_lbfgs(b, X, y, max_iter=25, callbacks=[kill_a_worker])
    assert result.nit == expected.nit and result.fun == pytest.approx(expected.fun, rel=1e-10)
    assert np.linalg.norm(a.theta - b.theta) / np.linalg.norm(a.theta) < 1e-8
    client.wait_for_workers(2, timeout=60)  # the nanny restarted it


def _deadly_block(flag, rows):
    if os.path.exists(flag):
        os._exit(1)  # the worker process dies, every time it computes this block
    return np.zeros((rows, 2))


def test_a_worker_that_always_dies_stops_the_run_with_a_message_and_keeps_the_weights(client, tmp_path):
    flag = tmp_path / "die"
    flag.touch()
    X = da.concatenate(
        [
            da.ones((50, 2), chunks=50),
            da.from_delayed(dask.delayed(_deadly_block)(str(flag), 50), (50, 2), dtype=float),
        ]
    )
    y = da.from_array(np.arange(100) % 2, chunks=50)
    net = gn.Network([2, 3, 1], output="sigmoid", random_state=0)
    before = net.theta.copy()
    with pytest.raises(ClusterError, match="a Dask worker died each time it ran a task"):
        gn.minimize_lbfgs(net, X, y, max_iter=5)
    np.testing.assert_array_equal(net.theta, before)
    flag.unlink()
    client.wait_for_workers(2, timeout=60)


def test_an_unreachable_scheduler_fails_fast_and_names_the_address():
    with (
        pytest.raises(
            ConnectionError, match=r"cannot reach the Dask scheduler at tcp://127\.0\.0\.1:9 within 1 s"
        ),
        connect("tcp://127.0.0.1:9", timeout=1),
    ):
        pass
    with pytest.raises(ValueError, match="scheduler must be 'local' or an address"):
        run_experiment(
            {"lr": [0.1]},
            np.zeros((4, 1)),
            [0, 1, 0, 1],
            np.zeros((2, 1)),
            [0, 1],
            scheduler="127.0.0.1:8786",
        )


def test_the_experiment_command_reports_an_unreachable_scheduler_in_one_line(run, monkeypatch):
    import glassnet.distributed.cluster as cluster

    monkeypatch.setattr(cluster, "CONNECT_TIMEOUT", 1.0)
    result = run(
        "experiment", "--hidden", "4", "--seeds", "1", "--epochs", "2", "--scheduler", "tcp://127.0.0.1:9"
    )
    assert result.code == 1
    assert result.err.strip().startswith("error: cannot reach the Dask scheduler at tcp://127.0.0.1:9")
    assert not (run.tmp_path / "runs").exists()  # nothing written
    bad = run("experiment", "--scheduler", "somewhere")
    assert bad.code == 2 and "--scheduler" in bad.err


def test_misaligned_or_foreign_inputs_are_clear_errors(client):
    X = da.ones((300, 2), chunks=100)
    with pytest.raises(
        ValueError,
        match=r"X and y are cut into different row blocks: X into 3 blocks of "
        r"\(100, 100, 100\) rows, y into 2 blocks of \(150, 150\) rows",
    ):
        MLPClassifier().fit(X, da.zeros(300, chunks=150))
    with pytest.raises(ValueError, match="X and y have different numbers of samples: 300 and 200"):
        MLPClassifier().fit(X, da.zeros(200, chunks=100))
    with pytest.raises(ValueError, match="X and sample_weight have different numbers of samples"):
        gn.train(gn.Network([2, 1]), X, np.zeros(300), sample_weight=np.ones(3))
    with pytest.raises(TypeError, match="y or sample_weight is a Dask collection but X is not"):
        MLPClassifier().fit(np.ones((300, 2)), da.zeros(300, chunks=100))
    with pytest.raises(ValueError, match="X contains NaN"):
        MLPRegressor(solver="lbfgs", max_iter=2).fit(
            da.full((300, 2), np.nan, chunks=100), da.zeros(300, chunks=100)
        )
    with pytest.raises(ValueError, match="sample_weight must be finite, non-negative and not all zero"):
        MLPRegressor(solver="lbfgs").fit(X, np.zeros(300), sample_weight=np.zeros(300))


def test_without_a_client_the_error_says_how_to_start_one(monkeypatch):
    import distributed.client

    monkeypatch.setattr(distributed.client, "_get_global_client", lambda: None)
    with pytest.raises(ValueError, match="no client is running: start one first"):
        MLPClassifier().fit(da.ones((10, 2), chunks=5), da.zeros(10, chunks=5))


def test_workers_run_blas_on_one_thread_each(client):
    def blas_threads():
        from threadpoolctl import threadpool_info

        return {info["num_threads"] for info in threadpool_info() if info["user_api"] == "blas"}

    np.dot(np.ones((2, 2)), np.ones((2, 2)))
    assert all(found == {1} for found in client.run(blas_threads).values())


# ---------------------------------------------------------------- a worker's cold start
@pytest.mark.parametrize(
    "y",
    [
        np.array([0, 1, 1, 0, 1]),
        np.array(["cat", "dog", "eel", "dog", "cat"]),
        np.array([3, 1, 2, 2, 7]),
    ],
)
def test_the_workers_label_encoder_is_the_label_binarizers(y):
    from sklearn.preprocessing import LabelBinarizer

    from glassnet.distributed.fitting import LabelEncoder

    binarizer = LabelBinarizer().fit(y)
    weights = {label: float(i + 2) for i, label in enumerate(binarizer.classes_)}
    for class_weight in (None, weights):
        encode = LabelEncoder(binarizer, np.float32, class_weight)
        assert encode.binarizer is None  # plain labels: NumPy's one-hot, no scikit-learn on the worker
        Y, w = encode(y[::-1], None)
        np.testing.assert_array_equal(Y, binarizer.transform(y[::-1]))
        assert Y.dtype == np.float32 and Y.flags.c_contiguous
        if class_weight is None:
            assert w is None
        else:
            np.testing.assert_array_equal(w, [weights[label] for label in y[::-1]])
    with pytest.raises(ValueError, match="not seen in fit"):
        LabelEncoder(binarizer, np.float64)(np.array([y[0], "zebra" if y.dtype.kind == "U" else 99]), None)
    indicator = LabelBinarizer().fit(np.array([[1, 0, 1], [0, 1, 1]]))
    encode = LabelEncoder(indicator, np.float64)
    assert encode.binarizer is indicator  # multi-label keeps the binarizer
    np.testing.assert_array_equal(encode(np.array([[0, 0, 1]]), None)[0], [[0, 0, 1]])


def test_a_classifiers_fit_and_predictions_import_no_scikit_learn_on_fresh_workers():
    # The workers one-hot encode plain labels with NumPy (fitting.LabelEncoder) and decode
    # predictions with NumPy (fitting.BlockPredictor): a fresh worker's first block would
    # otherwise wait about a second for scikit-learn's import.
    with (
        distributed.LocalCluster(
            n_workers=2, processes=True, threads_per_worker=1, host="127.0.0.1", dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as c,
    ):
        # (Data from dask.array's own functions: this module's block functions would make the
        # workers import this module, and scikit-learn with it.)
        X = da.random.default_rng(0).standard_normal((1000, 4), chunks=(250, 4))
        y = (X[:, 0] + X[:, 1] ** 2 > 1).astype(np.int64)
        y3 = y + (X[:, 2] > 0).astype(np.int64)  # three classes
        for labels in (y, y3):
            model = MLPClassifier(hidden_layer_sizes=(8,), solver="lbfgs", max_iter=30, random_state=0)
            model.fit(X, labels)
            in_memory = MLPClassifier(hidden_layer_sizes=(8,), solver="lbfgs", max_iter=30, random_state=0)
            in_memory.fit(X.compute(), labels.compute())
            assert _relative(model.coefs_, in_memory.coefs_) < 1e-6
            X_local = X.compute()
            np.testing.assert_array_equal(model.predict(X).compute(), model.predict(X_local))
            # (a block's products may round differently from the whole array's in the last bit)
            np.testing.assert_allclose(
                model.predict_proba(X).compute(), model.predict_proba(X_local), rtol=1e-12
            )
        regressor = MLPRegressor(hidden_layer_sizes=(8,), solver="lbfgs", max_iter=10, random_state=0)
        regressor.fit(X, X[:, 0] * 2.0)
        np.testing.assert_allclose(regressor.predict(X).compute(), regressor.predict(X_local), rtol=1e-12)
        assert c.run(lambda: "sklearn" in sys.modules) == dict.fromkeys(c.run(lambda: 0), False)


def test_a_cancelled_task_stops_the_run_with_a_message(client):
    # A task the cluster cancels (after losing the data it needed) raised distributed's
    # FutureCancelledError as a traceback; it is a ClusterError, like a lost worker.
    import time

    from glassnet.distributed.cluster import cluster_failures

    future = client.submit(time.sleep, 5, pure=False)
    message = "the cluster cancelled a task of the test's sleep"
    with pytest.raises(ClusterError, match=message), cluster_failures("the test's sleep"):
        future.cancel()
        future.result(timeout=30)
