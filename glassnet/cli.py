"""The ``glassnet`` command: train, evaluate, predict, trace, check and plot from a shell.

Each subcommand is a thin layer over the library: it parses the options, calls
the functions a Python user would call, and prints the result with Rich. Run
``glassnet --help`` (or ``python -m glassnet --help``) for the list, and
``glassnet COMMAND --help`` for each command's options.

Errors a user can make -- a missing file, an unknown dataset or activation, a
malformed number, anything the library rejects with a ``ValueError`` -- end the
command with one red line ``error: …`` on stderr and a non-zero exit status
(2 for a misused command line, 1 otherwise), never with a traceback.
"""

from __future__ import annotations

import json
import math
import sys
import warnings
from datetime import datetime
from pathlib import Path
from typing import Annotated, List, Optional

import numpy as np
import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from .data.tables import _is_number

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
plot_app = typer.Typer(help="Draw a picture and save it as a PNG file.", no_args_is_help=True,
                       context_settings={"help_option_names": ["-h", "--help"]})
app.add_typer(plot_app, name="plot")


def _version(value: bool):
    if value:
        from . import __version__
        console.print(f"glassnet {__version__}")
        raise typer.Exit()


@app.callback()
def _root(version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                                help="Print the version and exit.")] = False):
    """glassnet: a multi-layer perceptron you can see through."""


# --------------------------------------------------------------------------- parsing helpers

def _numbers(text, option, kind=float, positive=False, allow_empty=False):
    """``"16,8"`` → ``[16, 8]``; a malformed list is a usage error naming the option."""
    text = (text or "").strip()
    if not text or text.lower() == "none":
        if allow_empty:
            return []
        raise UsageError(f"{option} needs at least one number")
    values = []
    for part in text.replace(" ", "").split(","):
        try:
            value = kind(part)
            if kind is float and not math.isfinite(value):
                raise ValueError
        except ValueError:
            what = "integers" if kind is int else "numbers"
            raise UsageError(f"{option} must be comma-separated {what} (such as "
                             f"{'16,8' if kind is int else '1,2.5'}), got {text!r}") from None
        if positive and value <= 0:
            raise UsageError(f"{option} values must be positive, got {text!r}")
        values.append(value)
    return values


def _rows(text, option):
    """``"1,2;3,4"`` → ``[[1, 2], [3, 4]]`` (rows separated by semicolons)."""
    rows = [_numbers(part, option) for part in text.split(";") if part.strip()]
    if not rows:
        raise UsageError(f"{option} needs at least one number")
    if len({len(r) for r in rows}) != 1:
        raise UsageError(f"{option}: every row (separated by ';') needs the same number of values")
    return rows


def _choice(name, valid, option):
    if name not in valid:
        raise UsageError(f"unknown {option} {name!r}; valid choices are: {', '.join(sorted(valid))}")
    return name


def _activation_list(text, option="--activation"):
    from .activations import ACTIVATIONS
    names = [n.strip() for n in text.split(",") if n.strip()]
    if not names:
        raise UsageError(f"{option} needs at least one activation name")
    return [_choice(n, ACTIVATIONS, "activation") for n in names]


def _given(ctx, name):
    """Whether option ``name`` was typed on the command line (not left at its default)."""
    source = ctx.get_parameter_source(name)
    return source is not None and source.name == "COMMANDLINE"


def _write_json(path, data):
    from .io.files import write_json
    write_json(path, data)


def _save_png(fig, path):
    """Save a matplotlib figure as PNG atomically and release it."""
    from .io.files import save_png
    return save_png(fig, path)


def _fmt(value, digits=4):
    if isinstance(value, float):
        return f"{value:.{digits}f}" if abs(value) < 1e4 else f"{value:.{digits}g}"
    return str(value)


# --------------------------------------------------------------------------- train

_CONFIG_OPTIONS = ("dataset", "csv", "target", "task", "n_samples", "noise", "seed", "test_size",
                   "hidden", "activation", "output", "optimizer", "lr", "schedule", "batch_size",
                   "l2", "dropout", "dtype")


