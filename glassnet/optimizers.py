"""Optimizers: update rules over one flat parameter vector.

An optimizer owns its state (velocities, moment estimates, step count) and updates
the arrays it is given, in place::

    opt = Adam(lr=0.001)
    opt.step(theta, grad)      # theta ← theta − (update computed from grad)

It knows nothing of layers: ``theta`` and ``grad`` are the network's flat vectors,
so each step is a handful of vectorized operations over one array. They are
listed in order of increasing complexity. ``lr`` is a plain attribute that a
schedule may change between steps. ``clip_norm`` rescales ``grad`` in place when
its Euclidean norm exceeds the bound (gradient-norm clipping).
"""

from __future__ import annotations

import math
from typing import Any, Literal

import numpy as np

from . import _jit
from ._typing import FloatArray, OptimizerName
from ._validation import check_non_negative, check_positive


class Optimizer:
    """Base class: gradient clipping, step counting and state reset."""

    def __init__(self, lr: float, clip_norm: float | None = None) -> None:
        self.lr: float = check_positive(lr, "lr")
        self.clip_norm: float | None = check_positive(clip_norm, "clip_norm", allow_none=True)
        self.t = 0

    @property
    def learning_rate(self) -> float:
        """``lr`` under scikit-learn's name (its optimizers' attribute), for drop-in code."""
        return self.lr

    @learning_rate.setter
    def learning_rate(self, value: float) -> None:
        self.lr = check_positive(value, "learning_rate")

    def step(self, theta: FloatArray, grad: FloatArray) -> None:
        """Update ``theta`` in place from ``grad`` (which clipping may rescale in place)."""
        if self.clip_norm is not None:
            norm = math.sqrt(float(np.dot(grad, grad)))
            if norm > self.clip_norm:
                grad *= self.clip_norm / norm
        self.t += 1
        self._update(theta, grad)

    def reset(self) -> None:
        """Forget all state (as if no step had been taken)."""
        self.t = 0
        for name in self._state_names:
            setattr(self, name, None)

    _state_names: tuple[str, ...] = ()

    def _update(self, theta: FloatArray, grad: FloatArray) -> None:
        raise NotImplementedError  # pragma: no cover - every subclass defines it

    def _zeros(self, name: str, like: FloatArray) -> FloatArray:
        buf: FloatArray | None = getattr(self, name, None)
        if buf is None or buf.shape != like.shape or buf.dtype != like.dtype:
            buf = np.zeros_like(like)
            setattr(self, name, buf)
        return buf

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self._hyper().items())
        return f"{type(self).__name__}({args})"

    def _hyper(self) -> dict[str, object]:
        return {"lr": self.lr}


class SGD(Optimizer):
    """Plain gradient descent: ``θ ← θ − η g``."""

    def __init__(self, lr: float = 0.01, clip_norm: float | None = None) -> None:
        super().__init__(lr, clip_norm)

    def _update(self, theta: FloatArray, grad: FloatArray) -> None:
        theta -= self.lr * grad


class Momentum(Optimizer):
    """Gradient descent with momentum, in either common form.

    ``form="classical"`` (Polyak, PyTorch without dampening, scikit-learn)::

        v ← μ v − η g
        θ ← θ + v

    ``form="ewma"`` (Andrew Ng's course): an exponentially weighted average of gradients::

        m ← β m + (1 − β) g
        θ ← θ − η m

    The two agree up to a rescaling of the learning rate by ``1 − β``.
    """

    _state_names = ("velocity",)

    def __init__(
        self,
        lr: float = 0.01,
        momentum: float = 0.9,
        form: Literal["classical", "ewma"] = "classical",
        clip_norm: float | None = None,
    ) -> None:
        super().__init__(lr, clip_norm)
        if not 0 <= momentum <= 1:
            raise ValueError(f"momentum must be in [0, 1], got {momentum!r}")
        if form not in ("classical", "ewma"):
            raise ValueError(f"unknown momentum form {form!r}; valid forms are: classical, ewma")
        self.momentum, self.form = momentum, form
        self.velocity: FloatArray | None = None

    def _update(self, theta: FloatArray, grad: FloatArray) -> None:
        v = self._zeros("velocity", theta)
        if self.form == "classical":
            v *= self.momentum
            v -= self.lr * grad
            theta += v
        else:
            v *= self.momentum
            v += (1 - self.momentum) * grad
            theta -= self.lr * v

    def _hyper(self) -> dict[str, object]:
        return {"lr": self.lr, "momentum": self.momentum, "form": self.form}


