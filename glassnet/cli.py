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

import copy
import csv
import json
import math
import sys
import time
import warnings
from datetime import datetime
from pathlib import Path
from typing import Annotated, List, Optional

import numpy as np
import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from .data import _is_number
from .persistence import atomic_write

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


def _plain(value):
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


def _write_json(path, data):
    with atomic_write(path, "w") as f:
        json.dump(_plain(data), f, indent=2)
        f.write("\n")


def _save_png(fig, path):
    """Save a matplotlib figure as PNG atomically and release it."""
    import matplotlib.pyplot as plt
    try:
        with atomic_write(path, "wb") as f:
            fig.savefig(f, format="png", dpi=110, bbox_inches="tight")
    finally:
        plt.close(fig)
    return Path(path)


def _fmt(value, digits=4):
    if isinstance(value, float):
        return f"{value:.{digits}f}" if abs(value) < 1e4 else f"{value:.{digits}g}"
    return str(value)


# --------------------------------------------------------------------------- data

GENERATOR_OPTIONS = ("n_samples", "noise")


def _load_data(dataset, csv_path, target, n_samples, noise, seed):
    """``(X, y, feature_names, source)`` for a built-in dataset or a CSV file."""
    from . import data
    if csv_path is not None:
        if target is None:
            raise UsageError("--csv needs --target COLUMN (the name or position of the target column)")
        column = int(target) if target.lstrip("-").isdigit() else target
        X, y, names = data.load_csv(csv_path, column)
        return X, y, names, {"csv": str(csv_path), "target": target}
    name = dataset.strip().lower().replace("-", "_")
    if name in data.GENERATORS:
        X, y, names, _ = data.load_dataset(name, return_names=True, n_samples=n_samples, noise=noise,
                                           random_state=seed)
        return X, y, names, {"dataset": name, "n_samples": n_samples, "noise": noise}
    X, y, names, _ = data.load_dataset(name, return_names=True)  # raises with the valid names
    return X, y, names, {"dataset": name}


def _task_of(y, task="auto"):
    """``"classification"`` or ``"regression"``: labels that are strings or few integers are classes."""
    if task != "auto":
        return task
    y = np.asarray(y)
    if y.dtype.kind in "USOb" or y.dtype.kind in "iu":
        return "classification"
    values = np.unique(y)
    if np.all(values == np.round(values)) and values.size <= 20:
        return "classification"
    return "regression"


def _labels(y, task):
    """Class labels as the network will store them: integer-valued floats become ints."""
    y = np.asarray(y)
    if task == "classification" and y.dtype.kind == "f" and np.all(y == np.round(y)):
        return y.astype(np.int64)
    if task == "regression":
        if y.dtype.kind not in "fiu":
            raise ValueError("a regression target must be numeric; use --task classification for labels")
        return y.astype(np.float64)
    return y


def _split(X, y, test_size, seed):
    from .data import train_test_split
    return train_test_split(X, y, test_size=test_size, random_state=seed)


def _build_network(n_inputs, y_train, task, hidden, activations, output, dropout, seed, dtype):
    from .network import Network
    if task == "classification":
        k = np.unique(y_train).size
        if k < 2:
            raise ValueError(f"the training labels hold a single class ({np.unique(y_train)[0]!r})")
        auto_out, n_out = ("sigmoid", 1) if k == 2 else ("softmax", k)
    else:
        auto_out, n_out = "identity", 1
    output = auto_out if output in (None, "auto") else output
    sizes = [n_inputs, *hidden, n_out]
    if len(activations) == 1:
        acts = [activations[0]] * len(hidden) + [output]
    elif len(activations) == len(hidden):
        acts = activations + [output]
    elif len(activations) == len(hidden) + 1:
        acts = activations
    else:
        raise UsageError(f"--activation names {len(activations)} activations for {len(hidden)} hidden "
                         "layers: give one for all, one per hidden layer, or one per layer")
    return Network(sizes, activations=acts, dropout=dropout if hidden else 0.0, random_state=seed,
                   dtype=dtype)


