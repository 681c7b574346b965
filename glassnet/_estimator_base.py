"""What glassnet's MLPClassifier and MLPRegressor share: parameters, fitting, prediction.

:class:`_BaseMLP` translates scikit-learn's parameters to the engine and reads the
result back; :class:`_EpochRules` runs scikit-learn's end-of-epoch rules (``tol``,
``n_iter_no_change``, ``'adaptive'``, early stopping on a validation score) as a
callback of the engine's training loop. The public classes are in
:mod:`glassnet.estimators`.
"""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Callable, Sequence
from numbers import Integral, Real
from typing import TYPE_CHECKING, Any, ClassVar, Literal, Self, TypeAlias, cast

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, _fit_context
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, Options, StrOptions
from sklearn.utils.optimize import _check_optimize_result
from sklearn.utils.validation import _check_sample_weight, check_is_fitted, validate_data

from ._validation import aligned, check_sample_weight as _check_weights
from .batches import ArrayBatches
from .callbacks import Callback, ProgressBar
from .distributed.arrays import is_dask_collection
from .divergence import DivergenceGuard
from .initializers import sklearn_uniform
from .lbfgs import lbfgs_arrays
from .losses import Loss
from .network import Network, _check_size
from .optimizers import SGD, Adam, Momentum, Nesterov, RMSprop
from .schedules import InverseScaling, get_schedule
from .training import fit_arrays, predict_outputs

if TYPE_CHECKING:
    from sklearn.utils import Tags

    from ._typing import ActivationName, ArrayLike, FloatArray
    from .batches import BatchSource
    from .callbacks import Logs
    from .optimizers import Optimizer

HiddenActivation: TypeAlias = Literal[
    "identity", "logistic", "tanh", "relu", "leaky_relu", "elu", "softplus", "gelu"
]
"""The estimators' hidden activations: scikit-learn's four, then the engine's others."""

Solver: TypeAlias = Literal["lbfgs", "sgd", "adam", "rmsprop", "momentum"]

LearningRate: TypeAlias = Literal[
    "constant", "invscaling", "adaptive", "step", "exponential", "cosine", "inverse_time"
]

SklearnRandomState: TypeAlias = "int | np.random.RandomState | None"
"""scikit-learn's ``random_state``: a seed, a legacy ``RandomState`` or None."""

_Held: TypeAlias = "tuple[Any, FloatArray, Any, FloatArray | None]"
"""The held-out rows of early stopping: ``(X_val, Y_val, y_val, sw_val)``."""

# scikit-learn's four hidden activations, then the engine's others (an extra).
_HIDDEN_ACTIVATIONS = ("identity", "logistic", "tanh", "relu", "leaky_relu", "elu", "softplus", "gelu")
# The estimator speaks scikit-learn's names; the engine calls the logistic function "sigmoid".
_ENGINE_ACTIVATION: dict[str, ActivationName] = {"logistic": "sigmoid"}
_STOCHASTIC_SOLVERS = ("sgd", "adam", "rmsprop", "momentum")
_SCHEDULES = ("constant", "invscaling", "adaptive", "step", "exponential", "cosine", "inverse_time")


# scikit-learn trains on while the loss is finite, however high; the estimators do
# too, warning once when the loss or the weights explode, and stop at NaN or infinity.
_WARN_ONLY = DivergenceGuard(stop=False)
_NON_FINITE = (
    "Solver produced non-finite parameter weights. The input data may contain large "
    "values and need to be preprocessed."
)


def _real(X: Any) -> Any:
    """``X``, or scikit-learn's complex-data error without its dump of the whole array."""
    kind = (
        X.dtype.kind
        if hasattr(X, "dtype")
        else np.asarray(X).dtype.kind
        if isinstance(X, (list, tuple))
        else ""
    )
    if kind == "c":
        raise ValueError("Complex data not supported: X has complex values; glassnet works with real numbers")
    return X


