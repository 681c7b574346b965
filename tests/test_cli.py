"""The glassnet command end to end: every subcommand, its help, and its error path.

Commands run in-process through ``glassnet.cli.main`` (as the console script
does), plus a few real ``python -m glassnet`` subprocesses. Every error must be
one line ``error: …`` on stderr with a non-zero exit status and no traceback.
"""

import csv
import json
import os
import stat
import subprocess
import sys
import time

import numpy as np
import pytest
from test_expressions import HANG, HOSTILE

from glassnet import cli, training
from glassnet.persistence import load, load_checkpoint, load_saved

FAST = ["--epochs", "6", "--n-samples", "120", "--no-plots", "-q"]


def assert_error(result, code, *phrases):
    """One red line on stderr, the expected status, no traceback anywhere."""
    assert result.code == code, (result.code, result.out, result.err)
    assert "Traceback" not in result.out + result.err
    lines = result.err.strip().splitlines()
    assert len(lines) == 1, result.err
    assert lines[0].startswith("error: ")
    for phrase in phrases:
        assert phrase in lines[0], lines[0]


@pytest.fixture(scope="module")
def trained_run(tmp_path_factory):
    """One small run with pictures and report, shared by the tests that need a model."""
    folder = tmp_path_factory.mktemp("run") / "moons"
    with pytest.raises(SystemExit) as exc:
        cli.main(["train", "--epochs", "30", "--n-samples", "200", "--out", str(folder), "-q"])
    assert exc.value.code == 0
    return folder


# --------------------------------------------------------------------------- help

COMMANDS = [
    "train",
    "evaluate",
    "predict",
    "trace",
    "gradcheck",
    "descend",
    "derive",
    "experiment",
    "plot",
    "info",
    "plot activations",
    "plot losses",
    "plot ewma",
    "plot history",
    "plot network",
]


@pytest.mark.parametrize("command", ["", *COMMANDS])
def test_help_at_every_level(run, command):
    result = run(*command.split(), "--help")
    assert result.code == 0, result.err
    assert "Usage" in result.out and "--help" in result.out


def test_bare_command_and_bare_group_show_help(run):
    for args in ([], ["plot"]):
        result = run(*args)
        assert result.code == 0 and "Usage" in result.out and "Commands" in result.out


def test_version(run):
    result = run("--version")
    assert result.code == 0 and result.out.startswith("glassnet ")


def test_python_dash_m_runs_the_same_command(tmp_path):
    ok = subprocess.run([sys.executable, "-m", "glassnet", "--help"], capture_output=True, text=True)
    assert ok.returncode == 0 and "train" in ok.stdout
    bad = subprocess.run(
        [sys.executable, "-m", "glassnet", "train", "nosuchdata", "--out", str(tmp_path / "r")],
        capture_output=True,
        text=True,
    )
    assert bad.returncode == 1
    assert "Traceback" not in bad.stdout + bad.stderr
    assert bad.stderr.strip().splitlines() == [bad.stderr.strip()]
    assert bad.stderr.startswith("error: unknown dataset 'nosuchdata'")


def test_unknown_command_and_option_are_usage_errors(run):
    assert_error(run("nosuch"), 2, "nosuch")
    assert_error(run("train", "--nosuch"), 2, "--nosuch")
    assert_error(run("train", "--epochs", "many"), 2, "--epochs")


# --------------------------------------------------------------------------- train


def test_train_writes_a_complete_run_folder(trained_run):
    names = {p.name for p in trained_run.iterdir()}
    assert {
        "model.npz",
        "checkpoint.npz",
        "metrics.json",
        "history.csv",
        "report.html",
        "learning_curves.png",
        "decision_boundary.png",
        "confusion_matrix.png",
        "network.png",
    } <= names
    assert not [n for n in names if n.endswith(".tmp")]
    metrics = json.loads((trained_run / "metrics.json").read_text())
    assert metrics["task"] == "classification" and metrics["epochs"] == 30
    assert 0.8 <= metrics["test_accuracy"] <= 1.0
    assert metrics["config"]["dataset"] == "moons" and metrics["config"]["hidden"] == [16, 8]
    with open(trained_run / "history.csv") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 30 and {"epoch", "loss", "val_loss", "accuracy", "val_accuracy"} <= set(rows[0])
    report = (trained_run / "report.html").read_text()
    assert report.count('<img src="data:image/png;base64,') == 4


def test_train_prints_a_summary_and_the_test_accuracy(run):
    result = run("train", "--epochs", "5", "--n-samples", "100", "--out", "r", "--no-plots")
    assert result.code == 0, result.err
    assert "Network" in result.out and "Results" in result.out and "total" in result.out
    assert "test accuracy: " in result.out and "report: r/report.html" in result.out
    assert "epoch" in result.out  # the progress bar


def test_train_on_other_datasets_and_tasks(run):
    result = run(
        "train",
        "iris",
        "--hidden",
        "8",
        "--activation",
        "tanh",
        "--optimizer",
        "sgd",
        "--schedule",
        "cosine",
        "--out",
        "iris",
        *FAST,
    )
    assert result.code == 0, result.err
    net = load("iris/model.npz")
    assert net.layer_sizes == [4, 8, 3] and net.output_activation.name == "softmax"
    result = run("train", "diabetes", "--hidden", "8", "--lr", "0.05", "--out", "diabetes", *FAST)
    assert result.code == 0, result.err
    assert "test R²" in result.out
    assert json.loads(open("diabetes/metrics.json").read())["task"] == "regression"
    result = run("train", "--hidden", "", "--full-batch", "--dtype", "float32", "--out", "logreg", *FAST)
    assert result.code == 0, result.err
    assert load("logreg/model.npz").layer_sizes == [2, 1]
    assert load("logreg/model.npz").dtype == np.float32