class Nesterov(Momentum):
    """Nesterov's accelerated gradient, in the form scikit-learn and PyTorch use::

    v ← μ v − η g
    θ ← θ + μ v − η g      (a look-ahead: the momentum step is taken twice)
    """

    def __init__(self, lr: float = 0.01, momentum: float = 0.9, clip_norm: float | None = None) -> None:
        super().__init__(lr, momentum, "classical", clip_norm)

    def _update(self, theta: FloatArray, grad: FloatArray) -> None:
        v = self._zeros("velocity", theta)
        v *= self.momentum
        v -= self.lr * grad
        theta += self.momentum * v
        theta -= self.lr * grad

    def _hyper(self) -> dict[str, object]:
        return {"lr": self.lr, "momentum": self.momentum}


class RMSprop(Optimizer):
    """Divide each step by a running root-mean-square of the gradient::

    s ← ρ s + (1 − ρ) g²
    θ ← θ − η g / (√s + ε)
    """

    _state_names = ("square_avg",)

    def __init__(
        self, lr: float = 0.001, rho: float = 0.9, eps: float = 1e-8, clip_norm: float | None = None
    ) -> None:
        super().__init__(lr, clip_norm)
        if not 0 <= rho < 1:
            raise ValueError(f"rho must be in [0, 1), got {rho!r}")
        self.rho: float = rho
        self.eps: float = check_positive(eps, "eps")
        self.square_avg: FloatArray | None = None

    def _update(self, theta: FloatArray, grad: FloatArray) -> None:
        s = self._zeros("square_avg", theta)
        s *= self.rho
        s += (1 - self.rho) * grad * grad
        theta -= self.lr * grad / (np.sqrt(s) + self.eps)

    def _hyper(self) -> dict[str, object]:
        return {"lr": self.lr, "rho": self.rho, "eps": self.eps}


