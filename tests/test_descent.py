"""Gradient descent on functions and expressions; the exponentially weighted moving average."""

import numpy as np
import pytest

from glassnet.glass.descent import EWMA, DescentResult, descend, ewma

# --- gradient descent ----------------------------------------------------------


def test_hand_worked_path_on_x_squared():
    # f = x^2, f' = 2x, so x <- x - 0.2 * 2x = 0.6 x: 4, 2.4, 1.44, 0.864, ...
    result = descend("x**2", 4.0, lr=0.2, tol=1e-3)
    np.testing.assert_allclose(result.path[:4, 0], [4.0, 2.4, 1.44, 0.864], rtol=0, atol=1e-12)
    np.testing.assert_allclose(result.values[:3], [16.0, 5.76, 2.0736], rtol=1e-12)
    np.testing.assert_allclose(result.grad_norms[:3], [8.0, 4.8, 2.88], rtol=1e-12)
    assert result.variables == ("x",)
    assert isinstance(result, DescentResult)


def test_stops_after_the_step_whose_gradient_is_below_tol():
    # As texts write the loop: compute f'(x), step, then test the f'(x) the step used.
    tol = 1e-3
    result = descend("x**2", 4.0, lr=0.2, tol=tol)
    assert result.converged and result.reason == "tol"
    # |grad| = 8 * 0.6^k < 1e-3 first at k = 18: the step from x_18 is taken, then it stops
    assert result.grad_norms[-2] < tol <= result.grad_norms[-3]
    assert result.iterations == 19
    assert result.path.shape == (20, 1)
    assert result.values.shape == result.grad_norms.shape == (20,)
    assert result.x.shape == (1,)
    np.testing.assert_allclose(result.x, [4.0 * 0.6**19], rtol=1e-12)


def test_the_seed_tutorials_descent_on_x_squared_and_x2_plus_3y2():
    # x = 4, α = 0.2, stop once f'(x) < 0.01: 15 iterations, x = 0.0019 (the tutorial's table).
    one = descend("x**2", 4.0, lr=0.2, iterations=20, tol=0.01)
    assert one.iterations == 15 and round(float(one.x[0]), 4) == 0.0019
    np.testing.assert_allclose(np.round(one.path[1:6, 0], 4), [2.4, 1.44, 0.864, 0.5184, 0.311])
    two = descend("x**2 + 3*y**2", [4.0, -4.0], lr=0.2, iterations=20, tol=0.01)
    assert two.iterations == 15 and "15 steps" in two.message
    np.testing.assert_allclose(np.round(two.path[1:4], 4), [[2.4, 0.8], [1.44, -0.16], [0.864, 0.032]])
    np.testing.assert_allclose(np.round(two.values[1:4], 4), [7.68, 2.1504, 0.7496])


def test_stops_once_f_is_below_f_tol():
    # "Repeat until f(x_i) < ε": f = x², x ← 0.6 x, f = 16·0.36^k < 1e-4 first at k = 12.
    result = descend("x**2", 4.0, lr=0.2, tol=0, f_tol=1e-4)
    assert result.converged and result.reason == "f_tol" and result.iterations == 12
    assert result.values[-1] < 1e-4 <= result.values[-2]
    assert "f_tol" in result.message
    with pytest.raises(ValueError, match="f_tol"):
        descend("x**2", 4.0, f_tol=float("nan"))


def test_callable_with_explicit_gradient():
    result = descend(lambda x: (x - 3.0) ** 2, 0.0, lr=0.25, grad=lambda x: 2 * (x - 3.0))
    assert result.converged
    assert result.variables is None
    np.testing.assert_allclose(result.path[:3, 0], [0.0, 1.5, 2.25])  # halves the distance to 3
    np.testing.assert_allclose(result.x, [3.0], atol=1e-6)


def test_callable_with_finite_differences_matches_symbolic():
    numeric = descend(lambda v: v[0] ** 2 + 3 * v[1] ** 2, [4.0, -4.0], lr=0.1, iterations=10)
    symbolic = descend("x**2 + 3*y**2", [4.0, -4.0], lr=0.1, iterations=10)
    np.testing.assert_allclose(numeric.path, symbolic.path, rtol=1e-6, atol=1e-8)


