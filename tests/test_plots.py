"""Every picture: what its figure holds (axes, lines, labels, legends) and the PNG it writes."""

import os
from types import SimpleNamespace

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest
from sklearn.datasets import make_blobs, make_moons
from sklearn.linear_model import LogisticRegression

import glassnet as gn
from glassnet.glass import descent, plots
from glassnet.glass.experiments import run_experiment

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def assert_png(path):
    data = path.read_bytes()
    assert len(data) > 1000 and data[:8] == PNG_MAGIC
    assert not [p for p in path.parent.iterdir() if p.name.endswith(".tmp")]  # no temp left
    umask = os.umask(0)
    os.umask(umask)
    assert path.stat().st_mode & 0o777 == 0o666 & ~umask  # usual permissions (mkstemp gives 0600)


def legend_texts(ax):
    legend = ax.get_legend()
    return [t.get_text() for t in legend.get_texts()] if legend else []


@pytest.fixture(scope="module")
def moons_net():
    X, y = make_moons(200, noise=0.2, random_state=0)
    net = gn.Network([2, 16, 1], activations="tanh", output="sigmoid", random_state=0)
    gn.train(net, X, y, optimizer="adam", lr=0.05, epochs=60, batch_size=32, random_state=0)
    return net, X, y


def test_plot_activations(tmp_path):
    path = tmp_path / "activations.png"
    fig = plots.plot_activations(path=path)
    assert len(fig.axes) == len(plots.DEFAULT_ACTIVATIONS)
    assert [ax.get_title() for ax in fig.axes] == [
        "Identity",
        "Sigmoid",
        "Tanh",
        "ReLU",
        "LeakyReLU(alpha=0.01)",
        "ELU(alpha=1.0)",
        "Softplus",
        "GELU",
    ]
    for ax in fig.axes:
        assert len(ax.lines) == 2
        assert ax.get_xlabel() == "z"
        assert legend_texts(ax) == ["σ(z)", "σ'(z)"]
    sig = fig.axes[1]
    z, a = sig.lines[0].get_data()
    np.testing.assert_allclose(a, 1 / (1 + np.exp(-z)))
    np.testing.assert_allclose(sig.lines[1].get_ydata(), a * (1 - a))
    assert_png(path)


def test_plot_activations_by_name_and_object():
    fig = plots.plot_activations(["tanh", gn.activations.Sigmoid(beta=2.0)], z=np.linspace(-2, 2, 11))
    assert len(fig.axes) == 2
    assert fig.axes[1].get_title() == "Sigmoid(beta=2.0)"
    assert len(fig.axes[0].lines[0].get_xdata()) == 11
    with pytest.raises(ValueError, match="softmax"):
        plots.plot_activations(["softmax"])
    with pytest.raises(ValueError, match="unknown activation"):
        plots.plot_activations(["swish"])


def test_plot_losses(tmp_path):
    path = tmp_path / "losses.png"
    fig = plots.plot_losses(path=path)
    assert len(fig.axes) == 2
    assert [ax.get_title() for ax in fig.axes] == ["target y = 1", "target y = 0"]
    for ax in fig.axes:
        assert len(ax.lines) == 3
        assert ax.get_xlabel() == "prediction ŷ"
        assert legend_texts(ax) == ["squared error", "binary cross entropy", "poisson"]
    p, bce = fig.axes[0].lines[1].get_data()
    np.testing.assert_allclose(bce, -np.log(p))
    assert_png(path)


def test_plot_history_from_history_and_dict(tmp_path):
    X, y = make_moons(120, noise=0.2, random_state=1)
    net = gn.Network([2, 8, 1], activations="tanh", output="sigmoid", random_state=0)
    history = gn.train(net, X, y, lr=0.05, epochs=15, validation=0.25, random_state=0)
    path = tmp_path / "history.png"
    fig = plots.plot_history(history, path=path)
    assert len(fig.axes) == 2
    loss_ax, acc_ax = fig.axes
    assert (loss_ax.get_title(), acc_ax.get_title()) == ("Loss", "Accuracy")
    assert loss_ax.get_xlabel() == "epoch" and loss_ax.get_ylabel() == "loss"
    for ax in fig.axes:
        assert len(ax.lines) == 2
        assert legend_texts(ax) == ["train", "validation"]
    np.testing.assert_allclose(loss_ax.lines[0].get_ydata(), history.loss)
    assert list(loss_ax.lines[0].get_xdata()) == list(range(1, 16))
    assert_png(path)

    fig = plots.plot_history({"loss": [1.0, 0.5, 0.25]})  # regression: loss only
    assert len(fig.axes) == 1 and len(fig.axes[0].lines) == 1
    assert legend_texts(fig.axes[0]) == ["train"]
    fig = plots.plot_history(history, log=True, validation_label="test")
    assert fig.axes[0].get_yscale() == "log" and fig.axes[1].get_yscale() == "linear"
    assert fig.axes[0].get_title() == "Loss (log scale)" and legend_texts(fig.axes[0]) == ["train", "test"]
    with pytest.raises(ValueError, match="no loss"):
        plots.plot_history({"loss": []})


