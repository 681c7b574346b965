"""Gradient descent on any function, and the exponentially weighted moving average.

Gradient descent repeats one update until the gradient is (nearly) zero::

    x ← x − lr · ∇f(x)

:func:`descend` runs it on a Python function or on an expression such as
``"x**2 + 3*y**2"`` and records the whole path, so that a learner can print it
next to a hand calculation or draw it on a contour plot::

    >>> from glassnet.descent import descend
    >>> result = descend("x**2", 4.0, lr=0.2, iterations=3)
    >>> result.path[:, 0]        # x ← x − 0.2 · 2x = 0.6 x
    array([4.   , 2.4  , 1.44 , 0.864])

:func:`ewma` and :class:`EWMA` compute the exponentially weighted moving average
``v_t = β v_{t−1} + (1 − β) x_t`` with bias correction ``v_t / (1 − βᵗ)``: the
idea behind momentum, RMSprop and Adam.

Only NumPy is imported here; SymPy is imported when an expression is given.
"""

from __future__ import annotations

import math
import numbers
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, TypeAlias

import numpy as np

from .._validation import check_non_negative, check_positive

if TYPE_CHECKING:
    from sympy import Expr

    from .._typing import ArrayLike, FloatArray

StopReason: TypeAlias = Literal["tol", "f_tol", "iterations", "diverged", "undefined"]
"""Which rule stopped a descent."""
Objective: TypeAlias = "Callable[[FloatArray], Any]"
"""``f`` or its gradient as a function of a 1-D array."""


@dataclass
class DescentResult:
    """What :func:`descend` found, and how it got there.

    Attributes
    ----------
    x : ndarray of shape (n_vars,)
        The final point (a 1-D array even for one variable).
    path : ndarray of shape (iterations + 1, n_vars)
        Every iterate, starting with ``x0``.
    values : ndarray of shape (iterations + 1,)
        ``f`` along the path.
    grad_norms : ndarray of shape (iterations + 1,)
        ``‖∇f‖`` at each iterate of the path.
    iterations : int
        The number of steps taken.
    converged : bool
        Whether ``‖∇f‖`` fell below ``tol``.
    variables : tuple of str or None
        The variable names when ``f`` was an expression.
    message : str
        Why it stopped, in words.
    reason : str
        Which rule stopped it: ``"tol"`` (the gradient), ``"f_tol"`` (the value),
        ``"iterations"``, ``"diverged"`` or ``"undefined"``.
    expression : str or None
        ``f`` as text when it was an expression (:func:`~glassnet.glass.plots.plot_descent`
        draws its contours and names it).
    """

    x: FloatArray
    path: FloatArray
    values: FloatArray
    grad_norms: FloatArray
    iterations: int
    converged: bool
    variables: tuple[str, ...] | None = None
    message: str = ""
    lr: float = field(default=float("nan"), repr=False)
    reason: StopReason = "iterations"
    expression: str | None = None

    def __str__(self, max_rows: int = 12) -> str:
        names = (
            list(self.variables)
            if self.variables
            else (["x"] if self.path.shape[1] == 1 else [f"x{i + 1}" for i in range(self.path.shape[1])])
        )
        header = ["step"] + names + ["f", "|grad f|"]
        rows = [
            [str(k)]
            + [f"{v:.6g}" for v in self.path[k]]
            + [f"{self.values[k]:.6g}", f"{self.grad_norms[k]:.3g}"]
            for k in range(len(self.path))
        ]
        if len(rows) > max_rows:
            half = max_rows // 2
            rows = rows[:half] + [["..."] * len(header)] + rows[-half:]
        widths = [max(len(r[i]) for r in rows + [header]) for i in range(len(header))]
        line = lambda cells: "  ".join(c.rjust(w) for c, w in zip(cells, widths, strict=True))  # noqa: E731
        table = "\n".join([line(header), line(["-" * w for w in widths])] + [line(r) for r in rows])
        return f"{self.message}\n{table}"


def _is_expression(f: object) -> bool:
    if isinstance(f, str):
        return True
    sympy = sys.modules.get("sympy")  # a SymPy object means SymPy is already imported
    return sympy is not None and isinstance(f, sympy.Basic)


def _as_point(x0: ArrayLike) -> FloatArray:
    try:
        x = np.array(x0, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"x0 must be a number or a 1-D array of numbers, got {x0!r}") from None
    if x.ndim > 1:
        raise ValueError(f"x0 must be a number or a 1-D array, got shape {x.shape}")
    x = x.reshape(-1)
    if x.size == 0:
        raise ValueError("x0 is empty")
    if not np.isfinite(x).all():
        raise ValueError(f"x0 must be finite, got {x0!r}")
    return x


