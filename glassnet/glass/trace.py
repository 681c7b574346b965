"""Trace: one step of gradient descent, written out as a hand calculation.

:func:`trace` runs one plain gradient-descent step on a copy of a network and
keeps every number a textbook would show::

    forward     z⁽ˡ⁾ = W⁽ˡ⁾ a⁽ˡ⁻¹⁾ + b⁽ˡ⁾,  a⁽ˡ⁾ = σ(z⁽ˡ⁾)      (per unit: z = Σ w·a + b)
    loss        L = mean over the batch of ℓ(ŷ, y)
    backward    δ⁽ˡ⁾ = ∂L/∂z⁽ˡ⁾:  output  δ = ŷ − y for a canonical pair, else ∂L/∂ŷ · σ'(z)
                                  hidden  δ = (Σ w·δ⁽ˡ⁺¹⁾) · σ'(z)
                ∂L/∂w = δ · a_prev,  ∂L/∂b = δ                (summed over a batch)
    update      w ← w − η ∂L/∂w,  b ← b − η ∂L/∂b

The numbers are the engine's own: the forward and backward caches of the layers
(``A_prev``, ``Z``, ``A``, ``dZ``, ``dW``, ``db``) and an :class:`~glassnet.optimizers.SGD`
step; nothing is recomputed except what only the printout needs (``∂L/∂a``,
``σ'(z)``). :meth:`Trace.text` writes the calculation (:mod:`glassnet.glass.tracetext`):
unit by unit with every name beside its number for small networks, as matrices
for larger ones, in glassnet's layout (``W[i, j]`` joins unit i below to unit j)
or a textbook's (``layout="out_in"``: ``W[j, i]``, ``z = W a + b``).

The arrays of a :class:`Trace` are in glassnet's layout (samples are rows,
``W`` of shape ``(n_in, n_out)``) whatever layout the text is written in.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from .._validation import check_positive, check_X
from ..layers import Layout, check_layout
from ..optimizers import SGD

if TYPE_CHECKING:
    from .._typing import ArrayLike, FloatArray, LossName
    from ..activations import Activation
    from ..losses import Loss
    from ..network import Network

MAX_UNITS = 6
"""Largest layer (including the input) that is written out unit by unit."""
MAX_BATCH = 4
"""Largest batch that is written out sample by sample."""
MAX_DIGITS = 12
"""Most decimals a trace prints."""


@dataclass(repr=False)
class LayerTrace:
    """Everything one layer did in the traced step (arrays are copies).

    Shapes: ``A_prev`` (n, n_in); ``Z``, ``A``, ``dA``, ``dZ``, ``dsigma`` (n, n_out);
    ``W``, ``dW``, ``W_new`` (n_in, n_out); ``b``, ``db``, ``b_new`` (n_out,).
    ``dA`` is ``∂L/∂A`` and ``dsigma`` is ``σ'(Z)`` (for softmax only the
    diagonal of its Jacobian, for display). ``function`` is the activation object,
    whose formulas the text writes.
    """

    activation: str
    W: FloatArray
    b: FloatArray
    A_prev: FloatArray
    Z: FloatArray
    A: FloatArray
    dA: FloatArray
    dsigma: FloatArray
    dZ: FloatArray
    dW: FloatArray
    db: FloatArray
    W_new: FloatArray
    b_new: FloatArray
    function: Activation | None = None

    _ARRAYS = ("W", "b", "A_prev", "Z", "A", "dA", "dsigma", "dZ", "dW", "db", "W_new", "b_new")

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"activation": self.activation}
        out.update({k: getattr(self, k).tolist() for k in self._ARRAYS})
        return out


@dataclass(repr=False)
class Trace:
    """One traced gradient-descent step: forward pass, loss, backward pass, update.

    Attributes
    ----------
    X : ndarray, shape (n, n_inputs)
    Y : ndarray, shape (n, n_outputs)
    Y_hat : ndarray, shape (n, n_outputs)
        The prediction ``A`` of the output layer.
    loss_name : str
    loss : float
        The batch loss ``L`` before the step.
    sample_loss : ndarray, shape (n,)
        Each sample's loss ``ℓ`` (``L`` is their mean).
    lr : float
        The learning rate ``η``.
    canonical : bool
        Whether the output activation and the loss form a canonical pair
        (then the output delta is ``ŷ − y``).
    layers : list of LayerTrace
        One per layer, input side first.
    layout : str
        The layout :meth:`text` writes weights in by default (``"in_out"`` or ``"out_in"``).
    digits : int
        The decimals :meth:`text` prints by default.
    loss_function : Loss
        The loss object, whose formulas the text writes.
    """

    X: FloatArray
    Y: FloatArray
    Y_hat: FloatArray
    loss_name: str
    loss: float
    sample_loss: FloatArray
    lr: float
    canonical: bool
    layers: list[LayerTrace] = field(default_factory=list)
    layout: Layout = "in_out"
    digits: int = 4
    loss_function: Loss | None = None

    @property
    def layer_sizes(self) -> list[int]:
        return [self.X.shape[1]] + [layer.W.shape[1] for layer in self.layers]

    @property
    def n_samples(self) -> int:
        return self.X.shape[0]

    def is_small(self) -> bool:
        """Whether the calculation is written out unit by unit (see ``MAX_UNITS``, ``MAX_BATCH``)."""
        return max(self.layer_sizes) <= MAX_UNITS and self.n_samples <= MAX_BATCH

    def as_dict(self) -> dict[str, Any]:
        """Plain lists and floats, ready for ``json.dump`` (arrays in glassnet's layout)."""
        return {
            "layer_sizes": self.layer_sizes,
            "loss_name": self.loss_name,
            "loss": float(self.loss),
            "sample_loss": self.sample_loss.tolist(),
            "lr": float(self.lr),
            "canonical": self.canonical,
            "X": self.X.tolist(),
            "Y": self.Y.tolist(),
            "Y_hat": self.Y_hat.tolist(),
            "layers": [layer.as_dict() for layer in self.layers],
        }

    def text(
        self, detailed: bool | None = None, layout: Layout | None = None, digits: int | None = None
    ) -> str:
        """The hand calculation as text.

        ``detailed`` forces (or forbids) the unit-by-unit form; ``layout`` and
        ``digits`` override the trace's own (``"out_in"`` writes textbook matrices).
        """
        from .tracetext import format_trace

        detailed = self.is_small() if detailed is None else detailed
        chosen: Layout = self.layout if layout is None else layout
        check_layout(chosen)
        return format_trace(self, detailed, chosen, _check_digits(self.digits if digits is None else digits))

    def apply_to(self, net: Network) -> Network:
        """Give ``net`` the updated weights and biases of this step (the step, taken)."""
        for layer, traced in zip(net.layers, self.layers, strict=True):
            layer.W, layer.b = traced.W_new, traced.b_new
        return net

    def __str__(self) -> str:
        return self.text()

    def __repr__(self) -> str:
        sizes = " → ".join(map(str, self.layer_sizes))
        return f"Trace(network {sizes}, n_samples={self.n_samples}, loss={self.loss:.6g}, lr={self.lr:g})"


def _check_digits(digits: object) -> int:
    if isinstance(digits, bool) or not isinstance(digits, (int, np.integer)) or not 1 <= digits <= MAX_DIGITS:
        raise ValueError(f"digits must be an integer from 1 to {MAX_DIGITS}, got {digits!r}")
    return int(digits)


def trace(
    net: Network,
    X: ArrayLike,
    Y: ArrayLike,
    loss: LossName | Loss | None = None,
    lr: float = 0.1,
    layout: Layout = "in_out",
    digits: int = 4,
) -> Trace:
    """Trace one plain gradient-descent step of ``net`` on ``(X, Y)``; ``net`` is not changed.

    Parameters
    ----------
    net : Network
    X : array-like, shape (n_samples, n_inputs), or (n_inputs,) for one sample
    Y : array-like, shape (n_samples, n_outputs), or 1-D: one sample's outputs, or
        one output's targets. Numbers (one-hot rows for softmax).
    loss : str or Loss, optional
        Defaults to the network's loss (the canonical one of its head).
    lr : float
        Learning rate ``η`` of the step ``W ← W − η ∂L/∂W``.
    layout : ``"in_out"`` or ``"out_in"``
        How :meth:`Trace.text` writes weights: glassnet's ``W[i, j]`` (unit i below
        to unit j) or a textbook's ``W[j, i]`` of ``z = W a + b``.
    digits : int
        Decimals :meth:`Trace.text` prints (texts print 4: ``1.0943``).

    Returns
    -------
    Trace
    """
    check_positive(lr, "lr")
    check_layout(layout)
    _check_digits(digits)
    net = net.copy()  # the traced step must not touch the caller's network
    x = np.asarray(X)
    if x.ndim == 1:
        x = x.reshape(1, -1)
    x = check_X(x, net.n_inputs, dtype=net.dtype)
    y = np.asarray(Y)
    if y.ndim == 1 and x.shape[0] == 1 and y.shape[0] == net.n_outputs:
        y = y.reshape(1, -1)
    loss_obj = net.resolve_loss(loss)
    value, _ = net.gradients(x, y, loss_obj)
    y = np.asarray(y, dtype=net.dtype).reshape(x.shape[0], net.n_outputs)

    before = [(layer.W.copy(), layer.b.copy()) for layer in net.layers]
    SGD(lr=lr).step(net.theta, net.grad.copy())  # the update, by the engine's own optimizer
    layers = [_layer_trace(net, i, before, loss_obj, y) for i in range(len(net.layers))]
    Y_hat = np.array(net.layers[-1].A)
    return Trace(
        X=x,
        Y=y,
        Y_hat=Y_hat,
        loss_name=loss_obj.name,
        loss=float(value),
        sample_loss=np.asarray(loss_obj.per_sample(Y_hat, y)),
        lr=float(lr),
        canonical=loss_obj.pairs_with(net.layers[-1].activation),
        layers=layers,
        layout=layout,
        digits=int(digits),
        loss_function=loss_obj,
    )


def _layer_trace(
    net: Network, i: int, before: Sequence[tuple[FloatArray, FloatArray]], loss: Loss, Y: FloatArray
) -> LayerTrace:
    """Layer ``i``'s numbers, from its caches after the backward pass and the update."""
    layer = net.layers[i]
    if i == len(net.layers) - 1:
        dA = loss.gradient(_cached(layer.A), Y) / Y.shape[0]  # ∂L/∂Ŷ of the batch mean
    else:
        dA = _cached(net.layers[i + 1].dZ) @ before[i + 1][0].T  # dA = dZ⁺ W⁺ᵀ
    act = layer.activation
    return LayerTrace(
        activation=act.name,
        W=before[i][0],
        b=before[i][1],
        A_prev=np.array(layer.A_prev),
        Z=np.array(layer.Z),
        A=np.array(layer.A),
        dA=np.asarray(dA),
        dsigma=np.asarray(act.derivative(_cached(layer.Z), _cached(layer.A))),
        dZ=np.array(layer.dZ),
        dW=np.array(layer.dW),
        db=np.array(layer.db),
        W_new=layer.W.copy(),
        b_new=layer.b.copy(),
        function=act,
    )


def _cached(value: FloatArray | None) -> FloatArray:
    """A layer's cache, which the traced forward and backward pass have filled."""
    assert value is not None
    return value


def trace_steps(
    net: Network,
    X: ArrayLike,
    Y: ArrayLike,
    steps: int = 1,
    loss: LossName | Loss | None = None,
    lr: float = 0.1,
    layout: Layout = "in_out",
    digits: int = 4,
) -> list[Trace]:
    """Trace ``steps`` gradient-descent steps in a row, each from the weights the last one
    left; ``net`` is not changed. Returns the list of :class:`Trace`.

    A step whose loss or updated weights are not finite raises a ``ValueError`` naming
    it (the learning rate is too large): its numbers would be ``nan`` and ``inf``.
    """
    check_positive(steps, "steps", integer=True)
    net = net.copy()
    traces: list[Trace] = []
    for step in range(1, steps + 1):
        with np.errstate(over="ignore", invalid="ignore"):  # looked for below, by name
            traced = trace(net, X, Y, loss=loss, lr=lr, layout=layout, digits=digits)
        finite = all(np.isfinite(t.W_new).all() and np.isfinite(t.b_new).all() for t in traced.layers)
        if not (finite and np.isfinite(traced.loss)):
            before = f" (loss {traces[-1].loss:.4g} at step {step - 1})" if traces else ""
            raise ValueError(
                f"the steps diverged at step {step}: the loss or the weights became NaN or infinite"
                f"{before}; try a smaller learning rate than {lr:g}"
            )
        traced.apply_to(net)
        traces.append(traced)
    return traces
