"""Layers: each one's forward pass and backward pass side by side.

A dense layer computes, for a batch of ``n`` rows (samples are rows)::

    forward     Z = A_prev W + b            A = σ(Z)
    backward    dW = A_prevᵀ dZ             db = Σ_rows dZ = 1ᵀ dZ          dA_prev = dZ Wᵀ
    delta       dZ = σ'(Z) ⊙ dA             (the chain rule through σ)

``W`` has shape ``(n_in, n_out)``, as scikit-learn's ``coefs_``; column-vector
textbooks write ``z = W a + b`` with ``W`` of shape ``(n_out, n_in)``, which is our
``W.T`` (:meth:`Dense.set_weights` and :meth:`Dense.get_weights` speak both, by name).

A layer does not own its numbers: :meth:`Dense.bind` points its ``W``, ``b``, ``dW``
and ``db`` at slices of the network's flat vectors ``theta`` and ``grad``, so an
optimizer step, gradient checking and L-BFGS work on one array. The forward pass
caches what the backward pass needs, under the math's names (``A_prev``, ``Z``,
``A``, the dropout ``mask``), and :mod:`glassnet.glass.trace` and the plots read them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Literal, TypeAlias, cast

import numpy as np

from ._typing import ActivationName, ArrayLike, FloatArray, NDArray
from .activations import Activation, get_activation

Layout: TypeAlias = Literal["in_out", "out_in"]
"""A weight matrix's layout, one of :data:`LAYOUTS`."""

ActivationSpec: TypeAlias = "ActivationName | Activation"
"""An activation by name or as an object."""

LAYOUTS: tuple[Layout, ...] = ("in_out", "out_in")
"""``"in_out"``: ``W`` of shape (n_in, n_out), ``Z = A W + b`` (glassnet, scikit-learn).
``"out_in"``: shape (n_out, n_in), ``z = W a + b`` (textbooks, PyTorch)."""


