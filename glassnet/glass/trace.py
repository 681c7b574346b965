"""Trace: one step of gradient descent, written out as a hand calculation.

:func:`trace` runs one plain gradient-descent step on a copy of a network and
keeps every number a textbook would show::

    forward     Zˡ = Aˡ⁻¹ Wˡ + bˡ,  Aˡ = σˡ(Zˡ)          (per unit: z = Σ w·a + b)
    loss        L = mean over the batch of ℓ(ŷ, y)
    backward    δ = dZ:  output  δ = ŷ − y for a canonical pair, else ∂L/∂a · σ'(z)
                         hidden  δ = (Σ w·δ) · σ'(z)
                dW = A_prevᵀ dZ,  db = Σ_rows dZ         (per weight: ∂L/∂w = δ · a_prev)
    update      W ← W − η dW,  b ← b − η db

The numbers are the engine's own: the forward and backward caches of the layers
(``A_prev``, ``Z``, ``A``, ``dZ``, ``dW``, ``db``) and an :class:`~glassnet.optimizers.SGD`
step; nothing is recomputed except what only the printout needs (``∂L/∂a``,
``σ'(z)``). ``str(trace)`` prints the calculation: for a few units and samples
with every sum written out, for larger networks as shapes and small matrices.

Weights follow the library's layout: ``W[i, j]`` (printed ``wᵢⱼ``, e.g. ``w12``)
joins unit ``i`` of the layer below to unit ``j``. Column-vector textbooks write
the same weight as ``W[j, i]``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .._validation import check_positive, check_X
from ..optimizers import SGD

MAX_UNITS = 6
"""Largest layer (including the input) that is written out unit by unit."""
MAX_BATCH = 4
"""Largest batch that is written out sample by sample."""


@dataclass(repr=False)
class LayerTrace:
    """Everything one layer did in the traced step (arrays are copies).

    Shapes: ``A_prev`` (n, n_in); ``Z``, ``A``, ``dA``, ``dZ``, ``dsigma`` (n, n_out);
    ``W``, ``dW``, ``W_new`` (n_in, n_out); ``b``, ``db``, ``b_new`` (n_out,).
    ``dA`` is ``∂L/∂A`` and ``dsigma`` is ``σ'(Z)`` (for softmax only the
    diagonal of its Jacobian, for display).
    """

    activation: str
    W: np.ndarray
    b: np.ndarray
    A_prev: np.ndarray
    Z: np.ndarray
    A: np.ndarray
    dA: np.ndarray
    dsigma: np.ndarray
    dZ: np.ndarray
    dW: np.ndarray
    db: np.ndarray
    W_new: np.ndarray
    b_new: np.ndarray
    beta: float = 1.0  # steepness of a sigmoid, for the derivative line

    _ARRAYS = ("W", "b", "A_prev", "Z", "A", "dA", "dsigma", "dZ", "dW", "db", "W_new", "b_new")

    def as_dict(self):
        out = {"activation": self.activation}
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
    """

    X: np.ndarray
    Y: np.ndarray
    Y_hat: np.ndarray
    loss_name: str
    loss: float
    sample_loss: np.ndarray
    lr: float
    canonical: bool
    layers: list = field(default_factory=list)

    @property
    def layer_sizes(self):
        return [self.X.shape[1]] + [layer.W.shape[1] for layer in self.layers]

    @property
    def n_samples(self):
        return self.X.shape[0]

    def is_small(self):
        """Whether the calculation is written out unit by unit (see ``MAX_UNITS``, ``MAX_BATCH``)."""
        return max(self.layer_sizes) <= MAX_UNITS and self.n_samples <= MAX_BATCH

    def as_dict(self):
        """Plain lists and floats, ready for ``json.dump``."""
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

    def text(self, detailed=None):
        """The hand calculation as text; ``detailed`` forces (or forbids) the unit-by-unit form."""
        detailed = self.is_small() if detailed is None else detailed
        return _format_detailed(self) if detailed else _format_matrices(self)

    def __str__(self):
        return self.text()

    def __repr__(self):
        sizes = " → ".join(map(str, self.layer_sizes))
        return (f"Trace(network {sizes}, n_samples={self.n_samples}, "
                f"loss={self.loss:.6g}, lr={self.lr:g})")


