"""glassnet: a multi-layer perceptron you can see through.

Every weight, gradient and update step can be printed, checked and plotted;
the engine is NumPy over one flat parameter vector, fast on a CPU.

>>> import glassnet as gn
>>> X, y = gn.data.moons(500, noise=0.2, random_state=0)
>>> net = gn.Network([2, 16, 8, 1], activations="relu", output="sigmoid", random_state=0)
>>> history = gn.train(net, X, y, optimizer="adam", lr=0.01, epochs=200, batch_size=32, random_state=0)
"""

__version__ = "0.1.0"

from . import activations, calculus, data, initializers, losses, optimizers, schedules
from .activations import ACTIVATIONS, get_activation
from .data import (load_csv, load_dataset, one_hot, standardize, train_test_split)
from .descent import EWMA, DescentResult, descend, ewma
from .gradcheck import GradCheck, gradcheck
from .initializers import INITIALIZERS, get_initializer
from .losses import LOSSES, get_loss
from .network import Dense, Network
from .optimizers import (OPTIMIZERS, SGD, Adam, AdamW, Momentum, Nesterov, Optimizer,
                         RMSprop, get_optimizer)
from .schedules import (SCHEDULES, Constant, Cosine, Exponential, InverseScaling,
                        InverseTime, ReduceOnPlateau, StepDecay, get_schedule)
from .training import History, TrainingDivergedWarning, train


def __getattr__(name):
    # The scikit-learn estimators import scikit-learn (about a second): load them on first use.
    if name in ("MLPClassifier", "MLPRegressor"):
        from . import estimators
        return getattr(estimators, name)
    if name == "export_onnx":   # onnx itself is imported only when a model is exported
        from .onnx import export_onnx
        return export_onnx
    if name == "minimize_lbfgs":
        from .lbfgs import minimize_lbfgs
        return minimize_lbfgs
    raise AttributeError(f"module 'glassnet' has no attribute {name!r}")


__all__ = [
    "ACTIVATIONS", "INITIALIZERS", "LOSSES", "OPTIMIZERS", "SCHEDULES",
    "Adam", "AdamW", "Constant", "Cosine", "Dense", "Exponential", "GradCheck", "History",
    "InverseScaling", "InverseTime", "MLPClassifier", "MLPRegressor", "Momentum", "Nesterov", "Network", "Optimizer",
    "RMSprop", "ReduceOnPlateau", "SGD", "StepDecay", "TrainingDivergedWarning",
    "DescentResult", "EWMA", "activations", "calculus", "data", "descend", "ewma", "get_activation", "load_csv", "load_dataset", "one_hot", "standardize",
    "train_test_split", "get_initializer", "get_loss", "get_optimizer",
    "get_schedule", "gradcheck", "minimize_lbfgs", "initializers", "losses", "optimizers", "schedules", "train",
]
