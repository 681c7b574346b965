"""Pictures of gradient descent: the path on contour lines or on the curve, and the EWMA."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from ._figures import _finish, _pyplot

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from sympy import Expr

    from .._typing import ArrayLike, FloatArray, PathLike
    from .descent import DescentResult


def _as_callable(
    f: Callable[..., Any] | str | Expr | None, variables: Sequence[str], n_vars: int
) -> Callable[..., Any] | None:
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


def _evaluate(f: Callable[..., Any], grids: Sequence[FloatArray]) -> FloatArray:
    """``f`` over the grids: vectorized ``f(x, y)`` or ``f([x, y])`` if it can, else point by point."""
    shape = grids[0].shape
    calls: tuple[Callable[[], Any], ...] = (lambda: f(*grids), lambda: f(np.stack(grids)))
    for call in calls:
        try:
            with np.errstate(all="ignore"):
                out = np.asarray(call(), dtype=float)
        except Exception:
            continue
        if out.shape == shape:
            return out
    points = np.stack([g.ravel() for g in grids], axis=1)
    try:
        values = [float(np.asarray(f(p)).reshape(())) for p in points]  # f(vector)
    except Exception:
        values = [float(f(*p)) for p in points]  # f(x, y) on scalars
    return np.asarray(values).reshape(shape)


def plot_descent(
    result_or_path: DescentResult | ArrayLike,
    f: Callable[..., Any] | str | Expr | None = None,
    path: PathLike | None = None,
    levels: int = 30,
) -> Figure:
    """The path of gradient descent: on contour lines (two variables) or on the curve (one).

    For more than two variables, the function value along the path is drawn
    against the step. The title names f (when known), the steps and the step size.

    Parameters
    ----------
    result_or_path : DescentResult or array-like, shape (k, n_vars)
        A result of :func:`glassnet.descent.descend` (its ``path``, ``variables``,
        ``values`` and ``expression`` are used), or the path itself.
    f : callable, SymPy expression or str, optional
        The function descended; taken from the result when it carries one
        (``expression``, ``f``, ``func`` or ``expr``). Without it, two variables are
        drawn as the path alone and one variable as the recorded values.
    levels : int
        Number of contour levels.
    """
    plt = _pyplot()
    result = result_or_path
    pts, variables = _path_points(result)
    if f is None:
        f = next(
            (
                getattr(result, a)
                for a in ("expression", "f", "func", "function", "expr")
                if getattr(result, a, None) is not None
            ),
            None,
        )
    fn = _as_callable(f, variables, pts.shape[1])
    values = getattr(result, "values", None)
    values = None if values is None else np.asarray(values, dtype=float).ravel()

    fig, ax = plt.subplots(figsize=(6.5, 5))
    if pts.shape[1] == 2:
        _draw_on_contours(fig, ax, pts, fn, variables, levels)
    elif pts.shape[1] == 1:
        _draw_on_curve(ax, pts[:, 0], fn, values, variables[0])
    else:
        _draw_values(ax, pts, fn, values)
    ax.set_title(_descent_title(result, f, variables, pts.shape[0] - 1))
    ax.legend(loc="best", fontsize="small")
    fig.tight_layout()
    return _finish(fig, path)


def _path_points(result: object) -> tuple[FloatArray, list[str]]:
    """``(points, variable names)`` of a result or a bare path."""
    pts = np.asarray(getattr(result, "path", result), dtype=float)
    if pts.ndim == 1:
        pts = pts.reshape(-1, 1)
    if pts.ndim != 2 or pts.shape[0] == 0:
        raise ValueError(f"the descent path must have shape (steps, n_vars), got {pts.shape}")
    n_vars = pts.shape[1]
    variables = [str(v) for v in (getattr(result, "variables", None) or [])]
    if len(variables) != n_vars:
        variables = ["x", "y"][:n_vars] if n_vars <= 2 else [f"x{i + 1}" for i in range(n_vars)]
    return pts, variables


def _descent_title(result: object, f: object, variables: Sequence[str], steps: int) -> str:
    """``Gradient descent on f(x, y) = x**2 + 3*y**2: 15 steps, lr 0.2``."""
    name = f"f({', '.join(variables)})"
    if f is not None and not callable(f) or hasattr(f, "free_symbols"):
        name += f" = {f}"
    lr = getattr(result, "lr", None)
    rate = f", lr {lr:g}" if lr is not None and np.isfinite(lr) else ""
    return f"Gradient descent on {name}: {steps} step{'s' if steps != 1 else ''}{rate}"


def _draw_on_contours(
    fig: Figure,
    ax: Axes,
    pts: FloatArray,
    fn: Callable[..., Any] | None,
    variables: Sequence[str],
    levels: int,
) -> None:
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


def _draw_on_curve(
    ax: Axes, x: FloatArray, fn: Callable[..., Any] | None, values: FloatArray | None, variable: str
) -> None:
    if fn is not None:
        lo, hi = x.min(), x.max()
        pad = 0.3 * max(hi - lo, 1e-9) + 0.5
        grid = np.linspace(lo - pad, hi + pad, 400)
        ax.plot(grid, _evaluate(fn, [grid]), color="tab:blue", label=f"f({variable})")
        fx = _evaluate(fn, [x])
    elif values is not None and values.size == x.size:
        fx = values
    else:
        raise ValueError("a one-variable path needs f (or a result with values) to draw")
    ax.plot(x, fx, "o-", color="tab:red", markersize=4, lw=1, label="path")
    ax.plot(x[0], fx[0], "s", color="white", markeredgecolor="k", markersize=8, label="start")
    ax.plot(x[-1], fx[-1], "*", color="gold", markeredgecolor="k", markersize=14, label="end")
    ax.set_xlabel(variable)
    ax.set_ylabel(f"f({variable})")


def _draw_values(ax: Axes, pts: FloatArray, fn: Callable[..., Any] | None, values: FloatArray | None) -> None:
    if values is None or values.size != pts.shape[0]:
        if fn is None:
            raise ValueError("a path in more than two variables needs f or values to draw")
        values = _evaluate(fn, [pts[:, i] for i in range(pts.shape[1])])
    ax.plot(np.arange(values.size), values, "o-", markersize=3, label="f along the path")
    ax.set_xlabel("step")
    ax.set_ylabel("f")


def plot_ewma(xs: ArrayLike, beta: float, path: PathLike | None = None) -> Figure:
    """Data with its exponentially weighted moving average, without and with bias correction.

    Starting from ``v_0 = 0`` the plain average is pulled towards zero for the
    first ``≈ 1/(1 − β)`` points; dividing by ``1 − βᵗ`` removes that bias (as Adam does).
    """
    from .descent import ewma

    plt = _pyplot()
    raw = ewma(xs, beta, bias_correction=False)  # validates xs and beta
    corrected = ewma(xs, beta, bias_correction=True)
    xs = np.asarray(xs, dtype=float)
    t = np.arange(1, xs.size + 1)
    fig, ax = plt.subplots(figsize=(8, 4.5))
    ax.plot(t, xs, ".", color="0.55", markersize=4, label="data")
    ax.plot(t, raw, color="tab:orange", lw=1.8, label=f"EWMA, β = {beta:g}")
    ax.plot(
        t, corrected, color="tab:blue", lw=1.8, linestyle="--", label="EWMA with bias correction v / (1 − βᵗ)"
    )
    ax.set_xlabel("t")
    ax.set_ylabel("value")
    ax.set_title("Exponentially weighted moving average")
    ax.grid(True, alpha=0.3)
    ax.legend(loc="best", fontsize="small")
    fig.tight_layout()
    return _finish(fig, path)