class Dense:
    """One fully connected layer: ``Z = A_prev @ W + b``, ``A = σ(Z)``, with optional dropout.

    Attributes
    ----------
    W : ndarray, shape (n_in, n_out)
        Weights, a view into the network's ``theta``; assigning to ``layer.W``
        copies the numbers in (the view stays a view).
    b : ndarray, shape (n_out,)
        Biases, a view into ``theta``.
    dW, db : ndarray
        Gradients of the last backward pass, views into the network's ``grad``.
    A_prev, Z, A, dZ, mask : ndarray
        What the last forward/backward pass cached, under the math's names.
    dropout : float
        Probability of dropping each unit of this layer's output while training.
    """

    def __init__(self, n_in: int, n_out: int, activation: Activation, dropout: float = 0.0) -> None:
        self.n_in, self.n_out = n_in, n_out
        self.activation = activation
        self.dropout = dropout
        self.A_prev: FloatArray | None = None
        self.Z: FloatArray | None = None
        self.A: FloatArray | None = None
        self.dZ: FloatArray | None = None
        self.mask: FloatArray | None = None

    @property
    def n_params(self) -> int:
        return self.n_in * self.n_out + self.n_out

    def bind(self, theta: FloatArray, grad: FloatArray, w_offset: int, b_offset: int) -> None:
        """Point ``W, dW`` at ``theta[w_offset:…], grad[w_offset:…]`` and ``b, db`` at ``[b_offset:…]``."""
        w_end, b_end = w_offset + self.n_in * self.n_out, b_offset + self.n_out
        self._W: FloatArray = theta[w_offset:w_end].reshape(self.n_in, self.n_out)
        self._dW: FloatArray = grad[w_offset:w_end].reshape(self.n_in, self.n_out)
        self._b: FloatArray = theta[b_offset:b_end]
        self._db: FloatArray = grad[b_offset:b_end]

    # ------------------------------------------------------------------ the numbers
    @property
    def W(self) -> FloatArray:
        return self._W

    @W.setter
    def W(self, value: ArrayLike) -> None:
        _assign(self._W, value, "W")

    @property
    def b(self) -> FloatArray:
        return self._b

    @b.setter
    def b(self, value: ArrayLike) -> None:
        _assign(self._b, value, "b")

    @property
    def dW(self) -> FloatArray:
        return self._dW

    @property
    def db(self) -> FloatArray:
        return self._db

    def set_weights(self, W: ArrayLike, b: ArrayLike | None = None, layout: Layout | None = None) -> None:
        """Copy weights (and biases) in, in the layout named: ``"in_out"`` or ``"out_in"``.

        ``layout="out_in"`` takes a textbook's ``W`` of ``z = W a + b``, shape
        ``(n_out, n_in)``; ``"in_out"`` takes glassnet's, shape ``(n_in, n_out)``.
        Without a layout, a matrix whose shape fits only one of them is read in that
        one; a square matrix fits both, so it is refused until the layout is named:
        reading it the wrong way would silently give wrong numbers.
        """
        W = np.asarray(W, dtype=self._W.dtype)
        layout = layout_of(W.shape, self.n_in, self.n_out, layout)
        new_W = _checked(self._W, W.T if layout == "out_in" else W, "W")
        new_b = None if b is None else _checked(self._b, b, "b")  # both checked before either is written
        self._W[...] = new_W
        if new_b is not None:
            self._b[...] = new_b

    def get_weights(self, layout: Layout = "in_out") -> tuple[FloatArray, FloatArray]:
        """``(W, b)`` copies, ``W`` in the layout named (``"out_in"``: a textbook's ``W``)."""
        W = self._W.T if check_layout(layout) == "out_in" else self._W
        return W.copy(), self._b.copy()

    # ------------------------------------------------------------------ forward and backward
    def forward(
        self,
        A_prev: FloatArray,
        training: bool = False,
        rng: np.random.Generator | None = None,
        work: tuple[FloatArray, FloatArray] | None = None,
    ) -> FloatArray:
        """``A = σ(A_prev W + b)``, caching ``A_prev``, ``Z``, ``A`` (and the dropout mask).

        ``work`` is a pair of ``(n, n_out)`` arrays for ``Z`` and ``A`` that the
        training loop reuses every step. With ``training`` and a dropout rate ``p``,
        each unit is kept with probability ``1 − p`` and scaled by ``1/(1 − p)``
        (inverted dropout), so the next layer's expected input is unchanged; the
        returned array is then the masked output.
        """
        self.A_prev = A_prev
        if work is None:
            Z: FloatArray = A_prev @ self._W
            Z += self._b
            A = self.activation(Z)
        else:
            Z, A = work
            np.matmul(A_prev, self._W, out=Z)
            self.activation.apply_with_bias(Z, self._b, out=A)
        self.Z, self.A, self.mask = Z, A, None
        if training and self.dropout > 0:
            keep = 1.0 - self.dropout
            assert rng is not None, "dropout in training draws its mask from rng"
            self.mask = (rng.random(A.shape) < keep) * A.dtype.type(1.0 / keep)
            A = A * self.mask
        return A

    def backward(
        self, dZ: FloatArray, ones: FloatArray, out: FloatArray | None = None, need_dA_prev: bool = True
    ) -> FloatArray | None:
        """From ``dZ`` (shape (n, n_out)): fill ``dW`` and ``db``; return ``dA_prev = dZ Wᵀ``.

        ``ones`` is a vector of n ones: ``db = 1ᵀ dZ`` as a BLAS product is faster
        than a sum over rows. ``out`` receives ``dA_prev`` when given; the first
        layer needs no ``dA_prev`` (``need_dA_prev=False`` returns None).
        """
        assert self.A_prev is not None, "backward follows forward"
        self.dZ = dZ
        np.matmul(self.A_prev.T, dZ, out=self._dW)
        np.dot(ones, dZ, out=self._db)
        if not need_dA_prev:
            return None
        return dZ @ self._W.T if out is None else np.matmul(dZ, self._W.T, out=out)

    def delta(self, dA: FloatArray) -> FloatArray:
        """``dZ = σ'(Z) ⊙ dA`` from the gradient ``dA`` of this layer's output, in place.

        A unit dropped in the forward pass passes no gradient back: ``dA`` is first
        multiplied by the same mask.
        """
        if self.mask is not None:
            dA *= self.mask
        assert self.Z is not None and self.A is not None, "delta follows forward"
        return self.activation.backward(dA, self.Z, self.A, out=dA)

    def clear(self) -> None:
        """Forget the cached batch."""
        self.A_prev = self.Z = self.A = self.dZ = self.mask = None

    def __repr__(self) -> str:
        return f"Dense({self.n_in} → {self.n_out}, {self.activation!r})"


