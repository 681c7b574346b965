"""The training loop: full-batch, stochastic and mini-batch gradient descent.

One epoch visits every sample once. With ``batch_size=None`` each epoch is a single
full-batch step; with ``batch_size=1`` it is stochastic gradient descent; anything
between is mini-batch descent, reshuffled every epoch from the given seed, with
the last batch holding the remainder (:mod:`glassnet.batches`). Each step is::

    loss, grad = backprop(batch)          (Network.loss_and_grad)
    optimizer.step(theta, grad)           (in place, on the flat vector)

Around that loop sit the extras: a learning-rate schedule ``lr = schedule(epoch)``,
L2/L1 and dropout, validation, callbacks (early stopping, stopping rules, progress:
:mod:`glassnet.callbacks`), restarts from several random initializations, and a
guard that stops a run which blows up and keeps the weights from before it
(:mod:`glassnet.divergence`).

:func:`train` validates what it is given and encodes the targets with the
network's head; :func:`fit_arrays` is the loop itself, for callers (the
estimators) that hand it arrays they have validated already.
"""

from __future__ import annotations

import copy
import math
import numbers
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, TypeAlias

import numpy as np

from . import _compiled_epoch
from ._typing import ArrayLike, FloatArray, IntArray, LossName, OptimizerName, RandomState, ScheduleName
from ._validation import check_non_negative, check_positive, check_random_state, check_sample_weight, check_X
from .batches import ArrayBatches, BatchSource
from .callbacks import Callback, Callbacks, as_callbacks
from .divergence import DivergenceGuard, DivergenceWatch
from .heads import head_for_loss
from .optimizers import get_optimizer
from .schedules import get_schedule

if TYPE_CHECKING:
    from scipy.sparse import spmatrix

    from .losses import Loss
    from .network import Network
    from .optimizers import Optimizer
    from .schedules import Schedule

Validation: TypeAlias = "tuple[Any, FloatArray] | None"
"""``(X_val, Y_val)`` with ``Y_val`` encoded (``X_val`` an array, a CSR matrix or Dask blocks), or None."""


@dataclass
class History:
    """What happened during training, one entry per epoch.

    ``history["loss"]`` works as in Keras. ``accuracy``/``val_accuracy`` are filled
    for classification, ``val_loss`` when there is validation data.
    """

    loss: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    accuracy: list[float] = field(default_factory=list)
    val_accuracy: list[float] = field(default_factory=list)
    lr: list[float] = field(default_factory=list)
    grad_norm: list[float] = field(default_factory=list)
    epoch_time: list[float] = field(default_factory=list)
    stop_reason: str = "max_epochs"
    best_epoch: int | None = None
    restart_losses: list[float] = field(default_factory=list)
    message: str = ""
    divergence: str | None = None
    """Why training diverged ("non-finite", "exploding loss", "exploding weights"), or None."""

    def __getitem__(self, key: str) -> Any:
        return getattr(self, key)

    @property
    def epochs(self) -> int:
        return len(self.loss)

    SERIES: ClassVar[tuple[str, ...]] = (
        "loss",
        "val_loss",
        "accuracy",
        "val_accuracy",
        "lr",
        "grad_norm",
        "epoch_time",
    )
    """The per-epoch lists, in the order they are reported."""

    def as_dict(self) -> dict[str, list[float]]:
        """Every non-empty per-epoch list, copied."""
        return {k: list(getattr(self, k)) for k in self.SERIES if getattr(self, k)}

    def extended(self, later: History) -> History:
        """A new History: these epochs, then ``later``'s (which says how the run ended)."""
        series: dict[str, Any] = {k: list(getattr(self, k)) + list(getattr(later, k)) for k in self.SERIES}
        joined = History(**series)
        joined.stop_reason, joined.message, joined.divergence = (
            later.stop_reason,
            later.message,
            later.divergence,
        )
        if later.best_epoch is not None:
            joined.best_epoch = len(self.loss) + later.best_epoch
        return joined

    def last(self) -> dict[str, float]:
        """The latest epoch's figures: ``{name: value}`` for every non-empty list."""
        return {k: getattr(self, k)[-1] for k in self.SERIES if getattr(self, k)}

    def __repr__(self) -> str:
        last = f"{self.loss[-1]:.6g}" if self.loss else "–"
        return f"History(epochs={self.epochs}, final loss={last}, stop_reason={self.stop_reason!r})"


