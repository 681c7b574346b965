"""MLPClassifier / MLPRegressor: scikit-learn's behaviour on the glassnet engine, and the extras.

The side-by-side tests train glassnet's and scikit-learn's estimators with the
same settings on the same splits and compare their test scores over five seeds.
"""

import pickle
import warnings

import joblib
import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from sklearn import datasets
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.model_selection import GridSearchCV, cross_val_score, train_test_split
from sklearn.neural_network import MLPClassifier as SkMLPClassifier, MLPRegressor as SkMLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils._param_validation import InvalidParameterError
from threadpoolctl import threadpool_limits

import glassnet as gn
from glassnet.callbacks import StopAtLoss
from glassnet.estimators import MLPClassifier, MLPRegressor
from glassnet.lbfgs import minimize_lbfgs

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


@pytest.fixture(scope="module")
def iris():
    X, y = datasets.load_iris(return_X_y=True)
    return StandardScaler().fit_transform(X), y


@pytest.fixture(scope="module")
def blobs():
    X, y = datasets.make_blobs(120, n_features=4, centers=3, random_state=0)
    return StandardScaler().fit_transform(X), y


@pytest.fixture(scope="module")
def regression():
    X, y = datasets.make_regression(120, n_features=5, n_targets=1, noise=5.0, random_state=0)
    return StandardScaler().fit_transform(X), (y - y.mean()) / y.std()


# ---------------------------------------------------------------- side by side with scikit-learn
_SOLVERS = {"adam": dict(learning_rate_init=0.01), "sgd": dict(learning_rate_init=0.1), "lbfgs": {}}
_CLASSIFICATION = {
    "iris": datasets.load_iris,
    "digits": datasets.load_digits,
    "wine": datasets.load_wine,
    "breast_cancer": datasets.load_breast_cancer,
}


def _mean_test_score(estimator_class, X, y, solver, stratify=True, scale_y=False, **params):
    scores = []
    for seed in range(5):
        X_train, X_test, y_train, y_test = train_test_split(
            X, y, test_size=0.3, random_state=seed, stratify=y if stratify else None
        )
        scaler = StandardScaler().fit(X_train)
        if scale_y:
            mean, std = y_train.mean(), y_train.std()
            y_train, y_test = (y_train - mean) / std, (y_test - mean) / std
        model = estimator_class(
            hidden_layer_sizes=(32,),
            solver=solver,
            max_iter=60,
            random_state=seed,
            **_SOLVERS[solver],
            **params,
        )
        model.fit(scaler.transform(X_train), y_train)
        scores.append(model.score(scaler.transform(X_test), y_test))
    return float(np.mean(scores))


@pytest.mark.parametrize("solver", list(_SOLVERS))
@pytest.mark.parametrize("dataset", list(_CLASSIFICATION))
def test_classifier_accuracy_matches_sklearn(dataset, solver):
    X, y = _CLASSIFICATION[dataset](return_X_y=True)
    with threadpool_limits(1):  # both sides single-threaded: fair, and fast on busy machines
        ours = _mean_test_score(MLPClassifier, X, y, solver)
        theirs = _mean_test_score(SkMLPClassifier, X, y, solver)
    print(f"{dataset} {solver}: glassnet {ours:.4f}  scikit-learn {theirs:.4f}")
    assert ours >= theirs - 0.01


@pytest.mark.parametrize("solver", list(_SOLVERS))
def test_regressor_r2_matches_sklearn(solver):
    X, y = datasets.load_diabetes(return_X_y=True)
    with threadpool_limits(1):
        ours = _mean_test_score(MLPRegressor, X, y, solver, stratify=False, scale_y=True, alpha=1.0)
        theirs = _mean_test_score(SkMLPRegressor, X, y, solver, stratify=False, scale_y=True, alpha=1.0)
    print(f"diabetes {solver}: glassnet R² {ours:.4f}  scikit-learn R² {theirs:.4f}")
    assert ours >= theirs - 0.02


def test_initial_weights_are_sklearns(iris):
    # A rate so small that one epoch leaves the weights where they started.
    X, y = iris
    params = dict(
        hidden_layer_sizes=(5, 4), solver="sgd", learning_rate_init=1e-300, max_iter=1, random_state=3
    )
    ours, theirs = MLPClassifier(**params).fit(X, y), SkMLPClassifier(**params).fit(X, y)
    for a, b in zip(ours.coefs_ + ours.intercepts_, theirs.coefs_ + theirs.intercepts_, strict=True):
        np.testing.assert_array_equal(a, b)
    logistic = dict(params, activation="logistic")  # Glorot's factor 2 for logistic layers
    ours, theirs = MLPClassifier(**logistic).fit(X, y), SkMLPClassifier(**logistic).fit(X, y)
    np.testing.assert_array_equal(ours.coefs_[1], theirs.coefs_[1])


def test_lbfgs_follows_sklearn_step_for_step(iris):
    # Same start, same objective, same SciPy optimizer: the same weights.
    X, y = iris
    params = dict(hidden_layer_sizes=(8,), solver="lbfgs", max_iter=25, random_state=0)
    ours, theirs = MLPClassifier(**params).fit(X, y), SkMLPClassifier(**params).fit(X, y)
    assert ours.n_iter_ == theirs.n_iter_
    assert ours.loss_ == pytest.approx(theirs.loss_, rel=1e-6)
    for a, b in zip(ours.coefs_, theirs.coefs_, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-8)


