"""``glassnet plot …``: pictures saved as PNG files."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from .common import UsageError, activation_list, numbers, output_file, plot_app, plot_done, save_png

if TYPE_CHECKING:
    from .._typing import ActivationName
    from ..activations import Activation

MAX_PANELS = 24
"""Most panels ``glassnet plot activations`` draws (activations × values of --beta)."""
MAX_POINTS = 100_000
"""Most data points of ``glassnet plot ewma --n``."""


@plot_app.command("activations")
def plot_activations(
    names: Annotated[
        str | None,
        typer.Option(help="Activations to draw, comma-separated (default: all elementwise ones)."),
    ] = None,
    beta: Annotated[
        str | None,
        typer.Option(
            help="Steepness β of the sigmoid, 1/(1 + e^(−βz)); "
            "several (1,5,25) draw one panel each. Alone, "
            "it draws the sigmoid only."
        ),
    ] = None,
    out: Annotated[Path, typer.Option(help="PNG file to write.")] = Path("activations.png"),
) -> None:
    """Activation functions with their derivatives."""
    from ..activations import Sigmoid, get_activation
    from ..glass.plots import plot_activations as draw

    output_file(out, "--out")
    chosen: Sequence[ActivationName | Activation] | None = (
        None if names is None else _at_most(activation_list(names, "--names"), "--names")
    )
    if beta is not None:
        betas = _at_most(numbers(beta, "--beta", positive=True), "--beta")
        expanded: list[ActivationName | Activation] = []
        for name in chosen or ["sigmoid"]:
            is_sigmoid = get_activation(name).name == "sigmoid"
            expanded += [Sigmoid(beta=b) for b in betas] if is_sigmoid else [name]
        chosen = _at_most(expanded, "--names with --beta")
    plot_done(save_png(draw(chosen), out))


def _at_most(values: list[Any], option: str) -> list[Any]:
    if len(values) > MAX_PANELS:
        raise UsageError(f"{option}: at most {MAX_PANELS} panels (MAX_PANELS), got {len(values)}")
    return values


@plot_app.command("losses")
def plot_losses(out: Annotated[Path, typer.Option(help="PNG file to write.")] = Path("losses.png")) -> None:
    """Loss functions against the prediction, for targets 1 and 0."""
    from ..glass.plots import plot_losses as draw

    output_file(out, "--out")
    plot_done(save_png(draw(), out))


@plot_app.command("ewma")
def plot_ewma(
    beta: Annotated[float, typer.Option(help="The decay β, in [0, 1).")] = 0.9,
    n: Annotated[int, typer.Option(min=1, max=MAX_POINTS, help="Number of noisy data points.")] = 100,
    seed: Annotated[int, typer.Option(min=0, help="Seed of the noise.")] = 0,
    out: Annotated[Path, typer.Option(help="PNG file to write.")] = Path("ewma.png"),
) -> None:
    """A noisy signal with its moving average, with and without bias correction."""
    import numpy as np

    from ..glass.plots import plot_ewma as draw

    if not 0 <= beta < 1:
        raise UsageError(f"--beta must be in [0, 1), got {beta:g}")
    output_file(out, "--out")
    t = np.arange(n)
    xs = 10 + 5 * np.sin(2 * np.pi * t / max(n, 2)) + np.random.default_rng(seed).normal(0, 2, n)
    plot_done(save_png(draw(xs, beta), out))


@plot_app.command("history")
def plot_history(
    run: Annotated[Path, typer.Argument(help="A run folder written by glassnet train.")],
    out: Annotated[Path | None, typer.Option(help="PNG file (default RUN/learning_curves.png).")] = None,
    log: Annotated[bool, typer.Option("--log", help="Draw the loss on a logarithmic scale.")] = False,
) -> None:
    """Learning curves of a run, from its history.csv (the dashed curves: the test split)."""
    from ..glass.plots import plot_history as draw

    if not run.is_dir():
        raise FileNotFoundError(f"run folder not found: {run}")
    from ..runs.folder import read_history_csv

    out = output_file(out or run / "learning_curves.png", "--out", {"the history file": run / "history.csv"})
    history = read_history_csv(run / "history.csv")
    plot_done(save_png(draw(history, log=log, validation_label="test"), out))


@plot_app.command("network")
def plot_network(
    model: Annotated[Path, typer.Argument(help="A model file.")],
    out: Annotated[Path, typer.Option(help="PNG file to write.")] = Path("network.png"),
) -> None:
    """The network of a model: neurons and weighted connections."""
    from ..glass.plots import plot_network as draw
    from ..runs.tools import open_model

    output_file(out, "--out", {"the model file": model})
    plot_done(save_png(draw(open_model(model).network), out))
