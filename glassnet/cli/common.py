"""What every command shares: the app, the consoles, and parsing and printing helpers.

A malformed command line is a :class:`UsageError` (exit status 2); a command that
ran but failed its check is a :class:`Failure` (exit status 1); both end in one red
``error: …`` line, printed by :func:`glassnet.cli.main`.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar, cast, overload

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

if TYPE_CHECKING:
    from matplotlib.figure import Figure
    from rich.console import JustifyMethod

    from .._typing import ActivationName, NDArray, PathLike
    from ..network import Network

Number = TypeVar("Number", int, float)

console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False)


class UsageError(ValueError):
    """A malformed command line (exit status 2)."""


app = typer.Typer(
    name="glassnet",
    help="glassnet: a multi-layer perceptron you can see through.\n\n"
    "Train networks on built-in datasets or your CSV files, then look inside: "
    "trace one training step by hand, check gradients, plot everything.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
plot_app = typer.Typer(
    help="Draw a picture and save it as a PNG file.",
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)
app.add_typer(plot_app, name="plot")


def _version(value: bool) -> None:
    if value:
        from .. import __version__

        console.print(f"glassnet {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """glassnet: a multi-layer perceptron you can see through."""


@overload
def numbers(
    text: str | None, option: str, kind: type[int], positive: bool = False, allow_empty: bool = False
) -> list[int]: ...
@overload
def numbers(
    text: str | None,
    option: str,
    kind: type[float] = float,
    positive: bool = False,
    allow_empty: bool = False,
) -> list[float]: ...


def numbers(
    text: str | None,
    option: str,
    kind: type[int] | type[float] = float,
    positive: bool = False,
    allow_empty: bool = False,
) -> list[int] | list[float]:
    """``"16,8"`` → ``[16, 8]``; a malformed list is a usage error naming the option."""
    text = (text or "").strip()
    if not text or text.lower() == "none":
        if allow_empty:
            return []
        raise UsageError(f"{option} needs at least one number")
    values: list[Any] = []
    for part in text.replace(" ", "").split(","):
        try:
            value = kind(part)
            if kind is float and not math.isfinite(value):
                raise ValueError
        except ValueError:
            what = "integers" if kind is int else "numbers"
            raise UsageError(
                f"{option} must be comma-separated {what} (such as "
                f"{'16,8' if kind is int else '1,2.5'}), got {text!r}"
            ) from None
        if positive and value <= 0:
            raise UsageError(f"{option} values must be positive, got {text!r}")
        values.append(value)
    return values


def rows(text: str, option: str) -> list[list[float]]:
    """``"1,2;3,4"`` → ``[[1, 2], [3, 4]]`` (rows separated by semicolons)."""
    rows = [numbers(part, option) for part in text.split(";") if part.strip()]
    if not rows:
        raise UsageError(f"{option} needs at least one number")
    if len({len(r) for r in rows}) != 1:
        raise UsageError(f"{option}: every row (separated by ';') needs the same number of values")
    return rows


def choice(name: str, valid: Collection[str], option: str) -> str:
    if name not in valid:
        raise UsageError(f"unknown {option} {name!r}; valid choices are: {', '.join(sorted(valid))}")
    return name


def activation_list(text: str, option: str = "--activation") -> list[ActivationName]:
    from ..activations import ACTIVATIONS

    names = [n.strip() for n in text.split(",") if n.strip()]
    if not names:
        raise UsageError(f"{option} needs at least one activation name")
    return cast("list[ActivationName]", [choice(n, ACTIVATIONS, "activation") for n in names])


def given(ctx: typer.Context, name: str) -> bool:
    """Whether option ``name`` was typed on the command line (not left at its default)."""
    source = ctx.get_parameter_source(name)
    return source is not None and source.name == "COMMANDLINE"


def output_file(path: Path, option: str, inputs: Mapping[str, PathLike | None] | None = None) -> Path:
    """Check, before any work, that the command may write ``path``; return it.

    A usage error names ``option`` if the path is a folder, a FIFO or device (anything
    but a regular file), in a missing or read-only folder, or the same file as one of
    ``inputs`` (``{"the model file": model}``), which the output would destroy.
    """
    import os

    from ..io.files import writable_target

    try:
        target = writable_target(path)
    except OSError as exc:
        raise UsageError(f"{option}: {exc}") from None
    for what, source in (inputs or {}).items():
        exists = source is not None and target.exists() and Path(source).exists()
        if exists and os.path.samefile(target, cast("PathLike", source)):
            raise UsageError(f"{option} must not be {what} {source}")
    return path


def write_json(path: PathLike, data: Any) -> None:
    from ..io.files import write_json

    write_json(path, data)


def save_png(fig: Figure, path: PathLike) -> Path:
    """Save a matplotlib figure as PNG atomically and release it."""
    from ..io.files import save_png

    return save_png(fig, path)


def fmt(value: object, digits: int = 4) -> str:
    if isinstance(value, float):
        return f"{value:.{digits}f}" if abs(value) < 1e4 else f"{value:.{digits}g}"
    return str(value)


def note(text: str) -> None:
    err_console.print(Text(text, style="yellow"), soft_wrap=True)


def print_network(net: Network) -> None:
    table = Table(title="Network", title_justify="left")
    columns: tuple[tuple[str, JustifyMethod], ...] = (
        ("layer", "right"),
        ("shape", "left"),
        ("activation", "left"),
        ("params", "right"),
    )
    for name, justify in columns:
        table.add_column(name, justify=justify)
    for i, shape, act, n_params, dropout in net.summary_rows():
        table.add_row(str(i), shape, act + (f" (dropout {dropout:g})" if dropout else ""), str(n_params))
    table.add_row("", "", "total", str(net.n_params), style="bold")
    console.print(table)


def print_metrics(metrics: Mapping[str, Any], classifier: bool) -> None:
    table = Table(title="Results", title_justify="left")
    table.add_column("")
    table.add_column("train", justify="right")
    table.add_column("test", justify="right")
    for name in ("accuracy", "loss") if classifier else ("r2", "mse", "loss"):
        label = {"r2": "R²", "mse": "mean squared error"}.get(name, name)
        table.add_row(label, fmt(metrics[f"train_{name}"]), fmt(metrics[f"test_{name}"]))
    console.print(table)


def print_confusion(
    y_true: NDArray[Any], y_pred: NDArray[Any], classes: Sequence[Any] | NDArray[Any]
) -> None:
    import numpy as np

    if len(classes) > 12:
        return
    console.print(
        Text("Confusion matrix (rows: true class, columns: predicted class)", style="italic"), soft_wrap=True
    )
    table = Table()
    table.add_column("")
    for c in classes:
        table.add_column(str(c), justify="right")
    for c in classes:
        row = [int(np.sum((y_true == c) & (y_pred == p))) for p in classes]
        table.add_row(str(c), *map(str, row))
    console.print(table)


class Failure(Exception):
    """The command ran but its check failed (exit status 1, one red line)."""


def positive(value: Number, option: str) -> Number:
    if not value > 0:
        raise UsageError(f"{option} values must be positive, got {value:g}")
    return value


def plot_done(path: object) -> None:
    console.print(f"picture written to {path}")
