"""Formulas as data: a whitelist parser from text to SymPy expressions.

A user's formula such as ``"x**3 - 3*x"`` or ``"sigmoid(w*x + b)"`` is read by
Python's :mod:`ast` module and rebuilt node by node from a short list of
allowed pieces; nothing the user typed is ever handed to ``eval``,
``sympify`` or ``parse_expr``::

    >>> from glassnet.glass.expressions import parse
    >>> parse("x^2/2 + 0.1*x")
    x**2/2 + x/10

The grammar:

- numbers: integers and decimals up to ``10**6`` in magnitude. A decimal
  becomes the exact fraction of its shortest spelling (``0.1`` → ``1/10``),
  so results stay exact and readable (``0.5*x**2`` differentiates to ``x``);
- the constants ``pi`` and ``e`` (``E`` too);
- variables: ASCII names ``[A-Za-z][A-Za-z0-9_]{0,15}``, at most 10 distinct
  (or only the ``variables`` a caller allows);
- ``+ - * /``, powers ``**`` (``^`` means the same), unary ``+ -``, parentheses;
- calls of the functions in :data:`FUNCTIONS`, one argument each.

Sizes are bounded so that no formula can hang: at most 1,000 characters, 1,000
syntax-tree nodes and 50 levels of nesting (a long sum or product counts as
one level); a variable's power at most ±100; a constant power only when its
exact value has at most about 300 digits (``10**10**10`` is refused before
anything is computed); every constant within ``±1e300``. Each piece is checked as it is built: a constant that is
undefined, infinite or complex (``1/0``, ``log(0)``, ``sqrt(-1)``,
``(-8)**(1/3)``) is an error naming that piece. The checks of constants use a
floating-point shadow value computed beside the exact SymPy one, so they
cost microseconds and never ask SymPy to evaluate anything big.

``abs`` and ``relu`` are refused on purpose: their derivative jumps at 0, and
SymPy's derivative of them (``sign``, ``Heaviside``, then ``DiracDelta``) is not
something the second-derivative test or a NumPy gradient can use; ``softplus``
is the smooth relu.

SymPy is imported when a formula is parsed, not when this module is imported.
"""

from __future__ import annotations

import ast
import math
import numbers
import operator
import re
import warnings
from collections.abc import Callable, Sequence
from types import ModuleType
from typing import TYPE_CHECKING, TypeAlias

if TYPE_CHECKING:
    from sympy import Expr, Rational

ExpressionLike: TypeAlias = "str | Expr | float"
"""A formula: its text, a SymPy expression, or a number."""
Shadowed: TypeAlias = "tuple[Expr, float | None]"
"""A piece of a formula and, when it holds no variable, its value as a float."""

MAX_LENGTH = 1000  # characters of a formula
MAX_NODES = 1000  # nodes of its syntax tree
MAX_DEPTH = 50  # levels of nesting in the syntax tree
MAX_VARIABLES = 10  # distinct variables
MAX_LITERAL = 10**6  # largest number written out
MAX_EXPONENT = 100  # largest |p| in x**p when x holds a variable
MAX_DIGITS = 300  # a constant power's exact value: at most ~10**±300
MAX_MAGNITUDE = 1e300  # every constant value
QUOTE = 60  # characters of the formula an error message shows

VARIABLE_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,15}")


class ExpressionError(ValueError):
    """A formula outside the grammar, or too large or too hard to compute; the message is one short line."""


def _stable_sigmoid(v: float) -> float:
    return 1 / (1 + math.exp(-v)) if v >= 0 else math.exp(v) / (1 + math.exp(v))


def _stable_softplus(v: float) -> float:
    return max(v, 0.0) + math.log1p(math.exp(-abs(v)))


