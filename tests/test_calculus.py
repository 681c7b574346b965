"""Calculus helpers: derivatives, the second-derivative test, and the activations checked by SymPy."""

import subprocess
import sys
import threading
import time
import warnings

import numpy as np
import pytest
import sympy

from glassnet.glass import calculus
from glassnet.glass.calculus import CriticalPoint

x, y = sympy.symbols("x y")


def test_importing_calculus_does_not_import_sympy():
    code = "import sys, glassnet.calculus, glassnet.descent; print('sympy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# --- derivatives --------------------------------------------------------------


def test_derivative_of_cubic():
    d = calculus.derivative("x**3 - 3*x")
    assert sympy.simplify(d - (3 * x**2 - 3)) == 0
    assert calculus.derivative("x**3 - 3*x", order=2) == 6 * x


def test_derivative_accepts_sympy_expressions_and_caret_power():
    assert calculus.derivative(x**4, "x") == 4 * x**3
    assert calculus.derivative("x^2") == 2 * x
    assert calculus.derivative("5") == 0


def test_derivative_needs_var_when_several_variables():
    with pytest.raises(ValueError, match="several variables"):
        calculus.derivative("x*y")
    assert calculus.derivative("x**2*y", "y") == x**2
    with pytest.raises(ValueError, match="order"):
        calculus.derivative("x**2", order=0)


def test_partial_gradient_hessian():
    f = "x**2 + 3*y**2"
    assert calculus.partial(f, "y") == 6 * y
    assert calculus.gradient(f) == [2 * x, 6 * y]
    assert calculus.gradient(f, ["y", "x"]) == [6 * y, 2 * x]
    assert calculus.hessian(f) == sympy.Matrix([[2, 0], [0, 6]])
    assert calculus.hessian("x**2*y") == sympy.Matrix([[2 * y, 2 * x], [2 * x, 0]])


def test_lambdify_is_a_numpy_function():
    fn = calculus.lambdify("x**2 + 3*y**2")
    np.testing.assert_allclose(fn(np.array([1.0, 2.0]), np.array([0.0, 1.0])), [1.0, 7.0])
    grad = calculus.lambdify(calculus.gradient("x**2 + 3*y**2"), [x, y])
    assert grad(1.0, 2.0) == [2.0, 12.0]


# --- parsing is safe and its errors are clear ---------------------------------


@pytest.mark.parametrize("text", ["x +* 2", "(x", "x**", "", "   ", "sin", "x = 2", "'x'", "x; y"])
def test_parse_errors_are_value_errors(text):
    with pytest.raises(ValueError, match="cannot parse|empty"):
        calculus.derivative(text, "x")


@pytest.mark.parametrize(
    "text",
    [
        "__import__('os').system('echo hacked')",
        "x.__class__",
        "x.evalf()",
        "import os",
        "exec(x)",
        "eval(x)",
        "getattr(x, y)",
        "lambda: 1",
    ],
)
def test_code_injection_is_rejected(text):
    with pytest.raises(ValueError):
        calculus.parse(text)


def test_underscore_underscore_is_rejected_with_a_clear_message():
    with pytest.raises(ValueError, match="'__' is not allowed"):
        calculus.parse("__import__('os')")


# --- critical points ---------------------------------------------------------


def test_critical_points_of_cubic():
    points = calculus.critical_points("x**3 - 3*x")
    assert [p.point for p in points] == [{"x": -1}, {"x": 1}]
    assert [p.kind for p in points] == ["maximum", "minimum"]
    assert [p.value for p in points] == [2, -2]
    assert [p.r for p in points] == [-6, 6]  # f'' = 6x
    assert all(p.s is None and p.t is None and p.D is None for p in points)


def test_saddle():
    (p,) = calculus.critical_points("x**2 - y**2")
    assert p == CriticalPoint(point={"x": 0, "y": 0}, value=0, kind="saddle", r=2, s=0, t=-2, D=-4)


def test_minimum_of_elliptic_paraboloid():
    (p,) = calculus.critical_points("x**2 + 3*y**2")
    assert p.point == {"x": 0, "y": 0}
    assert p.kind == "minimum"
    assert (p.r, p.s, p.t, p.D) == (2, 0, 6, 12)  # D = rt - s^2 = 2*6 - 0


def test_maximum_and_mixed_term():
    # f = -x^2 - y^2 + x*y: r = -2, s = 1, t = -2, D = 4 - 1 = 3 > 0 and r < 0
    (p,) = calculus.critical_points("-x**2 - y**2 + x*y")
    assert (p.kind, p.r, p.s, p.t, p.D) == ("maximum", -2, 1, -2, 3)


def test_two_variable_points_are_sorted_and_classified():
    points = calculus.critical_points("x**3 - 3*x + y**2")
    assert [(p.point, p.kind, p.D) for p in points] == [
        ({"x": -1, "y": 0}, "saddle", -12),
        ({"x": 1, "y": 0}, "minimum", 12),
    ]