@app.command()
def train(
    ctx: typer.Context,
    dataset: Annotated[str, typer.Argument(help="A built-in dataset: moons, circles, spirals, xor, "
                                                "blobs, classification, iris, wine, digits, "
                                                "breast_cancer, diabetes.")] = "moons",
    csv_path: Annotated[Optional[Path], typer.Option("--csv", help="Train on this CSV file instead.")] = None,
    target: Annotated[Optional[str], typer.Option(help="The CSV's target column (name or position).")] = None,
    task: Annotated[str, typer.Option(help="auto, classification or regression.")] = "auto",
    hidden: Annotated[str, typer.Option(help="Hidden layer sizes, comma-separated; '' for none.")] = "16,8",
    activation: Annotated[str, typer.Option(help="Hidden activation, or one per layer (relu,tanh).")] = "relu",
    output: Annotated[str, typer.Option(help="Output activation; auto: sigmoid, softmax or identity.")] = "auto",
    optimizer: Annotated[str, typer.Option(help="sgd, momentum, nesterov, rmsprop, adam, adamw.")] = "adam",
    lr: Annotated[Optional[float], typer.Option(help="Learning rate (default 0.1 for sgd/momentum/"
                                                     "nesterov, 0.01 otherwise).")] = None,
    schedule: Annotated[Optional[str], typer.Option(help="Learning-rate schedule: constant, "
                                                         "inverse_time, invscaling, step, exponential, "
                                                         "cosine, plateau.")] = None,
    epochs: Annotated[int, typer.Option(min=1, help="Number of epochs (in total, with --resume).")] = 200,
    batch_size: Annotated[Optional[int], typer.Option(min=1, help="Mini-batch size.")] = 32,
    full_batch: Annotated[bool, typer.Option("--full-batch", help="One step per epoch on all samples.")] = False,
    seed: Annotated[int, typer.Option(min=0, help="Seed of the data, the split, the weights, the shuffles.")] = 0,
    test_size: Annotated[float, typer.Option(help="Fraction of the samples held out for testing.")] = 0.2,
    l2: Annotated[float, typer.Option(min=0, help="L2 penalty on the weights.")] = 0.0,
    dropout: Annotated[float, typer.Option(min=0, max=0.99, help="Dropout rate of the hidden layers.")] = 0.0,
    n_samples: Annotated[int, typer.Option(min=1, help="Samples drawn by a generated dataset.")] = 500,
    noise: Annotated[float, typer.Option(min=0, help="Noise of a generated dataset.")] = 0.2,
    dtype: Annotated[str, typer.Option(help="float64 or float32.")] = "float64",
    out: Annotated[Optional[Path], typer.Option(help="Run folder (default runs/DATASET-TIMESTAMP).")] = None,
    resume: Annotated[bool, typer.Option("--resume", help="Continue the run in --out from its checkpoint.")] = False,
    overwrite: Annotated[bool, typer.Option("--overwrite", help="Replace an existing run in --out.")] = False,
    checkpoint_every: Annotated[int, typer.Option(min=1, help="Write a checkpoint every N epochs.")] = 10,
    plots: Annotated[bool, typer.Option("--plots/--no-plots", help="Draw the PNG pictures.")] = True,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
):
    """Train a network and write a run folder: model, metrics, history, pictures, report.

    The features are standardized with the statistics of the training split; the
    test split is scored at the end (and monitored as validation data per epoch).
    A checkpoint is written every --checkpoint-every epochs; the first Ctrl-C stops
    after the current epoch and saves it, so `glassnet train --out RUN --resume`
    continues where it stopped.
    """
    from .runs import ConfigError, RunConfig, RunExists, RunInterrupted
    from .runs import resume as resume_run
    from .runs import run
    from .training import TrainingDivergedWarning

    progress = [] if quiet else [_progress_bar()]
    try:
        with warnings.catch_warnings():   # a divergence is reported once, in words, below
            warnings.simplefilter("ignore", TrainingDivergedWarning)
            if resume:
                if out is None:
                    raise UsageError("--resume needs --out RUN_FOLDER (the run to continue)")
                ignored = [f"--{o.replace('_', '-')}" for o in _CONFIG_OPTIONS
                           if _given(ctx, "csv_path" if o == "csv" else o)]
                if ignored:
                    _note(f"note: resuming with the run's own settings; ignoring {', '.join(ignored)}")
                result = resume_run(out, epochs=epochs if _given(ctx, "epochs") else None, callbacks=progress,
                                    checkpoint_every=checkpoint_every, plots=plots)
            else:
                config = RunConfig(
                    dataset=None if csv_path else dataset, csv=None if csv_path is None else str(csv_path),
                    target=target, task=task, n_samples=n_samples, noise=noise, seed=seed,
                    test_size=test_size, hidden=tuple(_numbers(hidden, "--hidden", int, positive=True,
                                                               allow_empty=True)),
                    activation=tuple(_activation_list(activation)), output=output, optimizer=optimizer,
                    lr=lr, schedule=schedule, epochs=epochs, batch_size=None if full_batch else batch_size,
                    l2=l2, dropout=dropout, dtype=dtype)
                result = run(config, out, overwrite=overwrite, callbacks=progress,
                             checkpoint_every=checkpoint_every, plots=plots)
    except ConfigError as exc:
        option = {"csv": "--csv", "dataset": "DATASET"}.get(exc.field, f"--{exc.field.replace('_', '-')}")
        raise UsageError(f"{option}: {exc}") from None
    except RunExists as exc:
        raise UsageError(f"{exc} (--resume, --overwrite or another --out)") from None
    except RunInterrupted as exc:
        _note(str(exc))
        raise typer.Exit(130) from None
    _report_run(result)