class Adam(Optimizer):
    """Adam: momentum (first moment) and RMSprop (second moment), both bias-corrected::

        m ← β₁ m + (1 − β₁) g            m̂ = m / (1 − β₁ᵗ)
        v ← β₂ v + (1 − β₂) g²           v̂ = v / (1 − β₂ᵗ)
        θ ← θ − η m̂ / (√v̂ + ε)

    Without the correction the first steps would be too small, because ``m`` and
    ``v`` start at zero. At ``t = 1``, ``m̂ = g`` and ``v̂ = g²``, so the first step
    moves every parameter by about ``η · sign(g)``.
    """

    _state_names = ("m", "v")

    def __init__(
        self,
        lr: float = 0.001,
        beta1: float = 0.9,
        beta2: float = 0.999,
        eps: float = 1e-8,
        clip_norm: float | None = None,
    ) -> None:
        super().__init__(lr, clip_norm)
        for name, beta in (("beta1", beta1), ("beta2", beta2)):
            if not 0 <= beta < 1:
                raise ValueError(f"{name} must be in [0, 1), got {beta!r}")
        self.beta1, self.beta2 = beta1, beta2
        self.eps: float = check_positive(eps, "eps")
        self.m: FloatArray | None = None
        self.v: FloatArray | None = None

    def _update(self, theta: FloatArray, grad: FloatArray) -> None:
        m, v = self._zeros("m", theta), self._zeros("v", theta)
        b1, b2, t = self.beta1, self.beta2, self.t
        # θ ← θ − η m̂ / (√v̂ + ε) with m̂ = m/(1−β₁ᵗ), v̂ = v/(1−β₂ᵗ), written as
        # θ ← θ − (η/(1−β₁ᵗ)) · m / (√v · 1/√(1−β₂ᵗ) + ε): the constants once, in the arrays' dtype.
        f = theta.dtype.type
        scalars = (
            f(b1),
            f(1 - b1),
            f(b2),
            f(1 - b2),
            f(1 / math.sqrt(1 - b2**t)),
            f(self.eps),
            f(self.lr / (1 - b1**t)),
        )
        kernels = _jit.fused()
        if kernels:  # the lines below in one compiled pass instead of a dozen NumPy passes
            kernels.adam_step(_flat(theta), _flat(grad), _flat(m), _flat(v), *scalars)
            return
        beta1, one_minus_beta1, beta2, one_minus_beta2, inv_sqrt_correction2, eps, step = scalars
        m *= beta1
        m += grad * one_minus_beta1  # m ← β₁ m + (1 − β₁) g
        v *= beta2
        v += (grad * grad) * one_minus_beta2  # v ← β₂ v + (1 − β₂) g²
        denominator = np.sqrt(v)
        denominator *= inv_sqrt_correction2
        denominator += eps  # √v̂ + ε
        theta -= (m / denominator) * step

    def _hyper(self) -> dict[str, object]:
        return {"lr": self.lr, "beta1": self.beta1, "beta2": self.beta2, "eps": self.eps}


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter)::

        θ ← θ − η λ θ          then the Adam step

    Unlike an L2 term in the loss, the decay does not pass through the adaptive
    scaling. As in PyTorch, it applies to every entry of ``theta``.
    """

    def __init__(
        self,
        lr: float = 0.001,
        beta1: float = 0.9,
        beta2: float = 0.999,
        eps: float = 1e-8,
        weight_decay: float = 0.01,
        clip_norm: float | None = None,
    ) -> None:
        super().__init__(lr, beta1, beta2, eps, clip_norm)
        self.weight_decay: float = check_non_negative(weight_decay, "weight_decay")

    def _update(self, theta: FloatArray, grad: FloatArray) -> None:
        theta *= 1 - self.lr * self.weight_decay
        super()._update(theta, grad)

    def _hyper(self) -> dict[str, object]:
        return {**super()._hyper(), "weight_decay": self.weight_decay}


OPTIMIZERS: dict[str, type[Optimizer]] = {
    "sgd": SGD,
    "momentum": Momentum,
    "nesterov": Nesterov,
    "rmsprop": RMSprop,
    "adam": Adam,
    "adamw": AdamW,
}
"""Every optimizer by name."""


def _flat(a: FloatArray) -> FloatArray:
    """A 1-D view of a contiguous array (a fused kernel walks it entry by entry)."""
    if a.ndim == 1:
        return a
    if not a.flags.c_contiguous:
        raise ValueError("the optimizer updates contiguous arrays, such as the network's flat theta")
    return a.reshape(-1)


def get_optimizer(name_or_optimizer: OptimizerName | Optimizer, **kwargs: Any) -> Optimizer:
    """Return an optimizer for a name such as ``"adam"`` (keyword arguments go to it), or pass one through."""
    if isinstance(name_or_optimizer, Optimizer):
        if kwargs:
            raise TypeError(
                f"{', '.join(kwargs)} would be ignored: keyword arguments configure an optimizer named by a "
                f"string, and {name_or_optimizer!r} is made already (set its attributes instead)"
            )
        return name_or_optimizer
    if isinstance(name_or_optimizer, str) and name_or_optimizer in OPTIMIZERS:
        return OPTIMIZERS[name_or_optimizer](**kwargs)
    raise ValueError(
        f"unknown optimizer {name_or_optimizer!r}; valid optimizers are: " + ", ".join(OPTIMIZERS)
    )
