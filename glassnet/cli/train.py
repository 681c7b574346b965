"""``glassnet train``: a run from the command line (the application is :mod:`glassnet.runs`)."""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from .common import (
    Failure,
    UsageError,
    activation_list,
    app,
    console,
    given,
    note,
    numbers,
    print_metrics,
    print_network,
)

if TYPE_CHECKING:
    from ..callbacks import Callback, ProgressBar
    from ..runs import RunConfig, RunResult

_CONFIG_OPTIONS = (
    "dataset",
    "csv",
    "target",
    "task",
    "n_samples",
    "noise",
    "seed",
    "test_size",
    "hidden",
    "activation",
    "output",
    "optimizer",
    "lr",
    "schedule",
    "batch_size",
    "l2",
    "dropout",
    "dtype",
    "standardize",
    "shuffle",
    "beta1",
    "beta2",
    "eps",
)


@app.command()
def train(
    ctx: typer.Context,
    dataset: Annotated[
        str,
        typer.Argument(
            help="A built-in dataset: moons, circles, spirals, xor, "
            "blobs, classification, iris, wine, digits, "
            "breast_cancer, diabetes."
        ),
    ] = "moons",
    csv_path: Annotated[Path | None, typer.Option("--csv", help="Train on this CSV file instead.")] = None,
    target: Annotated[str | None, typer.Option(help="The CSV's target column (name or position).")] = None,
    task: Annotated[str, typer.Option(help="auto, classification or regression.")] = "auto",
    hidden: Annotated[str, typer.Option(help="Hidden layer sizes, comma-separated; '' for none.")] = "16,8",
    activation: Annotated[
        str, typer.Option(help="Hidden activation, or one per layer (relu,tanh).")
    ] = "relu",
    output: Annotated[
        str, typer.Option(help="Output activation; auto: sigmoid, softmax or identity.")
    ] = "auto",
    optimizer: Annotated[str, typer.Option(help="sgd, momentum, nesterov, rmsprop, adam, adamw.")] = "adam",
    lr: Annotated[
        float | None,
        typer.Option(help="Learning rate (default 0.1 for sgd/momentum/nesterov, 0.01 otherwise)."),
    ] = None,
    schedule: Annotated[
        str | None,
        typer.Option(
            help="Learning-rate schedule: constant, "
            "inverse_time, invscaling, step, exponential, "
            "cosine, plateau."
        ),
    ] = None,
    epochs: Annotated[int, typer.Option(min=1, help="Number of epochs (in total, with --resume).")] = 200,
    batch_size: Annotated[int | None, typer.Option(min=1, help="Mini-batch size.")] = 32,
    full_batch: Annotated[
        bool, typer.Option("--full-batch", help="One step per epoch on all samples.")
    ] = False,
    seed: Annotated[
        int, typer.Option(min=0, help="Seed of the data, the split, the weights, the shuffles.")
    ] = 0,
    test_size: Annotated[
        float,
        typer.Option(
            help="Fraction of the samples held out for testing; 0 trains "
            "on every sample and scores the training data."
        ),
    ] = 0.2,
    l2: Annotated[float, typer.Option(min=0, help="L2 penalty on the weights.")] = 0.0,
    dropout: Annotated[float, typer.Option(min=0, max=0.99, help="Dropout rate of the hidden layers.")] = 0.0,
    n_samples: Annotated[int, typer.Option(min=1, help="Samples drawn by a generated dataset.")] = 500,
    noise: Annotated[float, typer.Option(min=0, help="Noise of a generated dataset.")] = 0.2,
    dtype: Annotated[str, typer.Option(help="float64 or float32.")] = "float64",
    standardize: Annotated[
        bool,
        typer.Option(
            "--standardize/--no-standardize",
            help="Rescale the features with the training split's mean and deviation.",
        ),
    ] = True,
    shuffle: Annotated[
        bool, typer.Option("--shuffle/--no-shuffle", help="Reshuffle the samples every epoch.")
    ] = True,
    beta1: Annotated[float, typer.Option(help="Adam's β₁, the decay of the gradient's average.")] = 0.9,
    beta2: Annotated[
        float, typer.Option(help="Adam's β₂, the decay of the squared gradient's average.")
    ] = 0.999,
    eps: Annotated[float, typer.Option(help="Adam's (and RMSprop's) ε in θ ← θ − η m̂ / (√v̂ + ε).")] = 1e-8,
    out: Annotated[
        str | None, typer.Option(metavar="PATH", help="Run folder (default runs/DATASET-TIMESTAMP).")
    ] = None,
    resume: Annotated[
        bool, typer.Option("--resume", help="Continue the run in --out from its checkpoint.")
    ] = False,
    overwrite: Annotated[
        bool,
        typer.Option("--overwrite", help="Replace an existing run, or the files of a folder, in --out."),
    ] = False,
    checkpoint_every: Annotated[int, typer.Option(min=1, help="Write a checkpoint every N epochs.")] = 10,
    plots: Annotated[bool, typer.Option("--plots/--no-plots", help="Draw the PNG pictures.")] = True,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
) -> None:
    """Train a network and write a run folder: model, metrics, history, pictures, report.

    The features are standardized with the statistics of the training split (unless
    --no-standardize); the test split is scored at the end and monitored every epoch
    (--test-size 0 trains on every sample and scores the training data).
    A checkpoint is written every --checkpoint-every epochs; the first Ctrl-C stops
    after the current epoch and saves it, so `glassnet train --out RUN --resume`
    continues where it stopped.
    """
    from .. import _jit
    from ..divergence import TrainingDivergedWarning
    from ..runs import ConfigError, FolderNotEmpty, RunExists, RunInterrupted, run

    progress: list[Callback] = [] if quiet else [_progress_bar()]
    try:
        # The command trains once: the kernels must pay back their load within this run.
        with _jit.expect_one_run(), warnings.catch_warnings():  # a divergence is reported once, below
            warnings.simplefilter("ignore", TrainingDivergedWarning)
            if resume:
                result = _resume(ctx, out, epochs, progress, checkpoint_every, plots)
            else:
                result = run(
                    _new_config(ctx.params),
                    out,
                    overwrite=overwrite,
                    callbacks=progress,
                    checkpoint_every=checkpoint_every,
                    plots=plots,
                )
    except ConfigError as exc:
        option = {"csv": "--csv", "dataset": "DATASET"}.get(exc.field, f"--{exc.field.replace('_', '-')}")
        raise UsageError(f"{option}: {exc}") from None
    except FolderNotEmpty as exc:
        raise UsageError(f"{exc} (--overwrite or another --out)") from None
    except RunExists as exc:
        raise UsageError(f"{exc} (--resume, --overwrite or another --out)") from None
    except RunInterrupted as exc:
        note(str(exc))
        raise typer.Exit(130) from None
    _report_run(result)