def test_two_variable_expression_reaches_the_minimum():
    result = descend("x**2 + 3*y**2", (4, -4), lr=0.1)
    assert result.converged
    assert result.variables == ("x", "y")
    np.testing.assert_allclose(result.x, [0.0, 0.0], atol=1e-6)
    # one step: (x, y) <- (x - 0.1*2x, y - 0.1*6y) = (0.8x, 0.4y)
    np.testing.assert_allclose(result.path[1], [3.2, -1.6])
    assert "converged" in str(result) and "step" in str(result)


def test_stops_after_iterations_without_converging():
    result = descend("x**2", 4.0, lr=0.01, iterations=5)
    assert not result.converged and result.reason == "iterations"
    assert result.iterations == 5 and len(result.path) == 6 == len(result.grad_norms)
    assert "5 steps" in result.message


def test_divergence_is_reported_not_raised():
    result = descend("x**2", 4.0, lr=1.5)  # x <- -2x: grows, never converges
    assert not result.converged
    long_run = descend(lambda x: x**2, 4.0, lr=1.5, iterations=2000)
    assert not long_run.converged
    assert "diverged" in long_run.message
    assert np.isfinite(long_run.path).all() and np.isfinite(long_run.values).all()
    assert long_run.iterations < 2000


def test_leaving_the_domain_stops_with_a_clear_message():
    # f = sqrt(x), f' = 1/(2 sqrt x): x = 1 -> 1 - 0.5 = 0.5 -> 0.5 - 0.7071 = -0.2071, where sqrt is undefined
    result = descend("sqrt(x)", 1.0, lr=1.0)
    np.testing.assert_allclose(result.path[:, 0], [1.0, 0.5])
    assert not result.converged
    assert result.message.startswith("stopped: f is undefined (NaN) at step 2, outside f's domain")
    with pytest.raises(ValueError, match=r"f is undefined \(NaN\) at x0 = -1.0"):
        descend("log(x)", -1.0)


def test_table_functions_descend_with_their_symbolic_gradient():
    # f = softplus(x) - x/2, f' = sigmoid(x) - 1/2 = 0 at x = 0; one step from 2: 2 - 4·(σ(2) - 1/2)
    result = descend("softplus(x) - x/2", 2.0, lr=4.0, tol=1e-10)
    assert result.path[1, 0] == pytest.approx(2 - 4 * (1 / (1 + np.exp(-2.0)) - 0.5), rel=1e-12)
    assert result.converged and abs(result.x[0]) < 1e-9


def test_hostile_text_never_runs(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ValueError, match="unknown function 'sympify'"):
        descend("sympify(chr(95)+chr(95)+'import'+chr(95)+chr(95)+\"('os').system('touch PWNED')\")", 1.0)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"lr": 0}, "lr"),
        ({"lr": -0.1}, "lr"),
        ({"iterations": 0}, "iterations"),
        ({"iterations": 2.5}, "iterations"),
        ({"iterations": -3}, "iterations must be a positive integer, got -3"),
        ({"iterations": 10**12}, r"at most 100,000 \(every step is recorded\), got 1,000,000,000,000"),
        ({"lr": np.nan}, "lr must be a positive number, got nan"),
        ({"lr": np.inf}, "lr must be a positive number, got inf"),
        ({"tol": -1}, "tol"),
        ({"tol": np.nan}, "tol must be a non-negative number, got nan"),
        ({"f_tol": np.nan}, "f_tol must be a finite number, got nan"),
        ({"x0": np.nan}, "finite"),
        ({"x0": [[1.0]]}, "1-D"),
        ({"x0": []}, "empty"),
        ({"x0": [1.0, 2.0]}, "variable"),
        ({"f": 3}, "f must be"),
        ({"grad": 3}, "grad"),
    ],
)
def test_bad_arguments(kwargs, match):
    args = {"f": "x**2", "x0": 1.0, **kwargs}
    with pytest.raises(ValueError, match=match):
        descend(**args)


