"""glassnet: a multi-layer perceptron you can see through.

Every weight, gradient and update step can be printed, checked and plotted;
the engine is NumPy over one flat parameter vector, fast on a CPU.

>>> import glassnet as gn
>>> X, y = gn.data.moons(500, noise=0.2, random_state=0)
>>> net = gn.Network([2, 16, 8, 1], activations="relu", output="sigmoid", random_state=0)
>>> history = gn.train(net, X, y, optimizer="adam", lr=0.01, epochs=200, batch_size=32, random_state=0)

The package is laid out from the mathematics outward:

- the core, in this folder: ``activations``, ``losses``, ``initializers``, ``layers``,
  ``heads``, ``network``, ``optimizers``, ``schedules``, ``batches``, ``callbacks``,
  ``training``, ``lbfgs``, ``gradcheck``, ``estimators``;
- ``glassnet.data``: datasets, CSV/NPZ tables, preprocessing;
- ``glassnet.io``: files written atomically, models, checkpoints, ONNX;
- ``glassnet.glass``: what makes it see-through (trace, plots, calculus, descent,
  experiments, report);
- ``glassnet.runs``: the application the command, the playground and notebooks share;
- ``glassnet.cli`` and ``glassnet.play``: the command and the playground.

Everything a user reaches for is importable from here; the extras load on first use,
so ``import glassnet`` stays fast.
"""

from __future__ import annotations

__version__ = "0.1.0"

import importlib as _importlib
import importlib.abc as _abc
import importlib.util as _util
import sys as _sys
import types as _types
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # what editors and type checkers see; at run time each name loads on first use
    from collections.abc import Callable

    from . import activations, batches, data, initializers, io, lbfgs, losses, optimizers, schedules  # noqa: F401
    from .activations import ACTIVATIONS, get_activation
    from .callbacks import EarlyStopping, PrintProgress, ProgressBar, StopAtGradNorm, StopAtLoss
    from .data import load_csv, load_dataset, one_hot, standardize, train_test_split
    from .divergence import DivergenceGuard, TrainingDivergedWarning
    from .estimators import MLPClassifier, MLPRegressor
    from .glass import calculus
    from .glass.descent import EWMA, DescentResult, descend, ewma
    from .glass.experiments import run_experiment
    from .glass.trace import Trace, trace
    from .gradcheck import GradCheck, gradcheck
    from .heads import TASKS
    from .initializers import INITIALIZERS, get_initializer
    from .io.onnx import export_onnx
    from .layers import Dense
    from .lbfgs import minimize_lbfgs
    from .losses import LOSSES, get_loss
    from .network import Network
    from .optimizers import (
        OPTIMIZERS,
        SGD,
        Adam,
        AdamW,
        Momentum,
        Nesterov,
        Optimizer,
        RMSprop,
        get_optimizer,
    )
    from .schedules import (
        SCHEDULES,
        Constant,
        Cosine,
        Exponential,
        InverseScaling,
        InverseTime,
        ReduceOnPlateau,
        StepDecay,
        get_schedule,
    )
    from .training import History, train

# Modules that moved into subpackages: their old import paths keep working.
_MOVED = {
    "glassnet.persistence": "glassnet.io",
    "glassnet.onnx": "glassnet.io.onnx",
    "glassnet.calculus": "glassnet.glass.calculus",
    "glassnet.descent": "glassnet.glass.descent",
    "glassnet.experiments": "glassnet.glass.experiments",
    "glassnet.expressions": "glassnet.glass.expressions",
    "glassnet.plots": "glassnet.glass.plots",
    "glassnet.report": "glassnet.glass.report",
}

