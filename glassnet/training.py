"""The training loop: full-batch, stochastic and mini-batch gradient descent.

One epoch visits every sample once. With ``batch_size=None`` each epoch is a single
full-batch step; with ``batch_size=1`` it is stochastic gradient descent; anything
between is mini-batch descent, reshuffled every epoch from the given seed, with
the last batch holding the remainder. Each step is::

    loss, grad = backprop(batch)          (Network.loss_and_grad)
    optimizer.step(theta, grad)           (in place, on the flat vector)

Around that loop sit the extras: a learning-rate schedule, L2/L1 and dropout,
validation, early stopping (loss threshold, gradient-norm threshold, validation
score with patience), callbacks, progress printing, restarts from several random
initializations, and a guard that stops on a non-finite loss and keeps the last
good weights.
"""

from __future__ import annotations

import copy
import math
import time
import warnings
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from ._validation import (check_non_negative, check_positive, check_random_state, check_X)
from .optimizers import get_optimizer
from .schedules import get_schedule


class TrainingDivergedWarning(UserWarning):
    """Training diverged; it stopped and kept the weights from before the blow-up."""


@dataclass(frozen=True)
class DivergenceGuard:
    """When a run counts as diverged, before its loss turns NaN.

    Checked after every mini-batch (the first rule) and every epoch (all rules):

    - the loss, the gradient or a weight is NaN or infinite;
    - the epoch's loss exceeds ``loss_factor`` × the first epoch's loss (it "grows far
      past its start": a loss that has learned something does not jump a thousandfold);
    - a weight exceeds ``weight_factor`` × ``max(1, max|θ₀|, max|Y|)`` in magnitude.
      A sigmoid or softmax output bounds the loss while the weights run off to 1e96,
      so the loss alone would never tell; the targets' scale is in the bound so that a
      regression on unscaled targets (biases near 1e9) is not mistaken for a blow-up.

    On divergence the weights of the epoch with the lowest training loss are put back
    (the initial weights if no epoch improved on them): the last weights *before* the
    blow-up began, not merely the last finite ones.

    With ``stop=False`` an exploding loss or weights only warn (once) and training
    goes on until the values stop being finite, as scikit-learn's MLP does; the
    estimators train that way.
    """

    loss_factor: float = 1e3
    weight_factor: float = 1e6
    stop: bool = True

    def __post_init__(self):
        check_positive(self.loss_factor, "loss_factor")
        check_positive(self.weight_factor, "weight_factor")


@dataclass
class History:
    """What happened during training, one entry per epoch.

    ``history["loss"]`` works as in Keras. ``accuracy``/``val_accuracy`` are filled
    for classification, ``val_loss`` when there is validation data.
    """

    loss: list = field(default_factory=list)
    val_loss: list = field(default_factory=list)
    accuracy: list = field(default_factory=list)
    val_accuracy: list = field(default_factory=list)
    lr: list = field(default_factory=list)
    grad_norm: list = field(default_factory=list)
    epoch_time: list = field(default_factory=list)
    stop_reason: str = "max_epochs"
    best_epoch: int | None = None
    restart_losses: list = field(default_factory=list)
    message: str = ""
    divergence: str | None = None
    """Why training diverged ("non-finite", "exploding loss", "exploding weights"), or None."""

    def __getitem__(self, key):
        return getattr(self, key)

    @property
    def epochs(self):
        return len(self.loss)

    SERIES = ("loss", "val_loss", "accuracy", "val_accuracy", "lr", "grad_norm", "epoch_time")
    """The per-epoch lists, in the order they are reported."""

    def as_dict(self):
        """Every non-empty per-epoch list, copied."""
        return {k: list(getattr(self, k)) for k in self.SERIES if getattr(self, k)}

    def last(self):
        """The latest epoch's figures: ``{name: value}`` for every non-empty list."""
        return {k: getattr(self, k)[-1] for k in self.SERIES if getattr(self, k)}

    def __repr__(self):
        last = f"{self.loss[-1]:.6g}" if self.loss else "–"
        return f"History(epochs={self.epochs}, final loss={last}, stop_reason={self.stop_reason!r})"


