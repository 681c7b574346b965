"""glassnet against scikit-learn and PyTorch on the CPU: speed, memory and accuracy.

Usage::

    python bench/run.py                    # every workload of BENCH.md, 5 repeats (about 5 minutes)
    python bench/run.py --quick            # tiny sizes, 1 repeat: a smoke test (under a minute)
    python bench/run.py --workload large   # one workload (small, digits, large, predict,
                                           #   wine or breast_cancer)
    python bench/run.py --repeats 5        # more repeats, steadier medians

PyTorch is optional (``pip install -e '.[bench]'``); without it the torch column
is skipped with a note. The machine is shared and noisy, so the systems run in
turn, in a rotating order, for several repeats, and the table shows medians and
the ratios of medians. The roofline (the GEMMs of a training step, or of the
forward pass, at the speed NumPy reaches for the same shapes) is measured in the
same rounds. Peak memory is measured once per system in a fresh process: the
peak resident set while training (or predicting) minus the resident set just
before, i.e. on top of the data and the imported libraries. Test accuracy is the
mean over 5 seeds (split, initial weights and shuffling) with the same settings
for glassnet and scikit-learn.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from systems import available_systems, roofline_seconds
from workloads import ACCURACY_WORKLOADS, layer_sizes, load, predictor_rows, workloads

MEMORY_WORKLOADS = ("large", "predict")

# (label, workload, numerator, denominator, comparison, bound) as in BENCH.md's table of targets.
TARGETS = [
    ("small: time/epoch glassnet / sklearn", "small", "glassnet", "sklearn", "<=", 0.20),
    ("small: time/epoch glassnet / torch", "small", "glassnet", "torch", "<=", 0.10),
    ("small: glassnet / JAX whole run fused", "small", "glassnet", "jax", "<=", 0.5),
    ("small: estimator (MLPClassifier.fit) / sklearn", "small", "estimator", "sklearn", "<=", 0.10),
    ("digits: glassnet / sklearn", "digits", "glassnet", "sklearn", "<=", 0.35),
    ("digits: estimator (MLPClassifier.fit) / sklearn", "digits", "estimator", "sklearn", "<=", 0.25),
    ("large: glassnet / torch", "large", "glassnet", "torch", "<=", 0.60),
    ("large: glassnet / sklearn", "large", "glassnet", "sklearn", "<=", 0.55),
    ("large: roofline / glassnet", "large", "roofline", "glassnet", ">=", 0.85),
    ("predict: roofline / glassnet", "predict", "roofline", "glassnet", ">=", 0.95),
    ("predict: peak memory glassnet / sklearn", "predict", "mem:glassnet", "mem:sklearn", "<=", 0.25),
    ("large: peak training memory glassnet / sklearn", "large", "mem:glassnet", "mem:sklearn", "<=", 1.0),
    # Issue 16's tighter bounds for small networks.
    ("small: glassnet / sklearn (issue 16)", "small", "glassnet", "sklearn", "<=", 0.05),
    ("digits: glassnet / sklearn (issue 16)", "digits", "glassnet", "sklearn", "<=", 0.15),
]


# ---------------------------------------------------------------------------- timing
def time_workload(workload, systems, repeats):
    """Seconds per epoch (per pass for predict) of each system and of the roofline, one per round."""
    X_train, y_train, X_test, _ = load(workload)
    systems = [s for s in systems if not (workload.predict_only and _train_only(s))]
    if workload.predict_only:
        X_fit, y_fit = predictor_rows()
        models = {s.name: s.predictor(workload, X_fit, y_fit, seed=0) for s in systems}
        sizes = layer_sizes(workload, X_test.shape[1], 10)
    else:
        sizes = layer_sizes(workload, X_train.shape[1], np.unique(y_train).size)
    times = {s.name: [] for s in systems} | {"roofline": []}
    for s in systems:  # one untimed pass each: what a system loads or compiles for these shapes
        if workload.predict_only:
            s.predict(models[s.name], X_test)
        else:
            s.train(workload, X_train, y_train, seed=0)
    for r in range(repeats):
        for s in systems[r % len(systems) :] + systems[: r % len(systems)]:  # rotate the order
            if workload.predict_only:
                start = time.perf_counter()
                s.predict(models[s.name], X_test)
                times[s.name].append(time.perf_counter() - start)
            else:
                _, seconds = s.train(workload, X_train, y_train, seed=r)
                times[s.name].append(seconds / workload.epochs)
        if workload.predict_only:
            times["roofline"].append(roofline_seconds(sizes, X_test.shape[0]))
        else:
            times["roofline"].append(roofline_seconds(sizes, X_train.shape[0], workload.batch_size))
    return times


def _train_only(system):
    """The estimator and JAX columns time training only (predict, memory and accuracy skip them)."""
    return getattr(system, "train_only", False)


def warm_up(systems, workload):
    """One untimed epoch per system: imports, lazy compilation and caches before any timing."""
    X_train, y_train, _, _ = load(workload)
    for s in systems:
        getattr(s, "prepare", lambda: None)()
        s.train(dataclasses.replace(workload, epochs=1), X_train, y_train, seed=0)


# ---------------------------------------------------------------------------- memory
def _status_kb(field):
    """A field of /proc/self/status (VmRSS: now, VmHWM: peak), in kB."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise KeyError(field)


