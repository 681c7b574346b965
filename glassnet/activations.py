"""Activation functions, each with its derivative right beside it.

An activation maps a layer's pre-activation ``Z`` (shape ``(n_samples, n_units)``)
to its output ``A = σ(Z)``. Backpropagation needs ``dZ = dA ⊙ σ'(Z)``; every
activation here offers

- ``act(Z)``              the value ``A = σ(Z)``,
- ``act.derivative(Z, A)`` the elementwise derivative ``σ'(Z)`` (``A`` is passed
  because many derivatives are cheapest written in terms of the output, e.g.
  ``σ' = σ(1 − σ)``),
- ``act.backward(dA, Z, A)`` the delta ``dZ``; for elementwise activations this is
  ``dA * σ'(Z)``, for softmax it is the Jacobian-vector product.

Each also carries its formulas as text, for the printed trace and the notes:
``formula`` (``"σ(z) = 1 / (1 + e^(−z))"``), ``derivative_formula``, their LaTeX
(``latex``, ``derivative_latex``) and :meth:`Activation.derivative_text`, the
derivative written with the names or the numbers it is given.

All are numerically stable: no overflow warnings for ``|z|`` up to 1e4.
Look one up by name with :func:`get_activation`; unknown names raise
``ValueError`` listing the valid ones.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, Protocol, cast

import numpy as np

from . import _jit
from ._typing import ActivationName, ArrayLike, FloatArray, NDArray


class Activation:
    """Base class: an elementwise activation ``A = σ(Z)`` and its derivative."""

    name = "activation"
    elementwise = True
    symbol = "σ"
    """How the trace writes the function: ``σ(z)``, ``tanh(z)``."""
    formula = "σ(z)"
    """The value as text, ``σ(z) = …``."""
    latex = r"\sigma(z)"
    derivative_template = "σ'({z})"
    """``σ'`` in terms of ``{z}`` and ``{a} = σ(z)``: filled with names or with numbers."""
    derivative_latex = r"\sigma'(z)"

    @property
    def derivative_formula(self) -> str:
        """The derivative as text, ``σ'(z) = a·(1 − a)``."""
        return f"{self.symbol}'(z) = {self.derivative_text('z', 'a')}"

    def derivative_text(self, z: str, a: str) -> str:
        """``σ'`` written with ``z`` and ``a``: names (``"z⁽¹⁾₁"``) or numbers (``"0.6"``)."""
        return self.derivative_template.format(z=z, a=a)

    def value_text(self, z: str, row: Sequence[str] | None = None) -> str:
        """``σ(z)`` written with a name or a number (``row``: the layer's, for softmax)."""
        return f"{self.symbol}({z})"

    def __call__(self, Z: FloatArray, out: FloatArray | None = None) -> FloatArray:
        raise NotImplementedError  # pragma: no cover - every subclass defines it

    def derivative(self, Z: FloatArray, A: FloatArray) -> FloatArray:
        """``σ'(Z)``, elementwise; ``A`` must equal ``σ(Z)``."""
        raise NotImplementedError  # pragma: no cover

    def backward(
        self, dA: FloatArray, Z: FloatArray, A: FloatArray, out: FloatArray | None = None
    ) -> FloatArray:
        """``dZ = dA ⊙ σ'(Z)`` (chain rule through an elementwise function)."""
        return np.multiply(dA, self.derivative(Z, A), out=out)

    def apply_with_bias(self, Z: FloatArray, b: FloatArray, out: FloatArray) -> FloatArray:
        """``Z += b`` then ``out = σ(Z)``: the end of a layer's forward pass, into buffers."""
        Z += b
        return self(Z, out=out)

    def apply_with_bias_checked(self, Z: FloatArray, b: FloatArray) -> bool:
        """``Z = σ(Z + b)`` in place, and whether every ``Z + b`` was finite.

        Inference uses the flag to look for NaN and inf in its input (see
        ``Network._output_chunks``); ReLU gets both from one pass over ``Z``.
        """
        Z += b
        kernels = _jit.fused()
        finite = kernels.all_finite(Z.reshape(-1)) if kernels else bool(np.isfinite(Z).all())
        self(Z, out=Z)
        return finite

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class Identity(Activation):
    """``σ(z) = z``, ``σ'(z) = 1``. The output of a regression network."""

    name = "identity"
    symbol = "id"
    formula = "id(z) = z"
    latex = "z"
    derivative_template = "1"
    derivative_latex = "1"

    def __call__(self, Z: FloatArray, out: FloatArray | None = None) -> FloatArray:
        if out is None:
            return np.array(Z, copy=True)
        if out is not Z:
            np.copyto(out, Z)
        return out

    def derivative(self, Z: FloatArray, A: FloatArray) -> FloatArray:
        return np.ones_like(Z)

    def backward(
        self, dA: FloatArray, Z: FloatArray, A: FloatArray, out: FloatArray | None = None
    ) -> FloatArray:
        if out is None:
            return np.array(dA, copy=True)
        if out is not dA:
            np.copyto(out, dA)
        return out


