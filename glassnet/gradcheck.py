"""Gradient checking: backpropagation against central finite differences.

For every entry ``θᵢ`` of the flat parameter vector::

    ∂L/∂θᵢ ≈ (L(θ + h eᵢ) − L(θ − h eᵢ)) / 2h

whose error is O(h²). The check reports, for each layer's ``W`` and ``b``, the
relative error ``‖g_backprop − g_numeric‖ / (‖g_backprop‖ + ‖g_numeric‖)``; in float64
a correct implementation gives about 1e-9 or less.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from ._typing import ArrayLike, FloatArray, LossName
from ._validation import check_non_negative, check_positive, check_X, check_Y_for_network

if TYPE_CHECKING:
    from .losses import Loss
    from .network import Network


@dataclass
class GradCheck:
    """Result of :func:`gradcheck`.

    Attributes
    ----------
    errors : dict
        ``{(layer_index, "W" | "b"): relative error}``, layers counted from 1.
    analytic, numeric : ndarray
        The two flat gradient vectors that were compared.
    """

    errors: dict[tuple[int, str], float] = field(default_factory=dict)
    analytic: FloatArray | None = None
    numeric: FloatArray | None = None

    @property
    def max_error(self) -> float:
        """The largest error; NaN when a gradient was not finite (which never passes)."""
        errors = list(self.errors.values())
        return math.nan if any(math.isnan(e) for e in errors) else max(errors)

    def passed(self, tol: float = 1e-6) -> bool:
        return self.max_error < tol

    def __str__(self) -> str:
        lines = [f"{'layer':<7}{'param':<7}{'relative error':>16}"]
        for (i, name), err in self.errors.items():
            lines.append(f"{i:<7}{name:<7}{err:>16.3e}")
        lines.append(f"max relative error: {self.max_error:.3e}")
        return "\n".join(lines)


def gradcheck(
    net: Network,
    X: ArrayLike,
    Y: ArrayLike,
    loss: LossName | Loss | None = None,
    l2: float = 0.0,
    l1: float = 0.0,
    h: float = 1e-6,
) -> GradCheck:
    """Compare backpropagation's gradient with central differences, layer by layer.

    Runs on a float64 copy of ``net`` (float32 has too few digits for differences),
    without dropout.

    Parameters
    ----------
    net : Network
    X : array-like, shape (n_samples, n_inputs)
    Y : array-like, shape (n_samples, n_outputs)
        Numeric targets (one-hot for softmax).
    loss : str or Loss, optional
        Defaults to the output activation's canonical loss.
    l2, l1 : float
        Penalties included in the checked loss.
    h : float
        The finite-difference step.

    Returns
    -------
    GradCheck
    """
    from .network import Network

    if not isinstance(net, Network):
        raise TypeError(f"gradcheck checks a glassnet Network, got {type(net).__name__}")
    check_non_negative(l2, "l2")
    check_non_negative(l1, "l1")
    check_positive(h, "h")
    net = net.copy().astype(np.float64)
    X64: FloatArray = check_X(X, net.n_inputs, dtype=np.float64)
    Y64: FloatArray = check_Y_for_network(Y, X64.shape[0], net.n_outputs, np.float64)
    resolved = net.resolve_loss(loss)
    resolved.check_targets(Y64)

    def L() -> float:
        return net.loss_and_grad(X64, Y64, resolved, l2=l2, l1=l1)

    if not math.isfinite(L()):
        raise ValueError(
            "the loss is not finite at these weights (a weight is NaN or infinite?): nothing to check"
        )
    analytic = net.grad.copy()
    numeric = np.empty_like(analytic)
    theta = net.theta
    for i in range(theta.size):
        saved = theta[i]
        theta[i] = saved + h
        plus = L()
        theta[i] = saved - h
        minus = L()
        theta[i] = saved
        numeric[i] = (plus - minus) / (2 * h)

    result = GradCheck(analytic=analytic, numeric=numeric)
    w_off, b_off = 0, net.n_weights
    for k, layer in enumerate(net.layers, 1):
        for name, start, size in (("W", w_off, layer.n_in * layer.n_out), ("b", b_off, layer.n_out)):
            a, n = analytic[start : start + size], numeric[start : start + size]
            denom = np.linalg.norm(a) + np.linalg.norm(n)  # NaN if either holds NaN
            result.errors[(k, name)] = float(np.linalg.norm(a - n) / denom) if denom > 0 else float(denom)
        w_off += layer.n_in * layer.n_out
        b_off += layer.n_out
    return result
