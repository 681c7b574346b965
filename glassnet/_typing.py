"""Type aliases of the public API: the names a signature uses for arrays, names and seeds.

Only for annotations; importing this module costs NumPy's typing module and nothing else.
The registries' names are ``Literal`` types so an editor completes them; every function
still accepts the objects themselves (an :class:`~glassnet.activations.Activation`, a
:class:`~glassnet.losses.Loss`, ...), which is why the unions below include them.
"""

from __future__ import annotations

import os
from typing import Any, Literal, TypeAlias

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "ActivationName",
    "ArrayLike",
    "FloatArray",
    "InitializerName",
    "IntArray",
    "LossName",
    "NDArray",
    "OptimizerName",
    "PathLike",
    "RandomState",
    "ScheduleName",
    "TaskName",
]

FloatArray: TypeAlias = NDArray[np.floating[Any]]
"""A float32 or float64 array: what the engine computes with."""

IntArray: TypeAlias = NDArray[np.integer[Any]]

RandomState: TypeAlias = int | np.random.Generator | np.random.RandomState | None
"""A seed, a NumPy generator, or None for fresh entropy (as scikit-learn's ``random_state``)."""

PathLike: TypeAlias = str | os.PathLike[str]

ActivationName: TypeAlias = Literal[
    "identity", "linear", "logistic", "sigmoid", "tanh", "relu", "leaky_relu", "elu", "gelu", "softplus",
    "softmax", "exp",
]  # fmt: skip
LossName: TypeAlias = Literal[
    "mse", "squared_error", "bce", "binary_cross_entropy", "log_loss", "cross_entropy",
    "categorical_cross_entropy", "poisson",
]  # fmt: skip
OptimizerName: TypeAlias = Literal["sgd", "momentum", "nesterov", "rmsprop", "adam", "adamw"]
ScheduleName: TypeAlias = Literal[
    "constant", "step", "exponential", "inverse_time", "inverse_scaling", "invscaling", "cosine",
    "plateau", "adaptive",
]  # fmt: skip
InitializerName: TypeAlias = Literal[
    "zeros", "glorot_uniform", "glorot_normal", "xavier_uniform", "xavier_normal", "he_uniform",
    "he_normal", "scaled_normal", "sklearn",
]  # fmt: skip
TaskName: TypeAlias = Literal["binary", "multiclass", "multilabel", "regression", "poisson"]