def test_plot_decision_boundary_network(tmp_path, moons_net):
    net, X, y = moons_net
    path = tmp_path / "boundary.png"
    fig = plots.plot_decision_boundary(net, X, y, path=path, resolution=60)
    ax = fig.axes[0]
    assert len(fig.axes) == 2  # the plot and its colour bar
    assert ax.get_title() == "Decision boundary"
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("x₁", "x₂")
    assert legend_texts(ax) == ["0", "1"]
    scatters = [c for c in ax.collections if isinstance(c, matplotlib.collections.PathCollection)]
    assert len(scatters) == 2 and sum(len(s.get_offsets()) for s in scatters) == len(X)
    assert len(ax.collections) == 4  # filled contours, 0.5 line, 2 classes
    assert fig.axes[1].get_ylabel() == "P(y = 1)"
    assert_png(path)


def test_plot_decision_boundary_in_original_units(moons_net):
    # The model sees standardized inputs; the picture shows the data in its own units.
    net, X, y = moons_net
    mean, scale = np.array([10.0, -3.0]), np.array([2.0, 0.5])
    raw = X * scale + mean
    fig = plots.plot_decision_boundary(
        net,
        raw,
        y,
        resolution=40,
        transform=lambda P: (P - mean) / scale,
        title="Decision boundary (accuracy 0.97)",
    )
    ax = fig.axes[0]
    assert ax.get_title() == "Decision boundary (accuracy 0.97)"
    lo, hi = ax.get_xlim()
    assert lo < raw[:, 0].min() and hi > raw[:, 0].max() and lo > 0  # around 10, not around 0
    # The p = 0.5 line, drawn in raw units, is where the network (on standardized inputs) says 0.5.
    boundary = np.vstack([p.vertices for p in ax.collections[1].get_paths()])
    p = net.predict_output((boundary - mean) / scale)[:, 0]
    assert len(boundary) > 10 and np.median(np.abs(p - 0.5)) < 0.01 and np.abs(p - 0.5).max() < 0.1


def test_plot_decision_boundary_sklearn_multiclass():
    X, y = make_blobs(150, centers=3, random_state=0)
    labels = np.array(["a", "b", "c"])[y]
    model = LogisticRegression().fit(X, labels)
    fig = plots.plot_decision_boundary(model, X, labels, resolution=40)
    assert len(fig.axes) == 2
    assert legend_texts(fig.axes[0]) == ["a", "b", "c"]
    assert [t.get_text() for t in fig.axes[1].get_yticklabels()] == ["a", "b", "c"]
    with pytest.raises(ValueError, match="2-D inputs"):
        plots.plot_decision_boundary(model, np.zeros((5, 3)), np.zeros(5))


def test_plot_network(tmp_path):
    net = gn.Network([2, 2, 1], activations="sigmoid", random_state=0)
    path = tmp_path / "network.png"
    fig = plots.plot_network(net, path=path)
    ax = fig.axes[0]
    lines = [c for c in ax.collections if isinstance(c, matplotlib.collections.LineCollection)]
    assert [len(c.get_segments()) for c in lines] == [4, 2]
    dots = [c for c in ax.collections if isinstance(c, matplotlib.collections.PathCollection)]
    assert [len(c.get_offsets()) for c in dots] == [2, 2, 1]
    assert ax.get_title() == "Network 2 → 2 → 1"
    assert legend_texts(ax) == ["w > 0", "w < 0"]
    texts = [t.get_text() for t in ax.texts]
    assert f"{net.layers[0].W[0, 0]:.2g}" in texts  # tiny networks show their weights
    # Width grows with |w| and colour gives the sign.
    W = net.layers[0].W.ravel()
    widths = lines[0].get_linewidths()
    assert widths[np.argmax(np.abs(W))] == max(widths)
    assert_png(path)


def test_plot_network_of_a_fitted_estimator():
    from sklearn.neural_network import MLPClassifier

    X, y = make_moons(60, random_state=0)
    model = MLPClassifier((5, 3), max_iter=5, random_state=0)
    with pytest.warns(Warning):
        model.fit(X, y)  # not converged: fine here
    fig = plots.plot_network(model)
    ax = fig.axes[0]
    assert ax.get_title() == "Network 2 → 5 → 3 → 1"
    assert "output\n1 unit\nlogistic" in [t.get_text() for t in ax.texts]


