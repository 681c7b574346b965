"""Loss functions, each with its gradient beside it.

A loss compares predictions ``Ŷ`` with targets ``Y`` (both ``(n_samples, n_outputs)``).
Every loss here offers

- ``loss.per_sample(Ŷ, Y)``  shape ``(n_samples,)``: the loss of each sample, summed
  over its outputs;
- ``loss(Ŷ, Y)``             the mean over samples (a weighted mean with
  ``sample_weight``), so that learning rates do not depend on batch size;
- ``loss.total(Ŷ, Y)``       the sum over samples (what the training loop needs, cheaply);
- ``loss.gradient(Ŷ, Y)``    ``∂ℓ/∂Ŷ`` of each sample's loss, elementwise;
- ``loss.canonical``         the output activation it is paired with. For that pair
  the output delta simplifies to ``dZ = Ŷ − Y`` (per sample), which the network
  uses directly: sigmoid + binary cross-entropy, softmax + categorical
  cross-entropy, identity + squared error, exp + Poisson.

Each also carries its formulas as text for the printed trace: ``title``,
``formula`` (the loss of one sample), :meth:`Loss.term_text` (one output's term)
and :meth:`Loss.gradient_text` (``∂ℓ/∂ŷ``), written with the names or the numbers
they are given, and their LaTeX (``latex``, ``gradient_latex``).

Predicted probabilities of exactly 0 or 1 give finite values: they are clipped to
``[eps, 1 − eps]`` with the dtype's machine epsilon, as scikit-learn does.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, cast

import numpy as np

from ._typing import ArrayLike, FloatArray, LossName, NDArray

if TYPE_CHECKING:
    from .activations import Activation


class Loss:
    """Base class for a loss ``ℓ(ŷ, y)``."""

    name = "loss"
    canonical: str | None = None
    title = "loss"
    """The loss in words, ``"binary cross-entropy"``."""
    formula = "ℓ(ŷ, y)"
    """One sample's loss, summed over its outputs k."""
    latex = r"\ell(\hat y, y)"
    term_template = "ℓ({a}, {y})"
    """One output's term of ``ℓ`` in terms of ``{a}`` (= ŷ) and ``{y}``."""
    gradient_template = "∂ℓ/∂{a}"
    """``∂ℓ/∂ŷ`` of one output in terms of ``{a}`` and ``{y}``."""
    gradient_latex = r"\partial \ell / \partial \hat y"
    sample_template = "{terms}"
    """One sample's loss around its outputs' terms (joined by " + ")."""
    target_range = (-math.inf, math.inf)
    """The targets the loss is defined for: probabilities in [0, 1], counts ≥ 0, …"""

    def check_targets(self, Y: FloatArray) -> None:
        """A clear ``ValueError`` unless every target lies in :attr:`target_range`."""
        low, high = self.target_range
        if Y.size and not (low <= Y.min() and Y.max() <= high):
            raise ValueError(
                f"{self.title} needs targets in [{low:g}, {high:g}], got values from "
                f"{Y.min():.4g} to {Y.max():.4g}"
            )

    def sample_text(self, terms: Iterable[str]) -> str:
        """One sample's loss from its outputs' terms (:meth:`term_text`)."""
        return self.sample_template.format(terms=" + ".join(terms))

    def term_text(self, a: str, y: str) -> str:
        """One output's term of the loss, written with names or numbers."""
        return self.term_template.format(a=a, y=y)

    def gradient_text(self, a: str, y: str) -> str:
        """``∂ℓ/∂ŷ`` of one output, written with names or numbers."""
        return self.gradient_template.format(a=a, y=y)

    def per_sample(self, Y_hat: FloatArray, Y: FloatArray) -> FloatArray:
        raise NotImplementedError  # pragma: no cover - every subclass defines it

    def gradient(self, Y_hat: FloatArray, Y: FloatArray) -> FloatArray:
        raise NotImplementedError  # pragma: no cover

    def total(self, Y_hat: FloatArray, Y: FloatArray) -> float:
        """``Σᵢ ℓᵢ``, the sum of the per-sample losses."""
        return float(self.per_sample(Y_hat, Y).sum())

    def pairs_with(self, activation: Activation) -> bool:
        """True when ``activation`` is this loss's canonical partner, so ``dZ = Ŷ − Y``.

        A sigmoid with steepness β ≠ 1 is not: its delta is ``β (Ŷ − Y)``, and the
        network then takes the general chain rule ``dZ = σ'(Z) ⊙ ∂ℓ/∂Ŷ``.
        """
        return activation.name == self.canonical and getattr(activation, "beta", 1.0) == 1.0

    def __call__(self, Y_hat: ArrayLike, Y: ArrayLike, sample_weight: ArrayLike | None = None) -> float:
        Y_hat, Y = _as_2d(Y_hat), _as_2d(Y)
        weights = None if sample_weight is None else np.asarray(sample_weight)
        return float(np.average(self.per_sample(Y_hat, Y), weights=weights))

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class SquaredError(Loss):
    """``ℓ = ½ Σₖ (ŷₖ − yₖ)²``, ``∂ℓ/∂ŷ = ŷ − y``."""

    name = "squared_error"
    canonical = "identity"
    title = "squared error"
    formula = "ℓ = ½ Σₖ (ŷₖ − yₖ)²"
    latex = r"\ell = \tfrac12 \sum_k (\hat y_k - y_k)^2"
    term_template = "½·({a} − {y})²"
    gradient_template = "{a} − {y}"
    gradient_latex = r"\hat y - y"

    def per_sample(self, Y_hat: FloatArray, Y: FloatArray) -> FloatArray:
        diff = Y_hat - Y
        return cast(FloatArray, 0.5 * (diff * diff).sum(axis=1))

    def total(self, Y_hat: FloatArray, Y: FloatArray) -> float:
        diff = Y_hat - Y
        return 0.5 * float(np.vdot(diff, diff))

    def gradient(self, Y_hat: FloatArray, Y: FloatArray) -> FloatArray:
        return Y_hat - Y


