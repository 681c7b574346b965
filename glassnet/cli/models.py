"""Commands on saved models: ``evaluate``, ``predict``, ``export``, ``info``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal, cast

import typer
from rich.table import Table

if TYPE_CHECKING:
    Split = Literal["all", "train", "test"]

from .common import (
    Failure,
    UsageError,
    app,
    choice,
    console,
    fmt,
    output_file,
    print_confusion,
    print_network,
    write_json,
)


@app.command()
def evaluate(
    model: Annotated[Path, typer.Argument(help="A model file (model.npz of a run).")],
    dataset: Annotated[
        str | None, typer.Argument(help="A built-in dataset (default: the one the model was trained on).")
    ] = None,
    csv_path: Annotated[Path | None, typer.Option("--csv", help="Evaluate on this CSV file.")] = None,
    target: Annotated[str | None, typer.Option(help="The CSV's target column.")] = None,
    split: Annotated[
        str,
        typer.Option(
            help="all, train or test: which part of the data (train/test repeat the training run's split)."
        ),
    ] = "all",
    n_samples: Annotated[int | None, typer.Option(min=1, help="Samples of a generated dataset.")] = None,
    noise: Annotated[float | None, typer.Option(min=0, help="Noise of a generated dataset.")] = None,
    seed: Annotated[
        int | None, typer.Option(min=0, help="Seed of a generated dataset and the split.")
    ] = None,
    json_out: Annotated[Path | None, typer.Option("--json", help="Also write the metrics here.")] = None,
) -> None:
    """Score a saved model on a dataset or CSV file: accuracy (or R²), loss, confusion matrix."""
    import numpy as np

    from ..runs.tools import SplitNeedsTrainingData, evaluate as evaluate_model

    choice(split, {"all", "train", "test"}, "split")
    if json_out is not None:
        output_file(json_out, "--json", {"the model file": model, "the CSV file": csv_path})
    try:
        result = evaluate_model(
            model, dataset, csv_path, target, cast("Split", split), n_samples, noise, seed
        )
    except SplitNeedsTrainingData as exc:
        raise UsageError(f"--split {split}: {exc}" if split != "all" else str(exc)) from None
    table = Table(title=f"Evaluation of {model}", title_justify="left")
    table.add_column("metric")
    table.add_column("value", justify="right")
    for k, v in result.metrics.items():
        table.add_row({"r2": "R²", "mse": "mean squared error"}.get(k, k), fmt(v))
    console.print(table)
    if result.classes is not None and np.ndim(result.y_true) == 1:
        print_confusion(result.y_true, result.y_pred, result.classes)
    if json_out is not None:
        write_json(json_out, result.metrics)
        console.print(f"metrics written to {json_out}")


@app.command()
def predict(
    model: Annotated[Path, typer.Argument(help="A model file (model.npz of a run).")],
    input_csv: Annotated[Path, typer.Argument(help="A CSV file of features (a header row is optional).")],
    out: Annotated[Path | None, typer.Option(help="Output CSV (default: INPUT.predictions.csv).")] = None,
    proba: Annotated[bool, typer.Option("--proba", help="Add a probability column per class.")] = False,
    column: Annotated[
        str, typer.Option(help="Name of the prediction column (not one the input already has).")
    ] = "prediction",
) -> None:
    """Predict every row of a CSV file; write the rows with a prediction column, atomically."""
    from ..runs.tools import ColumnTaken, predict_csv, predictions_path

    if not column.strip():
        raise UsageError("--column needs a name")
    if proba:
        from ..runs.tools import open_model

        network = open_model(model).network
        assert network is not None  # open_model refuses a file without one
        if not network.head.is_classifier:
            raise UsageError("--proba needs a classifier")
    output_file(
        predictions_path(input_csv, out),
        "--out",
        {"the model file": model, "the input file": input_csv},
    )
    try:
        written, n_rows = predict_csv(model, input_csv, out, proba=proba, column=column)
    except ColumnTaken as exc:
        raise UsageError(f"--column {column}: {exc}") from None
    console.print(f"wrote {n_rows} predictions to {written}")


# --------------------------------------------------------------------------- export


@app.command()
def export(
    model: Annotated[Path, typer.Argument(help="A model file (model.npz of a run).")],
    out: Annotated[Path, typer.Argument(help="The ONNX file to write (e.g. model.onnx).")],
    dtype: Annotated[str, typer.Option(help="float32 or float64 (input, weights, outputs).")] = "float32",
    opset: Annotated[
        int | None,
        typer.Option(min=13, help="ONNX opset (default: the oldest that has every operator needed)."),
    ] = None,
) -> None:
    """Export a saved model to ONNX, its standardizer included, for onnxruntime and other runtimes."""
    choice(dtype, {"float32", "float64"}, "dtype")
    output_file(out, "OUT", {"the model file": model})
    try:
        from ..onnx import export_onnx

        proto = export_onnx(model, out, dtype=dtype, opset=opset)
    except ImportError as exc:
        raise Failure(exc) from None
    inputs = ", ".join(
        f"{v.name} (N, {v.type.tensor_type.shape.dim[1].dim_value})" for v in proto.graph.input
    )
    outputs = ", ".join(v.name for v in proto.graph.output)
    task = {p.key: p.value for p in proto.metadata_props}["task"]
    console.print(
        f"wrote {out} ({task}, {dtype}, opset {proto.opset_import[0].version}): {inputs} → {outputs}",
        soft_wrap=True,
    )


# --------------------------------------------------------------------------- info


@app.command()
def info(model: Annotated[Path, typer.Argument(help="A model or checkpoint file.")]) -> None:
    """Describe a saved model or checkpoint: architecture, classes, preprocessing, provenance."""
    from ..io import load_saved

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
            table.add_row(
                key.replace("_", " "),
                ", ".join(map(str, value))
                if isinstance(value, list)
                else json.dumps(value)
                if isinstance(value, dict)
                else str(value),
            )
    if meta["kind"] == "checkpoint":
        table.add_row("epochs done", str(meta["epoch"]))
        table.add_row("optimizer", f"{meta['optimizer']['name']} (step {meta['optimizer']['t']})")
    console.print(table)
    if net is not None:
        print_network(net)