class _DaskScore:
    """``score`` of Dask ``X`` and ``y`` reduced on the workers; otherwise scikit-learn's
    (the mixin's ``score``, which comes after this class)."""

    def score(self, X: ArrayLike, y: ArrayLike, sample_weight: ArrayLike | None = None) -> float:
        """Accuracy (classifier) or R² (regressor, averaged over outputs), as scikit-learn's."""
        if is_dask_collection(X, y, sample_weight):
            from .distributed.fitting import score_blocks

            return score_blocks(cast("_BaseMLP", self), X, y, sample_weight)  # (mixed into one)
        # (the mixin after this class in the estimators' bases, which mypy does not see here)
        score: float = super().score(X, y, sample_weight=sample_weight)  # type: ignore[misc]
        return score


class _BaseMLP(BaseEstimator):
    """What the classifier and the regressor share: parameters, fitting, prediction."""

    network_: Network
    """The trained network (set by the first fit)."""
    n_outputs_: int

    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {
        "hidden_layer_sizes": ["array-like", Interval(Integral, 1, None, closed="left")],
        "activation": [StrOptions(set(_HIDDEN_ACTIVATIONS)), list, tuple],
        "solver": [StrOptions({"lbfgs", *_STOCHASTIC_SOLVERS})],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "batch_size": [StrOptions({"auto"}), Interval(Integral, 1, None, closed="left")],
        "learning_rate": [StrOptions(set(_SCHEDULES)), callable],
        "learning_rate_init": [Interval(Real, 0, None, closed="neither")],
        "power_t": [Interval(Real, 0, None, closed="left")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "shuffle": ["boolean"],
        "random_state": ["random_state"],
        "tol": [Interval(Real, 0, None, closed="left")],
        "verbose": ["verbose"],
        "warm_start": ["boolean"],
        "momentum": [Interval(Real, 0, 1, closed="both")],
        "nesterovs_momentum": ["boolean"],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="left")],
        "beta_1": [Interval(Real, 0, 1, closed="left")],
        "beta_2": [Interval(Real, 0, 1, closed="left")],
        "epsilon": [Interval(Real, 0, None, closed="neither")],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left"), Options(Real, {np.inf})],
        "max_fun": [Interval(Integral, 1, None, closed="left")],
        "dropout": [Interval(Real, 0, 1, closed="left"), list, tuple],
        "callbacks": [list, tuple, None],
    }

    # ------------------------------------------------------------------ the network's numbers
    @property
    def coefs_(self) -> list[FloatArray]:
        """Weight matrices, shape ``(n_in, n_out)`` per layer: views into the network's ``theta``."""
        return [layer.W for layer in self._fitted_net().layers]

    @coefs_.setter
    def coefs_(self, coefs: Sequence[ArrayLike]) -> None:
        self._set_layer_arrays(coefs, "W")

    @property
    def intercepts_(self) -> list[FloatArray]:
        """Bias vectors, shape ``(n_out,)`` per layer: views into the network's ``theta``."""
        return [layer.b for layer in self._fitted_net().layers]

    @intercepts_.setter
    def intercepts_(self, intercepts: Sequence[ArrayLike]) -> None:
        self._set_layer_arrays(intercepts, "b")

    def _fitted_net(self) -> Network:
        try:
            net: Network = self.__dict__["network_"]
            return net
        except KeyError:
            raise NotFittedError(
                f"This {type(self).__name__} instance is not fitted yet; call 'fit' first"
            ) from None

    def _set_layer_arrays(self, arrays: Sequence[ArrayLike], name: str) -> None:
        layers = self._fitted_net().layers
        if len(arrays) != len(layers):
            raise ValueError(f"expected {len(layers)} arrays (one per layer), got {len(arrays)}")
        for layer, value in zip(layers, arrays, strict=True):
            setattr(layer, name, value)  # copies into theta; the views stay views

    # ------------------------------------------------------------------ fitting
    def _fit(self, X: Any, y: Any, sample_weight: ArrayLike | None = None, incremental: bool = False) -> Self:
        hidden = self.hidden_layer_sizes
        hidden = list(hidden) if hasattr(hidden, "__iter__") else [hidden]
        if np.any(np.array(hidden) <= 0):
            raise ValueError(f"hidden_layer_sizes must be > 0, got {hidden}.")
        self._check_extras()
        first_pass = not hasattr(self, "network_") or (not self.warm_start and not incremental)

        if is_dask_collection(X, y, sample_weight):  # rows on a Dask cluster: they stay there
            from .distributed.fitting import fit_data

            X, Y, sample_weight = fit_data(self, X, y, sample_weight, incremental, first_pass), None, None
            n_outputs = X.n_outputs
        else:
            X, Y, sample_weight = self._fit_arrays(X, y, sample_weight, incremental, first_pass)
            n_outputs = Y.shape[1]

        random_state = check_random_state(self.random_state)
        if first_pass:
            self._initialize([X.shape[1], *hidden, n_outputs], X.dtype, random_state)
        elif n_outputs != self.n_outputs_:
            self._refuse_new_outputs(n_outputs, incremental)
        self.network_.astype(X.dtype)
        self.n_outputs_ = n_outputs

        if self.solver == "lbfgs":
            self._fit_lbfgs(X, Y, sample_weight)
        else:
            self._fit_stochastic(X, Y, sample_weight, random_state, incremental)
        self.network_.clear_cache()
        if not np.isfinite(self.network_.theta).all():
            raise ValueError(_NON_FINITE)
        return self

    def _check_extras(self) -> None:
        """The parameters beyond scikit-learn's, checked before training starts: each callback
        a function ``f(epoch, logs)`` (``glassnet.train``'s Callback objects need hooks the
        estimators do not call)."""
        for callback in self.callbacks or ():
            if isinstance(callback, Callback) or not callable(callback):
                message = f"each callback must be a function f(epoch, logs), got {callback!r}"
                if isinstance(callback, Callback):
                    message += " (a Callback of glassnet.train, whose hooks the estimators do not call)"
                raise ValueError(message)

    def _refuse_new_outputs(self, n_outputs: int, incremental: bool) -> None:
        """partial_fit and warm_start continue the fitted network: its outputs stay."""
        how = "partial_fit continues" if incremental else "warm_start=True continues"
        raise ValueError(
            f"y has {n_outputs} outputs, but {type(self).__name__} was fitted with {self.n_outputs_}: "
            f"{how} the fitted network, whose number of outputs cannot change"
            + ("" if incremental else "; set warm_start=False to fit a new network")
        )

    def _fit_arrays(
        self, X: Any, y: Any, sample_weight: ArrayLike | None, incremental: bool, first_pass: bool
    ) -> tuple[Any, FloatArray, FloatArray | None]:
        """``(X, Y, sample_weight)`` validated and encoded, in the layouts the engine reads fastest."""
        X, Y = self._validate_input(_real(X), y, incremental, reset=first_pass)
        if sample_weight is not None:
            sample_weight = _check_sample_weight(sample_weight, X)
        sample_weight = self._apply_class_weight(Y, sample_weight, incremental)
        if sample_weight is not None:
            sample_weight = _check_weights(sample_weight, X.shape[0], X.dtype)
        # C-ordered rows, or CSR (a sparse X stays sparse: the engine densifies a batch at a time).
        X = X.tocsr() if sp.issparse(X) else aligned(np.ascontiguousarray(X))
        return X, np.ascontiguousarray(Y, dtype=X.dtype), sample_weight

    def _initialize(
        self, layer_units: Sequence[int], dtype: np.dtype[Any], random_state: np.random.RandomState
    ) -> None:
        """Build the network and reset every fitted attribute (first call to fit)."""
        _check_size(layer_units)  # before a weight is drawn: (100000, 100000) is refused at once
        self.n_iter_ = 0
        self.t_ = 0
        self.n_outputs_ = layer_units[-1]
        self.n_layers_ = len(layer_units)
        self.out_activation_ = self._output_activation()
        hidden = self._hidden_activations(len(layer_units) - 2)

        # scikit-learn's initialization, drawn from its RandomState in its order
        # (W then b, layer by layer), so the same random_state gives the same start.
        # Glorot's factor is 2 for logistic layers and 6 otherwise.
        factors = [2.0 if a == "logistic" else 6.0 for a in hidden]
        factors.append(factors[-1] if factors else 2.0 if self.activation == "logistic" else 6.0)
        weights = []
        for n_in, n_out, factor in zip(layer_units[:-1], layer_units[1:], factors, strict=True):
            W = sklearn_uniform(n_in, n_out, random_state, dtype, factor=factor)
            # (biases: an attribute set on the function, which mypy does not see)
            b = sklearn_uniform.biases(n_in, n_out, random_state, dtype, factor=factor)  # type: ignore[attr-defined]
            weights.append((W, b))
        dropout_seed = random_state.randint(np.iinfo(np.int32).max) if np.any(self.dropout) else None
        self.network_ = Network(
            layer_units,
            activations=[_ENGINE_ACTIVATION.get(a, a) for a in hidden],
            output=_ENGINE_ACTIVATION.get(self.out_activation_, self.out_activation_),
            init="zeros",
            dropout=self.dropout,
            random_state=dropout_seed,
            dtype=dtype,
        )
        for layer, (W, b) in zip(self.network_.layers, weights, strict=True):
            layer.W, layer.b = W, b
        self._best_theta = self.network_.theta.copy()

        self.loss_curve_: list[float] = []
        self._no_improvement_count = 0
        stochastic_early_stopping = self.early_stopping and self.solver in _STOCHASTIC_SOLVERS
        self.best_loss_: float | None = None if stochastic_early_stopping else np.inf
        self.validation_scores_: list[float] | None = [] if stochastic_early_stopping else None
        self.validation_loss_curve_: list[float] | None = [] if stochastic_early_stopping else None
        self.best_validation_score_: float | None = -np.inf if stochastic_early_stopping else None

    def _hidden_activations(self, n_hidden: int) -> list[HiddenActivation]:
        if isinstance(self.activation, str):
            return [cast("HiddenActivation", self.activation)] * n_hidden  # checked by _parameter_constraints
        activations = list(self.activation)
        if len(activations) != n_hidden:
            raise ValueError(
                f"activation lists {len(activations)} activations, but hidden_layer_sizes has "
                f"{n_hidden} hidden layers; give one activation per hidden layer"
            )
        for a in activations:
            if a not in _HIDDEN_ACTIVATIONS:
                raise ValueError(
                    f"unknown activation {a!r} in activation; valid activations are: "
                    + ", ".join(_HIDDEN_ACTIVATIONS)
                )
        return activations

    def _engine_loss(self) -> Loss | None:
        """The loss the engine trains on: None, the output activation's canonical one."""
        return None

    def _fit_lbfgs(self, X: Any, Y: FloatArray | None, sample_weight: FloatArray | None) -> None:
        """Full-batch L-BFGS-B on the network's flat parameter vector."""
        log = _ProgressLog(self, self.max_iter, unit="L-BFGS iteration")

        def after_iteration(iteration: int, logs: Logs) -> bool:
            self.loss_curve_.append(logs["loss"])
            log.epoch(len(self.loss_curve_), logs["loss"])
            return self._call_user_callbacks(iteration, logs)

        with log:
            result = lbfgs_arrays(
                self.network_,
                X,
                Y,
                loss=self._engine_loss(),
                l2=self.alpha,
                sample_weight=sample_weight,
                max_iter=self.max_iter,
                max_fun=self.max_fun,
                tol=self.tol,
                callbacks=[after_iteration],
            )
        if result.status == 99:  # a user callback asked to stop: not a convergence failure
            self.n_iter_ = result.nit
        else:
            self.n_iter_ = _check_optimize_result("lbfgs", result, self.max_iter)
        self.loss_ = float(result.fun)
        if not np.isfinite(self.loss_):  # e.g. the first line search already overflowed
            raise ValueError(_NON_FINITE)
        self.best_loss_ = min([self.loss_, *self.loss_curve_])

    def _fit_stochastic(
        self,
        X: Any,
        Y: FloatArray | None,
        sample_weight: FloatArray | None,
        random_state: np.random.RandomState,
        incremental: bool,
    ) -> None:
        """The engine's mini-batch loop, with scikit-learn's rules after each epoch."""
        if not incremental or not hasattr(self, "_optimizer"):
            self._optimizer = self._make_optimizer()
            self._schedule = self._make_schedule()
            self._schedule_epoch = 0
            if self._schedule is not None:
                self._optimizer.lr = self._schedule(0)
        if self.early_stopping and incremental:
            raise ValueError("partial_fit does not support early_stopping=True")

        X_train, Y_train, sw_train = X, Y, sample_weight
        validation: _Held | None = None
        if self.early_stopping:
            X_train, Y_train, sw_train, validation = self._hold_out(X, Y, sample_weight, random_state)

        n_samples = X_train.shape[0]
        batch_size = self._batch_size(n_samples)
        self.n_iter_ = 0
        epochs = 1 if incremental else self.max_iter
        rules = _EpochRules(self, n_samples, validation, _ProgressLog(self, epochs))
        try:
            with rules.log:
                # X and Y were validated at the door (validate_data): the engine's loop takes
                # them as they are.
                batches: BatchSource = (
                    X_train.batches(batch_size, self.shuffle)
                    if Y_train is None
                    # Dask blocks
                    else ArrayBatches(X_train, Y_train, sw_train, batch_size, self.shuffle)
                )
                history = fit_arrays(
                    self.network_,
                    batches,
                    self._optimizer,
                    epochs=epochs,
                    loss=self._engine_loss(),
                    l2=self.alpha,
                    callbacks=[rules],
                    divergence=_WARN_ONLY,
                    rng=random_state,
                )
            if history.divergence is not None and not self.early_stopping:
                # Training went on until NaN or infinity (_WARN_ONLY). scikit-learn raises as its
                # last weights are not finite; with early stopping it puts back the best
                # validation score's weights (the initial ones at worst) and does not.
                raise ValueError(_NON_FINITE)
            if (
                not incremental
                and not rules.stopped
                and history.stop_reason != "diverged"
                and self.n_iter_ == self.max_iter
            ):
                warnings.warn(
                    f"Stochastic Optimizer: Maximum iterations ({self.max_iter}) reached "
                    "and the optimization hasn't converged yet.",
                    ConvergenceWarning,
                    stacklevel=3,
                )
        except KeyboardInterrupt:
            warnings.warn("Training interrupted by user.", stacklevel=3)
        if self.early_stopping:
            self.network_.set_params(self._best_theta)  # restore the best validation score's weights

    def _batch_size(self, n_samples: int) -> int:
        """``batch_size`` for ``n_samples`` rows: "auto" is min(200, n); a larger one is clipped
        to n, with scikit-learn's warning."""
        if self.batch_size == "auto":
            return min(200, n_samples)
        if self.batch_size > n_samples:
            warnings.warn(
                "Got `batch_size` less than 1 or larger than sample size. It is going to be clipped",
                stacklevel=4,
            )
        return int(np.clip(self.batch_size, 1, n_samples))

    def _hold_out(
        self,
        X: Any,
        Y: FloatArray | None,
        sample_weight: FloatArray | None,
        random_state: np.random.RandomState,
    ) -> tuple[Any, FloatArray | None, FloatArray | None, _Held]:
        """``(X_train, Y_train, sw_train, (X_val, Y_val, y_val, sw_val))`` for early stopping.

        In memory: scikit-learn's (stratified) ``train_test_split``. Dask blocks: a
        random share of each block (stratified by class within each block for a
        single-label classifier), held on the workers; only its targets are gathered.
        """
        if Y is None:
            seed = random_state.randint(np.iinfo(np.int32).max)
            X_train, X_val = X.split(self.validation_fraction, seed, stratify=self._stratifies)
            X_val = X_val.persist()
            Y_val, sw_val = X_val.targets()
            Y_train = sw_train = None
        else:
            stratify = self._stratify_labels(Y)
            arrays = (X, Y) if sample_weight is None else (X, Y, sample_weight)
            split = train_test_split(
                *arrays, random_state=random_state, test_size=self.validation_fraction, stratify=stratify
            )
            X_train, X_val, Y_train, Y_val = split[:4]
            sw_train, sw_val = split[4:] if sample_weight is not None else (None, None)
        if X_val.shape[0] < 2:
            raise ValueError(
                "The validation set is too small. Increase 'validation_fraction' or the size of your dataset."
            )
        return X_train, Y_train, sw_train, (X_val, Y_val, self._decode_targets(Y_val), sw_val)

    def _make_optimizer(self) -> Optimizer:
        lr = self.learning_rate_init
        if self.solver == "adam":
            return Adam(lr, beta1=self.beta_1, beta2=self.beta_2, eps=self.epsilon)
        if self.solver == "rmsprop":
            return RMSprop(lr, eps=self.epsilon)
        if self.solver == "momentum":  # the EWMA form: m ← μm + (1 − μ)g, θ ← θ − ηm
            return Momentum(lr, self.momentum, form="ewma")
        if self.momentum == 0:
            return SGD(lr)
        return Nesterov(lr, self.momentum) if self.nesterovs_momentum else Momentum(lr, self.momentum)

    def _make_schedule(self) -> Callable[[int], float] | None:
        """``lr = schedule(t)``, or None when the rate only changes by 'adaptive' (or never)."""
        if self.solver == "adam" or self.learning_rate in ("constant", "adaptive"):
            return None  # as in scikit-learn, Adam ignores learning_rate
        if callable(self.learning_rate):
            return self.learning_rate
        lr0 = self.learning_rate_init
        if self.learning_rate == "invscaling":
            return InverseScaling(lr0, power=self.power_t)  # called with t_, samples seen
        return get_schedule(self.learning_rate, lr0, epochs=self.max_iter)

    def _call_user_callbacks(self, epoch: int, logs: Logs) -> bool:
        logs = {**logs, "estimator": self}
        stop = False
        for callback in self.callbacks or ():
            stop = bool(callback(epoch, logs)) or stop
        return stop

    # ------------------------------------------------------------------ prediction
    def _forward(self, X: ArrayLike) -> FloatArray:
        """``Ŷ``, shape (n_samples, n_outputs), for validated ``X``."""
        check_is_fitted(self)
        X_checked = validate_data(
            self, _real(X), accept_sparse=["csr", "csc"], dtype=(np.float64, np.float32), reset=False
        )
        net = self.network_
        if X_checked.dtype != net.dtype == np.float32:
            # scikit-learn multiplies float64 rows by float32 weights in float64: so does a copy
            net = net.copy().astype(np.float64)
        return net.predict_output(X_checked)  # a sparse X is densified chunk by chunk

    def _on_blocks(self, X: Any, what: Literal["predict", "predict_proba"]) -> Any:
        """``predict``/``predict_proba`` of a Dask ``X``, as a Dask array computed on the workers."""
        from .distributed.fitting import predict_blocks

        return predict_blocks(self, X, what)

    def _score_output(self, Y_hat: FloatArray, y: Any, sample_weight: FloatArray | None) -> float:
        """The validation score (accuracy or R²) of the network's output ``Ŷ``."""
        if not np.isfinite(Y_hat).all():
            return np.nan
        return self._score_function(y, self._decode_output(Y_hat), sample_weight=sample_weight)

    def __sklearn_tags__(self) -> Tags:
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags

    def _check_solver(self) -> bool:
        if self.solver not in _STOCHASTIC_SOLVERS:
            raise AttributeError(
                f"partial_fit is only available for stochastic optimizers. {self.solver} is not stochastic."
            )
        return True

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X: ArrayLike, y: ArrayLike, sample_weight: ArrayLike | None = None) -> Self:
        """Fit the model to data matrix ``X`` and target(s) ``y``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Or a Dask array or DataFrame, which stays on its cluster
            (:mod:`glassnet.distributed`): L-BFGS reduces the loss and gradient
            over its blocks where they live, the other solvers stream the blocks.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Class labels (classification) or numbers (regression); with a Dask
            ``X``, in memory or Dask, cut into the same row blocks.
        sample_weight : array-like of shape (n_samples,), default=None

        Returns
        -------
        self
        """
        return self._fit(X, y, sample_weight=sample_weight, incremental=False)


