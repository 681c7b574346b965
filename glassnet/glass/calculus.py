"""Calculus helpers built on SymPy: derivatives, gradients, critical points.

These are the hand calculations that come before neural networks, done by a
computer algebra system so that a learner can check their own work::

    >>> from glassnet.glass import calculus
    >>> calculus.derivative("x**3 - 3*x")
    3*x**2 - 3
    >>> [(p.point, p.kind) for p in calculus.critical_points("x**3 - 3*x")]
    [({'x': -1}, 'maximum'), ({'x': 1}, 'minimum')]

Expressions are given as strings (``"x**2 + 3*y**2"``, ``^`` also means power)
or as SymPy expressions. A string is data, never code: :func:`parse` (from
:mod:`glassnet.glass.expressions`) reads it with a whitelist of numbers, variables,
``+ - * / **`` and a table of functions, within size bounds. Variables are
named by strings or SymPy symbols; when they are left out, the expression's
free symbols are taken sorted by name.

What SymPy then does can still take long on a short formula (solving
``∇f = 0``, a high-order derivative of a long product), so derivatives and
critical points are computed in a helper process that is stopped after a few
seconds (:mod:`glassnet.glass._sympy_worker`); such a formula gets a ``ValueError``.
:func:`numeric_function` turns a formula into NumPy functions for plotting
and gradient descent.

:func:`check_activation_derivatives` closes the loop with the network code: it
differentiates each activation's textbook definition symbolically and compares
the result with the derivative written by hand in :mod:`glassnet.activations`.

SymPy is imported lazily, inside the functions, so ``import glassnet`` stays fast.
"""

from __future__ import annotations

import cmath
import numbers
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from types import ModuleType
from typing import TYPE_CHECKING, Any, Literal, TypeAlias

import numpy as np

from . import _sympy_worker
from ._sympy_worker import check_size
from .expressions import FUNCTIONS, ExpressionError, _quote, parse  # noqa: F401 - re-exported

if TYPE_CHECKING:
    from sympy import Expr, Matrix, Symbol

    from .._typing import ActivationName, ArrayLike, FloatArray
    from .expressions import ExpressionLike

Variables: TypeAlias = "str | Sequence[str | Symbol]"
"""Variables named by ``"x y"``, ``"x, y"``, or a sequence of names and SymPy Symbols."""
CriticalKind: TypeAlias = Literal["minimum", "maximum", "saddle", "inconclusive"]


def _sympy() -> ModuleType:
    """The ``sympy`` module, imported on first use."""
    import sympy

    return sympy


# ---------------------------------------------------------------------------
# Variables
# ---------------------------------------------------------------------------

MAX_ORDER = 20  # highest derivative order


def _quoted(f: object) -> str:
    """A formula for an error message: quoted and cut to 60 characters."""
    return _quote(str(f))


def _names(variables: Variables) -> list[str]:
    """Variable names from ``"x y"``, ``"x, y"`` or a sequence of names and Symbols."""
    if isinstance(variables, str):
        variables = [v for v in re.split(r"[\s,]+", variables) if v]
    try:
        items = list(variables)
    except TypeError:
        raise ValueError(
            f"variables must be a sequence of names such as ['x', 'y'], got {variables!r}"
        ) from None
    names = []
    for var in items:
        name = getattr(var, "name", var)
        if not (isinstance(name, str) and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name.strip())):
            raise ValueError(
                f"a variable must be a name such as 'x' or a SymPy Symbol, got {_quote(repr(var))}"
            )
        names.append(name.strip())
    if len(set(names)) != len(names):
        raise ValueError(f"variables must be distinct, got {names}")
    return names


def _symbol(expr: Expr, var: str | Symbol) -> Symbol:
    """The symbol named by ``var`` (a string or a Symbol), preferring ``expr``'s own."""
    if isinstance(var, _sympy().Symbol):
        return var
    (name,) = _names([var])
    return next((s for s in expr.free_symbols if s.name == name), None) or _sympy().Symbol(name)


def _variables(expr: Expr, variables: Variables | None = None) -> list[Symbol]:
    """The list of variables: those given, or the free symbols sorted by name."""
    if variables is None:
        return sorted(expr.free_symbols, key=lambda s: s.name)
    if isinstance(variables, str):
        variables = _names(variables)
    syms = [_symbol(expr, v) for v in variables]
    if len({s.name for s in syms}) != len(syms):
        raise ValueError(f"variables must be distinct, got {[s.name for s in syms]}")
    return syms


