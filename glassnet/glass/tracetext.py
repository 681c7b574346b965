"""The traced step as text: the hand calculation of :func:`glassnet.glass.trace.trace`.

Names follow the layer, as textbooks write them: ``z⁽ˡ⁾ⱼ`` is unit j of layer l
(layers count from 1; layer 0 is the input ``x``), ``a⁽ˡ⁾ⱼ`` its activation,
``δ⁽ˡ⁾ⱼ = ∂L/∂z⁽ˡ⁾ⱼ``, ``ŷ = a⁽ᴸ⁾`` the output. A weight is named by its place in the
matrix of the layout written: glassnet's ``w⁽ˡ⁾ᵢⱼ = W⁽ˡ⁾[i, j]`` joins unit i of layer
l − 1 to unit j of layer l (``Z = A W + b``); a textbook's (``layout="out_in"``)
``w⁽ˡ⁾ⱼᵢ = W⁽ˡ⁾[j, i]`` joins the same two units (``z = W a + b``). In a batch,
``[s]`` marks sample s.

Every line puts the formula, in names, beside its numbers: ``name = formula =
numbers = value``. The formulas come from the activation and loss objects
(``derivative_text``, ``term_text``, ``gradient_text``), so no function here looks
at an activation's name. Numbers show ``digits`` decimals (trailing zeros dropped),
or ``digits`` significant digits when they are smaller than that shows.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, SupportsFloat, TypeAlias

import numpy as np

if TYPE_CHECKING:
    from .._typing import ArrayLike
    from .trace import Layout, Trace

Index: TypeAlias = int | str
"""A unit's index in a name: a number, or a letter such as ``"j"`` in a formula."""

_SUB = str.maketrans("0123456789ijk", "₀₁₂₃₄₅₆₇₈₉ᵢⱼₖ")
_SUP = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


class Numbers:
    """How numbers are printed: ``digits`` decimals, or significant digits when tiny."""

    def __init__(self, digits: int) -> None:
        self.digits = digits

    def num(self, x: SupportsFloat) -> str:
        """``0.6``, ``1.0943``, ``-0.0287``, ``0.0005737`` (4 digits)."""
        x = float(x)
        if not math.isfinite(x):
            return str(x)
        if x != 0 and (abs(x) < 10.0 ** (1 - self.digits) or abs(x) >= 1e6):
            s = f"{x:.{self.digits}g}"
        else:
            s = f"{x:.{self.digits}f}".rstrip("0").rstrip(".")
        return "0" if s in ("-0", "0", "") else s

    def fac(self, x: SupportsFloat) -> str:
        """A number as a factor: negative numbers in parentheses, ``(-0.2)``."""
        s = self.num(x)
        return f"({s})" if s.startswith("-") else s

    def vec(self, v: ArrayLike) -> str:
        return "[" + ", ".join(self.num(x) for x in np.ravel(v)) + "]"

    def matrix(self, m: ArrayLike) -> str:
        return "[" + ", ".join(self.vec(row) for row in np.atleast_2d(m)) + "]"

    def block(self, a: ArrayLike, indent: str = "    ") -> list[str]:
        """An array as indented lines (long ones abbreviated, as NumPy does)."""
        text = np.array2string(
            np.asarray(a), max_line_width=100, threshold=48, edgeitems=3, formatter={"float_kind": self.num}
        )
        return [indent + line for line in text.splitlines()]