def train(
    net: Network,
    X: ArrayLike | spmatrix,
    y: ArrayLike,
    *,
    optimizer: OptimizerName | Optimizer = "adam",
    lr: float | None = None,
    epochs: int = 100,
    batch_size: int | None = None,
    shuffle: bool = True,
    schedule: ScheduleName | Schedule | Callable[[int], float] | None = None,
    l2: float = 0.0,
    l1: float = 0.0,
    loss: LossName | Loss | None = None,
    sample_weight: ArrayLike | None = None,
    validation: tuple[ArrayLike, ArrayLike] | float | None = None,
    callbacks: Callbacks = (),
    restarts: int = 1,
    initial_epoch: int = 0,
    track_accuracy: bool = True,
    divergence: DivergenceGuard | None = DivergenceGuard(),
    random_state: RandomState = None,
) -> History:
    """Train ``net`` on ``(X, y)`` and return its :class:`History`.

    Parameters
    ----------
    net : Network
        Trained in place. float32 ``X`` converts it to float32.
    X : array-like or SciPy sparse matrix, shape (n_samples, n_inputs)
        A sparse ``X`` stays sparse: each mini-batch's rows are made dense as
        the batch is drawn, so memory grows with the batch, not with ``X``.
        A Dask array or DataFrame stays on its cluster: its row blocks stream to
        the loop one at a time, in a new order each epoch (:mod:`glassnet.distributed`).
    y : array-like
        As the network's head takes it (:mod:`glassnet.heads`): class labels of
        any type (1-D) for a softmax or single-sigmoid output; a 0/1 indicator
        matrix for multi-label sigmoid outputs; numbers, shape (n_samples,) or
        (n_samples, n_outputs), for regression.
    optimizer : str or Optimizer
        ``"sgd"``, ``"momentum"``, ``"nesterov"``, ``"rmsprop"``, ``"adam"``,
        ``"adamw"``, or an optimizer object (used as is; with restarts, copied).
    lr : float, optional
        Learning rate (of an optimizer given by name, or replacing an object's).
    epochs : int
        The epoch to train up to: ``epochs − initial_epoch`` epochs run.
    batch_size : int or None
        None = full batch; 1 = stochastic; otherwise mini-batches.
    shuffle : bool
        Reshuffle the samples before every epoch.
    schedule : str or callable, optional
        ``lr = schedule(epoch)``; a name from :mod:`glassnet.schedules` is built
        with the optimizer's learning rate (``"cosine"`` over ``epochs``). Objects
        with ``observe(loss)`` (reduce-on-plateau) are told each epoch's loss.
    l2, l1 : float
        Penalties on the weights: ``l2/2 · Σ‖W‖²/n`` and ``l1 · Σ|W|/n``.
    loss : str or Loss, optional
        Defaults to the head's canonical loss (squared error: :func:`~glassnet.heads.head_for_loss`).
    sample_weight : array-like, shape (n_samples,), optional
    validation : (X_val, y_val) or float, optional
        Validation data, or the fraction of the training data to hold out for it
        (stratified for class labels). Each epoch records ``val_loss`` (and
        ``val_accuracy`` for classifiers).
    callbacks : sequence of Callback or functions ``f(epoch, logs)``
        See :mod:`glassnet.callbacks`: :class:`~glassnet.callbacks.EarlyStopping`,
        :class:`~glassnet.callbacks.StopAtLoss`, :class:`~glassnet.callbacks.StopAtGradNorm`,
        :class:`~glassnet.callbacks.PrintProgress`, :class:`~glassnet.callbacks.ProgressBar`.
        ``logs`` holds the epoch's figures plus ``"net"``; returning True stops.
    restarts : int
        Train from this many random initializations (the first is the network's
        current weights) and keep the best (lowest validation loss if there is
        validation data, else lowest training loss). Restart ``k`` draws its weights
        from the ``k``-th generator spawned from ``random_state``
        (``Generator.spawn``): the same for a given seed, whatever the runs before it drew.
    initial_epoch : int
        The epoch to start counting from, when continuing a run: the schedule and
        the callbacks see ``initial_epoch, …, epochs − 1``.
    track_accuracy : bool
        Record the running training accuracy of classifiers (costs a little per batch).
    divergence : DivergenceGuard or None
        When to stop a run that blows up (see :class:`DivergenceGuard`); it then
        warns with :class:`TrainingDivergedWarning` and keeps the weights from
        before the blow-up. None checks only for NaN and infinity.
    random_state : int, Generator or None
        Seeds shuffling, the validation split and restarts. Dropout masks come
        from the network's own generator (``Network(random_state=...)``).

    Returns
    -------
    History
    """
    from .network import Network

    if not isinstance(net, Network):
        raise TypeError(f"train needs a glassnet Network to train, got {type(net).__name__}")
    if divergence is not None and not isinstance(divergence, DivergenceGuard):
        raise TypeError(f"divergence must be a DivergenceGuard or None, got {divergence!r}")
    rng = check_random_state(random_state)
    _check_settings(epochs, initial_epoch, restarts, batch_size, l2, l1)
    net.head = head_for_loss(net.head, y, loss)
    loss = net.resolve_loss(loss)
    batches, validation = _batch_source(net, X, y, sample_weight, validation, batch_size, shuffle, rng)
    opt = _optimizer(optimizer, lr)
    schedule = None if schedule is None else get_schedule(schedule, opt.lr, epochs=epochs)
    return fit_arrays(
        net,
        batches,
        opt,
        epochs=epochs,
        loss=loss,
        schedule=schedule,
        l2=l2,
        l1=l1,
        validation=validation,
        callbacks=callbacks,
        restarts=restarts,
        initial_epoch=initial_epoch,
        divergence=divergence,
        rng=rng,
        track_accuracy=track_accuracy and net.head.is_classifier,
    )


