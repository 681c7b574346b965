"""Experiments: sweep a hyperparameter grid over several seeds and compare the results.

::

    result = run_experiment({"hidden": [(16,), (32, 16)], "lr": [0.01, 0.1]},
                            X_train, y_train, X_test, y_test, seeds=(0, 1, 2))
    print(result.table())          # one row per configuration, mean ± std over seeds
    result.best                    # the row with the best mean test score

Each run builds a fresh :class:`~glassnet.network.Network` and trains it with
:func:`glassnet.train`, both seeded with the run's seed, so a run gives the same
numbers wherever it executes. The output layer follows the task: one sigmoid unit
for two classes, softmax for more, sigmoid units for a multi-label indicator
matrix, identity units for regression. Classifiers are scored by accuracy,
regressors by R².

Runs are independent jobs for :mod:`joblib` (``n_jobs``), or tasks on a Dask
cluster (``scheduler="local"`` or ``"tcp://host:port"``), with the same numbers.
"""

from __future__ import annotations

import inspect
import math
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypeAlias, cast, overload

import numpy as np

if TYPE_CHECKING:
    from rich.table import Table

    from .._typing import ActivationName, ArrayLike, FloatArray, PathLike
    from ..heads import Head
    from ..network import Network
    from ..training import History

Grid: TypeAlias = "Mapping[str, Sequence[Any]] | Sequence[Mapping[str, Sequence[Any]]]"
"""A hyperparameter grid: a dict of lists of values, or a list of such dicts."""

NETWORK_KEYS = ("hidden", "activation", "output", "init", "dropout")
"""Grid keys that shape the network; every other key is an argument of :func:`glassnet.train`."""

DEFAULTS: dict[str, Any] = {
    "hidden": (32,),
    "activation": "relu",
    "optimizer": "adam",
    "lr": 0.01,
    "epochs": 100,
    "batch_size": 32,
}
"""Settings of every run unless ``base`` or the grid says otherwise."""

_RESERVED = ("net", "X", "y", "random_state", "validation", "callbacks", "initial_epoch")


def _train_keys() -> list[str]:
    from ..training import train

    return [k for k in inspect.signature(train).parameters if k not in _RESERVED]