def _finite_difference_gradient(fun: Objective) -> Objective:
    """``∂f/∂xᵢ ≈ (f(x + h eᵢ) − f(x − h eᵢ)) / 2h`` with ``h = 10⁻⁶ · max(1, |xᵢ|)``."""

    def grad(x: FloatArray) -> FloatArray:
        g = np.empty_like(x)
        for i in range(x.size):
            h = 1e-6 * max(1.0, abs(x[i]))
            step = np.zeros_like(x)
            step[i] = h
            g[i] = (fun(x + step) - fun(x - step)) / (2 * h)
        return g

    return grad


_UNDEFINED = ", outside f's domain (such as log or sqrt of a negative number)"

MAX_ITERATIONS = 100_000
"""Most steps :func:`descend` takes (some seconds on an expression): every iterate is kept."""
MAX_PATH_VALUES = 10_000_000
"""Most numbers in a recorded path, ``(iterations + 1) · n_vars`` of them (80 MB)."""


def descend(
    f: Callable[..., Any] | str | Expr,
    x0: ArrayLike,
    lr: float = 0.1,
    iterations: int = 100,
    tol: float = 1e-6,
    grad: Callable[..., Any] | None = None,
    f_tol: float | None = None,
) -> DescentResult:
    """Minimize ``f`` by gradient descent: ``x ← x − lr · ∇f(x)``.

    Both stopping rules are checked after each step, as texts write the loop
    (compute ``∇f``, step, then test): ``tol`` tests the gradient the step used,
    ``f_tol`` the value the step reached.

    Parameters
    ----------
    f : callable or str or sympy.Expr
        A function of a 1-D array (of a float when ``x0`` is a number), or an
        expression such as ``"x**2 + 3*y**2"`` whose variables, sorted by name,
        are the coordinates of ``x0``.
    x0 : float or array-like of shape (n_vars,)
        The starting point.
    lr : float
        The step size (learning rate), ``> 0``.
    iterations : int
        The most steps to take, at most :data:`MAX_ITERATIONS` (and at most
        :data:`MAX_PATH_VALUES` numbers in the path).
    tol : float
        Stop after a step whose gradient had ``‖∇f(x)‖ < tol`` ("stop once f'(x) < 0.01").
    grad : callable, optional
        ``∇f``, taking and returning what ``f`` takes. By default the symbolic
        gradient for an expression, central finite differences for a function.
    f_tol : float, optional
        Stop after a step that reaches ``f(x) < f_tol`` ("repeat until f(xᵢ) < ε").

    Returns
    -------
    DescentResult
        ``reason`` says which rule stopped it. A value that diverges (becomes
        infinite or NaN) stops the descent with ``converged=False`` and a message;
        the path keeps the last finite point.
    """
    check_positive(lr, "lr")
    check_positive(iterations, "iterations", integer=True)
    if iterations > MAX_ITERATIONS:
        raise ValueError(
            f"iterations must be at most {MAX_ITERATIONS:,} (every step is recorded), got {iterations:,}"
        )
    check_non_negative(tol, "tol")
    if f_tol is not None and not (isinstance(f_tol, numbers.Real) and math.isfinite(f_tol)):
        raise ValueError(f"f_tol must be a finite number, got {f_tol!r}")
    if grad is not None and not callable(grad):
        raise ValueError(f"grad must be a callable returning the gradient, got {grad!r}")
    x = _as_point(x0)
    if (iterations + 1) * x.size > MAX_PATH_VALUES:
        raise ValueError(
            f"the path of {iterations:,} steps in {x.size:,} variables would hold more than "
            f"{MAX_PATH_VALUES:,} numbers; take fewer iterations"
        )
    fun, grad_fun, variables = _objective(f, x, np.ndim(x0) == 0, grad)
    value_at, gradient_at = _guarded(fun), _guarded_gradient(grad_fun, x.size)
    with np.errstate(over="ignore", invalid="ignore"):
        start = value_at(x)
        if not math.isfinite(start):
            raise ValueError(
                f"f is undefined (NaN) at x0 = {x0!r}{_UNDEFINED}"
                if math.isnan(start)
                else f"f is not finite at x0 = {x0!r} (f = {start})"
            )
        walk = _Walk(x, start)
        walk.run(value_at, gradient_at, lr, iterations, tol, f_tol)
    result = walk.result(variables, lr)
    result.expression = getattr(fun, "expression", None)
    return result


