"""Commands for learning the mathematics: ``trace``, ``gradcheck``, ``descend``, ``derive``."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, cast

import typer
from rich.table import Table
from rich.text import Text

from .common import (
    Failure,
    UsageError,
    activation_list,
    app,
    choice,
    console,
    given,
    numbers,
    output_file,
    positive,
    rows,
    save_png,
    write_json,
)

if TYPE_CHECKING:
    from rich.console import JustifyMethod

    from .._typing import ActivationName, FloatArray, LossName
    from ..glass.trace import Layout, Trace
    from ..network import Network

MAX_STEPS = 10_000
"""Most steps ``glassnet trace --steps`` follows."""
MAX_ITERATIONS = 100_000
"""Most steps ``glassnet descend --iterations`` takes: ``glassnet.glass.descent.MAX_ITERATIONS``,
written out so that ``--help`` does not import NumPy (a test keeps the two equal)."""


_NUMBERS_ONLY = re.compile(r"^[\d\s.,;|eE+\-]+$")


@app.command("trace")
def trace_command(
    ctx: typer.Context,
    sizes: Annotated[str, typer.Option(help="Layer sizes, inputs first.")] = "2,2,1",
    activation: Annotated[
        str, typer.Option(help="One activation for every layer, or one per layer.")
    ] = "sigmoid",
    weights: Annotated[
        str | None,
        typer.Option(
            help="The weights: a model file, or the numbers of each layer's matrix, rows separated by ';' "
            "and layers by '|', e.g. \"0.1,0.2;0.3,0.4 | 0.5,0.6\"."
        ),
    ] = None,
    biases: Annotated[
        str | None,
        typer.Option(
            help="The biases with numeric --weights, layers separated by '|', e.g. \"0.1,0.2 | 0.3\" "
            "(default: zeros)."
        ),
    ] = None,
    layout: Annotated[
        str | None,
        typer.Option(
            help="out_in: matrices as textbooks write them (z = W a + b, one row per unit of the layer); "
            "in_out: glassnet's (Z = A W + b). Needed for square matrices; also how the trace "
            "prints weights."
        ),
    ] = None,
    seed: Annotated[int, typer.Option(min=0, help="Seed of the initial weights (without --weights).")] = 0,
    x: Annotated[
        str | None, typer.Option("--x", help="The input, e.g. 1,2 (a batch: 1,2;3,4). Default: all ones.")
    ] = None,
    y: Annotated[
        str | None,
        typer.Option(
            "--y",
            help="The target, e.g. 1 (one-hot for softmax; a "
            "class label for a trained classifier). "
            "Default: all ones.",
        ),
    ] = None,
    lr: Annotated[float, typer.Option(help="Learning rate of the traced step.")] = 0.1,
    loss: Annotated[str | None, typer.Option(help="Loss (default: the output's canonical loss).")] = None,
    steps: Annotated[
        int,
        typer.Option(
            min=1,
            max=MAX_STEPS,
            help="Follow this many steps: the first in full, then a table of the loss and the parameters.",
        ),
    ] = 1,
    full: Annotated[bool, typer.Option("--full", help="With --steps, print every step in full.")] = False,
    digits: Annotated[int, typer.Option(min=1, max=12, help="Decimals of the printed numbers.")] = 4,
    matrices: Annotated[bool, typer.Option("--matrices", help="Print matrices, not unit by unit.")] = False,
    json_out: Annotated[Path | None, typer.Option("--json", help="Also write the trace as JSON.")] = None,
) -> None:
    """Print training steps as a hand calculation: forward, loss, backward, update."""
    import numpy as np

    from ..glass.trace import trace_steps
    from ..losses import LOSSES

    if layout is not None:
        choice(layout, ("in_out", "out_in"), "--layout")
    if loss is not None:
        choice(loss, LOSSES, "loss")
    if json_out is not None:
        model_file = None if weights is None or _NUMBERS_ONLY.match(weights) else weights
        output_file(json_out, "--json", {"the model file": model_file})
    net, scaler, shown = _trace_network(ctx, sizes, activation, weights, biases, layout, seed)
    X = np.array(rows(x, "--x") if x else [[1.0] * net.n_inputs])
    if X.shape[1] != net.n_inputs:
        raise UsageError(f"--x has {X.shape[1]} values per sample, but the network has {net.n_inputs} inputs")
    if scaler is not None:
        X = scaler.transform(X)
        console.print(f"(input standardized with the model's training statistics: {np.round(X, 4).tolist()})")
    Y = _trace_targets(net, y, X.shape[0])
    traces = trace_steps(
        net,
        X.astype(net.dtype),
        Y,
        steps=steps,
        loss=cast("LossName | None", loss),  # checked above
        lr=lr,
        layout=cast("Layout", shown),  # checked above, by weights_layout, or the default
        digits=digits,
    )
    for k, t in enumerate(traces if full else traces[:1]):
        if steps > 1:
            console.print(Text(f"Step {k + 1} of {steps}", style="bold"))
        console.print(Text(t.text(detailed=False if matrices else None)), soft_wrap=True)
    if steps > 1:
        _print_steps(traces)
    if json_out is not None:
        write_json(json_out, traces[0].as_dict() if steps == 1 else {"steps": [t.as_dict() for t in traces]})
        console.print(f"trace written to {json_out}")


def _trace_network(
    ctx: typer.Context,
    sizes: str,
    activation: str,
    weights: str | None,
    biases: str | None,
    layout: str | None,
    seed: int,
) -> tuple[Network, Any, str]:
    """``(net, scaler, layout to print)`` from a model file, given numbers, or a seed."""
    from ..network import Network

    if weights is not None and not _NUMBERS_ONLY.match(weights):
        if biases is not None:
            raise UsageError("--biases goes with numeric --weights, not with a model file")
        from ..runs.tools import open_model

        if not Path(weights).exists() and any(sep in weights for sep in ",;|"):
            raise UsageError(
                f"--weights {weights!r} is neither a model file nor numbers "
                '(such as "0.1,0.2;0.3,0.4 | 0.5,0.6")'
            )
        saved = open_model(Path(weights))
        network = saved.network
        assert network is not None  # open_model refuses a file without one
        if given(ctx, "sizes") and numbers(sizes, "--sizes", int, positive=True) != network.layer_sizes:
            raise UsageError(
                f"--sizes {sizes} differs from the network in {weights} "
                f"({','.join(map(str, network.layer_sizes))}); drop --sizes"
            )
        return network, saved.scaler, layout or "in_out"
    acts = activation_list(activation)
    if weights is None:
        layer_sizes = numbers(sizes, "--sizes", int, positive=True)
        if len(layer_sizes) < 2:
            raise UsageError("--sizes needs at least an input and an output size, such as 2,2,1")
        _check_activation_count(acts, len(layer_sizes) - 1)
        return (
            Network(layer_sizes, activations=_one_or_list(acts), random_state=seed),
            None,
            layout or "in_out",
        )
    net, layout = _given_network(weights, biases, acts, layout)
    if given(ctx, "sizes") and numbers(sizes, "--sizes", int, positive=True) != net.layer_sizes:
        raise UsageError(
            f"--sizes {sizes} differs from the sizes the --weights make "
            f"({','.join(map(str, net.layer_sizes))})"
        )
    return net, None, layout


def _given_network(
    weights: str, biases: str | None, acts: list[ActivationName], layout: str | None
) -> tuple[Network, str]:
    """The network of ``--weights "0.1,0.2;0.3,0.4 | 0.5,0.6" --biases "0.1,0.2 | 0.3"``."""
    import numpy as np

    from ..layers import AmbiguousLayout
    from ..network import Network, weights_layout

    Ws = [np.array(rows(part, "--weights")) for part in weights.split("|")]
    bs = None if biases is None else [numbers(part, "--biases") for part in biases.split("|")]
    if bs is not None and len(bs) != len(Ws):
        raise UsageError(f"--weights has {len(Ws)} layers (separated by '|') but --biases has {len(bs)}")
    _check_activation_count(acts, len(Ws))
    try:
        layout = weights_layout(Ws, bs, cast("Layout | None", layout))
        net = Network.from_weights(Ws, bs, activations=_one_or_list(acts), layout=layout)
    except AmbiguousLayout as exc:
        raise UsageError(
            "--weights: "
            + str(exc)
            .replace("layout='out_in'", "--layout out_in")
            .replace("layout='in_out'", "--layout in_out")
        ) from None
    except ValueError as exc:
        raise UsageError(f"--weights: {exc}") from None
    return net, layout


def _check_activation_count(acts: Sequence[str], n_layers: int) -> None:
    if len(acts) not in (1, n_layers):
        raise UsageError(f"--activation names {len(acts)} activations for {n_layers} layers")


def _one_or_list(acts: list[ActivationName]) -> ActivationName | list[ActivationName]:
    return acts[0] if len(acts) == 1 else acts


def _trace_targets(net: Network, y: str | None, n_samples: int) -> FloatArray:
    """``Y`` from ``--y``: numbers per sample, or class labels of a trained classifier."""
    import numpy as np

    from ..training import encode_targets

    if y is None:
        return np.ones((n_samples, net.n_outputs))
    parts = [p.strip() for p in y.split(";") if p.strip()]
    if net.classes_ is not None and all("," not in p for p in parts) and len(parts) == n_samples:
        labels = np.array(parts).astype(net.classes_.dtype)
        return encode_targets(net, labels, n_samples, fit=False)[0]
    Y = np.array(rows(y, "--y"))
    if Y.shape != (n_samples, net.n_outputs):
        raise UsageError(
            f"--y needs {net.n_outputs} value(s) per sample for {n_samples} "
            f"sample(s), got {Y.shape[1]} per sample for {Y.shape[0]}"
        )
    return Y


def _print_steps(traces: Sequence[Trace]) -> None:
    """The texts' progress table: each step's loss and the parameters after it."""
    from ..glass.tracetext import steps_table

    headers, body = steps_table(traces)
    console.print(
        Text(
            f"{len(traces)} steps of gradient descent with η = {traces[0].lr:g}: the loss L "
            "before each step, the parameters after it"
        ),
        soft_wrap=True,
    )
    table = Table()
    for name in headers:
        table.add_column(name, justify="right")
    for row in body:
        table.add_row(*row)
    console.print(table)


# --------------------------------------------------------------------------- gradcheck


@app.command("gradcheck")
def gradcheck_command(
    dataset: Annotated[str, typer.Argument(help="A built-in dataset to take samples from.")] = "moons",
    csv_path: Annotated[Path | None, typer.Option("--csv", help="Take samples from this CSV file.")] = None,
    target: Annotated[str | None, typer.Option(help="The CSV's target column.")] = None,
    model: Annotated[Path | None, typer.Option(help="Check this saved model instead of a fresh one.")] = None,
    hidden: Annotated[str, typer.Option(help="Hidden layer sizes of a fresh network.")] = "5,4",
    activation: Annotated[str, typer.Option(help="Hidden activation(s) of a fresh network.")] = "tanh",
    output: Annotated[str, typer.Option(help="Output activation (auto: by task).")] = "auto",
    samples: Annotated[int, typer.Option(min=1, help="Number of samples in the checked batch.")] = 20,
    l2: Annotated[float, typer.Option(min=0, help="L2 penalty included in the checked loss.")] = 0.0,
    seed: Annotated[int, typer.Option(min=0, help="Seed of the data and the weights.")] = 0,
    tol: Annotated[float, typer.Option(help="Largest relative error that passes.")] = 1e-6,
) -> None:
    """Compare backpropagation with central finite differences, layer by layer (exit 1 on failure)."""
    positive(tol, "--tol")
    from ..runs.tools import check_gradients

    net, result, n_rows = check_gradients(
        dataset,
        csv_path,
        target,
        model,
        numbers(hidden, "--hidden", int, True, True),
        activation_list(activation),
        output,
        samples,
        l2,
        seed,
    )
    table = Table(
        title=f"Gradient check: {' → '.join(map(str, net.layer_sizes))}, {n_rows} samples",
        title_justify="left",
    )
    columns: tuple[tuple[str, JustifyMethod], ...] = (
        ("layer", "right"),
        ("param", "left"),
        ("relative error", "right"),
        ("", "left"),
    )
    for name, justify in columns:
        table.add_column(name, justify=justify)
    for (layer, param), error in result.errors.items():
        table.add_row(str(layer), param, f"{error:.3e}", "ok" if error < tol else "[red]too large[/red]")
    console.print(table)
    console.print(f"max relative error: {result.max_error:.3e} (tolerance {tol:g})")
    if not result.passed(tol):
        raise Failure(f"gradient check failed: max relative error {result.max_error:.3e} is above {tol:g}")
    console.print("[green]passed[/green]")


# --------------------------------------------------------------------------- descend & derive


@app.command()
def descend(
    expression: Annotated[str, typer.Argument(help='The function, e.g. "x**2 + 3*y**2".')],
    start: Annotated[str, typer.Option(help="Starting point, one value per variable (sorted by name).")],
    lr: Annotated[float, typer.Option(help="Step size.")] = 0.1,
    iterations: Annotated[int, typer.Option(min=1, max=MAX_ITERATIONS, help="Most steps.")] = 100,
    tol: Annotated[
        float, typer.Option(min=0, help="Stop after a step whose gradient norm was below this.")
    ] = 1e-6,
    f_tol: Annotated[
        float | None, typer.Option("--f-tol", help="Stop after a step that brings f below this.")
    ] = None,
    plot: Annotated[Path | None, typer.Option(help="Draw the path on a contour plot (PNG).")] = None,
    rows: Annotated[int, typer.Option(min=2, help="Most rows of the path table.")] = 20,
) -> None:
    """Gradient descent on an expression: prints the path x ← x − lr·∇f(x)."""
    from ..glass import calculus
    from ..glass.descent import descend as run_descent

    x0 = numbers(start, "--start")
    if plot is not None:
        output_file(plot, "--plot")
    f = calculus.parse(expression)  # the whitelist parser: the text is data, never code
    result = run_descent(f, x0 if len(x0) > 1 else x0[0], lr=lr, iterations=iterations, tol=tol, f_tol=f_tol)
    names = list(result.variables) if result.variables else [f"x{i + 1}" for i in range(result.path.shape[1])]
    table = Table(title=f"Gradient descent on f = {f}, lr = {lr:g}", title_justify="left")
    for name in ["step", *names, "f", "|∇f|"]:
        table.add_column(name, justify="right")
    steps: list[int | None] = list(range(len(result.path)))
    if len(steps) > rows:
        half = rows // 2
        steps = steps[:half] + [None] + steps[-(rows - half) :]
    for k in steps:
        if k is None:
            table.add_row("…", *["…"] * (len(names) + 2))
            continue
        table.add_row(
            str(k),
            *(f"{v:.6g}" for v in result.path[k]),
            f"{result.values[k]:.6g}",
            f"{result.grad_norms[k]:.3g}",
        )
    console.print(table)
    console.print(result.message or ("converged" if result.converged else "stopped"))
    if plot is not None:
        from ..glass.plots import plot_descent

        save_png(plot_descent(result, f=f), plot)
        console.print(f"plot written to {plot}")


@app.command()
def derive(
    expression: Annotated[str, typer.Argument(help='The function, e.g. "x**3 - 3*x".')],
    var: Annotated[str | None, typer.Option(help="Differentiate with respect to this variable.")] = None,
    order: Annotated[int, typer.Option(min=1, help="Order of the derivative.")] = 1,
    critical: Annotated[
        bool, typer.Option("--critical", help="Find and classify the critical points.")
    ] = False,
) -> None:
    """Symbolic derivative (or gradient) of an expression, or its critical points."""
    from ..glass import calculus

    f = calculus.parse(expression)  # the whitelist parser: the text is data, never code
    if critical:
        points = calculus.critical_points(f)
        table = Table(title=f"Critical points of f = {f}", title_justify="left")
        for name in ("point", "f", "kind", "second-derivative test"):
            table.add_column(name)
        for p in points:
            where = ", ".join(f"{k} = {v}" for k, v in p.point.items())
            test = f"f'' = {p.r}" if p.D is None else f"r = {p.r}, s = {p.s}, t = {p.t}, D = rt − s² = {p.D}"
            table.add_row(f"({where})", str(p.value), p.kind, test)
        console.print(table if points else f"f = {f} has no real critical points")
        return
    variables = sorted(f.free_symbols, key=lambda s: s.name)
    if var is not None or len(variables) <= 1:
        d = calculus.derivative(f, var, order=order)
        name = var or (variables[0].name if variables else "x")
        prefix = "d" if order == 1 else f"d^{order}"
        console.print(
            Text(f"{prefix}/d{name}{'' if order == 1 else f'^{order}'} ({f}) = {d}"), soft_wrap=True
        )
        return
    for v, d in zip(variables, calculus.gradient(f), strict=True):
        console.print(Text(f"∂f/∂{v.name} = {d}"), soft_wrap=True)