# name -> (SymPy function, or a builder taking the sympy module and the argument;
#          its float shadow; the argument's domain when it is limited)
FUNCTIONS: dict[
    str, tuple[str | Callable[[ModuleType, Expr], Expr], Callable[[float], float], str | None]
] = {
    "sin": ("sin", math.sin, None),
    "cos": ("cos", math.cos, None),
    "tan": ("tan", math.tan, None),
    "asin": ("asin", math.asin, "in [-1, 1]"),
    "acos": ("acos", math.acos, "in [-1, 1]"),
    "atan": ("atan", math.atan, None),
    "sinh": ("sinh", math.sinh, None),
    "cosh": ("cosh", math.cosh, None),
    "tanh": ("tanh", math.tanh, None),
    "asinh": ("asinh", math.asinh, None),
    "acosh": ("acosh", math.acosh, ">= 1"),
    "atanh": ("atanh", math.atanh, "in (-1, 1)"),
    "exp": ("exp", math.exp, None),
    "log": ("log", math.log, "> 0"),  # natural logarithm
    "ln": ("log", math.log, "> 0"),
    "sqrt": ("sqrt", math.sqrt, ">= 0"),
    "sigmoid": (lambda sp, z: 1 / (1 + sp.exp(-z)), _stable_sigmoid, None),  # σ(z) = 1/(1 + e⁻ᶻ)
    "softplus": (lambda sp, z: sp.log(1 + sp.exp(z)), _stable_softplus, None),  # log(1 + eᶻ)
}

CONSTANTS = {"pi": ("pi", math.pi), "e": ("E", math.e), "E": ("E", math.e)}

_REFUSED_NAMES = {
    "I": "is SymPy's imaginary unit; formulas are real",
    "oo": "is SymPy's infinity; formulas are finite",
    "zoo": "is SymPy's complex infinity; formulas are finite",
    "nan": "is 'not a number'; formulas are finite",
    "inf": "is infinity; formulas are finite",
    "infinity": "is infinity; formulas are finite",
}
_KINKED = "its derivative jumps at 0, which a gradient cannot use; try softplus, a smooth relu"
_REFUSED_FUNCTIONS = {"abs": _KINKED, "Abs": _KINKED, "relu": _KINKED}

_OPERATORS = (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Pow)
_GROUPS = {ast.Add: "sum", ast.Sub: "sum", ast.Mult: "product", ast.Div: "product"}
_ARITHMETIC = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
}
_PIECES = {  # what a refused node is called in an error message
    ast.Attribute: "attribute access",
    ast.Subscript: "indexing",
    ast.Lambda: "a lambda",
    ast.ListComp: "a comprehension",
    ast.SetComp: "a comprehension",
    ast.DictComp: "a comprehension",
    ast.GeneratorExp: "a comprehension",
    ast.Compare: "a comparison",
    ast.BoolOp: "and/or",
    ast.IfExp: "if/else",
    ast.List: "a list",
    ast.Tuple: "a tuple",
    ast.Set: "a set",
    ast.Dict: "a dict",
    ast.JoinedStr: "a string",
    ast.NamedExpr: "assignment (:=)",
    ast.Starred: "unpacking (*)",
    ast.Await: "await",
    ast.Slice: "a slice",
}


def _quote(text: str, limit: int = QUOTE) -> str:
    """``text`` in quotes, cut to ``limit`` characters, so an error stays one short line."""
    return repr(text if len(text) <= limit else text[: limit - 3] + "...")