def _write_labels_csv(path, n=80):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n, 3))
    label = np.where(X[:, 0] + X[:, 1] > 0, "yes", "no")
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["a", "b", "c", "label"])
        for row, lab in zip(X.tolist(), label, strict=True):
            w.writerow([*row, lab])
    return X, label


def test_train_on_a_csv_with_string_labels(run, tmp_path):
    _write_labels_csv(tmp_path / "data.csv")
    result = run("train", "--csv", "data.csv", "--target", "label", "--out", "csvrun", *FAST)
    assert result.code == 0, result.err
    saved = load_saved("csvrun/model.npz")
    assert saved.network.classes_.tolist() == ["no", "yes"]
    assert saved.info["feature_names"] == ["a", "b", "c"]


@pytest.mark.parametrize(
    "extra",
    [
        [],
        ["--schedule", "exponential", "--dropout", "0.2"],
        ["--optimizer", "momentum", "--schedule", "plateau"],
        ["--no-shuffle", "--no-standardize", "--beta1", "0.8", "--eps", "1e-6"],
    ],
)
def test_resume_gives_the_same_weights_as_training_straight_through(run, extra):
    assert run("train", "--out", "straight", "--epochs", "8", *FAST[2:], *extra).code == 0
    assert run("train", "--out", "split", "--epochs", "4", *FAST[2:], *extra).code == 0
    assert load_checkpoint("split/checkpoint.npz").epoch == 4
    result = run("train", "--out", "split", "--resume", "--epochs", "8", *FAST[2:])
    assert result.code == 0, result.err
    assert load("split/model.npz").theta.tobytes() == load("straight/model.npz").theta.tobytes()
    with open("split/history.csv") as a, open("straight/history.csv") as b:
        split_rows, straight_rows = list(csv.DictReader(a)), list(csv.DictReader(b))
    assert [r["loss"] for r in split_rows] == [r["loss"] for r in straight_rows]


def test_train_xor_on_its_four_points_without_a_test_split(run):
    result = run(
        "train",
        "xor",
        "--n-samples",
        "4",
        "--noise",
        "0",
        "--test-size",
        "0",
        "--hidden",
        "4",
        "--activation",
        "tanh",
        "--optimizer",
        "sgd",
        "--lr",
        "0.5",
        "--full-batch",
        "--epochs",
        "3000",
        "--no-standardize",
        "--no-shuffle",
        "--out",
        "xor",
        "-q",
    )
    assert result.code == 0, result.err
    assert "no test split" in result.err
    metrics = json.loads(open("xor/metrics.json").read())
    assert metrics["held_out"] is False and metrics["n_train"] == metrics["n_test"] == 4
    assert metrics["train_accuracy"] == metrics["test_accuracy"] == 1.0
    assert metrics["config"]["standardize"] is False and metrics["config"]["shuffle"] is False
    with open("xor/history.csv") as f:
        assert "val_loss" not in next(csv.reader(f))  # nothing held out, nothing to validate on
    assert load_saved("xor/model.npz").scaler is None


def test_adams_betas_and_eps_reach_the_optimizer(run):
    result = run("train", "--beta1", "0.5", "--beta2", "0.99", "--eps", "1e-6", "--out", "adam", *FAST)
    assert result.code == 0, result.err
    optimizer = load_checkpoint("adam/checkpoint.npz").optimizer
    assert (optimizer.beta1, optimizer.beta2, optimizer.eps) == (0.5, 0.99, 1e-6)
    assert_error(run("train", "--beta2", "1", "--out", "x", *FAST), 2, "--beta2")
    assert_error(run("train", "--eps", "0", "--out", "x", *FAST), 2, "--eps")


def test_a_checkpoint_from_before_the_new_settings_resumes_with_their_defaults():
    from glassnet.runs import RunConfig

    old = RunConfig().as_dict()
    for key in ("standardize", "shuffle", "beta1", "beta2", "eps"):
        del old[key]
    config = RunConfig.from_dict(old).checked()
    assert (config.standardize, config.shuffle, config.beta1, config.beta2, config.eps) == (
        True,
        True,
        0.9,
        0.999,
        1e-8,
    )


def _press_ctrl_c(monkeypatch, at_epoch, times=1):
    """Make training receive ``times`` real SIGINTs (Ctrl-C) during epoch ``at_epoch``."""
    import os
    import signal

    real_train = training.train

    def interrupted_train(*args, callbacks=(), **kwargs):
        def ctrl_c(epoch, logs):
            if epoch == at_epoch:
                for _ in range(times):
                    os.kill(os.getpid(), signal.SIGINT)

        return real_train(*args, callbacks=[ctrl_c, *callbacks], **kwargs)

    monkeypatch.setattr(training, "train", interrupted_train)
    return real_train


def test_an_interrupted_run_keeps_its_finished_epochs(run, monkeypatch):
    real_train = _press_ctrl_c(monkeypatch, at_epoch=4)
    result = run("train", "--out", "cut", "--epochs", "9", "--checkpoint-every", "3", *FAST[2:])
    assert result.code == 130
    assert "interrupted" in result.err and "--resume" in result.err and "Traceback" not in result.err
    assert load_checkpoint("cut/checkpoint.npz").epoch == 5  # not 3: the last finished epoch
    monkeypatch.setattr(training, "train", real_train)
    assert run("train", "--out", "cut", "--resume", *FAST[2:]).code == 0
    assert run("train", "--out", "whole", "--epochs", "9", *FAST[2:]).code == 0
    assert load("cut/model.npz").theta.tobytes() == load("whole/model.npz").theta.tobytes()