# ---------------------------------------------------------------------------
# Derivatives
# ---------------------------------------------------------------------------


def _derivatives(f: Expr, plans: Sequence[Sequence[Symbol]]) -> list[Expr]:
    """``[∂ⁿf/∂v₁…∂vₙ for (v₁, …, vₙ) in plans]``, each refused once it grows too large.

    Runs in the SymPy process (see :mod:`glassnet.glass._sympy_worker`): the
    ``order``-th derivative of a product of many factors has ``factorsᵒʳᵈᵉʳ``
    terms, so it is checked after every step.
    """
    sympy = _sympy()
    results = []
    for plan in plans:
        d = f
        for v in plan:
            d = check_size(sympy.diff(d, v), "the derivative")
        if d.has(sympy.nan, sympy.zoo, sympy.oo, -sympy.oo):
            raise ExpressionError(f"the derivative of {_quoted(f)} is undefined: SymPy gives {d}")
        results.append(d)
    return results


def _differentiate(f: Expr, plans: Sequence[Sequence[Symbol]], timeout: float | None) -> list[Expr]:
    return _sympy_worker.run(_derivatives, (f, plans), f"differentiate {_quoted(f)}", timeout)


def derivative(
    expr: ExpressionLike, var: str | Symbol | None = None, order: int = 1, timeout: float | None = None
) -> Expr:
    """``dⁿf/dxⁿ``: the ``order``-th derivative of ``expr`` with respect to ``var``.

    ``var`` may be left out when the expression has exactly one variable.
    Returns a SymPy expression, e.g. ``derivative("x**3 - 3*x")`` → ``3*x**2 - 3``.
    ``order`` is at most :data:`MAX_ORDER`; the work stops with a ``ValueError``
    after ``timeout`` seconds (default ``glassnet.glass._sympy_worker.TIME_LIMIT``, 5 s).
    """
    sympy = _sympy()
    f = parse(expr)
    if isinstance(order, bool) or not isinstance(order, numbers.Integral) or not 1 <= int(order) <= MAX_ORDER:
        raise ValueError(f"order must be an integer from 1 to {MAX_ORDER}, got {order!r}")
    if var is None:
        free = sorted(f.free_symbols, key=lambda s: s.name)
        if len(free) > 1:
            raise ValueError(
                f"{_quoted(f)} has several variables ({', '.join(s.name for s in free)}); "
                "say which one with var="
            )
        if not free:
            return sympy.S.Zero  # the derivative of a constant
        var = free[0]
    return _differentiate(f, [(_symbol(f, var),) * int(order)], timeout)[0]


def partial(expr: ExpressionLike, var: str | Symbol, timeout: float | None = None) -> Expr:
    """``∂f/∂var``, the partial derivative: the other variables are held constant."""
    f = parse(expr)
    return _differentiate(f, [(_symbol(f, var),)], timeout)[0]


def gradient(
    expr: ExpressionLike, variables: Variables | None = None, timeout: float | None = None
) -> list[Expr]:
    """``∇f = [∂f/∂x₁, …, ∂f/∂xₙ]`` as a list, in the order of ``variables``.

    By default the variables are the free symbols sorted by name, so
    ``gradient("x**2 + 3*y**2")`` → ``[2*x, 6*y]``.
    """
    f = parse(expr)
    return _differentiate(f, [(v,) for v in _variables(f, variables)], timeout)


def hessian(expr: ExpressionLike, variables: Variables | None = None, timeout: float | None = None) -> Matrix:
    """The Hessian matrix ``H[i, j] = ∂²f/∂xᵢ∂xⱼ`` (a SymPy ``Matrix``, symmetric)."""
    sympy = _sympy()
    f = parse(expr)
    syms = _variables(f, variables)
    if not syms:
        raise ValueError(f"{_quoted(f)} has no variables")
    pairs = [(a, b) for i, a in enumerate(syms) for b in syms[i:]]
    H = dict(zip(pairs, _differentiate(f, pairs, timeout), strict=True))
    return sympy.Matrix(len(syms), len(syms), lambda i, j: H[(syms[min(i, j)], syms[max(i, j)])])