def _progress_bar():
    """The command's progress bar: the test split is its validation data."""
    from .callbacks import ProgressBar

    def stats(logs):
        text = f"loss {logs['loss']:.4f}"
        if "val_accuracy" in logs:
            return text + f"  test acc {logs['val_accuracy']:.3f}"
        return text + (f"  test loss {logs['val_loss']:.4f}" if "val_loss" in logs else "")

    return ProgressBar("epoch", stats=stats, console=console)


def _report_run(result):
    """Print what a run did; a diverged run fails after its folder is written."""
    for problem in result.problems:
        _note(f"warning: {problem}")
    metrics, classifier = result.metrics, result.metrics["task"] == "classification"
    _print_network(result.net)
    _print_metrics(metrics, classifier)
    headline, value = ("test accuracy", metrics["test_accuracy"]) if classifier else ("test R²", metrics["test_r2"])
    shown = f"{value:.3f}" if abs(value) < 1e4 else f"{value:.3e}"
    console.print(f"[bold]{headline}: {shown}[/bold]  ({metrics['epochs']} epochs, "
                  f"{metrics['train_time_s']:.2f} s of training)")
    console.print(f"run folder: {result.folder}")
    console.print(f"model: {result.model_path}")
    console.print(f"report: {result.report_path}")
    if result.diverged:   # the run is written, with the weights from before the blow-up
        raise _Failure(f"{result.history.message}; {result.folder} holds them")


def _note(text):
    err_console.print(Text(text, style="yellow"), soft_wrap=True)


def _print_network(net):
    table = Table(title="Network", title_justify="left")
    for name, justify in (("layer", "right"), ("shape", "left"), ("activation", "left"),
                          ("params", "right")):
        table.add_column(name, justify=justify)
    for i, shape, act, n_params, dropout in net.summary_rows():
        table.add_row(str(i), shape, act + (f" (dropout {dropout:g})" if dropout else ""), str(n_params))
    table.add_row("", "", "total", str(net.n_params), style="bold")
    console.print(table)


def _print_metrics(metrics, classifier):
    table = Table(title="Results", title_justify="left")
    table.add_column("")
    table.add_column("train", justify="right")
    table.add_column("test", justify="right")
    for name in ("accuracy", "loss") if classifier else ("r2", "mse", "loss"):
        label = {"r2": "R²", "mse": "mean squared error"}.get(name, name)
        table.add_row(label, _fmt(metrics[f"train_{name}"]), _fmt(metrics[f"test_{name}"]))
    console.print(table)


# --------------------------------------------------------------------------- evaluate & predict

@app.command()
def evaluate(
    model: Annotated[Path, typer.Argument(help="A model file (model.npz of a run).")],
    dataset: Annotated[Optional[str], typer.Argument(help="A built-in dataset (default: the one the "
                                                          "model was trained on).")] = None,
    csv_path: Annotated[Optional[Path], typer.Option("--csv", help="Evaluate on this CSV file.")] = None,
    target: Annotated[Optional[str], typer.Option(help="The CSV's target column.")] = None,
    split: Annotated[str, typer.Option(help="all, train or test: which part of the data (train/test "
                                            "repeat the training run's split).")] = "all",
    n_samples: Annotated[Optional[int], typer.Option(min=1, help="Samples of a generated dataset.")] = None,
    noise: Annotated[Optional[float], typer.Option(min=0, help="Noise of a generated dataset.")] = None,
    seed: Annotated[Optional[int], typer.Option(min=0, help="Seed of a generated dataset and the split.")] = None,
    json_out: Annotated[Optional[Path], typer.Option("--json", help="Also write the metrics here.")] = None,
):
    """Score a saved model on a dataset or CSV file: accuracy (or R²), loss, confusion matrix."""
    from .runs.tools import SplitNeedsTrainingData
    from .runs.tools import evaluate as evaluate_model
    _choice(split, {"all", "train", "test"}, "split")
    try:
        result = evaluate_model(model, dataset, csv_path, target, split, n_samples, noise, seed)
    except SplitNeedsTrainingData as exc:
        raise UsageError(f"--split {split}: {exc}" if split != "all" else str(exc)) from None
    table = Table(title=f"Evaluation of {model}", title_justify="left")
    table.add_column("metric")
    table.add_column("value", justify="right")
    for k, v in result.metrics.items():
        table.add_row({"r2": "R²", "mse": "mean squared error"}.get(k, k), _fmt(v))
    console.print(table)
    if result.classes is not None and np.ndim(result.y_true) == 1:
        _print_confusion(result.y_true, result.y_pred, result.classes)
    if json_out is not None:
        _write_json(json_out, result.metrics)
        console.print(f"metrics written to {json_out}")


def _print_confusion(y_true, y_pred, classes):
    if len(classes) > 12:
        return
    console.print(Text("Confusion matrix (rows: true class, columns: predicted class)", style="italic"),
                  soft_wrap=True)
    table = Table()
    table.add_column("")
    for c in classes:
        table.add_column(str(c), justify="right")
    for c in classes:
        row = [int(np.sum((y_true == c) & (y_pred == p))) for p in classes]
        table.add_row(str(c), *map(str, row))
    console.print(table)


