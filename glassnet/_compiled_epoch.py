"""The compiled path of the training loop: which runs take it, and the call that runs an epoch.

A small network spends its training time on dispatch, not arithmetic: a step of
5 → 50 → 3 on 50 rows is about 50 NumPy calls of a microsecond each for 100
kFLOP. :func:`plan` decides, once per run, whether the epochs go through
:func:`glassnet._epoch_kernels.train_epoch` — the same loop compiled into one
Numba call per epoch — instead of the NumPy loop of :class:`glassnet.training._Run`,
which stays the readable reference (the tests pin one to the other).

The compiled path does everything the NumPy loop does per step for what it
supports, and the run around it is the same (schedules, history, callbacks,
validation, the divergence guard). It is **not** taken, and the NumPy loop runs,
when the run has (:func:`why_not` says which):

- a subclass of ``Network`` or ``Dense``, or a network whose ``loss_and_grad`` (or
  another step) was replaced on the instance: the compiled epoch would bypass it;
- dropout or an L1 penalty, sample weights, or a sparse ``X``;
- a batch source other than :class:`glassnet.batches.ArrayBatches` (e.g. Dask);
- a hidden activation other than ReLU, tanh, sigmoid (β = 1) or identity;
- an output layer and loss that are not a canonical pair (softmax + cross-entropy,
  sigmoid + binary cross-entropy, identity + squared error);
- an optimizer of a class of its own (subclasses of the built-in ones included);
- accuracy tracking for a head other than multi-class, binary or multi-label.

Where both paths can run, ``MODE`` picks one: ``"auto"`` (the default) takes the
compiled path when the network is small enough for dispatch to dominate
(:func:`worth_compiling`) and the run long enough to pay for loading the kernels
(:mod:`glassnet._jit`: a short fit in a fresh process stays on the NumPy loop, and
never imports Numba); ``"always"`` and ``"never"`` force it either way (the tests
use them to run both paths on the same data). The choice depends on the run's
settings alone, so that a run gives the same numbers in every process.
"""

from __future__ import annotations

import math
from types import ModuleType
from typing import TYPE_CHECKING, cast

import numpy as np

from . import _jit
from ._typing import FloatArray

if TYPE_CHECKING:
    from .activations import Activation
    from .batches import ArrayBatches
    from .losses import Loss
    from .network import Network
    from .optimizers import Optimizer
    from .training import _Run

MODE = "auto"
"""``"auto"``, ``"always"`` (whenever supported) or ``"never"``."""

# Codes the kernels branch on (a Numba function takes numbers, not objects).
RELU, TANH, SIGMOID, IDENTITY = 0, 1, 2, 3
SOFTMAX_CE, SIGMOID_BCE, IDENTITY_SE = 0, 1, 2
SGD, MOMENTUM, EWMA, NESTEROV, RMSPROP, ADAM, ADAMW = range(7)
ACC_NONE, ACC_ARGMAX, ACC_THRESHOLD = 0, 1, 2

_HIDDEN = {"relu": RELU, "tanh": TANH, "sigmoid": SIGMOID, "identity": IDENTITY}
_OUTPUT = {
    ("softmax", "categorical_cross_entropy"): SOFTMAX_CE,
    ("sigmoid", "binary_cross_entropy"): SIGMOID_BCE,
    ("identity", "squared_error"): IDENTITY_SE,
}
_NETWORK_STEPS = {"loss_and_grad", "_forward", "_backward", "_penalize"}
_ACCURACY = {"multiclass": ACC_ARGMAX, "binary": ACC_THRESHOLD, "multilabel": ACC_THRESHOLD}

MAX_WIDTH_PRODUCT = 64 * 256
"""``auto`` compiles while every layer's ``n_in · n_out`` is at most this (see :func:`worth_compiling`)."""