def test_full_batch_adam_follows_sklearn(regression):
    # Full batch (n < 200): shuffling cannot matter, so the trajectories agree.
    X, y = regression
    params = dict(hidden_layer_sizes=(6,), max_iter=30, random_state=0)
    ours, theirs = MLPRegressor(**params).fit(X, y), SkMLPRegressor(**params).fit(X, y)
    np.testing.assert_allclose(ours.loss_curve_, theirs.loss_curve_, rtol=1e-6)
    np.testing.assert_allclose(ours.predict(X), theirs.predict(X), rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("solver", ["adam", "lbfgs"])
def test_multioutput_regression_follows_sklearn(regression, solver):
    # With several outputs scikit-learn reports the squared error averaged over the
    # outputs too, while its gradient is that of the sum: loss_, loss_curve_, the tol
    # rule and L-BFGS (which sees both) must all agree with it.
    X, y = regression
    Y = np.column_stack([y, -2 * y + 1, np.sin(3 * y)])
    params = dict(hidden_layer_sizes=(6,), solver=solver, max_iter=30, alpha=0.01, random_state=0)
    ours, theirs = MLPRegressor(**params).fit(X, Y), SkMLPRegressor(**params).fit(X, Y)
    assert ours.n_iter_ == theirs.n_iter_
    assert ours.loss_ == pytest.approx(theirs.loss_, rel=1e-6)
    if solver == "adam":  # scikit-learn's L-BFGS keeps no loss_curve_
        np.testing.assert_allclose(ours.loss_curve_, theirs.loss_curve_, rtol=1e-6)
    np.testing.assert_allclose(ours.predict(X), theirs.predict(X), rtol=1e-4, atol=1e-6)


def test_multioutput_regression_stops_on_tol_where_sklearn_does(regression):
    X, y = regression
    Y = np.column_stack([y, 0.5 * y])
    params = dict(hidden_layer_sizes=(6,), learning_rate_init=0.01, max_iter=500, tol=1e-3, random_state=0)
    ours, theirs = MLPRegressor(**params).fit(X, Y), SkMLPRegressor(**params).fit(X, Y)
    assert ours.n_iter_ == theirs.n_iter_ < 500


# ---------------------------------------------------------------- fitted attributes and targets
def test_fitted_attributes_multiclass(iris):
    X, y = iris
    clf = MLPClassifier(hidden_layer_sizes=(7, 5), max_iter=20, random_state=0).fit(X, y)
    np.testing.assert_array_equal(clf.classes_, [0, 1, 2])
    assert clf.n_layers_ == 4 and clf.n_outputs_ == 3 and clf.n_features_in_ == 4
    assert clf.out_activation_ == "softmax"
    assert [W.shape for W in clf.coefs_] == [(4, 7), (7, 5), (5, 3)]
    assert [b.shape for b in clf.intercepts_] == [(7,), (5,), (3,)]
    assert clf.n_iter_ == 20 == len(clf.loss_curve_)
    assert clf.t_ == 20 * X.shape[0]
    assert clf.loss_ == clf.loss_curve_[-1] and clf.best_loss_ == min(clf.loss_curve_)
    assert clf.validation_scores_ is None and clf.best_validation_score_ is None
    assert clf.validation_loss_curve_ is None
    assert isinstance(clf.network_, gn.Network)
    assert not hasattr(clf, "feature_names_in_")


def test_binary_string_labels_and_two_probability_columns(iris):
    X, y = iris
    labels = np.where(y == 0, "setosa", "other")
    clf = MLPClassifier(hidden_layer_sizes=(5,), solver="lbfgs", random_state=0).fit(X, labels)
    assert clf.out_activation_ == "logistic" and clf.n_outputs_ == 1
    assert list(clf.classes_) == ["other", "setosa"]
    proba = clf.predict_proba(X)
    assert proba.shape == (150, 2)
    np.testing.assert_allclose(proba.sum(axis=1), 1)
    np.testing.assert_allclose(clf.predict_log_proba(X), np.log(proba))
    assert set(clf.predict(X)) == {"other", "setosa"}
    assert clf.score(X, labels) == 1.0


def test_multilabel(iris):
    X, y = iris
    Y = np.column_stack([y == 0, y == 2, X[:, 0] > 0]).astype(int)
    clf = MLPClassifier(hidden_layer_sizes=(16,), solver="lbfgs", max_iter=300, random_state=0).fit(X, Y)
    assert clf.out_activation_ == "logistic" and clf.n_outputs_ == 3
    assert clf.predict(X).shape == (150, 3) and clf.predict_proba(X).shape == (150, 3)
    assert clf.score(X, Y) > 0.9


def test_multioutput_regression(regression):
    X, y = regression
    Y = np.column_stack([y, -2 * y + 1])
    reg = MLPRegressor(hidden_layer_sizes=(16,), solver="lbfgs", random_state=0).fit(X, Y)
    assert reg.out_activation_ == "identity" and reg.n_outputs_ == 2
    assert reg.predict(X).shape == (120, 2)
    assert reg.score(X, Y) > 0.95
    assert MLPRegressor(max_iter=5, random_state=0).fit(X, y).predict(X).shape == (120,)


def test_poisson_regression():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 3))
    y = rng.poisson(np.exp(0.5 * X[:, 0] - 0.3 * X[:, 1]))
    reg = MLPRegressor(loss="poisson", hidden_layer_sizes=(8,), solver="lbfgs", random_state=0).fit(X, y)
    assert reg.out_activation_ == "exp"
    assert (reg.predict(X) > 0).all()
    with pytest.raises(ValueError, match="negative"):
        MLPRegressor(loss="poisson").fit(X, y - 5.0)