class Names:
    """The names of a traced step's quantities, by layer and unit (1-based) and sample."""

    def __init__(self, layout: Layout, n_samples: int, n_layers: int) -> None:
        self.layout, self.batch, self.L = layout, n_samples > 1, n_layers

    @staticmethod
    def _sub(*indices: Index) -> str:
        parts = [str(i) for i in indices]
        return ("," if any(len(p) > 1 for p in parts) else "").join(parts).translate(_SUB)

    @staticmethod
    def sup(l: int) -> str:
        return f"⁽{str(l).translate(_SUP)}⁾"

    def _at(self, s: int | None) -> str:
        return f"[{s}]" if self.batch and s is not None else ""

    def z(self, l: int, j: Index, s: int | None = None) -> str:
        return f"z{self.sup(l)}{self._sub(j)}{self._at(s)}"

    def a(self, l: int, j: Index, s: int | None = None) -> str:
        if l == 0:
            return f"x{self._sub(j)}{self._at(s)}"
        return f"a{self.sup(l)}{self._sub(j)}{self._at(s)}"

    def delta(self, l: int, j: Index, s: int | None = None) -> str:
        return f"δ{self.sup(l)}{self._sub(j)}{self._at(s)}"

    def w(self, l: int, i: Index, j: Index) -> str:
        """The weight from unit i of layer l − 1 to unit j of layer l."""
        return f"w{self.sup(l)}{self._sub(*((i, j) if self.layout == 'in_out' else (j, i)))}"

    def b(self, l: int, j: Index) -> str:
        return f"b{self.sup(l)}{self._sub(j)}"

    def y(self, j: Index, s: int | None = None) -> str:
        return f"y{self._sub(j)}{self._at(s)}"

    def y_hat(self, j: Index, s: int | None = None) -> str:
        return f"ŷ{self._sub(j)}{self._at(s)}"

    def notation(self) -> str:
        """The sentence that explains the names."""
        if self.layout == "in_out":
            w = (
                "w⁽ˡ⁾ᵢⱼ = W⁽ˡ⁾[i, j] (glassnet's layout, Z = A W + b) joins unit i of layer l − 1 "
                "to unit j of layer l"
            )
        else:
            w = (
                "w⁽ˡ⁾ⱼᵢ = W⁽ˡ⁾[j, i] (the textbook layout, z = W a + b) joins unit i of layer l − 1 "
                "to unit j of layer l"
            )
        batch = "; [s] marks sample s, and L is the mean of the samples' losses" if self.batch else ""
        return (
            f"Notation: z⁽ˡ⁾ⱼ is unit j of layer l, a⁽ˡ⁾ⱼ = σ(z⁽ˡ⁾ⱼ) its activation, "
            f"a⁽⁰⁾ = x and ŷ = a{self.sup(self.L)}; {w}; δ⁽ˡ⁾ⱼ = ∂L/∂z⁽ˡ⁾ⱼ{batch}."
        )


def format_trace(t: Trace, detailed: bool, layout: Layout, digits: int) -> str:
    """The text of trace ``t``: unit by unit (``detailed``) or as matrices."""
    nums, names = Numbers(digits), Names(layout, t.n_samples, len(t.layers))
    if detailed:
        return "\n".join(_detailed(t, names, nums))
    return "\n".join(_matrices(t, names, nums))


MAX_TABLE_PARAMETERS = 8
"""Most parameters :func:`steps_table` shows one by one (beyond it, the size of each step)."""


def steps_table(traces: Sequence[Trace]) -> tuple[list[str], list[list[str]]]:
    """``(headers, rows)``: each step's loss and the parameters after it, as texts print a run.

    Networks with more than :data:`MAX_TABLE_PARAMETERS` parameters show the size
    of each step, ``max |Δw|``, instead of the parameters.
    """
    first = traces[0]
    names, nums = Names(first.layout, 1, len(first.layers)), Numbers(first.digits)
    params: list[
        tuple[str, int, str, tuple[int, ...]]
    ] = []  # (name, layer, kind, index in glassnet's arrays)
    for l, layer in enumerate(first.layers):
        n_in, n_out = layer.W.shape
        for j in range(n_out):
            params += [(names.w(l + 1, i + 1, j + 1), l, "W_new", (i, j)) for i in range(n_in)]
            params.append((names.b(l + 1, j + 1), l, "b_new", (j,)))
    one_by_one = len(params) <= MAX_TABLE_PARAMETERS
    headers = ["step", "L"] + ([p[0] for p in params] if one_by_one else ["max |Δw|"])
    rows: list[list[str]] = []
    for k, t in enumerate(traces, 1):
        if one_by_one:
            after = [nums.num(getattr(t.layers[l], kind)[index]) for _, l, kind, index in params]
        else:
            after = [nums.num(max(float(np.abs(layer.W_new - layer.W).max()) for layer in t.layers))]
        rows.append([str(k), nums.num(t.loss)] + after)
    return headers, rows


# --------------------------------------------------------------------------- shared pieces