def why_not(run: _Run) -> str | None:
    """Why ``run`` (a :class:`glassnet.training._Run`) cannot take the compiled path, or None."""
    from .batches import ArrayBatches
    from .layers import Dense
    from .network import Network

    net, batches = run.net, run.batches
    if (
        type(net) is not Network
        or vars(net).keys() & _NETWORK_STEPS
        or any(type(l) is not Dense for l in net.layers)
    ):
        return "a network or layer with methods of its own"
    if type(batches) is not ArrayBatches:
        return "the batches come from a source other than ArrayBatches"
    for name, a in (("X", batches.X), ("Y", batches.Y)):
        if not isinstance(a, np.ndarray) or not a.flags.c_contiguous or a.dtype != net.dtype:
            return f"{name} is sparse, not C-contiguous or not in the network's dtype"
    if batches.sample_weight is not None:
        return "sample weights"
    if run.l1 or run.training:
        return "an L1 penalty" if run.l1 else "dropout"
    for layer in net.layers[:-1]:
        if layer.activation.name not in _HIDDEN or getattr(layer.activation, "beta", 1.0) != 1.0:
            return f"the hidden activation {layer.activation!r}"
    if _output_code(run.loss, net.layers[-1].activation) is None or _value_scale(run.loss) is None:
        return f"the output {net.layers[-1].activation!r} with the loss {run.loss!r}"
    if _optimizer_code(run.optimizer) is None:
        return f"the optimizer {type(run.optimizer).__name__}"
    if run.track_accuracy and net.head.task not in _ACCURACY:
        return f"accuracy tracking for the task {net.head.task!r}"
    return None


def worth_compiling(net: Network) -> bool:
    """``auto``'s rule: every layer small (``n_in · n_out ≤ MAX_WIDTH_PRODUCT``).

    There the NumPy loop's cost is its calls, which the compiled epoch removes;
    past it the matrix products dominate, and both paths run the same BLAS.
    """
    return all(layer.n_in * layer.n_out <= MAX_WIDTH_PRODUCT for layer in net.layers)