def test_float32_stays_float32(iris):
    X, y = iris
    clf = MLPClassifier(hidden_layer_sizes=(5,), max_iter=5, random_state=0).fit(X.astype(np.float32), y)
    assert all(W.dtype == np.float32 for W in clf.coefs_ + clf.intercepts_)
    assert clf.predict_proba(X.astype(np.float32)).dtype == np.float32
    reg = MLPRegressor(solver="lbfgs", max_iter=5, random_state=0).fit(X.astype(np.float32), X[:, 0])
    assert reg.coefs_[0].dtype == np.float32


def test_a_float32_model_predicts_float64_rows_in_float64_as_scikit_learn_does(iris):
    X, y = iris
    X32 = X.astype(np.float32)
    params = dict(hidden_layer_sizes=(5,), max_iter=5, random_state=0)
    for ours, theirs, methods, target in [
        (MLPClassifier(**params), SkMLPClassifier(**params), ["predict_proba", "predict_log_proba"], y),
        (MLPRegressor(**params), SkMLPRegressor(**params), ["predict"], X[:, 0]),
    ]:
        theirs.fit(X32, target)
        ours.fit(X32, target)
        ours.coefs_, ours.intercepts_ = theirs.coefs_, theirs.intercepts_  # the same float32 weights
        for method in methods:
            want, got = getattr(theirs, method)(X), getattr(ours, method)(X)
            assert got.dtype == want.dtype == np.float64
            np.testing.assert_allclose(got, want, rtol=1e-12)
            assert getattr(ours, method)(X32).dtype == getattr(theirs, method)(X32).dtype == np.float32
        assert ours.coefs_[0].dtype == np.float32  # predicting left the model as it was


@pytest.mark.parametrize("container", [sp.csr_matrix, sp.csc_matrix, sp.csr_array])
def test_sparse_input_gives_the_dense_result(iris, container):
    X, y = iris
    X = np.where(np.abs(X) < 0.5, 0.0, X)
    dense = MLPClassifier(hidden_layer_sizes=(5,), max_iter=10, random_state=0).fit(X, y)
    sparse = MLPClassifier(hidden_layer_sizes=(5,), max_iter=10, random_state=0).fit(container(X), y)
    np.testing.assert_allclose(sparse.predict_proba(container(X)), dense.predict_proba(X))


def test_wide_sparse_input_is_densified_a_batch_at_a_time():
    # 1,000 × 50,000 float64 is 400 MB dense; scikit-learn keeps such X sparse, so must we.
    import tracemalloc

    rng = np.random.default_rng(0)
    rows, cols = rng.integers(0, 1000, 5000), rng.integers(0, 50_000, 5000)
    X = sp.csr_matrix((rng.random(5000), (rows, cols)), shape=(1000, 50_000))
    y = np.asarray(X[:, :25_000].sum(axis=1)).ravel() > np.asarray(X[:, 25_000:].sum(axis=1)).ravel()
    MLPClassifier(hidden_layer_sizes=(2,), max_iter=1).fit(X[:50, :10], y[:50])  # imports first
    tracemalloc.start()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            clf = MLPClassifier(hidden_layer_sizes=(4,), max_iter=3, random_state=0).fit(X, y)
        clf.predict(X)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 150e6, f"peak {peak / 1e6:.0f} MB: X was densified"


def test_dataframe_keeps_feature_names(iris):
    X, y = iris
    frame = pd.DataFrame(X, columns=["sepal_l", "sepal_w", "petal_l", "petal_w"])
    clf = MLPClassifier(hidden_layer_sizes=(5,), max_iter=5, random_state=0).fit(frame, y)
    assert list(clf.feature_names_in_) == list(frame.columns)
    with pytest.warns(UserWarning, match="feature names"):
        clf.predict(X)
    with pytest.raises(ValueError, match="feature names"):
        clf.predict(frame[frame.columns[::-1]])


def test_coefs_are_views_into_the_network(iris):
    X, y = iris
    clf = MLPClassifier(hidden_layer_sizes=(5,), max_iter=5, random_state=0).fit(X, y)
    assert np.shares_memory(clf.coefs_[0], clf.network_.theta)
    clf.coefs_[1][...] = 0.0
    clf.intercepts_[1][...] = [0.0, 5.0, 0.0]
    assert (clf.predict(X) == 1).all()
    clf.coefs_ = [np.ones((4, 5)), np.eye(5, 3)]  # assigning copies the numbers in
    assert np.shares_memory(clf.coefs_[0], clf.network_.theta)
    np.testing.assert_array_equal(clf.coefs_[0], 1.0)
    with pytest.raises(NotFittedError):
        _ = MLPClassifier().coefs_


