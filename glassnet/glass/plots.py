"""Pictures: activations, losses, learning curves, decision boundaries, the network itself,
gradient descent paths, moving averages, experiment comparisons, confusion matrices.

Every function returns the matplotlib ``Figure`` (so a notebook shows it and a
script can change it) and, given ``path``, also writes it there as a PNG. Files
are written atomically: to a temporary file in the same folder, then renamed, so
an interrupted run never leaves half a picture. matplotlib is imported only when
a function is called; without a display the non-interactive "Agg" backend is
used. Close figures you no longer need with ``matplotlib.pyplot.close(fig)``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from ._figures import _finish, _pyplot, _subplots, save_figure
from .descentplots import plot_descent, plot_ewma

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.colors import Colormap
    from matplotlib.figure import Figure

    from .._typing import ActivationName, ArrayLike, FloatArray, LossName, NDArray, PathLike
    from ..activations import Activation
    from ..losses import Loss
    from ..training import History
    from .experiments import ExperimentResult

__all__ = [
    "DEFAULT_ACTIVATIONS",
    "plot_activations",
    "plot_losses",
    "plot_history",
    "plot_decision_boundary",
    "plot_network",
    "plot_descent",
    "plot_ewma",
    "plot_comparison",
    "plot_confusion_matrix",
    "confusion_matrix",
    "save_figure",
]

DEFAULT_ACTIVATIONS: tuple[ActivationName, ...] = (
    "identity",
    "sigmoid",
    "tanh",
    "relu",
    "leaky_relu",
    "elu",
    "softplus",
    "gelu",
)
"""The activations :func:`plot_activations` draws by default (every elementwise one but exp)."""

POSITIVE, NEGATIVE = "tab:blue", "tab:red"


# --------------------------------------------------------------------------- activations & losses


def plot_activations(
    names: Sequence[ActivationName | Activation] | None = None,
    z: ArrayLike | None = None,
    path: PathLike | None = None,
) -> Figure:
    """Each activation ``σ(z)`` with its derivative ``σ'(z)``, one panel each.

    Parameters
    ----------
    names : sequence of str or Activation, optional
        Defaults to :data:`DEFAULT_ACTIVATIONS`. Softmax is not elementwise and
        is not drawn here (see ``glassnet.activations.Softmax.jacobian``). An
        object draws with its settings: ``Sigmoid(beta=5)`` is a steeper sigmoid.
    z : array-like, optional
        The points on the horizontal axis (default: 401 points from −5 to 5).
    path : str or Path, optional
        Also save the figure there.
    """
    from ..activations import get_activation

    plt = _pyplot()
    acts = [get_activation(n) for n in (DEFAULT_ACTIVATIONS if names is None else names)]
    if not acts:
        raise ValueError("names is empty: give at least one activation")
    for act in acts:
        if not act.elementwise:
            raise ValueError(
                "softmax is not elementwise and has no curve to draw; "
                "choose among the elementwise activations"
            )
    Z = np.asarray(np.linspace(-5, 5, 401) if z is None else z, dtype=float).reshape(-1, 1)
    fig, axes = _subplots(plt, len(acts))
    for ax, act in zip(axes, acts, strict=True):
        A = act(Z.copy())
        dA = act.derivative(Z, A)
        ax.plot(Z[:, 0], A[:, 0], color="tab:blue", label="σ(z)")
        ax.plot(Z[:, 0], dA[:, 0], color="tab:orange", linestyle="--", label="σ'(z)")
        ax.set_title(repr(act).removesuffix("()"))
        ax.set_xlabel("z")
        ax.grid(True, alpha=0.3)
        ax.legend(loc="best", fontsize="small")
    fig.suptitle("Activation functions and their derivatives")
    fig.tight_layout()
    return _finish(fig, path)


def plot_losses(names: Sequence[LossName | Loss] | None = None, path: PathLike | None = None) -> Figure:
    """Each loss of one output against the prediction ``ŷ ∈ (0, 1)``, for target 1 and for target 0.

    Two panels (``y = 1``, ``y = 0``), one curve per loss. ``names`` defaults to
    squared error, binary cross-entropy (equal to categorical cross-entropy for
    two classes) and Poisson.
    """
    from ..losses import get_loss

    plt = _pyplot()
    losses = [get_loss(n) for n in (names or ("squared_error", "binary_cross_entropy", "poisson"))]
    p = np.linspace(0.001, 0.999, 400).reshape(-1, 1)
    fig, axes = plt.subplots(1, 2, figsize=(10, 4), sharey=True)
    for ax, target in zip(axes, (1.0, 0.0), strict=True):
        Y = np.full_like(p, target)
        for loss in losses:
            ax.plot(p[:, 0], loss.per_sample(p, Y), label=loss.name.replace("_", " "))
        ax.set_title(f"target y = {target:g}")
        ax.set_xlabel("prediction ŷ")
        ax.set_ylim(0, 5)
        ax.grid(True, alpha=0.3)
        ax.legend(loc="upper center" if target else "upper left", fontsize="small")
    axes[0].set_ylabel("loss ℓ(ŷ, y)")
    fig.suptitle("Loss functions")
    fig.tight_layout()
    return _finish(fig, path)


# --------------------------------------------------------------------------- training


def _curves(history: object) -> dict[str, list[float]]:
    """``{name: list}`` from a History, a dict of lists, or any object with those attributes."""
    keys = ("loss", "val_loss", "accuracy", "val_accuracy")
    if isinstance(history, Mapping):
        return {k: list(history.get(k) or []) for k in keys}
    return {k: list(getattr(history, k, None) or []) for k in keys}


def plot_history(
    history: History | Mapping[str, Sequence[float]],
    path: PathLike | None = None,
    log: bool = False,
    validation_label: str = "validation",
) -> Figure:
    """Learning curves: loss (train and validation) and, when recorded, accuracy.

    Parameters
    ----------
    history : History or dict of lists
        As returned by :func:`glassnet.train` (or ``History.as_dict()``); keys
        ``loss``, ``val_loss``, ``accuracy``, ``val_accuracy``.
    log : bool
        Draw the loss on a logarithmic scale, where a loss that keeps falling
        by the same factor is a straight line.
    validation_label : str
        The name of the ``val_`` curves (``"test"`` when the held-out data is the test split).
    """
    plt = _pyplot()
    c = _curves(history)
    if not c["loss"] and not c["val_loss"]:
        raise ValueError("history has no loss values to plot")
    panels = [("loss", "Loss")] + ([("accuracy", "Accuracy")] if c["accuracy"] or c["val_accuracy"] else [])
    fig, axes = plt.subplots(1, len(panels), figsize=(5.5 * len(panels), 4), squeeze=False)
    for ax, (key, title) in zip(axes[0], panels, strict=True):
        for k, label, style in ((key, "train", "-"), (f"val_{key}", validation_label, "--")):
            if c[k]:
                ax.plot(np.arange(1, len(c[k]) + 1), c[k], style, label=label)
        if log and key == "loss" and min(min(c["loss"] or [1]), min(c["val_loss"] or [1])) > 0:
            ax.set_yscale("log")
        ax.set_title(title + (" (log scale)" if log and key == "loss" else ""))
        ax.set_xlabel("epoch")
        ax.set_ylabel(key)
        ax.grid(True, alpha=0.3)
        ax.legend()
    fig.tight_layout()
    return _finish(fig, path)


def _class_probabilities(model: Any, points: ArrayLike) -> tuple[FloatArray, Any]:
    """``(P, classes)``: per-point class probabilities (or raw outputs) of ``model``.

    ``P`` has one column per class (two for a single sigmoid output), or one
    column of raw values for a regression network or a model without
    ``predict_proba``.
    """
    if hasattr(model, "predict_output") and hasattr(model, "head"):
        out = model.predict_output(points)
        if model.head.task not in ("binary", "multiclass"):
            return out[:, :1], None
        P = model.head.probabilities(out)
        return P, model.classes_ if model.classes_ is not None else np.arange(P.shape[1])
    if hasattr(model, "predict_proba"):
        P = np.asarray(model.predict_proba(points))
        return P, getattr(model, "classes_", np.arange(P.shape[1]))
    if hasattr(model, "predict"):
        return np.asarray(model.predict(points), dtype=float).reshape(-1, 1), None
    raise TypeError(
        f"expected a glassnet Network or a model with predict_proba or predict, got {type(model).__name__}"
    )


def plot_decision_boundary(
    net_or_model: Any,
    X: ArrayLike,
    y: ArrayLike,
    path: PathLike | None = None,
    resolution: int = 200,
    transform: Callable[[FloatArray], ArrayLike] | None = None,
    title: str | None = None,
) -> Figure:
    """Regions a classifier assigns to each class over a 2-D input plane, with the data points.

    Two classes: filled contours of ``P(second class)`` with the ``p = 0.5``
    boundary. More classes: filled regions of the most probable class. A model
    without probabilities (or a regression network): contours of its output.

    Parameters
    ----------
    net_or_model : Network, or any object with ``predict_proba`` or ``predict``
    X : array-like, shape (n_samples, 2)
    y : array-like, shape (n_samples,)
        Labels, used to colour the points.
    resolution : int
        Grid points along each axis.
    transform : callable, optional
        Applied to the grid's points before the model sees them, such as a
        scaler's ``transform``: ``X`` is then drawn in its own (original) units.
    title : str, optional
        The picture's title (default "Decision boundary"), e.g. with the accuracy.
    """
    plt = _pyplot()
    X = np.asarray(X, dtype=float)
    y = np.asarray(y)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"plot_decision_boundary needs 2-D inputs, X of shape (n, 2); got {X.shape}")
    if y.shape[0] != X.shape[0]:
        raise ValueError(f"X and y have different numbers of samples: {X.shape[0]} and {y.shape[0]}")
    lo, hi = X.min(axis=0), X.max(axis=0)
    pad = 0.1 * np.maximum(hi - lo, 1e-9) + 0.25
    u = np.linspace(lo[0] - pad[0], hi[0] + pad[0], resolution)
    v = np.linspace(lo[1] - pad[1], hi[1] + pad[1], resolution)
    U, V = np.meshgrid(u, v)
    grid = np.column_stack([U.ravel(), V.ravel()])
    P, classes = _class_probabilities(net_or_model, grid if transform is None else transform(grid))

    fig, ax = plt.subplots(figsize=(6.5, 5))
    if classes is not None and P.shape[1] == 2:
        p1 = P[:, 1].reshape(U.shape)
        filled = ax.contourf(U, V, p1, levels=np.linspace(0, 1, 11), cmap="RdBu_r", alpha=0.75)
        ax.contour(U, V, p1, levels=[0.5], colors="k", linewidths=1.5)
        fig.colorbar(filled, ax=ax, label=f"P(y = {classes[1]})")
    elif classes is not None:
        k = P.shape[1]
        region = P.argmax(axis=1).reshape(U.shape)
        filled = ax.contourf(
            U, V, region, levels=np.arange(k + 1) - 0.5, cmap="tab10", vmin=-0.5, vmax=9.5, alpha=0.4
        )
        cbar = fig.colorbar(filled, ax=ax, ticks=np.arange(k), label="predicted class")
        cbar.ax.set_yticklabels([str(c) for c in classes])
    else:
        filled = ax.contourf(U, V, P[:, 0].reshape(U.shape), levels=20, cmap="viridis", alpha=0.75)
        fig.colorbar(filled, ax=ax, label="prediction")

    _draw_points(ax, plt.get_cmap("tab10"), X, y, classes if P.shape[1] == 2 else None)
    ax.set_xlim(u[0], u[-1])
    ax.set_ylim(v[0], v[-1])
    ax.set_xlabel("x₁")
    ax.set_ylabel("x₂")
    ax.set_title(title or "Decision boundary")
    ax.legend(title="class", loc="best", fontsize="small")
    fig.tight_layout()
    return _finish(fig, path)


def _draw_points(ax: Axes, colours: Colormap, X: FloatArray, y: NDArray[Any], two_classes: Any) -> None:
    """The data points, one colour per class (the two ends of RdBu for two classes)."""
    for i, label in enumerate(np.unique(y)):
        pts = X[y == label]
        colour: str | tuple[float, float, float, float]
        if two_classes is not None:
            colour = "tab:red" if str(label) == str(two_classes[1]) else "tab:blue"
        else:
            colour = colours(i % 10)
        ax.scatter(pts[:, 0], pts[:, 1], s=18, color=colour, edgecolors="k", linewidths=0.4, label=str(label))


# --------------------------------------------------------------------------- the network


def _shown_units(n: int, max_units: int) -> list[int | None]:
    """Indices of the units drawn, with ``None`` where an ellipsis stands for the rest."""
    if n <= max_units:
        return list(range(n))
    head = (max_units - 1) // 2 + (max_units - 1) % 2
    tail = max_units - 1 - head
    return [*range(head), None, *range(n - tail, n)]


def _weights_of(net: Any) -> tuple[list[FloatArray], list[FloatArray], list[str]]:
    """``([W¹, …], [b¹, …], [activation names])`` of a Network or a fitted estimator."""
    if hasattr(net, "layers"):
        return (
            [np.asarray(l.W) for l in net.layers],
            [np.asarray(l.b) for l in net.layers],
            [l.activation.name for l in net.layers],
        )
    if hasattr(net, "coefs_"):
        coefs = [np.asarray(W) for W in net.coefs_]
        hidden = getattr(net, "activation", "")
        if isinstance(hidden, (list, tuple)) and len(hidden) == len(coefs) - 1:
            names = [str(a) for a in hidden]  # one activation per hidden layer
        else:
            names = [hidden if isinstance(hidden, str) else ""] * (len(coefs) - 1)
        return (
            coefs,
            [np.asarray(b) for b in net.intercepts_],
            names + [str(getattr(net, "out_activation_", ""))],
        )
    raise TypeError(
        f"expected a glassnet Network or a fitted estimator with coefs_, got {type(net).__name__}"
    )


def plot_network(net: Any, path: PathLike | None = None, max_units: int = 12) -> Figure:
    """The network as neurons (circles) joined by its weights (lines).

    A line's width grows with ``|w|`` and its colour gives the sign (blue
    positive, red negative). Layers wider than ``max_units`` show their first and
    last units around an ellipsis. Tiny networks (at most 20 weights) have each
    weight written on its line and each bias under its neuron.

    Parameters
    ----------
    net : Network or fitted estimator with ``coefs_`` and ``intercepts_``
    max_units : int
        Most units drawn per layer.
    """
    from matplotlib.collections import LineCollection
    from matplotlib.lines import Line2D

    plt = _pyplot()
    Ws, bs, acts = _weights_of(net)
    sizes = [Ws[0].shape[0]] + [W.shape[1] for W in Ws]
    shown = [_shown_units(n, max_units) for n in sizes]
    tallest = max(len(s) for s in shown)
    ys = [{u: (len(s) - 1) / 2 - k for k, u in enumerate(s)} for s in shown]
    annotate = sum(W.size for W in Ws) <= 20
    wmax = max(float(np.abs(W).max()) for W in Ws) or 1.0

    fig, ax = plt.subplots(figsize=(2.2 + 2.2 * len(sizes), 1.2 + 0.55 * tallest))
    for l, W in enumerate(Ws):
        segments, widths, colours = [], [], []
        for i, yi in ys[l].items():
            for j, yj in ys[l + 1].items():
                if i is None or j is None:
                    continue
                w = float(W[i, j])
                segments.append([(l, yi), (l + 1, yj)])
                widths.append(0.3 + 3.0 * abs(w) / wmax)
                colours.append(POSITIVE if w >= 0 else NEGATIVE)
                if annotate:
                    t = 0.3  # near the source neuron, so labels of one neuron do not collide
                    ax.text(
                        l + t,
                        yi + t * (yj - yi),
                        f"{w:.2g}",
                        fontsize=7,
                        ha="center",
                        va="center",
                        bbox=dict(boxstyle="round,pad=0.1", fc="white", ec="none", alpha=0.8),
                    )
        ax.add_collection(LineCollection(segments, linewidths=widths, colors=colours, alpha=0.7, zorder=1))
    for l, positions in enumerate(ys):
        units = [(u, y) for u, y in positions.items() if u is not None]
        face = "white" if l == 0 else ("#ffe8cc" if l == len(sizes) - 1 else "#dde8f7")
        ax.scatter([l] * len(units), [y for _, y in units], s=500, c=face, edgecolors="k", zorder=3)
        if None in positions:
            ax.text(l, positions[None], "⋮", ha="center", va="center", fontsize=18, zorder=3)
        if annotate and l > 0:
            for u, y in units:
                ax.text(l, y - 0.32, f"b={bs[l - 1][u]:.2g}", ha="center", va="top", fontsize=7)
        role = "input" if l == 0 else ("output" if l == len(sizes) - 1 else f"hidden {l}")
        act = "" if l == 0 else f"\n{acts[l - 1]}"
        units_text = f"{sizes[l]} unit{'s' if sizes[l] != 1 else ''}"
        ax.text(l, -(tallest - 1) / 2 - 0.8, f"{role}\n{units_text}{act}", ha="center", va="top", fontsize=9)
    ax.set_xlim(-0.5, len(sizes) - 0.5)
    ax.set_ylim(-(tallest - 1) / 2 - 1.9, (tallest - 1) / 2 + 0.7)
    ax.set_axis_off()
    ax.set_title(f"Network {' → '.join(map(str, sizes))}")
    ax.legend(
        handles=[
            Line2D([], [], color=POSITIVE, lw=2, label="w > 0"),
            Line2D([], [], color=NEGATIVE, lw=2, label="w < 0"),
        ],
        loc="upper right",
        fontsize="small",
    )
    fig.tight_layout()
    return _finish(fig, path)


# --------------------------------------------------------------------------- evaluation


def plot_comparison(results: ExperimentResult, path: PathLike | None = None) -> Figure:
    """Compare experiment configurations: scores as bars, mean training-loss curves side by side.

    Parameters
    ----------
    results : ExperimentResult
        From :func:`glassnet.experiments.run_experiment`. Left: mean train and
        test score per configuration with the standard deviation over seeds as
        error bars. Right: each configuration's training loss per epoch, averaged
        over seeds (dashed: validation loss, when recorded).
    """
    plt = _pyplot()
    rows = list(results.rows)
    if not rows:
        raise ValueError("the experiment has no rows to compare")
    metric = getattr(results, "metric", "score")
    labels = [r["config"] for r in rows]
    x = np.arange(len(rows))
    fig, (bar_ax, curve_ax) = plt.subplots(1, 2, figsize=(13, 4.8), gridspec_kw={"width_ratios": [1, 1.2]})
    width = 0.38
    for offset, split, colour in ((-width / 2, "train", "tab:gray"), (width / 2, "test", "tab:blue")):
        means = [r[f"{split}_score_mean"] for r in rows]
        stds = [r[f"{split}_score_std"] for r in rows]
        bar_ax.bar(x + offset, means, width, yerr=stds, capsize=3, color=colour, label=split)
    bar_ax.set_xticks(x)
    long = max(len(label) for label in labels) > 12 or len(labels) > 6
    bar_ax.set_xticklabels(
        labels, rotation=30 if long else 0, ha="right" if long else "center", fontsize="small"
    )
    bar_ax.set_xlabel("configuration")
    bar_ax.set_ylabel(metric)
    lo = min(min(r["test_score_mean"], r["train_score_mean"]) for r in rows)
    bar_ax.set_ylim(min(0.0, lo - 0.05), 1.05 if metric == "accuracy" else None)
    bar_ax.set_title(f"{metric} per configuration (mean ± std over seeds)")
    bar_ax.legend(loc="lower right", fontsize="small")

    colours = plt.get_cmap("tab10")
    curves = results.mean_curves()
    for i, label in enumerate(labels):
        c = curves[i]
        colour = colours(i % 10)
        curve_ax.plot(np.arange(1, len(c["loss"]) + 1), c["loss"], color=colour, label=label)
        if len(c.get("val_loss", ())):
            curve_ax.plot(np.arange(1, len(c["val_loss"]) + 1), c["val_loss"], "--", color=colour)
    curve_ax.set_xlabel("epoch")
    curve_ax.set_ylabel("training loss")
    if all(np.nanmin(c["loss"]) > 0 for c in curves if len(c["loss"])):
        curve_ax.set_yscale("log")
    curve_ax.set_title("loss curves (mean over seeds)")
    curve_ax.grid(True, alpha=0.3)
    curve_ax.legend(loc="best", fontsize="x-small")
    fig.tight_layout()
    return _finish(fig, path)


def plot_confusion_matrix(
    y_true: ArrayLike,
    y_pred: ArrayLike,
    labels: Sequence[Any] | NDArray[Any] | None = None,
    path: PathLike | None = None,
    normalize: Literal["true", "pred", "all"] | None = None,
) -> Figure:
    """The confusion matrix: rows are the true classes, columns the predicted ones.

    Drawn as scikit-learn's ``ConfusionMatrixDisplay`` draws it, from
    :func:`confusion_matrix` (``normalize``: None counts, ``"true"`` row shares,
    ``"pred"`` column shares, ``"all"`` shares of the whole).
    """
    plt = _pyplot()
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    if labels is None:
        labels = np.unique(np.concatenate([y_true, y_pred]))
    cm = confusion_matrix(y_true, y_pred, labels=labels, normalize=normalize)
    k = len(labels)
    fig, ax = plt.subplots(figsize=(2.5 + 0.6 * k, 2 + 0.6 * k))
    image = ax.imshow(cm, interpolation="nearest", cmap="Blues")
    # Each count in the colour that reads on its cell: light on dark cells, dark on light ones.
    light, dark = image.cmap(0.0), image.cmap(1.0)
    middle = (cm.max() + cm.min()) / 2.0
    for i in range(k):
        for j in range(k):
            text = format(cm[i, j], ".2f" if normalize else "d")
            ax.text(j, i, text, ha="center", va="center", color=dark if cm[i, j] < middle else light)
    fig.colorbar(image, ax=ax)
    names = [str(label) for label in labels]
    ax.set(xticks=np.arange(k), yticks=np.arange(k), xticklabels=names, yticklabels=names)
    ax.set_ylim(k - 0.5, -0.5)
    ax.set_xlabel("predicted label")
    ax.set_ylabel("true label")
    ax.set_title("Confusion matrix")
    fig.tight_layout()
    return _finish(fig, path)


def confusion_matrix(
    y_true: ArrayLike,
    y_pred: ArrayLike,
    labels: Sequence[Any] | NDArray[Any],
    normalize: Literal["true", "pred", "all"] | None = None,
) -> NDArray[Any]:
    """``C[i, j]``: how many samples of class ``labels[i]`` were predicted as ``labels[j]``.

    The numbers of ``sklearn.metrics.confusion_matrix`` (samples whose true or
    predicted label is not in ``labels`` are left out; a share over an empty row or
    column is 0), computed here with one ``bincount``: importing scikit-learn's
    metrics would cost ``glassnet train``'s report 0.9 s of a 2–3 s run.
    """
    if normalize not in (None, "true", "pred", "all"):
        raise ValueError(f"normalize must be one of None, 'true', 'pred', 'all'; got {normalize!r}")
    y_true, y_pred, labels = np.asarray(y_true), np.asarray(y_pred), np.asarray(labels)
    if y_true.shape[0] != y_pred.shape[0]:
        raise ValueError(f"y_true and y_pred have different lengths: {y_true.shape[0]} and {y_pred.shape[0]}")
    k = len(labels)
    if k == 0 or len(np.unique(labels)) != k:
        raise ValueError("labels must name each class once, and at least one")
    order = np.argsort(labels, kind="stable")
    ordered = labels[order]

    def positions(y: NDArray[Any]) -> tuple[NDArray[np.intp], NDArray[np.bool_]]:
        at = np.minimum(np.searchsorted(ordered, y), k - 1)
        return order[at], ordered[at] == y

    if y_true.shape[0] == 0:  # as scikit-learn: a matrix of zeros would hide the mistake
        raise ValueError("y_true and y_pred are empty: there is nothing to count")
    true_at, true_known = positions(y_true)
    if not true_known.any():
        raise ValueError("At least one label specified must be in y_true")
    pred_at, pred_known = positions(y_pred)
    known = true_known & pred_known
    counts = np.bincount(true_at[known] * k + pred_at[known], minlength=k * k).reshape(k, k)
    if normalize is None:
        return counts
    total = counts.sum(axis={"true": 1, "pred": 0, "all": None}[normalize], keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        shares = counts / total
    return np.nan_to_num(shares)