def memory_child(system_name, workload_name, quick):
    """In a fresh process: peak RSS while training/predicting, above the RSS just before."""
    workload = workloads(quick)[workload_name]
    system = {s.name: s for s in available_systems()[0]}[system_name]
    X_train, y_train, X_test, _ = load(workload)
    getattr(system, "prepare", lambda: None)()
    if workload.predict_only:
        model = system.predictor(workload, *predictor_rows(), seed=0)
        system.predict(model, X_test[:512])  # warm up: lazy imports belong to the baseline
    else:
        system.train(dataclasses.replace(workload, epochs=1), X_train[:512], y_train[:512], seed=0)
    baseline = _status_kb("VmRSS")
    try:  # Linux: writing 5 resets the peak (VmHWM) to the current RSS
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        exact = True
    except OSError:
        exact = False  # the peak may then include loading the data
    if workload.predict_only:
        system.predict(model, X_test)
    else:
        system.train(workload, X_train, y_train, seed=0)
    peak = _status_kb("VmHWM") if exact else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"baseline_mb": baseline / 1024, "extra_mb": (peak - baseline) / 1024, "exact": exact}))


def measure_memory(workload, systems, quick):
    """``{system: result}`` from one fresh process per system."""
    results = {}
    for s in systems:
        if _train_only(s):
            continue
        command = [sys.executable, __file__, "--memory-child", s.name, workload.name]
        done = subprocess.run(
            command + (["--quick"] if quick else []), capture_output=True, text=True, check=False
        )
        if done.returncode != 0:
            print(f"memory: {s.name} on {workload.name} failed:\n{done.stderr}", file=sys.stderr)
            continue
        results[s.name] = json.loads(done.stdout.strip().splitlines()[-1])
    return results


# ---------------------------------------------------------------------------- accuracy
def test_accuracy(workload, systems, seeds):
    """Mean test accuracy (in %) over ``seeds`` of glassnet and scikit-learn."""
    result = {}
    for s in systems:
        if s.name == "torch" or _train_only(s):
            continue
        scores = []
        for seed in range(seeds):
            X_train, y_train, X_test, y_test = load(workload, seed)
            model, _ = s.train(workload, X_train, y_train, seed)
            scores.append(np.mean(np.asarray(s.predict(model, X_test)) == y_test))
        result[s.name] = 100 * float(np.mean(scores))
    return result


# ---------------------------------------------------------------------------- report
def _ms(seconds):
    if seconds is None:
        return "–"
    ms = seconds * 1e3
    return f"{ms:.3g}" if ms < 1000 else f"{ms:,.0f}"


def _ratio(a, b):
    """``a / b``; for per-round lists, the median of the rounds' ratios (noise hits both alike)."""
    if a is None or b is None:
        return None
    if isinstance(a, list):
        return float(np.median(np.divide(a, b)))
    return None if b == 0 else a / b


