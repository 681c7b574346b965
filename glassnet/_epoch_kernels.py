"""One training epoch of a small network as one compiled call (Numba).

The NumPy training loop (:mod:`glassnet.training`, :mod:`glassnet.network`) is the
readable reference: each step gathers a batch, runs the layers forward, takes the
loss and its output delta, runs the layers backward, adds the L2 penalty and calls
the optimizer. For a small network every one of those NumPy calls costs more to
dispatch than to compute (a 5 → 50 → 3 step is about 50 calls of a microsecond
each, for 100 kFLOP). :func:`train_epoch` runs the same formulas, in the same
order, for every mini-batch of an epoch inside one compiled function: the matrix
products are the same BLAS calls (``np.dot`` with ``out``), the elementwise
passes are loops. Each kernel names the NumPy it replaces;
``tests/test_compiled_epoch.py`` compares the two paths for every optimizer. The
weights agree to the last bits rather than bit for bit where a kernel calls the C
library's ``exp``, ``log`` or ``tanh`` (softmax, sigmoid, tanh, the loss's value),
which round now and then otherwise than NumPy's vectorized ones.

The arrays are flat, so that one compiled function serves every depth:
``theta``/``grad`` in the network's layout ``[W¹, …, Wᴸ, b¹, …, bᴸ]``, and the
work arrays of a batch (``Aˡ`` and ``dZˡ`` of each layer) in one vector ``work``
at the offsets :mod:`glassnet._compiled_epoch` lays out.

Imported on first use only (it imports Numba); the compiled code is cached on disk.
"""

from __future__ import annotations

import math

import numba
import numpy as np

from . import _fused
from ._compiled_epoch import (
    ACC_ARGMAX,
    ACC_THRESHOLD,
    ADAMW,
    EWMA,
    IDENTITY,
    MOMENTUM,
    NESTEROV,
    RELU,
    RMSPROP,
    SGD,
    SIGMOID,
    SIGMOID_BCE,
    SOFTMAX_CE,
    TANH,
)

_kernel = numba.njit(error_model="numpy", cache=True)


@_kernel
def _block(flat, offset, rows, cols):
    """``flat[offset : offset + rows·cols]`` as a (rows, cols) matrix (a view)."""
    return flat[offset : offset + rows * cols].reshape((rows, cols))


# ----------------------------------------------------------------------------- forward


@_kernel
def gather(X, idx, out):
    """``out[...] = X[idx]``: the rows of a shuffled batch (NumPy: ``X.take(idx, axis=0, out=out)``)."""
    for r in range(idx.shape[0]):
        row = idx[r]
        for j in range(X.shape[1]):
            out[r, j] = X[row, j]


@_kernel
def activate(code, Z, b, A):
    """``Z += b; A = σ(Z)`` for a hidden layer (NumPy: ``activation.apply_with_bias(Z, b, out=A)``).

    ``A`` may be ``Z`` itself: the backward pass of these activations needs only ``A``.
    (One loop per activation: a test inside the loop would keep it from vectorizing.)
    """
    m, n = Z.shape
    if code == RELU:
        for i in range(m):
            for j in range(n):
                z = Z[i, j] + b[j]
                A[i, j] = z if z > 0 else 0  # max(z, 0)
    elif code == TANH:
        for i in range(m):
            for j in range(n):
                A[i, j] = np.tanh(Z[i, j] + b[j])
    elif code == SIGMOID:
        for i in range(m):
            for j in range(n):
                A[i, j] = 1 / (1 + np.exp(-(Z[i, j] + b[j])))  # expit(z)
    else:
        for i in range(m):
            for j in range(n):
                A[i, j] = Z[i, j] + b[j]  # identity


@_kernel
def output(code, Z, b, Y_hat):
    """``Z += b; Ŷ = σ(Z)`` for the output layer: softmax, sigmoid or identity."""
    if code == SOFTMAX_CE:
        for i in range(Z.shape[0]):
            for j in range(Z.shape[1]):
                Z[i, j] += b[j]
        _fused.softmax(Z, Y_hat)  # the engine's own kernel
    else:
        activate(SIGMOID if code == SIGMOID_BCE else IDENTITY, Z, b, Y_hat)


@_kernel
def forward(sizes, hidden, out_code, theta, A0, work, a_off, m):
    """Every layer's ``A = σ(A_prev W + b)`` for ``m`` rows; returns ``Ŷ`` (NumPy: ``Network._forward``)."""
    n_layers = sizes.shape[0] - 1
    w_off, b_off = 0, _n_weights(sizes)
    A = A0
    for l in range(n_layers):
        n_in, n_out = sizes[l], sizes[l + 1]
        W = _block(theta, w_off, n_in, n_out)
        b = theta[b_off : b_off + n_out]
        Z = _block(work, a_off[l + 1], m, n_out)
        np.dot(A, W, Z)  # Z = A_prev W
        if l < n_layers - 1:
            activate(hidden[l], Z, b, Z)  # A = σ(Z + b), over Z
        else:
            Y_hat = _block(work, a_off[n_layers + 1], m, n_out)
            output(out_code, Z, b, Y_hat)
            A = Y_hat
            break
        A = Z
        w_off += n_in * n_out
        b_off += n_out
    return A