def fit_arrays(
    net: Network,
    batches: BatchSource,
    optimizer: Optimizer,
    *,
    epochs: int,
    loss: LossName | Loss | None = None,
    schedule: Callable[[int], float] | None = None,
    l2: float = 0.0,
    l1: float = 0.0,
    validation: Validation = None,
    callbacks: Callbacks = (),
    restarts: int = 1,
    initial_epoch: int = 0,
    track_accuracy: bool = False,
    divergence: DivergenceGuard | None = DivergenceGuard(),
    rng: RandomState = None,
) -> History:
    """The training loop on trusted data: no checks, targets already encoded.

    ``batches`` is a batch source (:class:`glassnet.batches.ArrayBatches`) over
    arrays of the network's dtype and width; ``validation`` is ``(X_val, Y_val)``
    with ``Y_val`` encoded; ``optimizer`` an Optimizer object; ``schedule`` a
    callable or None. See :func:`train` for the rest.
    """
    rng = check_random_state(rng)
    loss = net.resolve_loss(loss)
    callbacks = as_callbacks(callbacks)
    best: tuple[float, FloatArray, History] | None = None
    scores: list[float] = []
    # Each restart draws its weights from its own stream, spawned from ``rng``: they depend on
    # the seed and the restart's number alone, not on how much the runs before drew, and never
    # repeat the network's first weights when ``Network`` and ``train`` were given one seed.
    starts = rng.spawn(restarts - 1) if restarts > 1 else []
    for restart in range(restarts):
        if restart > 0:
            net.initialize(starts[restart - 1])
        opt = optimizer if restarts == 1 else copy.deepcopy(optimizer)
        if restart > 0:
            opt.reset()
        sched = copy.deepcopy(schedule) if restarts > 1 and schedule is not None else schedule
        run = _Run(
            net,
            batches,
            loss,
            opt,
            sched,
            l2,
            l1,
            validation,
            callbacks,
            track_accuracy,
            divergence,
            rng,
            initial_epoch,
            epochs,
        )
        # Overflow on the way to a non-finite loss is reported once, by the divergence guard.
        with np.errstate(over="ignore", invalid="ignore"):
            history = run.fit()
        scores.append(_restart_score(history))
        if best is None or scores[-1] < best[0]:
            best = (scores[-1], net.theta.copy(), history)
    assert best is not None  # restarts >= 1
    if restarts > 1:
        net.set_params(best[1])
        best[2].restart_losses = scores
    return best[2]