def _resume(
    ctx: typer.Context,
    out: str | None,
    epochs: int,
    progress: list[Callback],
    checkpoint_every: int,
    plots: bool,
) -> RunResult:
    """Continue the run in ``out``: its own settings, and the options that cannot change, noted."""
    from ..runs import resume

    if out is None:
        raise UsageError("--resume needs --out RUN_FOLDER (the run to continue)")
    ignored = [
        f"--{o.replace('_', '-')}" for o in _CONFIG_OPTIONS if given(ctx, "csv_path" if o == "csv" else o)
    ]
    if ignored:
        note(f"note: resuming with the run's own settings; ignoring {', '.join(ignored)}")
    return resume(
        out,
        epochs=epochs if given(ctx, "epochs") else None,
        callbacks=progress,
        checkpoint_every=checkpoint_every,
        plots=plots,
    )


def _new_config(options: Mapping[str, Any]) -> RunConfig:
    """The :class:`~glassnet.runs.RunConfig` of the command's options (``ctx.params``)."""
    from ..runs import RunConfig

    o = dict(options)
    csv_path = o.pop("csv_path")
    kept = (
        "target",
        "task",
        "n_samples",
        "noise",
        "seed",
        "test_size",
        "output",
        "optimizer",
        "lr",
        "schedule",
        "epochs",
        "l2",
        "dropout",
        "dtype",
        "standardize",
        "shuffle",
        "beta1",
        "beta2",
        "eps",
    )
    return RunConfig(
        dataset=None if csv_path else o["dataset"],
        csv=None if csv_path is None else str(csv_path),
        hidden=tuple(numbers(o["hidden"], "--hidden", int, positive=True, allow_empty=True)),
        activation=tuple(activation_list(o["activation"])),
        batch_size=None if o["full_batch"] else o["batch_size"],
        **{k: o[k] for k in kept},
    )


def _progress_bar() -> ProgressBar:
    """The command's progress bar: the test split is its validation data."""
    from ..callbacks import ProgressBar

    def stats(logs: Mapping[str, Any]) -> str:
        text = f"loss {logs['loss']:.4f}"
        if "val_accuracy" in logs:
            return text + f"  test acc {logs['val_accuracy']:.3f}"
        return text + (f"  test loss {logs['val_loss']:.4f}" if "val_loss" in logs else "")

    return ProgressBar("epoch", stats=stats, console=console)


def _report_run(result: RunResult) -> None:
    """Print what a run did; a diverged run fails after its folder is written."""
    for problem in result.problems:
        note(f"warning: {problem}")
    metrics, classifier = result.metrics, result.metrics["task"] == "classification"
    if not metrics.get("held_out", True):
        note("note: no test split (--test-size 0): the test scores are the training data's")
    from ..network import Network

    assert isinstance(result.net, Network)  # (RunResult.net is annotated as object)
    print_network(result.net)
    print_metrics(metrics, classifier)
    headline, value = (
        ("test accuracy", metrics["test_accuracy"]) if classifier else ("test R²", metrics["test_r2"])
    )
    shown = f"{value:.3f}" if abs(value) < 1e4 else f"{value:.3e}"
    console.print(
        f"[bold]{headline}: {shown}[/bold]  ({metrics['epochs']} epochs, "
        f"{metrics['train_time_s']:.2f} s of training)"
    )
    console.print(f"run folder: {result.folder}")
    console.print(f"model: {result.model_path}")
    console.print(f"report: {result.report_path}")
    if result.diverged:  # the run is written, with the weights from before the blow-up
        raise Failure(f"{result.history.message}; {result.folder} holds them")