class _Reader:
    """Rebuild one formula's syntax tree as a SymPy expression, checking each piece.

    Every ``build_*`` method returns ``(expression, shadow)``: the exact SymPy
    expression and, when it holds no variable, its value as a float (else ``None``).
    """

    def __init__(self, sympy: ModuleType, source: str, variables: Sequence[str] | None, text: str) -> None:
        self.sp = sympy
        self.source = source  # the formula with ^ turned into **
        self.text = text  # as the user wrote it, for messages
        self.allowed = None if variables is None else tuple(variables)
        self.seen: dict[str, Expr] = {}
        self.nodes = 0

    def fail(self, reason: str) -> ExpressionError:
        room = max(20, min(QUOTE, 170 - len(reason)))  # the whole message stays under 200 characters
        return ExpressionError(f"cannot parse {_quote(self.text, room)}: {reason}")

    def piece(self, node: ast.AST) -> str:
        return _quote(ast.get_source_segment(self.source, node) or type(node).__name__, 40)

    def count(self) -> None:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise self.fail(f"the formula has more than {MAX_NODES} parts")

    def build(self, node: ast.AST, depth: int = 0) -> Shadowed:
        self.count()
        if depth > MAX_DEPTH:
            raise self.fail(f"the formula is nested more than {MAX_DEPTH} levels deep")
        method = getattr(self, f"build_{type(node).__name__}", None)
        if method is None:
            what = _PIECES.get(type(node), type(node).__name__)
            raise self.fail(f"{what} is not allowed in a formula ({self.piece(node)})")
        expr, shadow = method(node, depth + 1)
        return self.checked(node, expr, shadow)

    def checked(self, node: ast.AST, expr: Expr, shadow: float | None) -> Shadowed:
        """Refuse a piece whose value is not a finite real number, or a runaway power."""
        sp = self.sp
        if shadow is not None and expr.is_Rational:
            shadow = _float(expr)  # exact values decide, not rounded ones
        if shadow is not None and not abs(shadow) <= MAX_MAGNITUDE:
            raise self.fail(f"{self.piece(node)} is too large (constants stay within 1e300)")
        for atom, what in (
            (sp.zoo, "infinite or undefined"),
            (sp.oo, "infinite"),
            (-sp.oo, "infinite"),
            (sp.nan, "undefined"),
            (sp.I, "complex"),
        ):
            if expr.has(atom):
                raise self.fail(f"{self.piece(node)} is {what}")
        for power in expr.atoms(sp.Pow):
            if power.base.free_symbols and power.exp.is_Number and abs(power.exp) > MAX_EXPONENT:
                raise self.fail(
                    f"{self.piece(node)} makes the power {_quote(str(power), 30)}; "
                    f"a variable's power is limited to ±{MAX_EXPONENT}"
                )
        return expr, shadow

    def build_Expression(self, node: ast.Expression, depth: int) -> Shadowed:
        return self.build(node.body, depth)

    def build_Constant(self, node: ast.Constant, depth: int) -> Shadowed:
        value = node.value
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            what = {str: "a string", complex: "a complex number", bytes: "bytes"}.get(type(value))
            raise self.fail(f"{what or _quote(repr(value), 20)} is not allowed in a formula")
        if not abs(value) <= MAX_LITERAL:
            raise self.fail(
                f"the number {self.piece(node)} is too large: write numbers up to "
                "10**6 (larger ones as powers, such as 10**8)"
            )
        if isinstance(value, int):
            return self.sp.Integer(value), float(value)
        return self.sp.Rational(repr(value)), value  # the shortest spelling: 0.1 -> 1/10

    def build_Name(self, node: ast.Name, depth: int) -> Shadowed:
        name = node.id
        if name in CONSTANTS:
            attribute, shadow = CONSTANTS[name]
            return getattr(self.sp, attribute), shadow
        if name in FUNCTIONS or name in _REFUSED_FUNCTIONS:
            raise self.fail(f"{name} is a function: call it as {name}(x)")
        if name in _REFUSED_NAMES:
            raise self.fail(f"{name} {_REFUSED_NAMES[name]}")
        if not VARIABLE_NAME.fullmatch(name):
            raise self.fail(
                f"{_quote(name, 30)} is not a variable name (a letter, then up to 15 letters, digits or _)"
            )
        if self.allowed is not None and name not in self.allowed:
            raise self.fail(f"unknown name {_quote(name, 30)}; the variables are {', '.join(self.allowed)}")
        if name not in self.seen:
            if len(self.seen) == MAX_VARIABLES:
                raise self.fail(f"more than {MAX_VARIABLES} variables")
            self.seen[name] = self.sp.Symbol(name)
        return self.seen[name], None

    def build_UnaryOp(self, node: ast.UnaryOp, depth: int) -> Shadowed:
        if not isinstance(node.op, (ast.UAdd, ast.USub)):
            raise self.fail(f"the operator in {self.piece(node)} is not allowed (only + - * / **)")
        expr, shadow = self.build(node.operand, depth)
        if isinstance(node.op, ast.UAdd):
            return expr, shadow
        return -expr, None if shadow is None else -shadow

    def build_BinOp(self, node: ast.BinOp, depth: int) -> Shadowed:
        """``a + b``, ``a - b``, ``a * b``, ``a / b`` or ``a ** b``.

        A long sum or product such as ``x + x**2 + … + x**60`` is a chain of
        left children in the tree; it is walked in a loop and counts as one level
        of nesting, so only real nesting meets the depth limit.
        """
        if not isinstance(node.op, _OPERATORS):
            raise self.fail(f"the operator in {self.piece(node)} is not allowed (only + - * / **)")
        if isinstance(node.op, ast.Pow):
            return self.power(node, *self.build(node.left, depth), *self.build(node.right, depth))
        group = _GROUPS[type(node.op)]
        chain = [node]
        while isinstance(chain[-1].left, ast.BinOp) and _GROUPS.get(type(chain[-1].left.op)) == group:
            chain.append(chain[-1].left)
            self.count()
        a, u = self.build(chain[-1].left, depth)
        for link in reversed(chain):
            a, u = self.checked(link, *self.arithmetic(link, a, u, *self.build(link.right, depth)))
        return a, u

    def arithmetic(self, node: ast.BinOp, a: Expr, u: float | None, b: Expr, v: float | None) -> Shadowed:
        """One ``+ - * /`` on the expressions and on their shadows (``None`` unless both are constant)."""
        if isinstance(node.op, ast.Div) and v == 0:
            raise self.fail(f"{self.piece(node)} divides by zero")
        op = _ARITHMETIC[type(node.op)]
        return op(a, b), None if u is None or v is None else op(u, v)

    def power(
        self, node: ast.BinOp, base: Expr, b: float | None, exponent: Expr, p: float | None
    ) -> Shadowed:
        """``base**exponent``, refused before SymPy computes it when it would be huge."""
        if p is not None and b is None and abs(p) > MAX_EXPONENT:
            raise self.fail(f"{self.piece(node)}: a variable's power is limited to ±{MAX_EXPONENT}")
        if p is None or b is None:
            return base**exponent, None
        if b == 0:
            if p < 0:
                raise self.fail(f"{self.piece(node)} divides by zero")
            return base**exponent, 0.0**p
        digits = [abs(math.log10(abs(b)))] + [_digits(r) for r in base.atoms(self.sp.Rational)]
        if abs(p) * max(digits) > MAX_DIGITS:
            raise self.fail(
                f"{self.piece(node)} is too large to compute (a constant power is limited "
                f"to about {MAX_DIGITS} digits)"
            )
        if b < 0 and not exponent.is_integer:
            raise self.fail(f"{self.piece(node)} is complex: a negative number to a fractional power")
        try:
            shadow = b**p
        except OverflowError:
            raise self.fail(f"{self.piece(node)} is too large (constants stay within 1e300)") from None
        if not exponent.is_integer and not _exact_root_is_cheap(base, exponent):
            # SymPy would look for exact roots of huge integers (gigabytes, for
            # (6.7e-96)**(6.7e-96)): the value as a float is what anyone needs here.
            return self.sp.Float(shadow, 15), shadow
        return base**exponent, shadow

    def build_Call(self, node: ast.Call, depth: int) -> Shadowed:
        name = node.func.id if isinstance(node.func, ast.Name) else None
        if name is None:
            raise self.fail(f"only the table's functions can be called ({self.piece(node)})")
        if name in _REFUSED_FUNCTIONS:
            raise self.fail(f"{name} is not supported: {_REFUSED_FUNCTIONS[name]}")
        if name not in FUNCTIONS:
            raise self.fail(f"unknown function {_quote(name, 20)}; known: " + " ".join(FUNCTIONS))
        if node.keywords or len(node.args) != 1 or isinstance(node.args[0], ast.Starred):
            raise self.fail(f"{name} takes one argument, as in {name}(x)")
        builder, shadow_of, domain = FUNCTIONS[name]
        arg, v = self.build(node.args[0], depth)
        expr = getattr(self.sp, builder)(arg) if isinstance(builder, str) else builder(self.sp, arg)
        if v is None:
            return expr, None
        try:
            return expr, shadow_of(v)
        except OverflowError:
            raise self.fail(f"{self.piece(node)} is too large (constants stay within 1e300)") from None
        except ValueError:  # math domain error
            raise self.fail(
                f"{self.piece(node)} is not a real number: {name} needs an argument {domain}"
            ) from None


