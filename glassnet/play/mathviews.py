"""The playground's two views of the mathematics behind training.

* The **descent view**: a function ``f(x, y)`` typed by the user, its values
  over a window of the plane (for the contour picture), and the path of
  gradient descent ``(x, y) ← (x, y) − η ∇f`` from a start point. The formula is
  read by glassnet's safe parser (:func:`glassnet.glass.calculus.parse`: a whitelist
  of numbers, ``x``, ``y``, arithmetic and a table of functions, with bounds on
  length, depth and powers), and its gradient comes from SymPy in glassnet's
  timed SymPy process, so no formula can run code or hang the server.
* The **optimizer explainer**: a noisy signal with its exponentially weighted
  moving average ``v_t = β v_{t−1} + (1 − β) x_t``, with and without the bias
  correction ``v̂_t = v_t / (1 − βᵗ)`` (:func:`glassnet.ewma`), and the paths of
  gradient descent, momentum and Adam (:mod:`glassnet.optimizers`) on one
  ravine-shaped function, ``f(x, y) = x²/10 + 2y²``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from glassnet._typing import FloatArray
    from glassnet.optimizers import Optimizer

DESCENT_GRID = 80
"""Cells per side of the descent view's picture of ``f``."""
VARIABLES = ("x", "y")


class FormulaError(ValueError):
    """The formula was refused (by the parser, by a bound, or for taking too long)."""


# --------------------------------------------------------------------------- descent view


def descent_view(
    formula: str, start: Sequence[float], lr: float, steps: int, half_width: float, seconds: float = 5.0
) -> dict[str, Any]:
    """Parse ``formula``, picture it over ``[-w, w]²``, and run gradient descent from ``start``.

    Returns a dict: ``grid`` (DESCENT_GRID² values, top row first, None where
    ``f`` is not a finite real number), ``path`` (the iterates as ``[x, y]``),
    ``values``, ``grad_norms``, ``message``, ``converged``, the parsed formula as
    ``text`` and its ``gradient``. Raises :class:`FormulaError` with the parser's
    own message for a formula it refuses, or when SymPy takes over ``seconds``.
    """
    from glassnet.glass import calculus
    from glassnet.glass.descent import descend

    try:
        expr = calculus.parse(formula, VARIABLES)
        names = sorted(s.name for s in expr.free_symbols)
        if not names:
            raise ValueError("the formula has no variable x or y to descend along")
        f, _ = calculus.numeric_function(expr, names, timeout=seconds)
        gradient = [str(g) for g in calculus.gradient(expr, names, timeout=seconds)]
        with np.errstate(all="ignore"):
            result = descend(expr, [start[VARIABLES.index(n)] for n in names], lr=lr, iterations=steps)
    except ValueError as exc:  # the parser's, the SymPy process's and descend's one-line errors
        raise FormulaError(str(exc)) from None
    path = np.tile(np.asarray(start, dtype=np.float64), (len(result.path), 1))
    for k, n in enumerate(names):
        path[:, VARIABLES.index(n)] = result.path[:, k]
    return {
        "text": str(expr),
        "gradient": dict(zip(names, gradient, strict=True)),
        "grid": _picture(f, names, half_width),
        "half_width": half_width,
        "path": path.tolist(),
        "values": result.values.tolist(),
        "grad_norms": [g if math.isfinite(g) else None for g in result.grad_norms.tolist()],
        "message": result.message,
        "converged": result.converged,
        "variables": names,
    }


def _picture(
    f: Callable[..., FloatArray], names: Sequence[str], half_width: float
) -> list[list[float | None]]:
    """``f`` over the window ``[-w, w]²``, top row first; None where it is not a finite real number."""
    c = np.linspace(-half_width, half_width, DESCENT_GRID)
    X, Y = np.meshgrid(c, c[::-1])
    values = np.broadcast_to(f(*[{"x": X, "y": Y}[n] for n in names]), X.shape)
    finite = np.isfinite(values)
    return [
        [float(v) if ok else None for v, ok in zip(row, oks, strict=True)]
        for row, oks in zip(values, finite, strict=True)
    ]


# --------------------------------------------------------------------------- optimizer explainer

RAVINE_START = (-4.5, 1.5)


def ravine(x: FloatArray, y: FloatArray) -> FloatArray:
    """``f(x, y) = x²/10 + 2y²``: steep across, shallow along — where momentum helps."""
    return x * x / 10 + 2 * y * y


def ravine_gradient(theta: FloatArray) -> FloatArray:
    """``∇f = (x/5, 4y)``."""
    return np.array([theta[0] / 5, 4 * theta[1]])


def _optimizer_path(opt: Optimizer, steps: int) -> list[Any]:
    theta = np.array(RAVINE_START, dtype=np.float64)
    path = [theta.tolist()]
    with np.errstate(all="ignore"):
        for _ in range(steps):
            opt.step(theta, ravine_gradient(theta))
            if not (np.isfinite(theta).all() and np.abs(theta).max() < 1e6):
                break
            path.append(theta.tolist())
    return path


def explainer(
    beta: float = 0.9,
    noise: float = 0.5,
    n: int = 100,
    seed: int = 0,
    lr: float = 0.45,
    momentum: float = 0.6,
    adam_lr: float = 0.3,
    beta1: float = 0.9,
    beta2: float = 0.999,
    steps: int = 30,
) -> dict[str, Any]:
    """The optimizer explainer's numbers, all from glassnet's own EWMA and optimizers.

    Returns
    -------
    dict
        ``signal``, ``ewma`` (bias-corrected), ``ewma_raw`` (not corrected),
        ``paths`` of ``sgd``, ``momentum`` and ``adam`` on :func:`ravine`
        from :data:`RAVINE_START`, and ``grid``: the ravine over ``[-5, 5]²``.
    """
    import glassnet

    t = np.arange(1, n + 1)
    rng = np.random.default_rng(seed)
    signal = 1 + np.sin(2 * np.pi * t / 60) + noise * rng.standard_normal(n)
    paths = {
        "sgd": _optimizer_path(glassnet.SGD(lr=lr), steps),
        "momentum": _optimizer_path(glassnet.Momentum(lr=lr, momentum=momentum), steps),
        "adam": _optimizer_path(glassnet.Adam(lr=adam_lr, beta1=beta1, beta2=beta2), steps),
    }
    c = np.linspace(-5, 5, DESCENT_GRID)
    X, Y = np.meshgrid(c, c[::-1])
    return {
        "signal": signal.tolist(),
        "ewma": glassnet.ewma(signal, beta).tolist(),
        "ewma_raw": glassnet.ewma(signal, beta, bias_correction=False).tolist(),
        "paths": paths,
        "grid": ravine(X, Y).tolist(),
        "half_width": 5.0,
        "start": list(RAVINE_START),
    }