def predict_outputs(net: Network, X: Any) -> FloatArray:
    """``Ŷ`` for validation rows: in memory, or held out on a Dask cluster (whose
    :meth:`~glassnet.distributed.blocks.BlockData.outputs` computes it where they live)."""
    outputs = getattr(X, "outputs", None)
    Y_hat: FloatArray = net.predict_output(X) if outputs is None else outputs(net)
    return Y_hat


def _optimizer(optimizer: OptimizerName | Optimizer, lr: float | None) -> Optimizer:
    """The optimizer named (built with ``lr``), or the object given (its rate set to ``lr``)."""
    if not isinstance(optimizer, str):
        opt = get_optimizer(optimizer)
        if lr is not None:
            opt.lr = check_positive(lr, "lr")
        return opt
    return get_optimizer(optimizer, **({} if lr is None else {"lr": lr}))


def _check_settings(
    epochs: int, initial_epoch: int, restarts: int, batch_size: int | None, l2: float, l1: float
) -> None:
    check_positive(epochs, "epochs", integer=True)
    check_positive(restarts, "restarts", integer=True)
    check_positive(batch_size, "batch_size", integer=True, allow_none=True)
    check_non_negative(l2, "l2")
    check_non_negative(l1, "l1")
    if (
        isinstance(initial_epoch, bool)
        or not isinstance(initial_epoch, int)
        or not 0 <= initial_epoch < epochs
    ):
        raise ValueError(f"initial_epoch must be an integer in [0, epochs), got {initial_epoch!r}")


def _batch_source(
    net: Network,
    X: Any,
    y: ArrayLike,
    sample_weight: ArrayLike | None,
    validation: tuple[ArrayLike, ArrayLike] | float | None,
    batch_size: int | None,
    shuffle: bool,
    rng: np.random.Generator,
) -> tuple[BatchSource, Validation]:
    """``(batches, validation)`` for :func:`fit_arrays`: arrays checked here, or Dask collections."""
    from .distributed.arrays import is_dask_collection

    if is_dask_collection(X, y, sample_weight):  # rows on a Dask cluster, streamed a block at a time
        from .distributed.training import streaming_data

        return streaming_data(net, X, y, sample_weight, validation, batch_size, shuffle, rng)
    X, Y, sw, validation = _checked_data(net, X, y, sample_weight, validation, rng)
    return ArrayBatches(X, Y, sw, batch_size, shuffle), validation


def _checked_data(
    net: Network,
    X: Any,
    y: ArrayLike,
    sample_weight: ArrayLike | None,
    validation: tuple[ArrayLike, ArrayLike] | float | None,
    rng: np.random.Generator,
) -> tuple[Any, FloatArray, FloatArray | None, Validation]:
    """``(X, Y, sample_weight, validation)`` validated, in the network's dtype, targets encoded."""
    X = check_X(X, accept_sparse=True)
    net.astype(X.dtype)
    if X.shape[1] != net.n_inputs:
        raise ValueError(f"X has {X.shape[1]} features, but the network expects {net.n_inputs}")
    Y, labels = encode_targets(net, y, X.shape[0], fit=True)
    sw = check_sample_weight(sample_weight, X.shape[0], X.dtype)
    return _validation_data(net, validation, X, Y, labels, sw, rng)


def _restart_score(history: History) -> float:
    curve = history.val_loss or history.loss
    score = curve[-1] if curve else math.inf
    if history.best_epoch is not None:  # early stopping put its best epoch back
        score = curve[history.best_epoch]
    return score if math.isfinite(score) else math.inf