def test_inconclusive_and_no_real_points():
    (p,) = calculus.critical_points("x**4")
    assert p.kind == "inconclusive" and p.r == 0
    (q,) = calculus.critical_points("x**4 + y**4")
    assert q.kind == "inconclusive" and q.D == 0
    assert calculus.critical_points("x**3 + 3*x") == []  # f' = 3x^2 + 3 has no real roots
    assert "minimum at (x = 1)" in str(calculus.critical_points("x**3 - 3*x")[1])


def test_critical_points_outside_the_real_domain_are_not_reported():
    # f' = 1/x + 1 = 0 at x = -1, but log(-1) = iπ: no point of the real function
    assert calculus.critical_points("log(x) + x") == []
    assert calculus.critical_points("log(x) + y**2 + x") == []
    (p,) = calculus.critical_points("log(x) - x")  # x = 1 is inside the domain
    assert (p.point, p.value, p.kind) == ({"x": 1}, -1, "maximum")
    (q,) = calculus.critical_points("log(x) + log(y) - x - y")
    assert (q.point, q.value, q.kind) == ({"x": 1, "y": 1}, -2, "maximum")


def test_an_infinite_second_derivative_is_inconclusive():
    # f' = (4/3) x^(1/3) = 0 at x = 0, where f'' = (4/9) x^(-2/3) is infinite
    (p,) = calculus.critical_points("x**(4/3)")
    assert (p.point, p.value, p.kind, p.r) == ({"x": 0}, 0, "inconclusive", sympy.zoo)
    (q,) = calculus.critical_points("x**(4/3) + y**2")
    assert (q.point, q.kind, q.t) == ({"x": 0, "y": 0}, "inconclusive", 2)


def test_critical_points_rejects_three_variables_and_constants():
    with pytest.raises(ValueError, match="one or two variables"):
        calculus.critical_points("x**2 + y**2 + z**2")
    with pytest.raises(ValueError, match="no variables"):
        calculus.critical_points("7")
    with pytest.raises(ValueError, match="not isolated"):
        calculus.critical_points("(x - y)**2")


# --- the activations' hand-written derivatives against SymPy -----------------

ELEMENTWISE = [
    "identity",
    "sigmoid",
    "sigmoid(beta=2)",
    "tanh",
    "relu",
    "leaky_relu",
    "elu",
    "softplus",
    "gelu",
    "exp",
]


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_activation_derivative_matches_sympy(name):
    (difference,) = calculus.check_activation_derivatives([name]).values()
    assert difference < 1e-10


def test_softmax_jacobian_matches_sympy():
    assert calculus.check_activation_derivatives(["softmax"])["softmax"] < 1e-10


def test_assert_activation_derivatives_covers_all():
    differences = calculus.assert_activation_derivatives(tol=1e-10)
    assert set(differences) == set(ELEMENTWISE) | {"softmax"}


def test_symbolic_definitions_are_the_textbook_ones():
    z = sympy.Symbol("z", real=True)
    assert sympy.diff(calculus.symbolic_activation("sigmoid", z), z).equals(
        calculus.symbolic_activation("sigmoid", z) * (1 - calculus.symbolic_activation("sigmoid", z))
    )
    assert calculus.symbolic_activation("leaky_relu", z).subs(z, -2) == sympy.Rational(-2, 100)


def test_symbolic_activation_checks_its_parameters_as_the_numeric_ones_do():
    z = sympy.Symbol("z", real=True)
    assert calculus.symbolic_activation("sigmoid", z, beta=2) == 1 / (1 + sympy.exp(-2 * z))
    with pytest.raises(ValueError, match="sigmoid steepness beta must be a positive number, got -1"):
        calculus.symbolic_activation("sigmoid", beta=-1)
    with pytest.raises(ValueError, match="elu alpha must be a positive number, got 0"):
        calculus.symbolic_activation("elu", alpha=0)
    with pytest.raises(ValueError, match="leaky_relu slope alpha must be a non-negative number, got nan"):
        calculus.symbolic_activation("leaky_relu", alpha=float("nan"))
    with pytest.raises(ValueError, match="sigmoid parameter beta must be a number, got '2'"):
        calculus.symbolic_activation("sigmoid", beta="2")
    with pytest.raises(ValueError, match="sigmoid has no parameter 'alpha'; its parameters are: beta"):
        calculus.symbolic_activation("sigmoid", alpha=2)
    with pytest.raises(ValueError, match="tanh has no parameter 'beta'; it takes none"):
        calculus.symbolic_activation("tanh", beta=2)


def test_check_detects_a_wrong_derivative(monkeypatch):
    from glassnet.activations import Tanh

    monkeypatch.setattr(Tanh, "derivative", lambda self, Z, A: 1 - A)  # forgot the square
    with pytest.raises(AssertionError, match="tanh"):
        calculus.assert_activation_derivatives(["tanh"])


def test_check_rejects_unknown_names():
    with pytest.raises(ValueError, match="valid names"):
        calculus.check_activation_derivatives(["swish"])


# --- SymPy's work runs in a helper process with a time limit --------------------