@app.command()
def predict(
    model: Annotated[Path, typer.Argument(help="A model file (model.npz of a run).")],
    input_csv: Annotated[Path, typer.Argument(help="A CSV file of features (a header row is optional).")],
    out: Annotated[Optional[Path], typer.Option(help="Output CSV (default: INPUT.predictions.csv).")] = None,
    proba: Annotated[bool, typer.Option("--proba", help="Add a probability column per class.")] = False,
    column: Annotated[str, typer.Option(help="Name of the prediction column.")] = "prediction",
):
    """Predict every row of a CSV file; write the rows with a prediction column, atomically."""
    from .runs.tools import predict_csv
    if proba:
        from .runs.tools import open_model
        if not open_model(model).network.head.is_classifier:
            raise UsageError("--proba needs a classifier")
    if (out or input_csv.with_name(input_csv.stem + ".predictions.csv")).resolve() == input_csv.resolve():
        raise UsageError("--out must differ from the input file")
    written, n_rows = predict_csv(model, input_csv, out, proba=proba, column=column)
    console.print(f"wrote {n_rows} predictions to {written}")


# --------------------------------------------------------------------------- trace

@app.command("trace")
def trace_command(
    ctx: typer.Context,
    sizes: Annotated[str, typer.Option(help="Layer sizes, inputs first.")] = "2,2,1",
    activation: Annotated[str, typer.Option(help="One activation for every layer, or one per layer.")] = "sigmoid",
    weights: Annotated[Optional[Path], typer.Option(help="Take the network and its weights from this "
                                                         "model file.")] = None,
    seed: Annotated[int, typer.Option(min=0, help="Seed of the initial weights (without --weights).")] = 0,
    x: Annotated[Optional[str], typer.Option("--x", help="The input, e.g. 1,2 (a batch: 1,2;3,4). "
                                                         "Default: all ones.")] = None,
    y: Annotated[Optional[str], typer.Option("--y", help="The target, e.g. 1 (one-hot for softmax; a "
                                                         "class label for a trained classifier). "
                                                         "Default: all ones.")] = None,
    lr: Annotated[float, typer.Option(help="Learning rate of the traced step.")] = 0.1,
    loss: Annotated[Optional[str], typer.Option(help="Loss (default: the output's canonical loss).")] = None,
    matrices: Annotated[bool, typer.Option("--matrices", help="Print matrices, not unit by unit.")] = False,
    json_out: Annotated[Optional[Path], typer.Option("--json", help="Also write the trace as JSON.")] = None,
):
    """Print one training step as a hand calculation: forward, loss, backward, update."""
    from .losses import LOSSES
    from .network import Network
    from .glass.trace import trace as trace_step
    from .training import encode_targets

    scaler = None
    if weights is not None:
        from .runs.tools import open_model
        saved = open_model(weights)
        net, scaler = saved.network, saved.scaler
        if _given(ctx, "sizes") and _numbers(sizes, "--sizes", int, positive=True) != net.layer_sizes:
            raise UsageError(f"--sizes {sizes} differs from the network in {weights} "
                             f"({','.join(map(str, net.layer_sizes))}); drop --sizes")
    else:
        layer_sizes = _numbers(sizes, "--sizes", int, positive=True)
        if len(layer_sizes) < 2:
            raise UsageError("--sizes needs at least an input and an output size, such as 2,2,1")
        acts = _activation_list(activation)
        if len(acts) not in (1, len(layer_sizes) - 1):
            raise UsageError(f"--activation names {len(acts)} activations for {len(layer_sizes) - 1} layers")
        net = Network(layer_sizes, activations=acts[0] if len(acts) == 1 else acts, random_state=seed)
    if loss is not None:
        _choice(loss, LOSSES, "loss")

    X = np.array(_rows(x, "--x") if x else [[1.0] * net.n_inputs])
    if X.shape[1] != net.n_inputs:
        raise UsageError(f"--x has {X.shape[1]} values per sample, but the network has {net.n_inputs} inputs")
    if scaler is not None:
        X = scaler.transform(X)
        console.print(f"(input standardized with the model's training statistics: {np.round(X, 4).tolist()})")
    if y is None:
        Y = np.ones((X.shape[0], net.n_outputs))
    else:
        parts = [p.strip() for p in y.split(";") if p.strip()]
        if net.classes_ is not None and all("," not in p for p in parts) and len(parts) == X.shape[0]:
            labels = np.array(parts).astype(net.classes_.dtype)
            Y, _ = encode_targets(net, labels, X.shape[0], fit=False)
        else:
            Y = np.array(_rows(y, "--y"))
            if Y.shape != (X.shape[0], net.n_outputs):
                raise UsageError(f"--y needs {net.n_outputs} value(s) per sample for {X.shape[0]} "
                                 f"sample(s), got {Y.shape[1]} per sample for {Y.shape[0]}")
    result = trace_step(net, X.astype(net.dtype), Y, loss=loss, lr=lr)
    console.print(Text(result.text(detailed=False if matrices else None)), soft_wrap=True)
    if json_out is not None:
        _write_json(json_out, result.as_dict())
        console.print(f"trace written to {json_out}")