def lambdify(
    expr: ExpressionLike | Sequence[ExpressionLike], variables: Variables | None = None
) -> Callable[..., Any]:
    """A NumPy function ``fn(x₁, …, xₙ)`` evaluating ``expr`` (``sympy.lambdify``).

    ``expr`` may also be a list of expressions (such as a :func:`gradient`);
    the function then returns a list. Arguments come in the order of
    ``variables`` (default: all free symbols, sorted by name).
    """
    sympy = _sympy()
    f: Any
    if isinstance(expr, (list, tuple)):
        f = [parse(e) for e in expr]
        free = sympy.Tuple(*f)
    else:
        f = free = parse(expr)
    return sympy.lambdify(_variables(free, variables), f, modules=["numpy", "scipy"])


def _real_array(value: ArrayLike, shape: tuple[int, ...]) -> FloatArray:
    """``value`` as a float array of ``shape``: NaN where it is complex (outside f's real domain)."""
    array = np.asarray(value)
    if np.iscomplexobj(array):
        array = np.where(array.imag == 0, array.real, np.nan)
    return np.broadcast_to(array.astype(np.float64, copy=False), shape).copy()


def numeric_function(
    expr: ExpressionLike, variables: Variables | None = None, timeout: float | None = None
) -> tuple[Callable[..., FloatArray], Callable[..., FloatArray]]:
    """``(f, grad)``: NumPy functions evaluating a formula and its gradient on arrays.

    Parameters
    ----------
    expr : str or sympy.Expr
        The formula; as a string it is read by :func:`parse` with only
        ``variables`` allowed as names.
    variables : sequence of str, optional
        The arguments, in order (the playground passes ``("x", "y")``);
        default: the formula's variables sorted by name.

    Returns
    -------
    f : callable
        ``f(x₁, …, xₙ)`` → float array of the broadcast shape of the arguments.
    grad : callable
        ``grad(x₁, …, xₙ)`` → float array of shape ``(n, *shape)``, ``∂f/∂xᵢ`` in row ``i``.

    Both are NaN where the formula is undefined or complex (``log`` or ``sqrt``
    of a negative number) and ±inf where it overflows, without warnings: a
    contour plot over a grid shows the gaps, gradient descent stops there.
    """
    sympy = _sympy()
    f = parse(expr, None if variables is None else _names(variables))
    syms = _variables(f, variables)
    extra = sorted(s.name for s in f.free_symbols - set(syms))
    if extra:
        raise ValueError(f"{_quoted(f)} has variables not listed in variables: {', '.join(extra)}")
    f_num = sympy.lambdify(syms, f, modules="numpy")
    grad_num = sympy.lambdify(syms, gradient(f, syms, timeout), modules="numpy")

    def on_arrays(fn: Callable[..., Any], rows: bool) -> Callable[..., FloatArray]:
        def evaluate(*args: ArrayLike) -> FloatArray:
            if len(args) != len(syms):
                raise ValueError(
                    f"expected {len(syms)} argument(s) ({', '.join(s.name for s in syms)}), got {len(args)}"
                )
            xs = [np.asarray(x, dtype=np.float64) for x in args]
            shape = np.broadcast_shapes(*(x.shape for x in xs))
            with np.errstate(all="ignore"):
                out = fn(*xs)
            return np.stack([_real_array(o, shape) for o in out]) if rows else _real_array(out, shape)

        return evaluate

    return on_arrays(f_num, rows=False), on_arrays(grad_num, rows=True)


# ---------------------------------------------------------------------------
# Critical points and the second-derivative test
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class CriticalPoint:
    """A point where ``∇f = 0``, classified by the second-derivative test.

    With one variable ``r = f''`` (``s``, ``t``, ``D`` are ``None``). With two,
    ``r = f_xx``, ``s = f_xy``, ``t = f_yy`` and ``D = r t − s²``. Values are
    exact SymPy numbers where SymPy found them exactly.
    """

    point: dict[str, Any]
    value: Any
    kind: CriticalKind
    r: Any
    s: Any = None
    t: Any = None
    D: Any = None

    def __str__(self) -> str:
        where = ", ".join(f"{k} = {v}" for k, v in self.point.items())
        text = f"{self.kind} at ({where}), f = {self.value}: r = {self.r}"
        if self.D is not None:
            text += f", s = {self.s}, t = {self.t}, D = rt - s^2 = {self.D}"
        return text


def _sign(value: Any) -> int:
    """+1, −1 or 0 for a real SymPy number, exactly when SymPy can decide."""
    if value.is_zero:
        return 0
    if value.is_positive:
        return 1
    if value.is_negative:
        return -1
    x = float(value.evalf(30))  # undecided symbolically: fall back to 30 digits
    return 0 if abs(x) < 1e-12 else (1 if x > 0 else -1)