@dataclass
class ExperimentResult:
    """The outcome of :func:`run_experiment`.

    Attributes
    ----------
    rows : list of dict
        One per configuration, in grid order: ``config`` (a label), ``params``,
        ``train_score_mean/std``, ``test_score_mean/std``, ``final_loss_mean/std``,
        ``time_mean/std`` (seconds), ``n_seeds``.
    runs : list of dict
        One per (configuration, seed): ``config_index``, ``seed``, ``train_score``,
        ``test_score``, ``final_loss``, ``time``, ``epochs``, ``stop_reason``.
    histories : list of list of History
        ``histories[i][s]``: the history of configuration ``i`` with seed ``seeds[s]``.
    metric : str
        ``"accuracy"`` for classification, ``"r2"`` for regression.
    task : str
        ``"binary"``, ``"multiclass"``, ``"multilabel"`` or ``"regression"``.
    seeds : tuple
    """

    rows: list[dict[str, Any]]
    runs: list[dict[str, Any]]
    histories: list[list[History]]
    metric: str
    task: str
    seeds: tuple[int, ...]
    grid: Grid | None = None
    base: dict[str, Any] = field(default_factory=dict)

    @property
    def best(self) -> dict[str, Any]:
        """The row with the highest mean test score."""
        return max(self.rows, key=lambda r: (r["test_score_mean"], -r["final_loss_mean"]))

    def save(self, folder: PathLike, source: Mapping[str, Any] | None = None) -> Path:
        """Write ``results.json``, ``results.csv`` and ``comparison.png`` into ``folder``, atomically."""
        import csv
        import json

        from ..io.files import atomic_write, plain, save_png, write_json
        from .plots import plot_comparison

        target = Path(folder)
        target.mkdir(parents=True, exist_ok=True)
        records = self.as_records()
        grid = self.grid if isinstance(self.grid, dict) else {}
        write_json(
            target / "results.json",
            {
                "source": source or {},
                "grid": plain(grid),
                "base": plain(self.base),
                "seeds": len(self.seeds),
                "rows": records,
            },
        )
        with atomic_write(target / "results.csv", "w", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=list(records[0]))
            writer.writeheader()
            for rec in records:
                writer.writerow({k: json.dumps(v) if isinstance(v, list) else v for k, v in rec.items()})
        save_png(plot_comparison(self), target / "comparison.png")
        return target

    def as_records(self, histories: bool = False) -> list[dict[str, Any]]:
        """Plain dicts for JSON or CSV: the configuration's parameters spread into columns.

        With ``histories=True`` each record also carries ``histories``, the seeds'
        ``History.as_dict()`` (for JSON; CSV wants flat records).
        """
        records = []
        for i, row in enumerate(self.rows):
            rec: dict[str, Any] = {"config": row["config"]}
            rec.update({k: _plain(v) for k, v in row["params"].items()})
            rec.update({k: v for k, v in row.items() if k not in ("config", "params")})
            rec["metric"] = self.metric
            if histories:
                rec["histories"] = [h.as_dict() for h in self.histories[i]]
            records.append(rec)
        return records

    def mean_curves(self) -> list[dict[str, FloatArray]]:
        """Per row, the loss curves (``loss``, ``val_loss``, accuracies) averaged over seeds.

        Runs that stopped early are shorter; each epoch averages the runs that reached it.
        """
        out = []
        for hists in self.histories:
            curves: dict[str, FloatArray] = {}
            for key in ("loss", "val_loss", "accuracy", "val_accuracy"):
                series = [list(getattr(h, key)) for h in hists if getattr(h, key)]
                if not series:
                    curves[key] = np.array([])
                    continue
                length = max(len(s) for s in series)
                padded = np.full((len(series), length), np.nan)
                for r, s in enumerate(series):
                    padded[r, : len(s)] = s
                curves[key] = np.nanmean(padded, axis=0)
            out.append(curves)
        return out

    @overload
    def table(self, rich: Literal[False] = False) -> str: ...
    @overload
    def table(self, rich: Literal[True]) -> Table: ...
    @overload
    def table(self, rich: bool) -> str | Table: ...

    def table(self, rich: bool = False) -> str | Table:
        """The comparison table as plain text (``rich=True``: a ``rich.table.Table``)."""
        name = {"accuracy": "accuracy", "r2": "R²"}.get(self.metric, self.metric)
        headers = ["#", "configuration", f"train {name}", f"test {name}", "final loss", "time (s)"]
        best = self.best
        body = []
        for i, r in enumerate(self.rows):
            body.append(
                [
                    str(i + 1) + (" *" if r is best else ""),
                    r["config"],
                    _pm(r["train_score_mean"], r["train_score_std"]),
                    _pm(r["test_score_mean"], r["test_score_std"]),
                    _pm(r["final_loss_mean"], r["final_loss_std"], digits=4, general=True),
                    _pm(r["time_mean"], r["time_std"], digits=3),
                ]
            )
        caption = (
            f"{len(self.seeds)} seed{'s' if len(self.seeds) != 1 else ''} per configuration "
            f"(mean ± std); * best test {name}"
        )
        if rich:
            from rich.table import Table

            table = Table(title="Experiment", caption=caption)
            for i, h in enumerate(headers):
                table.add_column(h, justify="left" if i == 1 else "right")
            for line in body:
                table.add_row(*line)
            return table
        widths = [max(len(h), *(len(line[i]) for line in body)) for i, h in enumerate(headers)]

        def fmt(cells: Sequence[str]) -> str:
            return "  ".join(
                c.ljust(w) if i == 1 else c.rjust(w)
                for i, (c, w) in enumerate(zip(cells, widths, strict=True))
            ).rstrip()

        lines = [fmt(headers), "  ".join("-" * w for w in widths)]
        lines += [fmt(line) for line in body]
        lines.append(caption)
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.table()

    def __repr__(self) -> str:
        return (
            f"ExperimentResult({len(self.rows)} configurations × {len(self.seeds)} seeds, "
            f"best test {self.metric} {self.best['test_score_mean']:.4f}: {self.best['config']})"
        )


def _pm(mean: float, std: float, digits: int = 3, general: bool = False) -> str:
    f = f"{{:.{digits}{'g' if general else 'f'}}}"
    return f"{f.format(mean)} ± {f.format(std)}"