# --------------------------------------------------------------------------- gradcheck

@app.command("gradcheck")
def gradcheck_command(
    dataset: Annotated[str, typer.Argument(help="A built-in dataset to take samples from.")] = "moons",
    csv_path: Annotated[Optional[Path], typer.Option("--csv", help="Take samples from this CSV file.")] = None,
    target: Annotated[Optional[str], typer.Option(help="The CSV's target column.")] = None,
    model: Annotated[Optional[Path], typer.Option(help="Check this saved model instead of a fresh one.")] = None,
    hidden: Annotated[str, typer.Option(help="Hidden layer sizes of a fresh network.")] = "5,4",
    activation: Annotated[str, typer.Option(help="Hidden activation(s) of a fresh network.")] = "tanh",
    output: Annotated[str, typer.Option(help="Output activation (auto: by task).")] = "auto",
    samples: Annotated[int, typer.Option(min=1, help="Number of samples in the checked batch.")] = 20,
    l2: Annotated[float, typer.Option(min=0, help="L2 penalty included in the checked loss.")] = 0.0,
    seed: Annotated[int, typer.Option(min=0, help="Seed of the data and the weights.")] = 0,
    tol: Annotated[float, typer.Option(help="Largest relative error that passes.")] = 1e-6,
):
    """Compare backpropagation with central finite differences, layer by layer (exit 1 on failure)."""
    _positive(tol, "--tol")
    from .runs.tools import check_gradients
    net, result, n_rows = check_gradients(
        dataset, csv_path, target, model, _numbers(hidden, "--hidden", int, True, True),
        _activation_list(activation), output, samples, l2, seed)
    table = Table(title=f"Gradient check: {' → '.join(map(str, net.layer_sizes))}, "
                        f"{n_rows} samples", title_justify="left")
    for name, justify in (("layer", "right"), ("param", "left"), ("relative error", "right"),
                          ("", "left")):
        table.add_column(name, justify=justify)
    for (layer, param), error in result.errors.items():
        table.add_row(str(layer), param, f"{error:.3e}", "ok" if error < tol else "[red]too large[/red]")
    console.print(table)
    console.print(f"max relative error: {result.max_error:.3e} (tolerance {tol:g})")
    if not result.passed(tol):
        raise _Failure(f"gradient check failed: max relative error {result.max_error:.3e} is above {tol:g}")
    console.print("[green]passed[/green]")


class _Failure(Exception):
    """The command ran but its check failed (exit status 1, one red line)."""


# --------------------------------------------------------------------------- descend & derive

@app.command()
def descend(
    expression: Annotated[str, typer.Argument(help="The function, e.g. \"x**2 + 3*y**2\".")],
    start: Annotated[str, typer.Option(help="Starting point, one value per variable (sorted by name).")],
    lr: Annotated[float, typer.Option(help="Step size.")] = 0.1,
    iterations: Annotated[int, typer.Option(min=1, help="Most steps.")] = 100,
    tol: Annotated[float, typer.Option(min=0, help="Stop when the gradient norm falls below this.")] = 1e-6,
    plot: Annotated[Optional[Path], typer.Option(help="Draw the path on a contour plot (PNG).")] = None,
    rows: Annotated[int, typer.Option(min=2, help="Most rows of the path table.")] = 20,
):
    """Gradient descent on an expression: prints the path x ← x − lr·∇f(x)."""
    from .glass import calculus
    from .glass.descent import descend as run_descent
    x0 = _numbers(start, "--start")
    f = calculus.parse(expression)  # the whitelist parser: the text is data, never code
    result = run_descent(f, x0 if len(x0) > 1 else x0[0], lr=lr, iterations=iterations, tol=tol)
    names = list(result.variables) if result.variables else [f"x{i + 1}" for i in range(result.path.shape[1])]
    table = Table(title=f"Gradient descent on f = {f}, lr = {lr:g}", title_justify="left")
    for name in ["step", *names, "f", "|∇f|"]:
        table.add_column(name, justify="right")
    steps = list(range(len(result.path)))
    if len(steps) > rows:
        half = rows // 2
        steps = steps[:half] + [None] + steps[-(rows - half):]
    for k in steps:
        if k is None:
            table.add_row("…", *["…"] * (len(names) + 2))
            continue
        table.add_row(str(k), *(f"{v:.6g}" for v in result.path[k]), f"{result.values[k]:.6g}",
                      f"{result.grad_norms[k]:.3g}")
    console.print(table)
    console.print(result.message or ("converged" if result.converged else "stopped"))
    if plot is not None:
        from .glass.plots import plot_descent
        _save_png(plot_descent(result, f=f), plot)
        console.print(f"plot written to {plot}")


