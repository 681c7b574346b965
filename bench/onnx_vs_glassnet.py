"""onnxruntime against glassnet, predicting with the large network of BENCH.md.

Usage::

    python bench/onnx_vs_glassnet.py              # 100,000 rows, 7 rounds (about a minute)
    python bench/onnx_vs_glassnet.py --quick      # 5,000 rows, 2 rounds: a smoke test
    python bench/onnx_vs_glassnet.py --rows 1000000 --rounds 5

The network is 784 → 256 → 128 → 10, ReLU, softmax, float32 (random weights: the
time does not depend on them), exported with ``glassnet.export_onnx``. Both systems
run in this process on the same float32 rows, in turn within each round (the order
alternating), each with its default number of threads (onnxruntime's pool, NumPy's
BLAS). The table shows each system's median time and the median, lowest and
highest of the per-round ratios onnxruntime / glassnet: below 1, onnxruntime is
faster.

Both thread pools keep spinning for a while after a call: in one process, the
system that runs next would share the cores with the other's idle threads (this
doubled glassnet's time when measured). So the session is made with
``session.intra_op.allow_spinning = 0``, as onnxruntime advises for a process that
does other work, and every call starts after a pause of ``--pause`` seconds.

Two tasks: the probabilities (glassnet ``predict_output``, onnxruntime's
``probabilities`` output) and the labels (glassnet ``predict``, onnxruntime's
``label`` output). Each answer is checked against the other system's first.
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np


def _timed(fn, pause):
    time.sleep(pause)
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000, help="rows to predict")
    parser.add_argument("--rounds", type=int, default=7, help="rounds (each system once per round)")
    parser.add_argument("--pause", type=float, default=0.3, help="seconds of rest before each call")
    parser.add_argument("--quick", action="store_true", help="5,000 rows, 2 rounds")
    args = parser.parse_args(argv)
    rows, rounds = (5_000, 2) if args.quick else (args.rows, args.rounds)

    import onnxruntime as ort

    import glassnet as gn

    net = gn.Network(
        [784, 256, 128, 10], activations="relu", output="softmax", dtype=np.float32, random_state=0
    )
    X = np.random.default_rng(0).standard_normal((rows, 784), dtype=np.float32)
    options = ort.SessionOptions()
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    session = ort.InferenceSession(
        gn.export_onnx(net).SerializeToString(), options, providers=["CPUExecutionProvider"]
    )
    tasks = {
        "probabilities": (lambda: net.predict_output(X), lambda: session.run(["probabilities"], {"X": X})[0]),
        "labels": (lambda: net.predict(X), lambda: session.run(["label"], {"X": X})[0]),
    }
    probabilities = [fn() for fn in tasks["probabilities"]]  # warm-up, and the answers agree
    labels = [fn() for fn in tasks["labels"]]
    assert np.abs(probabilities[0] - probabilities[1]).max() <= 1e-5
    assert np.mean(labels[0] == labels[1]) >= 0.9999

    print(
        f"onnxruntime {ort.__version__} vs glassnet {gn.__version__}: {rows:,} × 784 float32, "
        f"784 → 256 → 128 → 10 (ReLU, softmax), {rounds} rounds"
    )
    print(f"{'':<15}{'glassnet':>12}{'onnxruntime':>14}   onnxruntime / glassnet (median; lowest–highest)")
    for name, (glassnet_fn, onnx_fn) in tasks.items():
        times = {"glassnet": [], "onnxruntime": []}
        for r in range(rounds):
            order = [("glassnet", glassnet_fn), ("onnxruntime", onnx_fn)][:: 1 if r % 2 == 0 else -1]
            for system, fn in order:
                times[system].append(_timed(fn, args.pause))
        ratios = [o / g for o, g in zip(times["onnxruntime"], times["glassnet"], strict=True)]
        print(
            f"{name:<15}{statistics.median(times['glassnet']) * 1e3:>9.1f} ms"
            f"{statistics.median(times['onnxruntime']) * 1e3:>11.1f} ms   "
            f"{statistics.median(ratios):.2f} ({min(ratios):.2f}–{max(ratios):.2f})"
        )


if __name__ == "__main__":
    main()