# ---------------------------------------------------------------- scikit-learn's tools
def test_pipeline_gridsearch_and_cross_val_score():
    X, y = datasets.load_iris(return_X_y=True)
    pipe = make_pipeline(
        StandardScaler(), MLPClassifier(hidden_layer_sizes=(8,), solver="lbfgs", max_iter=100, random_state=0)
    )
    assert cross_val_score(pipe, X, y, cv=3).mean() > 0.9
    grid = GridSearchCV(
        pipe, {"mlpclassifier__alpha": [1e-4, 1.0], "mlpclassifier__activation": ["relu", "tanh"]}, cv=3
    )
    grid.fit(X, y)
    assert grid.best_score_ > 0.9
    assert set(grid.best_params_) == {"mlpclassifier__alpha", "mlpclassifier__activation"}


@pytest.mark.parametrize("dump_load", ["pickle", "joblib"])
def test_pickle_round_trip(iris, tmp_path, dump_load):
    X, y = iris
    clf = MLPClassifier(hidden_layer_sizes=(6,), max_iter=10, random_state=0).fit(X, y)
    if dump_load == "pickle":
        clone = pickle.loads(pickle.dumps(clf))
    else:
        joblib.dump(clf, tmp_path / "model.joblib")
        clone = joblib.load(tmp_path / "model.joblib")
    np.testing.assert_array_equal(clone.predict_proba(X), clf.predict_proba(X))
    assert np.shares_memory(clone.coefs_[0], clone.network_.theta)
    # Training goes on after loading, with the optimizer's state.
    clone.partial_fit(X, y)
    clf.partial_fit(X, y)
    np.testing.assert_array_equal(clone.predict_proba(X), clf.predict_proba(X))


# ---------------------------------------------------------------- continuing training
def test_warm_start_continues(blobs):
    X, y = blobs
    clf = MLPClassifier(hidden_layer_sizes=(8,), max_iter=10, warm_start=True, random_state=0)
    clf.fit(X, y)
    first_curve = list(clf.loss_curve_)
    clf.fit(X, y)
    assert len(clf.loss_curve_) == 20 and clf.loss_curve_[:10] == first_curve
    assert clf.loss_curve_[10] < first_curve[-1]  # it went on from where it stopped
    assert clf.t_ == 20 * X.shape[0]
    cold = MLPClassifier(hidden_layer_sizes=(8,), max_iter=10, random_state=0).fit(X, y).fit(X, y)
    assert cold.loss_curve_ == first_curve  # without warm_start, fit starts over
    with pytest.raises(ValueError, match="warm_start can only be used"):
        clf.fit(X[y < 2], y[y < 2])


def test_partial_fit_continues(blobs):
    X, y = blobs
    clf = MLPClassifier(hidden_layer_sizes=(8,), learning_rate_init=0.01, random_state=0)
    with pytest.raises(ValueError, match="classes must be passed"):
        clf.partial_fit(X, y)
    losses = []
    for _ in range(15):
        clf.partial_fit(X, y, classes=[0, 1, 2])
        losses.append(clf.loss_)
    assert losses[-1] < losses[0] and np.all(np.diff(losses) < 0)
    assert clf.t_ == 15 * X.shape[0] and len(clf.loss_curve_) == 15
    assert clf.n_iter_ == 1  # as in scikit-learn: the epochs of the last call
    clf.partial_fit(X[:10], y[:10])  # later batches need not hold every class
    reg = MLPRegressor(solver="sgd", random_state=0)
    for chunk in np.array_split(np.arange(120), 4):
        reg.partial_fit(X[chunk], X[chunk, 0])
    assert reg.t_ == 120
    assert not hasattr(MLPClassifier(solver="lbfgs"), "partial_fit")
    with pytest.raises(ValueError, match="early_stopping"):
        MLPRegressor(early_stopping=True).partial_fit(X, y)


# ---------------------------------------------------------------- scikit-learn's stopping rules
def test_tol_stops_on_the_training_loss(blobs):
    X, y = blobs
    clf = MLPClassifier(hidden_layer_sizes=(8,), tol=0.5, n_iter_no_change=3, random_state=0).fit(X, y)
    assert clf.n_iter_ == 5  # epoch 1 improves on inf, then more than 3 epochs without a gain of 0.5
    for tol, patience in [(0.01, 2), (1e-3, 5)]:  # full batch: the same epochs as scikit-learn
        params = dict(
            hidden_layer_sizes=(8,), tol=tol, n_iter_no_change=patience, max_iter=1000, random_state=0
        )
        assert MLPClassifier(**params).fit(X, y).n_iter_ == SkMLPClassifier(**params).fit(X, y).n_iter_
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        MLPClassifier(hidden_layer_sizes=(8,), tol=0.5, random_state=0).fit(X, y)
    with pytest.warns(ConvergenceWarning, match="Maximum iterations"):
        MLPClassifier(hidden_layer_sizes=(8,), max_iter=3, random_state=0).fit(X, y)
    never = MLPClassifier(
        hidden_layer_sizes=(8,), tol=0.5, n_iter_no_change=np.inf, max_iter=30, random_state=0
    ).fit(X, y)
    assert never.n_iter_ == 30