@app.command()
def derive(
    expression: Annotated[str, typer.Argument(help="The function, e.g. \"x**3 - 3*x\".")],
    var: Annotated[Optional[str], typer.Option(help="Differentiate with respect to this variable.")] = None,
    order: Annotated[int, typer.Option(min=1, help="Order of the derivative.")] = 1,
    critical: Annotated[bool, typer.Option("--critical", help="Find and classify the critical points.")] = False,
):
    """Symbolic derivative (or gradient) of an expression, or its critical points."""
    from .glass import calculus
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
        console.print(Text(f"{prefix}/d{name}{'' if order == 1 else f'^{order}'} ({f}) = {d}"), soft_wrap=True)
        return
    for v, d in zip(variables, calculus.gradient(f)):
        console.print(Text(f"∂f/∂{v.name} = {d}"), soft_wrap=True)


# --------------------------------------------------------------------------- experiment

_MULTI_VALUE_OPTIONS = {"experiment": ("--hidden", "--lr", "--activation", "--optimizer", "--batch-size",
                                       "--l2", "--dropout", "--schedule")}


def _expand_multi_values(args):
    """``--hidden 8 16,8`` → ``--hidden 8 --hidden 16,8`` for the options of a sweep."""
    command = next((a for a in args if not a.startswith("-")), None)
    options = _MULTI_VALUE_OPTIONS.get(command)
    if not options:
        return args
    out, i = [], 0
    while i < len(args):
        arg = args[i]
        out.append(arg)
        i += 1
        if arg in options:
            first = True
            while i < len(args) and (not args[i].startswith("-") or _is_number(args[i])):
                if not first:
                    out.append(arg)
                out.append(args[i])
                first = False
                i += 1
    return out


@app.command()
def experiment(
    dataset: Annotated[str, typer.Argument(help="A built-in dataset.")] = "moons",
    csv_path: Annotated[Optional[Path], typer.Option("--csv", help="Use this CSV file instead.")] = None,
    target: Annotated[Optional[str], typer.Option(help="The CSV's target column.")] = None,
    hidden: Annotated[Optional[List[str]], typer.Option(help="Architectures to compare: --hidden 8 16,8")] = None,
    lr: Annotated[Optional[List[float]], typer.Option(help="Learning rates: --lr 0.01 0.1")] = None,
    activation: Annotated[Optional[List[str]], typer.Option(help="Hidden activations: --activation relu tanh")] = None,
    optimizer: Annotated[Optional[List[str]], typer.Option(help="Optimizers: --optimizer adam sgd")] = None,
    batch_size: Annotated[Optional[List[int]], typer.Option(help="Batch sizes: --batch-size 16 64")] = None,
    l2: Annotated[Optional[List[float]], typer.Option(help="L2 penalties: --l2 0 0.01")] = None,
    dropout: Annotated[Optional[List[float]], typer.Option(help="Dropout rates: --dropout 0 0.2")] = None,
    schedule: Annotated[Optional[List[str]], typer.Option(help="Schedules: --schedule constant cosine")] = None,
    epochs: Annotated[int, typer.Option(min=1, help="Epochs of every run.")] = 100,
    seeds: Annotated[int, typer.Option(min=1, help="Runs per configuration (seeds 0 … N−1).")] = 3,
    seed: Annotated[int, typer.Option(min=0, help="Seed of the data and the split.")] = 0,
    test_size: Annotated[float, typer.Option(help="Fraction held out for testing.")] = 0.2,
    n_samples: Annotated[int, typer.Option(min=1, help="Samples of a generated dataset.")] = 500,
    noise: Annotated[float, typer.Option(min=0, help="Noise of a generated dataset.")] = 0.2,
    jobs: Annotated[int, typer.Option(help="Parallel runs (-1: all cores).")] = 1,
    out: Annotated[Optional[Path], typer.Option(help="Folder for results.csv, results.json and "
                                                     "comparison.png (default runs/experiment-TIMESTAMP).")] = None,
):
    """Sweep architectures and hyperparameters over several seeds; print and plot the comparison.

    Give several values after an option to sweep it: --hidden 8 16,8 --lr 0.01 0.1.
    """
    from .activations import ACTIVATIONS
    from .glass.experiments import run_experiment
    from .optimizers import OPTIMIZERS
    from .schedules import SCHEDULES

    sweep = {}
    if hidden:
        sweep["hidden"] = [tuple(_numbers(h, "--hidden", int, positive=True, allow_empty=True)) for h in hidden]
    if lr:
        sweep["lr"] = [_positive(v, "--lr") for v in lr]
    if activation:
        sweep["activation"] = [_choice(a, ACTIVATIONS, "activation") for a in activation]
    if optimizer:
        sweep["optimizer"] = [_choice(o, OPTIMIZERS, "optimizer") for o in optimizer]
    if batch_size:
        sweep["batch_size"] = [int(_positive(b, "--batch-size")) for b in batch_size]
    if l2:
        sweep["l2"] = list(l2)
    if dropout:
        sweep["dropout"] = list(dropout)
    if schedule:
        sweep["schedule"] = [_choice(s, SCHEDULES, "schedule") for s in schedule]
    grid = {k: v for k, v in sweep.items() if len(v) > 1}
    base = {k: v[0] for k, v in sweep.items() if len(v) == 1}
    base["epochs"] = epochs
    if not grid:
        grid = {"hidden": [base.pop("hidden", (16, 8))]}

    from .runs import RunConfig, prepare
    data = prepare(RunConfig(dataset=None if csv_path else dataset, csv=None if csv_path is None else str(csv_path),
                             target=target, n_samples=n_samples, noise=noise, seed=seed,
                             test_size=test_size).checked())
    n_runs = math.prod(len(v) for v in grid.values()) * seeds
    console.print(f"{n_runs} runs: {math.prod(len(v) for v in grid.values())} configurations × {seeds} seeds")
    with console.status("training…"), warnings.catch_warnings():
        from .training import TrainingDivergedWarning
        warnings.simplefilter("ignore", TrainingDivergedWarning)
        result = run_experiment(grid, data.X_train, data.y_train, data.X_test, data.y_test,
                                seeds=tuple(range(seeds)), base=base, n_jobs=jobs)
    console.print(result.table(rich=True))
    out = out or Path("runs") / f"experiment-{datetime.now().strftime('%Y%m%d-%H%M%S')}"
    result.save(out, source=data.source)
    console.print(f"best: {result.best['config']}  (test {result.metric} {result.best['test_score_mean']:.3f})")
    console.print(f"results: {out / 'results.csv'}, picture: {out / 'comparison.png'}")