HARD_SYSTEM = "x**3*y**4 + 2*x**5*y - 3*y**6 + x**2 - y"  # sympy.solve runs for minutes


def test_a_solve_that_takes_too_long_is_stopped_and_the_next_call_works():
    calculus.derivative("x**2")  # the helper process is running before the clock starts
    start = time.perf_counter()
    with pytest.raises(
        ValueError, match=r"SymPy could not solve ∇f = 0 for '2\*x\*\*5\*y \+ x\*\*3\*y\*\*4 .*' within 1 s"
    ):
        calculus.critical_points(HARD_SYSTEM, timeout=1)
    assert time.perf_counter() - start < 5  # about hanging, not speed: the limit is 1 s
    assert [p.point for p in calculus.critical_points("x**3 - 3*x")] == [{"x": -1}, {"x": 1}]


def test_a_derivative_that_grows_too_large_is_refused():
    product = "*".join(f"sin(x + {k})" for k in range(34))  # f'' has 34² products of 34 factors
    assert len(calculus.derivative(product).args) == 34  # the product rule: 34 terms
    with pytest.raises(ValueError, match="the derivative is too large to show"):
        calculus.derivative(product, order=2, timeout=60)  # f'' takes about 1.5 s to grow too large
    with pytest.raises(ValueError, match="order must be an integer from 1 to 20"):
        calculus.derivative("x**3", order=21)


def test_the_helper_answers_calls_from_another_thread():
    answers = []
    thread = threading.Thread(target=lambda: answers.append(calculus.critical_points("x**2 - 2*x")))
    thread.start()
    thread.join(timeout=60)
    assert [(p.point, p.kind) for p in answers[0]] == [({"x": 1}, "minimum")]


def test_critical_points_of_a_polynomial_of_high_degree_are_found():
    # sympy.solve returns [] for this f' of degree 59, which has a real root (odd degree)
    (p,) = calculus.critical_points("x**60 + x**59 + 3*x + 1")
    assert p.kind == "minimum"
    root = float(p.point["x"])
    assert root == pytest.approx(-1.0105, abs=1e-4)
    assert abs(60 * root**59 + 59 * root**58 + 3) < 1e-9  # f'(root) = 0
    assert calculus.critical_points("x**5 - 5*x + 1")[0].point == {"x": -1}


def test_hessian_is_symmetric_and_computed_once_per_pair():
    assert calculus.hessian("x**3*y + sin(x*y)", ["x", "y"]) == sympy.hessian(
        x**3 * y + sympy.sin(x * y), [x, y]
    )


# --- numeric_function: a formula evaluated on NumPy arrays ----------------------


def test_numeric_function_evaluates_on_grids():
    f, grad = calculus.numeric_function("x**2 + 3*y**2", ("x", "y"))
    X, Y = np.meshgrid([-1.0, 0.0, 2.0], [1.0, 3.0])
    np.testing.assert_array_equal(f(X, Y), X**2 + 3 * Y**2)
    G = grad(X, Y)
    assert G.shape == (2, 2, 3)
    np.testing.assert_array_equal(G[0], 2 * X)
    np.testing.assert_array_equal(G[1], 6 * Y)
    assert f(1.0, 2.0) == 13.0 and grad(1.0, 2.0).tolist() == [2.0, 12.0]


def test_numeric_function_is_nan_outside_the_domain_without_warnings():
    f, grad = calculus.numeric_function("log(x) + sqrt(y)", ("x", "y"))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        values = f(np.array([-1.0, 1.0, 0.0]), np.array([1.0, -4.0, 1.0]))
        slopes = grad(np.array([-1.0, 2.0]), np.array([-4.0, 4.0]))  # [1/x, 1/(2 sqrt(y))]
    assert np.isnan(values[0]) and np.isnan(values[1]) and values[2] == -np.inf
    assert slopes[0].tolist() == [-1.0, 0.5]
    assert np.isnan(slopes[1, 0]) and slopes[1, 1] == 0.25


def test_numeric_function_of_a_constant_and_its_errors():
    f, grad = calculus.numeric_function("7", ("x", "y"))
    grid = np.zeros((2, 3))
    np.testing.assert_array_equal(f(grid, grid), np.full((2, 3), 7.0))
    np.testing.assert_array_equal(grad(grid, grid), np.zeros((2, 2, 3)))
    with pytest.raises(ValueError, match=r"expected 2 argument\(s\) \(x, y\), got 1"):
        f(grid)
    with pytest.raises(ValueError, match="unknown name 'z'; the variables are x, y"):
        calculus.numeric_function("x + z", ("x", "y"))
    with pytest.raises(ValueError, match="not listed in variables: y"):
        calculus.numeric_function(x + y, ("x",))


def test_an_undefined_derivative_is_an_error_not_nan():
    # d/dx 0**x printed "= nan" and exited 0.
    with pytest.raises(ValueError, match=r"the derivative of '0\*\*x' is undefined: SymPy gives nan"):
        calculus.derivative("0**x")
    assert str(calculus.derivative("sqrt(x)")) == "1/(2*sqrt(x))"