# Names loaded on first use: (module, attribute), or (module, None) for the module itself.
# Nothing is imported by ``import glassnet`` itself (not even NumPy): a command's ``--help``
# and a worker that only unpickles an estimator load what they use.
_CORE = {
    "glassnet.activations": ["ACTIVATIONS", "get_activation"],
    "glassnet.callbacks": ["EarlyStopping", "PrintProgress", "ProgressBar", "StopAtGradNorm", "StopAtLoss"],
    "glassnet.gradcheck": ["GradCheck", "gradcheck"],
    "glassnet.heads": ["TASKS"],
    "glassnet.initializers": ["INITIALIZERS", "get_initializer"],
    "glassnet.layers": ["Dense"],
    "glassnet.losses": ["LOSSES", "get_loss"],
    "glassnet.network": ["Network"],
    "glassnet.optimizers": [
        "OPTIMIZERS", "SGD", "Adam", "AdamW", "Momentum", "Nesterov", "Optimizer", "RMSprop", "get_optimizer",
    ],
    "glassnet.schedules": [
        "SCHEDULES", "Constant", "Cosine", "Exponential", "InverseScaling", "InverseTime", "ReduceOnPlateau",
        "StepDecay", "get_schedule",
    ],
    "glassnet.divergence": ["DivergenceGuard", "TrainingDivergedWarning"],
    "glassnet.training": ["History", "train"],
}  # fmt: skip
_LAZY = {
    **{name: (module, name) for module, names in _CORE.items() for name in names},
    **{module.rsplit(".", 1)[1]: (module, None) for module in _CORE if module != "glassnet.gradcheck"},
    "batches": ("glassnet.batches", None),
    "lbfgs": ("glassnet.lbfgs", None),
    "MLPClassifier": ("glassnet.estimators", "MLPClassifier"),
    "MLPRegressor": ("glassnet.estimators", "MLPRegressor"),
    "minimize_lbfgs": ("glassnet.lbfgs", "minimize_lbfgs"),
    "export_onnx": ("glassnet.io.onnx", "export_onnx"),  # onnx is imported only when a model is exported
    "trace": ("glassnet.glass.trace", "trace"),
    "Trace": ("glassnet.glass.trace", "Trace"),
    "descend": ("glassnet.glass.descent", "descend"),
    "DescentResult": ("glassnet.glass.descent", "DescentResult"),
    "EWMA": ("glassnet.glass.descent", "EWMA"),
    "ewma": ("glassnet.glass.descent", "ewma"),
    "run_experiment": ("glassnet.glass.experiments", "run_experiment"),
    "load_csv": ("glassnet.data", "load_csv"),
    "load_dataset": ("glassnet.data", "load_dataset"),
    "one_hot": ("glassnet.data", "one_hot"),
    "standardize": ("glassnet.data", "standardize"),
    "train_test_split": ("glassnet.data", "train_test_split"),
    "data": ("glassnet.data", None),
    "io": ("glassnet.io", None),
    "glass": ("glassnet.glass", None),
    "runs": ("glassnet.runs", None),
    "estimators": ("glassnet.estimators", None),
    **{old.rsplit(".", 1)[1]: (new, None) for old, new in _MOVED.items()},
}


class _MovedModules(_abc.MetaPathFinder, _abc.Loader):
    """``import glassnet.calculus`` finds ``glassnet.glass.calculus`` (the same module object)."""

    def find_spec(self, fullname, path=None, target=None):
        return _util.spec_from_loader(fullname, self) if fullname in _MOVED else None

    def create_module(self, spec):
        return _importlib.import_module(_MOVED[spec.name])

    def exec_module(self, module):
        pass


_sys.meta_path.append(_MovedModules())


def __getattr__(name: str) -> object:
    if name not in _LAZY:
        raise AttributeError(f"module 'glassnet' has no attribute {name!r}")
    module, attribute = _LAZY[name]
    value = _importlib.import_module(module)
    value = value if attribute is None else getattr(value, attribute)
    globals()[name] = value
    return value


class _Package(_types.ModuleType):
    """``glassnet.gradcheck`` is the function, as the package has always exported it.

    Importing the submodule ``glassnet.gradcheck`` (for ``GradCheck``, or by a user)
    makes Python set the package's attribute of that name to the module; this class
    keeps the function there.
    """

    @property
    def gradcheck(self) -> Callable[..., GradCheck]:
        from .gradcheck import gradcheck

        return gradcheck

    @gradcheck.setter
    def gradcheck(self, value: object) -> None:
        pass  # the import system storing the submodule: the function stays


_sys.modules[__name__].__class__ = _Package


def __dir__():
    return sorted(set(globals()) | set(_LAZY))


__all__ = [
    "ACTIVATIONS",
    "INITIALIZERS",
    "LOSSES",
    "OPTIMIZERS",
    "SCHEDULES",
    "TASKS",
    "Adam",
    "AdamW",
    "Constant",
    "Cosine",
    "Dense",
    "DescentResult",
    "DivergenceGuard",
    "EWMA",
    "EarlyStopping",
    "Exponential",
    "GradCheck",
    "History",
    "InverseScaling",
    "InverseTime",
    "MLPClassifier",
    "MLPRegressor",
    "Momentum",
    "Nesterov",
    "Network",
    "Optimizer",
    "PrintProgress",
    "ProgressBar",
    "RMSprop",
    "ReduceOnPlateau",
    "SGD",
    "StepDecay",
    "StopAtGradNorm",
    "StopAtLoss",
    "Trace",
    "TrainingDivergedWarning",
    "activations",
    "calculus",
    "data",
    "descend",
    "ewma",
    "export_onnx",
    "get_activation",
    "get_initializer",
    "get_loss",
    "get_optimizer",
    "get_schedule",
    "gradcheck",
    "initializers",
    "load_csv",
    "load_dataset",
    "losses",
    "minimize_lbfgs",
    "one_hot",
    "optimizers",
    "run_experiment",
    "schedules",
    "standardize",
    "trace",
    "train",
    "train_test_split",
]
