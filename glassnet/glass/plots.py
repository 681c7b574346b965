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

import math
import os
import sys
from collections.abc import Mapping
from pathlib import Path

import numpy as np

DEFAULT_ACTIVATIONS = ("identity", "sigmoid", "tanh", "relu", "leaky_relu", "elu", "softplus", "gelu")
"""The activations :func:`plot_activations` draws by default (every elementwise one but exp)."""

POSITIVE, NEGATIVE = "tab:blue", "tab:red"


# --------------------------------------------------------------------------- helpers

def _pyplot():
    """``matplotlib.pyplot``, switched to "Agg" first when there is no display to draw on."""
    import matplotlib
    if ("matplotlib.pyplot" not in sys.modules and not os.environ.get("MPLBACKEND")
            and sys.platform.startswith("linux")
            and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))):
        matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    return plt


def _finish(fig, path):
    """Save ``fig`` to ``path`` atomically (when given) and return it."""
    if path is not None:
        save_figure(fig, path)
    return fig


def save_figure(fig, path, dpi=110):
    """Write ``fig`` to ``path`` (PNG unless the suffix names another format), atomically.

    The figure is drawn into a temporary file in the target folder, which then
    replaces ``path`` in one rename (:func:`glassnet.persistence.atomic_write`):
    readers see the old file or the new one, never a partial one.
    """
    from ..io.files import atomic_write
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fmt = path.suffix.lstrip(".").lower() or "png"
    with atomic_write(path, "wb") as fh:
        fig.savefig(fh, format=fmt, dpi=dpi, bbox_inches="tight")
    return path


def _grid_shape(n, max_cols=4):
    cols = min(max_cols, n)
    return math.ceil(n / cols), cols


def _subplots(plt, n, size=(3.2, 2.6), max_cols=4):
    """A figure with exactly ``n`` axes laid out in a grid (unused cells removed)."""
    rows, cols = _grid_shape(n, max_cols)
    fig, axes = plt.subplots(rows, cols, figsize=(size[0] * cols, size[1] * rows), squeeze=False)
    axes = list(axes.ravel())
    for ax in axes[n:]:
        fig.delaxes(ax)
    return fig, axes[:n]


# --------------------------------------------------------------------------- activations & losses