def encode_targets(
    net: Network, y: ArrayLike, n_samples: int, fit: bool = False
) -> tuple[FloatArray, IntArray | None]:
    """Turn user targets into the numeric matrix ``Y`` the output layer needs.

    Returns ``(Y, labels)``: ``labels`` are the integer class indices (for
    stratified splits) or None for regression and multi-label targets. With
    ``fit=True`` the network's head remembers the classes (``net.classes_``).
    """
    y = np.asarray(y)
    if y.ndim == 0 or y.shape[0] != n_samples:
        got = 0 if y.ndim == 0 else y.shape[0]
        raise ValueError(f"X and y have different numbers of samples: {n_samples} and {got}")
    encoded: tuple[FloatArray, IntArray | None] = net.head.encode(y, net.n_outputs, net.dtype, fit=fit)
    return encoded


def _validation_data(
    net: Network,
    validation: tuple[ArrayLike, ArrayLike] | float | None,
    X: Any,
    Y: FloatArray,
    labels: IntArray | None,
    sw: FloatArray | None,
    rng: np.random.Generator,
) -> tuple[Any, FloatArray, FloatArray | None, Validation]:
    """``(X, Y, sw, (X_val, Y_val) or None)``: given validation data, or a held-out fraction."""
    if validation is None:
        return X, Y, sw, None
    if isinstance(validation, (tuple, list)) and len(validation) == 2:
        X_val = check_X(validation[0], net.n_inputs, dtype=X.dtype, name="X_val", accept_sparse=True)
        Y_val, _ = encode_targets(net, validation[1], X_val.shape[0])
        return X, Y, sw, (X_val, Y_val)
    if isinstance(validation, bool) or not isinstance(validation, (int, float)) or not 0 < validation < 1:
        raise ValueError(
            "validation must be (X_val, y_val) or a fraction in (0, 1) of the training data "
            f"to hold out, got {validation!r}"
        )
    return _hold_out(X, Y, labels, sw, validation, rng)


def _hold_out(
    X: Any,
    Y: FloatArray,
    labels: IntArray | None,
    sw: FloatArray | None,
    fraction: float,
    rng: np.random.Generator,
) -> tuple[Any, FloatArray, FloatArray | None, Validation]:
    """Split off a validation set, stratified when there are class labels."""
    n = X.shape[0]
    if labels is not None:
        per_class = []
        for c in np.unique(labels):
            members = rng.permutation(np.flatnonzero(labels == c))
            per_class.append(members[: max(1, int(round(fraction * members.size)))])
        val_idx = np.concatenate(per_class)
    else:
        val_idx = rng.permutation(n)[: max(1, int(round(fraction * n)))]
    keep = np.ones(n, dtype=bool)
    keep[val_idx] = False
    if keep.sum() == 0:
        raise ValueError("the validation fraction leaves no training samples")
    return X[keep], Y[keep], None if sw is None else sw[keep], (X[val_idx], Y[val_idx])


def _scheduled_lr(schedule: Callable[[int], float], epoch: int) -> float:
    """The schedule's learning rate for ``epoch``: a finite number ≥ 0 (a cosine schedule
    ends at 0; a negative rate would climb the loss instead of descending it)."""
    lr = schedule(epoch)
    if isinstance(lr, bool) or not isinstance(lr, numbers.Real) or not math.isfinite(lr) or lr < 0:
        raise ValueError(
            f"the schedule gave the learning rate {lr!r} for epoch {epoch + 1}: it must be a number ≥ 0"
        )
    return float(lr)