def _header(t, nums):
    sizes = " → ".join(map(str, t.layer_sizes))
    acts = ", ".join(layer.activation for layer in t.layers)
    batch = "one sample" if t.n_samples == 1 else f"a batch of {t.n_samples} samples"
    return [
        f"One step of gradient descent on {batch}, traced by hand",
        f"network {sizes} ({acts}), loss: {t.loss_function.title}, learning rate η = {nums.num(t.lr)}",
    ]


def _layer_title(t, l):
    """``Layer 1 (hidden, 2 → 2, sigmoid)`` for layer index ``l`` (0-based)."""
    layer = t.layers[l]
    role = "output" if l == len(t.layers) - 1 else "hidden"
    n_in, n_out = layer.W.shape
    return f"Layer {l + 1} ({role}, {n_in} → {n_out}, {layer.activation})"


def _shown(matrix, layout):
    """A weight matrix (or a batch of row vectors) as the layout writes it."""
    return np.asarray(matrix) if layout == "in_out" else np.asarray(matrix).T


# --------------------------------------------------------------------------- unit by unit


def _detailed(t, names, nums):
    lines = _header(t, nums)
    for s in range(t.n_samples):
        label = "" if t.n_samples == 1 else f"sample {s + 1}: "
        lines.append(f"{label}input x = {nums.vec(t.X[s])}, target y = {nums.vec(t.Y[s])}")
    lines += [names.notation(), "", "── Forward pass ──"]
    for l in range(len(t.layers)):
        lines += _forward_layer(t, l, names, nums)
    lines += ["", "── Loss ──"] + _loss_lines(t, names, nums)
    lines += ["", "── Backward pass (chain rule, output layer first) ──"]
    for l in range(len(t.layers) - 1, -1, -1):
        lines += _delta_lines(t, l, names, nums) + _gradient_lines(t, l, names, nums)
    lines += ["", f"── Update: w ← w − η·∂L/∂w, b ← b − η·∂L/∂b with η = {nums.num(t.lr)} ──"]
    for l in range(len(t.layers)):
        lines += _update_lines(t, l, names, nums)
    return lines


def _forward_layer(t, l, names, nums):
    """``z = Σ w·a + b`` and ``a = σ(z)`` of every unit of layer ``l`` (0-based)."""
    layer, act, L = t.layers[l], t.layers[l].function, l + 1
    n_in, n_out = layer.W.shape
    lines = [f"{_layer_title(t, l)}: {act.formula}"]
    for s in range(t.n_samples):
        S = s + 1
        row_names = [names.z(L, k + 1, S) for k in range(n_out)]
        row_nums = [nums.num(v) for v in layer.Z[s]]
        for j in range(n_out):
            J = j + 1
            terms = " + ".join(f"{names.w(L, i + 1, J)}·{names.a(l, i + 1, S)}" for i in range(n_in))
            values = " + ".join(
                f"{nums.fac(layer.W[i, j])}·{nums.fac(layer.A_prev[s, i])}" for i in range(n_in)
            )
            lines.append(
                f"  {names.z(L, J, S)} = {terms} + {names.b(L, J)} = {values} + "
                f"{nums.fac(layer.b[j])} = {nums.num(layer.Z[s, j])}"
            )
            lines.append(
                f"  {names.a(L, J, S)} = {act.value_text(names.z(L, J, S), row_names)} = "
                f"{act.value_text(row_nums[j], row_nums)} = {nums.num(layer.A[s, j])}"
            )
    if t.n_samples == 1:
        lines.append(f"  z{names.sup(L)} = {nums.vec(layer.Z[0])}")
        lines.append(f"  a{names.sup(L)} = {nums.vec(layer.A[0])}")
    return lines


def _loss_lines(t, names, nums):
    loss, n = t.loss_function, t.n_samples
    lines = [f"  {loss.formula}" + ("" if n == 1 else ",  L = (1/n) Σₛ ℓ[s]")]
    for s in range(n):
        S, k_range = s + 1, range(t.Y.shape[1])
        symbols = loss.sample_text(
            [loss.term_text(names.y_hat(k + 1, S), names.y(k + 1, S)) for k in k_range]
        )
        values = loss.sample_text(
            [loss.term_text(nums.num(t.Y_hat[s, k]), nums.fac(t.Y[s, k])) for k in k_range]
        )
        name = "L" if n == 1 else f"ℓ[{S}]"
        lines.append(f"  {name} = {symbols} = {values} = {nums.num(t.sample_loss[s])}")
    if n > 1:
        lines.append(f"  L = ({' + '.join(nums.num(v) for v in t.sample_loss)}) / {n} = {nums.num(t.loss)}")
    return lines