def _is_real_number(value: Any) -> bool:
    """Whether a SymPy value is a finite real number (not complex, infinite or undefined)."""
    if value.free_symbols:
        return False
    if value.is_real is not None:
        return bool(value.is_real)
    z = complex(value.evalf(30))
    return cmath.isfinite(z) and abs(z.imag) <= 1e-12 * max(1.0, abs(z.real))


def critical_points(
    expr: ExpressionLike, variables: Variables | None = None, timeout: float | None = None
) -> list[CriticalPoint]:
    """The real critical points of a function of one or two variables, classified.

    Solves ``∇f = 0`` and applies the second-derivative test at the real
    solutions where ``f`` is real (``log(x) + x`` has none: ``x = -1`` lies
    outside the domain of ``log``, so the list is empty):

    - one variable: ``f'' > 0`` minimum, ``f'' < 0`` maximum, ``f'' = 0`` inconclusive;
    - two variables, with ``r = f_xx``, ``s = f_xy``, ``t = f_yy``, ``D = r t − s²``:
      ``D > 0, r > 0`` minimum; ``D > 0, r < 0`` maximum; ``D < 0`` saddle;
      ``D = 0`` inconclusive.

    Returns a list of :class:`CriticalPoint`, sorted by coordinates.

    ``sympy.solve`` can run for minutes on a short formula (``sin(x) + x**7``, a
    degree-60 polynomial), so the solving and classifying run in SymPy's helper
    process and stop with a ``ValueError`` after ``timeout`` seconds (default
    ``glassnet.glass._sympy_worker.TIME_LIMIT``, 5 s); see :mod:`glassnet.glass._sympy_worker`.
    """
    f = parse(expr)
    syms = _variables(f, variables)
    if not syms:
        raise ValueError(f"{_quoted(f)} has no variables, so it has no critical points to classify")
    if len(syms) > 2:
        raise ValueError(
            f"critical_points handles functions of one or two variables; "
            f"{_quoted(f)} has {len(syms)}: {', '.join(s.name for s in syms)}"
        )
    return _sympy_worker.run(_solve_and_classify, (f, syms), f"solve ∇f = 0 for {_quoted(f)}", timeout)


def _solve_and_classify(f: Expr, syms: Sequence[Symbol]) -> list[CriticalPoint]:
    """:func:`critical_points`' work, run in the SymPy process."""
    sympy = _sympy()
    grad = [sympy.diff(f, v) for v in syms]
    solutions = _solutions(f, grad, syms)
    second = [[sympy.diff(f, a, b) for b in syms] for a in syms]
    points = []
    for sol in solutions:
        if any(v not in sol for v in syms) or any(sol[v].free_symbols for v in syms):
            raise ValueError(
                f"the critical points of {_quoted(f)} are not isolated (for example "
                f"{_quote(str(sol))}); the second-derivative test needs isolated points"
            )
        at = {v: sol[v] for v in syms}
        # A complex solution is no point of the plane, and where f itself is complex,
        # infinite or undefined (log(x) + x at x = -1) the point is outside f's real domain.
        if all(_is_real_number(value) for value in at.values()) and _is_real_number(f.subs(at)):
            points.append(_classify(f, at, second))
    points.sort(key=lambda p: tuple(float(v) for v in p.point.values()))
    return points


def _solutions(f: Expr, grad: Sequence[Expr], syms: Sequence[Symbol]) -> list[dict[Symbol, Expr]]:
    """The solutions of ``∇f = 0``, as a list of ``{symbol: value}``.

    A polynomial in one variable gets its real roots from ``Poly.real_roots``
    (exact: integers, radicals or ``CRootOf``), because ``sympy.solve`` returns
    an empty list, silently, for many polynomials of degree 5 and above.
    """
    sympy = _sympy()
    if len(syms) == 1 and f.is_polynomial(syms[0]):
        return [{syms[0]: root} for root in dict.fromkeys(sympy.Poly(grad[0], syms[0]).real_roots())]
    try:
        return sympy.solve(grad, syms, dict=True)
    except NotImplementedError:
        raise ValueError(f"SymPy cannot solve ∇f = 0 for {_quoted(f)} in closed form") from None