@_kernel
def _n_weights(sizes):
    total = 0
    for l in range(sizes.shape[0] - 1):
        total += sizes[l] * sizes[l + 1]
    return total


# ----------------------------------------------------------------------------- loss


@_kernel
def loss_total(code, Y_hat, Y, eps):
    """``Σ ℓ`` over the batch (NumPy: ``loss.total(Ŷ, Y)``), in float64.

    Cross-entropy ``−Σ y log max(ŷ, ε)``; binary cross-entropy with ``p`` clipped
    to ``[ε, 1 − ε]`` and ``0 log 0 = 0``; squared error ``½ Σ (ŷ − y)²``.
    """
    total = 0.0
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            y, y_hat = Y[i, j], Y_hat[i, j]
            if code == SOFTMAX_CE:
                if y != 0:
                    total -= y * math.log(max(y_hat, eps))
            elif code == SIGMOID_BCE:
                p = min(max(y_hat, eps), 1 - eps)
                if y != 0:
                    total -= y * math.log(p)
                if 1 - y != 0:
                    total -= (1 - y) * math.log(1 - p)
            else:
                diff = y_hat - y
                total += 0.5 * diff * diff
    return total


@_kernel
def output_delta(Y_hat, Y, scale, dZ):
    """``dZ = (Ŷ − Y) · (1/n)``: the output delta of a canonical pair (NumPy: ``Network.loss_and_grad``)."""
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            dZ[i, j] = (Y_hat[i, j] - Y[i, j]) * scale


@_kernel
def correct_rows(code, Y_hat, Y):
    """Rows predicted right (NumPy: ``head.batch_accuracy(Ŷ, Y) · n``): argmax, or every ``ŷ > ½``."""
    count = 0
    for i in range(Y.shape[0]):
        if code == ACC_ARGMAX:
            count += np.argmax(Y_hat[i]) == np.argmax(Y[i])
        elif code == ACC_THRESHOLD:
            right = True
            for j in range(Y.shape[1]):
                right = right and ((Y_hat[i, j] > 0.5) == (Y[i, j] > 0.5))
            count += right
    return count


# ----------------------------------------------------------------------------- backward


@_kernel
def hidden_delta(code, dA, A):
    """``dZ = dA ⊙ σ'`` in place, ``σ'`` written with the output ``A`` (NumPy: ``activation.backward``)."""
    m, n = dA.shape
    if code == RELU:
        for i in range(m):
            for j in range(n):
                if A[i, j] <= 0:
                    dA[i, j] = 0  # dA ⊙ [A > 0]
    elif code == TANH:
        for i in range(m):
            for j in range(n):
                dA[i, j] = dA[i, j] * (1 - A[i, j] * A[i, j])  # 1 − tanh²
    elif code == SIGMOID:
        for i in range(m):
            for j in range(n):
                dA[i, j] = dA[i, j] * (A[i, j] * (1 - A[i, j]))  # σ (1 − σ)


@_kernel
def column_sums(dZ, db):
    """``db = Σ_rows dZ`` (NumPy: ``np.dot(ones, dZ, out=db)``, a BLAS call that costs a small
    layer more than the sum; the order of the additions differs, so the last bits may)."""
    db[:] = 0
    for i in range(dZ.shape[0]):
        for j in range(dZ.shape[1]):
            db[j] += dZ[i, j]


@_kernel
def backward(sizes, hidden, theta, grad, A0, work, a_off, d_off, m):
    """From the output's ``dZ``, every layer's ``dW = A_prevᵀ dZ``, ``db = 1ᵀ dZ`` and, below
    the top, ``dZ_prev = σ'(A_prev) ⊙ dZ Wᵀ`` (NumPy: ``Network._backward``, ``Dense.backward``)."""
    n_layers = sizes.shape[0] - 1
    w_off, b_off = _n_weights(sizes), grad.shape[0]
    for l in range(n_layers - 1, -1, -1):
        n_in, n_out = sizes[l], sizes[l + 1]
        w_off -= n_in * n_out
        b_off -= n_out
        dZ = _block(work, d_off[l + 1], m, n_out)
        A_prev = A0 if l == 0 else _block(work, a_off[l], m, n_in)
        np.dot(A_prev.T, dZ, _block(grad, w_off, n_in, n_out))  # dW = A_prevᵀ dZ
        column_sums(dZ, grad[b_off : b_off + n_out])  # db = 1ᵀ dZ
        if l > 0:
            dA_prev = _block(work, d_off[l], m, n_in)
            np.dot(dZ, _block(theta, w_off, n_in, n_out).T, dA_prev)  # dA_prev = dZ Wᵀ
            hidden_delta(hidden[l - 1], dA_prev, A_prev)


@_kernel
def l2_penalty(theta, grad, n_weights, l2, n):
    """Add ``(l2/n) W`` to ``dW``; return ``½ l2 ‖W‖² / n`` (NumPy: ``Network._penalize``)."""
    W, dW = theta[:n_weights], grad[:n_weights]
    value = 0.5 * l2 * np.dot(W, W) / n
    factor = theta.dtype.type(l2 / n)
    for i in range(n_weights):
        dW[i] += factor * W[i]
    return value


