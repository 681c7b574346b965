"""glassnet beyond one machine: the scale-out table of BENCH.md, on a LocalCluster on 127.0.0.1.

Usage::

    python bench/scaleout.py             # the full table (about 5 minutes on 2 cores)
    python bench/scaleout.py --quick     # tiny sizes, one repeat, no scheduler="local": a smoke test

On a 2-core machine the figures are the *overhead* and the correctness of going
distributed, not a speed-up (the client, the scheduler and both workers share the
two cores). Three measurements, each glassnet on Dask against glassnet in memory:

- a sweep of 8 configurations × 3 seeds: ``run_experiment`` serial against
  ``scheduler="local"`` (a LocalCluster of 2 worker processes, started and closed
  by the call) and against an already running cluster; the results must be equal;
- L-BFGS over a Dask array of 1,000,000 × 20 float32 in 16 blocks on 2 workers
  (made on the workers from seeds and kept in their memory, never on the client):
  time per iteration
  against in-memory L-BFGS on the same data, the bytes sent between processes per
  iteration (counted in every process at its TCP writes: client, scheduler and
  workers), and the peak of the client's allocations while it runs (tracemalloc;
  this LocalCluster's scheduler lives in the client process and is counted too);
- streaming Adam over the same array: rows per second against in memory.

Medians over the repeats, the systems alternating in each round. Every process
(the client and each worker) runs its BLAS on one thread.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import glassnet as gn

SWEEP_GRID = {"hidden": [(16,), (32,), (16, 16), (32, 16)], "lr": [0.01, 0.03]}


# ---------------------------------------------------------------------------- data made on the workers
def _block(seed, rows, n_features):
    """One block of a binary task: ``y = 1`` where ``x₀ + x₁² > 1`` (float32 rows)."""
    X = np.random.default_rng(seed).standard_normal((rows, n_features), dtype=np.float32)
    return X, (X[:, 0] + X[:, 1] ** 2 > 1).astype(np.int8)


def _X_block(seed, rows, n_features):
    return _block(seed, rows, n_features)[0]


def _y_block(seed, rows, n_features):
    return _block(seed, rows, n_features)[1]


def made_on_workers(n_rows, n_features, n_blocks):
    """Dask ``X`` (float32) and ``y`` whose blocks are computed on the workers from seeds."""
    import dask
    import dask.array as da

    rows = n_rows // n_blocks
    X = da.concatenate(
        [
            da.from_delayed(dask.delayed(_X_block)(b, rows, n_features), (rows, n_features), dtype=np.float32)
            for b in range(n_blocks)
        ]
    )
    y = da.concatenate(
        [
            da.from_delayed(dask.delayed(_y_block)(b, rows, n_features), (rows,), dtype=np.int8)
            for b in range(n_blocks)
        ]
    )
    return X, y


# ---------------------------------------------------------------------------- bytes on the wire
def _count_tcp_writes():
    """Count, in this process, the bytes every TCP write of Dask sends (installed once)."""
    import distributed.comm.tcp as tcp

    if getattr(tcp.TCP.write, "counting", False):
        return
    write = tcp.TCP.write

    async def counted(self, msg, serializers=None, on_error="message"):
        n = await write(self, msg, serializers=serializers, on_error=on_error)
        tcp.BYTES_WRITTEN = getattr(tcp, "BYTES_WRITTEN", 0) + (n or 0)
        return n

    counted.counting = True
    tcp.TCP.write = counted


def _bytes_written():
    import distributed.comm.tcp as tcp

    return getattr(tcp, "BYTES_WRITTEN", 0)


def bytes_sent_everywhere(client):
    """Bytes written to TCP by this process (client and scheduler) and by every worker."""
    return _bytes_written() + sum(client.run(_bytes_written).values())


# ---------------------------------------------------------------------------- the three measurements
def measure_sweep(address, data, repeats, epochs, local=True):
    """``{"serial": [s], "local": [s], "running": [s], "equal": bool}`` for 8 configurations × 3 seeds.

    ``"local"`` (unless ``local=False``) starts and closes its own LocalCluster;
    ``"running"`` uses the one at ``address``.
    """
    from glassnet.glass.experiments import run_experiment

    args = (SWEEP_GRID, *data)
    settings = dict(seeds=(0, 1, 2), base={"epochs": epochs, "batch_size": 32})
    schedulers = {"serial": None, "local": "local", "running": address}
    if not local:
        del schedulers["local"]
    times = {name: [] for name in schedulers}
    results = {}
    for _ in range(repeats):
        for name, scheduler in schedulers.items():
            start = time.perf_counter()
            results[name] = run_experiment(*args, scheduler=scheduler, **settings)
            times[name].append(time.perf_counter() - start)
    strip = [
        [{k: v for k, v in run.items() if k != "time"} for run in results[name].runs] for name in results
    ]
    times["equal"] = all(runs == strip[0] for runs in strip)
    return times


def measure_lbfgs(client, X, y, iterations, repeats):
    """Seconds per iteration on the cluster and in memory, bytes per iteration, client peak."""
    import dask

    from glassnet._validation import aligned
    from glassnet.distributed.lbfgs import BlockGradient
    from glassnet.distributed.training import network_data
    from glassnet.lbfgs import lbfgs_arrays, minimize_objective

    client.run(_count_tcp_writes)
    _count_tcp_writes()
    found = {"cluster": [], "memory": [], "bytes": [], "peak": [], "payload": []}
    X_mem = y_mem = None
    for r in range(repeats):
        net = gn.Network([X.shape[1], 32, 1], output="sigmoid", random_state=r)
        start_theta = net.theta.copy()
        tracemalloc.start()
        before, _ = tracemalloc.get_traced_memory()
        objective = BlockGradient(net, network_data(net, X, y), net.head.loss, l2=1e-4)
        objective(start_theta.astype(np.float64))  # the workers compile their kernels (numba) first
        objective.evaluations = objective.bytes_sent = objective.bytes_received = 0
        sent = bytes_sent_everywhere(client)
        start = time.perf_counter()
        result = minimize_objective(net, objective, max_iter=iterations, tol=0)
        seconds = time.perf_counter() - start
        found["bytes"].append((bytes_sent_everywhere(client) - sent) / result.nit)
        found["peak"].append(tracemalloc.get_traced_memory()[1] - before)
        tracemalloc.stop()
        found["payload"].append((objective.bytes_sent + objective.bytes_received) / result.nit)
        objective.close()
        found["cluster"].append(seconds / result.nit)
        if X_mem is None:  # from here on the client holds X: the in-memory side
            X_mem, y_mem = map(aligned, dask.compute(X, y))  # as glassnet's checks would
        net.set_params(start_theta)
        Y_mem = y_mem.reshape(-1, 1).astype(np.float32)
        net.loss_and_grad(X_mem[:100], Y_mem[:100], net.head.loss)  # compiled here too before timing
        start = time.perf_counter()
        in_memory = lbfgs_arrays(net, X_mem, Y_mem, l2=1e-4, max_iter=iterations, tol=0)
        found["memory"].append((time.perf_counter() - start) / in_memory.nit)
        found["same"] = abs(in_memory.fun - result.fun) / in_memory.fun
    return found, X_mem, y_mem


def measure_streaming(X, y, X_mem, y_mem, epochs, repeats):
    """Rows per second of Adam (batch 200) streaming the blocks, and in memory."""
    rates = {"cluster": [], "memory": []}
    for r in range(repeats):
        for name, (data, targets) in (("cluster", (X, y)), ("memory", (X_mem, y_mem))):
            net = gn.Network([X.shape[1], 32, 1], output="sigmoid", random_state=r)
            start = time.perf_counter()
            gn.train(
                net,
                data,
                targets,
                optimizer="adam",
                lr=1e-3,
                epochs=epochs,
                batch_size=200,
                random_state=r,
                track_accuracy=False,
            )
            rates[name].append(epochs * X.shape[0] / (time.perf_counter() - start))
    return rates


# ---------------------------------------------------------------------------- the table
def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes, one repeat (a smoke test)")
    parser.add_argument("--repeats", type=int, default=None)
    args = parser.parse_args(argv)
    quick = args.quick
    # One BLAS thread in this process, as in each worker: on a shared 2-core machine two
    # threads per product oversubscribe the cores (measured: in-memory L-BFGS 3 to 10 times slower).
    from threadpoolctl import threadpool_limits

    threadpool_limits(1)
    repeats = args.repeats or (1 if quick else 3)
    n_rows, n_blocks = (32_000, 4) if quick else (1_000_000, 16)
    from distributed import Client, LocalCluster

    X_moons, y_moons = gn.data.moons(300 if quick else 4000, noise=0.3, random_state=0)
    cut = len(y_moons) * 3 // 4
    with (
        LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address="127.0.0.1:0",
            scheduler_kwargs={"dashboard": False},
        ) as cluster,
        Client(cluster) as client,
    ):
        sweep = measure_sweep(
            cluster.scheduler_address,
            (X_moons[:cut], y_moons[:cut], X_moons[cut:], y_moons[cut:]),
            repeats,
            epochs=3 if quick else 40,
            local=not quick,
        )
        X, y = client.persist(made_on_workers(n_rows, 20, n_blocks))  # in the workers' memory
        lbfgs, X_mem, y_mem = measure_lbfgs(client, X, y, iterations=3 if quick else 20, repeats=repeats)
        stream = measure_streaming(X, y, X_mem, y_mem, epochs=1, repeats=repeats)
    print_table(sweep, lbfgs, stream, n_rows, n_blocks, X_mem.nbytes, repeats)


def print_table(sweep, lbfgs, stream, n_rows, n_blocks, x_bytes, repeats):
    med = statistics.median
    n_params = 20 * 32 + 32 + 32 + 1
    rows = [
        ("sweep 8 configurations × 3 seeds, serial", f"{med(sweep['serial']):.2f} s", ""),
        (
            "  on a running 2-worker cluster",
            f"{med(sweep['running']):.2f} s",
            f"{med(sweep['running']) / med(sweep['serial']):.2f} × serial",
        ),
        ("  results equal to the serial run", "yes" if sweep["equal"] else "NO", ""),
        (
            f"L-BFGS {n_rows:,} × 20 float32, {n_blocks} blocks, 2 workers: s/iteration",
            f"{med(lbfgs['cluster']) * 1e3:.0f} ms",
            f"{med(lbfgs['cluster']) / med(lbfgs['memory']):.2f} × in memory ({med(lbfgs['memory']) * 1e3:.0f} ms)",
        ),
        (
            "  bytes between processes per iteration (all TCP writes)",
            f"{med(lbfgs['bytes']) / 1e3:.1f} kB",
            f"X is {x_bytes / 1e6:.0f} MB: {x_bytes / med(lbfgs['bytes']):,.0f} × more",
        ),
        (
            "  of which θ out and gradients back (array bytes)",
            f"{med(lbfgs['payload']) / 1e3:.1f} kB",
            f"θ: {n_params} parameters",
        ),
        (
            "  client peak allocations (scheduler included)",
            f"{med(lbfgs['peak']) / 1e6:.1f} MB",
            f"{med(lbfgs['peak']) / x_bytes:.3f} × X",
        ),
        ("  final loss, cluster vs memory (relative)", f"{lbfgs['same']:.1e}", ""),
        (
            "streaming Adam (batch 200): rows/s",
            f"{med(stream['cluster']):,.0f}",
            f"{med(stream['cluster']) / med(stream['memory']):.2f} × in memory ({med(stream['memory']):,.0f})",
        ),
    ]
    if "local" in sweep:  # not in a quick run
        rows.insert(
            1,
            (
                "  scheduler='local' (start + 2 workers + close)",
                f"{med(sweep['local']):.2f} s",
                f"{med(sweep['local']) / med(sweep['serial']):.2f} × serial",
            ),
        )
    width = max(len(r[0]) for r in rows)
    print(f"scale-out (Dask, LocalCluster on 127.0.0.1, medians of {repeats})")
    for label, value, ratio in rows:
        print(f"{label:<{width}}  {value:>12}  {ratio}")


if __name__ == "__main__":
    main()