def test_a_second_ctrl_c_stops_at_once_and_keeps_the_last_checkpoint(run, monkeypatch):
    real_train = _press_ctrl_c(monkeypatch, at_epoch=4, times=2)
    result = run("train", "--out", "cut", "--epochs", "9", "--checkpoint-every", "3", *FAST[2:])
    assert result.code == 130 and "3 epochs are saved" in result.err and "--resume" in result.err
    assert load_checkpoint("cut/checkpoint.npz").epoch == 3
    assert not list((run.tmp_path / "cut").glob(".*.tmp"))
    monkeypatch.setattr(training, "train", real_train)
    assert run("train", "--out", "cut", "--resume", *FAST[2:]).code == 0
    assert run("train", "--out", "whole", "--epochs", "9", *FAST[2:]).code == 0
    assert load("cut/model.npz").theta.tobytes() == load("whole/model.npz").theta.tobytes()


def test_ctrl_c_while_the_pictures_are_drawn_says_how_to_finish(run, monkeypatch):
    from glassnet.glass import plots

    def interrupt(*args, **kwargs):
        raise KeyboardInterrupt

    real = plots.plot_network
    monkeypatch.setattr(plots, "plot_network", interrupt)
    result = run("train", "--out", "pics", "--epochs", "3", "--n-samples", "120", "-q")
    assert result.code == 130 and "Traceback" not in result.err
    assert "interrupted while writing the results" in result.err and "--resume" in result.err
    assert not list((run.tmp_path / "pics").glob(".*.tmp"))
    monkeypatch.setattr(plots, "plot_network", real)
    assert run("train", "--out", "pics", "--resume", "-q").code == 0
    assert (run.tmp_path / "pics" / "report.html").exists()


def test_train_errors_are_one_line(run, tmp_path):
    assert_error(run("train", "nosuchdata", "--out", "x"), 1, "unknown dataset", "moons")
    assert_error(run("train", "--activation", "relux", "--out", "x"), 2, "relux", "tanh")
    assert_error(run("train", "--optimizer", "adamx", "--out", "x"), 2, "adamx", "rmsprop")
    assert_error(run("train", "--schedule", "weekly", "--out", "x"), 2, "weekly")
    assert_error(run("train", "--hidden", "16,x", "--out", "x"), 2, "--hidden")
    assert_error(run("train", "--hidden", "16,-2", "--out", "x"), 2, "positive")
    assert_error(run("train", "--activation", "relu,tanh,relu,relu", "--out", "x"), 2, "hidden")
    assert_error(run("train", "--csv", "missing.csv", "--target", "y", "--out", "x"), 1, "missing.csv")
    assert_error(run("train", "--csv", "missing.csv", "--out", "x"), 2, "--target")
    _write_labels_csv(tmp_path / "data.csv")
    assert_error(run("train", "--csv", "data.csv", "--target", "nope", "--out", "x"), 1, "nope")
    assert_error(run("train", "--resume"), 2, "--out")
    assert_error(run("train", "--resume", "--out", "nothing-here"), 1, "no checkpoint")
    assert_error(run("train", "--test-size", "1.5", "--out", "x"), 2, "--test-size")
    assert run("train", "--out", "taken", *FAST).code == 0
    assert_error(run("train", "--out", "taken", *FAST), 2, "already holds a run")
    assert run("train", "--out", "taken", "--overwrite", *FAST).code == 0


def test_train_never_writes_over_a_folder_that_holds_no_run(run, tmp_path):
    mine = tmp_path / "mine"
    mine.mkdir()
    for name in ("report.html", "history.csv", "metrics.json", "notes.png"):
        (mine / name).write_text(f"my own {name}")
    kept = {p.name: p.read_bytes() for p in mine.iterdir()}
    assert_error(
        run("train", "--out", "mine", *FAST),
        2,
        "mine is not empty and holds no run",
        "(--overwrite or another --out)",
    )
    assert {p.name: p.read_bytes() for p in mine.iterdir()} == kept
    assert_error(run("train", "--out", "", *FAST), 2, "--out: the run folder is an empty name")
    assert_error(run("train", "--out", "", "--resume", "-q"), 2, "--out: the run folder is an empty name")
    (tmp_path / "afile").write_text("mine")
    assert_error(run("train", "--out", "afile", *FAST), 2, "--out: afile is not a folder")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["afile", "mine"]  # nothing written here
    (tmp_path / "empty").mkdir()
    assert run("train", "--out", "empty", *FAST).code == 0  # an empty folder is fine
    assert run("train", "--out", "mine", "--overwrite", *FAST).code == 0  # as asked
    assert (mine / "model.npz").exists() and (mine / "notes.png").read_text() == "my own notes.png"


# --------------------------------------------------------------------------- evaluate, predict, info


def test_evaluate_repeats_the_runs_test_score(run, trained_run):
    metrics = json.loads((trained_run / "metrics.json").read_text())
    result = run("evaluate", trained_run / "model.npz", "--split", "test", "--json", "m.json")
    assert result.code == 0, result.err
    evaluated = json.loads(open("m.json").read())
    assert evaluated["accuracy"] == metrics["test_accuracy"]
    assert evaluated["n_samples"] == metrics["n_test"]
    assert "Confusion matrix" in result.out
    result = run("evaluate", trained_run / "model.npz", "circles", "--n-samples", "50")
    assert result.code == 0 and "accuracy" in result.out


def test_evaluate_errors(run, trained_run, tmp_path):
    assert_error(run("evaluate", "missing.npz"), 1, "missing.npz")
    (tmp_path / "fake.npz").write_text("hello")
    assert_error(run("evaluate", "fake.npz"), 1, "not a glassnet model file")
    assert_error(run("evaluate", trained_run / "model.npz", "iris"), 1, "features")
    assert_error(run("evaluate", trained_run / "model.npz", "--split", "sideways"), 2, "sideways")
    assert_error(run("evaluate", trained_run / "model.npz", "circles", "--split", "test"), 2, "--split")


