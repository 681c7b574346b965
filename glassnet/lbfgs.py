"""L-BFGS on the flat parameter vector: SciPy's L-BFGS-B minimizing the network's loss.

Gradient descent takes a step against the gradient of one batch at a time. L-BFGS
is a quasi-Newton method: it looks at the whole training set at every step and,
from the last few gradients, builds an approximation of the curvature (the
inverse Hessian) to choose both the direction and, by a line search, the length
of each step. On small data sets it often reaches a lower loss in far fewer
passes than SGD or Adam, which is why scikit-learn's MLP offers it.

SciPy only needs a function that returns the loss and its gradient at a point
``θ``. Because every weight and bias of a :class:`~glassnet.Network` lives in one
flat vector ``net.theta`` (and the gradients in ``net.grad``), that function is
three lines::

    theta[...] = x                                  put SciPy's point into the network
    value = net.loss_and_grad(X, Y, loss, l2=...)   forward + backpropagation
    return value, grad                              the loss and ∂loss/∂θ
"""

from __future__ import annotations

import contextlib
import functools
import os
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import scipy.optimize
import scipy.sparse as sp

from ._typing import ArrayLike, FloatArray, LossName, NDArray
from ._validation import check_non_negative, check_positive, check_sample_weight, check_X
from .callbacks import CallbackFunction
from .training import encode_targets

if TYPE_CHECKING:
    from contextlib import AbstractContextManager

    from scipy.optimize import OptimizeResult
    from scipy.sparse import spmatrix

    from .losses import Loss
    from .network import Network

Objective = Callable[[NDArray[np.float64]], tuple[float, NDArray[np.float64]]]
"""``x ↦ (loss, float64 gradient)`` at the point ``x`` SciPy asks for."""


def minimize_lbfgs(
    net: Network,
    X: ArrayLike | spmatrix,
    y: ArrayLike,
    loss: LossName | Loss | None = None,
    l2: float = 0.0,
    l1: float = 0.0,
    sample_weight: ArrayLike | None = None,
    max_iter: int = 200,
    max_fun: int = 15000,
    tol: float = 1e-4,
    callbacks: Sequence[CallbackFunction] = (),
) -> OptimizeResult:
    """Train ``net`` in place with L-BFGS-B over its flat parameter vector ``theta``.

    Minimizes the full-batch loss (mean over samples, plus ``l2/2 · Σ‖W‖²/n`` and
    ``l1 · Σ|W|/n``) with ``scipy.optimize.minimize(method="L-BFGS-B", jac=True)``.

    Parameters
    ----------
    net : Network
        Trained in place; float32 ``X`` converts it to float32 (SciPy itself
        always works in float64).
    X : array-like or SciPy sparse matrix, shape (n_samples, n_inputs)
        Full batch: a sparse ``X`` is made dense, whole. A Dask array or DataFrame
        stays on its cluster: each iteration sends ``θ`` to the workers and reduces
        their blocks' loss and gradient sums (:mod:`glassnet.distributed.lbfgs`).
    y : array-like
        Targets as for :func:`glassnet.train`: labels for a softmax or single
        sigmoid output, a 0/1 matrix for several sigmoid outputs, numbers for
        regression.
    loss : str or Loss, optional
        Defaults to the output activation's canonical loss.
    l2, l1 : float
        Penalties on the weights (not the biases).
    sample_weight : array-like, shape (n_samples,), optional
        The loss becomes the weighted mean ``Σ wᵢ ℓᵢ / Σ wᵢ``.
    max_iter : int
        Most L-BFGS iterations.
    max_fun : int
        Most evaluations of the loss (a line search may take several per iteration).
    tol : float
        Stop when the largest entry of the gradient falls to ``tol`` (SciPy's ``gtol``).
    callbacks : sequence of callables
        ``callback(iteration, logs)`` after each iteration, ``logs`` holding
        ``"loss"`` and ``"net"``; returning True stops the optimization.

    Returns
    -------
    scipy.optimize.OptimizeResult
        ``x`` the final ``theta`` (also copied into ``net.theta``), ``fun`` its
        loss, ``nit`` iterations, ``nfev`` loss evaluations, ``status`` 0 when
        it converged (1: a limit was reached, 99: a callback stopped it) and
        ``message``.
    """
    check_non_negative(l2, "l2")
    check_non_negative(l1, "l1")
    check_positive(max_iter, "max_iter", integer=True)
    check_positive(max_fun, "max_fun", integer=True)
    check_non_negative(tol, "tol")
    from .distributed.arrays import is_dask_collection

    Y: FloatArray | None
    sw: FloatArray | None
    if is_dask_collection(X, y, sample_weight):  # rows on a Dask cluster: reduced where they live
        from .distributed.training import network_data

        X, Y, sw = network_data(net, X, y, sample_weight), None, None
    else:
        X = check_X(X)
        net.astype(X.dtype)
        if X.shape[1] != net.n_inputs:
            raise ValueError(f"X has {X.shape[1]} features, but the network expects {net.n_inputs}")
        Y, _ = encode_targets(net, y, X.shape[0], fit=True)
        sw = check_sample_weight(sample_weight, X.shape[0], X.dtype)
    return lbfgs_arrays(
        net,
        X,
        Y,
        loss=loss,
        l2=l2,
        l1=l1,
        sample_weight=sw,
        max_iter=max_iter,
        max_fun=max_fun,
        tol=tol,
        callbacks=callbacks,
    )