class _OutputMeanSquaredError(SquaredError):
    """The estimators' regression loss: scikit-learn's squared error with several outputs,
    ``½ (ŷ − y)²`` averaged over the outputs as well as the samples.

    Only the value is averaged. The gradient stays ``ŷ − y``, the gradient of the sum
    over outputs, as in scikit-learn's backpropagation; so ``loss_``, ``loss_curve_``,
    the ``tol`` rule, and L-BFGS (which is given both the value and the gradient)
    all go as in scikit-learn. With one output it is the plain squared error. (Here, not
    beside the estimators, so that a Dask worker computing it need not import scikit-learn.)
    """

    def __init__(self, n_outputs: int) -> None:
        self.n_outputs = n_outputs
        self.value_scale = 1.0 / n_outputs  # what the compiled epoch multiplies the value by

    def per_sample(self, Y_hat: FloatArray, Y: FloatArray) -> FloatArray:
        return super().per_sample(Y_hat, Y) / self.n_outputs

    def total(self, Y_hat: FloatArray, Y: FloatArray) -> float:
        return super().total(Y_hat, Y) / self.n_outputs


class BinaryCrossEntropy(Loss):
    """``ℓ = −Σₖ [y log ŷ + (1 − y) log(1 − ŷ)]``, ``∂ℓ/∂ŷ = (ŷ − y) / (ŷ (1 − ŷ))``.

    One independent yes/no per output: binary and multi-label classification.
    """

    name = "binary_cross_entropy"
    canonical = "sigmoid"
    title = "binary cross-entropy"
    formula = "ℓ = −Σₖ [yₖ·log ŷₖ + (1 − yₖ)·log(1 − ŷₖ)]"
    latex = r"\ell = -\sum_k [y_k \log \hat y_k + (1 - y_k) \log(1 - \hat y_k)]"
    term_template = "{y}·log {a} + (1 − {y})·log(1 − {a})"
    sample_template = "−[{terms}]"
    gradient_template = "({a} − {y}) / ({a}·(1 − {a}))"
    gradient_latex = r"\frac{\hat y - y}{\hat y (1 - \hat y)}"
    target_range = (0.0, 1.0)

    def per_sample(self, Y_hat: FloatArray, Y: FloatArray) -> FloatArray:
        P = _clip_probability(Y_hat)
        return cast(FloatArray, -(_xlogy(Y, P) + _xlogy(1 - Y, 1 - P)).sum(axis=1))

    def gradient(self, Y_hat: FloatArray, Y: FloatArray) -> FloatArray:
        P = _clip_probability(Y_hat)
        return (P - Y) / (P * (1 - P))


class CategoricalCrossEntropy(Loss):
    """``ℓ = −Σₖ yₖ log ŷₖ`` for one-hot ``y``, ``∂ℓ/∂ŷₖ = −yₖ / ŷₖ``."""

    name = "categorical_cross_entropy"
    canonical = "softmax"
    title = "categorical cross-entropy"
    formula = "ℓ = −Σₖ yₖ·log ŷₖ"
    latex = r"\ell = -\sum_k y_k \log \hat y_k"
    term_template = "{y}·log {a}"
    sample_template = "−[{terms}]"
    gradient_template = "−{y} / {a}"
    gradient_latex = r"-\frac{y}{\hat y}"
    target_range = (0.0, 1.0)

    def per_sample(self, Y_hat: FloatArray, Y: FloatArray) -> FloatArray:
        return cast(FloatArray, -(Y * self._log_probability(Y_hat)).sum(axis=1))

    def total(self, Y_hat: FloatArray, Y: FloatArray) -> float:
        return -float(np.vdot(Y, self._log_probability(Y_hat)))

    @staticmethod
    def _log_probability(Y_hat: FloatArray) -> FloatArray:
        # ŷ ≥ eps keeps log ŷ finite, so y·log ŷ needs no xlogy (0·log 0) guard.
        return cast(FloatArray, np.log(np.maximum(Y_hat, np.finfo(_float_dtype(Y_hat)).eps)))

    def gradient(self, Y_hat: FloatArray, Y: FloatArray) -> FloatArray:
        return -Y / _clip_probability(Y_hat)