def _round_range(a, b):
    """``"  (rounds lo–hi)"``: the spread of the rounds' ratios, when there are several."""
    if not isinstance(a, list) or not isinstance(b, list) or len(a) < 2:
        return ""
    ratios = np.divide(a, b)
    return f"  (rounds {ratios.min():.2f}–{ratios.max():.2f})"


def _median(values):
    return None if values is None else float(np.median(values))


def _fmt(value, spec=".2f"):
    return "–" if value is None else format(value, spec)


COLUMNS = [
    ("workload", 14),
    ("glassnet ms", 12),
    ("est ms", 8),
    ("sklearn ms", 11),
    ("torch ms", 10),
    ("jax ms", 8),
    ("gn/sk", 6),
    ("est/sk", 7),
    ("gn/torch", 9),
    ("gn/jax", 7),
    ("roof ms", 9),
    ("roof/gn", 8),
    ("mem gn MB", 10),
    ("mem sk MB", 10),
    ("mem torch MB", 13),
    ("mem gn/sk", 10),
    ("acc gn %", 9),
    ("acc sk %", 9),
]


def figures(name, times, memory, accuracy):
    """The numbers of one table row, by the names the targets use."""
    t, mem = times.get(name, {}), memory.get(name, {})
    row = {k: t.get(k) for k in ("glassnet", "estimator", "sklearn", "torch", "jax", "roofline")}
    for k in ("glassnet", "sklearn", "torch"):
        row["mem:" + k] = mem[k]["extra_mb"] if k in mem else None
        row["acc:" + k] = accuracy.get(name, {}).get(k)
    return row


def table(names, times, memory, accuracy):
    lines = [
        "".join(f"{title:>{width}}" if i else f"{title:<{width}}" for i, (title, width) in enumerate(COLUMNS))
    ]
    for name in names:
        f = figures(name, times, memory, accuracy)
        cells = [
            name,
            _ms(_median(f["glassnet"])),
            _ms(_median(f["estimator"])),
            _ms(_median(f["sklearn"])),
            _ms(_median(f["torch"])),
            _ms(_median(f["jax"])),
            _fmt(_ratio(f["glassnet"], f["sklearn"])),
            _fmt(_ratio(f["estimator"], f["sklearn"])),
            _fmt(_ratio(f["glassnet"], f["torch"])),
            _fmt(_ratio(f["glassnet"], f["jax"])),
            _ms(_median(f["roofline"])),
            _fmt(_ratio(f["roofline"], f["glassnet"])),
            _fmt(f["mem:glassnet"], ".0f"),
            _fmt(f["mem:sklearn"], ".0f"),
            _fmt(f["mem:torch"], ".0f"),
            _fmt(_ratio(f["mem:glassnet"], f["mem:sklearn"]), ".3f"),
            _fmt(f["acc:glassnet"], ".1f"),
            _fmt(f["acc:sklearn"], ".1f"),
        ]
        lines.append(
            "".join(
                f"{c:>{w}}" if i else f"{c:<{w}}"
                for i, (c, (_, w)) in enumerate(zip(cells, COLUMNS, strict=True))
            )
        )
    return "\n".join(lines)


def target_lines(names, times, memory, accuracy):
    lines = []
    for label, name, top, bottom, op, bound in TARGETS:
        if name not in names:
            continue
        f = figures(name, times, memory, accuracy)
        value = _ratio(f.get(top), f.get(bottom))
        if value is None:
            verdict = "not measured"
        else:
            verdict = "met" if (value <= bound if op == "<=" else value >= bound) else "NOT met"
        spread = _round_range(f.get(top), f.get(bottom))
        lines.append(f"  {label:<48} {_fmt(value, '.3f'):>7}  {op} {bound:<5} {verdict}{spread}")
    for name in ACCURACY_WORKLOADS:
        acc = accuracy.get(name, {})
        if "glassnet" in acc and "sklearn" in acc:
            gap = acc["glassnet"] - acc["sklearn"]
            verdict = "met" if gap >= -0.5 else "NOT met"
            lines.append(
                f"  {'accuracy ' + name + ': glassnet − sklearn (points)':<48} "
                f"{gap:>+7.2f}  >= -0.5  {verdict}"
            )
    return lines