def check_layout(layout: str) -> Layout:
    """``layout`` itself when it is one of :data:`LAYOUTS`, else a ``ValueError`` naming both."""
    if layout not in LAYOUTS:
        raise ValueError(
            f"unknown layout {layout!r}; valid layouts are: in_out (W of shape (n_in, n_out)), "
            "out_in (W of shape (n_out, n_in), as in z = W a + b)"
        )
    return layout


class AmbiguousLayout(ValueError):
    """A weight matrix whose shape fits both layouts (it is square) was given without one."""


def layout_of(
    shape: Iterable[int], n_in: int, n_out: int, layout: Layout | None = None, name: str = "W"
) -> Layout:
    """The layout a matrix of ``shape`` is in, for a layer ``n_in → n_out``.

    A named ``layout`` must fit the shape. Without one, the shape decides when only
    one layout fits; a square matrix fits both and raises :class:`AmbiguousLayout`
    (but a single weight, 1 × 1, reads the same either way).
    """
    expected: dict[Layout, tuple[int, int]] = {"in_out": (n_in, n_out), "out_in": (n_out, n_in)}
    shape = tuple(shape)
    if layout is not None:
        if shape != expected[check_layout(layout)]:
            raise ValueError(
                f"{name} in layout {layout!r} must have shape {expected[layout]} "
                f"({'n_in, n_out' if layout == 'in_out' else 'n_out, n_in'}), got {shape}"
            )
        return layout
    fits = [name_ for name_, wanted in expected.items() if shape == wanted]
    if len(fits) == 2 and shape == (1, 1):
        return "out_in"  # one weight: both layouts read it the same way
    if len(fits) == 2:
        raise AmbiguousLayout(
            f"{name} is square, of shape {shape}, so its shape does not say which way it is laid out: pass "
            "layout='out_in' (textbooks: z = W a + b, W of shape (n_out, n_in)) or layout='in_out' "
            "(glassnet: Z = A W + b, W of shape (n_in, n_out))"
        )
    if not fits:
        raise ValueError(
            f"{name} must have shape {expected['in_out']} (layout 'in_out') or "
            f"{expected['out_in']} (layout 'out_in') for a layer {n_in} → {n_out}, got {shape}"
        )
    return fits[0]


def build_layers(
    sizes: Sequence[int],
    activations: ActivationSpec | Sequence[ActivationSpec],
    output: ActivationSpec | None,
    dropout: float | Sequence[float],
) -> list[Dense]:
    """The layers of a network ``sizes[0] → … → sizes[-1]``, each with its own activation
    object and dropout rate (checked: one activation per layer or one for all, softmax
    only at the output, one rate in [0, 1) per hidden layer)."""
    n_layers = len(sizes) - 1
    acts = _expand_activations(activations, output, n_layers)
    drops = _expand_dropout(dropout, n_layers)
    return [
        Dense(n_in, n_out, act, p)
        for n_in, n_out, act, p in zip(sizes[:-1], sizes[1:], acts, drops, strict=True)
    ]


def _expand_activations(
    activations: ActivationSpec | Sequence[ActivationSpec], output: ActivationSpec | None, n_layers: int
) -> list[Activation]:
    acts: list[ActivationSpec]
    if activations is None:
        raise TypeError("activations must name one activation for every layer, or one per layer, got None")
    if isinstance(activations, (str, Activation)):
        acts = [activations] * n_layers
        if output is not None:
            acts[-1] = output
    else:
        acts = list(activations)
        if output is not None:
            if len(acts) != n_layers - 1:
                raise ValueError(
                    f"with output= given, activations must name the {n_layers - 1} hidden layers, got {len(acts)}"
                )
            acts = acts + [output]
        if len(acts) != n_layers:
            raise ValueError(f"expected {n_layers} activations (one per layer), got {len(acts)}")
    # A fresh object per layer so layers never share state.
    resolved: list[Activation] = []
    for a in acts:
        resolved.append(get_activation(a))
    for i, a in enumerate(resolved[:-1]):
        if not a.elementwise:
            raise ValueError(f"softmax is only valid as the output activation, not on hidden layer {i + 1}")
    return resolved


