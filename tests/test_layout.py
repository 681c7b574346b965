"""The shape of the package: dependencies point one way, from the mathematics outward.

Layers, lowest first: the core (the flat modules of ``glassnet/``: the math, the
network, training, the estimators), ``data/``, ``io/``, ``glass/``, ``runs/``,
``play/``, ``cli/``. A module may import its own layer and the layers below it,
never one above; module-level imports form no cycle. The imports are read from the
source (``ast``), including those made inside functions.
"""

import ast
import importlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

import glassnet

PACKAGE = Path(glassnet.__file__).parent
LAYERS = ["core", "data", "io", "glass", "runs", "play", "cli"]

# The one import that points up, and why: save_csv writes its file atomically with io's
# atomic_write (imported inside the function), while io builds data's Standardizer.
ALLOWED_UPWARD = {("glassnet.data.tables", "glassnet.io.files")}


def _module_name(path):
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _layer(module):
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in LAYERS else "core"


def _imports(path):
    """``[(imported module, at module level?)]`` of one source file, resolved to absolute names."""
    module = _module_name(path)
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    top_level = {id(node) for node in tree.body}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            # "from . import x" names submodules; "from .m import f" names the module m.
            names = [f"{base}.{a.name}" for a in node.names] if node.module is None else [base]
        else:
            continue
        for name in names:
            if name.startswith("glassnet"):
                found.append((_existing(name), id(node) in top_level))
    return module, found


def _existing(name):
    """The longest prefix of ``name`` that is a module or package of glassnet."""
    parts = name.split(".")
    while parts:
        candidate = PACKAGE.parent.joinpath(*parts)
        if candidate.with_suffix(".py").is_file() or (candidate / "__init__.py").is_file():
            return ".".join(parts)
        parts.pop()
    return name


def _graph():
    return dict(_imports(path) for path in sorted(PACKAGE.rglob("*.py")))


def test_every_module_belongs_to_a_layer_and_imports_only_downward():
    wrong = []
    for module, imports in _graph().items():
        if module in ("glassnet", "glassnet.__main__"):
            continue  # the package face and `python -m glassnet` reach everything by design
        mine = LAYERS.index(_layer(module))
        for target, _ in imports:
            if target == "glassnet" or (module, target) in ALLOWED_UPWARD:
                continue
            if LAYERS.index(_layer(target)) > mine:
                wrong.append(f"{module} ({_layer(module)}) imports {target} ({_layer(target)})")
    assert not wrong, "imports that point up:\n" + "\n".join(sorted(set(wrong)))


def test_the_core_imports_no_extra():
    core = {
        m: i
        for m, i in _graph().items()
        if _layer(m) == "core" and m not in ("glassnet", "glassnet.__main__")
    }
    assert {"glassnet.network", "glassnet.layers", "glassnet.heads", "glassnet.training"} <= set(core)
    for module, imports in core.items():
        assert all(_layer(target) == "core" for target, _ in imports), (module, imports)


def test_module_level_imports_form_no_cycle():
    graph = {m: {t for t, top in imports if top and t != m} for m, imports in _graph().items()}
    state, stack = {}, []

    def visit(m):
        state[m] = "open"
        stack.append(m)
        for t in graph.get(m, ()):
            if state.get(t) == "open":
                raise AssertionError("import cycle: " + " → ".join(stack[stack.index(t) :] + [t]))
            if t not in state:
                visit(t)
        stack.pop()
        state[m] = "done"

    for m in graph:
        if m not in state:
            visit(m)


def test_the_graph_reader_sees_what_it_should():
    # A check that could not fail would prove nothing: the reader finds known edges.
    graph = _graph()
    assert ("glassnet.heads", True) in graph["glassnet.network"]
    assert ("glassnet.io.files", False) in graph["glassnet.data.tables"]
    assert any(t == "glassnet.runs" for t, _ in graph["glassnet.cli.train"])
    assert _layer("glassnet.glass.trace") == "glass" and _layer("glassnet.layers") == "core"


@pytest.mark.parametrize(
    "name",
    [
        "activations",
        "losses",
        "initializers",
        "layers",
        "heads",
        "network",
        "optimizers",
        "schedules",
        "batches",
        "callbacks",
        "training",
        "gradcheck",
        "estimators",
        "data",
        "io",
        "glass",
        "runs",
        "calculus",
        "descent",
        "plots",
        "experiments",
        "report",
        "persistence",
        "trace",
    ],
)
def test_every_documented_module_is_reachable_after_import_glassnet(name):
    value = getattr(glassnet, name)
    assert value is not None
    if name == "trace":
        assert callable(value) and value.__name__ == "trace"  # glassnet.trace(net, X, Y) is the function