def test_plot_network_big_layers_get_an_ellipsis():
    net = gn.Network([30, 64, 10], activations="relu", output="softmax", random_state=0)
    fig = plots.plot_network(net, max_units=12)
    ax = fig.axes[0]
    dots = [c for c in ax.collections if isinstance(c, matplotlib.collections.PathCollection)]
    assert [len(c.get_offsets()) for c in dots] == [11, 11, 10]
    assert sum(t.get_text() == "⋮" for t in ax.texts) == 2
    assert "hidden 1\n64 units\nrelu" in [t.get_text() for t in ax.texts]


def fake_descent(path, variables, values=None):
    """Stands in for glassnet.descent.DescentResult (its .path, .variables, .values)."""
    return SimpleNamespace(path=np.asarray(path, float), variables=variables, values=values)


def descent_path(grad, x0, lr=0.1, steps=20):
    xs = [np.asarray(x0, float)]
    for _ in range(steps):
        xs.append(xs[-1] - lr * grad(xs[-1]))
    return np.array(xs)


def test_plot_descent_two_variables(tmp_path):
    path = descent_path(lambda p: np.array([2 * p[0], 6 * p[1]]), [2.0, 1.5])
    result = fake_descent(path, ["x", "y"])
    out = tmp_path / "descent.png"
    fig = plots.plot_descent(result, f="x**2 + 3*y**2", path=out)  # a SymPy-readable string
    ax = fig.axes[0]
    assert len(fig.axes) == 2  # contour plot and colour bar
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("x", "y")
    assert ax.get_title() == "Gradient descent on f(x, y) = x**2 + 3*y**2: 20 steps"
    assert legend_texts(ax) == ["path", "start", "end"]
    np.testing.assert_allclose(ax.lines[0].get_xdata(), path[:, 0])
    assert len(ax.collections) >= 2  # filled and line contours
    assert_png(out)

    # A plain callable f(x, y), and one that only takes a point vector.
    fig = plots.plot_descent(result, f=lambda x, y: x**2 + 3 * y**2)
    assert len(fig.axes) == 2
    fig = plots.plot_descent(path, f=lambda p: float(p[0] ** 2 + 3 * p[1] ** 2))
    assert fig.axes[0].get_xlabel() == "x"
    # Without f: the path alone.
    fig = plots.plot_descent(result)
    assert len(fig.axes) == 1 and len(fig.axes[0].lines) == 3


def test_plot_descent_of_a_real_descent_result():
    result = descent.descend("x**2 + 3*y**2", [2.0, 1.5], lr=0.1, iterations=15)
    fig = plots.plot_descent(result, f="x**2 + 3*y**2")
    ax = fig.axes[0]
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("x", "y")
    np.testing.assert_allclose(ax.lines[0].get_ydata(), result.path[:, 1])
    result = descent.descend(lambda w: (w - 1) ** 2, 4.0, lr=0.2, iterations=10)  # one variable
    fig = plots.plot_descent(result, f=lambda w: (w - 1) ** 2)
    np.testing.assert_allclose(fig.axes[0].lines[1].get_ydata(), result.values)


def test_plot_descent_one_variable():
    path = descent_path(lambda p: 2 * (p - 1), [4.0], lr=0.2, steps=10)
    fig = plots.plot_descent(fake_descent(path, ["w"]), f=lambda w: (w - 1) ** 2)
    ax = fig.axes[0]
    assert len(ax.lines) == 4  # curve, path, start, end
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("w", "f(w)")
    np.testing.assert_allclose(ax.lines[1].get_ydata(), (path[:, 0] - 1) ** 2)
    values = (path[:, 0] - 1) ** 2
    fig = plots.plot_descent(fake_descent(path, ["w"], values))  # values instead of f
    assert len(fig.axes[0].lines) == 3


def test_plot_ewma(tmp_path):
    rng = np.random.default_rng(0)
    xs = 10 + rng.normal(size=60)
    path = tmp_path / "ewma.png"
    fig = plots.plot_ewma(xs, 0.9, path=path)
    ax = fig.axes[0]
    assert len(ax.lines) == 3
    assert legend_texts(ax) == ["data", "EWMA, β = 0.9", "EWMA with bias correction v / (1 − βᵗ)"]
    raw, corrected = ax.lines[1].get_ydata(), ax.lines[2].get_ydata()
    assert raw[0] == pytest.approx(0.1 * xs[0]) and corrected[0] == pytest.approx(xs[0])
    assert raw[1] == pytest.approx(0.9 * 0.1 * xs[0] + 0.1 * xs[1])
    assert corrected[1] == pytest.approx(raw[1] / (1 - 0.81))
    assert_png(path)
    with pytest.raises(ValueError, match="beta"):
        plots.plot_ewma(xs, 1.0)