def _objective(
    f: Callable[..., Any] | str | Expr, x: FloatArray, scalar: bool, grad: Callable[..., Any] | None
) -> tuple[Objective, Objective, tuple[str, ...] | None]:
    """``(fun, grad_fun, variables)``: ``f`` and its gradient as functions of a 1-D array."""
    variables: tuple[str, ...] | None
    fun: Objective
    if _is_expression(f):
        from . import calculus

        expr = calculus.parse(f)
        symbols = calculus._variables(expr)
        variables = tuple(s.name for s in symbols)
        if not variables:
            raise ValueError(f"{calculus._quoted(expr)} has no variables to descend along")
        if len(variables) != x.size:
            raise ValueError(
                f"{calculus._quoted(expr)} has {len(variables)} variable(s) ({', '.join(variables)}) "
                f"but x0 has {x.size} coordinate(s)"
            )
        f_num, grad_num = calculus.numeric_function(expr, symbols)  # NaN outside f's domain
        fun = lambda x: f_num(*x)  # noqa: E731
        fun.expression = str(expr)  # type: ignore[attr-defined]  # a function's own attribute, read by descend
        default_grad = lambda x: grad_num(*x)  # noqa: E731
    elif callable(f):
        fun = (lambda x: f(x[0])) if scalar else f
        default_grad, variables = _finite_difference_gradient(fun), None
    else:
        raise ValueError(f"f must be a function or an expression string such as 'x**2 + 3*y**2', got {f!r}")
    if grad is None:
        return fun, default_grad, variables
    return fun, ((lambda x: grad(x[0])) if scalar else grad), variables


def _guarded(fun: Objective) -> Callable[[FloatArray], float]:
    """``f(x)`` as a float; an overflow is infinity, an array result an error."""

    def value_at(x: FloatArray) -> float:
        try:
            v = np.asarray(fun(x), dtype=np.float64)
        except OverflowError:
            return math.inf
        if v.size != 1:
            raise ValueError(f"f must return a single number, got an array of shape {v.shape}")
        return float(v.reshape(()))

    return value_at


def _guarded_gradient(grad_fun: Objective, n: int) -> Callable[[FloatArray], FloatArray]:
    """``∇f(x)`` as a 1-D array of ``n`` floats; an overflow is infinite."""

    def gradient_at(x: FloatArray) -> FloatArray:
        try:
            g = np.asarray(grad_fun(x), dtype=np.float64).reshape(-1)
        except OverflowError:
            return np.full(n, math.inf)
        if g.size == 1 and n > 1:
            g = np.full(n, g[0])  # a constant gradient of an expression, e.g. "x + y"
        if g.shape != (n,):
            raise ValueError(f"the gradient has {g.size} components but x has {n}")
        return g

    return gradient_at


class _Walk:
    """The path of one descent, step by step, and why it ended."""

    def __init__(self, x: FloatArray, value: float) -> None:
        self.path, self.values = [x], [value]
        self.grad_norms: list[float] = []
        self.converged, self.message = False, ""
        self.reason: StopReason = "iterations"

    def run(
        self,
        value_at: Callable[[FloatArray], float],
        gradient_at: Callable[[FloatArray], FloatArray],
        lr: float,
        iterations: int,
        tol: float,
        f_tol: float | None,
    ) -> None:
        self._steps(value_at, gradient_at, lr, iterations, tol, f_tol)
        if len(self.grad_norms) < len(self.path):  # the last point's gradient, for the table
            self.grad_norms.append(math.hypot(*gradient_at(self.path[-1])))

    def _steps(
        self,
        value_at: Callable[[FloatArray], float],
        gradient_at: Callable[[FloatArray], FloatArray],
        lr: float,
        iterations: int,
        tol: float,
        f_tol: float | None,
    ) -> None:
        for step in range(1, iterations + 1):
            x = self.path[-1]
            g = gradient_at(x)
            norm = math.hypot(*g)  # no overflow in squaring, unlike sqrt(g·g)
            self.grad_norms.append(norm)
            if not math.isfinite(norm):
                return self._stop("undefined" if math.isnan(norm) else "diverged", step - 1)
            x_new = x - lr * g
            value = value_at(x_new) if np.isfinite(x_new).all() else math.inf
            if not math.isfinite(value):
                return self._stop("undefined" if math.isnan(value) else "diverged", step, value, lr)
            self.path.append(x_new)
            self.values.append(value)
            if norm < tol or norm == 0:
                return self._stop("tol", step, norm, tol)
            if f_tol is not None and value < f_tol:
                return self._stop("f_tol", step, value, f_tol)
        self.message = (
            f"stopped after {iterations} steps without converging: the last step's "
            f"|grad f| = {norm:.3g} >= tol = {tol:g}"
        )

    def _stop(
        self, reason: StopReason, step: int, value: float | None = None, bound: float | None = None
    ) -> None:
        self.reason = reason
        self.converged = reason in ("tol", "f_tol")
        self.message = {
            "tol": f"converged after {step} steps: the last step's |grad f| = {value:.3g} < tol = {bound:g}",
            "f_tol": f"converged after {step} steps: f = {value:.3g} < f_tol = {bound:g}",
            "undefined": f"stopped: f is undefined (NaN) at step {step}{_UNDEFINED}; the path ends before it"
            if value is not None
            else f"stopped: the gradient is undefined (NaN) at step {step}{_UNDEFINED}",
            "diverged": f"diverged: f became {value} at step {step} (lr = {bound:g} may be too large, or f is "
            "unbounded below); the path ends at the last finite point"
            if value is not None
            else f"diverged: the gradient became non-finite at step {step}",
        }[reason]

    def result(self, variables: tuple[str, ...] | None, lr: float) -> DescentResult:
        path = np.array(self.path)
        return DescentResult(
            x=path[-1].copy(),
            path=path,
            values=np.array(self.values),
            grad_norms=np.array(self.grad_norms[: len(path)]),
            iterations=len(path) - 1,
            converged=self.converged,
            variables=variables,
            message=self.message,
            lr=float(lr),
            reason=self.reason,
        )