def _scores(net, X, y, task):
    """Accuracy or R² and the mean loss of ``net`` on already-standardized ``(X, y)``."""
    from .training import encode_targets
    Y_hat = net.predict_output(X)
    Y, _ = encode_targets(net, y, X.shape[0], fit=False)
    loss = net.resolve_loss(None)(Y_hat, Y)
    prediction = net.predict(X)
    if task == "classification":
        return {"accuracy": float(np.mean(prediction == y)), "loss": loss}
    residual = np.asarray(prediction, dtype=float).reshape(-1) - np.asarray(y, dtype=float)
    total = np.sum((y - np.mean(y)) ** 2)
    return {"r2": float(1 - np.sum(residual ** 2) / total) if total > 0 else float("nan"),
            "mse": float(np.mean(residual ** 2)), "loss": loss}


# --------------------------------------------------------------------------- train

class _ResumedSchedule:
    """``lr = schedule(offset + t)``: a schedule that continues counting epochs after ``--resume``.

    :func:`glassnet.train` counts epochs from 0 on every call; the wrapper adds the
    epochs already done. ``observe`` reaches the wrapped schedule, so the command
    checkpoints the live state (reduce-on-plateau's current rate).
    """

    def __init__(self, schedule, offset):
        self.schedule, self.offset = schedule, offset

    def __call__(self, t):
        return self.schedule(self.offset + t)

    def __getattr__(self, name):  # ``observe`` exactly when the wrapped schedule has it
        if name == "schedule":
            raise AttributeError(name)
        return getattr(self.schedule, name)