def _plain(value: object) -> Any:
    """A JSON/CSV friendly version of a parameter value."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, (tuple, list)) and all(
        v is None or isinstance(v, (bool, int, float, str, np.generic)) for v in value
    ):
        return [_plain(v) for v in value]
    return str(value)


def _short(value: object) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, tuple):
        return "(" + ", ".join(_short(v) for v in value) + ("," if len(value) == 1 else "") + ")"
    if isinstance(value, str):
        return value
    return repr(value)


def _label(params: Mapping[str, Any], keys: Iterable[str]) -> str:
    return " ".join(f"{k}={_short(params[k])}" for k in keys) or "default"


def _build(params: Mapping[str, Any], n_inputs: int, head: Head, n_outputs: int, seed: int) -> Network:
    """The network of one run: hidden layers from ``params``, the output layer from the task's head."""
    from ..network import Network

    hidden = params.get("hidden", ())
    hidden = (hidden,) if isinstance(hidden, (int, np.integer)) else tuple(hidden)
    # The grid's names are checked by the Network they build.
    output = cast("ActivationName", params.get("output") or head.activation.name)
    activations = [cast("ActivationName", params.get("activation", "relu"))] * len(hidden)
    return Network(
        [n_inputs, *hidden, n_outputs],
        activations=activations,
        output=output,
        init=params.get("init", "auto"),
        dropout=params.get("dropout", 0.0),
        random_state=seed,
        task=head.task,
    )


def _score(net: Network, X: FloatArray, y: ArrayLike) -> float:
    return net.head.score(y, net.predict(X))


def _run_one(
    index: int,
    params: Mapping[str, Any],
    seed: int,
    X_train: FloatArray,
    y_train: ArrayLike,
    X_test: FloatArray,
    y_test: ArrayLike,
    head: Head,
    n_outputs: int,
) -> tuple[dict[str, Any], History]:
    """Build, train and score one configuration with one seed (a joblib job)."""
    from ..training import train

    start = time.perf_counter()
    net = _build(params, X_train.shape[1], head, n_outputs, seed)
    train_args = {k: v for k, v in params.items() if k not in NETWORK_KEYS}
    history = train(net, X_train, y_train, random_state=seed, **train_args)
    elapsed = time.perf_counter() - start
    return {
        "config_index": index,
        "seed": seed,
        "train_score": _score(net, X_train, y_train),
        "test_score": _score(net, X_test, y_test),
        "final_loss": float(history.loss[-1]) if history.loss else math.nan,
        "time": elapsed,
        "epochs": history.epochs,
        "stop_reason": history.stop_reason,
    }, history


def run_experiment(
    grid: Grid,
    X_train: ArrayLike,
    y_train: ArrayLike,
    X_test: ArrayLike,
    y_test: ArrayLike,
    seeds: Sequence[int] = (0, 1, 2),
    base: Mapping[str, Any] | None = None,
    n_jobs: int = 1,
    verbose: int = 0,
    scheduler: str | None = None,
) -> ExperimentResult:
    """Train every configuration of ``grid`` with every seed and compare them.

    Parameters
    ----------
    grid : dict of lists, or list of such dicts
        As for :class:`sklearn.model_selection.ParameterGrid`. Keys: the network's
        ``hidden`` (tuple of hidden-layer sizes), ``activation`` (of the hidden
        layers), ``output``, ``init``, ``dropout``; and any argument of
        :func:`glassnet.train` (``lr``, ``optimizer``, ``epochs``, ``batch_size``,
        ``schedule``, ``l2``, ``early_stopping``, …).
    X_train, y_train, X_test, y_test : array-like
        Labels (classification, any type) or numbers (regression).
    seeds : sequence of int
        Each configuration runs once per seed (initial weights, shuffling).
    base : dict, optional
        Settings shared by every configuration; the grid overrides them, and
        they override :data:`DEFAULTS`.
    n_jobs : int
        Parallel jobs for joblib (``-1``: all cores). Results do not depend on it.
    verbose : int
        joblib's progress messages.
    scheduler : str, optional
        Run every (configuration, seed) as a task on a Dask cluster instead:
        ``"local"`` starts a LocalCluster on 127.0.0.1 (worker processes) and
        closes it at the end; ``"tcp://host:port"`` uses a running one. The
        numbers are those of a serial run. Needs the ``dask`` extra.

    Returns
    -------
    ExperimentResult
    """
    grids, base, seeds = _checked_settings(grid, base, seeds)
    if scheduler is not None:
        from ..distributed.cluster import check_scheduler

        check_scheduler(scheduler)
    X_train, y_train, X_test, y_test, head, n_outputs = _checked_data(X_train, y_train, X_test, y_test)
    configs, labels = _configurations(grids, base)
    jobs = [(i, params, seed) for i, params in enumerate(configs) for seed in seeds]
    shared = (X_train, y_train, X_test, y_test, head, n_outputs)
    if scheduler is not None:
        from ..distributed.sweeps import map_on_cluster

        outputs = map_on_cluster(scheduler, _run_one, jobs, shared)
    else:
        from joblib import Parallel, delayed

        outputs = Parallel(n_jobs=n_jobs, verbose=verbose)(delayed(_run_one)(*job, *shared) for job in jobs)
    runs = [run for run, _ in outputs]
    histories: list[list[History]] = [[] for _ in configs]
    for run, history in outputs:
        histories[run["config_index"]].append(history)
    return ExperimentResult(
        rows=_rows(configs, labels, runs),
        runs=runs,
        histories=histories,
        metric=head.metric,
        task=head.task,
        seeds=seeds,
        grid=grid,
        base=base,
    )