def trace(net, X, Y, loss=None, lr=0.1):
    """Trace one plain gradient-descent step of ``net`` on ``(X, Y)``; ``net`` is not changed.

    Parameters
    ----------
    net : Network
    X : array-like, shape (n_samples, n_inputs), or (n_inputs,) for one sample
    Y : array-like, shape (n_samples, n_outputs), or (n_outputs,) for one sample
        Numeric targets (one-hot rows for softmax, 0/1 for sigmoid).
    loss : str or Loss, optional
        Defaults to the output activation's canonical loss.
    lr : float
        Learning rate ``η`` of the step ``W ← W − η ∂L/∂W``.

    Returns
    -------
    Trace
    """
    check_positive(lr, "lr")
    net = net.copy()  # the traced step must not touch the caller's network
    X = np.asarray(X)
    if X.ndim == 1:
        X = X.reshape(1, -1)
    X = check_X(X, net.n_inputs, dtype=net.dtype)
    Y = np.asarray(Y)
    if Y.ndim == 1 and X.shape[0] == 1 and Y.shape[0] == net.n_outputs:
        Y = Y.reshape(1, -1)
    loss_obj = net.resolve_loss(loss)
    value, _ = net.gradients(X, Y, loss_obj)
    Y = np.asarray(Y, dtype=net.dtype).reshape(X.shape[0], net.n_outputs)

    n = X.shape[0]
    out = net.layers[-1]
    canonical = loss_obj.pairs_with(out.activation)
    before = [(layer.W.copy(), layer.b.copy()) for layer in net.layers]
    SGD(lr=lr).step(net.theta, net.grad.copy())  # the update, by the engine's own optimizer

    layers = []
    for i, layer in enumerate(net.layers):
        if i == len(net.layers) - 1:
            dA = loss_obj.gradient(layer.A, Y) / n       # ∂L/∂Ŷ of the batch mean
        else:
            above = net.layers[i + 1]
            dA = above.dZ @ before[i + 1][0].T            # dA = dZ⁺ W⁺ᵀ
        act = layer.activation
        layers.append(LayerTrace(
            activation=act.name,
            W=before[i][0], b=before[i][1],
            A_prev=np.array(layer.A_prev), Z=np.array(layer.Z), A=np.array(layer.A),
            dA=np.asarray(dA), dsigma=np.asarray(act.derivative(layer.Z, layer.A)),
            dZ=np.array(layer.dZ), dW=np.array(layer.dW), db=np.array(layer.db),
            W_new=layer.W.copy(), b_new=layer.b.copy(),
            beta=getattr(act, "beta", 1.0),
        ))
    Y_hat = np.array(out.A)
    return Trace(X=X, Y=Y, Y_hat=Y_hat, loss_name=loss_obj.name, loss=float(value),
                 sample_loss=np.asarray(loss_obj.per_sample(Y_hat, Y)), lr=float(lr),
                 canonical=canonical, layers=layers)


# --------------------------------------------------------------------------- formatting

_SYMBOL = {"sigmoid": "σ", "identity": "id"}
_LOSS_TITLE = {
    "squared_error": "squared error",
    "binary_cross_entropy": "binary cross-entropy",
    "categorical_cross_entropy": "categorical cross-entropy",
    "poisson": "Poisson",
}
_LOSS_FORMULA = {
    "squared_error": "ℓ = ½ Σₖ (aₖ − yₖ)²",
    "binary_cross_entropy": "ℓ = −Σₖ [yₖ·log aₖ + (1 − yₖ)·log(1 − aₖ)]",
    "categorical_cross_entropy": "ℓ = −Σₖ yₖ·log aₖ",
    "poisson": "ℓ = Σₖ [aₖ − yₖ·log aₖ + yₖ·log yₖ − yₖ]",
}


def _num(x):
    """A number with 4 significant digits: 0.6457, -0.02288, 12.35."""
    s = f"{float(x):.4g}"
    return "0" if s == "-0" else s