def _make_schedule(name, lr, epochs):
    from .schedules import get_schedule
    if name in (None, "", "none"):
        return None
    return get_schedule(name, lr, **({"total": epochs} if name == "cosine" else {}))


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
    A checkpoint is written every --checkpoint-every epochs and when you press
    Ctrl-C, so `glassnet train --out RUN --resume` continues where it stopped.
    """
    from . import persistence
    from .data import standardize
    from .optimizers import OPTIMIZERS, get_optimizer
    from .schedules import SCHEDULES
    from .training import History, TrainingDivergedWarning
    from .training import train as train_network

    started = time.perf_counter()
    if resume:
        if out is None:
            raise UsageError("--resume needs --out RUN_FOLDER (the run to continue)")
        checkpoint_path = out / "checkpoint.npz"
        if not checkpoint_path.exists():
            raise FileNotFoundError(f"no checkpoint to resume in {out} (expected {checkpoint_path})")
        ckpt = persistence.load_checkpoint(checkpoint_path)
        cfg = dict(ckpt.config)
        ignored = [f"--{o.replace('_', '-')}" for o in _CONFIG_OPTIONS
                   if _given(ctx, "csv_path" if o == "csv" else o)]
        if ignored:
            err_console.print(Text(f"note: resuming with the run's own settings; ignoring {', '.join(ignored)}",
                                   style="yellow"), soft_wrap=True)
        if _given(ctx, "epochs"):
            cfg["epochs"] = epochs
    else:
        ckpt = None
        hidden_sizes = _numbers(hidden, "--hidden", int, positive=True, allow_empty=True)
        activations = _activation_list(activation)
        _choice(optimizer, OPTIMIZERS, "optimizer")
        if schedule is not None:
            _choice(schedule, SCHEDULES, "schedule")
        if output != "auto":
            _activation_list(output, "--output")
        if task not in ("auto", "classification", "regression"):
            raise UsageError(f"unknown task {task!r}; valid choices are: auto, classification, regression")
        _choice(dtype, {"float64", "float32"}, "dtype")
        if not 0 < test_size < 1:
            raise UsageError(f"--test-size must be a fraction between 0 and 1, got {test_size}")
        if lr is None:
            lr = 0.1 if optimizer in ("sgd", "momentum", "nesterov") else 0.01
        cfg = {"dataset": None if csv_path else dataset, "csv": None if csv_path is None else str(csv_path),
               "target": target, "task": task, "n_samples": n_samples, "noise": noise, "seed": seed,
               "test_size": test_size, "hidden": hidden_sizes, "activation": activations,
               "output": output, "optimizer": optimizer, "lr": lr, "schedule": schedule,
               "epochs": epochs, "batch_size": None if full_batch else batch_size, "l2": l2,
               "dropout": dropout, "dtype": dtype}
        if out is None:
            name = Path(csv_path).stem if csv_path else dataset
            out = Path("runs") / f"{name}-{datetime.now().strftime('%Y%m%d-%H%M%S')}"
        if (out / "model.npz").exists() or (out / "checkpoint.npz").exists():
            if not overwrite:
                raise UsageError(f"{out} already holds a run; use --resume to continue it, "
                                 "--overwrite to replace it, or another --out")
        out.mkdir(parents=True, exist_ok=True)

    # The data, rebuilt identically on --resume from the run's settings.
    csv_file = None if cfg.get("csv") is None else Path(cfg["csv"])
    X, y, feature_names, source = _load_data(cfg.get("dataset"), csv_file, cfg.get("target"),
                                             cfg["n_samples"], cfg["noise"], cfg["seed"])
    task_name = _task_of(y, cfg["task"])
    cfg["task"] = task_name
    y = _labels(y, task_name)
    X = X.astype(cfg["dtype"])
    X_train, X_test, y_train, y_test = _split(X, y, cfg["test_size"], cfg["seed"])
    X_train, X_test, scaler = standardize(X_train, X_test)

    if ckpt is None:
        net = _build_network(X.shape[1], y_train, task_name, cfg["hidden"], cfg["activation"],
                             cfg["output"], cfg["dropout"], cfg["seed"], np.dtype(cfg["dtype"]))
        opt = get_optimizer(cfg["optimizer"], lr=cfg["lr"])
        rng = np.random.default_rng(cfg["seed"])
        sched = _make_schedule(cfg["schedule"], cfg["lr"], cfg["epochs"])
        previous, start_epoch = History(), 0
    else:
        net, opt, rng, sched = ckpt.net, ckpt.optimizer, ckpt.rng, ckpt.schedule
        previous, start_epoch = ckpt.history, ckpt.epoch
        if rng is None:
            raise ValueError(f"{out / 'checkpoint.npz'} has no random generator state to resume from")
    total_epochs = cfg["epochs"]
    remaining = total_epochs - start_epoch
    info = {"task": task_name, "feature_names": list(feature_names), "source": source,
            "seed": cfg["seed"], "test_size": cfg["test_size"], "target": cfg.get("target")}

    # Per-epoch bookkeeping: the history so far, an in-memory snapshot of the last
    # finished epoch (written on Ctrl-C), and a checkpoint every N epochs.
    keys = History.SERIES
    hist = {k: list(getattr(previous, k)) for k in keys}
    live_schedule = None if sched is None else _ResumedSchedule(sched, start_epoch)
    state = {"snapshot": None, "written": start_epoch}
    checkpoint_path = out / "checkpoint.npz"

    def history_object():
        h = History(**{k: list(v) for k, v in hist.items()})
        h.stop_reason = previous.stop_reason
        return h

    def write_checkpoint(epoch, theta, optimizer, gen_state, net_gen_state, schedule_obj, history):
        saved_theta, saved_rng_state = net.theta.copy(), net.rng.bit_generator.state
        net.set_params(theta)
        net.rng.bit_generator.state = net_gen_state
        gen = np.random.Generator(type(rng.bit_generator)())
        gen.bit_generator.state = gen_state
        try:
            persistence.save_checkpoint(checkpoint_path, net, optimizer, history, epoch, rng=gen,
                                        schedule=schedule_obj, scaler=scaler, config=cfg, info=info)
        finally:
            net.set_params(saved_theta)
            net.rng.bit_generator.state = saved_rng_state
        state["written"] = epoch

    def on_epoch(epoch, logs):
        done = start_epoch + epoch + 1
        for k in keys:
            if k in logs:
                hist[k].append(float(logs[k]))
        state["snapshot"] = (done, net.theta.copy(), copy.deepcopy(opt), rng.bit_generator.state,
                             net.rng.bit_generator.state, copy.deepcopy(sched), history_object())
        if done % checkpoint_every == 0:
            write_checkpoint(*state["snapshot"])
        stats = f"loss {logs['loss']:.4f}"
        if "val_accuracy" in logs:
            stats += f"  test acc {logs['val_accuracy']:.3f}"
        elif "val_loss" in logs:
            stats += f"  test loss {logs['val_loss']:.4f}"
        progress.update(task_id, completed=done, stats=stats)

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
    progress = Progress(TextColumn("epoch"), MofNCompleteColumn(), BarColumn(),
                        TextColumn("{task.fields[stats]}"), TimeElapsedColumn(),
                        console=console, disable=quiet)
    history_now = None
    if remaining > 0:
        try:
            with progress, warnings.catch_warnings(), np.errstate(over="ignore", invalid="ignore"):
                # Divergence is reported once, below, in words; not as NumPy overflow warnings.
                warnings.simplefilter("ignore", TrainingDivergedWarning)
                warnings.simplefilter("ignore", RuntimeWarning)
                task_id = progress.add_task("train", total=total_epochs, completed=start_epoch, stats="")
                history_now = train_network(
                    net, X_train, y_train, optimizer=opt, epochs=remaining,
                    batch_size=cfg["batch_size"], schedule=live_schedule, l2=cfg["l2"],
                    validation_data=(X_test, y_test), callbacks=[on_epoch], random_state=rng)
        except KeyboardInterrupt:
            snap = state["snapshot"]
            if snap is not None and snap[0] > state["written"]:
                write_checkpoint(*snap)
            done = state["written"]
            err_console.print(Text(f"interrupted: {done} epochs are saved in {checkpoint_path}; continue "
                                   f"with: glassnet train --out {out} --resume", style="yellow"),
                              soft_wrap=True)
            raise typer.Exit(130)
    else:
        console.print(f"{out} has already trained {start_epoch} of {total_epochs} epochs; "
                      "rewriting its results (give a larger --epochs to train on)")

    history = history_object()
    if history_now is not None:
        history.stop_reason = history_now.stop_reason
        history.message = history_now.message
    epochs_done = len(history.loss)
    if history.stop_reason == "diverged":
        err_console.print(Text(f"warning: {history.message}", style="yellow"), soft_wrap=True)
    persistence.save_checkpoint(checkpoint_path, net, opt, history, epochs_done, rng=rng,
                                schedule=sched, scaler=scaler, config=cfg, info=info)

    # Results: model, metrics, history, pictures, report.
    model_path = persistence.save(net, out / "model.npz", scaler=scaler, info=info)
    with np.errstate(over="ignore", invalid="ignore"):  # a diverged run's scores may overflow
        train_scores = _scores(net, X_train, y_train, task_name)
        test_scores = _scores(net, X_test, y_test, task_name)
    metrics = {"task": task_name}
    for split, scores in (("train", train_scores), ("test", test_scores)):
        for k, v in scores.items():
            metrics[f"{split}_{k}"] = v
    metrics.update({
        "epochs": epochs_done, "stop_reason": history.stop_reason,
        "train_time_s": float(sum(history.epoch_time)),
        "wall_time_s": time.perf_counter() - started,
        "n_train": int(X_train.shape[0]), "n_test": int(X_test.shape[0]),
        "n_features": int(X.shape[1]), "n_params": int(net.n_params),
    })
    if task_name == "classification":
        metrics["classes"] = _plain(net.classes_)
    _write_json(out / "metrics.json", {**metrics, "config": cfg, "source": source})
    _write_history_csv(out / "history.csv", history)

    images = {}
    if plots:
        images = _run_plots(out, net, history, X_train, X_test, y_train, y_test, task_name)
    config_shown = {k: v for k, v in cfg.items() if v is not None}
    from .report import write_report
    report = write_report(out, {k: v for k, v in metrics.items() if k != "classes"}, history,
                          images, config_shown)

    _print_network(net)
    _print_metrics(metrics, task_name)
    headline = "test accuracy" if task_name == "classification" else "test R²"
    value = metrics["test_accuracy"] if task_name == "classification" else metrics["test_r2"]
    shown = f"{value:.3f}" if abs(value) < 1e4 else f"{value:.3e}"
    console.print(f"[bold]{headline}: {shown}[/bold]  ({epochs_done} epochs, "
                  f"{metrics['train_time_s']:.2f} s of training)")
    console.print(f"run folder: {out}")
    console.print(f"model: {model_path}")
    console.print(f"report: {report}")


def _write_history_csv(path, history):
    columns = [k for k in ("loss", "val_loss", "accuracy", "val_accuracy", "lr", "grad_norm", "epoch_time")
               if getattr(history, k)]
    with atomic_write(path, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["epoch", *columns])
        for i in range(len(history.loss)):
            writer.writerow([i + 1, *(repr(float(getattr(history, k)[i])) if i < len(getattr(history, k))
                                      else "" for k in columns)])


def _read_history_csv(path):
    from .training import History
    if not Path(path).is_file():
        raise FileNotFoundError(f"no history.csv in {Path(path).parent}")
    columns = {}
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        for row in reader:
            for k, v in row.items():
                if k != "epoch" and v not in ("", None):
                    try:
                        columns.setdefault(k, []).append(float(v))
                    except ValueError:
                        raise ValueError(f"{path}: column {k!r} holds a non-number {v!r}") from None
    if not columns.get("loss"):
        raise ValueError(f"{path} holds no loss values")
    known = set(History.__dataclass_fields__)
    return History(**{k: v for k, v in columns.items() if k in known})


def _run_plots(out, net, history, X_train, X_test, y_train, y_test, task):
    """The run's pictures; a picture that fails to draw is reported, not fatal."""
    from . import plots
    images = {}

    def attempt(name, draw):
        try:
            images[name] = _save_png(draw(), out / f"{name}.png")
        except Exception as exc:  # noqa: BLE001 - a picture must not cost the user the run
            err_console.print(Text(f"warning: could not draw {name}: {exc}", style="yellow"),
                              soft_wrap=True)

    attempt("learning_curves", lambda: plots.plot_history(history))
    if X_train.shape[1] == 2 and task == "classification":
        X_all = np.vstack([X_train, X_test])
        y_all = np.concatenate([y_train, y_test])
        attempt("decision_boundary", lambda: plots.plot_decision_boundary(net, X_all, y_all))
    if task == "classification":
        attempt("confusion_matrix", lambda: plots.plot_confusion_matrix(
            y_test, net.predict(X_test), labels=net.classes_))
    attempt("network", lambda: plots.plot_network(net))
    return images


