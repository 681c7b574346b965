"""Weight initializers: how a layer's ``W`` (shape ``(n_in, n_out)``) starts.

Each initializer is a function ``init(n_in, n_out, rng, dtype) -> W``; biases start
at zero unless the initializer says otherwise (``init.biases``). The scale of the
random weights keeps the variance of activations roughly constant from layer to
layer, which is why it depends on the fan-in ``n_in`` (and fan-out ``n_out``).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Literal, TypeAlias

import numpy as np
from numpy.typing import DTypeLike

from ._typing import FloatArray, InitializerName

Rng: TypeAlias = np.random.Generator | np.random.RandomState
"""The random generator an initializer draws from (scikit-learn's initialization passes a RandomState)."""

Initializer: TypeAlias = Callable[[int, int, Rng, DTypeLike], FloatArray]
"""``init(n_in, n_out, rng, dtype) -> W``: what :func:`get_initializer` returns."""


def he_normal(n_in: int, n_out: int, rng: Rng, dtype: DTypeLike = np.float64) -> FloatArray:
    """He/Kaiming normal: ``W ~ N(0, 2/n_in)``, suited to ReLU-like layers."""
    return (rng.standard_normal((n_in, n_out)) * math.sqrt(2.0 / n_in)).astype(dtype)


def he_uniform(n_in: int, n_out: int, rng: Rng, dtype: DTypeLike = np.float64) -> FloatArray:
    """He/Kaiming uniform: ``W ~ U(−√(6/n_in), √(6/n_in))``."""
    bound = math.sqrt(6.0 / n_in)
    return rng.uniform(-bound, bound, (n_in, n_out)).astype(dtype)


def glorot_normal(n_in: int, n_out: int, rng: Rng, dtype: DTypeLike = np.float64) -> FloatArray:
    """Glorot/Xavier normal: ``W ~ N(0, 2/(n_in + n_out))``, suited to tanh and sigmoid."""
    return (rng.standard_normal((n_in, n_out)) * math.sqrt(2.0 / (n_in + n_out))).astype(dtype)


def glorot_uniform(n_in: int, n_out: int, rng: Rng, dtype: DTypeLike = np.float64) -> FloatArray:
    """Glorot/Xavier uniform: ``W ~ U(−√(6/(n_in+n_out)), √(6/(n_in+n_out)))``."""
    bound = math.sqrt(6.0 / (n_in + n_out))
    return rng.uniform(-bound, bound, (n_in, n_out)).astype(dtype)


def scaled_normal(n_in: int, n_out: int, rng: Rng, dtype: DTypeLike = np.float64) -> FloatArray:
    """Standard normal scaled by ``1/√n_in`` (Nielsen's ``network2`` default)."""
    return (rng.standard_normal((n_in, n_out)) / math.sqrt(n_in)).astype(dtype)


def zeros(n_in: int, n_out: int, rng: Rng | None = None, dtype: DTypeLike = np.float64) -> FloatArray:
    """All zeros. Every hidden unit then stays identical: useful only to show why not."""
    return np.zeros((n_in, n_out), dtype=dtype)


def sklearn_uniform(
    n_in: int, n_out: int, rng: Rng, dtype: DTypeLike = np.float64, factor: float = 6.0
) -> FloatArray:
    """scikit-learn's MLP initialization: ``U(±√(factor/(n_in + n_out)))`` for W *and* b.

    scikit-learn uses ``factor = 2`` for logistic layers and 6 otherwise.
    """
    bound = math.sqrt(factor / (n_in + n_out))
    return rng.uniform(-bound, bound, (n_in, n_out)).astype(dtype)


def _sklearn_biases(
    n_in: int, n_out: int, rng: Rng, dtype: DTypeLike = np.float64, factor: float = 6.0
) -> FloatArray:
    bound = math.sqrt(factor / (n_in + n_out))
    return rng.uniform(-bound, bound, n_out).astype(dtype)


sklearn_uniform.biases = _sklearn_biases  # type: ignore[attr-defined]  # a function attribute, read with getattr

INITIALIZERS: dict[str, Initializer] = {
    "he_normal": he_normal,
    "he_uniform": he_uniform,
    "glorot_normal": glorot_normal,
    "glorot_uniform": glorot_uniform,
    "xavier_normal": glorot_normal,
    "xavier_uniform": glorot_uniform,
    "scaled_normal": scaled_normal,
    "zeros": zeros,
    "sklearn": sklearn_uniform,
}
"""Every initializer by name ("xavier_*" = "glorot_*")."""

_RELU_LIKE = {"relu", "leaky_relu", "elu", "gelu", "softplus"}


def get_initializer(
    name_or_function: InitializerName | Literal["auto"] | Initializer, activation_name: str | None = None
) -> Initializer:
    """Return the initializer for a name; ``"auto"`` picks He for ReLU-like layers, else Glorot."""
    if callable(name_or_function):
        return name_or_function
    if name_or_function == "auto":
        return he_normal if activation_name in _RELU_LIKE else glorot_uniform
    if isinstance(name_or_function, str) and name_or_function in INITIALIZERS:
        return INITIALIZERS[name_or_function]
    raise ValueError(
        f"unknown initializer {name_or_function!r}; valid initializers are: auto, "
        + ", ".join(sorted(INITIALIZERS))
    )