def _float(rational: Rational) -> float:
    """A SymPy Rational as a float, ``inf`` when it is beyond the float range."""
    try:
        return float(rational)
    except OverflowError:
        return math.inf


MAX_ROOT_DIGITS = 40  # a constant to a fractional power stays exact with numbers this short ...
MAX_ROOT_DEPTH = 12  # ... or, with longer ones, for a root no deeper than this


def _exact_root_is_cheap(base: Expr, exponent: Expr) -> bool:
    """Whether SymPy may compute ``base**exponent`` (both constant) exactly.

    SymPy's exact roots of a long rational grow with its digits times the root's
    depth: ``(6.8e-96)**(6.8e-96)`` (a 112-digit rational to a power with a
    111-digit denominator) took gigabytes. Short numbers, shallow roots and
    irrational exponents (``pi/2``) stay exact; the rest becomes a float.
    """
    if not exponent.is_Rational:
        return True
    digits = max((len(str(abs(r.p))) + len(str(r.q)) for r in base.atoms(type(exponent))), default=0)
    return digits <= MAX_ROOT_DIGITS or exponent.q <= MAX_ROOT_DEPTH


def _digits(rational: Rational) -> float:
    """About how many decimal digits the larger of a Rational's numerator and denominator has."""
    return math.log10(max(abs(rational.p), rational.q))