class Sigmoid(Activation):
    """The logistic function ``σ(z) = 1 / (1 + exp(−βz))`` with steepness ``β``.

    ``σ'(z) = β σ(z) (1 − σ(z))``. :func:`logistic` evaluates it without
    overflow for any ``z``.
    """

    name = "sigmoid"
    latex = r"\sigma(z) = \frac{1}{1 + e^{-z}}"
    derivative_template = "{a}·(1 − {a})"
    derivative_latex = r"\sigma'(z) = \sigma(z)\,(1 - \sigma(z))"

    def __init__(self, beta: float = 1.0) -> None:
        if not np.isfinite(beta) or beta <= 0:
            raise ValueError(f"sigmoid steepness beta must be a positive number, got {beta!r}")
        self.beta = float(beta)

    @property
    def formula(self) -> str:  # type: ignore[override]  # the base's constant is never assigned to
        if self.beta == 1.0:
            return "σ(z) = 1 / (1 + e^(−z))"
        return f"σ(z) = 1 / (1 + e^(−β·z)) with β = {self.beta:g}"

    def derivative_text(self, z: str, a: str) -> str:
        beta = "" if self.beta == 1.0 else f"{self.beta:g}·"
        return f"{beta}{a}·(1 − {a})"

    def __call__(self, Z: FloatArray, out: FloatArray | None = None) -> FloatArray:
        if self.beta != 1.0:
            Z = np.multiply(Z, Z.dtype.type(self.beta), out=out)
            return logistic(Z, out=Z)
        return logistic(Z, out=out)

    def derivative(self, Z: FloatArray, A: FloatArray) -> FloatArray:
        return self.beta * A * (1 - A)

    def __repr__(self) -> str:
        return f"Sigmoid(beta={self.beta})" if self.beta != 1.0 else "Sigmoid()"


class Tanh(Activation):
    """``σ(z) = tanh z``, ``σ'(z) = 1 − tanh² z``."""

    name = "tanh"
    symbol = "tanh"
    formula = "tanh(z) = (e^z − e^(−z)) / (e^z + e^(−z))"
    latex = r"\tanh z = \frac{e^{z} - e^{-z}}{e^{z} + e^{-z}}"
    derivative_template = "1 − {a}²"
    derivative_latex = r"\tanh'(z) = 1 - \tanh^2 z"

    def __call__(self, Z: FloatArray, out: FloatArray | None = None) -> FloatArray:
        return np.tanh(Z, out=out)

    def derivative(self, Z: FloatArray, A: FloatArray) -> FloatArray:
        return 1 - A * A