def _fac(x):
    """A number as a factor: negative numbers in parentheses, ``(-0.2)``."""
    s = _num(x)
    return f"({s})" if s.startswith("-") else s


def _vec(v):
    return "[" + ", ".join(_num(x) for x in np.ravel(v)) + "]"


def _sym(name):
    return _SYMBOL.get(name, name)


def _sub(name, j, s, n):
    """A per-unit name, ``z1``, with the sample in brackets for batches, ``z1[2]``."""
    return f"{name}{j}" + (f"[{s}]" if n > 1 else "")


def _scaled(expr, number, n):
    """``expr = number`` for one sample; ``(expr) / n = (number) / n`` for a batch."""
    if n == 1:
        return expr, number
    return f"({expr}) / n", f"({number}) / {n}"


def _activation_line(name, j, z_name, z, a, zrow):
    if name == "identity":
        return f"a{j} = {z_name} = {_num(a)}"
    if name == "softmax":
        denom = " + ".join(f"exp({_num(v)})" for v in zrow)
        return f"a{j} = exp({z_name}) / Σₖ exp(zₖ) = exp({_num(z)}) / ({denom}) = {_num(a)}"
    return f"a{j} = {_sym(name)}({_num(z)}) = {_num(a)}"


def _derivative_line(layer, j, z, a, d, suffix):
    """``σ'(z1) = a1·(1 − a1) = 0.6457·(1 − 0.6457) = 0.2288`` and its relatives."""
    name, sym = layer.activation, _sym(layer.activation)
    head, a_name = f"{sym}'(z{j}{suffix})", f"a{j}{suffix}"
    if name == "sigmoid":
        beta = "" if layer.beta == 1.0 else f"{_num(layer.beta)}·"
        beta_sym = "" if layer.beta == 1.0 else "β·"
        return (f"{head} = {beta_sym}{a_name}·(1 − {a_name}) = {beta}{_fac(a)}·(1 − {_fac(a)}) "
                f"= {_num(d)}")
    if name == "tanh":
        return f"{head} = 1 − {a_name}² = 1 − {_fac(a)}² = {_num(d)}"
    if name == "relu":
        return f"{head} = {_num(d)}   (z {'>' if z > 0 else '≤'} 0)"
    if name == "identity":
        return f"{head} = 1"
    return f"{head} = {sym}'({_num(z)}) = {_num(d)}"


def _loss_gradient_expr(loss_name, j, a, y):
    """``∂ℓ/∂a`` of one output, as symbols and as numbers (None for an unknown loss)."""
    if loss_name == "squared_error":
        return f"a{j} − y{j}", f"{_num(a)} − {_fac(y)}"
    if loss_name == "binary_cross_entropy":
        return (f"(a{j} − y{j}) / (a{j}·(1 − a{j}))",
                f"({_num(a)} − {_fac(y)}) / ({_fac(a)}·(1 − {_fac(a)}))")
    if loss_name == "categorical_cross_entropy":
        return f"−y{j} / a{j}", f"−{_fac(y)} / {_fac(a)}"
    if loss_name == "poisson":
        return f"1 − y{j} / a{j}", f"1 − {_fac(y)} / {_fac(a)}"
    return None


def _loss_sample_expr(loss_name, a_row, y_row):
    """One sample's loss with its numbers filled in (None for an unknown loss)."""
    if loss_name == "squared_error":
        return "½·[" + " + ".join(f"({_num(a)} − {_fac(y)})²" for a, y in zip(a_row, y_row)) + "]"
    if loss_name == "binary_cross_entropy":
        return "−[" + " + ".join(
            f"{_fac(y)}·log({_num(a)}) + (1 − {_fac(y)})·log(1 − {_num(a)})"
            for a, y in zip(a_row, y_row)) + "]"
    if loss_name == "categorical_cross_entropy":
        return "−[" + " + ".join(f"{_fac(y)}·log({_num(a)})" for a, y in zip(a_row, y_row)) + "]"
    return None