def plot_activations(names=None, z=np.linspace(-5, 5, 401), path=None):
    """Each activation ``σ(z)`` with its derivative ``σ'(z)``, one panel each.

    Parameters
    ----------
    names : sequence of str or Activation, optional
        Defaults to :data:`DEFAULT_ACTIVATIONS`. Softmax is not elementwise and
        is not drawn here (see ``glassnet.activations.Softmax.jacobian``).
    z : array-like
        The points on the horizontal axis.
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
            raise ValueError("softmax is not elementwise and has no curve to draw; "
                             "choose among the elementwise activations")
    Z = np.asarray(z, dtype=float).reshape(-1, 1)
    fig, axes = _subplots(plt, len(acts))
    for ax, act in zip(axes, acts):
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


def plot_losses(names=None, path=None):
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
    for ax, target in zip(axes, (1.0, 0.0)):
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

def _curves(history):
    """``{name: list}`` from a History, a dict of lists, or any object with those attributes."""
    keys = ("loss", "val_loss", "accuracy", "val_accuracy")
    if isinstance(history, Mapping):
        return {k: list(history.get(k) or []) for k in keys}
    return {k: list(getattr(history, k, None) or []) for k in keys}


def plot_history(history, path=None):
    """Learning curves: loss (train and validation) and, when recorded, accuracy.

    Parameters
    ----------
    history : History or dict of lists
        As returned by :func:`glassnet.train` (or ``History.as_dict()``); keys
        ``loss``, ``val_loss``, ``accuracy``, ``val_accuracy``.
    """
    plt = _pyplot()
    c = _curves(history)
    if not c["loss"] and not c["val_loss"]:
        raise ValueError("history has no loss values to plot")
    panels = [("loss", "Loss")] + ([("accuracy", "Accuracy")] if c["accuracy"] or c["val_accuracy"] else [])
    fig, axes = plt.subplots(1, len(panels), figsize=(5.5 * len(panels), 4), squeeze=False)
    for ax, (key, title) in zip(axes[0], panels):
        for k, label, style in ((key, "train", "-"), (f"val_{key}", "validation", "--")):
            if c[k]:
                ax.plot(np.arange(1, len(c[k]) + 1), c[k], style, label=label)
        ax.set_title(title)
        ax.set_xlabel("epoch")
        ax.set_ylabel(key)
        ax.grid(True, alpha=0.3)
        ax.legend()
    fig.tight_layout()
    return _finish(fig, path)


def _class_probabilities(model, points):
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
    raise TypeError("expected a glassnet Network or a model with predict_proba or predict, "
                    f"got {type(model).__name__}")


def plot_decision_boundary(net_or_model, X, y, path=None, resolution=200):
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
    P, classes = _class_probabilities(net_or_model, np.column_stack([U.ravel(), V.ravel()]))

    fig, ax = plt.subplots(figsize=(6.5, 5))
    if classes is not None and P.shape[1] == 2:
        p1 = P[:, 1].reshape(U.shape)
        filled = ax.contourf(U, V, p1, levels=np.linspace(0, 1, 11), cmap="RdBu_r", alpha=0.75)
        ax.contour(U, V, p1, levels=[0.5], colors="k", linewidths=1.5)
        fig.colorbar(filled, ax=ax, label=f"P(y = {classes[1]})")
    elif classes is not None:
        k = P.shape[1]
        region = P.argmax(axis=1).reshape(U.shape)
        filled = ax.contourf(U, V, region, levels=np.arange(k + 1) - 0.5, cmap="tab10",
                             vmin=-0.5, vmax=9.5, alpha=0.4)
        cbar = fig.colorbar(filled, ax=ax, ticks=np.arange(k), label="predicted class")
        cbar.ax.set_yticklabels([str(c) for c in classes])
    else:
        filled = ax.contourf(U, V, P[:, 0].reshape(U.shape), levels=20, cmap="viridis", alpha=0.75)
        fig.colorbar(filled, ax=ax, label="prediction")

    labels = np.unique(y)
    colours = plt.get_cmap("tab10")
    for i, label in enumerate(labels):
        pts = X[y == label]
        if classes is not None and P.shape[1] == 2:          # match the two ends of RdBu
            colour = "tab:red" if str(label) == str(classes[1]) else "tab:blue"
        else:
            colour = colours(i % 10)
        ax.scatter(pts[:, 0], pts[:, 1], s=18, color=colour, edgecolors="k", linewidths=0.4,
                   label=str(label))
    ax.set_xlim(u[0], u[-1])
    ax.set_ylim(v[0], v[-1])
    ax.set_xlabel("x₁")
    ax.set_ylabel("x₂")
    ax.set_title("Decision boundary")
    ax.legend(title="class", loc="best", fontsize="small")
    fig.tight_layout()
    return _finish(fig, path)


# --------------------------------------------------------------------------- the network

def _shown_units(n, max_units):
    """Indices of the units drawn, with ``None`` where an ellipsis stands for the rest."""
    if n <= max_units:
        return list(range(n))
    head = (max_units - 1) // 2 + (max_units - 1) % 2
    tail = max_units - 1 - head
    return list(range(head)) + [None] + list(range(n - tail, n))


def _weights_of(net):
    """``([W¹, …], [b¹, …], [activation names])`` of a Network or a fitted estimator."""
    if hasattr(net, "layers"):
        return ([np.asarray(l.W) for l in net.layers], [np.asarray(l.b) for l in net.layers],
                [l.activation.name for l in net.layers])
    if hasattr(net, "coefs_"):
        coefs = [np.asarray(W) for W in net.coefs_]
        hidden = getattr(net, "activation", "")
        if isinstance(hidden, (list, tuple)) and len(hidden) == len(coefs) - 1:
            names = [str(a) for a in hidden]                  # one activation per hidden layer
        else:
            names = [hidden if isinstance(hidden, str) else ""] * (len(coefs) - 1)
        return coefs, [np.asarray(b) for b in net.intercepts_], names + [
            str(getattr(net, "out_activation_", ""))]
    raise TypeError(f"expected a glassnet Network or a fitted estimator with coefs_, "
                    f"got {type(net).__name__}")


def plot_network(net, path=None, max_units=12):
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
                    ax.text(l + t, yi + t * (yj - yi), f"{w:.2g}", fontsize=7, ha="center",
                            va="center", bbox=dict(boxstyle="round,pad=0.1", fc="white", ec="none",
                                                   alpha=0.8))
        ax.add_collection(LineCollection(segments, linewidths=widths, colors=colours, alpha=0.7,
                                         zorder=1))
    for l, positions in enumerate(ys):
        units = [(u, y) for u, y in positions.items() if u is not None]
        face = "white" if l == 0 else ("#ffe8cc" if l == len(sizes) - 1 else "#dde8f7")
        ax.scatter([l] * len(units), [y for _, y in units], s=500, c=face, edgecolors="k",
                   zorder=3)
        if None in positions:
            ax.text(l, positions[None], "⋮", ha="center", va="center", fontsize=18, zorder=3)
        if annotate and l > 0:
            for u, y in units:
                ax.text(l, y - 0.32, f"b={bs[l - 1][u]:.2g}", ha="center", va="top", fontsize=7)
        role = "input" if l == 0 else ("output" if l == len(sizes) - 1 else f"hidden {l}")
        act = "" if l == 0 else f"\n{acts[l - 1]}"
        units_text = f"{sizes[l]} unit{'s' if sizes[l] != 1 else ''}"
        ax.text(l, -(tallest - 1) / 2 - 0.8, f"{role}\n{units_text}{act}", ha="center",
                va="top", fontsize=9)
    ax.set_xlim(-0.5, len(sizes) - 0.5)
    ax.set_ylim(-(tallest - 1) / 2 - 1.9, (tallest - 1) / 2 + 0.7)
    ax.set_axis_off()
    ax.set_title(f"Network {' → '.join(map(str, sizes))}")
    ax.legend(handles=[Line2D([], [], color=POSITIVE, lw=2, label="w > 0"),
                       Line2D([], [], color=NEGATIVE, lw=2, label="w < 0")],
              loc="upper right", fontsize="small")
    fig.tight_layout()
    return _finish(fig, path)


# --------------------------------------------------------------------------- descent & EWMA

def _as_callable(f, variables, n_vars):
    """A function of ``n_vars`` arrays from a callable, a SymPy expression or a string."""
    if f is None:
        return None
    if callable(f) and not hasattr(f, "free_symbols"):
        return f
    import sympy

    from .calculus import parse
    expr = parse(f)  # the whitelist parser: a formula is data, never code
    if variables:
        symbols = [sympy.Symbol(str(v)) for v in variables]
    else:
        symbols = sorted(expr.free_symbols, key=lambda s: s.name)
    if len(symbols) != n_vars:
        raise ValueError(f"the function has variables {symbols}, but the path has {n_vars} coordinates")
    return sympy.lambdify(symbols, expr, "numpy")


def _evaluate(f, grids):
    """``f`` over the grids: vectorized ``f(x, y)`` or ``f([x, y])`` if it can, else point by point."""
    shape = grids[0].shape
    for call in (lambda: f(*grids), lambda: f(np.stack(grids))):
        try:
            with np.errstate(all="ignore"):
                out = np.asarray(call(), dtype=float)
        except Exception:  # noqa: BLE001 - not vectorized this way; try the next
            continue
        if out.shape == shape:
            return out
    points = np.stack([g.ravel() for g in grids], axis=1)
    try:
        values = [float(np.asarray(f(p)).reshape(())) for p in points]   # f(vector)
    except Exception:  # noqa: BLE001
        values = [float(f(*p)) for p in points]                          # f(x, y) on scalars
    return np.asarray(values).reshape(shape)


def plot_descent(result_or_path, f=None, path=None, levels=30):
    """The path of gradient descent: on contour lines (two variables) or on the curve (one).

    Parameters
    ----------
    result_or_path : DescentResult or array-like, shape (k, n_vars)
        A result of :func:`glassnet.descent.descend` (its ``path``, ``variables``
        and ``values`` are used), or the path itself.
    f : callable, SymPy expression or str, optional
        The function descended; taken from the result when it carries one
        (``f``, ``func`` or ``expr``). Without it, two variables are drawn as the
        path alone and one variable as the recorded values.
    levels : int
        Number of contour levels.

    For more than two variables, the function value along the path is drawn
    against the step.
    """
    plt = _pyplot()
    result = result_or_path
    pts = np.asarray(getattr(result, "path", result), dtype=float)
    if pts.ndim == 1:
        pts = pts.reshape(-1, 1)
    if pts.ndim != 2 or pts.shape[0] == 0:
        raise ValueError(f"the descent path must have shape (steps, n_vars), got {pts.shape}")
    n_vars = pts.shape[1]
    variables = [str(v) for v in (getattr(result, "variables", None) or [])]
    if len(variables) != n_vars:
        variables = ["x", "y"][:n_vars] if n_vars <= 2 else [f"x{i + 1}" for i in range(n_vars)]
    if f is None:
        for attr in ("f", "func", "function", "expr", "expression"):
            f = getattr(result, attr, None)
            if f is not None:
                break
    fn = _as_callable(f, variables, n_vars)
    values = getattr(result, "values", None)
    values = None if values is None else np.asarray(values, dtype=float).ravel()
    steps = pts.shape[0] - 1

    fig, ax = plt.subplots(figsize=(6.5, 5))
    if n_vars == 2:
        lo, hi = pts.min(axis=0), pts.max(axis=0)
        pad = 0.3 * np.maximum(hi - lo, 1e-9) + 0.5
        if fn is not None:
            u = np.linspace(lo[0] - pad[0], hi[0] + pad[0], 200)
            v = np.linspace(lo[1] - pad[1], hi[1] + pad[1], 200)
            U, V = np.meshgrid(u, v)
            F = _evaluate(fn, [U, V])
            filled = ax.contourf(U, V, F, levels=levels, cmap="viridis", alpha=0.8)
            ax.contour(U, V, F, levels=levels, colors="k", linewidths=0.3, alpha=0.5)
            fig.colorbar(filled, ax=ax, label=f"f({variables[0]}, {variables[1]})")
        ax.plot(pts[:, 0], pts[:, 1], "o-", color="tab:red", markersize=3, lw=1.2, label="path")
        ax.plot(*pts[0], "s", color="white", markeredgecolor="k", markersize=8, label="start")
        ax.plot(*pts[-1], "*", color="gold", markeredgecolor="k", markersize=14, label="end")
        ax.set_xlabel(variables[0])
        ax.set_ylabel(variables[1])
    elif n_vars == 1:
        x = pts[:, 0]
        if fn is not None:
            lo, hi = x.min(), x.max()
            pad = 0.3 * max(hi - lo, 1e-9) + 0.5
            grid = np.linspace(lo - pad, hi + pad, 400)
            ax.plot(grid, _evaluate(fn, [grid]), color="tab:blue", label=f"f({variables[0]})")
            fx = _evaluate(fn, [x])
        elif values is not None and values.size == x.size:
            fx = values
        else:
            raise ValueError("a one-variable path needs f (or a result with values) to draw")
        ax.plot(x, fx, "o-", color="tab:red", markersize=4, lw=1, label="path")
        ax.plot(x[0], fx[0], "s", color="white", markeredgecolor="k", markersize=8, label="start")
        ax.plot(x[-1], fx[-1], "*", color="gold", markeredgecolor="k", markersize=14, label="end")
        ax.set_xlabel(variables[0])
        ax.set_ylabel(f"f({variables[0]})")
    else:
        if values is None or values.size != pts.shape[0]:
            if fn is None:
                raise ValueError("a path in more than two variables needs f or values to draw")
            values = _evaluate(fn, [pts[:, i] for i in range(n_vars)])
        ax.plot(np.arange(values.size), values, "o-", markersize=3, label="f along the path")
        ax.set_xlabel("step")
        ax.set_ylabel("f")
    ax.set_title(f"Gradient descent: {steps} step{'s' if steps != 1 else ''}")
    ax.legend(loc="best", fontsize="small")
    fig.tight_layout()
    return _finish(fig, path)


def plot_ewma(xs, beta, path=None):
    """Data with its exponentially weighted moving average, without and with bias correction.

    Starting from ``v_0 = 0`` the plain average is pulled towards zero for the
    first ``≈ 1/(1 − β)`` points; dividing by ``1 − βᵗ`` removes that bias (as Adam does).
    """
    from .descent import ewma
    plt = _pyplot()
    raw = ewma(xs, beta, bias_correction=False)        # validates xs and beta
    corrected = ewma(xs, beta, bias_correction=True)
    xs = np.asarray(xs, dtype=float)
    t = np.arange(1, xs.size + 1)
    fig, ax = plt.subplots(figsize=(8, 4.5))
    ax.plot(t, xs, ".", color="0.55", markersize=4, label="data")
    ax.plot(t, raw, color="tab:orange", lw=1.8, label=f"EWMA, β = {beta:g}")
    ax.plot(t, corrected, color="tab:blue", lw=1.8, linestyle="--",
            label="EWMA with bias correction v / (1 − βᵗ)")
    ax.set_xlabel("t")
    ax.set_ylabel("value")
    ax.set_title("Exponentially weighted moving average")
    ax.grid(True, alpha=0.3)
    ax.legend(loc="best", fontsize="small")
    fig.tight_layout()
    return _finish(fig, path)


# --------------------------------------------------------------------------- evaluation

def plot_comparison(results, path=None):
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
    fig, (bar_ax, curve_ax) = plt.subplots(1, 2, figsize=(13, 4.8),
                                           gridspec_kw={"width_ratios": [1, 1.2]})
    width = 0.38
    for offset, split, colour in ((-width / 2, "train", "tab:gray"), (width / 2, "test", "tab:blue")):
        means = [r[f"{split}_score_mean"] for r in rows]
        stds = [r[f"{split}_score_std"] for r in rows]
        bar_ax.bar(x + offset, means, width, yerr=stds, capsize=3, color=colour, label=split)
    bar_ax.set_xticks(x)
    bar_ax.set_xticklabels([f"#{i + 1}" for i in x])
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
        curve_ax.plot(np.arange(1, len(c["loss"]) + 1), c["loss"], color=colour,
                      label=f"#{i + 1} {label}")
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


def plot_confusion_matrix(y_true, y_pred, labels=None, path=None, normalize=None):
    """The confusion matrix: rows are the true classes, columns the predicted ones.

    ``normalize`` is passed to :func:`sklearn.metrics.confusion_matrix`
    (``None`` counts, ``"true"`` row shares, ``"pred"``, ``"all"``).
    """
    from sklearn.metrics import ConfusionMatrixDisplay, confusion_matrix
    plt = _pyplot()
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    if y_true.shape[0] != y_pred.shape[0]:
        raise ValueError(f"y_true and y_pred have different lengths: {y_true.shape[0]} and {y_pred.shape[0]}")
    if labels is None:
        labels = np.unique(np.concatenate([y_true, y_pred]))
    cm = confusion_matrix(y_true, y_pred, labels=labels, normalize=normalize)
    k = len(labels)
    fig, ax = plt.subplots(figsize=(2.5 + 0.6 * k, 2 + 0.6 * k))
    ConfusionMatrixDisplay(cm, display_labels=labels).plot(
        ax=ax, cmap="Blues", colorbar=True, values_format=".2f" if normalize else "d")
    ax.set_xlabel("predicted label")
    ax.set_ylabel("true label")
    ax.set_title("Confusion matrix")
    fig.tight_layout()
    return _finish(fig, path)