def plan(run: _Run) -> CompiledEpoch | None:
    """A :class:`CompiledEpoch` for ``run``, or None to train with the NumPy loop.

    Either way the kernels are loaded when the run is long enough to pay for them
    (:func:`glassnet._jit.worth_loading`): the NumPy loop then calls the fused ones.
    """
    batches = run.batches
    rows = getattr(batches, "batch_size", -(-batches.n_samples // batches.n_batches))
    seconds = _jit.training_seconds(
        run.net.layer_sizes, rows, batches.n_batches, run.epochs - run.initial_epoch
    )
    if MODE == "never" or why_not(run) is not None:
        _jit.worth_loading(seconds)
        return None
    if MODE == "always":
        _jit.load()
        return CompiledEpoch(run)
    if _jit.worth_loading(seconds) and worth_compiling(run.net):
        return CompiledEpoch(run)
    return None


def _output_code(loss: Loss, activation: Activation) -> int | None:
    code = _OUTPUT.get((activation.name, loss.name))
    if code is None or not loss.pairs_with(activation):
        return None
    return code


def _value_scale(loss: Loss) -> float | None:
    """The factor on the loss's value: 1, or what a subclass declares (``value_scale``)."""
    from .losses import LOSSES

    return 1.0 if type(loss) is LOSSES[loss.name] else getattr(loss, "value_scale", None)


def _optimizer_code(opt: Optimizer) -> int | None:
    """The kernel's code for a built-in optimizer (not a subclass), or None."""
    from . import optimizers as o

    if type(opt) is o.Momentum:
        return MOMENTUM if opt.form == "classical" else EWMA
    codes = {o.SGD: SGD, o.Nesterov: NESTEROV, o.RMSprop: RMSPROP, o.Adam: ADAM, o.AdamW: ADAMW}
    return codes.get(type(opt))


def _hyper(opt: Optimizer) -> FloatArray:
    """``[lr, a, b, eps, weight_decay]`` as :func:`glassnet._epoch_kernels.optimizer_step` reads them."""
    a = getattr(opt, "momentum", getattr(opt, "rho", getattr(opt, "beta1", 0.0)))
    return np.array(
        [opt.lr, a, getattr(opt, "beta2", 0.0), getattr(opt, "eps", 0.0), getattr(opt, "weight_decay", 0.0)]
    )


_kernels: ModuleType | None = None


def _load_kernels() -> ModuleType:
    global _kernels
    if _kernels is None:
        from . import _epoch_kernels

        _kernels = _epoch_kernels
    return _kernels


class CompiledEpoch:
    """The arrays one run's compiled epochs share: codes, offsets, work space.

    ``work`` holds, for a batch of ``m`` rows, the gathered ``X`` rows (``A⁰``) and
    every layer's output ``Aˡ`` (offsets ``a_off``), the gathered targets and every
    layer's delta ``dZˡ`` (offsets ``d_off``; ``d_off[0]`` is the targets).
    """

    def __init__(self, run: _Run) -> None:
        net, batches = run.net, cast("ArrayBatches", run.batches)  # plan() made sure of it
        self.run = run
        self.kernels = _load_kernels()
        self.sizes = np.array(net.layer_sizes, dtype=np.int64)
        self.hidden = np.array([_HIDDEN[l.activation.name] for l in net.layers[:-1]] + [0], dtype=np.int64)
        self.out_code = _output_code(run.loss, net.layers[-1].activation)
        self.value_scale = _value_scale(run.loss)
        self.acc_code = _ACCURACY[net.head.task] if run.track_accuracy else ACC_NONE
        self.opt_code = _optimizer_code(run.optimizer)
        m = batches.batch_size
        widths = [net.n_inputs, *net.layer_sizes[1:], net.n_outputs]  # A⁰ … Aᴸ, then Ŷ
        self.a_off = np.cumsum([0] + [m * w for w in widths])[:-1].astype(np.int64)
        deltas = [net.n_outputs, *net.layer_sizes[1:]]  # Y, then dZ¹ … dZᴸ
        start = self.a_off[-1] + m * widths[-1]
        self.d_off = start + np.cumsum([0] + [m * w for w in deltas])[:-1].astype(np.int64)
        self.work = np.empty(start + m * sum(deltas), net.dtype)
        self.no_order = np.empty(0, np.intp)
        self.hyper: FloatArray | None = None

    def steps(self) -> tuple[float, float, float | None, str | None]:
        """One epoch: ``(mean loss, mean ‖grad‖, accuracy or None, diverged)`` as ``_Run._steps``."""
        run, k = self.run, self.kernels
        net, opt, batches = run.net, run.optimizer, cast("ArrayBatches", run.batches)
        order = run.rng.permutation(batches.n_samples) if batches._gather else self.no_order
        s1, s2 = self._state(opt, net.theta)
        clip = math.inf if opt.clip_norm is None else opt.clip_norm
        total, grad_norms, correct, steps, value = k.train_epoch(
            batches.X,
            batches.Y,
            order,
            batches.batch_size,
            self.sizes,
            self.hidden,
            self.out_code,
            self.value_scale,
            self.acc_code,
            self.work,
            self.a_off,
            self.d_off,
            net.theta,
            net.grad,
            float(run.l2),
            self.opt_code,
            self._hyper(opt),
            clip,
            s1,
            s2,
            opt.t,
        )
        opt.t += steps
        if not math.isfinite(value):
            return value, math.nan, None, "non-finite"
        n = batches.n_samples
        accuracy = correct / n if self.acc_code != ACC_NONE else None
        return total / n, grad_norms / batches.n_batches, accuracy, None

    def _hyper(self, opt: Optimizer) -> FloatArray:
        """The optimizer's constants, read at the start of the run; its rate, every epoch
        (a schedule, ReduceOnPlateau or the estimator's 'adaptive' rule change it)."""
        if self.hyper is None:
            self.hyper = _hyper(opt)
        self.hyper[0] = opt.lr
        return self.hyper

    def _state(self, opt: Optimizer, theta: FloatArray) -> tuple[FloatArray, FloatArray]:
        """The optimizer's state arrays (made as its ``_update`` makes them), or empty ones."""
        code = self.opt_code
        if code in (ADAM, ADAMW):
            return opt._zeros("m", theta), opt._zeros("v", theta)
        if code == RMSPROP:
            return opt._zeros("square_avg", theta), theta[:0]
        if code == SGD:
            return theta[:0], theta[:0]
        return opt._zeros("velocity", theta), theta[:0]