def train(net, X, y, loss=None, optimizer="adam", lr=None, epochs=100, batch_size=None,
          shuffle=True, schedule=None, l2=0.0, l1=0.0, sample_weight=None,
          validation_data=None, validation_fraction=None, early_stopping=False,
          monitor="val_loss", patience=10, min_delta=0.0, restore_best=True,
          loss_threshold=None, grad_threshold=None, callbacks=(), print_every=0,
          restarts=1, track_accuracy=True, divergence=DivergenceGuard(), random_state=None):
    """Train ``net`` on ``(X, y)`` and return its :class:`History`.

    Parameters
    ----------
    net : Network
        Trained in place. float32 ``X`` converts it to float32.
    X : array-like or SciPy sparse matrix, shape (n_samples, n_inputs)
        A sparse ``X`` stays sparse: each mini-batch's rows are made dense as
        the batch is drawn, so memory grows with the batch, not with ``X``.
    y : array-like
        Class labels of any type (1-D) for a softmax or single-sigmoid output;
        a 0/1 indicator matrix for multi-label sigmoid outputs; numbers,
        shape (n_samples,) or (n_samples, n_outputs), for regression.
    loss : str or Loss, optional
        Defaults to the output activation's canonical loss.
    optimizer : str or Optimizer
        ``"sgd"``, ``"momentum"``, ``"nesterov"``, ``"rmsprop"``, ``"adam"``,
        ``"adamw"``, or an optimizer object (used as is; with restarts, copied).
    lr : float, optional
        Learning rate for an optimizer given by name.
    epochs : int
    batch_size : int or None
        None = full batch; 1 = stochastic; otherwise mini-batches.
    shuffle : bool
        Reshuffle the samples before every epoch.
    schedule : str or callable, optional
        ``lr = schedule(epoch)``; a name from :mod:`glassnet.schedules` is built
        with the optimizer's learning rate. Objects with ``observe(loss)``
        (reduce-on-plateau) are told each epoch's loss.
    l2, l1 : float
        Penalties on the weights: ``l2/2 · Σ‖W‖²/n`` and ``l1 · Σ|W|/n``.
    sample_weight : array-like, shape (n_samples,), optional
    validation_data : (X_val, y_val), optional
    validation_fraction : float, optional
        Hold out this fraction of the training data (stratified for labels).
    early_stopping : bool
        Stop when ``monitor`` (``"val_loss"``, ``"val_accuracy"`` or ``"loss"``)
        has not improved by ``min_delta`` for ``patience`` epochs; with
        ``restore_best`` the best weights are put back.
    loss_threshold : float, optional
        Stop once the epoch's training loss is at or below it.
    grad_threshold : float, optional
        Stop once the epoch's mean gradient norm falls below it.
    callbacks : sequence of callables
        ``callback(epoch, logs)`` after each epoch, ``logs`` a dict of that
        epoch's figures plus ``"net"``; returning True stops training.
    print_every : int
        Print a progress line every this many epochs (0: silent).
    restarts : int
        Train from this many random initializations (the first is the network's
        current weights) and keep the best (lowest validation loss if there is
        validation data, else lowest training loss).
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
    rng = check_random_state(random_state)
    X = check_X(X, accept_sparse=True)
    net.astype(X.dtype)
    if X.shape[1] != net.n_inputs:
        raise ValueError(f"X has {X.shape[1]} features, but the network expects {net.n_inputs}")
    loss = net.resolve_loss(loss)
    Y, labels = encode_targets(net, y, X.shape[0])
    sw = _check_sample_weight(sample_weight, X.shape[0], X.dtype)
    check_positive(epochs, "epochs", integer=True)
    check_positive(restarts, "restarts", integer=True)
    check_positive(batch_size, "batch_size", integer=True, allow_none=True)
    check_non_negative(l2, "l2")
    check_non_negative(l1, "l1")
    check_non_negative(print_every, "print_every")
    if monitor not in ("val_loss", "val_accuracy", "loss"):
        raise ValueError(f"unknown monitor {monitor!r}; valid choices are: val_loss, val_accuracy, loss")

    if validation_fraction is not None:
        if validation_data is not None:
            raise ValueError("give validation_data or validation_fraction, not both")
        if not 0 < validation_fraction < 1:
            raise ValueError(f"validation_fraction must be in (0, 1), got {validation_fraction!r}")
        X, Y, sw, validation = _hold_out(X, Y, labels, sw, validation_fraction, rng)
    elif validation_data is not None:
        X_val, y_val = validation_data
        X_val = check_X(X_val, net.n_inputs, dtype=X.dtype, name="X_val", accept_sparse=True)
        Y_val, _ = encode_targets(net, y_val, X_val.shape[0], fit=False)
        validation = (X_val, Y_val)
    else:
        validation = None
    if early_stopping and monitor.startswith("val_") and validation is None:
        raise ValueError("early_stopping on a validation score needs validation_data or validation_fraction")

    template = get_optimizer(optimizer, **({} if lr is None else {"lr": lr}))
    if lr is not None and not isinstance(optimizer, str):
        template.lr = check_positive(lr, "lr")
    is_classifier = net.classes_ is not None or net.output_activation.name in ("softmax", "sigmoid")

    best, scores = None, []
    for restart in range(restarts):
        if restart > 0:
            net.initialize(rng)
        opt = template if restarts == 1 else copy.deepcopy(template)
        if restart > 0:
            opt.reset()
        sched = None if schedule is None else get_schedule(schedule, template.lr)
        if restarts > 1 and sched is not None:
            sched = copy.deepcopy(sched)  # each restart starts the schedule afresh
        # Overflow on the way to a non-finite loss is reported once, by the divergence guard.
        with np.errstate(over="ignore", invalid="ignore"):
            history = _train_once(
                net, X, Y, sw, loss, opt, sched, epochs, batch_size, shuffle, l2, l1, validation,
                early_stopping, monitor, patience, min_delta, restore_best, loss_threshold,
                grad_threshold, callbacks, print_every, is_classifier and track_accuracy,
                divergence, rng)
        curve = history.val_loss or history.loss
        score = curve[-1] if curve else math.inf
        if early_stopping and restore_best and history.best_epoch is not None:
            score = curve[history.best_epoch]
        score = score if math.isfinite(score) else math.inf
        scores.append(score)
        if best is None or score < best[0]:
            best = (score, net.theta.copy(), history)
    if restarts > 1:
        net.set_params(best[1])
        best[2].restart_losses = scores
    return best[2]


def encode_targets(net, y, n_samples, fit=True):
    """Turn user targets into the numeric matrix ``Y`` the output layer needs.

    Returns ``(Y, labels)``: ``labels`` are the integer class indices (for
    stratified splits) or None for regression and multi-label targets. With
    ``fit=True`` the network remembers the classes in ``net.classes_``.
    """
    y = np.asarray(y)
    if y.ndim == 0 or y.shape[0] != n_samples:
        got = 0 if y.ndim == 0 else y.shape[0]
        raise ValueError(f"X and y have different numbers of samples: {n_samples} and {got}")
    out = net.output_activation.name
    k = net.n_outputs
    dtype = net.dtype
    if y.ndim == 2 and y.shape[1] == 1 and out in ("softmax", "sigmoid") and k != 1:
        y = y[:, 0]
    if out in ("softmax", "sigmoid") and y.ndim == 1:
        if y.dtype.kind == "f" and not np.isfinite(y).all():
            raise ValueError("y contains NaN or infinite values")
        if y.dtype.kind == "O":
            y = y.astype(str)
        if fit:
            classes = np.unique(y)
            if classes.size < 2:
                raise ValueError(f"y has a single class ({classes[0]!r}); a classifier needs at least two")
            net.classes_ = classes
        classes = net.classes_
        if classes is None:
            raise ValueError("the network has no classes yet; train it on labels first")
        index = np.searchsorted(classes, y)
        index = np.clip(index, 0, classes.size - 1)
        unknown = classes[index] != y
        if unknown.any():
            raise ValueError(f"y contains labels not seen in training: {np.unique(y[unknown])[:5].tolist()}")
        if out == "softmax":
            if classes.size != k:
                raise ValueError(f"y has {classes.size} classes, but the softmax output has {k} units")
            Y = np.zeros((n_samples, k), dtype=dtype)
            Y[np.arange(n_samples), index] = 1
        else:
            if k != 1:
                raise ValueError(
                    f"{k} sigmoid outputs need a 0/1 indicator matrix y of shape (n_samples, {k}) (multi-label)")
            if classes.size != 2:
                raise ValueError(
                    f"y has {classes.size} classes, but one sigmoid output separates exactly two; use softmax")
            Y = index.astype(dtype).reshape(-1, 1)
        return Y, index

    # Numeric targets: regression, one-hot rows or a multi-label indicator matrix.
    if y.dtype.kind == "c":
        raise ValueError("y has complex values; glassnet works with real numbers")
    if y.dtype.kind not in "fiub":
        raise ValueError(f"y must be numeric for a {out} output, got values of type {y.dtype}")
    Y = np.ascontiguousarray(y, dtype=dtype)
    if fit:
        net.ravel_output = Y.ndim == 1 and out not in ("softmax", "sigmoid")
    if Y.ndim == 1:
        Y = Y.reshape(-1, 1)
    if Y.ndim != 2 or Y.shape[1] != k:
        raise ValueError(f"y has shape {y.shape}, but the network has {k} outputs")
    if not np.isfinite(Y).all():
        raise ValueError("y contains NaN or infinite values")
    if out in ("softmax", "sigmoid") and not np.isin(Y, (0, 1)).all():
        raise ValueError(f"a {out} output needs 0/1 targets (one-hot or indicator rows)")
    labels = Y.argmax(axis=1) if out == "softmax" else None
    return Y, labels


def _check_sample_weight(sample_weight, n, dtype):
    if sample_weight is None:
        return None
    sw = np.asarray(sample_weight, dtype=dtype).reshape(-1)
    if sw.shape[0] != n:
        raise ValueError(f"sample_weight has {sw.shape[0]} entries but X has {n} samples")
    if not np.isfinite(sw).all() or (sw < 0).any() or sw.sum() <= 0:
        raise ValueError("sample_weight must be finite, non-negative and not all zero")
    return sw


def _hold_out(X, Y, labels, sw, fraction, rng):
    """Split off a validation set, stratified when there are class labels."""
    n = X.shape[0]
    if labels is not None:
        val_idx = []
        for c in np.unique(labels):
            members = rng.permutation(np.flatnonzero(labels == c))
            val_idx.append(members[:max(1, int(round(fraction * members.size)))])
        val_idx = np.concatenate(val_idx)
    else:
        val_idx = rng.permutation(n)[:max(1, int(round(fraction * n)))]
    keep = np.ones(n, dtype=bool)
    keep[val_idx] = False
    if keep.sum() == 0:
        raise ValueError("validation_fraction leaves no training samples")
    return X[keep], Y[keep], None if sw is None else sw[keep], (X[val_idx], Y[val_idx])


def _accuracy(Y_hat, Y, softmax):
    """Share of rows predicted right: argmax for softmax, every 0/1 output for sigmoids."""
    if softmax:
        return float((Y_hat.argmax(axis=1) == Y.argmax(axis=1)).mean())
    return float(((Y_hat > 0.5) == (Y > 0.5)).all(axis=1).mean())


def _train_once(net, X, Y, sw, loss, opt, schedule, epochs, batch_size, shuffle, l2, l1,
                validation, early_stopping, monitor, patience, min_delta, restore_best,
                loss_threshold, grad_threshold, callbacks, print_every, track_accuracy, guard, rng):
    history = History()
    n = X.shape[0]
    m = n if batch_size is None else min(batch_size, n)
    training = any(layer.dropout > 0 for layer in net.layers)
    softmax = net.output_activation.name == "softmax"
    gather = shuffle and m < n
    sparse = sp.issparse(X)     # CSR: each batch's rows are made dense, never the whole X
    if gather or sparse:
        # One reusable batch buffer: each step gathers its rows into it (take with out=;
        # mode="clip" copies straight into it, where the default "raise" gathers into a
        # temporary first; the indices come from a permutation, so none is out of range).
        X_batch = np.empty((m, X.shape[1]), X.dtype)
    if gather:
        Y_batch = np.empty((m, Y.shape[1]), Y.dtype)
    theta, grad = net.theta, net.grad
    watch = _DivergenceWatch(guard, theta, Y)
    best_score, best_theta, waited = math.inf, None, 0

    for epoch in range(epochs):
        start_time = time.perf_counter()
        if schedule is not None:
            opt.lr = schedule(epoch)
        order = rng.permutation(n) if gather else None
        total, grad_norms, correct = 0.0, 0.0, 0.0
        diverged = None
        for start in range(0, n, m):
            stop = min(start + m, n)
            size = stop - start
            if gather:
                idx = order[start:stop]
                Xb = (X[idx].toarray(out=X_batch[:size]) if sparse else
                      X.take(idx, axis=0, out=X_batch[:size], mode="clip"))   # the method: np.take
                Yb = Y.take(idx, axis=0, out=Y_batch[:size], mode="clip")   # adds ~1 µs of wrapper
                swb = None if sw is None else sw[idx]
            else:
                Xb = X[start:stop].toarray(out=X_batch[:size]) if sparse else X[start:stop]
                Yb = Y[start:stop]
                swb = None if sw is None else sw[start:stop]
            value = net.loss_and_grad(Xb, Yb, loss, l2=l2, l1=l1, sample_weight=swb,
                                      training=training, buffers=net._training_buffers(size))
            if not math.isfinite(value):
                diverged = "non-finite"
                break
            if track_accuracy:
                correct += _accuracy(net.layers[-1].A, Yb, softmax) * size
            grad_norms += math.sqrt(float(np.dot(grad, grad)))
            opt.step(theta, grad)
            total += value * size
        epoch_loss = total / n
        diverged = diverged or watch.check(epoch, epoch_loss, theta)
        if diverged:
            watch.give_up(epoch, diverged, theta, history)
            break
        watch.keep_if_best(epoch, epoch_loss, theta)

        history.loss.append(epoch_loss)
        history.lr.append(opt.lr)
        history.grad_norm.append(grad_norms / math.ceil(n / m))
        if track_accuracy:
            history.accuracy.append(correct / n)
        if validation is not None:
            X_val, Y_val = validation
            Y_hat_val = net.predict_output(X_val)
            history.val_loss.append(loss(Y_hat_val, Y_val))
            if net.output_activation.name in ("softmax", "sigmoid"):
                history.val_accuracy.append(_accuracy(Y_hat_val, Y_val, softmax))
        if hasattr(schedule, "observe"):
            schedule.observe(history.val_loss[-1] if history.val_loss else epoch_loss)
        history.epoch_time.append(time.perf_counter() - start_time)

        logs = history.last()
        if print_every and (epoch + 1) % print_every == 0:
            print(f"epoch {epoch + 1}/{epochs}  " + "  ".join(
                f"{k} {v:.4g}" for k, v in logs.items() if k not in ("epoch_time",)))

        stop = None
        if early_stopping:
            score = {"val_loss": history.val_loss, "loss": history.loss}.get(monitor)
            score = score[-1] if score is not None else -history.val_accuracy[-1]
            if score < best_score - min_delta:
                best_score, waited, history.best_epoch = score, 0, epoch
                best_theta = theta.copy() if best_theta is None else _copy_into(best_theta, theta)
            else:
                waited += 1
                if waited >= patience:
                    stop = "early_stopping"
        if loss_threshold is not None and epoch_loss <= loss_threshold:
            stop = "loss_threshold"
        if grad_threshold is not None and history.grad_norm[-1] < grad_threshold:
            stop = "grad_threshold"
        for callback in callbacks:
            if callback(epoch, {**logs, "net": net}):
                stop = "callback"
        if stop:
            history.stop_reason = stop
            break

    if early_stopping and restore_best and best_theta is not None:
        theta[...] = best_theta
    return history


class _DivergenceWatch:
    """Applies a :class:`DivergenceGuard` to one run and keeps the weights to fall back on."""

    def __init__(self, guard, theta, Y):
        self.guard = guard
        scale = max(1.0, float(np.max(np.abs(theta))), float(np.max(np.abs(Y))))
        self.weight_bound = math.inf if guard is None else guard.weight_factor * scale
        self.first_loss = None
        self.best_loss, self.best_epoch = math.inf, 0     # epoch 0: the initial weights
        self.best_theta = theta.copy()
        self.warned = False

    def check(self, epoch, epoch_loss, theta):
        """None if training may go on after this epoch, else why it may not."""
        largest = np.maximum(theta.max(), -theta.min())   # NaN if any entry is NaN
        if not (math.isfinite(epoch_loss) and np.isfinite(largest)):
            return "non-finite"
        if self.first_loss is None:
            self.first_loss = epoch_loss
        reason = None
        if self.guard is not None and epoch_loss > self.guard.loss_factor * self.first_loss:
            reason = "exploding loss"
        elif largest > self.weight_bound:
            reason = "exploding weights"
        if reason is None or self.guard.stop:
            return reason
        if not self.warned:   # warn once, and train on
            self.warned = True
            warnings.warn(f"training is diverging at epoch {epoch + 1}: {self._what(reason)}; it goes "
                          "on while the values stay finite (try a smaller learning rate)",
                          TrainingDivergedWarning, stacklevel=4)
        return None

    def keep_if_best(self, epoch, epoch_loss, theta):
        if epoch_loss < self.best_loss:
            self.best_loss, self.best_epoch = epoch_loss, epoch + 1
            self.best_theta[...] = theta

    def give_up(self, epoch, reason, theta, history):
        """Put back the best weights, record why, and warn once."""
        theta[...] = self.best_theta
        kept = ("the initial weights" if self.best_epoch == 0 else
                f"the weights of epoch {self.best_epoch} (loss {self.best_loss:.4g})")
        history.stop_reason, history.divergence = "diverged", reason
        history.message = (f"training diverged at epoch {epoch + 1}: {self._what(reason)}; {kept} "
                           "were kept (try a smaller learning rate)")
        warnings.warn(history.message, TrainingDivergedWarning, stacklevel=4)

    def _what(self, reason):
        if reason == "non-finite":
            return "the loss or the weights became NaN or infinite"
        if reason == "exploding loss":
            return f"the loss grew past {self.guard.loss_factor:g} times its first epoch's"
        return f"a weight grew past {self.weight_bound:.3g}"


def _copy_into(dst, src):
    dst[...] = src
    return dst
