"""Hyperparameter sweeps over seeds: real training, real scores, reproducible in parallel."""

import csv
import json

import numpy as np
import pytest
from sklearn.datasets import make_blobs, make_moons, make_regression

from glassnet.glass.experiments import ExperimentResult, run_experiment
from glassnet.training import History

GRID = {"hidden": [(8,), (16, 8)], "lr": [0.01, 0.05]}


@pytest.fixture(scope="module")
def moons():
    X, y = make_moons(300, noise=0.2, random_state=0)
    return X[:200], y[:200], X[200:], y[200:]


@pytest.fixture(scope="module")
def result(moons):
    return run_experiment(GRID, *moons, seeds=(0, 1), base={"epochs": 60})


def test_one_row_per_configuration_with_real_scores(result):
    assert isinstance(result, ExperimentResult)
    assert len(result.rows) == 4 and len(result.runs) == 8
    assert [r["config"] for r in result.rows] == [
        "hidden=(8,) lr=0.01",
        "hidden=(8,) lr=0.05",
        "hidden=(16, 8) lr=0.01",
        "hidden=(16, 8) lr=0.05",
    ]
    assert result.metric == "accuracy" and result.task == "binary"
    assert result.best["test_score_mean"] > 0.9
    for row in result.rows:
        assert row["n_seeds"] == 2
        assert 0.5 < row["train_score_mean"] <= 1 and 0.5 < row["test_score_mean"] <= 1
        assert row["time_mean"] > 0 and row["final_loss_mean"] > 0
        assert row["params"]["epochs"] == 60 and row["params"]["optimizer"] == "adam"
    for run in result.runs:
        assert run["time"] > 0 and run["epochs"] == 60
    # mean ± std are over the seeds' runs
    runs0 = [r["test_score"] for r in result.runs if r["config_index"] == 0]
    assert result.rows[0]["test_score_mean"] == pytest.approx(np.mean(runs0))
    assert result.rows[0]["test_score_std"] == pytest.approx(np.std(runs0))
    # the larger network fits the moons better than the small one at the small learning rate
    assert result.rows[2]["train_score_mean"] > result.rows[0]["train_score_mean"]


def test_histories_one_per_seed(result):
    assert len(result.histories) == 4
    for hists in result.histories:
        assert len(hists) == 2 and all(isinstance(h, History) for h in hists)
        assert all(len(h.loss) == 60 and len(h.accuracy) == 60 for h in hists)
    curves = result.mean_curves()
    np.testing.assert_allclose(curves[0]["loss"], np.mean([h.loss for h in result.histories[0]], axis=0))


def test_table_has_a_row_per_configuration(result):
    text = result.table()
    lines = text.splitlines()
    assert "train accuracy" in lines[0] and "test accuracy" in lines[0]
    assert "final loss" in lines[0] and "time (s)" in lines[0]
    body = lines[2:-1]
    assert len(body) == 4
    for row, line in zip(result.rows, body, strict=True):
        assert row["config"] in line
        assert f"{row['test_score_mean']:.3f} ± {row['test_score_std']:.3f}" in line
    assert sum("*" in line for line in body) == 1  # the best row is marked
    assert str(result) == text
    from rich.table import Table

    assert isinstance(result.table(rich=True), Table)
    assert result.table(rich=True).row_count == 4


def test_records_for_json_and_csv(result, tmp_path):
    records = result.as_records()
    assert len(records) == 4
    assert records[2]["hidden"] == [16, 8] and records[2]["lr"] == 0.01
    assert records[2]["test_score_mean"] == result.rows[2]["test_score_mean"]
    json.dumps(result.as_records(histories=True))
    path = tmp_path / "runs.csv"
    with open(path, "w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(records[0]))
        writer.writeheader()
        writer.writerows(records)
    with open(path) as fh:
        assert len(list(csv.DictReader(fh))) == 4


def test_parallel_jobs_give_the_same_numbers(moons):
    grid = {"hidden": [(8,), (16,)], "lr": [0.05]}
    one = run_experiment(grid, *moons, seeds=(0, 1), base={"epochs": 20}, n_jobs=1)
    two = run_experiment(grid, *moons, seeds=(0, 1), base={"epochs": 20}, n_jobs=2)
    for a, b in zip(one.runs, two.runs, strict=True):
        assert (a["config_index"], a["seed"]) == (b["config_index"], b["seed"])
        assert a["train_score"] == b["train_score"] and a["test_score"] == b["test_score"]
        assert a["final_loss"] == b["final_loss"]
    for ha, hb in zip(one.histories, two.histories, strict=True):
        for a, b in zip(ha, hb, strict=True):
            assert a.loss == b.loss


def test_multiclass_string_labels_and_other_settings():
    X, y = make_blobs(240, centers=3, cluster_std=1.0, random_state=1)
    labels = np.array(["red", "green", "blue"])[y]
    grid = [{"optimizer": ["sgd"], "lr": [0.1]}, {"optimizer": ["adam"], "activation": ["tanh"]}]
    res = run_experiment(
        grid,
        X[:160],
        labels[:160],
        X[160:],
        labels[160:],
        seeds=(0,),
        base={"epochs": 30, "hidden": 8, "lr": 0.01},
    )
    assert res.task == "multiclass"
    assert [r["config"] for r in res.rows] == ["lr=0.1 optimizer=sgd", "activation=tanh optimizer=adam"]
    assert res.rows[0]["params"]["lr"] == 0.1 and res.rows[1]["params"]["lr"] == 0.01
    assert res.best["test_score_mean"] > 0.9


def test_regression_scores_r2():
    X, y = make_regression(200, n_features=3, noise=5.0, random_state=0)
    y = y / y.std()
    res = run_experiment(
        {"hidden": [(16,)]}, X[:150], y[:150], X[150:], y[150:], seeds=(0,), base={"epochs": 40}
    )
    assert res.task == "regression" and res.metric == "r2"
    assert res.rows[0]["test_score_mean"] > 0.9
    assert "test R²" in res.table()


def test_bad_grids(moons):
    with pytest.raises(ValueError, match="unknown grid key 'learning_rate'"):
        run_experiment({"learning_rate": [0.1]}, *moons)
    with pytest.raises(ValueError, match="list of values"):
        run_experiment({"lr": 0.1}, *moons)
    with pytest.raises(ValueError, match="seeds is empty"):
        run_experiment({"lr": [0.1]}, *moons, seeds=())
    X_train, y_train, X_test, y_test = moons
    with pytest.raises(ValueError, match="X_test has 3 features"):
        run_experiment({"lr": [0.1]}, X_train, y_train, np.zeros((5, 3)), np.zeros(5))