class ReLU(Activation):
    """``σ(z) = max(0, z)``, ``σ'(z) = 1 if z > 0 else 0`` (0 at z = 0, as in PyTorch)."""

    name = "relu"
    symbol = "relu"
    formula = "relu(z) = max(0, z)"
    latex = r"\mathrm{relu}(z) = \max(0, z)"
    derivative_template = "[{z} > 0]"
    derivative_latex = r"\mathrm{relu}'(z) = [z > 0]"

    def __call__(self, Z: FloatArray, out: FloatArray | None = None) -> FloatArray:
        return np.maximum(Z, _zeros_like(Z), out=out)

    def derivative(self, Z: FloatArray, A: FloatArray) -> FloatArray:
        return (Z > 0).astype(Z.dtype)

    def backward(
        self, dA: FloatArray, Z: FloatArray, A: FloatArray, out: FloatArray | None = None
    ) -> FloatArray:
        # Zero the gradient where the unit was off; A > 0 exactly where Z > 0.
        kernels = _jit.fused()
        if kernels and out is dA and _contiguous_2d(dA, A):
            kernels.relu_mask(dA, A)  # the line below, in place, in one pass
            return dA
        return np.multiply(dA, A > 0, out=out)

    def apply_with_bias(self, Z: FloatArray, b: FloatArray, out: FloatArray) -> FloatArray:
        kernels = _jit.fused()
        if kernels and out is Z and _contiguous_2d(Z):
            kernels.bias_relu_inplace(Z, b)  # Z = max(Z + b, 0), in one pass
            return Z
        if kernels and _contiguous_2d(Z, out):
            kernels.bias_relu(Z, b, out)  # Z += b; out = max(Z, 0), in one pass
            return out
        return super().apply_with_bias(Z, b, out)

    def apply_with_bias_checked(self, Z: FloatArray, b: FloatArray) -> bool:
        kernels = _jit.fused()
        if kernels and _contiguous_2d(Z):
            return bool(kernels.bias_relu_inplace(Z, b))  # both in one pass
        return super().apply_with_bias_checked(Z, b)


class LeakyReLU(Activation):
    """``σ(z) = z if z > 0 else αz``, ``σ'(z) = 1 if z > 0 else α``."""

    name = "leaky_relu"
    symbol = "leaky_relu"
    latex = r"z \text{ if } z > 0 \text{ else } \alpha z"
    derivative_latex = r"1 \text{ if } z > 0 \text{ else } \alpha"

    def __init__(self, alpha: float = 0.01) -> None:
        if not np.isfinite(alpha) or alpha < 0:
            raise ValueError(f"leaky_relu slope alpha must be a non-negative number, got {alpha!r}")
        self.alpha = float(alpha)

    @property
    def formula(self) -> str:  # type: ignore[override]  # the base's constant is never assigned to
        return f"leaky_relu(z) = z if z > 0 else {self.alpha:g}·z"

    def derivative_text(self, z: str, a: str) -> str:
        return f"(1 if {z} > 0 else {self.alpha:g})"

    def __call__(self, Z: FloatArray, out: FloatArray | None = None) -> FloatArray:
        A = np.where(Z > 0, Z, self.alpha * Z)
        return A if out is None else _copy_into(A, out)

    def derivative(self, Z: FloatArray, A: FloatArray) -> FloatArray:
        return np.where(Z > 0, 1.0, self.alpha).astype(Z.dtype)

    def __repr__(self) -> str:
        return f"LeakyReLU(alpha={self.alpha})"


class ELU(Activation):
    """``σ(z) = z if z > 0 else α(eᶻ − 1)``, ``σ'(z) = 1 if z > 0 else σ(z) + α``."""

    name = "elu"
    symbol = "elu"
    latex = r"z \text{ if } z > 0 \text{ else } \alpha (e^{z} - 1)"
    derivative_latex = r"1 \text{ if } z > 0 \text{ else } \mathrm{elu}(z) + \alpha"

    def __init__(self, alpha: float = 1.0) -> None:
        if not np.isfinite(alpha) or alpha <= 0:
            raise ValueError(f"elu alpha must be a positive number, got {alpha!r}")
        self.alpha = float(alpha)

    @property
    def formula(self) -> str:  # type: ignore[override]  # the base's constant is never assigned to
        return f"elu(z) = z if z > 0 else {self.alpha:g}·(e^z − 1)"

    def derivative_text(self, z: str, a: str) -> str:
        return f"(1 if {z} > 0 else {a} + {self.alpha:g})"

    def __call__(self, Z: FloatArray, out: FloatArray | None = None) -> FloatArray:
        # expm1 of min(z, 0) never overflows and is exact near 0.
        A = np.where(Z > 0, Z, self.alpha * np.expm1(np.minimum(Z, 0)))
        return A if out is None else _copy_into(A, out)

    def derivative(self, Z: FloatArray, A: FloatArray) -> FloatArray:
        return np.where(Z > 0, 1.0, A + self.alpha).astype(Z.dtype)

    def __repr__(self) -> str:
        return f"ELU(alpha={self.alpha})"