def _per_batch(expr, values, n):
    """``expr = values`` for one sample; ``(expr) / n = (values) / n`` for a batch (δ of the mean)."""
    return (expr, values) if n == 1 else (f"({expr}) / n", f"({values}) / {n}")


def _delta_lines(t, l, names, nums):
    """How ``δ`` of layer ``l`` (0-based) comes about: the output's rule or the hidden one."""
    last = l == len(t.layers) - 1
    if last and t.canonical:
        return _canonical_deltas(t, l, names, nums)
    if last:
        return _output_deltas(t, l, names, nums)
    return _hidden_deltas(t, l, names, nums)


def _canonical_deltas(t, l, names, nums):
    layer, L, n = t.layers[l], l + 1, t.n_samples
    lines = [
        f"{_layer_title(t, l)}: {layer.activation} with {t.loss_function.title} is a canonical pair, "
        "so δ = " + ("ŷ − y" if n == 1 else "(ŷ − y) / n")
    ]
    for s in range(n):
        for j in range(layer.W.shape[1]):
            S, J = s + 1, j + 1
            expr, values = _per_batch(
                f"{names.y_hat(J, S)} − {names.y(J, S)}",
                f"{nums.num(layer.A[s, j])} − {nums.fac(t.Y[s, j])}",
                n,
            )
            lines.append(f"  {names.delta(L, J, S)} = {expr} = {values} = {nums.num(layer.dZ[s, j])}")
    return lines


def _output_deltas(t, l, names, nums):
    """``δ = ∂L/∂ŷ · σ'(z)`` (or softmax's Jacobian product) when the pair is not canonical."""
    layer, act, loss, n = t.layers[l], t.layers[l].function, t.loss_function, t.n_samples
    rule = act.backward_formula if not act.elementwise else f"δ = ∂L/∂ŷ · {act.symbol}'(z)"
    lines = [
        f"{_layer_title(t, l)}: not a canonical pair, so {rule}, with ∂ℓ/∂ŷ = "
        f"{loss.gradient_text('ŷ', 'y')} and {act.derivative_formula}"
    ]
    n_out = layer.W.shape[1]
    for s in range(n):
        S = s + 1
        for j in range(n_out):
            J = j + 1
            expr, values = _per_batch(
                loss.gradient_text(names.y_hat(J, S), names.y(J, S)),
                loss.gradient_text(nums.num(layer.A[s, j]), nums.fac(t.Y[s, j])),
                n,
            )
            lines.append(f"  ∂L/∂{names.y_hat(J, S)} = {expr} = {values} = {nums.num(layer.dA[s, j])}")
        for j in range(n_out):
            lines += _output_delta(t, l, s, j, names, nums)
    return lines


def _output_delta(t, l, s, j, names, nums):
    layer, act, L, S, J = t.layers[l], t.layers[l].function, l + 1, s + 1, j + 1
    delta = names.delta(L, J, S)
    if not act.elementwise:
        dot = float(np.dot(layer.A[s], layer.dA[s]))
        symbols = act.backward_text(names.y_hat(J, S), f"∂L/∂{names.y_hat(J, S)}", "Σₖ ŷₖ·∂L/∂ŷₖ")
        values = act.backward_text(nums.fac(layer.A[s, j]), nums.num(layer.dA[s, j]), nums.fac(dot))
        return [f"  {delta} = {symbols} = {values} = {nums.num(layer.dZ[s, j])}"]
    return [
        "  " + _derivative_line(t, l, s, j, names, nums),
        f"  {delta} = ∂L/∂{names.y_hat(J, S)}·{act.symbol}'({names.z(L, J, S)}) = "
        f"{nums.fac(layer.dA[s, j])}·{nums.fac(layer.dsigma[s, j])} = {nums.num(layer.dZ[s, j])}",
    ]


