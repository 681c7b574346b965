"""The benchmark still runs: ``python bench/run.py --quick`` prints every workload's row.

A smoke test, so that the bench never rots; it measures nothing (BENCH.md's figures
come from a full run).
"""

import re
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench" / "run.py"
BREAKDOWN = BENCH.with_name("breakdown.py")


def test_quick_bench_prints_a_row_for_every_workload():
    done = subprocess.run(
        [sys.executable, str(BENCH), "--quick"], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-3000:]
    rows = {line.split()[0] for line in done.stdout.splitlines() if line.strip()}
    for workload in ("small", "digits", "large", "predict", "wine", "breast_cancer"):
        assert workload in rows, done.stdout
    assert "targets (BENCH.md):" in done.stdout


@pytest.mark.parametrize(
    "workload, hot_function", [("large", "Network.loss_and_grad"), ("predict", "Network._output_chunks")]
)
def test_breakdown_splits_the_time_into_gemm_lines_and_the_rest(workload, hot_function):
    done = subprocess.run(
        [sys.executable, str(BREAKDOWN), workload, "--quick"], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-3000:]
    figures = {}
    for line in done.stdout.splitlines()[1:4]:
        label, ms = line.split("ms")[0].rsplit(None, 1)
        figures[label.strip()] = float(ms)
    assert set(figures) == {"wall", "GEMM lines", "everything else"}, done.stdout[:500]
    assert 0 < figures["GEMM lines"] < figures["wall"]
    assert figures["everything else"] == pytest.approx(figures["wall"] - figures["GEMM lines"], abs=0.2)
    alone = [line for line in done.stdout.splitlines() if line.strip().startswith("GEMMs alone")]
    assert len(alone) == 1 and float(alone[0].split()[2]) > 0, done.stdout[:800]
    assert any(line.strip().startswith("batch gathers") for line in done.stdout.splitlines()) == (
        workload == "large"
    )
    assert f"Function: {hot_function}" in done.stdout
    assert "np.matmul(" in done.stdout


@pytest.mark.xdist_group("dask")  # beside the Dask tests: one set of worker processes at a time
def test_quick_scaleout_bench_prints_the_table_with_equal_sweeps():
    pytest.importorskip("distributed")
    done = subprocess.run(
        [sys.executable, str(BENCH.with_name("scaleout.py")), "--quick"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    lines = {line.strip().split("  ")[0]: line for line in done.stdout.splitlines()}
    assert lines["results equal to the serial run"].split()[-1] == "yes", done.stdout
    moved = re.search(
        r"([\d.]+) kB\s+X is ([\d.]+) MB", lines["bytes between processes per iteration (all TCP writes)"]
    )
    assert 1e3 * float(moved[1]) < 1e6 * float(moved[2]) / 10, moved[0]  # O(parameters), not O(rows)
    assert any(line.startswith("streaming Adam") for line in lines), done.stdout


def test_quick_coldstart_prints_its_entries_with_their_ratios():
    # Two entries of the smoke sizes (each process imports scikit-learn: seconds, not minutes).
    done = subprocess.run(
        [
            sys.executable,
            str(BENCH.with_name("coldstart.py")),
            "--quick",
            "--entry",
            "grid n_jobs=2",
            "--entry",
            "glassnet --help",
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    lines = done.stdout.splitlines()
    rows = {}  # the first table's row of each entry
    for line in lines:
        rows.setdefault(line[:22].strip(), line[22:].split())
    glassnet_s, sklearn_s, ratio = map(float, rows["grid n_jobs=2"][:3])
    assert glassnet_s > 0 and sklearn_s > 0 and ratio == pytest.approx(glassnet_s / sklearn_s, abs=0.006)
    assert float(rows["glassnet --help"][0]) > 0 and "import" not in rows
    # The floor's table: the free-fit search, and what each library adds above it (one round).
    [floor_row] = [
        line[22:].split()
        for line in lines[lines.index(next(l for l in lines if "floor s" in l)) :]
        if line.startswith("grid n_jobs=2")
    ]
    floor_s, sklearn_again, floor_ratio = map(float, floor_row[:3])
    gn_above, sk_above, above_ratio = map(float, floor_row[-3:])
    assert sklearn_again == sklearn_s and floor_ratio == pytest.approx(floor_s / sklearn_s, abs=0.006)
    assert gn_above == pytest.approx(glassnet_s - floor_s, abs=0.002)
    assert sk_above == pytest.approx(sklearn_s - floor_s, abs=0.002)
    if abs(sk_above) >= 0.05:  # (the printed seconds are rounded: a ratio of near-zeros is not checkable)
        assert above_ratio == pytest.approx(gn_above / sk_above, rel=0.05, abs=0.01)