class Softplus(Activation):
    """``σ(z) = log(1 + eᶻ)``, ``σ'(z) = 1 / (1 + e⁻ᶻ)`` (the logistic function)."""

    name = "softplus"
    symbol = "softplus"
    formula = "softplus(z) = log(1 + e^z)"
    latex = r"\log(1 + e^{z})"
    derivative_template = "1 / (1 + e^(−{z}))"
    derivative_latex = r"\frac{1}{1 + e^{-z}}"

    def __call__(self, Z: FloatArray, out: FloatArray | None = None) -> FloatArray:
        return np.logaddexp(0, Z, out=out)

    def derivative(self, Z: FloatArray, A: FloatArray) -> FloatArray:
        return logistic(Z)


class GELU(Activation):
    """Gaussian error linear unit, exact form: ``σ(z) = z Φ(z)``.

    ``Φ`` is the standard normal CDF, ``φ`` its density; ``σ'(z) = Φ(z) + z φ(z)``.
    """

    name = "gelu"
    symbol = "gelu"
    formula = "gelu(z) = z·Φ(z)"
    latex = r"z\,\Phi(z)"
    derivative_template = "Φ({z}) + {z}·φ({z})"
    derivative_latex = r"\Phi(z) + z\,\varphi(z)"

    def __call__(self, Z: FloatArray, out: FloatArray | None = None) -> FloatArray:
        A = Z * _normal_cdf(Z)
        return A if out is None else _copy_into(A, out)

    def derivative(self, Z: FloatArray, A: FloatArray) -> FloatArray:
        return _normal_cdf(Z) + Z * np.exp(-0.5 * Z * Z) / math.sqrt(2 * math.pi)


class Exp(Activation):
    """``σ(z) = eᶻ``, ``σ'(z) = eᶻ``: the canonical output for the Poisson loss.

    ``z`` is capped at ``⌊log(max float)⌋`` (709 in float64, 88 in float32) so the value stays finite.
    """

    name = "exp"
    symbol = "exp"
    formula = "exp(z) = e^z"
    latex = "e^{z}"
    derivative_template = "{a}"
    derivative_latex = "e^{z}"

    def __call__(self, Z: FloatArray, out: FloatArray | None = None) -> FloatArray:
        cap = math.floor(math.log(np.finfo(Z.dtype).max)) if Z.dtype.kind == "f" else 709
        return np.exp(np.minimum(Z, cap), out=out)

    def derivative(self, Z: FloatArray, A: FloatArray) -> FloatArray:
        return A