def _header(t):
    sizes = " → ".join(map(str, t.layer_sizes))
    acts = ", ".join(layer.activation for layer in t.layers)
    loss = _LOSS_TITLE.get(t.loss_name, t.loss_name)
    batch = "one sample" if t.n_samples == 1 else f"a batch of {t.n_samples} samples"
    return [
        f"One step of gradient descent on {batch}, traced by hand",
        f"network {sizes} ({acts}), loss: {loss}, learning rate η = {_num(t.lr)}",
    ]


def _layer_title(t, l):
    layer = t.layers[l]
    role = "output" if l == len(t.layers) - 1 else "hidden"
    n_in, n_out = layer.W.shape
    return f"Layer {l + 1} ({role}, {n_in} → {n_out}, {layer.activation})"


def _format_detailed(t):
    n = t.n_samples
    L = len(t.layers)
    lines = _header(t)
    for s in range(n):
        label = "" if n == 1 else f"sample {s + 1}: "
        lines.append(f"{label}input x = {_vec(t.X[s])}, target y = {_vec(t.Y[s])}")
    lines += [
        "Notation: z = Σᵢ wᵢⱼ·aᵢ + bⱼ, a = act(z); wᵢⱼ = W[i, j] joins unit i of the layer "
        "below to unit j; δ = ∂L/∂z." + (" [s] marks the sample; L is the mean over the n samples."
                                          if n > 1 else ""),
        "",
        "── Forward pass ──",
    ]
    for l, layer in enumerate(t.layers):
        lines.append(_layer_title(t, l))
        n_in, n_out = layer.W.shape
        for s in range(n):
            for j in range(n_out):
                terms = " + ".join(f"{_fac(layer.W[i, j])}·{_fac(layer.A_prev[s, i])}"
                                   for i in range(n_in))
                z_name = _sub("z", j + 1, s + 1, n)
                lines.append(f"  {z_name} = {terms} + {_fac(layer.b[j])} = {_num(layer.Z[s, j])}")
                lines.append("  " + _activation_line(layer.activation, _sub("", j + 1, s + 1, n),
                                                     z_name, layer.Z[s, j], layer.A[s, j],
                                                     layer.Z[s]))
    lines += ["", "── Loss ──", f"  {_LOSS_FORMULA.get(t.loss_name, 'ℓ = ' + t.loss_name + '(a, y)')}"
              + ("" if n == 1 else ",  L = (1/n) Σₛ ℓ[s]")]
    per_sample = []
    for s in range(n):
        expr = _loss_sample_expr(t.loss_name, t.Y_hat[s], t.Y[s])
        value = t.sample_loss[s]
        per_sample.append(value)
        name = "L" if n == 1 else f"ℓ[{s + 1}]"
        lines.append(f"  {name} = {expr} = {_num(value)}" if expr else f"  {name} = {_num(value)}")
    if n > 1:
        lines.append(f"  L = ({' + '.join(_num(v) for v in per_sample)}) / {n} = {_num(t.loss)}")

    lines += ["", "── Backward pass (chain rule, output layer first) ──"]
    for l in range(L - 1, -1, -1):
        lines += _backward_layer(t, l)
    lines += ["", f"── Update: w ← w − η·∂L/∂w with η = {_num(t.lr)} ──"]
    for l, layer in enumerate(t.layers):
        lines.append(f"Layer {l + 1}")
        n_in, n_out = layer.W.shape
        for j in range(n_out):
            for i in range(n_in):
                w = f"w{i + 1}{j + 1}"
                lines.append(f"  {w} ← {w} − η·∂L/∂{w} = {_num(layer.W[i, j])} − "
                             f"{_num(t.lr)}·{_fac(layer.dW[i, j])} = {_num(layer.W_new[i, j])}")
            b = f"b{j + 1}"
            lines.append(f"  {b} ← {b} − η·∂L/∂{b} = {_num(layer.b[j])} − "
                         f"{_num(t.lr)}·{_fac(layer.db[j])} = {_num(layer.b_new[j])}")
    return "\n".join(lines)


