"""``glassnet experiment``: sweeps over a grid of settings and seeds."""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from .common import Failure, UsageError, app, choice, console, numbers, positive

if TYPE_CHECKING:
    from ..glass.experiments import ExperimentResult
    from ..runs import Prepared

MAX_JOBS = 256
"""Most parallel runs ``glassnet experiment --jobs`` starts (``-1``: one per core)."""
MAX_SEEDS = 1_000
"""Most seeds per configuration, ``glassnet experiment --seeds``."""
MAX_RUNS = 10_000
"""Most runs (configurations × seeds) of one ``glassnet experiment``."""

_MULTI_VALUE_OPTIONS = {
    "experiment": (
        "--hidden",
        "--lr",
        "--activation",
        "--optimizer",
        "--batch-size",
        "--l2",
        "--dropout",
        "--schedule",
    )
}


def expand_multi_values(args: list[str]) -> list[str]:
    """``--hidden 8 16,8`` → ``--hidden 8 --hidden 16,8`` for the options of a sweep."""
    command = next((a for a in args if not a.startswith("-")), None)
    options = _MULTI_VALUE_OPTIONS.get(command or "")
    if not options:
        return args
    from ..data.tables import _is_number  # (after the check: other commands' --help loads no NumPy)

    out: list[str] = []
    i = 0
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
    csv_path: Annotated[Path | None, typer.Option("--csv", help="Use this CSV file instead.")] = None,
    target: Annotated[str | None, typer.Option(help="The CSV's target column.")] = None,
    hidden: Annotated[
        list[str] | None, typer.Option(help="Architectures to compare: --hidden 8 16,8")
    ] = None,
    lr: Annotated[list[float] | None, typer.Option(help="Learning rates: --lr 0.01 0.1")] = None,
    activation: Annotated[
        list[str] | None, typer.Option(help="Hidden activations: --activation relu tanh")
    ] = None,
    optimizer: Annotated[list[str] | None, typer.Option(help="Optimizers: --optimizer adam sgd")] = None,
    batch_size: Annotated[list[int] | None, typer.Option(help="Batch sizes: --batch-size 16 64")] = None,
    l2: Annotated[list[float] | None, typer.Option(help="L2 penalties: --l2 0 0.01")] = None,
    dropout: Annotated[list[float] | None, typer.Option(help="Dropout rates: --dropout 0 0.2")] = None,
    schedule: Annotated[list[str] | None, typer.Option(help="Schedules: --schedule constant cosine")] = None,
    epochs: Annotated[int, typer.Option(min=1, help="Epochs of every run.")] = 100,
    seeds: Annotated[
        int, typer.Option(min=1, max=MAX_SEEDS, help="Runs per configuration (seeds 0 … N−1).")
    ] = 3,
    seed: Annotated[int, typer.Option(min=0, help="Seed of the data and the split.")] = 0,
    test_size: Annotated[float, typer.Option(help="Fraction held out for testing.")] = 0.2,
    n_samples: Annotated[int, typer.Option(min=1, help="Samples of a generated dataset.")] = 500,
    noise: Annotated[float, typer.Option(min=0, help="Noise of a generated dataset.")] = 0.2,
    jobs: Annotated[int, typer.Option(help=f"Parallel runs, at most {MAX_JOBS} (-1: all cores).")] = 1,
    scheduler: Annotated[
        str | None,
        typer.Option(
            help="Run on Dask, one task per run: 'local' (a LocalCluster on 127.0.0.1) or tcp://host:port."
        ),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(
            help="Folder for results.csv, results.json and "
            "comparison.png (default runs/experiment-TIMESTAMP)."
        ),
    ] = None,
    overwrite: Annotated[
        bool, typer.Option("--overwrite", help="Write into an --out folder that already holds files.")
    ] = False,
) -> None:
    """Sweep architectures and hyperparameters over several seeds; print and plot the comparison.

    Give several values after an option to sweep it: --hidden 8 16,8 --lr 0.01 0.1.
    """
    from ..activations import ACTIVATIONS
    from ..glass.experiments import run_experiment
    from ..optimizers import OPTIMIZERS
    from ..schedules import SCHEDULES

    _check_scheduler(scheduler)
    if out is not None:
        _check_out_folder(out, overwrite)
    if jobs != -1 and not 1 <= jobs <= MAX_JOBS:
        raise UsageError(f"--jobs must be -1 (all cores) or from 1 to {MAX_JOBS} (MAX_JOBS), got {jobs}")
    sweep: dict[str, list[Any]] = {}
    if hidden:
        sweep["hidden"] = [
            tuple(numbers(h, "--hidden", int, positive=True, allow_empty=True)) for h in hidden
        ]
    if lr:
        sweep["lr"] = [positive(v, "--lr") for v in lr]
    if activation:
        sweep["activation"] = [choice(a, ACTIVATIONS, "activation") for a in activation]
    if optimizer:
        sweep["optimizer"] = [choice(o, OPTIMIZERS, "optimizer") for o in optimizer]
    if batch_size:
        sweep["batch_size"] = [int(positive(b, "--batch-size")) for b in batch_size]
    if l2:
        sweep["l2"] = list(l2)
    if dropout:
        sweep["dropout"] = list(dropout)
    if schedule:
        sweep["schedule"] = [choice(s, SCHEDULES, "schedule") for s in schedule]
    grid = {k: v for k, v in sweep.items() if len(v) > 1}
    base = {k: v[0] for k, v in sweep.items() if len(v) == 1}
    base["epochs"] = epochs
    if not grid:
        grid = {"hidden": [base.pop("hidden", (16, 8))]}
    n_configs = math.prod(len(v) for v in grid.values())
    if n_configs * seeds > MAX_RUNS:
        raise UsageError(
            f"{n_configs} configurations × {seeds} seeds make {n_configs * seeds:,} runs; "
            f"at most {MAX_RUNS:,} (MAX_RUNS): give fewer values or --seeds"
        )

    from ..runs import RunConfig, prepare

    data = prepare(
        RunConfig(
            dataset=None if csv_path else dataset,
            csv=None if csv_path is None else str(csv_path),
            target=target,
            n_samples=n_samples,
            noise=noise,
            seed=seed,
            test_size=test_size,
        ).checked()
    )
    console.print(f"{n_configs * seeds} runs: {n_configs} configurations × {seeds} seeds")
    with console.status("training…"), warnings.catch_warnings():
        from ..divergence import TrainingDivergedWarning

        warnings.simplefilter("ignore", TrainingDivergedWarning)
        result = _sweep(
            run_experiment, grid, data, seeds=tuple(range(seeds)), base=base, n_jobs=jobs, scheduler=scheduler
        )
    console.print(result.table(rich=True))
    out = out or Path("runs") / f"experiment-{datetime.now().strftime('%Y%m%d-%H%M%S')}"
    result.save(out, source=data.source)
    console.print(
        f"best: {result.best['config']}  (test {result.metric} {result.best['test_score_mean']:.3f})"
    )
    console.print(f"results: {out / 'results.csv'}, picture: {out / 'comparison.png'}")