def _derivative_line(t, l, s, j, names, nums):
    """``σ'(z⁽¹⁾₁) = a⁽¹⁾₁·(1 − a⁽¹⁾₁) = 0.6457·(1 − 0.6457) = 0.2288``."""
    layer, act, L, S, J = t.layers[l], t.layers[l].function, l + 1, s + 1, j + 1
    z = names.z(L, J, S)
    symbols = act.derivative_text(z, names.a(L, J, S))
    values = act.derivative_text(nums.fac(layer.Z[s, j]), nums.fac(layer.A[s, j]))
    middle = f"{symbols} = {values}" if symbols != values else symbols
    return f"{act.symbol}'({z}) = {middle} = {nums.num(layer.dsigma[s, j])}"


def _hidden_deltas(t, l, names, nums):
    """``δ⁽ˡ⁾ⱼ = (Σₖ w·δ⁽ˡ⁺¹⁾ₖ)·σ'(z⁽ˡ⁾ⱼ)``, the weights from unit j to the units k above."""
    layer, above, act, L = t.layers[l], t.layers[l + 1], t.layers[l].function, l + 1
    lines = [
        f"{_layer_title(t, l)}: δ{names.sup(L)}ⱼ = (Σₖ {names.w(L + 1, 'j', 'k')}·δ{names.sup(L + 1)}ₖ)"
        f"·{act.symbol}'(z{names.sup(L)}ⱼ), the sum over the units k of layer {L + 1}, "
        f"with {act.derivative_formula}"
    ]
    for s in range(t.n_samples):
        S = s + 1
        for j in range(layer.W.shape[1]):
            J, ks = j + 1, range(above.W.shape[1])
            symbols = " + ".join(f"{names.w(L + 1, J, k + 1)}·{names.delta(L + 1, k + 1, S)}" for k in ks)
            values = " + ".join(f"{nums.fac(above.W[j, k])}·{nums.fac(above.dZ[s, k])}" for k in ks)
            lines.append("  " + _derivative_line(t, l, s, j, names, nums))
            lines.append(
                f"  {names.delta(L, J, S)} = ({symbols})·{act.symbol}'({names.z(L, J, S)}) = "
                f"({values})·{nums.fac(layer.dsigma[s, j])} = {nums.num(layer.dZ[s, j])}"
            )
    return lines


def _gradient_lines(t, l, names, nums):
    """``∂L/∂w = δ·a_prev`` and ``∂L/∂b = δ`` of every weight and bias of layer ``l``."""
    layer, L, n = t.layers[l], l + 1, t.n_samples
    n_in, n_out = layer.W.shape
    lines = [
        f"  gradients: ∂L/∂{names.w(L, 'i', 'j')} = δ{names.sup(L)}ⱼ·{names.a(l, 'i')}, "
        f"∂L/∂b{names.sup(L)}ⱼ = δ{names.sup(L)}ⱼ" + ("" if n == 1 else ", summed over the samples")
    ]
    for j in range(n_out):
        J = j + 1
        for i in range(n_in):
            I = i + 1
            symbols = " + ".join(f"{names.delta(L, J, s + 1)}·{names.a(l, I, s + 1)}" for s in range(n))
            values = " + ".join(
                f"{nums.fac(layer.dZ[s, j])}·{nums.fac(layer.A_prev[s, i])}" for s in range(n)
            )
            lines.append(f"  ∂L/∂{names.w(L, I, J)} = {symbols} = {values} = {nums.num(layer.dW[i, j])}")
        symbols = " + ".join(names.delta(L, J, s + 1) for s in range(n))
        values = " + ".join(nums.fac(layer.dZ[s, j]) for s in range(n))
        middle = f"{symbols} = {values}" if n > 1 else symbols
        lines.append(f"  ∂L/∂{names.b(L, J)} = {middle} = {nums.num(layer.db[j])}")
    if n == 1:
        lines.append(f"  δ{names.sup(L)} = {nums.vec(layer.dZ[0])}")
    lines.append(f"  ∂L/∂W{names.sup(L)} = {nums.matrix(_shown(layer.dW, names.layout))}")
    return lines


def _update_lines(t, l, names, nums):
    layer, L, lr = t.layers[l], l + 1, nums.num(t.lr)
    n_in, n_out = layer.W.shape
    lines = [f"Layer {L}"]
    for j in range(n_out):
        for i in range(n_in):
            w = names.w(L, i + 1, j + 1)
            lines.append(
                f"  {w} ← {w} − η·∂L/∂{w} = {nums.num(layer.W[i, j])} − "
                f"{lr}·{nums.fac(layer.dW[i, j])} = {nums.num(layer.W_new[i, j])}"
            )
        b = names.b(L, j + 1)
        lines.append(
            f"  {b} ← {b} − η·∂L/∂{b} = {nums.num(layer.b[j])} − "
            f"{lr}·{nums.fac(layer.db[j])} = {nums.num(layer.b_new[j])}"
        )
    lines.append(f"  new W{names.sup(L)} = {nums.matrix(_shown(layer.W_new, names.layout))}")
    lines.append(f"  new b{names.sup(L)} = {nums.vec(layer.b_new)}")
    return lines


