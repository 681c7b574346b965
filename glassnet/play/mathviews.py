"""The playground's two views of the mathematics behind training.

* The **descent view**: a function ``f(x, y)`` typed by the user, its values
  over a window of the plane (for the contour picture), and the path of
  gradient descent ``(x, y) ← (x, y) − η ∇f`` from a start point, computed by
  :func:`glassnet.descend`. The formula goes through :func:`glassnet.calculus.parse`
  (the safe parser: it refuses anything but arithmetic) and nothing else ever
  reads it. Parsing and evaluating run in a separate worker process that is
  killed after ``seconds``, so no formula, however it was built, can hang the
  server.
* The **optimizer explainer**: a noisy signal with its exponentially weighted
  moving average ``v_t = β v_{t−1} + (1 − β) x_t``, with and without the bias
  correction ``v̂_t = v_t / (1 − βᵗ)`` (:func:`glassnet.ewma`), and the paths of
  gradient descent, momentum and Adam (:mod:`glassnet.optimizers`) on one
  ravine-shaped function, ``f(x, y) = x²/10 + 2y²``.
"""

from __future__ import annotations

import math
import multiprocessing
import os
import threading
import time

import numpy as np

DESCENT_GRID = 80
"""Cells per side of the descent view's picture of ``f``."""
VARIABLES = ("x", "y")

_pool = None
_pool_lock = threading.Lock()


class FormulaError(ValueError):
    """The formula was refused (by the parser, by a bound, or for taking too long)."""


# --------------------------------------------------------------------------- descent view

def _check_variables(expr):
    import sympy
    from sympy.core.function import AppliedUndef

    names = sorted(s.name for s in expr.free_symbols)
    other = [n for n in names if n not in VARIABLES]
    if other:
        raise FormulaError(f"use only the variables x and y; the formula has {', '.join(other)}")
    unknown = sorted({type(f).__name__ for f in expr.atoms(AppliedUndef)})
    if unknown:
        raise FormulaError(f"unknown function {unknown[0]}: use sin, cos, tan, exp, log, sqrt, "
                           "tanh, abs and the like")
    if expr.has(sympy.zoo, sympy.nan, sympy.oo, -sympy.oo):
        raise FormulaError("the formula is infinite or undefined")
    return names


def _picture(expr, half_width):
    """``f`` over the window ``[-w, w]²``, top row first; None where it is not a finite real number."""
    from glassnet import calculus

    c = np.linspace(-half_width, half_width, DESCENT_GRID)
    X, Y = np.meshgrid(c, c[::-1])
    f = calculus.lambdify(expr, list(VARIABLES))
    with np.errstate(all="ignore"):
        values = np.asarray(f(X, Y))
    if np.iscomplexobj(values):
        values = np.where(np.abs(values.imag) < 1e-12, values.real, np.nan)
    values = np.broadcast_to(values.astype(np.float64), X.shape)
    finite = np.isfinite(values)
    return [[float(v) if ok else None for v, ok in zip(row, oks)] for row, oks in zip(values, finite)]


def descent_picture(formula, start, lr, steps, half_width):
    """Parse ``formula``, picture it, and run gradient descent from ``start`` (runs in the worker).

    Returns a dict: ``grid`` (DESCENT_GRID² values, top row first), ``path``
    (the iterates as ``[x, y]``), ``values``, ``grad_norms``, ``message``,
    ``converged`` and the parsed formula as ``text``.
    """
    from glassnet import calculus
    from glassnet.descent import descend

    expr = calculus.parse(formula)
    names = _check_variables(expr)
    if not names:
        raise FormulaError("the formula has no variable x or y to descend along")
    grid = _picture(expr, half_width)
    x0 = [start[VARIABLES.index(n)] for n in names]
    with np.errstate(all="ignore"):
        result = descend(formula, x0, lr=lr, iterations=steps)
    path = np.tile(np.asarray(start, dtype=np.float64), (len(result.path), 1))
    for k, n in enumerate(names):
        path[:, VARIABLES.index(n)] = result.path[:, k]
    gradient = [str(g) for g in calculus.gradient(expr, names)]
    return {"text": str(expr), "gradient": dict(zip(names, gradient)), "grid": grid, "half_width": half_width,
            "path": path.tolist(), "values": result.values.tolist(),
            "grad_norms": [g if math.isfinite(g) else None for g in result.grad_norms.tolist()],
            "message": result.message, "converged": result.converged,
            "variables": names}


def _ready():
    """Run in the worker when it starts: import what parsing needs, so no formula pays for it."""
    import sympy  # noqa: F401
    from glassnet import calculus, descent  # noqa: F401
    return True


def _watch_parent(parent):
    """In the worker: exit when the server's process is gone (even if it was killed)."""
    def watch():
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(0)
    threading.Thread(target=watch, daemon=True).start()


def _worker_pool():
    """The worker process, started (and ready) on first use; its start is not timed."""
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = multiprocessing.get_context("spawn").Pool(1, _watch_parent, (os.getpid(),))
            _pool.apply(_ready)
        return _pool


def _kill_pool():
    global _pool
    with _pool_lock:
        if _pool is not None:
            _pool.terminate()
            _pool = None


def descent_view(formula, start, lr, steps, half_width, seconds=5.0):
    """:func:`descent_picture` in the worker process, killed after ``seconds``.

    Raises
    ------
    FormulaError
        With the parser's own message for a formula it refuses, or saying it
        took too long.
    """
    job = _worker_pool().apply_async(descent_picture, (formula, start, lr, steps, half_width))
    try:
        return job.get(timeout=seconds)
    except multiprocessing.TimeoutError:
        _kill_pool()
        raise FormulaError(f"the formula took more than {seconds:g} s to parse and evaluate; "
                           "it was stopped (very large powers or numbers?)") from None
    except Exception as exc:  # the parser's and descend's ValueErrors; anything SymPy raises
        message = str(exc) if isinstance(exc, ValueError) else f"cannot evaluate the formula: {exc}"
        raise FormulaError(message) from None


def warm_up():
    """Start the worker process in the background, so the first formula answers at once."""
    threading.Thread(target=_worker_pool, daemon=True).start()


def shutdown():
    """Stop the worker process (the server calls this when it stops)."""
    _kill_pool()


# --------------------------------------------------------------------------- optimizer explainer

RAVINE_START = (-4.5, 1.5)


def ravine(x, y):
    """``f(x, y) = x²/10 + 2y²``: steep across, shallow along — where momentum helps."""
    return x * x / 10 + 2 * y * y


def ravine_gradient(theta):
    """``∇f = (x/5, 4y)``."""
    return np.array([theta[0] / 5, 4 * theta[1]])


def _optimizer_path(opt, steps):
    theta = np.array(RAVINE_START, dtype=np.float64)
    path = [theta.tolist()]
    with np.errstate(all="ignore"):
        for _ in range(steps):
            opt.step(theta, ravine_gradient(theta))
            if not (np.isfinite(theta).all() and np.abs(theta).max() < 1e6):
                break
            path.append(theta.tolist())
    return path


def explainer(beta=0.9, noise=0.5, n=100, seed=0, lr=0.45, momentum=0.6, adam_lr=0.3,
              beta1=0.9, beta2=0.999, steps=30):
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
    return {"signal": signal.tolist(), "ewma": glassnet.ewma(signal, beta).tolist(),
            "ewma_raw": glassnet.ewma(signal, beta, bias_correction=False).tolist(),
            "paths": paths, "grid": ravine(X, Y).tolist(), "half_width": 5.0,
            "start": list(RAVINE_START)}