def test_iterations_and_the_path_are_bounded_before_the_descent_starts():
    from glassnet.glass.descent import MAX_ITERATIONS, MAX_PATH_VALUES

    assert descend("x**2", 1.0, iterations=MAX_ITERATIONS, tol=3).iterations == 1  # the bound is allowed
    with pytest.raises(ValueError, match=f"at most {MAX_ITERATIONS:,}"):
        descend("x**2", 1.0, iterations=MAX_ITERATIONS + 1)
    n = 1000  # 10,000 steps of 1,000 coordinates: more than MAX_PATH_VALUES numbers
    assert 10_001 * n > MAX_PATH_VALUES
    with pytest.raises(
        ValueError, match="path of 10,000 steps in 1,000 variables would hold more than 10,000,000"
    ):
        descend(lambda x: np.sum(x**2), np.zeros(n), iterations=10_000)


# --- EWMA ----------------------------------------------------------------------


def test_ewma_bias_corrected_first_value_is_exact():
    xs = [0.1, 7.3, -2.2, 3.0]
    for x1 in [0.1, 3.7, -123.456, 1 / 3]:
        assert ewma([x1, *xs], 0.999)[0] == x1


def test_ewma_without_correction():
    beta = 0.9
    v = ewma([10.0, 20.0], beta, bias_correction=False)
    assert v[0] == pytest.approx((1 - beta) * 10.0, rel=1e-15)
    assert v[1] == pytest.approx(beta * 1.0 + (1 - beta) * 20.0, rel=1e-15)  # 0.9*1 + 2 = 2.9


def test_ewma_corrected_equals_v_over_one_minus_beta_t():
    rng = np.random.default_rng(0)
    xs = rng.normal(size=50)
    beta = 0.8
    v = ewma(xs, beta, bias_correction=False)
    t = np.arange(1, 51)
    np.testing.assert_allclose(ewma(xs, beta), v / (1 - beta**t), rtol=1e-12)
    np.testing.assert_array_equal(ewma(xs, 0.0), xs)


def test_ewma_class_matches_function():
    xs = [1.0, 4.0, -2.0, 8.0, 0.5]
    for correction in (True, False):
        average = EWMA(0.9, bias_correction=correction)
        steps = [average.update(x) for x in xs]
        np.testing.assert_array_equal(steps, ewma(xs, 0.9, bias_correction=correction))
    assert average.t == 5


def test_ewma_class_works_on_arrays():
    average = EWMA(0.5)
    np.testing.assert_array_equal(average.update(np.array([2.0, 4.0])), [2.0, 4.0])
    np.testing.assert_allclose(average.update(np.array([4.0, 0.0])), [2 + 2 / 1.5, 4 - 4 / 1.5])


@pytest.mark.parametrize(
    "xs, beta, match",
    [
        ([1.0], 1.0, "beta"),
        ([1.0], -0.1, "beta"),
        ([1.0], float("nan"), "beta"),
        ([], 0.9, "empty"),
        ([[1.0, 2.0]], 0.9, "1-D"),
        ([1.0, np.inf], 0.9, "NaN or infinite"),
    ],
)
def test_ewma_validation(xs, beta, match):
    with pytest.raises(ValueError, match=match):
        ewma(xs, beta)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("a", "EWMA values must be numbers or arrays of numbers, got 'a'"),
        ([1, "x"], r"EWMA values must be numbers or arrays of numbers, got \[1, 'x'\]"),
        (None, "EWMA values must be finite numbers, got None"),
        (float("inf"), "EWMA values must be finite numbers, got inf"),
    ],
)
def test_ewma_update_names_values_that_are_not_finite_numbers(value, message):
    # "a" raised NumPy's TypeError from isfinite; [1, 2] failed multiplying a list by a float.
    with pytest.raises(ValueError, match=message):
        EWMA(0.9).update(value)


def test_ewma_update_takes_a_list_as_a_vector():
    ewma_ = EWMA(0.5)
    np.testing.assert_array_equal(ewma_.update([1, 2]), [1.0, 2.0])  # v̂₁ = x₁
    np.testing.assert_allclose(ewma_.update([3, 4]), [1 / 3 + 2 * 3 / 3, 2 / 3 + 2 * 4 / 3])


def test_the_command_bounds_iterations_as_the_library_does():
    from glassnet.cli import learn
    from glassnet.glass import descent

    assert learn.MAX_ITERATIONS == descent.MAX_ITERATIONS