def test_early_stopping_restores_the_best_weights(blobs):
    X, y = blobs
    seen = []

    def remember(epoch, logs):
        seen.append((logs["val_score"], logs["net"].theta.copy()))

    clf = MLPClassifier(
        hidden_layer_sizes=(8,),
        early_stopping=True,
        validation_fraction=0.25,
        n_iter_no_change=5,
        tol=0.0,
        random_state=0,
        callbacks=[remember],
    ).fit(X, y)
    assert clf.best_loss_ is None
    assert len(clf.validation_scores_) == clf.n_iter_ == len(clf.validation_loss_curve_) == len(seen)
    assert clf.best_validation_score_ == max(clf.validation_scores_)
    best = int(np.argmax([score for score, _ in seen]))
    np.testing.assert_array_equal(clf.network_.theta, seen[best][1])
    reg = MLPRegressor(hidden_layer_sizes=(8,), early_stopping=True, random_state=0).fit(X, X[:, 0])
    assert -1 <= reg.best_validation_score_ <= 1  # R²
    with pytest.raises(ValueError, match="validation set is too small"):
        MLPRegressor(early_stopping=True, validation_fraction=0.01).fit(X[:30], y[:30])


def _learning_rates(estimator, X, y):
    rates = []
    estimator.set_params(callbacks=[lambda epoch, logs: rates.append(logs["lr"])]).fit(X, y)
    return rates


def test_adaptive_divides_the_rate_by_5(blobs):
    X, y = blobs
    rates = _learning_rates(
        MLPClassifier(
            solver="sgd",
            learning_rate="adaptive",
            learning_rate_init=0.1,
            tol=10.0,
            n_iter_no_change=2,
            max_iter=12,
            random_state=0,
        ),
        X,
        y,
    )
    # Epoch 1 improves on inf; every 3 epochs without improvement the rate drops.
    assert rates[:4] == [0.1] * 4
    assert rates[4] == pytest.approx(0.02) and rates[7] == pytest.approx(0.004)


def test_invscaling_uses_samples_seen(blobs):
    X, y = blobs
    rates = _learning_rates(
        MLPClassifier(
            solver="sgd",
            learning_rate="invscaling",
            power_t=0.5,
            learning_rate_init=0.1,
            max_iter=4,
            random_state=0,
        ),
        X,
        y,
    )
    assert rates == pytest.approx([0.1] + [0.1 / (120 * k + 1) ** 0.5 for k in (1, 2, 3)])


def test_batch_size_larger_than_the_data_is_clipped(blobs):
    X, y = blobs
    with pytest.warns(UserWarning, match="clipped"):
        MLPClassifier(batch_size=1000, max_iter=2).fit(X, y)


# ---------------------------------------------------------------- parameter validation
@pytest.mark.parametrize(
    "params, message",
    [
        (dict(alpha=-1.0), "'alpha' parameter of MLPClassifier must be a float in the range"),
        (dict(batch_size=0), "'batch_size' parameter"),
        (dict(solver="newton"), "'solver' parameter of MLPClassifier must be a str among"),
        (dict(activation="softmax"), "'activation' parameter"),
        (dict(learning_rate_init=0.0), "'learning_rate_init' parameter"),
        (dict(momentum=1.5), "'momentum' parameter"),
        (dict(n_iter_no_change=0), "'n_iter_no_change' parameter"),
        (dict(validation_fraction=1.0), "'validation_fraction' parameter"),
        (dict(dropout=1.0), "'dropout' parameter"),
        (dict(class_weight="even"), "'class_weight' parameter"),
        (dict(callbacks="print"), "'callbacks' parameter"),
    ],
)
def test_invalid_parameters_are_named(iris, params, message):
    X, y = iris
    with pytest.raises(InvalidParameterError, match=message):
        MLPClassifier(**params).fit(X, y)


@pytest.mark.parametrize(
    "params, message",
    [
        (dict(hidden_layer_sizes=(5, 0)), "hidden_layer_sizes must be > 0"),
        (dict(hidden_layer_sizes=(5, 4), activation=["relu"]), "one activation per hidden layer"),
        (
            dict(hidden_layer_sizes=(5,), activation=["swish"]),
            "unknown activation 'swish'.*valid activations",
        ),
        (dict(hidden_layer_sizes=(5, 4), dropout=[0.1]), "dropout"),
    ],
)
def test_invalid_architecture_is_named(iris, params, message):
    X, y = iris
    with pytest.raises(ValueError, match=message):
        MLPClassifier(max_iter=2, **params).fit(X, y)