class _EpochRules:
    """scikit-learn's end-of-epoch rules, run by ``glassnet.train`` as a callback.

    After every epoch: record the loss, score the validation set (with
    ``early_stopping``, keeping the best weights), count the epochs without an
    improvement of at least ``tol``, and when there are more than
    ``n_iter_no_change`` of them either stop or, with ``learning_rate='adaptive'``,
    divide the learning rate by 5. Returning True stops the engine's loop.
    """

    def __init__(
        self, estimator: _BaseMLP, n_samples: int, validation: _Held | None, log: _ProgressLog
    ) -> None:
        self.est, self.n_samples, self.validation, self.log = estimator, n_samples, validation, log
        self.stopped = False

    def __call__(self, epoch: int, logs: Logs) -> bool:
        est, opt = self.est, self.est._optimizer
        est.n_iter_ += 1
        est.t_ += self.n_samples
        est.loss_ = logs["loss"]
        est.loss_curve_.append(est.loss_)
        self.log.epoch(est.n_iter_, est.loss_)
        logs = dict(logs)
        if self.validation is not None:
            logs.update(self._validate())
        else:
            best_loss = cast(float, est.best_loss_)  # a number (None only with early stopping)
            improved = est.loss_ <= best_loss - est.tol
            est.best_loss_ = min(best_loss, est.loss_)
            est._no_improvement_count = 0 if improved else est._no_improvement_count + 1

        # The learning rate for the next epoch.
        est._schedule_epoch += 1
        if est._schedule is not None:
            clock = est.t_ if est.learning_rate == "invscaling" else est._schedule_epoch
            opt.lr = est._schedule(clock)

        stop = False
        if est._no_improvement_count > est.n_iter_no_change:
            what = "Validation score" if self.validation is not None else "Training loss"
            stop = self._trigger(
                f"{what} did not improve more than tol={est.tol:f} for "
                f"{est.n_iter_no_change} consecutive epochs."
            )
            est._no_improvement_count = 0 if not stop else est._no_improvement_count
        self.stopped = est._call_user_callbacks(epoch, logs) or stop
        return self.stopped

    def _validate(self) -> dict[str, float]:
        est = self.est
        X_val, Y_val, y_val, sw_val = cast("_Held", self.validation)  # called only with validation data
        Y_hat = predict_outputs(est.network_, X_val)
        score = est._score_output(Y_hat, y_val, sw_val)
        val_loss = est.network_.resolve_loss(est._engine_loss())(Y_hat, Y_val, sample_weight=sw_val)
        # With early stopping (and validation data) these are lists and a number, not None:
        cast("list[float]", est.validation_scores_).append(score)
        cast("list[float]", est.validation_loss_curve_).append(val_loss)
        best_score = cast(float, est.best_validation_score_)
        self.log.say(f"Validation score: {score:f}")
        improved = not score < best_score + est.tol
        est._no_improvement_count = 0 if improved else est._no_improvement_count + 1
        if score > best_score:
            est.best_validation_score_ = score
            est._best_theta[...] = est.network_.theta
        return {"val_loss": val_loss, "val_score": score}

    def _trigger(self, message: str) -> bool:
        """Stop (True), or with 'adaptive' divide the learning rate by 5 and go on (False)."""
        est, opt = self.est, self.est._optimizer
        if est.learning_rate != "adaptive" or est.solver == "adam":
            self.log.say(message + " Stopping.")
            return True
        if opt.lr <= 1e-6:
            self.log.say(message + " Learning rate too small. Stopping.")
            return True
        opt.lr /= 5.0
        self.log.say(message + f" Setting learning rate to {opt.lr:f}")
        return False


class _ProgressLog(contextlib.AbstractContextManager["_ProgressLog"]):
    """With ``verbose``: scikit-learn's "Iteration N, loss = …" lines and a Rich progress bar."""

    def __init__(self, estimator: _BaseMLP, total: int, unit: str = "epoch") -> None:
        self.verbose, self.total, self.unit = bool(estimator.verbose), total, unit
        self._progress: ProgressBar | None = None

    def __enter__(self) -> Self:
        if self.verbose:  # the progress bar of the command, on stderr
            self._progress = ProgressBar(self.unit, stats=lambda logs: f"loss {logs['loss']:.6g}")
            self._progress.start(self.total)
        return self

    def __exit__(self, *exc: object) -> Literal[False]:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None
        return False

    def epoch(self, n_iter: int, loss: float) -> None:
        if self._progress is not None:
            self._progress.advance(min(n_iter, self.total), {"loss": loss})
        if self.verbose:
            print(f"Iteration {n_iter}, loss = {loss:.8f}")

    def say(self, message: str) -> None:
        if self.verbose:
            print(message)