def _positive(value, option):
    if not value > 0:
        raise UsageError(f"{option} values must be positive, got {value:g}")
    return value


# --------------------------------------------------------------------------- plot

def _plot_done(path):
    console.print(f"picture written to {path}")


@plot_app.command("activations")
def plot_activations(
    names: Annotated[Optional[str], typer.Option(help="Activations to draw, comma-separated "
                                                      "(default: all elementwise ones).")] = None,
    out: Annotated[Path, typer.Option(help="PNG file to write.")] = Path("activations.png"),
):
    """Activation functions with their derivatives."""
    from .glass.plots import plot_activations as draw
    _plot_done(_save_png(draw(None if names is None else _activation_list(names, "--names")), out))


@plot_app.command("losses")
def plot_losses(out: Annotated[Path, typer.Option(help="PNG file to write.")] = Path("losses.png")):
    """Loss functions against the prediction, for targets 1 and 0."""
    from .glass.plots import plot_losses as draw
    _plot_done(_save_png(draw(), out))


@plot_app.command("ewma")
def plot_ewma(
    beta: Annotated[float, typer.Option(help="The decay β, in [0, 1).")] = 0.9,
    n: Annotated[int, typer.Option(min=1, help="Number of noisy data points.")] = 100,
    seed: Annotated[int, typer.Option(min=0, help="Seed of the noise.")] = 0,
    out: Annotated[Path, typer.Option(help="PNG file to write.")] = Path("ewma.png"),
):
    """A noisy signal with its moving average, with and without bias correction."""
    from .glass.plots import plot_ewma as draw
    if not 0 <= beta < 1:
        raise UsageError(f"--beta must be in [0, 1), got {beta:g}")
    t = np.arange(n)
    xs = 10 + 5 * np.sin(2 * np.pi * t / max(n, 2)) + np.random.default_rng(seed).normal(0, 2, n)
    _plot_done(_save_png(draw(xs, beta), out))


@plot_app.command("history")
def plot_history(
    run: Annotated[Path, typer.Argument(help="A run folder written by glassnet train.")],
    out: Annotated[Optional[Path], typer.Option(help="PNG file (default RUN/learning_curves.png).")] = None,
):
    """Learning curves of a run, from its history.csv."""
    from .glass.plots import plot_history as draw
    if not run.is_dir():
        raise FileNotFoundError(f"run folder not found: {run}")
    from .runs.folder import read_history_csv
    history = read_history_csv(run / "history.csv")
    _plot_done(_save_png(draw(history), out or run / "learning_curves.png"))


@plot_app.command("network")
def plot_network(
    model: Annotated[Path, typer.Argument(help="A model file.")],
    out: Annotated[Path, typer.Option(help="PNG file to write.")] = Path("network.png"),
):
    """The network of a model: neurons and weighted connections."""
    from .glass.plots import plot_network as draw
    from .runs.tools import open_model
    _plot_done(_save_png(draw(open_model(model).network), out))


# --------------------------------------------------------------------------- export