def test_plot_comparison(tmp_path):
    X, y = make_moons(160, noise=0.2, random_state=0)
    result = run_experiment(
        {"hidden": [(4,), (8,)], "lr": [0.05]},
        X[:120],
        y[:120],
        X[120:],
        y[120:],
        seeds=(0, 1),
        base={"epochs": 8},
    )
    path = tmp_path / "comparison.png"
    fig = plots.plot_comparison(result, path=path)
    bar_ax, curve_ax = fig.axes
    assert len(bar_ax.patches) == 4  # train and test bar per config
    assert legend_texts(bar_ax) == ["train", "test"]
    assert bar_ax.get_ylabel() == "accuracy"
    # The bars are labelled by the values compared, not by their number.
    assert [t.get_text() for t in bar_ax.get_xticklabels()] == ["hidden=(4,) lr=0.05", "hidden=(8,) lr=0.05"]
    assert bar_ax.patches[2].get_height() == pytest.approx(result.rows[0]["test_score_mean"])
    assert len(curve_ax.lines) == 2 and curve_ax.get_xlabel() == "epoch"
    assert legend_texts(curve_ax) == [r["config"] for r in result.rows]
    assert_png(path)


def test_plot_confusion_matrix(tmp_path):
    y_true = ["cat", "dog", "dog", "bird", "cat", "dog"]
    y_pred = ["cat", "dog", "cat", "bird", "cat", "bird"]
    path = tmp_path / "sub" / "confusion.png"  # folders are created
    fig = plots.plot_confusion_matrix(y_true, y_pred, path=path)
    ax = fig.axes[0]
    assert len(fig.axes) == 2
    assert (ax.get_xlabel(), ax.get_ylabel(), ax.get_title()) == (
        "predicted label",
        "true label",
        "Confusion matrix",
    )
    assert [t.get_text() for t in ax.get_xticklabels()] == ["bird", "cat", "dog"]
    counts = [t.get_text() for t in ax.texts]
    assert counts == ["1", "0", "0", "0", "2", "0", "1", "1", "1"]
    assert_png(path)


def test_saving_replaces_an_existing_file(tmp_path):
    path = tmp_path / "plot.png"
    path.write_bytes(b"old")
    plots.plot_ewma([1, 2, 3], 0.5, path=path)
    assert_png(path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plot.png"]


@pytest.mark.parametrize("normalize", [None, "true", "pred", "all"])
def test_confusion_matrix_gives_scikit_learns_numbers(normalize):
    from sklearn import metrics

    rng = np.random.default_rng(0)
    y_true = rng.choice(["ant", "bee", "cat", "dog"], 300)
    y_pred = np.where(rng.random(300) < 0.6, y_true, rng.choice(["ant", "bee", "cat", "eel"], 300))
    for labels in (["dog", "ant", "bee", "cat"], ["cat", "bee"], ["ant", "bee", "cat", "dog", "fox"]):
        got = plots.confusion_matrix(y_true, y_pred, labels=labels, normalize=normalize)
        expected = metrics.confusion_matrix(y_true, y_pred, labels=labels, normalize=normalize)
        np.testing.assert_allclose(got, expected, rtol=1e-15, atol=0)
        assert got.dtype.kind == expected.dtype.kind
    ints = rng.integers(0, 3, 50)
    np.testing.assert_array_equal(
        plots.confusion_matrix(ints, ints[::-1], labels=[0, 1, 2]),
        metrics.confusion_matrix(ints, ints[::-1], labels=[0, 1, 2]),
    )


def test_confusion_matrix_refuses_what_it_cannot_count():
    with pytest.raises(ValueError, match="different lengths"):
        plots.confusion_matrix([1, 2], [1], labels=[1, 2])
    with pytest.raises(ValueError, match="each class once"):
        plots.confusion_matrix([1, 2], [1, 2], labels=[1, 1])
    with pytest.raises(ValueError, match="normalize"):
        plots.confusion_matrix([1, 2], [1, 2], labels=[1, 2], normalize="rows")
    from sklearn import metrics

    for count in (plots.confusion_matrix, metrics.confusion_matrix):  # none of the labels is in y_true
        with pytest.raises(ValueError, match="At least one label specified must be in y_true"):
            count(["a", "b"], ["c", "c"], labels=["c", "d"])
    for count in (plots.confusion_matrix, metrics.confusion_matrix):
        with pytest.raises(ValueError, match="empty"):
            count(np.array([], str), np.array([], str), labels=["c", "d"])


def test_plot_confusion_matrix_normalized_shows_shares(tmp_path):
    fig = plots.plot_confusion_matrix([0, 0, 1, 1], [0, 1, 1, 1], normalize="true")
    assert [t.get_text() for t in fig.axes[0].texts] == ["0.50", "0.50", "0.00", "1.00"]
    # dark text on light cells, light text on dark ones
    colors = [t.get_color() for t in fig.axes[0].texts]
    assert colors[2] != colors[3] and colors[0] == colors[1]