def lbfgs_arrays(
    net: Network,
    X: Any,
    Y: FloatArray | None,
    loss: LossName | Loss | None = None,
    l2: float = 0.0,
    l1: float = 0.0,
    sample_weight: FloatArray | None = None,
    max_iter: int = 200,
    max_fun: int = 15000,
    tol: float = 1e-4,
    callbacks: Sequence[CallbackFunction] = (),
) -> OptimizeResult:
    """:func:`minimize_lbfgs` on trusted arrays: ``X`` (dense or sparse, made dense whole)
    of the network's dtype and width, ``Y`` encoded; no checks.

    ``X`` may also be a :class:`glassnet.distributed.blocks.BlockData` (rows on a Dask
    cluster, ``Y`` and the weights inside it): the loss and gradient are then sums
    reduced over the workers (:mod:`glassnet.distributed.lbfgs`).
    """
    loss = net.resolve_loss(loss)
    settings: dict[str, Any] = {"max_iter": max_iter, "max_fun": max_fun, "tol": tol, "callbacks": callbacks}
    if not isinstance(X, np.ndarray) and not sp.issparse(X):
        from .distributed.lbfgs import lbfgs_blocks

        return lbfgs_blocks(net, X, loss, l2=l2, l1=l1, **settings)
    assert Y is not None  # (only Dask blocks hold their targets themselves)
    if sp.issparse(X):
        X = X.toarray()
    sw = sample_weight
    theta, grad = net.theta, net.grad
    buffers = net._training_buffers(X.shape[0])

    def loss_and_grad(x: NDArray[np.float64]) -> tuple[float, NDArray[np.float64]]:
        theta[...] = x
        value = net.loss_and_grad(X, Y, loss, l2=l2, l1=l1, sample_weight=sw, buffers=buffers)
        # A float64 copy: SciPy keeps the gradient while net.grad is overwritten next call.
        return value, grad.astype(np.float64)

    return minimize_objective(net, loss_and_grad, **settings)


def minimize_objective(
    net: Network,
    loss_and_grad: Objective,
    max_iter: int = 200,
    max_fun: int = 15000,
    tol: float = 1e-4,
    callbacks: Sequence[CallbackFunction] = (),
) -> OptimizeResult:
    """SciPy's L-BFGS-B from ``net.theta`` on ``loss_and_grad(x) -> (value, float64 gradient)``.

    The one driver of both the in-memory and the distributed L-BFGS: they differ
    only in where the loss and gradient are computed. Leaves the result in ``net.theta``.
    """
    theta = net.theta
    iteration = 0

    def after_iteration(intermediate_result: OptimizeResult) -> None:
        nonlocal iteration
        logs = {"loss": float(intermediate_result.fun), "net": net}
        stop = False
        for callback in callbacks:
            stop = bool(callback(iteration, logs)) or stop
        iteration += 1
        if stop:
            raise StopIteration  # SciPy ends the run, status 99

    with _scipy_blas_on_one_thread():
        result = scipy.optimize.minimize(
            loss_and_grad,
            theta.astype(np.float64),
            method="L-BFGS-B",
            jac=True,
            callback=after_iteration if callbacks else None,
            options={"maxiter": max_iter, "maxfun": max_fun, "gtol": tol},
        )
    theta[...] = result.x
    return result


def _scipy_blas_on_one_thread() -> AbstractContextManager[Any]:
    """Limit the BLAS library that SciPy links (when it is not NumPy's) to one thread.

    L-BFGS-B makes many tiny BLAS calls on vectors of length ``n_params``; with
    several threads each call can cost more in synchronisation than in arithmetic
    (measured on two busy cores: 15× slower). NumPy's BLAS, which does the
    network's matrix products, keeps its threads.
    """
    scipy_blas = _scipy_blas()
    return contextlib.nullcontext() if scipy_blas is None else scipy_blas.limit(limits=1)


@functools.cache
def _scipy_blas() -> Any:
    try:
        from threadpoolctl import ThreadpoolController
    except ImportError:  # pragma: no cover - threadpoolctl comes with scikit-learn
        return None
    controller = ThreadpoolController()  # scans the loaded libraries: done once
    paths = [
        lib.filepath
        for lib in controller.lib_controllers
        if lib.user_api == "blas" and "scipy" in os.path.basename(os.path.dirname(lib.filepath))
    ]
    return controller.select(filepath=paths) if paths else None