# ---------------------------------------------------------------------------
# Exponentially weighted moving average
# ---------------------------------------------------------------------------


def _check_beta(beta: object) -> float:
    if (
        isinstance(beta, bool)
        or not isinstance(beta, numbers.Real)
        or not math.isfinite(beta)
        or not 0 <= float(beta) < 1
    ):
        raise ValueError(f"beta must be a number with 0 <= beta < 1, got {beta!r}")
    return float(beta)


class EWMA:
    """An exponentially weighted moving average, one value at a time.

    ``v_t = β v_{t−1} + (1 − β) x_t`` with ``v_0 = 0``, an average over roughly
    the last ``1 / (1 − β)`` values. Because ``v_0 = 0`` the first averages are
    pulled towards zero; bias correction divides by the total weight,
    ``v̂_t = v_t / (1 − βᵗ)``.

    ``v̂_t`` is computed in the equivalent form ``v̂_t = (1 − k_t) v̂_{t−1} + k_t x_t``
    with gain ``k_t = (1 − β) / (1 − βᵗ)``: at ``t = 1`` (and for ``β = 0``) the
    gain is exactly 1, so ``v̂_1 = x_1`` exactly, while ``(1 − β) x_1 / (1 − β)``
    can be off by one rounding. Works elementwise on arrays as well as on numbers.
    """

    def __init__(self, beta: float, bias_correction: bool = True) -> None:
        self.beta = _check_beta(beta)
        self.bias_correction = bool(bias_correction)
        self.t = 0
        self.v: float | FloatArray = 0.0
        self.v_hat: float | FloatArray = 0.0

    def update(self, x: float | FloatArray) -> float | FloatArray:
        """Take in ``x_t``; return ``v̂_t`` (or ``v_t`` without bias correction)."""
        given = x
        try:
            x = float(x) if isinstance(x, (int, float)) else np.asarray(x, dtype=float)
        except (TypeError, ValueError):
            raise ValueError(f"EWMA values must be numbers or arrays of numbers, got {given!r}") from None
        if given is None or not np.isfinite(x).all():
            raise ValueError(f"EWMA values must be finite numbers, got {given!r}")
        beta = self.beta
        self.t += 1
        self.v = beta * self.v + (1 - beta) * x
        gain = (1 - beta) / (1 - beta**self.t)
        self.v_hat = (1 - gain) * self.v_hat + gain * x
        return self.v_hat if self.bias_correction else self.v

    def __repr__(self) -> str:
        return f"EWMA(beta={self.beta}, bias_correction={self.bias_correction}, t={self.t})"


def ewma(xs: ArrayLike, beta: float, bias_correction: bool = True) -> FloatArray:
    """The exponentially weighted moving average of a sequence.

    Parameters
    ----------
    xs : array-like of shape (n,)
        The values ``x_1, …, x_n``.
    beta : float
        The decay, ``0 <= β < 1`` (``β = 0`` returns ``xs`` itself).
    bias_correction : bool
        Return ``v_t / (1 − βᵗ)`` instead of ``v_t``.

    Returns
    -------
    ndarray of shape (n,)
        ``v_t = β v_{t−1} + (1 − β) x_t`` (``v_0 = 0``), bias-corrected or not.
    """
    beta = _check_beta(beta)
    try:
        xs = np.asarray(xs, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError("xs must be a 1-D sequence of numbers") from None
    if xs.ndim != 1:
        raise ValueError(f"xs must be 1-D, got shape {xs.shape}")
    if xs.size == 0:
        raise ValueError("xs is empty")
    if not np.isfinite(xs).all():
        raise ValueError("xs contains NaN or infinite values")
    average = EWMA(beta, bias_correction)
    return np.array([average.update(x) for x in xs])
