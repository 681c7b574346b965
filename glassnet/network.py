"""Networks: a stack of layers and a head over one flat parameter vector; backpropagation.

Notation (samples are rows, as in scikit-learn)::

    A⁰ = X                                    shape (n, n_0)
    Zˡ = Aˡ⁻¹ Wˡ + bˡ        Wˡ: (n_{l-1}, n_l), bˡ: (n_l,)
    Aˡ = σˡ(Zˡ)

Backpropagation walks the layers from last to first::

    dZᴸ = (Ŷ − Y) / n                         output layer with its canonical loss
    dZˡ = dAˡ ⊙ σˡ'(Zˡ)                       any other layer (softmax: Jacobian product)
    dWˡ = Aˡ⁻¹ᵀ dZˡ     dbˡ = Σ_rows dZˡ      dAˡ⁻¹ = dZˡ Wˡᵀ

Column-vector textbooks write ``z = W a + b`` with ``W`` of shape ``(n_out, n_in)``:
that ``W`` is our ``W.T``. In code the names follow the math: ``Z``, ``A``,
``A_prev``, ``dZ``, ``dW``, ``db``, ``dA_prev``.

All parameters live in one flat vector ``net.theta`` laid out as
``[W¹, …, Wᴸ, b¹, …, bᴸ]`` (scikit-learn's packing order), and all gradients in
``net.grad`` with the same layout. Each layer's ``W``, ``b``, ``dW``, ``db`` are
views into those vectors, so an optimizer step, gradient checking and L-BFGS work
on one array and nothing is copied per step.

Each layer (:mod:`glassnet.layers`) holds its own forward and backward pass; the
network loops over them. The task — binary, multi-class, multi-label, regression,
Poisson — is the network's *head* (:mod:`glassnet.heads`): the output activation,
its canonical loss, how targets are encoded and predictions decoded.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import pairwise
from typing import TYPE_CHECKING, Any, Literal, Self, TypedDict

import numpy as np
from numpy.typing import DTypeLike

from . import _jit
from ._typing import (
    ArrayLike,
    FloatArray,
    InitializerName,
    LossName,
    NDArray,
    RandomState,
    TaskName,
)
from ._validation import (
    check_finite,
    check_non_negative,
    check_positive,
    check_random_state,
    check_sample_weight,
    check_X,
    check_Y_for_network,
    issparse,
)
from .activations import Activation
from .heads import make_head
from .initializers import get_initializer
from .layers import ActivationSpec, Dense, Layout, build_layers, chained_sizes, weights_layout
from .losses import get_loss

if TYPE_CHECKING:
    from scipy.sparse import spmatrix

    from .heads import Head
    from .losses import Loss


class _TrainingBuffers(TypedDict):
    """The work arrays of :meth:`Network.loss_and_grad` for batches of one size."""

    forward: list[tuple[FloatArray, FloatArray]]
    dZ: list[FloatArray]
    ones: FloatArray


class Network:
    """A multi-layer perceptron: layers over one flat parameter vector, and a head.

    Parameters
    ----------
    layer_sizes : sequence of int
        ``[n_inputs, n_hidden_1, …, n_outputs]``; at least two entries.
    activations : str, Activation, or sequence of them
        One per layer (``len(layer_sizes) − 1`` entries), or a single one. A single
        one applies to every layer unless ``output`` is given, in which case it
        applies to the hidden layers only.
    output : str or Activation, optional
        The output layer's activation, when ``activations`` names the hidden ones.
    init : str or callable
        Initializer name (see :mod:`glassnet.initializers`) or function; ``"auto"``
        picks He for ReLU-like layers and Glorot otherwise.
    dropout : float or sequence of float
        Probability of dropping each hidden unit during training (inverted dropout).
    random_state : int, numpy.random.Generator or None
        Seeds the initial weights (and dropout masks); the same seed gives
        bit-identical weights.
    dtype : numpy float dtype
        float64 (default) or float32.
    task : str, optional
        The head (see :mod:`glassnet.heads`): ``"binary"``, ``"multiclass"``,
        ``"multilabel"``, ``"regression"``, ``"poisson"`` or ``"classification"``.
        By default it is read off the output activation: softmax → multi-class,
        sigmoid → binary (one unit) or multi-label, exp → Poisson, anything else →
        regression. ``task="regression"`` with a sigmoid output fits numbers in
        (0, 1) with squared error, as a single textbook neuron does.
    """

    def __init__(
        self,
        layer_sizes: Sequence[int],
        activations: ActivationSpec | Sequence[ActivationSpec] = "relu",
        output: ActivationSpec | None = None,
        init: InitializerName | Literal["auto"] | Callable[..., FloatArray] = "auto",
        dropout: float | Sequence[float] = 0.0,
        random_state: RandomState = None,
        dtype: DTypeLike = np.float64,
        task: TaskName | Literal["classification"] | None = None,
    ) -> None:
        if isinstance(layer_sizes, (str, bytes)) or not isinstance(layer_sizes, Iterable):
            raise TypeError(
                f"layer_sizes must be a list of layer sizes such as [2, 8, 1], got {layer_sizes!r}"
            )
        sizes = list(layer_sizes)
        if len(sizes) < 2:
            raise ValueError(f"layer_sizes needs at least an input and an output size, got {sizes}")
        for s in sizes:
            if isinstance(s, bool) or not isinstance(s, (int, np.integer)) or s <= 0:
                raise ValueError(f"layer sizes must be positive integers, got {_short_list(sizes)}")
        self.layer_sizes = [int(s) for s in sizes]
        _check_size(self.layer_sizes)
        layers = build_layers(self.layer_sizes, activations, output, dropout)
        self.dtype = _float_dtype(dtype)
        self.head: Head = make_head(task, layers[-1].activation, self.layer_sizes[-1])
        self.init = init
        self.rng = check_random_state(random_state)
        self.layers: list[Dense] = layers
        self._allocate(self.dtype)
        self.initialize()

    @classmethod
    def from_weights(
        cls,
        weights: Sequence[ArrayLike],
        biases: Sequence[ArrayLike] | None = None,
        *,
        activations: ActivationSpec | Sequence[ActivationSpec],
        output: ActivationSpec | None = None,
        layout: Layout | None = None,
        task: TaskName | Literal["classification"] | None = None,
        dtype: DTypeLike = np.float64,
    ) -> Self:
        """A network with the weights and biases of a hand calculation.

        Parameters
        ----------
        weights : sequence of array-like
            One matrix per layer, input side first.
        biases : sequence of array-like, optional
            One vector per layer (zeros when omitted).
        activations, output, task, dtype
            As for :class:`Network`.
        layout : ``"out_in"``, ``"in_out"`` or None
            ``"out_in"``: textbook matrices of ``z = W a + b``, shape ``(n_out, n_in)``;
            ``"in_out"``: glassnet's, shape ``(n_in, n_out)``. Without it each matrix's
            shape must say which it is: a square matrix fits both and is refused.

        Examples
        --------
        >>> net = Network.from_weights([[[0.1, 0.2], [0.3, 0.4]], [[0.5, 0.6]]], [[0.1, 0.2], [0.3]],
        ...                            activations="sigmoid", layout="out_in")
        >>> net.layer_sizes
        [2, 2, 1]
        """
        Ws = [np.asarray(W, dtype=float) for W in weights]
        if not Ws or any(W.ndim != 2 for W in Ws):
            raise ValueError("weights must be a non-empty list of 2-D matrices, one per layer")
        bs: list[FloatArray | None] = (
            [None] * len(Ws) if biases is None else [np.asarray(b, dtype=float).reshape(-1) for b in biases]
        )
        if len(bs) != len(Ws):
            raise ValueError(f"{len(Ws)} weight matrices but {len(bs)} bias vectors: give one per layer")
        layout = weights_layout(Ws, bs, layout)
        sizes = chained_sizes(Ws, bs, layout)
        net = cls(sizes, activations=activations, output=output, task=task, dtype=dtype)
        for layer, W, b in zip(net.layers, Ws, bs, strict=True):
            layer.set_weights(W, np.zeros(layer.n_out) if b is None else b, layout=layout)
        return net

    # ------------------------------------------------------------------ parameters
    @property
    def n_params(self) -> int:
        return sum(layer.n_params for layer in self.layers)

    @property
    def n_weights(self) -> int:
        """Number of weights (``theta[:n_weights]``); the biases follow them."""
        return sum(layer.n_in * layer.n_out for layer in self.layers)

    @property
    def output_activation(self) -> Activation:
        return self.layers[-1].activation

    @property
    def n_inputs(self) -> int:
        return self.layer_sizes[0]

    @property
    def n_outputs(self) -> int:
        return self.layer_sizes[-1]

    @property
    def task(self) -> TaskName:
        """The head's task: ``"binary"``, ``"multiclass"``, ``"multilabel"``, ``"regression"``, ``"poisson"``."""
        return self.head.task

    @property
    def classes_(self) -> NDArray[Any] | None:
        """The class labels, once trained on labels (the head remembers them), else None."""
        return self.head.classes_

    @classes_.setter
    def classes_(self, classes: ArrayLike | None) -> None:
        if classes is not None:
            classes = np.asarray(classes)
            wanted = {"binary": 2, "multiclass": self.n_outputs, "multilabel": self.n_outputs}.get(self.task)
            if wanted is None:
                raise ValueError(f"a {self.task} network has no classes; classes_ can only be None")
            if classes.ndim != 1 or classes.size != wanted or np.unique(classes).size != wanted:
                raise ValueError(
                    f"classes_ of this {self.task} network must be {wanted} distinct labels in a 1-D "
                    f"array, got {_short_list(classes.tolist()) if classes.ndim == 1 else classes.shape}"
                )
        self.head.classes_ = classes

    @property
    def ravel_output(self) -> bool:
        """Whether predictions are 1-D: a regression trained on a 1-D target."""
        return self.head.ravel

    @ravel_output.setter
    def ravel_output(self, value: bool) -> None:
        self.head.ravel = bool(value)

    def _allocate(self, dtype: DTypeLike, theta: FloatArray | None = None) -> None:
        """Create ``theta`` and ``grad`` and bind every layer's views into them."""
        self.theta: FloatArray = np.zeros(self.n_params, dtype=dtype) if theta is None else theta
        self.grad: FloatArray = np.zeros_like(self.theta)
        w_off, b_off = 0, self.n_weights
        for layer in self.layers:
            layer.bind(self.theta, self.grad, w_off, b_off)
            w_off += layer.n_in * layer.n_out
            b_off += layer.n_out
        self._buffers: dict[tuple[str, int], Any] = {}

    def initialize(self, random_state: RandomState = None) -> Self:
        """Draw fresh initial weights (from ``random_state`` or the network's generator)."""
        rng = self.rng if random_state is None else check_random_state(random_state)
        for layer in self.layers:
            init = get_initializer(self.init, layer.activation.name)
            layer.W = init(layer.n_in, layer.n_out, rng, self.dtype)
            bias_init = getattr(init, "biases", None)
            layer.b = (
                np.zeros(layer.n_out)
                if bias_init is None
                else bias_init(layer.n_in, layer.n_out, rng, self.dtype)
            )
        return self

    def astype(self, dtype: DTypeLike) -> Self:
        """Convert parameters to ``dtype`` in place (float32 input trains in float32)."""
        dtype = _float_dtype(dtype)
        if dtype != self.dtype:
            self.dtype = dtype
            self._allocate(dtype, self.theta.astype(dtype))
        return self

    def get_params(self) -> FloatArray:
        """A copy of the flat parameter vector ``theta``."""
        return self.theta.copy()

    def set_params(self, theta: ArrayLike) -> Self:
        """Copy a flat vector into ``theta`` (the layers' views see the new values)."""
        theta = np.asarray(theta)
        if theta.shape != self.theta.shape:
            raise ValueError(f"theta must have shape {self.theta.shape}, got {theta.shape}")
        check_finite(theta, "theta")
        self.theta[...] = theta
        return self

    def copy(self) -> Self:
        """An independent copy of the network (weights, activations, head and classes)."""
        return copy.deepcopy(self)

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state["_buffers"] = {}
        state["layers"] = [(l.n_in, l.n_out, l.activation, l.dropout) for l in self.layers]
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        layers = state.pop("layers")
        self.__dict__.update(state)
        self.layers = [Dense(*spec) for spec in layers]
        self.head.activation = self.layers[-1].activation  # one object, as built
        self._allocate(self.dtype, self.theta)

    # ------------------------------------------------------------------ forward
    def forward(self, X: ArrayLike, training: bool = False) -> FloatArray:
        """Run the network on ``X`` and return ``Ŷ``, caching every layer's ``A_prev``, ``Z``, ``A``.

        Parameters
        ----------
        X : array-like, shape (n_samples, n_inputs)
        training : bool
            Apply dropout (inverted: kept units are scaled by ``1/(1−p)``).

        Returns
        -------
        ndarray, shape (n_samples, n_outputs)
        """
        X = check_X(X, self.n_inputs, dtype=self.dtype)
        return self._forward(X, training=training)

    def _forward(
        self,
        X: FloatArray,
        training: bool = False,
        buffers: Sequence[tuple[FloatArray, FloatArray]] | None = None,
    ) -> FloatArray:
        A = X
        for i, layer in enumerate(self.layers):
            A = layer.forward(A, training, self.rng, None if buffers is None else buffers[i])
        return A

    def predict_output(self, X: ArrayLike | spmatrix, batch_size: int | None = None) -> FloatArray:
        """``Ŷ`` for ``X`` without caching, computed in chunks of rows to bound memory."""
        check_positive(batch_size, "batch_size", integer=True, allow_none=True)
        X = check_X(X, self.n_inputs, dtype=self.dtype, finite=False, accept_sparse=True)
        out = np.empty((X.shape[0], self.n_outputs), dtype=self.dtype)
        b = self.layers[-1]._b
        for rows, Z in self._output_chunks(X, batch_size):
            Z += b
            self.output_activation(Z, out=out[rows])
        return out

    def predict_index(self, X: ArrayLike | spmatrix) -> NDArray[np.intp]:
        """``argmax`` of each row's output pre-activation ``Z + b``: the most probable class
        of a softmax output (softmax keeps each row's order), without exp or an
        (n_samples, n_outputs) array."""
        X = check_X(X, self.n_inputs, dtype=self.dtype, finite=False, accept_sparse=True)
        index = np.empty(X.shape[0], dtype=np.intp)
        b = self.layers[-1]._b
        kernels = _jit.predict_work(X.shape[0] * X.shape[1])
        for rows, Z in self._output_chunks(X):
            if kernels:
                kernels.argmax_with_bias(Z, b, index[rows])  # the line below, without the array Z + b
            else:
                Z += b
                np.argmax(Z, axis=1, out=index[rows])
        return index

    def _output_chunks(self, X: Any, batch_size: int | None = None) -> Iterator[tuple[slice, FloatArray]]:
        """Yield ``(rows, Z)``: the output layer's ``A W`` for each chunk of rows, before
        its bias, which each caller adds in its own pass (``predict`` with its argmax).

        ``X`` has passed :func:`check_X` but for NaN and inf, which are looked for here,
        chunk by chunk, in the first layer's ``X W + b`` rather than in ``X`` itself:
        a NaN or inf anywhere in a row of ``X`` makes every entry of that row of
        ``X W`` NaN or inf (``NaN·w`` and ``inf·w`` are never finite), and ``X W`` is
        narrower than ``X`` (256 columns instead of 784 for MNIST), still in the
        cache, and read anyway to add the bias and apply the activation, which for
        ReLU tests it in the same pass. Only a chunk found not finite is looked at
        entry by entry, to name the problem; a finite ``X`` whose product overflowed
        passes.

        Chunks have 8192 rows unless ``batch_size`` says otherwise; ``Z`` is a work
        buffer, overwritten by the next chunk. A sparse ``X`` (CSR) is made dense one
        chunk at a time, of at most 2²³ entries by default (32 MB in float32).
        """
        n = X.shape[0]
        sparse = issparse(X)
        _jit.predict_work(n * X.shape[1])  # loads the kernels for a large X
        chunk = batch_size or max(1, min(n, 8192, 2**23 // X.shape[1] if sparse else n))
        buffers = self._inference_buffers(min(chunk, n))
        dense_rows = np.empty((min(chunk, n), X.shape[1]), self.dtype) if sparse else None
        first, last = self.layers[0], self.layers[-1]
        for start in range(0, n, chunk):
            stop = min(start + chunk, n)
            A = X[start:stop] if dense_rows is None else X[start:stop].toarray(out=dense_rows[: stop - start])
            for layer, Z in zip(self.layers, buffers, strict=True):
                Z = Z[: stop - start]
                if layer is first:
                    with np.errstate(invalid="ignore"):  # inf·0 and inf − inf, raised just below
                        np.matmul(A, layer._W, out=Z)
                        finite = (
                            _all_finite(Z)
                            if layer is last
                            else layer.activation.apply_with_bias_checked(Z, layer._b)
                        )
                    if not finite:
                        check_finite(A, "X")
                else:
                    np.matmul(A, layer._W, out=Z)
                    if layer is not last:
                        Z = layer.activation.apply_with_bias(Z, layer._b, out=Z)
                A = Z
            yield slice(start, stop), Z

    def _inference_buffers(self, m: int) -> list[FloatArray]:
        key = ("infer", m)
        if key not in self._buffers:
            self._buffers[key] = [np.empty((m, l.n_out), self.dtype) for l in self.layers]
        return self._buffers[key]

    def predict(self, X: ArrayLike | spmatrix) -> NDArray[Any]:
        """Predictions, as the head makes them: class labels for a classifier (a 0/1
        indicator matrix for multi-label), ``Ŷ`` for regression (1-D when trained on
        a 1-D target).

        A network trained by :func:`glassnet.train` on labels remembers them in
        ``classes_``: softmax outputs give the most probable label, a single
        sigmoid output gives the label of ``p > 0.5``.
        """
        return self.head.predict(self, X)

    # ------------------------------------------------------------------ backward
    def gradients(
        self,
        X: ArrayLike,
        Y: ArrayLike,
        loss: LossName | Loss | None = None,
        l2: float = 0.0,
        l1: float = 0.0,
        sample_weight: ArrayLike | None = None,
    ) -> tuple[float, list[tuple[FloatArray, FloatArray]]]:
        """Loss and every layer's ``(dW, db)`` for one batch, by backpropagation.

        Parameters
        ----------
        X : array-like, shape (n_samples, n_inputs)
        Y : array-like, shape (n_samples, n_outputs) (or (n_samples,) for one output)
            Numeric targets: one-hot rows for softmax, 0/1 for sigmoid.
        loss : str or Loss, optional
            Defaults to the head's canonical loss.
        l2 : float
            L2 penalty ``l2/2 · Σ‖W‖² / n`` on the weights (not the biases).
        l1 : float
            L1 penalty ``l1 · Σ|W| / n`` on the weights.
        sample_weight : array-like, shape (n_samples,), optional
            The loss becomes the weighted mean ``Σ wᵢ ℓᵢ / Σ wᵢ``.

        Returns
        -------
        loss_value : float
        grads : list of (dW, db)
            Shaped like each layer's ``(W, b)``; views into ``net.grad``.
        """
        X = check_X(X, self.n_inputs, dtype=self.dtype)
        Y = check_Y_for_network(Y, X.shape[0], self.n_outputs, self.dtype)
        sw = check_sample_weight(sample_weight, X.shape[0], self.dtype)
        resolved = self.resolve_loss(loss)
        resolved.check_targets(Y)
        value = self.loss_and_grad(
            X, Y, resolved, l2=check_non_negative(l2, "l2"), l1=check_non_negative(l1, "l1"), sample_weight=sw
        )
        return value, [(layer._dW, layer._db) for layer in self.layers]

    def resolve_loss(self, loss: LossName | Loss | None) -> Loss:
        """The loss object for ``loss``, or the head's canonical loss."""
        return self.head.loss if loss is None else get_loss(loss)

    def loss_and_grad(
        self,
        X: FloatArray,
        Y: FloatArray,
        loss: Loss,
        l2: float = 0.0,
        l1: float = 0.0,
        sample_weight: FloatArray | None = None,
        training: bool = False,
        buffers: _TrainingBuffers | None = None,
    ) -> float:
        """Forward + backward on validated arrays; fills ``self.grad`` and returns the loss.

        This is the engine's inner step: no input checks, ``loss`` already an object.
        ``buffers`` (from :meth:`_training_buffers`) lets the training loop reuse
        the same work arrays for every batch.
        """
        n = X.shape[0]
        Y_hat = self._forward(X, training=training, buffers=buffers and buffers["forward"])
        if sample_weight is None:
            value = loss.total(Y_hat, Y) / n
            scale = 1.0 / n
            weight_sum = n
        else:
            weight_sum = float(sample_weight.sum())
            value = float(np.dot(loss.per_sample(Y_hat, Y), sample_weight) / weight_sum)
            scale = (sample_weight / weight_sum)[:, None]

        out = self.layers[-1]
        if loss.pairs_with(out.activation):
            dZ = np.subtract(Y_hat, Y, out=None if buffers is None else buffers["dZ"][-1])
        else:
            assert out.Z is not None and out.A is not None  # filled by the forward pass above
            dZ = out.activation.backward(loss.gradient(Y_hat, Y), out.Z, out.A)
        dZ *= scale
        self._backward(dZ, buffers)
        if l2 or l1:
            value += self._penalize(l2, l1, weight_sum)
        return value

    def _backward(self, dZ: FloatArray, buffers: _TrainingBuffers | None) -> None:
        """Walk the layers from last to first: each fills its ``dW``, ``db`` and hands
        ``dA_prev`` down, which the layer below turns into its own ``dZ``."""
        layers = self.layers
        ones = np.ones(dZ.shape[0], self.dtype) if buffers is None else buffers["ones"]
        for i in range(len(layers) - 1, 0, -1):
            dA_prev = layers[i].backward(dZ, ones, out=None if buffers is None else buffers["dZ"][i - 1])
            assert dA_prev is not None  # need_dA_prev: returned
            dZ = layers[i - 1].delta(dA_prev)
        layers[0].backward(dZ, ones, need_dA_prev=False)

    def _penalize(self, l2: float, l1: float, weight_sum: float) -> float:
        """Add the penalties' gradients to ``grad`` and return their value."""
        n_w = self.n_weights
        W_flat, dW_flat = self.theta[:n_w], self.grad[:n_w]
        value = 0.0
        if l2:
            value += 0.5 * l2 * float(np.dot(W_flat, W_flat)) / weight_sum
            dW_flat += (l2 / weight_sum) * W_flat
        if l1:
            value += l1 * float(np.abs(W_flat).sum()) / weight_sum
            dW_flat += (l1 / weight_sum) * np.sign(W_flat)
        return value

    def clear_cache(self) -> None:
        """Forget what the last forward/backward pass cached (it holds a batch of data)."""
        for layer in self.layers:
            layer.clear()
        self._buffers = {}

    def _training_buffers(self, m: int) -> _TrainingBuffers:
        """Work arrays for a batch of ``m`` rows, made once and reused every step."""
        key = ("train", m)
        if key not in self._buffers:
            self._buffers[key] = _TrainingBuffers(
                forward=[
                    (np.empty((m, l.n_out), self.dtype), np.empty((m, l.n_out), self.dtype))
                    for l in self.layers
                ],
                dZ=[np.empty((m, l.n_out), self.dtype) for l in self.layers],
                ones=np.ones(m, self.dtype),
            )
        buffers: _TrainingBuffers = self._buffers[key]
        return buffers

    # ------------------------------------------------------------------ display
    def summary_rows(self) -> list[tuple[int, str, str, int, float]]:
        """One row per layer: ``(number, "n_in → n_out", activation, n_params, dropout)``."""
        return [
            (
                i,
                f"{layer.n_in} → {layer.n_out}",
                repr(layer.activation).removesuffix("()"),
                layer.n_params,
                layer.dropout,
            )
            for i, layer in enumerate(self.layers, 1)
        ]

    def summary(self) -> str:
        """A table of layers, shapes and parameter counts, as text."""
        lines = [f"{'layer':<7}{'shape':<16}{'activation':<14}{'params':>10}"]
        for i, shape, act, n_params, dropout in self.summary_rows():
            extra = f" dropout={dropout}" if dropout else ""
            lines.append(f"{i:<7}{shape:<16}{act:<14}{n_params:>10}{extra}")
        lines.append(f"total parameters: {self.n_params}  (dtype {self.dtype}, task {self.task})")
        return "\n".join(lines)

    def __repr__(self) -> str:
        acts = ", ".join(repr(l.activation).removesuffix("()") for l in self.layers)
        return f"Network({self.layer_sizes}, activations=[{acts}])"


def _float_dtype(dtype: DTypeLike) -> np.dtype[Any]:
    """``dtype`` as float32 or float64, the two a network computes in, or a ``ValueError``."""
    try:
        resolved = np.dtype(dtype)
    except TypeError:
        raise ValueError(f"dtype must be float32 or float64, got {dtype!r}") from None
    if resolved not in (np.float32, np.float64):
        raise ValueError(f"dtype must be float32 or float64, got {resolved}")
    return resolved


def _all_finite(Z: FloatArray) -> bool:
    """``np.isfinite(Z).all()``, in one pass without a temporary where the kernels are loaded."""
    kernels = _jit.fused()
    return kernels.all_finite(Z.reshape(-1)) if kernels else bool(np.isfinite(Z).all())


MAX_PARAMS = 2**28
"""The most parameters a Network may have (268 million: 2 GiB per float64 vector).

Training holds several vectors of this size (``theta``, ``grad``, the optimizer's
moments), so a network past it would need tens of gigabytes: sizes are checked
against it before anything is allocated, so that a typo such as ``--hidden
100000,100000`` is a clear error instead of a MemoryError. Raise it deliberately
(``glassnet.network.MAX_PARAMS = ...``) for a bigger network."""


def _check_size(sizes: Sequence[int]) -> None:
    n_params = sum(n_in * n_out + n_out for n_in, n_out in pairwise(sizes))
    if n_params > MAX_PARAMS:
        raise ValueError(
            f"layer sizes {_short_list(sizes)} make {n_params:,} parameters "
            f"({n_params * 8 / 2**30:,.1f} GiB in float64), more than glassnet's limit of "
            f"{MAX_PARAMS:,} (glassnet.network.MAX_PARAMS)"
        )


def _short_list(values: Sequence[Any], most: int = 8) -> str:
    shown = ", ".join(map(str, values[:most]))
    return f"[{shown}{', …' if len(values) > most else ''}]"