def _expand_dropout(dropout: float | Sequence[float], n_layers: int) -> list[float]:
    # The casts: np.isscalar's TypeIs does not tell a float from NumPy's scalar types.
    drops = (
        [cast(float, dropout)] * (n_layers - 1)
        if np.isscalar(dropout)
        else list(cast("Sequence[float]", dropout))
    )
    if len(drops) != n_layers - 1:
        raise ValueError(f"dropout needs one rate per hidden layer ({n_layers - 1}), got {len(drops)}")
    for p in drops:
        if not (0.0 <= p < 1.0):
            raise ValueError(f"dropout rates must be in [0, 1), got {p}")
    return [float(p) for p in drops] + [0.0]


_SHAPE_WORDS: dict[Layout, str] = {"in_out": "(n_in, n_out)", "out_in": "(n_out, n_in)"}


def _chain(Ws: Sequence[NDArray[Any]], bs: Sequence[NDArray[Any] | None], layout: str) -> list[int] | None:
    """``[n_0, n_1, …]`` when the matrices (and biases) chain in ``layout``, else None."""
    sizes: list[int] = []
    for W, b in zip(Ws, bs, strict=True):
        n_in, n_out = W.shape if layout == "in_out" else W.shape[::-1]
        if (sizes and sizes[-1] != n_in) or (b is not None and b.size != n_out):
            return None
        sizes = sizes or [n_in]
        sizes.append(n_out)
    return sizes


def weights_layout(
    weights: Sequence[ArrayLike],
    biases: Sequence[ArrayLike | None] | None = None,
    layout: Layout | None = None,
) -> Layout:
    """The layout of a network's weight matrices: the one named, or the only one their shapes fit.

    A square matrix fits both layouts whatever its neighbours say, so without a
    named layout it is refused (:class:`~glassnet.layers.AmbiguousLayout`).
    """
    Ws = [np.asarray(W) for W in weights]
    bs: list[NDArray[Any] | None] = (
        [None] * len(Ws) if biases is None else [None if b is None else np.ravel(b) for b in biases]
    )
    if layout is not None:
        return check_layout(layout)
    for l, W in enumerate(Ws, 1):
        if W.shape[0] == W.shape[1] > 1:
            layout_of(W.shape, W.shape[0], W.shape[1], None, f"W⁽{l}⁾")  # raises, naming layout=
    fits: list[Layout] = [name for name in _SHAPE_WORDS if _chain(Ws, bs, name) is not None]
    if len(fits) == 2 and all(W.shape == (1, 1) for W in Ws):
        return "out_in"  # single weights read the same either way
    if len(fits) == 1:
        return fits[0]
    if not fits:
        shapes = ", ".join(str(W.shape) for W in Ws)
        raise ValueError(f"the weight matrices {shapes} and biases chain into a network in neither layout")
    raise AmbiguousLayout(
        "these weight matrices chain into a network in both layouts: pass layout='out_in' "
        "(textbooks: z = W a + b) or layout='in_out' (glassnet: Z = A W + b)"
    )


def chained_sizes(
    weights: Sequence[NDArray[Any]], biases: Sequence[NDArray[Any] | None], layout: Layout
) -> list[int]:
    """``[n_0, n_1, …]`` of the network the matrices (and biases) chain into in ``layout``."""
    sizes = _chain(weights, biases, layout)
    if sizes is None:
        shapes = ", ".join(str(W.shape) for W in weights)
        raise ValueError(
            f"the weight matrices {shapes} and biases do not chain into a network in "
            f"layout {layout!r} (W of shape {_SHAPE_WORDS[layout]}, b of n_out entries)"
        )
    return sizes


def _assign(view: FloatArray, value: ArrayLike, name: str) -> None:
    """Copy ``value`` into a parameter view: the exact shape, or a scalar for every entry."""
    view[...] = _checked(view, value, name)


def _checked(view: FloatArray, value: ArrayLike, name: str) -> FloatArray:
    """``value`` as an array that may go into ``view``: its shape (or a scalar), finite."""
    value = np.asarray(value, dtype=view.dtype)
    if value.ndim != 0 and value.shape != view.shape:
        hint = ""
        if value.shape == view.shape[::-1]:
            hint = (
                " (W is (n_in, n_out): a textbook's W of z = W a + b is its transpose; "
                "pass W.T or use set_weights(W, b, layout='out_in'))"
            )
        raise ValueError(f"{name} must have shape {view.shape}, got {value.shape}{hint}")
    if not np.isfinite(value).all():
        raise ValueError(f"{name} holds NaN or infinite values: a network's weights must be finite numbers")
    return value