def _backward_layer(t, l):
    n = t.n_samples
    layer = t.layers[l]
    n_in, n_out = layer.W.shape
    last = l == len(t.layers) - 1
    lines = []
    if last and t.canonical:
        lines.append(f"{_layer_title(t, l)}: {layer.activation} with "
                     f"{_LOSS_TITLE.get(t.loss_name, t.loss_name)} is a canonical pair, so "
                     + ("δ = a − y" if n == 1 else "δ = (a − y) / n"))
        for s in range(n):
            for j in range(n_out):
                unit = _sub("", j + 1, s + 1, n)
                expr, nums = _scaled(f"a{unit} − y{unit}",
                                     f"{_num(layer.A[s, j])} − {_fac(t.Y[s, j])}", n)
                lines.append(f"  {_sub('δ', j + 1, s + 1, n)} = {expr} = {nums} = {_num(layer.dZ[s, j])}")
    elif last:
        if layer.activation == "softmax":
            lines.append(f"{_layer_title(t, l)}: not a canonical pair, so δ = J·∂L/∂a with the "
                         "softmax Jacobian J = diag(a) − a aᵀ, i.e. δⱼ = aⱼ·(∂L/∂aⱼ − Σₖ aₖ·∂L/∂aₖ)")
        else:
            lines.append(f"{_layer_title(t, l)}: not a canonical pair, so δ = ∂L/∂a · "
                         f"{_sym(layer.activation)}'(z)")
        for s in range(n):
            for j in range(n_out):
                g = _loss_gradient_expr(t.loss_name, _sub("", j + 1, s + 1, n), layer.A[s, j],
                                        t.Y[s, j])
                name = _sub("∂L/∂a", j + 1, s + 1, n)
                if g is None:
                    lines.append(f"  {name} = {_num(layer.dA[s, j])}")
                else:
                    expr, nums = _scaled(*g, n)
                    lines.append(f"  {name} = {expr} = {nums} = {_num(layer.dA[s, j])}")
            for j in range(n_out):
                delta = _sub("δ", j + 1, s + 1, n)
                if layer.activation == "softmax":
                    dot = float(np.dot(layer.A[s], layer.dA[s]))
                    unit = _sub("", j + 1, s + 1, n)
                    lines.append(f"  {delta} = a{unit}·(∂L/∂a{unit} − Σₖ aₖ·∂L/∂aₖ) = "
                                 f"{_fac(layer.A[s, j])}·({_num(layer.dA[s, j])} − {_fac(dot)}) = "
                                 f"{_num(layer.dZ[s, j])}")
                else:
                    suffix = "" if n == 1 else f"[{s + 1}]"
                    lines.append("  " + _derivative_line(layer, j + 1, layer.Z[s, j], layer.A[s, j],
                                                         layer.dsigma[s, j], suffix))
                    unit = _sub("", j + 1, s + 1, n)
                    lines.append(f"  {delta} = ∂L/∂a{unit} · {_sym(layer.activation)}'(z{unit}) = "
                                 f"{_fac(layer.dA[s, j])} · {_fac(layer.dsigma[s, j])} = "
                                 f"{_num(layer.dZ[s, j])}")
    else:
        above = t.layers[l + 1]
        lines.append(f"{_layer_title(t, l)}: δ = (Σ w·δ) · {_sym(layer.activation)}'(z), "
                     f"the sum over the units k of layer {l + 2} with the weights wⱼₖ from this unit")
        for s in range(n):
            for j in range(n_out):
                suffix = "" if n == 1 else f"[{s + 1}]"
                lines.append("  " + _derivative_line(layer, j + 1, layer.Z[s, j], layer.A[s, j],
                                                     layer.dsigma[s, j], suffix))
                terms = " + ".join(f"{_fac(above.W[j, k])}·{_fac(above.dZ[s, k])}"
                                   for k in range(above.W.shape[1]))
                lines.append(f"  {_sub('δ', j + 1, s + 1, n)} = (Σ w·δ) · "
                             f"{_sym(layer.activation)}'(z{j + 1}{suffix}) = ({terms}) · "
                             f"{_fac(layer.dsigma[s, j])} = {_num(layer.dZ[s, j])}")
    prev = "x" if l == 0 else "a_prev"
    lines.append(f"  gradients: ∂L/∂wᵢⱼ = ∂L/∂zⱼ · ∂zⱼ/∂wᵢⱼ = δⱼ · {prev}ᵢ,  ∂L/∂bⱼ = δⱼ"
                 + ("" if n == 1 else "  (summed over the samples)"))
    for j in range(n_out):
        for i in range(n_in):
            w = f"w{i + 1}{j + 1}"
            if n == 1:
                lines.append(f"  ∂L/∂{w} = δ{j + 1} · {prev}{i + 1} = {_fac(layer.dZ[0, j])} · "
                             f"{_fac(layer.A_prev[0, i])} = {_num(layer.dW[i, j])}")
            else:
                terms = " + ".join(f"{_fac(layer.dZ[s, j])}·{_fac(layer.A_prev[s, i])}"
                                   for s in range(n))
                lines.append(f"  ∂L/∂{w} = Σₛ δ{j + 1}[s] · {prev}{i + 1}[s] = {terms} = "
                             f"{_num(layer.dW[i, j])}")
        if n == 1:
            lines.append(f"  ∂L/∂b{j + 1} = δ{j + 1} = {_num(layer.db[j])}")
        else:
            terms = " + ".join(_fac(layer.dZ[s, j]) for s in range(n))
            lines.append(f"  ∂L/∂b{j + 1} = Σₛ δ{j + 1}[s] = {terms} = {_num(layer.db[j])}")
    return lines