# --------------------------------------------------------------------------- as matrices


def _matrices(t, names, nums):
    textbook = names.layout == "out_in"
    lines = _header(t, nums) + [
        f"X {t.X.shape}, Y {t.Y.shape}"
        + (
            "; written as textbooks do: W of shape (n_out, n_in), z = W a + b, one column per sample"
            if textbook
            else ""
        ),
        "",
    ]
    lines.append(
        "── Forward pass: "
        + ("z = W a_prev + b, a = σ(z) ──" if textbook else "Z = A_prev @ W + b, A = σ(Z) ──")
    )
    for l, layer in enumerate(t.layers):
        sup = names.sup(l + 1)
        if textbook:
            lines.append(
                f"{_layer_title(t, l)}:  W{sup} {layer.W.T.shape} · a_prev {layer.A_prev.T.shape} "
                f"+ b{sup} ({layer.W.shape[1]}, 1) → z{sup} {layer.Z.T.shape}"
            )
        else:
            lines.append(
                f"{_layer_title(t, l)}:  A_prev {layer.A_prev.shape} @ W {layer.W.shape} "
                f"+ b {layer.b.shape} → Z {layer.Z.shape}, A = {layer.function.symbol}(Z)"
            )
        lines.append(f"  a{sup} =" if textbook else "  A =")
        lines += nums.block(_shown(layer.A, names.layout))
    mean = "" if t.n_samples == 1 else f"mean over {t.n_samples} samples of "
    lines += ["", "── Loss ──", f"  {t.loss_function.formula}", f"  L = {mean}ℓ = {nums.num(t.loss)}", ""]
    lines += _matrix_backward(t, names, nums)
    lines += ["", f"── Update: W ← W − η·dW, b ← b − η·db with η = {nums.num(t.lr)} ──"]
    for l, layer in enumerate(t.layers):
        change = float(np.abs(layer.W_new - layer.W).max())
        lines.append(
            f"Layer {l + 1}: largest change of a weight {nums.num(change)}; new W{names.sup(l + 1)} ="
        )
        lines += nums.block(_shown(layer.W_new, names.layout))
        lines.append("  new b =")
        lines += nums.block(layer.b_new)
    return lines


def _matrix_backward(t, names, nums):
    textbook, L = names.layout == "out_in", len(t.layers)
    lines = [
        "── Backward pass: "
        + (
            "dW = δ a_prevᵀ, db = Σ_columns δ, δ_prev = (Wᵀ δ) ⊙ σ'(z) ──"
            if textbook
            else "dW = A_prevᵀ dZ, db = Σ_rows dZ, dA_prev = dZ Wᵀ ──"
        )
    ]
    for l in range(L - 1, -1, -1):
        layer, act = t.layers[l], t.layers[l].function
        if l == L - 1 and t.canonical:
            how = "δ = (ŷ − y) / n  (canonical pair)" if textbook else "dZ = (A − Y) / n  (canonical pair)"
        elif l == L - 1:
            how = (
                act.backward_formula
                if not act.elementwise
                else f"δ = ∂L/∂ŷ ⊙ {act.symbol}'(z)"
                if textbook
                else f"dZ = ∂L/∂A ⊙ {act.symbol}'(Z)"
            )
        else:
            how = f"δ = (W⁺ᵀ δ⁺) ⊙ {act.symbol}'(z)" if textbook else f"dZ = (dZ⁺ W⁺ᵀ) ⊙ {act.symbol}'(Z)"
        lines.append(
            f"{_layer_title(t, l)}:  {how}  dW {_shown(layer.dW, names.layout).shape}, db {layer.db.shape}"
        )
        lines.append("  dW =")
        lines += nums.block(_shown(layer.dW, names.layout))
        lines.append("  db =")
        lines += nums.block(layer.db)
    return lines