def _checked_settings(
    grid: Grid, base: Mapping[str, Any] | None, seeds: Sequence[int]
) -> tuple[list[Mapping[str, Sequence[Any]]], dict[str, Any], tuple[int, ...]]:
    """``(grids, base, seeds)``: the grid as a list of dicts, every key known, every list non-empty."""
    grids: list[Any] = [grid] if isinstance(grid, dict) else list(grid)
    valid = set(NETWORK_KEYS) | set(_train_keys())
    for g in grids:
        if not isinstance(g, dict):
            raise ValueError(f"grid must be a dict of lists or a list of such dicts, got {type(g).__name__}")
        for key, values in g.items():
            if key not in valid:
                raise ValueError(f"unknown grid key {key!r}; valid keys are: {', '.join(sorted(valid))}")
            if isinstance(values, (str, bytes)) or not hasattr(values, "__iter__"):
                raise ValueError(f"grid[{key!r}] must be a list of values, got {values!r}")
            if len(values) == 0:
                raise ValueError(f"grid[{key!r}] is empty")
    base = dict(base or {})
    for key in base:
        if key not in valid:
            raise ValueError(f"unknown base key {key!r}; valid keys are: {', '.join(sorted(valid))}")
    seeds = tuple(int(s) for s in seeds)
    if not seeds:
        raise ValueError("seeds is empty: give at least one seed")
    return grids, base, seeds


def _checked_data(
    X_train: ArrayLike, y_train: ArrayLike, X_test: ArrayLike, y_test: ArrayLike
) -> tuple[FloatArray, Any, FloatArray, Any, Head, int]:
    """The four arrays checked, the targets as the task needs them, and the task's head."""
    from .._validation import check_X
    from ..heads import as_targets, head_for_targets

    X_tr: FloatArray = check_X(X_train, name="X_train")
    X_te: FloatArray = check_X(X_test, X_tr.shape[1], dtype=X_tr.dtype, name="X_test")
    y_tr, y_te = np.asarray(y_train), np.asarray(y_test)
    if y_tr.shape[0] != X_tr.shape[0]:
        raise ValueError(
            f"X_train and y_train have different numbers of samples: {X_tr.shape[0]} and {y_tr.shape[0]}"
        )
    if y_te.shape[0] != X_te.shape[0]:
        raise ValueError(
            f"X_test and y_test have different numbers of samples: {X_te.shape[0]} and {y_te.shape[0]}"
        )
    head, n_outputs, targets = head_for_targets(y_tr)
    return X_tr, targets, X_te, as_targets(y_te, head.task), head, n_outputs


def _configurations(
    grids: Sequence[Mapping[str, Sequence[Any]]], base: Mapping[str, Any]
) -> tuple[list[dict[str, Any]], list[str]]:
    """Every configuration of the grid (``DEFAULTS``, then ``base``, then the grid's values) and its label."""
    from sklearn.model_selection import ParameterGrid

    configs, labels = [], []
    for params in ParameterGrid(grids):
        keys = [k for g in grids if set(g) <= set(params) for k in sorted(g)]
        labels.append(_label(params, dict.fromkeys(keys)))
        configs.append({**DEFAULTS, **base, **params})
    return configs, labels


def _rows(
    configs: Sequence[dict[str, Any]], labels: Sequence[str], runs: Sequence[Mapping[str, Any]]
) -> list[dict[str, Any]]:
    """One row per configuration: mean and standard deviation over its seeds."""
    rows = []
    for i, params in enumerate(configs):
        mine = [r for r in runs if r["config_index"] == i]
        row: dict[str, Any] = {"config": labels[i], "params": params}
        for key in ("train_score", "test_score", "final_loss", "time"):
            values = np.array([r[key] for r in mine], dtype=float)
            row[f"{key}_mean"] = float(values.mean())
            row[f"{key}_std"] = float(values.std())
        row["n_seeds"] = len(mine)
        rows.append(row)
    return rows