class _Run:
    """One training run from its first epoch to its last: what callbacks see as ``run``."""

    def __init__(
        self,
        net: Network,
        batches: BatchSource,
        loss: Loss,
        optimizer: Optimizer,
        schedule: Callable[[int], float] | None,
        l2: float,
        l1: float,
        validation: Validation,
        callbacks: list[Callback],
        track_accuracy: bool,
        divergence: DivergenceGuard | None,
        rng: np.random.Generator,
        initial_epoch: int,
        epochs: int,
    ) -> None:
        self.net, self.batches, self.loss = net, batches, loss
        self.optimizer, self.schedule, self.l2, self.l1 = optimizer, schedule, l2, l1
        self.validation, self.callbacks, self.rng = validation, callbacks, rng
        self.track_accuracy, self.initial_epoch, self.epochs = track_accuracy, initial_epoch, epochs
        self.history = History()
        self.watch = DivergenceWatch(divergence, net.theta, batches.target_scale())
        self.training = any(layer.dropout > 0 for layer in net.layers)
        # The same epochs, compiled into one call each, where that is supported and faster.
        self.compiled = _compiled_epoch.plan(self)

    def fit(self) -> History:
        history = self.history
        for callback in self.callbacks:
            callback.on_train_begin(self)
        try:
            for epoch in range(self.initial_epoch, self.epochs):
                stop = self._epoch(epoch)
                if stop:
                    history.stop_reason = stop
                    break
        finally:
            for callback in self.callbacks:
                callback.on_train_end(self)
        return history

    def _epoch(self, epoch: int) -> str | None:
        """Train one epoch and record it; the reason to stop, or None."""
        net, opt, history = self.net, self.optimizer, self.history
        start_time = time.perf_counter()
        for callback in self.callbacks:
            callback.on_epoch_begin(epoch)
        if self.schedule is not None:
            opt.lr = _scheduled_lr(self.schedule, epoch)
        epoch_loss, grad_norm, accuracy, diverged = self._steps()
        diverged = diverged or self.watch.check(epoch, epoch_loss, net.theta)
        if diverged:
            self.watch.give_up(epoch, diverged, net.theta, history)
            return "diverged"
        self.watch.keep_if_best(epoch, epoch_loss, net.theta)
        history.loss.append(epoch_loss)
        history.lr.append(opt.lr)
        history.grad_norm.append(grad_norm)
        if accuracy is not None:
            history.accuracy.append(accuracy)
        if self.validation is not None:
            self._validate()
        if self.schedule is not None and hasattr(self.schedule, "observe"):
            self.schedule.observe(history.val_loss[-1] if history.val_loss else epoch_loss)
        history.epoch_time.append(time.perf_counter() - start_time)
        logs = {**history.last(), "net": net}
        stop = None
        for callback in self.callbacks:
            if callback.on_epoch_end(epoch, logs):
                stop = stop or callback.stop_reason
        return stop

    def _steps(self) -> tuple[float, float, float | None, str | None]:
        """Every mini-batch of one epoch: ``(mean loss, mean ‖grad‖, accuracy or None, diverged)``."""
        if self.compiled is not None:
            return self.compiled.steps()
        net, opt, loss, head = self.net, self.optimizer, self.loss, self.net.head
        theta, grad = net.theta, net.grad
        total, grad_norms, correct = 0.0, 0.0, 0.0
        for Xb, Yb, swb in self.batches.epoch(self.rng):
            size = Xb.shape[0]
            value = net.loss_and_grad(
                Xb,
                Yb,
                loss,
                l2=self.l2,
                l1=self.l1,
                sample_weight=swb,
                training=self.training,
                buffers=net._training_buffers(size),
            )
            if not math.isfinite(value):
                return value, math.nan, None, "non-finite"
            if self.track_accuracy:
                out = net.layers[-1].A
                assert out is not None  # the forward pass of loss_and_grad filled it
                right = head.batch_accuracy(out, Yb)
                assert right is not None  # accuracy is tracked for classifiers only
                correct += right * size
            grad_norms += math.sqrt(float(np.dot(grad, grad)))
            opt.step(theta, grad)
            total += value * size
        n = self.batches.n_samples
        accuracy = correct / n if self.track_accuracy else None
        return total / n, grad_norms / self.batches.n_batches, accuracy, None

    def _validate(self) -> None:
        assert self.validation is not None  # called only with validation data
        X_val, Y_val = self.validation
        Y_hat = predict_outputs(self.net, X_val)
        self.history.val_loss.append(self.loss(Y_hat, Y_val))
        accuracy = self.net.head.batch_accuracy(Y_hat, Y_val)
        if accuracy is not None:  # a classifier's head
            self.history.val_accuracy.append(accuracy)