def _check_out_folder(out: Path, overwrite: bool) -> None:
    """Before any run: ``--out`` is a new or empty folder, or ``--overwrite`` says its files may go."""
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out: {out} is not a folder")
    if out.is_dir() and any(out.iterdir()) and not overwrite:
        raise UsageError(
            f"--out: {out} already holds files, which the results (results.csv, results.json, "
            "comparison.png) would overwrite; add --overwrite or choose another folder"
        )


def _check_scheduler(scheduler: str | None) -> None:
    """A malformed ``--scheduler`` is a usage error (exit 2)."""
    if scheduler is not None:
        from ..distributed.cluster import check_scheduler

        try:
            check_scheduler(scheduler)
        except ValueError as exc:
            raise UsageError(f"--scheduler: {exc}") from None


def _sweep(
    run_experiment: Callable[..., ExperimentResult],
    grid: dict[str, list[Any]],
    data: Prepared,
    **settings: Any,
) -> ExperimentResult:
    """The sweep; a cluster that fails under it, or a missing Dask, fails the command (exit 1).
    An unreachable scheduler is a ConnectionError, which the command reports as well."""
    from ..distributed.cluster import ClusterError

    try:
        return run_experiment(grid, data.X_train, data.y_train, data.X_test, data.y_test, **settings)
    except (ClusterError, ImportError) as exc:
        raise Failure(str(exc)) from None