@pytest.mark.parametrize(
    "old, new",
    [
        ("glassnet.persistence", "glassnet.io"),
        ("glassnet.calculus", "glassnet.glass.calculus"),
        ("glassnet.descent", "glassnet.glass.descent"),
        ("glassnet.plots", "glassnet.glass.plots"),
        ("glassnet.experiments", "glassnet.glass.experiments"),
        ("glassnet.report", "glassnet.glass.report"),
        ("glassnet.onnx", "glassnet.io.onnx"),
    ],
)
def test_modules_that_moved_keep_their_old_import_path(old, new):
    assert importlib.import_module(old) is importlib.import_module(new)


def test_import_glassnet_loads_no_extra_and_no_heavy_library():
    code = (
        "import sys, glassnet; heavy = ['sklearn', 'sympy', 'matplotlib', 'numba', 'onnx', 'rich', "
        "'typer', 'dask', 'distributed', 'glassnet.glass', 'glassnet.runs', 'glassnet.cli', 'glassnet.io', "
        "'scipy', 'glassnet._fused', 'glassnet._epoch_kernels']; "
        "print([m for m in heavy if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_import_glassnet_loads_nothing_until_a_name_is_used():
    code = (
        "import sys, glassnet as gn; print('numpy' in sys.modules, 'glassnet.network' in sys.modules); "
        "gn.Network; print('numpy' in sys.modules, 'glassnet.network' in sys.modules); "
        "import glassnet.gradcheck; print(callable(gn.gradcheck), gn.gradcheck.__module__)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split("\n")[:3] == ["False False", "True True", "True glassnet.gradcheck"]


def test_the_commands_help_loads_no_numpy():
    code = (
        "import sys; from glassnet.cli import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        "print('numpy' in sys.modules, file=sys.stderr)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "Commands" in done.stdout and done.stderr.strip() == "False"


@pytest.mark.parametrize(
    "network, labels",
    [
        ("[5, 20, 3], output='softmax'", "np.arange(200) % 3"),
        # the sigmoid (hidden and output) and binary cross-entropy are NumPy's too, not scipy.special's
        ("[5, 20, 1], activations='sigmoid', output='sigmoid'", "np.arange(200) % 2"),
        ("[5, 20, 1], activations='tanh', output='sigmoid'", "np.arange(200) % 2"),
    ],
)
def test_a_short_fit_in_a_fresh_process_loads_neither_numba_nor_scipy(network, labels):
    # A notebook's first cell or a grid-search worker: NumPy trains a small network in
    # milliseconds, faster than Numba imports (glassnet/_jit.py).
    code = (
        "import sys, numpy as np, glassnet as gn; X = np.random.default_rng(0).normal(size=(200, 5)); "
        f"net = gn.Network({network}, random_state=0); "
        f"h = gn.train(net, X, {labels}, epochs=20, batch_size=32, random_state=0); net.predict(X); "
        "assert np.isfinite(h.loss).all(); "
        "print([m for m in ('numba', 'scipy', 'glassnet._fused') if m in sys.modules])"
    )
    env = {k: v for k, v in os.environ.items() if k != "GLASSNET_KERNELS"}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    ).stdout
    assert out.strip() == "[]"


def _train_command_imports(folder, *options):
    """The heavy modules a fresh ``glassnet train moons …`` process imported (the default kernel rule)."""
    code = (
        "import sys; from glassnet.cli import main\n"
        f"sys.argv = ['glassnet', 'train', 'moons', *{list(options)!r}, '--out', {str(folder)!r}]\n"
        "try:\n    main()\nexcept SystemExit as exit:\n    assert not exit.code, exit.code\n"
        "print([m for m in ('sklearn', 'scipy', 'numba', 'pandas') if m in sys.modules], file=sys.stderr)"
    )
    env = {k: v for k, v in os.environ.items() if k != "GLASSNET_KERNELS"}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env)
    return ast.literal_eval(done.stderr.strip().splitlines()[-1])


def test_the_main_job_imports_neither_scikit_learn_nor_scipy_nor_numba(tmp_path):
    # `glassnet train moons` (the README's main job) trains, reports and draws with NumPy and
    # matplotlib alone: scikit-learn's import (its metrics pull SciPy's stats and pandas) would
    # double the command's time (about 1.5 s against 3 s, bench/coldstart.py), and its 200
    # epochs are done with NumPy before the kernels would have loaded (0.6 s of a one-run process).
    assert _train_command_imports(tmp_path / "run") == []
    assert (tmp_path / "run" / "confusion_matrix.png").is_file()


def test_the_train_command_loads_the_kernels_for_a_run_long_enough_to_pay_them_back(tmp_path):
    # 1,500 epochs: NumPy would take about 0.9 s (the estimate), the kernels save more than they cost.
    found = _train_command_imports(tmp_path / "run", "--epochs", "1500", "--no-plots")
    assert "numba" in found and "sklearn" not in found  # (Numba itself imports SciPy when it is there)