def _classify(f: Expr, at: dict[Symbol, Expr], second: Sequence[Sequence[Expr]]) -> CriticalPoint:
    """The :class:`CriticalPoint` at ``at`` (``{symbol: value}``) by the second-derivative test."""
    kind: CriticalKind
    r = _tidy(second[0][0].subs(at))
    s = t = D = None
    if len(at) == 2:
        s = _tidy(second[0][1].subs(at))
        t = _tidy(second[1][1].subs(at))
        D = _tidy(r * t - s**2)
    if not all(_is_real_number(d) for d in (r, s, t, D) if d is not None):
        kind = "inconclusive"  # f'' is infinite or undefined there (x**(4/3) at 0): the test cannot tell
    elif D is None:
        kinds: dict[int, CriticalKind] = {1: "minimum", -1: "maximum", 0: "inconclusive"}
        kind = kinds[_sign(r)]
    elif _sign(D) > 0:
        kind = "minimum" if _sign(r) > 0 else "maximum"
    elif _sign(D) < 0:
        kind = "saddle"
    else:
        kind = "inconclusive"
    return CriticalPoint(
        point={v.name: val for v, val in at.items()}, value=_tidy(f.subs(at)), kind=kind, r=r, s=s, t=t, D=D
    )


def _tidy(value: Expr) -> Expr:
    """``sympy.simplify(value)``, except for ``CRootOf`` roots of high-degree polynomials,
    which simplify cannot shorten (it spends seconds trying)."""
    sympy = _sympy()
    return value if value.has(sympy.CRootOf) else sympy.simplify(value)


# ---------------------------------------------------------------------------
# Checking the activations' hand-written derivatives
# ---------------------------------------------------------------------------

# name -> (constructor arguments for glassnet.activations, is it piecewise?)
_ACTIVATION_CASES: dict[str, tuple[ActivationName, dict[str, float], bool]] = {
    "identity": ("identity", {}, False),
    "sigmoid": ("sigmoid", {}, False),
    "sigmoid(beta=2)": ("sigmoid", {"beta": 2.0}, False),
    "tanh": ("tanh", {}, False),
    "relu": ("relu", {}, True),
    "leaky_relu": ("leaky_relu", {}, True),
    "elu": ("elu", {}, True),
    "softplus": ("softplus", {}, False),
    "gelu": ("gelu", {}, False),
    "exp": ("exp", {}, False),
    "softmax": ("softmax", {}, False),
}
_ALIASES: dict[str, ActivationName] = {"linear": "identity", "logistic": "sigmoid"}
_PARAMETERS: dict[str, tuple[str, ...]] = {"sigmoid": ("beta",), "leaky_relu": ("alpha",), "elu": ("alpha",)}
"""The constants each activation's definition takes; the others take none."""


def symbolic_activation(name: ActivationName, z: Symbol | None = None, **params: float) -> Expr:
    """The textbook definition of an elementwise activation as a SymPy expression in ``z``.

    ``params`` are the activation's constants (``beta`` for sigmoid, ``alpha``
    for leaky ReLU and ELU), with the same defaults and the same checks as
    :mod:`glassnet.activations`; any other name is an error.
    """
    from ..activations import ACTIVATIONS

    sympy = _sympy()
    z = sympy.Symbol("z", real=True) if z is None else z
    name = _ALIASES.get(name, name)
    num = sympy.nsimplify  # 0.01 -> 1/100, so the algebra stays exact
    definitions = {
        "identity": lambda: z,
        "sigmoid": lambda: 1 / (1 + sympy.exp(-num(params.get("beta", 1)) * z)),
        "tanh": lambda: sympy.tanh(z),
        "relu": lambda: sympy.Piecewise((z, z > 0), (0, True)),
        "leaky_relu": lambda: sympy.Piecewise((z, z > 0), (num(params.get("alpha", 0.01)) * z, True)),
        "elu": lambda: sympy.Piecewise((z, z > 0), (num(params.get("alpha", 1)) * (sympy.exp(z) - 1), True)),
        "softplus": lambda: sympy.log(1 + sympy.exp(z)),
        "gelu": lambda: z * (1 + sympy.erf(z / sympy.sqrt(2))) / 2,
        "exp": lambda: sympy.exp(z),
    }
    if name not in definitions:
        raise ValueError(
            f"no symbolic definition for activation {name!r}; valid names are: "
            + ", ".join(sorted(definitions))
        )
    valid = _PARAMETERS.get(name, ())
    unknown = [p for p in params if p not in valid]
    if unknown:
        raise ValueError(
            f"{name} has no parameter {', '.join(map(repr, unknown))}; "
            + (f"its parameters are: {', '.join(valid)}" if valid else "it takes none")
        )
    for p, value in params.items():
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise ValueError(f"{name} parameter {p} must be a number, got {value!r}")
    ACTIVATIONS[name](**params)  # the numeric activation checks the values (beta > 0, alpha >= 0, ...)
    return definitions[name]()