def parse(expr: ExpressionLike, variables: Sequence[str] | None = None) -> Expr:
    """A SymPy expression from a formula such as ``"x**3 - 3*x"`` (or pass one through).

    Parameters
    ----------
    expr : str or sympy.Expr or number
        The formula. A SymPy expression (the caller's own object) and a finite
        number are returned as SymPy objects unchanged.
    variables : sequence of str, optional
        The only names allowed as variables (``("x", "y")`` for the
        playground); by default any name that is not a function or constant.

    Returns
    -------
    sympy.Expr

    Raises
    ------
    ExpressionError
        A ``ValueError`` with a one-line message naming the offending piece,
        for anything outside the grammar of the module docstring.
    """
    import sympy

    if isinstance(expr, sympy.Basic):
        if not isinstance(expr, sympy.Expr):
            raise ExpressionError(f"expected a mathematical expression, got {_quote(str(expr))}")
        return expr
    if isinstance(expr, numbers.Number) and not isinstance(expr, bool):
        number = sympy.sympify(expr, strict=True)
        if not number.is_finite:
            raise ExpressionError(f"the expression must be finite, got {expr!r}")
        return number
    if not isinstance(expr, str):
        raise ExpressionError(
            f"expected an expression string such as 'x**2 + 3*y**2', got {_quote(repr(expr))}"
        )
    text = expr.strip()
    if not text:
        raise ExpressionError("the expression is empty")
    if len(text) > MAX_LENGTH:
        raise ExpressionError(
            f"cannot parse a formula of {len(text):,} characters: the limit is {MAX_LENGTH:,}"
        )
    if "__" in text:
        raise ExpressionError(f"cannot parse {_quote(text)}: '__' is not allowed in an expression")
    from . import _sympy_worker

    allowed = None if variables is None else tuple(variables)
    if _sympy_worker.in_child():
        return _read(text, allowed)
    # SymPy builds the expression in its helper process, stopped after a few seconds: even
    # a formula within every bound can ask SymPy's assumptions a question it takes hours to
    # answer (is asin(33325**(3e-256)) an integer?), and no thread can be interrupted.
    return _sympy_worker.run(_read, (text, allowed), "read the formula")


def _read(text: str, variables: Sequence[str] | None) -> Expr:
    """The SymPy expression of a formula, built by :class:`_Reader` from Python's syntax tree."""
    import sympy

    source = text.replace("^", "**")
    reader = _Reader(sympy, source, variables, text)
    try:
        with warnings.catch_warnings():  # "invalid decimal literal" and the like: the error says it
            warnings.simplefilter("ignore")
            tree = ast.parse(source, mode="eval")
    except SyntaxError as exc:
        raise reader.fail((exc.msg or "invalid syntax")[:80]) from None
    except (ValueError, RecursionError, MemoryError):
        raise reader.fail("it is not a formula") from None
    return reader.build(tree)[0]