class Softmax(Activation):
    """``softmax(z)ᵢ = exp(zᵢ) / Σⱼ exp(zⱼ)``, row by row.

    Not elementwise: its derivative is the Jacobian ``J = diag(a) − a aᵀ`` of each
    row, so ``dZ = J dA = a ⊙ (dA − (dA · a))``. Subtracting the row maximum
    before ``exp`` keeps it stable.
    """

    name = "softmax"
    symbol = "softmax"
    formula = "softmax(z)ⱼ = e^(zⱼ) / Σₖ e^(zₖ)"
    latex = r"\mathrm{softmax}(z)_j = \frac{e^{z_j}}{\sum_k e^{z_k}}"
    derivative_template = "{a}·(1 − {a})"
    derivative_latex = r"\frac{\partial a_j}{\partial z_k} = a_j ([j = k] - a_k)"
    derivative_formula = "∂aⱼ/∂zₖ = aⱼ·([j = k] − aₖ)"
    backward_formula = "δⱼ = ŷⱼ·(∂L/∂ŷⱼ − Σₖ ŷₖ·∂L/∂ŷₖ)"
    """The Jacobian-vector product ``δ = J ∂L/∂a`` of one row, as text."""

    def value_text(self, z: str, row: Sequence[str] | None = None) -> str:
        """``aⱼ = e^(zⱼ) / Σₖ e^(zₖ)`` with the row's names or numbers."""
        if row is None:
            raise TypeError("softmax's value depends on the whole row: pass row")
        return f"e^({z}) / (" + " + ".join(f"e^({r})" for r in row) + ")"

    def backward_text(self, a: str, g: str, dot: str) -> str:
        """One entry of ``δ = J ∂L/∂a``: ``aⱼ·(gⱼ − Σₖ aₖ gₖ)`` with names or numbers."""
        return f"{a}·({g} − {dot})"

    elementwise = False  # each output depends on the whole row

    def __call__(self, Z: FloatArray, out: FloatArray | None = None) -> FloatArray:
        # (The compiled epoch runs these lines as one kernel, glassnet._fused.softmax; here they
        # stay NumPy's, whose exp rounds differently: a fit's numbers must not depend on
        # whether another run of the process loaded the kernels.)
        if Z.ndim == 2 and 2 <= Z.shape[1] < 8:  # a few classes: see _row_reduce
            out = np.subtract(Z, _row_reduce(np.maximum, Z)[:, None], out=out)
            np.exp(out, out=out)
            out /= _row_reduce(np.add, out)[:, None]
            return out
        out = np.subtract(Z, Z.max(axis=1, keepdims=True), out=out)
        np.exp(out, out=out)
        out /= out.sum(axis=1, keepdims=True)
        return out

    def jacobian(self, z: ArrayLike) -> FloatArray:
        """The Jacobian ``∂a/∂z = diag(a) − a aᵀ`` of one row ``z`` (shape ``(k,)``)."""
        a = self(np.asarray(z, dtype=float).reshape(1, -1))[0]
        return np.diag(a) - np.outer(a, a)

    def derivative(self, Z: FloatArray, A: FloatArray) -> FloatArray:
        """The diagonal of the Jacobian, ``a(1 − a)``: only for inspection.

        Backpropagation uses :meth:`backward`, which applies the full Jacobian.
        """
        return A * (1 - A)

    def backward(
        self, dA: FloatArray, Z: FloatArray, A: FloatArray, out: FloatArray | None = None
    ) -> FloatArray:
        dot = np.einsum("ij,ij->i", dA, A)[:, None]
        out = np.subtract(dA, dot, out=out)
        out *= A
        return out


_ZEROS_MAX_ENTRIES = 2**18
_zeros: dict[tuple[tuple[int, ...], np.dtype[Any]], FloatArray] = {}


def _zeros_like(Z: FloatArray) -> FloatArray | int:
    """A read-only array of zeros shaped like ``Z`` (kept for the next step's batch), or 0.

    ``np.maximum(Z, zeros)`` runs NumPy's vectorised loop for two arrays and takes
    half the time of ``np.maximum(Z, 0)`` against a scalar (a batch of 200 × 50: 2.5
    against 5.3 µs), with the same values. Arrays of more than ``_ZEROS_MAX_ENTRIES``
    entries, whose zeros would cost more memory than time, get the scalar.
    """
    if not isinstance(Z, np.ndarray) or Z.size > _ZEROS_MAX_ENTRIES:  # (a list, a NumPy scalar)
        return 0
    key = (Z.shape, Z.dtype)
    zeros = _zeros.get(key)
    if zeros is None:
        if len(_zeros) >= 8:  # a few batch shapes at a time (training, last batch, predict)
            _zeros.clear()
        zeros = np.zeros(Z.shape, Z.dtype)
        zeros.flags.writeable = False
        _zeros[key] = zeros
    return zeros