@app.command()
def export(
    model: Annotated[Path, typer.Argument(help="A model file (model.npz of a run).")],
    out: Annotated[Path, typer.Argument(help="The ONNX file to write (e.g. model.onnx).")],
    dtype: Annotated[str, typer.Option(help="float32 or float64 (input, weights, outputs).")] = "float32",
    opset: Annotated[Optional[int], typer.Option(min=13, help="ONNX opset (default: the oldest that "
                                                               "has every operator needed).")] = None,
):
    """Export a saved model to ONNX, its standardizer included, for onnxruntime and other runtimes."""
    _choice(dtype, {"float32", "float64"}, "dtype")
    try:
        from .onnx import export_onnx
        proto = export_onnx(model, out, dtype=dtype, opset=opset)
    except ImportError as exc:
        raise _Failure(exc) from None
    inputs = ", ".join(f"{v.name} (N, {v.type.tensor_type.shape.dim[1].dim_value})" for v in proto.graph.input)
    outputs = ", ".join(v.name for v in proto.graph.output)
    task = {p.key: p.value for p in proto.metadata_props}["task"]
    console.print(f"wrote {out} ({task}, {dtype}, opset {proto.opset_import[0].version}): "
                  f"{inputs} → {outputs}", soft_wrap=True)


# --------------------------------------------------------------------------- info

@app.command()
def info(model: Annotated[Path, typer.Argument(help="A model or checkpoint file.")]):
    """Describe a saved model or checkpoint: architecture, classes, preprocessing, provenance."""
    from .io import load_saved
    saved = load_saved(model)
    meta, net = saved.metadata, saved.network
    table = Table(title=f"{model}", title_justify="left", show_header=False)
    table.add_column("", style="bold")
    table.add_column("")
    table.add_row("kind", f"{meta['kind']} ({meta.get('model', 'network')})")
    if meta.get("model") == "estimator":
        table.add_row("estimator", meta["estimator"]["class"])
    table.add_row("file format", f"{meta['format_version']} (written by glassnet {meta['glassnet_version']})")
    table.add_row("checksum", f"sha256 {meta['checksum']['value'][:16]}… verified")
    if net is not None:
        table.add_row("layers", " → ".join(map(str, net.layer_sizes)))
        table.add_row("parameters", f"{net.n_params} ({net.dtype})")
        if net.classes_ is not None:
            table.add_row("classes", ", ".join(map(str, net.classes_.tolist())))
    if saved.scaler is not None:
        table.add_row("preprocessing", f"standardize {len(saved.scaler.mean_)} features")
    for key in ("task", "source", "feature_names"):
        if key in saved.info:
            value = saved.info[key]
            table.add_row(key.replace("_", " "), ", ".join(map(str, value)) if isinstance(value, list)
                          else json.dumps(value) if isinstance(value, dict) else str(value))
    if meta["kind"] == "checkpoint":
        table.add_row("epochs done", str(meta["epoch"]))
        table.add_row("optimizer", f"{meta['optimizer']['name']} (step {meta['optimizer']['t']})")
    console.print(table)
    if net is not None:
        _print_network(net)


# --------------------------------------------------------------------------- entry point

def _error(message, code, most=400):
    text = " ".join(str(message).split()) or "unknown error"
    if len(text) > most:   # a message quoting a huge input stays one readable line
        text = text[:most - 1] + "…"
    err_console.print(Text(f"error: {text}", style="red"), soft_wrap=True)
    return code


def _os_message(exc):
    if exc.filename is not None and exc.strerror:
        return f"{exc.strerror}: {exc.filename}"
    return str(exc)


def main(argv=None):
    """Run the ``glassnet`` command (``argv`` defaults to ``sys.argv[1:]``) and exit."""
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        code = app(args=_expand_multi_values(args), prog_name="glassnet", standalone_mode=False)
    except typer.TyperException as exc:  # click's usage errors (exit 2) and other click errors
        if type(exc).__name__ == "NoArgsIsHelpError":  # a bare group: show its help
            path = exc.ctx.command_path.split()[1:] if getattr(exc, "ctx", None) else []
            code = app(args=[*path, "--help"], prog_name="glassnet", standalone_mode=False)
        else:
            ctx = getattr(exc, "ctx", None)
            hint = f" (see '{ctx.command_path} --help')" if ctx is not None else ""
            code = _error(exc.format_message() + hint, getattr(exc, "exit_code", 1))
    except UsageError as exc:
        code = _error(exc, 2)
    except _Failure as exc:
        code = _error(exc, 1)
    except FileNotFoundError as exc:
        code = _error(_os_message(exc) if exc.strerror else exc, 1)
    except (ValueError, OSError) as exc:
        code = _error(_os_message(exc) if isinstance(exc, OSError) else exc, 1)
    except (typer.Abort, KeyboardInterrupt):
        code = _error("interrupted", 130)
    sys.exit(code if isinstance(code, int) else 0)