def _softmax_difference(act: Any) -> float:
    """Largest ``|J_hand − J_sympy|`` of softmax's Jacobian over a few 3-vectors."""
    sympy = _sympy()
    zs = sympy.symbols("z0:3", real=True)
    exps = [sympy.exp(zi) for zi in zs]
    total = sum(exps)
    J = sympy.Matrix([e / total for e in exps]).jacobian(zs)
    J_fn = sympy.lambdify(zs, J, modules="numpy")
    vectors = [(0.0, 0.0, 0.0), (1.0, 2.0, 3.0), (-1.0, 0.5, 4.5), (5.0, -5.0, 0.3), (-2.0, -2.5, -3.0)]
    return max(
        float(np.max(np.abs(act.jacobian(np.array(v)) - np.array(J_fn(*v), dtype=float)))) for v in vectors
    )


def check_activation_derivatives(
    names: str | Sequence[str] | None = None, points: ArrayLike | None = None
) -> dict[str, float]:
    """Compare each activation's hand-written derivative with SymPy's.

    For every elementwise activation, differentiate :func:`symbolic_activation`
    symbolically and evaluate both ``act.derivative(Z, act(Z))`` and the
    symbolic result at ``points`` (default ``-5, -4.9, …, 5``; ``z = 0`` is left
    out for the piecewise ones, whose derivative jumps there). Softmax compares
    its ``jacobian(z)`` with SymPy's Jacobian of the softmax of a 3-vector.

    Returns ``{name: max |difference|}``; names are ``"identity"``, ``"sigmoid"``,
    ``"sigmoid(beta=2)"``, ``"tanh"``, ``"relu"``, ``"leaky_relu"``, ``"elu"``,
    ``"softplus"``, ``"gelu"``, ``"exp"`` and ``"softmax"``.
    """
    sympy = _sympy()
    from ..activations import ACTIVATIONS

    if names is None:
        names = list(_ACTIVATION_CASES)
    elif isinstance(names, str):
        names = [names]
    names = [_ALIASES.get(n, n) for n in names]
    unknown = [n for n in names if n not in _ACTIVATION_CASES]
    if unknown:
        raise ValueError(
            f"unknown activation(s) {', '.join(map(repr, unknown))}; valid names are: "
            + ", ".join(_ACTIVATION_CASES)
        )
    if points is None:
        points = np.round(np.linspace(-5.0, 5.0, 101), 12)
    points = np.asarray(points, dtype=np.float64).ravel()
    if points.size == 0 or not np.isfinite(points).all():
        raise ValueError("points must be a non-empty array of finite numbers")

    z = sympy.Symbol("z", real=True)
    differences: dict[str, float] = {}
    for name in names:
        key, params, piecewise = _ACTIVATION_CASES[name]
        act = ACTIVATIONS[key](**params)
        if key == "softmax":
            differences[name] = _softmax_difference(act)
            continue
        Z = points[points != 0] if piecewise else points
        if Z.size == 0:
            raise ValueError(f"no points left for {name} once z = 0 is removed")
        Z = Z.reshape(1, -1)
        symbolic = sympy.diff(symbolic_activation(key, z, **params), z)
        expected = np.broadcast_to(
            sympy.lambdify(z, symbolic, modules=["scipy", "numpy"])(Z), Z.shape
        ).astype(float)
        differences[name] = float(np.max(np.abs(act.derivative(Z, act(Z)) - expected)))
    return differences


def assert_activation_derivatives(
    names: str | Sequence[str] | None = None, points: ArrayLike | None = None, tol: float = 1e-10
) -> dict[str, float]:
    """Run :func:`check_activation_derivatives` and raise ``AssertionError`` if any
    difference reaches ``tol``; returns the differences otherwise."""
    differences = check_activation_derivatives(names, points)
    bad = {n: d for n, d in differences.items() if not d < tol}
    if bad:
        raise AssertionError(
            "hand-written derivative differs from SymPy's: "
            + ", ".join(f"{n}: {d:.3g}" for n, d in bad.items())
            + f" (tolerance {tol:g})"
        )
    return differences