def _row_reduce(ufunc: np.ufunc, Z: FloatArray) -> FloatArray:
    """Each row's ``ufunc.reduce`` over the few columns of ``Z`` (2 to 7), column by column.

    ``Z.max(axis=1)`` and ``Z.sum(axis=1)`` loop over the rows and reduce a few numbers
    each: for a softmax over 3 classes that costs 4–8 µs for 200 rows and 150–350 µs
    for 10,000, against 1.5–2 and 8–15 µs column by column. Up to 7 columns NumPy
    adds a row's numbers in order, as the columns are added here, so the sums are
    the same to the last bit (tests/test_activations.py checks it).
    """
    acc = ufunc(Z[:, 0], Z[:, 1])
    for j in range(2, Z.shape[1]):
        ufunc(acc, Z[:, j], out=acc)
    return cast(FloatArray, acc)


def _contiguous_2d(a: NDArray[Any], b: NDArray[Any] | None = None) -> bool:
    """True when the arrays are 2-D and C-contiguous, as the compiled kernels need."""
    if a.ndim != 2 or not a.flags.c_contiguous:
        return False
    return b is None or (b.ndim == 2 and b.flags.c_contiguous)


def logistic(Z: ArrayLike, out: FloatArray | None = None) -> FloatArray:
    """``1 / (1 + e^(−z))`` for any ``z``, without overflow (NumPy's ``exp``).

    From ``e = e^(−|z|)``, which lies in ``(0, 1]``: ``1 / (1 + e)`` where ``z ≥ 0``
    and ``e / (1 + e)`` where ``z < 0``, so no ``exp`` ever sees a large positive
    number. It is as accurate as ``scipy.special.expit`` (at most 2.1 units in the
    last place from the exact value in float64 and 3 in float32, against 2.0 and 2.2;
    far left, below about −709, it returns the subnormal values that ``expit``
    rounds to 0), and it spares a fresh process the 0.2 s of importing
    ``scipy.special``: a binary classifier's first fit needs no SciPy at all.
    """
    Z = np.asarray(Z)
    if Z.dtype.kind != "f":
        Z = Z.astype(np.float64)
    e = np.abs(Z)
    np.negative(e, out=e)
    np.exp(e, out=e)  # e^(−|z|)
    numerator = np.where(Z >= 0, Z.dtype.type(1), e)  # (read before out, which may be Z, is written)
    e += 1
    return cast(FloatArray, np.divide(numerator, e, out=out))


class _Special(Protocol):
    """What this module uses of ``scipy.special`` (which has no type hints)."""

    def erf(self, x: FloatArray, /) -> FloatArray: ...


def _special() -> _Special:
    """``scipy.special`` (for GELU's ``erf``), imported on first use: it costs a process 0.2 s."""
    from scipy import special

    return cast(_Special, special)


def _normal_cdf(Z: FloatArray) -> FloatArray:
    return 0.5 * (1 + _special().erf(Z / math.sqrt(2)))


def _copy_into(values: FloatArray, out: FloatArray) -> FloatArray:
    np.copyto(out, values)
    return out


ACTIVATIONS: dict[str, type[Activation]] = {
    "identity": Identity,
    "linear": Identity,
    "sigmoid": Sigmoid,
    "logistic": Sigmoid,
    "tanh": Tanh,
    "relu": ReLU,
    "leaky_relu": LeakyReLU,
    "elu": ELU,
    "softplus": Softplus,
    "gelu": GELU,
    "exp": Exp,
    "softmax": Softmax,
}
"""Every activation by name ("linear" = "identity", "logistic" = "sigmoid")."""


def get_activation(name_or_activation: ActivationName | Activation) -> Activation:
    """Return an :class:`Activation` for a name such as ``"relu"``, or pass one through."""
    if isinstance(name_or_activation, Activation):
        return name_or_activation
    if isinstance(name_or_activation, str) and name_or_activation in ACTIVATIONS:
        return ACTIVATIONS[name_or_activation]()
    raise ValueError(
        f"unknown activation {name_or_activation!r}; valid activations are: " + ", ".join(sorted(ACTIVATIONS))
    )