def _print_network(net):
    table = Table(title="Network", title_justify="left")
    for name, justify in (("layer", "right"), ("shape", "left"), ("activation", "left"),
                          ("params", "right")):
        table.add_column(name, justify=justify)
    for i, layer in enumerate(net.layers, 1):
        act = repr(layer.activation).removesuffix("()")
        if layer.dropout:
            act += f" (dropout {layer.dropout:g})"
        table.add_row(str(i), f"{layer.n_in} → {layer.n_out}", act, str(layer.n_params))
    table.add_row("", "", "total", str(net.n_params), style="bold")
    console.print(table)


def _print_metrics(metrics, task):
    table = Table(title="Results", title_justify="left")
    table.add_column("")
    table.add_column("train", justify="right")
    table.add_column("test", justify="right")
    names = ("accuracy", "loss") if task == "classification" else ("r2", "mse", "loss")
    for name in names:
        label = {"r2": "R²", "mse": "mean squared error"}.get(name, name)
        table.add_row(label, _fmt(metrics[f"train_{name}"]), _fmt(metrics[f"test_{name}"]))
    console.print(table)


# --------------------------------------------------------------------------- evaluate

def _open_model(path):
    from .persistence import load_saved
    saved = load_saved(path)
    if saved.network is None:
        raise ValueError(f"{path} holds no network")
    return saved


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
    saved = _open_model(model)
    net, info = saved.network, saved.info
    _choice(split, {"all", "train", "test"}, "split")
    source = info.get("source", {})
    if csv_path is None and dataset is None:
        if "csv" in source:
            csv_path, target = Path(source["csv"]), target or source.get("target")
        elif "dataset" in source:
            dataset = source["dataset"]
        else:
            raise UsageError("name a dataset or give --csv PATH --target COLUMN")
    same_source = (csv_path is not None and str(csv_path) == source.get("csv")) or (
        csv_path is None and dataset == source.get("dataset"))
    seed = seed if seed is not None else info.get("seed", 0)
    X, y, _, _ = _load_data(dataset, csv_path, target, n_samples or source.get("n_samples", 500),
                            source.get("noise", 0.2) if noise is None else noise, seed)
    task = info.get("task") or ("classification" if net.classes_ is not None else "regression")
    y = _labels(y, task)
    if split != "all":
        if not same_source:
            raise UsageError("--split train/test repeats the training split, so it needs the data "
                             "the model was trained on")
        X_tr, X_te, y_tr, y_te = _split(X, y, info.get("test_size", 0.2), seed)
        X, y = (X_tr, y_tr) if split == "train" else (X_te, y_te)
    X = saved.transform(X.astype(net.dtype))
    scores = _scores(net, X, y, task)
    metrics = {"model": str(model), "data": str(csv_path or dataset), "split": split, "n_samples": len(y),
               **scores}
    table = Table(title=f"Evaluation of {model}", title_justify="left")
    table.add_column("metric")
    table.add_column("value", justify="right")
    for k, v in metrics.items():
        table.add_row({"r2": "R²", "mse": "mean squared error"}.get(k, k), _fmt(v))
    console.print(table)
    if task == "classification":
        _print_confusion(y, net.predict(X), net.classes_)
    if json_out is not None:
        _write_json(json_out, metrics)
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


