"""The benchmark still runs: ``python bench/run.py --quick`` prints every workload's row.

A smoke test, so that the bench never rots; it measures nothing (BENCH.md's figures
come from a full run).
"""

import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[1] / "bench" / "run.py"


def test_quick_bench_prints_a_row_for_every_workload():
    done = subprocess.run([sys.executable, str(BENCH), "--quick"],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    rows = {line.split()[0] for line in done.stdout.splitlines() if line.strip()}
    for workload in ("small", "digits", "large", "predict", "wine", "breast_cancer"):
        assert workload in rows, done.stdout
    assert "targets (BENCH.md):" in done.stdout