def test_a_network_too_big_is_refused_before_a_weight_is_drawn(monkeypatch):
    def no_weights(*args, **kwargs):
        raise AssertionError("the initializer ran before the size check")

    monkeypatch.setattr("glassnet._estimator_base.sklearn_uniform", no_weights)
    X = np.zeros((2, 3))
    too_big = (
        r"layer sizes \[3, 17000, 17000, 1\] make 289,102,001 parameters .*\(glassnet\.network\.MAX_PARAMS\)$"
    )
    with pytest.raises(ValueError, match=too_big):
        MLPClassifier(hidden_layer_sizes=(17000, 17000)).fit(X, [0, 1])
    with pytest.raises(ValueError, match=too_big):
        MLPClassifier(hidden_layer_sizes=(17000, 17000)).partial_fit(X, [0, 1], classes=[0, 1])
    with pytest.raises(ValueError, match=r"\[3, 10000000, 10000000, 1\] make 100,000,060,000,001 parameters"):
        MLPRegressor(hidden_layer_sizes=(10**7, 10**7), warm_start=True).fit(X, [0.0, 1.0])


@pytest.mark.parametrize("solver", ["adam", "lbfgs"])
def test_continuing_with_another_number_of_outputs_is_a_clear_error(regression, solver):
    X, y = regression
    reg = MLPRegressor(hidden_layer_sizes=(5,), solver=solver, max_iter=5, warm_start=True, random_state=0)
    reg.fit(X, y)
    with pytest.raises(
        ValueError,
        match=r"^y has 2 outputs, but MLPRegressor was fitted with 1: warm_start=True continues the "
        r"fitted network, whose number of outputs cannot change; set warm_start=False to fit a new network$",
    ):
        reg.fit(X, np.c_[y, y])
    with pytest.raises(ValueError):  # scikit-learn refuses too, with a NumPy broadcasting error
        SkMLPRegressor(hidden_layer_sizes=(5,), solver=solver, max_iter=5, warm_start=True).fit(X, y).fit(
            X, np.c_[y, y]
        )
    assert reg.fit(X, y).predict(X).shape == (len(X),)  # the model is unharmed
    assert reg.set_params(warm_start=False).fit(X, np.c_[y, y]).n_outputs_ == 2
    if solver == "adam":
        with pytest.raises(
            ValueError, match="^y has 1 outputs, but MLPRegressor was fitted with 2: partial_fit"
        ):
            reg.partial_fit(X, y)


@pytest.mark.parametrize("callback", [3, "print", StopAtLoss(0.1)])
def test_a_callback_that_is_not_a_function_is_refused_before_training(iris, callback):
    X, y = iris
    seen = []
    clf = MLPClassifier(max_iter=5, callbacks=[lambda epoch, logs: seen.append(epoch), callback])
    with pytest.raises(ValueError, match=r"^each callback must be a function f\(epoch, logs\), got "):
        clf.fit(X, y)
    assert seen == [] and not hasattr(clf, "network_")


@pytest.mark.parametrize(
    "class_weight, message",
    [
        (
            {0: -1, 1: 1},
            "class_weight must give each class a finite, non-negative weight, got -1 for class 0",
        ),
        ({2: np.inf}, "finite, non-negative weight, got inf for class 2"),
        ({1: np.nan}, "finite, non-negative weight, got nan for class 1"),
        ({0: "heavy"}, "finite, non-negative weight, got 'heavy' for class 0"),
        ({0: 0, 1: 0, 2: 0}, r"class_weight \{0: 0, 1: 0, 2: 0\} gives every sample in y weight 0"),
    ],
)
def test_bad_class_weights_are_named(blobs, class_weight, message):
    X, y = blobs
    with pytest.raises(ValueError, match=message):
        MLPClassifier(class_weight=class_weight, max_iter=2).fit(X, y)


def test_regressor_validates_loss(regression):
    X, y = regression
    with pytest.raises(InvalidParameterError, match="'loss' parameter of MLPRegressor"):
        MLPRegressor(loss="huber").fit(X, y)


# ---------------------------------------------------------------- what scikit-learn lacks
def test_an_activation_per_hidden_layer(iris):
    X, y = iris
    clf = MLPClassifier(
        hidden_layer_sizes=(6, 5, 4), activation=["tanh", "relu", "logistic"], solver="lbfgs", random_state=0
    ).fit(X, y)
    names = [layer.activation.name for layer in clf.network_.layers]
    assert names == ["tanh", "relu", "sigmoid", "softmax"]
    assert clf.score(X, y) > 0.95
    assert MLPClassifier(activation="gelu", solver="lbfgs", random_state=0).fit(X, y).score(X, y) > 0.95


def test_dropout_trains_and_predicts_deterministically(blobs):
    X, y = blobs
    clf = MLPClassifier(
        hidden_layer_sizes=(32,), dropout=0.3, learning_rate_init=0.01, max_iter=60, random_state=0
    ).fit(X, y)
    plain = MLPClassifier(hidden_layer_sizes=(32,), learning_rate_init=0.01, max_iter=60, random_state=0).fit(
        X, y
    )
    assert clf.loss_curve_ != plain.loss_curve_
    assert clf.score(X, y) > 0.9
    np.testing.assert_array_equal(clf.predict_proba(X), clf.predict_proba(X))  # no dropout at predict
    again = MLPClassifier(
        hidden_layer_sizes=(32,), dropout=0.3, learning_rate_init=0.01, max_iter=60, random_state=0
    ).fit(X, y)
    assert again.loss_curve_ == clf.loss_curve_