def test_predict_writes_a_prediction_column(run, trained_run, tmp_path):
    from glassnet.data import moons

    X, y = moons(30, noise=0.2, random_state=5)
    with open("points.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["x1", "x0"])  # columns found by name, in any order
        w.writerows(X[:, ::-1].tolist())
    result = run("predict", trained_run / "model.npz", "points.csv", "--out", "out.csv", "--proba")
    assert result.code == 0, result.err
    with open("out.csv") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 30 and list(rows[0]) == ["x1", "x0", "prediction", "p(0)", "p(1)"]
    expected = load_saved(trained_run / "model.npz").predict(X)
    assert [int(r["prediction"]) for r in rows] == expected.tolist()
    assert all(abs(float(r["p(0)"]) + float(r["p(1)"]) - 1) < 1e-9 for r in rows)
    # no header: the columns in the model's order; default output name
    np.savetxt("bare.csv", X, delimiter=",")
    assert run("predict", trained_run / "model.npz", "bare.csv").code == 0
    with open("bare.predictions.csv") as f:
        assert [int(r[-1]) for r in list(csv.reader(f))[1:]] == expected.tolist()


def test_predict_errors(run, trained_run):
    assert_error(run("predict", trained_run / "model.npz", "missing.csv"), 1, "missing.csv")
    np.savetxt("three.csv", np.ones((4, 3)), delimiter=",")
    assert_error(run("predict", trained_run / "model.npz", "three.csv"), 1, "3 columns", "2 features")
    with open("words.csv", "w") as f:
        f.write("x0,x1\n1,2\n3,oops\n")
    assert_error(run("predict", trained_run / "model.npz", "words.csv"), 1, "oops")
    assert_error(run("predict", trained_run / "model.npz", "words.csv", "--out", "words.csv"), 2, "--out")


def test_info_describes_models_and_checkpoints(run, trained_run):
    result = run("info", trained_run / "model.npz")
    assert result.code == 0, result.err
    assert "2 → 16 → 8 → 1" in result.out and "verified" in result.out and "moons" in result.out
    result = run("info", trained_run / "checkpoint.npz")
    assert result.code == 0 and "epochs done" in result.out and "adam" in result.out


def test_info_rejects_a_tampered_model(run, trained_run):
    data = bytearray((trained_run / "model.npz").read_bytes())
    data[len(data) // 3] ^= 0xFF
    open("tampered.npz", "wb").write(bytes(data))
    assert_error(run("info", "tampered.npz"), 1, "corrupted or truncated")


# --------------------------------------------------------------------------- trace, gradcheck


def test_trace_prints_the_hand_calculation(run, tmp_path):
    result = run("trace", "--sizes", "2,2,1", "--x", "1,2", "--y", "1", "--lr", "0.5", "--json", "t.json")
    assert result.code == 0, result.err
    for phrase in ("Forward pass", "Loss", "Backward pass", "z⁽¹⁾₁ = "):
        assert phrase in result.out
    traced = json.loads(open("t.json").read())
    assert traced["layer_sizes"] == [2, 2, 1] and traced["lr"] == 0.5


def test_trace_takes_weights_from_a_model(run, trained_run):
    result = run("trace", "--weights", trained_run / "model.npz", "--x", "0.5,0.2", "--y", "1")
    assert result.code == 0, result.err
    assert "standardized" in result.out and "2 → 16 → 8 → 1" in result.out


def test_trace_errors(run, trained_run):
    assert_error(run("trace", "--x", "1,2,3"), 2, "--x", "2 inputs")
    assert_error(run("trace", "--y", "1,0"), 2, "--y")
    assert_error(run("trace", "--sizes", "2"), 2, "--sizes")
    assert_error(run("trace", "--activation", "wiggle"), 2, "wiggle")
    assert_error(run("trace", "--lr", "-1"), 1, "lr")
    assert_error(run("trace", "--weights", trained_run / "model.npz", "--sizes", "3,1"), 2, "--sizes")


TEXTBOOK_221 = [
    "--sizes",
    "2,2,1",
    "--activation",
    "sigmoid",
    "--weights",
    "0.1,0.2;0.3,0.4 | 0.5,0.6",
    "--biases",
    "0.1,0.2 | 0.3",
    "--x",
    "1,2",
    "--y",
    "1",
    "--lr",
    "0.1",
]


def test_trace_of_given_numbers_in_the_textbook_layout(run):
    result = run("trace", *TEXTBOOK_221, "--layout", "out_in")
    assert result.code == 0, result.err
    for line in (
        "z⁽¹⁾ = [0.6, 1.3]",
        "a⁽¹⁾ = [0.6457, 0.7858]",
        "a⁽²⁾ = [0.7492]",
        "L = −[y₁·log ŷ₁ + (1 − y₁)·log(1 − ŷ₁)] = −[1·log 0.7492 + (1 − 1)·log(1 − 0.7492)] = 0.2888",
        "new W⁽¹⁾ = [[0.1029, 0.2057], [0.3025, 0.4051]]",
        "new b⁽¹⁾ = [0.1029, 0.2025]",
        "new W⁽²⁾ = [[0.5162, 0.6197]]",
        "new b⁽²⁾ = [0.3251]",
    ):
        assert line in result.out, line
    # The same square matrices without --layout are refused, naming it; in glassnet's
    # layout they are another network (z¹ = [0.8, 1.2]).
    assert_error(run("trace", *TEXTBOOK_221), 2, "--weights", "square", "--layout out_in", "--layout in_out")
    in_out = [("0.1,0.2;0.3,0.4 | 0.5;0.6" if a == TEXTBOOK_221[5] else a) for a in TEXTBOOK_221]
    other = run("trace", *in_out, "--layout", "in_out", "--digits", "6")
    assert other.code == 0, other.err
    assert "z⁽¹⁾ = [0.8, 1.2]" in other.out and "a⁽¹⁾ = [0.689974, 0.768525]" in other.out


def test_trace_follows_several_steps_of_a_single_neuron(run):
    result = run(
        "trace",
        "--weights",
        "0.3",
        "--biases",
        "0.1",
        "--x",
        "0.5",
        "--y",
        "1",
        "--loss",
        "squared_error",
        "--activation",
        "sigmoid",
        "--steps",
        "20",
        "--json",
        "steps.json",
    )
    assert result.code == 0, result.err
    assert result.out.count("── Forward pass ──") == 1  # the first step in full, then the table
    rows = [line for line in result.out.splitlines() if line.startswith("│")]
    assert len(rows) == 20
    first, last = rows[0].split("│")[1:-1], rows[-1].split("│")[1:-1]
    assert [c.strip() for c in first] == ["1", "0.0958", "0.3054", "0.1108"]  # the seed's epoch 1
    assert [c.strip() for c in last] == ["20", "0.0726", "0.3986", "0.2972"]  # and epoch 20
    steps = json.loads(open("steps.json").read())["steps"]
    assert len(steps) == 20 and steps[1]["layers"][0]["W"] == steps[0]["layers"][0]["W_new"]
    full = run(
        "trace",
        "--weights",
        "0.3 | 0.2",
        "--biases",
        "0.1 | 0.2",
        "--x",
        "0.5",
        "--y",
        "1",
        "--steps",
        "3",
        "--full",
        "--loss",
        "squared_error",
    )
    assert full.code == 0 and full.out.count("── Forward pass ──") == 3 and "Step 3 of 3" in full.out


def test_trace_errors_of_given_numbers(run, trained_run):
    assert_error(run("trace", "--weights", "1,2;3", "--biases", "0"), 2, "--weights", "same number")
    assert_error(run("trace", "--weights", "1,2 | 3,4,5"), 2, "--weights", "neither layout")
    assert_error(run("trace", "--weights", "1,2 | 3", "--biases", "0"), 2, "--biases", "2 layers")
    assert_error(run("trace", "--weights", "1,2,3", "--biases", "0", "--sizes", "3,2"), 2, "--sizes")
    assert_error(run("trace", "--weights", "1,2", "--activation", "relu,tanh"), 2, "2 activations")
    assert_error(run("trace", "--weights", trained_run / "model.npz", "--biases", "0"), 2, "--biases")
    assert_error(run("trace", "--layout", "rows"), 2, "--layout")
    assert_error(run("trace", "--steps", "0"), 2, "--steps")


def test_gradcheck_refuses_networks_and_batches_it_would_take_minutes_over(run):
    # --hidden 200,200 (41,001 parameters) ran for four minutes without a word.
    assert_error(run("gradcheck", "--hidden", "200,200"), 1, "41,001 parameters", "at most 20,000")
    assert_error(run("gradcheck", "--samples", "20000"), 1, "at most 10,000 samples")


def test_gradcheck_passes_and_fails_with_exit_status(run):
    result = run("gradcheck", "iris", "--hidden", "4", "--samples", "10")
    assert result.code == 0, result.err
    assert "relative error" in result.out and "passed" in result.out
    assert_error(run("gradcheck", "--tol", "1e-300", "--samples", "5"), 1, "gradient check failed")
    assert_error(run("gradcheck", "--activation", "nope"), 2, "nope")


# --------------------------------------------------------------------------- descend, derive


def test_descend_prints_the_path_and_plots_it(run):
    result = run(
        "descend",
        "x**2 + 3*y**2",
        "--start",
        "4,-4",
        "--lr",
        "0.2",
        "--iterations",
        "100",
        "--tol",
        "1e-6",
        "--plot",
        "path.png",
    )
    assert result.code == 0, result.err
    assert "converged" in result.out and "step" in result.out
    assert open("path.png", "rb").read(8) == b"\x89PNG\r\n\x1a\n"
    result = run("descend", "x**2", "--start", "4", "--lr", "0.2", "--iterations", "3")
    assert "0.864" in result.out  # 4 · 0.6³


def test_descend_stops_as_texts_do(run):
    # Stop after the step whose f'(x) < 0.01: 15 steps, x = 0.00188 (the seed tutorial's table).
    result = run("descend", "x**2", "--start", "4", "--lr", "0.2", "--tol", "0.01", "--rows", "40")
    assert result.code == 0, result.err
    assert "converged after 15 steps" in result.out and "0.00188074" in result.out
    result = run("descend", "x**2", "--start", "4", "--lr", "0.2", "--tol", "0", "--f-tol", "1e-4")
    assert "converged after 12 steps: f = 7.58e-05 < f_tol = 0.0001" in result.out


def test_descend_errors(run):
    assert_error(run("descend", "x**2 + y**2", "--start", "1,zz"), 2, "--start")
    assert_error(run("descend", "import os", "--start", "1"), 1, "cannot parse")
    assert_error(run("descend", "x**2 + y**2", "--start", "1,2,3"), 1)
    assert_error(run("descend", "x**2"), 2, "--start")


def test_derive_derivatives_gradients_and_critical_points(run):
    assert "= 3*x**2 - 3" in run("derive", "x**3 - 3*x").out
    out = run("derive", "x**2*y + y**3").out
    assert "∂f/∂x = 2*x*y" in out and "∂f/∂y = x**2 + 3*y**2" in out
    assert "= 6*x" in run("derive", "x**3", "--order", "2").out
    out = run("derive", "x**3 - 3*x + y**2 - 2*y", "--critical").out
    assert "saddle" in out and "minimum" in out
    assert_error(run("derive", "__import__('os')"), 1, "cannot parse")
    assert_error(run("derive", "x*y", "--var", "1x"), 1, "variable")


@pytest.mark.parametrize("text, phrase", HOSTILE, ids=[t[:30] for t, _ in HOSTILE])
def test_hostile_formulas_get_one_error_line(run, tmp_path, text, phrase):
    for args in (["derive", text], ["derive", text, "--critical"], ["descend", text, "--start", "1"]):
        start = time.perf_counter()
        result = run(*args)
        assert time.perf_counter() - start < HANG
        assert_error(result, 1, phrase)
        assert len(result.err) < 220
    assert list(tmp_path.iterdir()) == []  # the command ran in tmp_path and wrote nothing


def test_the_exploit_through_the_real_command_creates_no_file(tmp_path):
    exploit = "sympify(chr(95)+chr(95)+'import'+chr(95)+chr(95)+\"('os').system('touch PWNED')\")"
    out = subprocess.run(
        [sys.executable, "-m", "glassnet", "derive", exploit],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 1 and "Traceback" not in out.stderr
    assert out.stderr.startswith("error: cannot parse") and len(out.stderr.strip().splitlines()) == 1
    assert list(tmp_path.iterdir()) == []


def test_formulas_too_hard_for_sympy_get_one_error_line(run, monkeypatch):
    from glassnet.glass import _sympy_worker

    monkeypatch.setattr(_sympy_worker, "TIME_LIMIT", 1.0)
    assert_error(
        run("derive", "x**3*y**4 + 2*x**5*y - 3*y**6 + x**2 - y", "--critical"),
        1,
        "SymPy could not solve ∇f = 0",
        "within 1 s",
    )
    monkeypatch.setattr(_sympy_worker, "TIME_LIMIT", 60.0)  # f'' takes about 1.5 s to grow too large
    assert_error(
        run("derive", "*".join(f"sin(x+{k})" for k in range(34)), "--order", "2"),
        1,
        "the derivative is too large to show",
    )
    assert_error(run("derive", "x**3", "--order", "21"), 1, "order must be an integer from 1 to 20")


def test_derive_and_descend_know_the_function_table(run):
    assert "d/dx (1/(1 + exp(-x))) = exp(-x)/(1 + exp(-x))**2" in run("derive", "sigmoid(x)").out
    assert "d/dx (x**2/10) = x/5" in run("derive", "0.1*x^2").out
    result = run("descend", "sqrt(x)", "--start", "1", "--lr", "1")
    assert result.code == 0 and "stopped: f is undefined (NaN) at step 2" in result.out


# --------------------------------------------------------------------------- experiment, plot


def test_experiment_sweeps_and_plots(run):
    result = run(
        "experiment",
        "moons",
        "--hidden",
        "4",
        "8,4",
        "--lr",
        "0.01",
        "0.1",
        "--epochs",
        "3",
        "--seeds",
        "2",
        "--n-samples",
        "100",
        "--out",
        "exp",
    )
    assert result.code == 0, result.err
    assert "hidden=(4,)" in result.out and "lr=0.1" in result.out
    assert "8 runs" in result.out
    with open("exp/results.csv") as f:
        assert len(list(csv.DictReader(f))) == 4
    assert open("exp/comparison.png", "rb").read(4) == b"\x89PNG"


def test_experiment_never_writes_over_files_in_its_out_folder(run):
    # results.csv and comparison.png in a folder of the user's were overwritten after the sweep.
    import pathlib

    folder = pathlib.Path("mine")
    folder.mkdir()
    (folder / "results.csv").write_text("my own numbers\n")
    args = ("experiment", "moons", "--hidden", "4", "8", "--epochs", "2", "--seeds", "1", "--n-samples", "60")
    assert_error(run(*args, "--out", "mine"), 2, "--out: mine already holds files", "--overwrite")
    assert (folder / "results.csv").read_text() == "my own numbers\n"
    pathlib.Path("file").write_text("x")
    assert_error(run(*args, "--out", "file"), 2, "--out: file is not a folder")
    result = run(*args, "--out", "mine", "--overwrite")
    assert result.code == 0, result.err
    assert (folder / "results.csv").read_text().startswith("config")


def test_experiment_errors(run):
    assert_error(run("experiment", "--optimizer", "adam", "nope", "--epochs", "2"), 2, "nope")
    assert_error(run("experiment", "--lr", "0.1", "fast"), 2, "--lr")
    assert_error(run("experiment", "--lr", "-0.1", "0.2"), 2, "positive")


def test_plot_subcommands_write_pngs(run, trained_run):
    for args in (
        ["activations", "--names", "relu,tanh", "--out", "a.png"],
        ["losses", "--out", "l.png"],
        ["ewma", "--beta", "0.8", "--out", "e.png"],
        ["history", trained_run, "--out", "h.png"],
        ["network", trained_run / "model.npz", "--out", "n.png"],
    ):
        result = run("plot", *args)
        assert result.code == 0, result.err
        assert open(args[-1], "rb").read(4) == b"\x89PNG"


def test_plot_activations_with_beta_and_history_on_a_log_scale(run, trained_run, monkeypatch):
    from glassnet.glass import plots

    drawn = {}

    def keep(name, draw):
        def wrapper(*args, **kwargs):
            drawn[name] = fig = draw(*args, **kwargs)
            return fig

        monkeypatch.setattr(plots, name, wrapper)

    keep("plot_activations", plots.plot_activations)
    keep("plot_history", plots.plot_history)
    assert run("plot", "activations", "--beta", "1,5", "--out", "b.png").code == 0
    assert [ax.get_title() for ax in drawn["plot_activations"].axes] == ["Sigmoid", "Sigmoid(beta=5.0)"]
    assert run("plot", "activations", "--names", "tanh,sigmoid", "--beta", "2", "--out", "c.png").code == 0
    assert [ax.get_title() for ax in drawn["plot_activations"].axes] == ["Tanh", "Sigmoid(beta=2.0)"]
    assert run("plot", "history", trained_run, "--log", "--out", "h.png").code == 0
    loss_ax = drawn["plot_history"].axes[0]
    assert loss_ax.get_yscale() == "log" and [t.get_text() for t in loss_ax.get_legend().get_texts()] == [
        "train",
        "test",
    ]


def test_plot_errors(run):
    assert_error(run("plot", "activations", "--names", "relu,nope"), 2, "nope")
    assert_error(run("plot", "ewma", "--beta", "1.5"), 2, "--beta")
    assert_error(run("plot", "history", "no-such-run"), 1, "no-such-run")
    assert_error(run("plot", "network", "no-such.npz"), 1, "no-such.npz")
    assert_error(run("plot", "nosuch"), 2, "nosuch")


def test_a_diverging_run_fails_in_one_line_and_keeps_the_weights_from_before(run):
    result = run(
        "train",
        "diabetes",
        "--optimizer",
        "sgd",
        "--lr",
        "10",
        "--epochs",
        "50",
        "--out",
        "div",
        "--no-plots",
        "-q",
    )
    assert_error(result, 1, "training diverged at epoch", "div holds them")
    assert "RuntimeWarning" not in result.err
    metrics = json.loads(open("div/metrics.json").read())
    assert metrics["stop_reason"] == "diverged"
    assert np.isfinite(load("div/model.npz").theta).all()


def test_a_sigmoid_run_with_a_huge_rate_reports_divergence_while_its_loss_is_finite(run):
    result = run(
        "train",
        "moons",
        "--optimizer",
        "sgd",
        "--lr",
        "1e10",
        "--epochs",
        "200",
        "--out",
        "huge",
        "--no-plots",
        "-q",
    )
    assert_error(
        result, 1, "training diverged at epoch 1: a weight grew past", "the initial weights were kept"
    )
    assert np.abs(load("huge/model.npz").theta).max() < 10


def test_sizes_that_would_not_fit_in_memory_are_refused_before_allocating(run, tmp_path):
    assert_error(
        run("train", "--hidden", "100000,100000", "--out", "big", "-q"),
        1,
        "10,000,500,001 parameters",
        "MAX_PARAMS",
    )
    assert not (tmp_path / "big").exists()  # no empty run folder left behind
    assert_error(run("trace", "--sizes", "2,100000,100000,1"), 1, "limit of 268,435,456")


@pytest.mark.parametrize(
    "args, option",
    [
        (("train", "--lr", "0"), "--lr"),
        (("train", "--lr", "-1"), "--lr"),
        (("train", "--hidden", "0"), "--hidden"),
        (("gradcheck", "--tol", "-1"), "--tol"),
        (("gradcheck", "--tol", "0"), "--tol"),
    ],
)
def test_a_bad_option_value_is_a_usage_error_with_status_2(run, args, option):
    assert_error(run(*args, "--out", "x") if args[0] == "train" else run(*args), 2, option)


def test_an_overlong_error_message_is_cut_to_one_readable_line(run, tmp_path):
    name = "x" * 5000
    result = run("info", name + ".npz")
    assert_error(result, 1)
    assert len(result.err) < 600


@pytest.mark.parametrize(
    "key, value, phrase",
    [
        ("dtype", "U100000000", "unknown dtype"),
        ("noise", "abc", "noise has the wrong type"),
        ("hidden", "abc", "hidden layer sizes must be integers"),
        ("n_samples", 10**10, "10,000,000"),
        ("seed", -3, "seed must be a non-negative"),
        ("extra", 1, "unknown run settings: extra"),
        ("epochs", [], "epochs has the wrong type"),
    ],
)
def test_resume_checks_the_settings_a_checkpoint_holds(run, resign, key, value, phrase):
    assert run("train", "--out", "r", *FAST).code == 0

    def mutate(meta, arrays):
        meta["config"][key] = value

    resign("r/checkpoint.npz", mutate)
    assert_error(run("train", "--out", "r", "--resume", "--epochs", "8", "-q"), 1, phrase)


# --------------------------------------------------------------------------- outputs: nothing the user had is lost


@pytest.fixture
def model_copy(trained_run, tmp_path):
    """``m.npz``: a copy of the shared model in the test's folder; returns its bytes."""
    data = (trained_run / "model.npz").read_bytes()
    (tmp_path / "m.npz").write_bytes(data)
    (tmp_path / "f.csv").write_text("x0,x1\n0.5,0.2\n-1,0.3\n")
    return data


@pytest.mark.parametrize(
    "args, option",
    [
        (("export", "m.npz", "m.npz"), "OUT"),
        (("export", "m.npz", "alias.npz"), "OUT"),  # a link to the model
        (("evaluate", "m.npz", "--json", "m.npz"), "--json"),
        (("plot", "network", "m.npz", "--out", "m.npz"), "--out"),
        (("trace", "--weights", "m.npz", "--json", "m.npz"), "--json"),
        (("predict", "m.npz", "f.csv", "--out", "m.npz"), "--out"),
        (("predict", "m.npz", "f.csv", "--out", "hard.npz"), "--out"),  # the model under another name
    ],
)
def test_an_output_never_replaces_the_model_the_command_reads(run, model_copy, args, option):
    os.symlink("m.npz", "alias.npz")
    os.link("m.npz", "hard.npz")
    assert_error(run(*args), 2, f"{option} must not be the model file m.npz")
    assert open("m.npz", "rb").read() == model_copy


def test_outputs_follow_links_and_refuse_fifos_and_folders(run, model_copy):
    os.mkfifo("pipe")
    for args, option in [
        (("predict", "m.npz", "f.csv", "--out", "pipe"), "--out"),
        (("export", "m.npz", "pipe"), "OUT"),
        (("evaluate", "m.npz", "--json", "pipe"), "--json"),
        (("plot", "losses", "--out", "pipe"), "--out"),
    ]:
        assert_error(run(*args), 2, f"{option}: cannot write pipe: it is not a regular file")
        assert stat.S_ISFIFO(os.lstat("pipe").st_mode)
    os.mkdir("out")
    open("out/metrics.json", "w").write("old")
    os.symlink("out/metrics.json", "link.json")
    assert run("evaluate", "m.npz", "--json", "link.json").code == 0
    assert os.path.islink("link.json") and json.loads(open("out/metrics.json").read())["n_samples"] == 200
    assert_error(run("evaluate", "m.npz", "--json", "out"), 2, "--json: cannot write out: it is a directory")
    assert open("m.npz", "rb").read() == model_copy


def test_output_paths_are_checked_before_the_work(run, trained_run, monkeypatch):
    from glassnet.glass import descent, trace
    from glassnet.runs import tools

    def never(*args, **kwargs):
        raise AssertionError("the work started before the output path was checked")

    for module, name in ((tools, "evaluate"), (trace, "trace_steps"), (descent, "descend")):
        monkeypatch.setattr(module, name, never)
    for args, option in [
        (("evaluate", trained_run / "model.npz", "--json", "no/m.json"), "--json"),
        (("trace", "--json", "no/t.json"), "--json"),
        (("descend", "x**2", "--start", "1", "--plot", "no/p.png"), "--plot"),
    ]:
        assert_error(run(*args), 2, f"{option}: cannot write no/", "the folder no does not exist")


HUGE = str(10**20)  # past every machine integer


@pytest.mark.parametrize(
    "args, phrases",
    [
        (("experiment", "--jobs", "10000"), ("--jobs", "from 1 to 256 (MAX_JOBS), got 10000")),
        (("experiment", "--jobs", HUGE), ("--jobs", "from 1 to 256")),
        (("experiment", "--jobs", "0"), ("--jobs must be -1 (all cores) or from 1 to 256",)),
        (("experiment", "--seeds", "1000000000000"), ("--seeds", "less than or equal to 1000")),
        (("experiment", "--seeds", HUGE), ("--seeds", "1000")),
        (
            ("experiment", "--lr", *"123456789", "--hidden", *"123456789", "--seeds", "124"),
            ("81 configurations × 124 seeds make 10,044 runs; at most 10,000 (MAX_RUNS)",),
        ),
        (("plot", "ewma", "--n", "1000000000000"), ("--n", "less than or equal to 100000")),
        (("plot", "ewma", "--n", HUGE), ("--n", "100000")),
        (("plot", "activations", "--beta", ",".join(["1"] * 25)), ("--beta: at most 24 panels", "got 25")),
        (("plot", "activations", "--names", ",".join(["relu"] * 25)), ("--names: at most 24 panels",)),
        (
            (
                "plot",
                "activations",
                "--names",
                "sigmoid,sigmoid,sigmoid,sigmoid,sigmoid",
                "--beta",
                "1,2,3,4,5",
            ),
            ("--names with --beta: at most 24 panels (MAX_PANELS), got 25",),
        ),
        (("descend", "x**2", "--start", "1", "--iterations", HUGE), ("--iterations", "100000")),
    ],
)
def test_sizes_past_their_limit_are_usage_errors_before_any_work(run, monkeypatch, args, phrases):
    from glassnet import runs

    def never(*args, **kwargs):
        raise AssertionError("the work started before the sizes were checked")

    monkeypatch.setattr(runs, "prepare", never)
    assert_error(run(*args), 2, *phrases)


def test_predict_refuses_a_prediction_column_the_output_would_have_twice(run, model_copy):
    open("named.csv", "w").write("x0,x1,prediction\n0.5,0.2,1\n-1,0.3,0\n")
    for args, phrase in [
        (("f.csv", "--column", "x0"), "--column x0: f.csv already has a column 'x0'"),
        (("named.csv",), "--column prediction: named.csv already has a column 'prediction'"),
        (
            ("f.csv", "--proba", "--column", "p(1)"),
            "--column p(1): 'p(1)' is the name of a probability column",
        ),
        (("f.csv", "--column", ""), "--column needs a name"),
        (("f.csv", "--column", "  "), "--column needs a name"),
    ]:
        assert_error(run("predict", "m.npz", *args, "--out", "out.csv"), 2, phrase)
        assert not os.path.exists("out.csv")
    assert run("predict", "m.npz", "named.csv", "--column", "again", "--out", "out.csv").code == 0
    assert open("out.csv").readline().strip() == "x0,x1,prediction,again"


def test_play_refuses_an_empty_host_and_warns_of_one_other_machines_reach(run, monkeypatch):
    from glassnet.play import server

    served = []
    monkeypatch.setattr(server, "serve", lambda **kwargs: served.append(kwargs))  # no real server
    assert_error(run("play", "--host", "", "--no-browser"), 2, "--host needs an address")
    assert served == []
    for host in ("127.0.0.1", "localhost", "::1", "127.0.0.2"):
        result = run("play", "--host", host, "--no-browser")
        assert result.code == 0 and result.err == ""
    for host in ("0.0.0.0", "192.168.1.20", "myhost.example"):
        result = run("play", "--host", host, "--no-browser")
        assert result.code == 0
        assert result.err.strip() == (
            f"warning: --host {host}: the playground is reachable from other machines, not only this one"
        )
    assert [s["host"] for s in served] == [
        "127.0.0.1",
        "localhost",
        "::1",
        "127.0.0.2",
        "0.0.0.0",
        "192.168.1.20",
        "myhost.example",
    ]


def test_a_folder_given_as_csv_and_malformed_inline_weights_are_called_what_they_are(run, tmp_path):
    (tmp_path / "folder").mkdir()
    for args in (("train", "--out", "x"), ("gradcheck",), ("experiment", "--out", "x")):
        assert_error(run(*args, "--csv", "folder", "--target", "y"), 1, "the CSV file folder is a directory")
    assert_error(
        run("trace", "--weights", "nan,1;2,3|1,2"),
        2,
        "--weights 'nan,1;2,3|1,2' is neither a model file nor numbers",
    )
    assert_error(run("trace", "--weights", "missing.npz"), 1, "missing.npz")