def header(systems, repeats, quick):
    info = [
        f"glassnet bench — {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, NumPy {np.__version__}, repeats {repeats}"
        + (", QUICK (smoke test sizes: not a measurement)" if quick else "")
    ]
    try:
        from threadpoolctl import threadpool_info

        blas = [
            f"{p['internal_api']} {p.get('version')} {p['num_threads']} threads ({p.get('architecture')})"
            for p in threadpool_info()
            if p["user_api"] == "blas"
        ]
        info.append("BLAS: " + "; ".join(blas))
    except ImportError:
        pass
    env = {
        k: os.environ[k]
        for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS")
        if k in os.environ
    }
    info.append("environment: " + (", ".join(f"{k}={v}" for k, v in env.items()) or "no BLAS variables set"))
    for s in systems:
        if s.name == "torch":
            info.append(f"torch {s.torch.__version__}, {s.torch.get_num_threads()} threads")
        if s.name == "jax":
            info.append(f"jax {s.jax.__version__} on {s.jax.devices()[0].platform}")
    return info


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes, 1 repeat (smoke test)")
    parser.add_argument("--workload", choices=list(workloads()), help="run only this workload")
    parser.add_argument("--repeats", type=int, help="rounds of timing (default 5, 1 with --quick)")
    parser.add_argument("--memory-child", nargs=2, metavar=("SYSTEM", "WORKLOAD"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.memory_child:
        memory_child(*args.memory_child, args.quick)
        return 0

    repeats = args.repeats or (1 if args.quick else 5)
    seeds = 1 if args.quick else 5
    systems, note = available_systems()
    all_workloads = workloads(args.quick)
    names = [args.workload] if args.workload else list(all_workloads)
    print("\n".join(header(systems, repeats, args.quick)), flush=True)

    times, memory, accuracy = {}, {}, {}
    started = time.perf_counter()
    warm_up(systems, all_workloads["small"])
    for name in names:
        workload = all_workloads[name]
        if workload.timed:
            print(f"… timing {name}", file=sys.stderr, flush=True)
            times[name] = time_workload(workload, systems, repeats)
        if name in MEMORY_WORKLOADS:
            print(f"… memory {name}", file=sys.stderr, flush=True)
            memory[name] = measure_memory(workload, systems, args.quick)
        if name in ACCURACY_WORKLOADS:
            print(f"… accuracy {name}", file=sys.stderr, flush=True)
            accuracy[name] = test_accuracy(workload, systems, seeds)

    print()
    print(table(names, times, memory, accuracy))
    print()
    print(
        "ms: median time per epoch (predict: per pass over all rows); ratios: median over the\n"
        "    rounds of each round's ratio (the systems of a round run back to back); a target's\n"
        "    line also gives the lowest and highest round, to show how noisy the machine was."
    )
    print("roof: the GEMMs alone at NumPy's speed for the same shapes; roof/gn = glassnet's share of it.")
    print(
        "est: glassnet's MLPClassifier.fit with the sklearn column's settings (the engine through the estimator)."
    )
    jax_peer = next((s for s in systems if s.name == "jax"), None)
    if jax_peer is not None and jax_peer.compile_seconds:
        print(
            "jax: the whole run fused in one jit (lax.scan over epochs and batches); compile time apart, "
            "not in ms: " + ", ".join(f"{k} {v:.1f} s" for k, v in jax_peer.compile_seconds.items())
        )
    if memory:
        print(
            "mem: peak RSS while training (predict: predicting) minus the RSS just before, in a fresh\n"
            "     process; before = data + libraries ("
            + ", ".join(
                f"{n}: " + ", ".join(f"{s} {r['baseline_mb']:.0f}" for s, r in memory[n].items())
                for n in memory
            )
            + " MB)"
        )
    if accuracy:
        print(f"acc: mean test accuracy over {seeds} seed(s), same settings for both.")
    if note:
        print("note: " + note)
    print()
    print("targets (BENCH.md):")
    print("\n".join(target_lines(names, times, memory, accuracy)))
    print(f"\n(total {time.perf_counter() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
