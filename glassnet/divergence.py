"""Divergence: when a training run counts as blown up, and the weights it falls back on.

A run whose learning rate is too large can climb instead of descend. Its loss may
stay finite for a long while (a sigmoid or softmax output bounds it while the
weights run off), so waiting for a NaN is waiting too long. :class:`DivergenceGuard`
names the rules; the training loop applies them to each run through a
:class:`DivergenceWatch`, which also keeps the best weights seen so far, so that a
run which diverges ends on the weights from before the blow-up began.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from ._typing import FloatArray
from ._validation import check_positive

if TYPE_CHECKING:
    from .training import History


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

    On divergence the weights that the epoch with the lowest training loss started from
    are put back: the loss an epoch records is measured from them (exactly so with full
    batches), while the weights it ended with may be the blow-up's first. So they are the
    last weights *before* the blow-up began, not merely the last finite ones.

    With ``stop=False`` an exploding loss or weights only warn (once) and training
    goes on until the values stop being finite, as scikit-learn's MLP does; the
    estimators train that way.
    """

    loss_factor: float = 1e3
    weight_factor: float = 1e6
    stop: bool = True

    def __post_init__(self) -> None:
        check_positive(self.loss_factor, "loss_factor")
        check_positive(self.weight_factor, "weight_factor")


class DivergenceWatch:
    """Applies a :class:`DivergenceGuard` to one run and keeps the weights to fall back on."""

    def __init__(self, guard: DivergenceGuard | None, theta: FloatArray, y_scale: float) -> None:
        self.guard = guard
        scale = max(1.0, float(np.max(np.abs(theta))), y_scale)
        self.weight_bound = math.inf if guard is None else guard.weight_factor * scale
        self.first_loss: float | None = None
        # An epoch's loss is measured on the way from the weights it starts from to those it
        # ends with; for a full batch it is exactly the loss of its starting weights. So the
        # weights kept for the best epoch are those it started from: its last weights may
        # already be the first of a blow-up.
        self.best_loss, self.best_epoch = math.inf, 0  # the weights after 0 epochs: the initial ones
        self.best_theta = theta.copy()
        self.epoch_start = theta.copy()
        self.warned = False

    def check(self, epoch: int, epoch_loss: float, theta: FloatArray) -> str | None:
        """None if training may go on after this epoch, else why it may not."""
        largest = np.maximum(theta.max(), -theta.min())  # NaN if any entry is NaN
        if not (math.isfinite(epoch_loss) and np.isfinite(largest)):
            return "non-finite"
        if self.first_loss is None:
            self.first_loss = epoch_loss
        reason = None
        if self.guard is not None and epoch_loss > self.guard.loss_factor * self.first_loss:
            reason = "exploding loss"
        elif largest > self.weight_bound:
            reason = "exploding weights"
        if reason is None or self.guard is None or self.guard.stop:  # (no guard, no reason)
            return reason
        if not self.warned:  # warn once, and train on
            self.warned = True
            warnings.warn(
                f"training is diverging at epoch {epoch + 1}: {self._what(reason)}; it goes "
                "on while the values stay finite (try a smaller learning rate)",
                TrainingDivergedWarning,
                stacklevel=4,
            )
        return None

    def keep_if_best(self, epoch: int, epoch_loss: float, theta: FloatArray) -> None:
        """After an epoch that may go on: keep the weights it started from if its loss is the
        lowest so far, and remember ``theta`` as where the next epoch starts."""
        if epoch_loss < self.best_loss:
            self.best_loss, self.best_epoch = epoch_loss, epoch
            self.best_theta, self.epoch_start = self.epoch_start, self.best_theta
        self.epoch_start[...] = theta

    def give_up(self, epoch: int, reason: str, theta: FloatArray, history: History) -> None:
        """Put back the best weights, record why, and warn once."""
        theta[...] = self.best_theta
        where = (
            "the initial weights" if self.best_epoch == 0 else f"the weights after epoch {self.best_epoch}"
        )
        kept = where if math.isinf(self.best_loss) else f"{where} (loss {self.best_loss:.4g})"
        history.stop_reason, history.divergence = "diverged", reason
        history.message = (
            f"training diverged at epoch {epoch + 1}: {self._what(reason)}; {kept} "
            "were kept (try a smaller learning rate)"
        )
        warnings.warn(history.message, TrainingDivergedWarning, stacklevel=4)

    def _what(self, reason: str) -> str:
        if reason == "non-finite":
            return "the loss or the weights became NaN or infinite"
        if reason == "exploding loss" and self.guard is not None:  # (only a guard finds one)
            return f"the loss grew past {self.guard.loss_factor:g} times its first epoch's"
        return f"a weight grew past {self.weight_bound:.3g}"