def _matrix(a, indent="    "):
    text = np.array2string(np.asarray(a), max_line_width=100, threshold=48, edgeitems=3,
                           formatter={"float_kind": _num})
    return [indent + line for line in text.splitlines()]


def _format_matrices(t):
    n = t.n_samples
    L = len(t.layers)
    lines = _header(t)
    lines += [f"X {t.X.shape}, Y {t.Y.shape}", "", "── Forward pass: Z = A_prev @ W + b, A = act(Z) ──"]
    for l, layer in enumerate(t.layers):
        lines.append(f"{_layer_title(t, l)}:  A_prev {layer.A_prev.shape} @ W {layer.W.shape} "
                     f"+ b {layer.b.shape} → Z {layer.Z.shape}, A = {_sym(layer.activation)}(Z)")
        lines.append("  A =")
        lines += _matrix(layer.A)
    mean = "" if n == 1 else f"mean over {n} samples of "
    lines += ["", "── Loss ──",
              f"  {_LOSS_FORMULA.get(t.loss_name, 'ℓ = ' + t.loss_name + '(a, y)')}",
              f"  L = {mean}ℓ = {_num(t.loss)}"]
    lines += ["", "── Backward pass: dW = A_prevᵀ dZ, db = Σ_rows dZ, dA_prev = dZ Wᵀ ──"]
    for l in range(L - 1, -1, -1):
        layer = t.layers[l]
        if l == L - 1 and t.canonical:
            how = "dZ = (A − Y) / n  (canonical pair)"
        elif l == L - 1:
            how = ("dZ = J_softmax · ∂L/∂A" if layer.activation == "softmax"
                   else f"dZ = ∂L/∂A ⊙ {_sym(layer.activation)}'(Z)")
        else:
            how = f"dZ = (dZ⁺ W⁺ᵀ) ⊙ {_sym(layer.activation)}'(Z)"
        lines.append(f"{_layer_title(t, l)}:  {how}  dZ {layer.dZ.shape}, dW {layer.dW.shape}, "
                     f"db {layer.db.shape}")
        lines.append("  dW =")
        lines += _matrix(layer.dW)
        lines.append("  db =")
        lines += _matrix(layer.db)
    lines += ["", f"── Update: W ← W − η·dW, b ← b − η·db with η = {_num(t.lr)} ──"]
    for l, layer in enumerate(t.layers):
        change = float(np.abs(layer.W_new - layer.W).max())
        lines.append(f"Layer {l + 1}: largest change of a weight {_num(change)}; new W =")
        lines += _matrix(layer.W_new)
        lines.append("  new b =")
        lines += _matrix(layer.b_new)
    return "\n".join(lines)