class Poisson(Loss):
    """Poisson negative log-likelihood (half deviance): ``ℓ = Σₖ [ŷ − y log ŷ + y log y − y]``.

    ``∂ℓ/∂ŷ = 1 − y/ŷ``; with ``ŷ = eᶻ`` the output delta is ``ŷ − y``. The terms
    ``y log y − y`` do not depend on ``ŷ``; they make a perfect fit score 0.
    """

    name = "poisson"
    canonical = "exp"
    title = "Poisson deviance"
    formula = "ℓ = Σₖ [ŷₖ − yₖ·log ŷₖ + yₖ·log yₖ − yₖ]"
    latex = r"\ell = \sum_k [\hat y_k - y_k \log \hat y_k + y_k \log y_k - y_k]"
    term_template = "[{a} − {y}·log {a} + {y}·log {y} − {y}]"
    gradient_template = "1 − {y} / {a}"
    gradient_latex = r"1 - \frac{y}{\hat y}"
    target_range = (0.0, math.inf)

    def per_sample(self, Y_hat: FloatArray, Y: FloatArray) -> FloatArray:
        Y_hat = np.maximum(Y_hat, np.finfo(_float_dtype(Y_hat)).tiny)
        return cast(FloatArray, (Y_hat - _xlogy(Y, Y_hat) + _xlogy(Y, Y) - Y).sum(axis=1))

    def gradient(self, Y_hat: FloatArray, Y: FloatArray) -> FloatArray:
        return cast(FloatArray, 1 - Y / np.maximum(Y_hat, np.finfo(_float_dtype(Y_hat)).tiny))


def _float_dtype(a: NDArray[Any]) -> np.dtype[Any] | type[np.float64]:
    return a.dtype if a.dtype.kind == "f" else np.float64


def _clip_probability(P: FloatArray) -> FloatArray:
    eps = np.finfo(_float_dtype(P)).eps
    return np.clip(P, eps, 1 - eps)


def _as_2d(a: ArrayLike) -> NDArray[Any]:
    a = np.asarray(a)
    return a.reshape(-1, 1) if a.ndim == 1 else a


LOSSES: dict[str, type[Loss]] = {
    "squared_error": SquaredError,
    "mse": SquaredError,
    "binary_cross_entropy": BinaryCrossEntropy,
    "bce": BinaryCrossEntropy,
    "log_loss": BinaryCrossEntropy,
    "categorical_cross_entropy": CategoricalCrossEntropy,
    "cross_entropy": CategoricalCrossEntropy,
    "poisson": Poisson,
}
"""Every loss by name (with the short names "mse", "bce", "cross_entropy")."""

CANONICAL_LOSS: dict[str, LossName] = {
    "identity": "squared_error",
    "sigmoid": "binary_cross_entropy",
    "softmax": "categorical_cross_entropy",
    "exp": "poisson",
}
"""The loss that pairs with each output activation so that ``dZ = Ŷ − Y``."""


def get_loss(name_or_loss: LossName | Loss) -> Loss:
    """Return a :class:`Loss` for a name such as ``"squared_error"``, or pass one through."""
    if isinstance(name_or_loss, Loss):
        return name_or_loss
    if isinstance(name_or_loss, str) and name_or_loss in LOSSES:
        return LOSSES[name_or_loss]()
    raise ValueError(f"unknown loss {name_or_loss!r}; valid losses are: " + ", ".join(sorted(LOSSES)))


def _xlogy(x: ArrayLike, y: ArrayLike) -> FloatArray:
    """``x log y``, 0 where ``x = 0`` (and ``y`` is not NaN), as ``scipy.special.xlogy``:
    ``0 · log 0`` counts as 0 in a loss (NumPy alone, so that a fresh process computing
    a loss imports no SciPy)."""
    x, y = np.asarray(x), np.asarray(y)
    with np.errstate(divide="ignore", invalid="ignore"):
        product = x * np.log(y)
    return cast(FloatArray, np.where((x == 0) & ~np.isnan(y), 0, product))