# --------------------------------------------------------------------------- predict

def _read_features(path, net, info):
    """``(rows, header, X)``: the CSV's rows as text and the feature matrix the model needs."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"CSV file not found: {path}")
    with open(path, newline="", encoding="utf-8-sig") as f:
        rows = [[v.strip() for v in row] for row in csv.reader(f) if any(v.strip() for v in row)]
    if not rows:
        raise ValueError(f"CSV file {path} is empty")
    header = None
    if any(not _is_number(v) for v in rows[0]):
        header, rows = rows[0], rows[1:]
        if not rows:
            raise ValueError(f"CSV file {path} has a header but no data rows")
    width = len(header or rows[0])
    for i, row in enumerate(rows):
        if len(row) != width:
            raise ValueError(f"{path}, row {i + 1 + (header is not None)}: expected {width} fields, got {len(row)}")
    names = info.get("feature_names") or []
    n = net.n_inputs
    if header is not None and names and all(name in header for name in names):
        columns = [header.index(name) for name in names]
    elif header is not None and info.get("target") in header and width - 1 == n:
        columns = [j for j in range(width) if header[j] != info["target"]]
    elif width == n:
        columns = list(range(width))
    else:
        expected = f" ({', '.join(names)})" if names else ""
        raise ValueError(f"{path} has {width} columns, but the model expects {n} features{expected}")
    X = np.empty((len(rows), n))
    for i, row in enumerate(rows):
        for k, j in enumerate(columns):
            try:
                X[i, k] = float(row[j])
            except ValueError:
                column = header[j] if header else f"#{j + 1}"
                raise ValueError(f"{path}, row {i + 1 + (header is not None)}: column {column!r} holds "
                                 f"the non-number {row[j]!r}") from None
    return rows, header or [f"x{j}" for j in range(width)], X


@app.command()
def predict(
    model: Annotated[Path, typer.Argument(help="A model file (model.npz of a run).")],
    input_csv: Annotated[Path, typer.Argument(help="A CSV file of features (a header row is optional).")],
    out: Annotated[Optional[Path], typer.Option(help="Output CSV (default: INPUT.predictions.csv).")] = None,
    proba: Annotated[bool, typer.Option("--proba", help="Add a probability column per class.")] = False,
    column: Annotated[str, typer.Option(help="Name of the prediction column.")] = "prediction",
):
    """Predict every row of a CSV file; write the rows with a prediction column, atomically."""
    out = out or input_csv.with_name(input_csv.stem + ".predictions.csv")
    if out.resolve() == input_csv.resolve():
        raise UsageError("--out must differ from the input file")
    saved = _open_model(model)
    net = saved.network
    rows, header, X = _read_features(input_csv, net, saved.info)
    X_std = saved.transform(X.astype(net.dtype))
    prediction = net.predict(X_std)
    extra_header, extra = [], []
    if proba:
        if net.classes_ is None:
            raise UsageError("--proba needs a classifier")
        P = net.predict_output(X_std)
        if P.shape[1] == 1:
            P = np.hstack([1 - P, P])
        extra_header = [f"p({c})" for c in net.classes_]
        extra = [[repr(float(p)) for p in row] for row in P]
    with atomic_write(out, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow([*header, column, *extra_header])
        for i, row in enumerate(rows):
            value = prediction[i]
            value = repr(float(value)) if isinstance(value, (float, np.floating)) else str(_plain(value))
            writer.writerow([*row, value, *(extra[i] if extra else [])])
    console.print(f"wrote {len(rows)} predictions to {out}")


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
    from .trace import trace as trace_step
    from .training import encode_targets

    scaler = None
    if weights is not None:
        saved = _open_model(weights)
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
    from .data import standardize
    from .gradcheck import gradcheck
    from .training import encode_targets

    X, y, _, _ = _load_data(dataset, csv_path, target, max(samples, 50), 0.2, seed)
    if model is not None:
        saved = _open_model(model)
        net = saved.network
        task = saved.info.get("task") or ("classification" if net.classes_ is not None else "regression")
        y = _labels(y, task)
        X = saved.transform(X)
    else:
        task = _task_of(y)
        y = _labels(y, task)
        X = standardize(X)[0]
        net = _build_network(X.shape[1], y, task, _numbers(hidden, "--hidden", int, True, True),
                             _activation_list(activation), output, 0.0, seed, np.float64)
        if task == "classification":
            net.classes_ = np.unique(y)
    rows = np.random.default_rng(seed).permutation(X.shape[0])[:samples]
    Y, _ = encode_targets(net, y[rows], len(rows), fit=False)
    result = gradcheck(net, X[rows], Y, l2=l2)

    table = Table(title=f"Gradient check: {' → '.join(map(str, net.layer_sizes))}, "
                        f"{len(rows)} samples", title_justify="left")
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
    from .descent import descend as run_descent
    x0 = _numbers(start, "--start")
    result = run_descent(expression, x0 if len(x0) > 1 else x0[0], lr=lr, iterations=iterations, tol=tol)
    names = list(result.variables) if result.variables else [f"x{i + 1}" for i in range(result.path.shape[1])]
    table = Table(title=f"Gradient descent on f = {expression}, lr = {lr:g}", title_justify="left")
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
        from .plots import plot_descent
        _save_png(plot_descent(result, f=expression), plot)
        console.print(f"plot written to {plot}")


@app.command()
def derive(
    expression: Annotated[str, typer.Argument(help="The function, e.g. \"x**3 - 3*x\".")],
    var: Annotated[Optional[str], typer.Option(help="Differentiate with respect to this variable.")] = None,
    order: Annotated[int, typer.Option(min=1, help="Order of the derivative.")] = 1,
    critical: Annotated[bool, typer.Option("--critical", help="Find and classify the critical points.")] = False,
):
    """Symbolic derivative (or gradient) of an expression, or its critical points."""
    from . import calculus
    f = calculus.parse(expression)
    if critical:
        points = calculus.critical_points(expression)
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
        d = calculus.derivative(expression, var, order=order)
        name = var or (variables[0].name if variables else "x")
        prefix = "d" if order == 1 else f"d^{order}"
        console.print(Text(f"{prefix}/d{name}{'' if order == 1 else f'^{order}'} ({f}) = {d}"), soft_wrap=True)
        return
    for v, d in zip(variables, calculus.gradient(expression)):
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
    from .data import standardize
    from .experiments import run_experiment
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

    X, y, _, source = _load_data(dataset, csv_path, target, n_samples, noise, seed)
    task = _task_of(y)
    y = _labels(y, task)
    X_train, X_test, y_train, y_test = _split(X, y, test_size, seed)
    X_train, X_test, _ = standardize(X_train, X_test)
    n_runs = math.prod(len(v) for v in grid.values()) * seeds
    console.print(f"{n_runs} runs: {math.prod(len(v) for v in grid.values())} configurations × {seeds} seeds")
    with console.status("training…"), warnings.catch_warnings():
        from .training import TrainingDivergedWarning
        warnings.simplefilter("ignore", TrainingDivergedWarning)
        result = run_experiment(grid, X_train, y_train, X_test, y_test, seeds=tuple(range(seeds)),
                                base=base, n_jobs=jobs)
    console.print(result.table(rich=True))

    out = out or Path("runs") / f"experiment-{datetime.now().strftime('%Y%m%d-%H%M%S')}"
    out.mkdir(parents=True, exist_ok=True)
    records = result.as_records()
    _write_json(out / "results.json", {"source": source, "grid": {k: _plain(v) for k, v in grid.items()},
                                       "base": _plain(base), "seeds": seeds, "rows": records})
    with atomic_write(out / "results.csv", "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(records[0]))
        writer.writeheader()
        for rec in records:
            writer.writerow({k: json.dumps(v) if isinstance(v, list) else v for k, v in rec.items()})
    from .plots import plot_comparison
    _save_png(plot_comparison(result), out / "comparison.png")
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
    from .plots import plot_activations as draw
    _plot_done(_save_png(draw(None if names is None else _activation_list(names, "--names")), out))


@plot_app.command("losses")
def plot_losses(out: Annotated[Path, typer.Option(help="PNG file to write.")] = Path("losses.png")):
    """Loss functions against the prediction, for targets 1 and 0."""
    from .plots import plot_losses as draw
    _plot_done(_save_png(draw(), out))


@plot_app.command("ewma")
def plot_ewma(
    beta: Annotated[float, typer.Option(help="The decay β, in [0, 1).")] = 0.9,
    n: Annotated[int, typer.Option(min=1, help="Number of noisy data points.")] = 100,
    seed: Annotated[int, typer.Option(min=0, help="Seed of the noise.")] = 0,
    out: Annotated[Path, typer.Option(help="PNG file to write.")] = Path("ewma.png"),
):
    """A noisy signal with its moving average, with and without bias correction."""
    from .plots import plot_ewma as draw
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
    from .plots import plot_history as draw
    if not run.is_dir():
        raise FileNotFoundError(f"run folder not found: {run}")
    history = _read_history_csv(run / "history.csv")
    _plot_done(_save_png(draw(history), out or run / "learning_curves.png"))


@plot_app.command("network")
def plot_network(
    model: Annotated[Path, typer.Argument(help="A model file.")],
    out: Annotated[Path, typer.Option(help="PNG file to write.")] = Path("network.png"),
):
    """The network of a model: neurons and weighted connections."""
    from .plots import plot_network as draw
    _plot_done(_save_png(draw(_open_model(model).network), out))


@app.command()
def play(
    port: Annotated[int, typer.Option(min=0, max=65535, help="Port to serve on (0: any free port).")] = 8000,
    host: Annotated[str, typer.Option(help="Address to listen on (only this computer by default).")] = "127.0.0.1",
    no_browser: Annotated[bool, typer.Option("--no-browser", help="Do not open a browser.")] = False,
):
    """Open the playground: train networks in a browser and see their mathematics."""
    try:
        from .play.server import serve
    except ModuleNotFoundError as exc:
        if (exc.name or "").split(".")[0] not in ("starlette", "uvicorn", "anyio"):
            raise
        raise _Failure("the playground needs the play extra: pip install 'glassnet[play]'") from None
    serve(host=host, port=port, open_browser=not no_browser, echo=console.print)


# --------------------------------------------------------------------------- info

@app.command()
def info(model: Annotated[Path, typer.Argument(help="A model or checkpoint file.")]):
    """Describe a saved model or checkpoint: architecture, classes, preprocessing, provenance."""
    from .persistence import load_saved
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

def _error(message, code):
    text = " ".join(str(message).split()) or "unknown error"
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