def test_class_weight(blobs):
    X, y = blobs
    keep = (y != 2) | (np.arange(y.size) % 8 == 0)  # class 2 becomes rare
    X, y = X[keep], y[keep]
    params = dict(hidden_layer_sizes=(8,), solver="lbfgs", alpha=1.0, random_state=0)
    plain = MLPClassifier(**params).fit(X, y)
    heavy = MLPClassifier(class_weight={0: 1, 1: 1, 2: 20}, **params).fit(X, y)
    balanced = MLPClassifier(class_weight="balanced", **params).fit(X, y)
    rare = y == 2
    assert heavy.predict_proba(X)[rare, 2].mean() > plain.predict_proba(X)[rare, 2].mean()
    assert balanced.predict_proba(X)[rare, 2].mean() > plain.predict_proba(X)[rare, 2].mean()
    with pytest.raises(ValueError, match="'balanced' is not supported for partial_fit"):
        MLPClassifier(class_weight="balanced").partial_fit(X, y, classes=[0, 1, 2])


@pytest.mark.parametrize("solver", ["rmsprop", "momentum"])
def test_more_solvers(blobs, solver):
    X, y = blobs
    clf = MLPClassifier(
        hidden_layer_sizes=(16,), solver=solver, learning_rate_init=0.01, max_iter=50, random_state=0
    ).fit(X, y)
    assert clf.loss_curve_[-1] < clf.loss_curve_[0] and clf.score(X, y) > 0.95
    assert type(clf._optimizer) is {"rmsprop": gn.RMSprop, "momentum": gn.Momentum}[solver]


