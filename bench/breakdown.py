"""Where glassnet's time goes: one workload of BENCH.md under line_profiler, line by line.

Usage::

    python bench/breakdown.py large            # one training epoch of the large workload
    python bench/breakdown.py predict          # one pass of the predict workload
    python bench/breakdown.py digits --quick   # the smoke-test sizes

It trains (or predicts) exactly as the bench's glassnet column does, with the
engine's inner functions under line_profiler: the training loop, the forward and
backward pass, the activations' fused steps and the optimizer (or, for predict,
the chunked forward pass). It prints a summary, then every line's time:

- wall: the epoch (or pass) as timed with the profiler on. line_profiler adds
  about a microsecond per line run: a few per cent for large and predict, but
  most of the time for small and digits, whose steps take tens of microseconds
  (read those for where the Python goes, not for absolute times);
- GEMM lines: the time of the lines that call ``np.matmul``, beside the GEMM
  roofline of the same shapes measured just after (as in the bench);
- everything else: wall minus GEMM lines, broken down line by line below;
- GEMMs alone: the same products, with the network's weights, on the same rows in
  the same order (for training, on the same shuffled batches), with nothing between
  them. Unlike the roofline, whose operands are warm in the cache, these read the
  data as the real pass does, so ``roofline / GEMMs alone`` is the share that an
  engine with no other work at all would reach; for training, the batch gathers
  (rows copied out of ``X``, the one piece of memory traffic every engine pays) are
  timed beside them.

A line that calls another profiled function (``loss_and_grad`` calling
``_forward``) includes that function's time.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from systems import Glassnet, roofline_seconds
from workloads import LR, layer_sizes, load, predictor_rows, workloads

import glassnet
from glassnet import activations, batches, layers, network, optimizers, training

TRAINING_FUNCTIONS = (
    training._Run._epoch,
    training._Run._steps,
    batches.ArrayBatches.epoch,
    network.Network.loss_and_grad,
    network.Network._forward,
    network.Network._backward,
    layers.Dense.forward,
    layers.Dense.backward,
    layers.Dense.delta,
    activations.ReLU.apply_with_bias,
    activations.ReLU.backward,
    activations.Softmax.__call__,
    optimizers.Optimizer.step,
    optimizers.Adam._update,
)
PREDICT_FUNCTIONS = (network.Network._output_chunks, network.Network.predict, network.Network.predict_index)


def matmul_line_seconds(profiler):
    """Seconds spent on the profiled lines that call ``np.matmul``."""
    total = 0.0
    stats = profiler.get_stats()
    for (filename, _first_line, _), timings in stats.timings.items():
        source = Path(filename).read_text().splitlines()
        for line, _, ticks in timings:
            if "np.matmul(" in source[line - 1]:
                total += ticks * stats.unit
    return total


def predict_gemms_alone(net, X, chunk=8192):
    """Seconds of the forward products alone over ``X``, chunk by chunk, as ``predict`` runs them."""
    weights = [layer._W for layer in net.layers]
    buffers = [np.empty((min(chunk, X.shape[0]), W.shape[1]), W.dtype) for W in weights]
    start = time.perf_counter()
    for first in range(0, X.shape[0], chunk):
        A = X[first : first + chunk]
        for W, Z in zip(weights, buffers, strict=True):
            Z = Z[: A.shape[0]]
            np.matmul(A, W, out=Z)
            A = Z
    return time.perf_counter() - start


def training_gemms_alone(net, X, batch_size, seed=0):
    """``(gemm_seconds, gather_seconds)`` of one epoch's products alone, and of its batch gathers.

    Per step, as backpropagation runs them: every ``Z = A_prev W``, every
    ``dW = A_prevᵀ dZ`` and ``dA_prev = dZ Wᵀ`` for every layer but the first, on
    the rows of a shuffled batch (the values of ``dZ`` do not matter for the speed).
    """
    weights = [layer._W for layer in net.layers]
    m = min(batch_size, X.shape[0])
    Zs = [np.empty((m, W.shape[1]), W.dtype) for W in weights]
    dAs = [np.empty((m, W.shape[0]), W.dtype) for W in weights]
    dWs = [np.empty_like(W) for W in weights]
    batch = np.empty((m, X.shape[1]), X.dtype)
    order = np.random.default_rng(seed).permutation(X.shape[0])
    gemm = gather = 0.0
    for first in range(0, X.shape[0], m):
        idx = order[first : first + m]
        start = time.perf_counter()
        A = X.take(idx, axis=0, out=batch[: idx.size], mode="clip")
        middle = time.perf_counter()
        inputs = []
        for W, Z in zip(weights, Zs, strict=True):
            inputs.append(A)
            A = np.matmul(A, W, out=Z[: idx.size])
        for i in reversed(range(len(weights))):
            dZ = Zs[i][: idx.size]
            np.matmul(inputs[i].T, dZ, out=dWs[i])
            if i > 0:
                np.matmul(dZ, weights[i].T, out=dAs[i][: idx.size])
        gemm += time.perf_counter() - middle
        gather += middle - start
    return gemm, gather


def breakdown(workload, quick):
    from line_profiler import LineProfiler

    X_train, y_train, X_test, _ = load(workload)
    system = Glassnet()
    if workload.predict_only:
        net = system.predictor(workload, *predictor_rows(), seed=0)
        net.predict(X_test[:512])  # compile and import first
        functions, sizes = PREDICT_FUNCTIONS, layer_sizes(workload, X_test.shape[1], 10)
        run = lambda: net.predict(X_test)  # noqa: E731
        alone = lambda: (predict_gemms_alone(net, X_test), None)  # noqa: E731
        roofline = lambda: roofline_seconds(sizes, X_test.shape[0])  # noqa: E731
        what = f"one predict pass over {X_test.shape[0]:,} rows"
    else:
        n_classes = np.unique(y_train).size
        net = system._network(workload, X_train.shape[1], n_classes, seed=0)
        train = lambda: glassnet.train(  # noqa: E731
            net,
            X_train,
            y_train,
            optimizer="adam",
            lr=LR,
            epochs=1,
            batch_size=workload.batch_size,
            track_accuracy=False,
            random_state=0,
        )
        train()  # compile and import first
        functions, sizes = TRAINING_FUNCTIONS, layer_sizes(workload, X_train.shape[1], n_classes)
        run = train
        alone = lambda: training_gemms_alone(net, X_train, workload.batch_size)  # noqa: E731
        roofline = lambda: roofline_seconds(sizes, X_train.shape[0], workload.batch_size)  # noqa: E731
        what = (
            f"one training epoch: {X_train.shape[0]:,} rows, batches of "
            f"{workload.batch_size}, network {sizes}"
        )

    profiler = LineProfiler(*functions)
    start = time.perf_counter()
    profiler.runcall(run)
    wall = time.perf_counter() - start
    gemm = matmul_line_seconds(profiler)
    roof = roofline()
    alone()  # first touch of its buffers
    gemms_alone, gathers = alone()

    print(f"glassnet breakdown — {workload.name}: {what}" + (" (QUICK sizes)" if quick else ""))
    print(f"  wall               {wall * 1e3:9.1f} ms")
    print(f"  GEMM lines         {gemm * 1e3:9.1f} ms   (roofline for the same shapes: {roof * 1e3:.1f} ms)")
    print(f"  everything else    {(wall - gemm) * 1e3:9.1f} ms")
    print(
        f"  GEMMs alone        {gemms_alone * 1e3:9.1f} ms   (the same products on the same data, "
        f"nothing between them: roofline / GEMMs alone = {roof / gemms_alone:.3f})"
    )
    if gathers is not None:
        print(
            f"  batch gathers      {gathers * 1e3:9.1f} ms   (alone; roofline / (GEMMs + gathers) = "
            f"{roof / (gemms_alone + gathers):.3f})"
        )
    print()
    profiler.print_stats(output_unit=1e-3, stripzeros=True)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("workload", choices=[name for name, w in workloads().items() if w.timed])
    parser.add_argument("--quick", action="store_true", help="the smoke-test sizes of bench/run.py --quick")
    args = parser.parse_args(argv)
    breakdown(workloads(args.quick)[args.workload], args.quick)
    return 0


if __name__ == "__main__":
    sys.exit(main())
