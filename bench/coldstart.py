"""Cold start: glassnet's speed in the user's whole process, against scikit-learn.

Usage::

    python bench/coldstart.py              # every entry, 5 paired repeats (about 2 minutes)
    python bench/coldstart.py --quick      # a smaller grid, 1 repeat: a smoke test
    python bench/coldstart.py --repeats 9  # steadier medians
    python bench/coldstart.py --entry "grid n_jobs=2" --entry import   # some entries only
    python bench/coldstart.py --baseline /tmp/old   # and an older glassnet/ (git archive) beside it

Every figure is the wall time of a fresh Python process, from its start to its
exit, as a user waits for it: the interpreter, the imports, the work. glassnet's
and scikit-learn's processes alternate, for several repeats, and the table gives
the median of each and the median of the paired ratios.

- ``grid n_jobs=1`` and ``grid n_jobs=2``: ``GridSearchCV`` of ``MLPClassifier``
  on ``make_classification(600, 10 features, 3 classes)``, 8 settings (hidden
  20 or 50, alpha 1e-4 or 1e-2, learning rate 1e-3 or 1e-2) × 3 folds, ``max_iter=100``.
  With two jobs, joblib's workers are fresh processes too: each imports the
  library before its first fit.
- ``floor`` (beside the grid entries): the same search over scikit-learn's
  ``DummyClassifier``, whose fits cost nothing: the imports, ``GridSearchCV``,
  joblib's workers and the interpreter's exit that either library pays. Its ratio
  to scikit-learn's MLP is the lowest gn/sk that any estimator could reach.
- ``import + first fit``: ``import`` of the estimator and one small fit (the same
  data, 100 epochs): a notebook's first cell.
- ``import``: the library alone; ``glassnet --help``: the command's help.
- ``glassnet train moons``: the README's main job (200 epochs on the moons, the
  printed results, the run folder with its report and pictures).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

# (name, code run in the fresh process; {lib} is glassnet or sklearn.neural_network)
GRID = """
import warnings
warnings.simplefilter("ignore")
from {lib} import MLPClassifier
from sklearn.datasets import make_classification
from sklearn.model_selection import GridSearchCV
X, y = make_classification({n}, n_features=10, n_informative=5, n_classes=3, random_state=0)
grid = {{"hidden_layer_sizes": [(20,), (50,)], "alpha": [1e-4, 1e-2], "learning_rate_init": [1e-3, 1e-2]}}
GridSearchCV(MLPClassifier(max_iter={epochs}, random_state=0), grid, cv=3, n_jobs={jobs}).fit(X, y)
"""
# The same search over an estimator whose fits cost nothing (8 settings × 3 folds, as above):
# what scikit-learn's imports, GridSearchCV, joblib's workers and the interpreter's exit cost
# either library, which no MLP can go below.
GRID_FLOOR = """
import warnings
warnings.simplefilter("ignore")
from sklearn.dummy import DummyClassifier
from sklearn.datasets import make_classification
from sklearn.model_selection import GridSearchCV
X, y = make_classification({n}, n_features=10, n_informative=5, n_classes=3, random_state=0)
grid = {{"strategy": ["prior", "most_frequent"], "constant": [0, 1, 2, 3]}}
GridSearchCV(DummyClassifier(), grid, cv=3, n_jobs={jobs}).fit(X, y)
"""
FIRST_FIT = """
import warnings
warnings.simplefilter("ignore")
from {lib} import MLPClassifier
from sklearn.datasets import make_classification
X, y = make_classification({n}, n_features=10, n_informative=5, n_classes=3, random_state=0)
MLPClassifier(max_iter={epochs}, random_state=0).fit(X, y)
"""
LIBRARIES = {"glassnet": "glassnet", "sklearn": "sklearn.neural_network"}
TARGETS = {"grid n_jobs=1": 0.6, "grid n_jobs=2": 0.8}  # glassnet / scikit-learn, at most
_EMPTY_FOLDER = tempfile.mkdtemp(prefix="glassnet-coldstart-")


def entries(quick, baseline=None):
    """``{name: {library: argv}}`` for every entry; ``--help`` has no scikit-learn twin.

    With ``baseline`` (a folder holding another version's ``glassnet/``), a third
    column runs that version the same way: before and after, in the same rounds.
    """
    n, epochs = (150, 5) if quick else (600, 100)
    python = [sys.executable, "-c"]
    libraries = {**LIBRARIES, **({"baseline": "glassnet"} if baseline else {})}
    table = {}
    for jobs in (1, 2):
        table[f"grid n_jobs={jobs}"] = {
            lib: python + [GRID.format(lib=module, n=n, epochs=epochs, jobs=jobs)]
            for lib, module in libraries.items()
        }
        table[f"grid n_jobs={jobs}"]["floor"] = python + [GRID_FLOOR.format(n=n, jobs=jobs)]
    table["import + first fit"] = {
        lib: python + [FIRST_FIT.format(lib=module, n=n, epochs=epochs)] for lib, module in libraries.items()
    }
    table["import"] = {lib: python + [f"import {module}"] for lib, module in libraries.items()}
    table["glassnet --help"] = {
        lib: [sys.executable, "-m", "glassnet", "--help"] for lib in libraries if lib != "sklearn"
    }
    table["glassnet train moons"] = {  # the README's main job: train, print, write the run folder
        lib: [
            sys.executable,
            "-m",
            "glassnet",
            "train",
            "moons",
            "--out",
            os.path.join(_EMPTY_FOLDER, f"run-{lib}"),
        ]
        + (["--epochs", "5"] if quick else [])
        + ["--overwrite"]
        for lib in libraries
        if lib != "sklearn"
    }
    return table


def wall_seconds(argv, lib, baseline):
    """Seconds from the start of a fresh process to its exit (which must succeed)."""
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    # As installed for a user: Python writes and reads its byte-code caches (a shell that
    # sets PYTHONDONTWRITEBYTECODE would make every run compile glassnet's sources again,
    # while scikit-learn's, installed by pip, come compiled).
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    if lib == "baseline":  # joblib's workers inherit it too
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [os.path.abspath(baseline), env.get("PYTHONPATH")]))
    start = time.perf_counter()
    # In an empty folder: ``python -c`` puts the current folder first on sys.path, where a
    # checkout's glassnet/ would shadow the one asked for.
    done = subprocess.run(argv, capture_output=True, text=True, check=False, env=env, cwd=_EMPTY_FOLDER)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"{argv[:3]} failed:\n{done.stderr[-2000:]}")
    return seconds


def measure(table, repeats, baseline=None):
    """``{entry: {library: [seconds per repeat]}}``, the libraries alternating (order rotated),
    after one untimed run of each: what a user's second run of a command waits for."""
    times = {name: {lib: [] for lib in argvs} for name, argvs in table.items()}
    for argvs in table.values():  # untimed: byte-code caches written, files in the page cache
        for lib, argv in argvs.items():
            wall_seconds(argv, lib, baseline)
    for r in range(repeats):
        for name, argvs in table.items():
            libs = list(argvs)
            for lib in libs[r % len(libs) :] + libs[: r % len(libs)]:
                times[name][lib].append(wall_seconds(argvs[lib], lib, baseline))
        print(f"… repeat {r + 1}/{repeats}", file=sys.stderr, flush=True)
    return times


def report(times, repeats, quick):
    lines = [
        f"cold start — fresh processes, {os.cpu_count()} cores, Python {sys.version.split()[0]}, "
        f"repeats {repeats}" + (", QUICK (smoke test sizes: not a measurement)" if quick else ""),
        "",
        f"{'entry':<22}{'glassnet s':>12}{'sklearn s':>12}{'gn/sk':>8}   {'gn/sk rounds':<14}target",
    ]
    for name, by_lib in times.items():
        gn, sk = by_lib["glassnet"], by_lib.get("sklearn")
        cells = f"{name:<22}{np.median(gn):>12.3f}"
        if sk is None:
            cells += f"{'–':>12}{'–':>8}   {'':<14}"
            if name == "glassnet --help":
                cells += "< 0.3 s " + ("met" if np.median(gn) < 0.3 else "NOT met")
        else:
            ratios = np.divide(gn, sk)
            cells += (
                f"{np.median(sk):>12.3f}{np.median(ratios):>8.2f}   {ratios.min():.2f}–{ratios.max():<9.2f}"
            )
            if name in TARGETS:
                met = np.median(ratios) <= TARGETS[name]
                cells += f"≤ {TARGETS[name]} " + ("met" if met else "NOT met")
        lines.append(cells)
    floors = {name: by_lib for name, by_lib in times.items() if "floor" in by_lib}
    if floors:
        lines += [
            "",
            "floor: the same search with free fits (DummyClassifier), what either library pays",
            "around its fits; floor/sk is the lowest gn/sk any estimator could reach; above floor",
            "gn/sk: what glassnet adds to the search over what scikit-learn adds (paired rounds).",
            f"{'':<22}{'floor s':>12}{'sklearn s':>12}{'floor/sk':>9}   {'rounds':<14}{'gn − floor s':>12}"
            f"{'sk − floor s':>13}{'above floor gn/sk':>19}",
        ]
        for name, by_lib in floors.items():
            floor, gn, sk = (np.asarray(by_lib[lib]) for lib in ("floor", "glassnet", "sklearn"))
            ratios = floor / sk
            # What each library adds to the search, each round against that round's floor.
            above = (gn - floor) / (sk - floor)
            lines.append(
                f"{name:<22}{np.median(floor):>12.3f}{np.median(sk):>12.3f}{np.median(ratios):>9.2f}   "
                f"{ratios.min():.2f}–{ratios.max():<9.2f}{np.median(gn - floor):>12.3f}"
                f"{np.median(sk - floor):>13.3f}{np.median(above):>19.2f}"
            )
    if any("baseline" in by_lib for by_lib in times.values()):
        lines += [
            "",
            f"{'baseline (before)':<22}{'baseline s':>12}{'sklearn s':>12}{'bl/sk':>8}   {'gn/bl':>8}",
        ]
        for name, by_lib in times.items():
            bl, sk = by_lib["baseline"], by_lib.get("sklearn")
            vs_sk = f"{np.median(np.divide(bl, sk)):>8.2f}" if sk else f"{'–':>8}"
            sk_s = f"{np.median(sk):>12.3f}" if sk else f"{'–':>12}"
            lines.append(
                f"{name:<22}{np.median(bl):>12.3f}{sk_s}{vs_sk}   "
                f"{np.median(np.divide(by_lib['glassnet'], bl)):>8.2f}"
            )
    lines.append("")
    lines.append(
        "s: median wall time of a fresh process, start to exit; gn/sk: median of the paired ratios\n"
        "   (each repeat runs glassnet and scikit-learn back to back, in a rotating order)."
    )
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a smaller grid, 1 repeat (smoke test)")
    parser.add_argument("--repeats", type=int, help="paired repeats (default 5, 1 with --quick)")
    parser.add_argument("--entry", action="append", help="run only this entry (repeatable)")
    parser.add_argument(
        "--baseline",
        metavar="FOLDER",
        help="also run the glassnet/ in FOLDER (e.g. git archive of an older commit)",
    )
    args = parser.parse_args(argv)
    repeats = args.repeats or (1 if args.quick else 5)
    table = entries(args.quick, args.baseline)
    unknown = set(args.entry or ()) - set(table)
    if unknown:
        parser.error(f"unknown entry {sorted(unknown)[0]!r}; valid entries are: " + ", ".join(table))
    table = {name: argvs for name, argvs in table.items() if not args.entry or name in args.entry}
    started = time.perf_counter()
    print(report(measure(table, repeats, args.baseline), repeats, args.quick))
    print(f"\n(total {time.perf_counter() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