@pytest.mark.parametrize(
    "schedule, expected",
    [
        ("step", lambda e: 0.1 * 0.5 ** (e // 10)),
        ("exponential", lambda e: 0.1 * 0.95**e),
        ("cosine", lambda e: 0.05 * (1 + np.cos(np.pi * e / 30))),
        ("inverse_time", lambda e: 0.1 / (1 + 0.01 * e)),
        (gn.StepDecay(0.3, drop=0.1, every=5), lambda e: 0.3 * 0.1 ** (e // 5)),
    ],
)
def test_more_schedules(blobs, schedule, expected):
    X, y = blobs
    rates = _learning_rates(
        MLPClassifier(
            solver="sgd",
            learning_rate=schedule,
            learning_rate_init=0.1,
            max_iter=30,
            n_iter_no_change=np.inf,
            random_state=0,
        ),
        X,
        y,
    )
    np.testing.assert_allclose(rates, [expected(e) for e in range(30)])


def test_callbacks_see_the_epoch_and_can_stop(blobs):
    X, y = blobs
    seen = []

    def stop_after_three(epoch, logs):
        seen.append((epoch, set(logs)))
        return epoch == 2

    clf = MLPClassifier(max_iter=50, random_state=0, callbacks=[stop_after_three]).fit(X, y)
    assert clf.n_iter_ == 3 and [e for e, _ in seen] == [0, 1, 2]
    assert {"loss", "lr", "net", "estimator"} <= seen[0][1]
    stopped = MLPClassifier(solver="lbfgs", random_state=0, callbacks=[lambda e, logs: e == 4])
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)  # a requested stop is no failure
        stopped.fit(X, y)
    assert stopped.n_iter_ == 5 and len(stopped.loss_curve_) == 5


def test_verbose_prints_sklearn_lines_and_a_progress_bar(blobs, capsys):
    X, y = blobs
    MLPClassifier(hidden_layer_sizes=(4,), max_iter=3, verbose=True, random_state=0).fit(X, y)
    out, err = capsys.readouterr()
    assert "Iteration 1, loss = " in out and "Iteration 3, loss = " in out
    assert "epoch" in err
    MLPClassifier(hidden_layer_sizes=(4,), solver="lbfgs", max_iter=3, verbose=1, random_state=0).fit(X, y)
    assert "Iteration 3, loss = " in capsys.readouterr().out
    MLPClassifier(hidden_layer_sizes=(4,), max_iter=3, random_state=0).fit(X, y)
    assert capsys.readouterr() == ("", "")


def test_lbfgs_loss_curve(iris):
    X, y = iris
    clf = MLPClassifier(hidden_layer_sizes=(5,), solver="lbfgs", max_iter=20, random_state=0)
    with pytest.warns(ConvergenceWarning, match="lbfgs failed to converge"):
        clf.fit(X, y)
    assert clf.n_iter_ == 20 == len(clf.loss_curve_)
    assert clf.loss_ == pytest.approx(clf.loss_curve_[-1]) and clf.best_loss_ == clf.loss_
    assert clf.t_ == 0  # as in scikit-learn


# ---------------------------------------------------------------- the engine-level L-BFGS
def test_minimize_lbfgs_on_a_network():
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
    y = np.array([0, 1, 1, 0])
    net = gn.Network([2, 4, 1], activations="tanh", output="sigmoid", random_state=1)
    iterations = []
    result = minimize_lbfgs(
        net, X, y, max_iter=500, tol=1e-8, callbacks=[lambda it, logs: iterations.append(logs["loss"])]
    )
    assert result.fun < 1e-3 and result.nit == len(iterations)
    np.testing.assert_array_equal(net.theta, result.x)
    np.testing.assert_array_equal(net.predict(X), y)
    stopped = minimize_lbfgs(
        gn.Network([2, 3, 1], output="sigmoid", random_state=0), X, y, callbacks=[lambda it, logs: it == 1]
    )
    assert stopped.status == 99 and stopped.nit == 2


def test_early_stopping_split_is_stratified(iris, monkeypatch):
    # scikit-learn's documentation: stratified except for multi-label targets.
    import glassnet._estimator_base as estimators

    calls = []

    def spy(*arrays, **kwargs):
        calls.append(kwargs["stratify"])
        return train_test_split(*arrays, **kwargs)

    monkeypatch.setattr(estimators, "train_test_split", spy)
    X, y = iris
    MLPClassifier(early_stopping=True, max_iter=2, random_state=0).fit(X, y)
    np.testing.assert_array_equal(calls[-1], y)
    MLPClassifier(early_stopping=True, max_iter=2, random_state=0).fit(X, y == 1)
    np.testing.assert_array_equal(calls[-1], (y == 1)[:, None])  # scikit-learn's binarized column
    MLPClassifier(early_stopping=True, max_iter=2, random_state=0).fit(X, np.column_stack([y == 1, y == 2]))
    assert calls[-1] is None
    MLPRegressor(early_stopping=True, max_iter=2, random_state=0).fit(X, y)
    assert calls[-1] is None


@pytest.mark.parametrize("solver", ["adam", "sgd", "lbfgs"])
def test_non_finite_in_the_first_epoch_is_scikit_learns_value_error(iris, solver):
    # X near the largest float: the first forward pass overflows. scikit-learn raises this
    # ValueError; glassnet used to end L-BFGS with a TypeError and SGD without a loss_.
    X, y = iris
    X = np.finfo(np.float64).max * (X / X.max())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(ValueError, match="Solver produced non-finite parameter weights"):
            MLPRegressor(solver=solver, max_iter=5, random_state=0).fit(X, y)


@pytest.mark.parametrize("Estimator", [MLPRegressor, SkMLPRegressor])
def test_weights_that_turn_nan_after_some_epochs_raise_scikit_learns_value_error(Estimator):
    # lr = 10 on unscaled data: finite epochs first, NaN at the fifth. glassnet used to put
    # back earlier weights (then already past 1e11) and only warn: R² of -1.7e19.
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 3)) * 100
    y = X[:, 0] * 200 + 100
    model = Estimator(
        hidden_layer_sizes=(5,), solver="sgd", learning_rate_init=10.0, max_iter=20, random_state=0
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(ValueError, match="Solver produced non-finite parameter weights"):
            model.fit(X, y)
    assert len(model.loss_curve_) > 1  # the loss was finite for a while
    # With early stopping both put back the best validation score's weights, and do not raise.
    model.set_params(early_stopping=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(X, y)
    assert all(np.isfinite(W).all() for W in model.coefs_) and not np.isfinite(model.validation_scores_[-1])


def test_lbfgs_whose_first_line_search_fails_still_reports_its_loss(iris):
    X, y = iris
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model = MLPClassifier(solver="lbfgs", max_iter=5, random_state=0).fit(X * 1e150, y)
    assert np.isfinite(model.loss_) and model.best_loss_ == model.loss_ and model.loss_curve_ == []


def test_an_exploding_estimator_warns_once_and_trains_on_as_scikit_learn_does(iris):
    X, y = iris
    with pytest.warns(gn.TrainingDivergedWarning, match="training is diverging at epoch") as caught:
        model = MLPClassifier(solver="sgd", learning_rate_init=1e6, max_iter=5, random_state=0).fit(X, y)
    assert sum(w.category is gn.TrainingDivergedWarning for w in caught) == 1
    assert model.n_iter_ == 5 and np.isfinite(model.network_.theta).all()


def test_optimizers_answer_to_scikit_learns_learning_rate_name(iris):
    X, y = iris
    model = MLPClassifier(solver="sgd", learning_rate="adaptive", tol=0.5, max_iter=3000).fit(X[:2], y[:2])
    assert model._optimizer.learning_rate == model._optimizer.lr < 1e-6
    model._optimizer.learning_rate = 0.5
    assert model._optimizer.lr == 0.5


@pytest.mark.parametrize(
    "y",
    [
        np.array([3, 1, 2, 1, 3, 2]),
        np.array(["b", "a", "b", "a"]),
        np.array([True, False, False, True]),
        np.array([7, 9, 9, 7, 7], np.uint8),
    ],
)
def test_plain_labels_are_binarized_as_the_label_binarizer_does(y):
    # The fast path of a fresh fit (one np.unique) against scikit-learn's LabelBinarizer.
    from sklearn.preprocessing import LabelBinarizer

    clf = MLPClassifier()
    Y = clf._binarize_labels(y)
    expected = LabelBinarizer().fit(y)
    np.testing.assert_array_equal(Y, expected.transform(y).astype(bool))
    np.testing.assert_array_equal(clf.classes_, expected.classes_)
    assert clf._label_binarizer.y_type_ == expected.y_type_
    np.testing.assert_array_equal(clf._label_binarizer.inverse_transform(Y.astype(float)), y)
    assert clf._binarize_labels(y[:1]) is None  # one class: the binarizer's message
    assert clf._binarize_labels(y.astype(object)) is None  # anything else: the binarizer's path