# ----------------------------------------------------------------------------- optimizer


@_kernel
def optimizer_step(code, theta, grad, hyper, s1, s2, t):
    """One update of ``theta`` in place, as the optimizer classes write it (:mod:`glassnet.optimizers`).

    ``hyper = [lr, a, b, eps, weight_decay]`` with ``a, b`` the optimizer's
    constants (momentum μ; RMSprop's ρ; Adam's β₁, β₂); ``s1``, ``s2`` its state
    (velocity; square average; ``m``, ``v``); ``t`` the step number, from 1. A
    Python scalar meets an array in NumPy in the array's dtype, so here too.
    """
    f = theta.dtype.type
    lr, a, b, eps, decay = hyper[0], hyper[1], hyper[2], hyper[3], hyper[4]
    if code == SGD:
        for i in range(theta.shape[0]):
            theta[i] -= f(lr) * grad[i]  # θ ← θ − η g
    elif code in (MOMENTUM, NESTEROV):
        for i in range(theta.shape[0]):
            v = s1[i] * f(a) - f(lr) * grad[i]  # v ← μ v − η g
            s1[i] = v
            if code == MOMENTUM:
                theta[i] += v  # θ ← θ + v
            else:
                theta[i] = (theta[i] + f(a) * v) - f(lr) * grad[i]  # θ ← θ + μ v − η g
    elif code == EWMA:
        for i in range(theta.shape[0]):
            v = s1[i] * f(a) + f(1 - a) * grad[i]  # m ← β m + (1 − β) g
            s1[i] = v
            theta[i] -= f(lr) * v  # θ ← θ − η m
    elif code == RMSPROP:
        for i in range(theta.shape[0]):
            g = grad[i]
            s = s1[i] * f(a) + (f(1 - a) * g) * g  # s ← ρ s + (1 − ρ) g²
            s1[i] = s
            theta[i] -= (f(lr) * g) / (np.sqrt(s) + f(eps))  # θ ← θ − η g / (√s + ε)
    else:
        if code == ADAMW:
            for i in range(theta.shape[0]):
                theta[i] *= f(1 - lr * decay)  # θ ← θ − η λ θ
        _fused.adam_step(
            theta,
            grad,
            s1,
            s2,
            f(a),
            f(1 - a),
            f(b),
            f(1 - b),
            f(1 / math.sqrt(1 - b ** float(t))),
            f(eps),
            f(lr / (1 - a ** float(t))),
        )


# ----------------------------------------------------------------------------- the epoch


@_kernel
def train_epoch(
    X,
    Y,
    order,
    batch_size,
    sizes,
    hidden,
    out_code,
    value_scale,
    acc_code,
    work,
    a_off,
    d_off,
    theta,
    grad,
    l2,
    opt_code,
    hyper,
    clip,
    s1,
    s2,
    t,
):
    """Every mini-batch of one epoch (NumPy: ``training._Run._steps``).

    Per batch: gather the rows ``order[start:stop]`` (or take them in order when
    ``order`` is empty), forward, loss, output delta, backward, L2, the gradient's
    norm (clipped to ``clip`` if larger), the optimizer step.

    Returns ``(Σ loss·rows, Σ ‖grad‖, rows right, steps taken, loss of the last batch)``;
    a batch whose loss is not finite ends the epoch before its step, as in NumPy.
    """
    n, m_full, n_out = X.shape[0], batch_size, sizes[-1]
    n_weights = _n_weights(sizes)
    eps = np.finfo(theta.dtype).eps
    total, grad_norms, correct, steps, value = 0.0, 0.0, 0.0, 0, 0.0
    for start in range(0, n, m_full):
        m = min(start + m_full, n) - start
        if order.shape[0] == 0:
            A0, Yb = X[start : start + m], Y[start : start + m]
        else:
            A0, Yb = _block(work, a_off[0], m, X.shape[1]), _block(work, d_off[0], m, n_out)
            gather(X, order[start : start + m], A0)  # X.take(idx, axis=0, out=…)
            gather(Y, order[start : start + m], Yb)
        Y_hat = forward(sizes, hidden, out_code, theta, A0, work, a_off, m)
        value = loss_total(out_code, Y_hat, Yb, eps) * value_scale / m
        output_delta(Y_hat, Yb, theta.dtype.type(1.0 / m), _block(work, d_off[-1], m, n_out))
        backward(sizes, hidden, theta, grad, A0, work, a_off, d_off, m)
        if l2 != 0:
            value += l2_penalty(theta, grad, n_weights, l2, m)
        if not math.isfinite(value):
            break
        if acc_code != 0:
            correct += correct_rows(acc_code, Y_hat, Yb) / m * m
        norm = math.sqrt(np.dot(grad, grad))
        grad_norms += norm
        if norm > clip:  # Optimizer.step's clipping
            grad *= theta.dtype.type(clip / norm)
        steps += 1
        optimizer_step(opt_code, theta, grad, hyper, s1, s2, t + steps)
        total += value * m
    return total, grad_norms, correct, steps, value
