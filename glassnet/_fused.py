"""Fused kernels: a few of the engine's formulas as single compiled passes.

NumPy runs a formula such as Adam's ``m *= β₁; m += (1 − β₁) g; …`` as a dozen
separate passes over the arrays, each paying a call and a trip through memory.
Numba compiles the same formula, in the same order, into one loop. Each kernel
states the NumPy it replaces; the readable definitions stay where they were
(activations, optimizers), and the tests compare the two.

The module is imported on first use (it imports Numba, about 0.3 s), and the
compiled code is cached on disk. The kernels run on one thread: spread over
the cores with ``parallel=True`` they fight OpenBLAS's threads (which keep
spinning after each matrix product) and made a large training epoch five times
slower on two cores.
"""

from __future__ import annotations

from typing import Any

import numba
import numpy as np

from ._typing import FloatArray, IntArray

# error_model="numpy": a division by zero gives inf as in NumPy instead of raising,
# which leaves the loops free of branches, so that LLVM vectorizes them.
_kernel = numba.njit(error_model="numpy", cache=True)


# ----------------------------------------------------------------------------- Adam


@_kernel
def adam_step(
    theta: FloatArray,
    grad: FloatArray,
    m: FloatArray,
    v: FloatArray,
    beta1: np.floating[Any],
    one_minus_beta1: np.floating[Any],
    beta2: np.floating[Any],
    one_minus_beta2: np.floating[Any],
    inv_sqrt_correction2: np.floating[Any],
    eps: np.floating[Any],
    step: np.floating[Any],
) -> None:
    """One Adam step on 1-D arrays, in place; scalars already in the arrays' dtype.

    ``inv_sqrt_correction2 = 1/√(1 − β₂ᵗ)`` and ``step = η / (1 − β₁ᵗ)``.
    """
    # Each entry is read once into locals and written once: re-reading m[i] after
    # writing it would make LLVM assume the arrays may overlap and give up SIMD
    # (2.5 times slower).
    for i in range(theta.shape[0]):
        g = grad[i]
        m_i = m[i] * beta1 + g * one_minus_beta1  # m ← β₁ m + (1 − β₁) g
        v_i = v[i] * beta2 + (g * g) * one_minus_beta2  # v ← β₂ v + (1 − β₂) g²
        m[i], v[i] = m_i, v_i
        theta[i] -= (m_i / (np.sqrt(v_i) * inv_sqrt_correction2 + eps)) * step
        #            θ ← θ − η m̂ / (√v̂ + ε)


# ----------------------------------------------------------------------------- ReLU


@_kernel
def bias_relu(Z: FloatArray, b: FloatArray, A: FloatArray) -> None:
    """``Z += b; A[...] = max(Z, 0)`` in one pass (``Z``, ``A``: C-contiguous, same shape)."""
    for i in range(Z.shape[0]):
        for j in range(Z.shape[1]):
            z = Z[i, j] + b[j]
            Z[i, j] = z  # Z ← Z + b
            A[i, j] = z if z > 0 else 0  # A ← max(Z, 0)


@_kernel
def bias_relu_inplace(Z: FloatArray, b: FloatArray) -> bool:
    """``Z[...] = max(Z + b, 0)`` in place, in one pass: inference, where ``Z`` is not kept.

    Returns ``np.isfinite(Z + b).all()``, taken in the same pass (the loop is bound by
    memory, so the test costs nothing): inference looks for NaN and inf in its input
    this way (see ``Network._output_chunks``). ``bias_relu(Z, b, Z)`` would compute
    the same, four times slower: writing two arrays that may overlap stops LLVM from
    vectorizing the loop.
    """
    bad = False
    for i in range(Z.shape[0]):
        for j in range(Z.shape[1]):
            z = Z[i, j] + b[j]
            bad |= not (abs(z) < np.inf)  # z is NaN, +inf or −inf
            Z[i, j] = z if z > 0 else 0
    return not bad


@_kernel
def relu_mask(dA: FloatArray, A: FloatArray) -> None:
    """``dA *= (A > 0)`` in place, in one pass, without the boolean temporary.

    In place on purpose: with a separate output array that might alias ``dA``,
    the loop could not be vectorized (five times slower).
    """
    for i in range(dA.shape[0]):
        for j in range(dA.shape[1]):
            if A[i, j] <= 0:
                dA[i, j] = 0  # dZ = dA ⊙ [A > 0]


# ----------------------------------------------------------------------------- softmax


@_kernel
def softmax(Z: FloatArray, A: FloatArray) -> None:
    """``A = exp(Z − max) / Σ exp(Z − max)`` row by row, one row at a time."""
    for i in range(Z.shape[0]):
        top = Z[i, 0]
        for j in range(1, Z.shape[1]):
            top = max(top, Z[i, j])
        total = 0.0
        for j in range(Z.shape[1]):
            e = np.exp(Z[i, j] - top)  # exp(z − max z): never overflows
            A[i, j] = e
            total += e
        for j in range(Z.shape[1]):
            A[i, j] = A[i, j] / total


# ----------------------------------------------------------------------------- labels


@_kernel
def argmax_with_bias(Z: FloatArray, b: FloatArray, out: IntArray) -> None:
    """``out[...] = np.argmax(Z + b, axis=1)`` without the array ``Z + b``, row by row.

    As in NumPy, the first of equal largest entries wins, and a NaN counts as the
    largest (the first NaN of the row wins).
    """
    for i in range(Z.shape[0]):
        best = Z[i, 0] + b[0]
        k = 0
        if best == best:  # not NaN
            for j in range(1, Z.shape[1]):
                z = Z[i, j] + b[j]
                if z > best or z != z:
                    best, k = z, j
                    if z != z:
                        break
        out[i] = k


# ----------------------------------------------------------------------------- checks


@_kernel
def all_finite(a: FloatArray) -> bool:
    """``np.isfinite(a).all()`` for a 1-D array, in one pass and without the boolean temporary.

    The flag is OR-ed over every entry instead of returning at the first bad one:
    a loop without an early exit is one that LLVM vectorizes.
    """
    bad = False
    for i in range(a.shape[0]):
        bad |= not (abs(a[i]) < np.inf)  # False for NaN, +inf and −inf
    return not bad
