"""scikit-learn estimators on the glassnet engine: ``MLPClassifier`` and ``MLPRegressor``.

They are drop-in replacements for ``sklearn.neural_network.MLPClassifier`` and
``MLPRegressor``: the same constructor parameters with the same defaults and
meaning, the same fitted attributes and methods. Change one import line::

    from glassnet import MLPClassifier     # was: from sklearn.neural_network import ...

The estimators are thin. They validate parameters against a declarative table
(``_parameter_constraints``, as scikit-learn does), translate them to the engine
and read the result back::

    fit(X, y) → Network([n_features, *hidden_layer_sizes, n_outputs])  with scikit-learn's
                initial weights (same random_state → same starting point)
              → solver='lbfgs':  minimize_lbfgs(net, X, Y, l2=alpha, ...)     SciPy on net.theta
                otherwise:       train(net, X, Y, optimizer, l2=alpha, batch_size, ...)

scikit-learn's end-of-epoch rules (``tol``/``n_iter_no_change`` on the training
loss or on a validation score, ``'adaptive'`` dividing the rate by 5,
``'invscaling'``) run as a callback of the engine's training loop, after every
epoch. ``coefs_`` and ``intercepts_`` are views into the network's ``theta``.

On top of scikit-learn: one activation per hidden layer, ``dropout``,
``class_weight``, the solvers ``'rmsprop'`` and ``'momentum'``, the engine's
schedules, ``validation_loss_curve_``, ``callbacks``, and a Rich progress bar
when ``verbose``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from numbers import Real
from typing import TYPE_CHECKING, Any, ClassVar, Literal, Self

import numpy as np
from sklearn.base import ClassifierMixin, RegressorMixin, _fit_context
from sklearn.metrics import accuracy_score, r2_score
from sklearn.preprocessing import LabelBinarizer
from sklearn.utils import column_or_1d
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.class_weight import compute_sample_weight
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import _check_partial_fit_first_call, type_of_target, unique_labels
from sklearn.utils.validation import validate_data

from ._estimator_base import (
    HiddenActivation,
    LearningRate,
    SklearnRandomState,
    Solver,
    _BaseMLP,
    _DaskScore,
)
from .distributed.arrays import is_dask_collection
from .losses import _OutputMeanSquaredError

if TYPE_CHECKING:
    from sklearn.utils import Tags

    from ._typing import ArrayLike, FloatArray, NDArray
    from .callbacks import CallbackFunction


class MLPClassifier(_DaskScore, ClassifierMixin, _BaseMLP):
    """Multi-layer perceptron classifier: scikit-learn's, on the glassnet engine.

    Minimizes the log-loss (binary cross-entropy with a logistic output for binary
    and multi-label targets, categorical cross-entropy with softmax for several
    classes) plus ``alpha/2 · Σ‖W‖² / n``, by L-BFGS or by stochastic gradient descent.

    Parameters
    ----------
    hidden_layer_sizes, activation, solver, alpha, batch_size, learning_rate,
    learning_rate_init, power_t, max_iter, shuffle, random_state, tol, verbose,
    warm_start, momentum, nesterovs_momentum, early_stopping, validation_fraction,
    beta_1, beta_2, epsilon, n_iter_no_change, max_fun
        As in ``sklearn.neural_network.MLPClassifier``, with the same defaults.
        Beyond scikit-learn:

        - ``activation`` may be a list, one name per hidden layer, and may also
          name ``'leaky_relu'``, ``'elu'``, ``'softplus'``, ``'gelu'``.
        - ``solver`` may also be ``'rmsprop'`` (ρ = 0.9, ε = ``epsilon``) or
          ``'momentum'`` (the EWMA form ``m ← μm + (1 − μ)g``, ``θ ← θ − ηm``,
          μ = ``momentum``).
        - ``learning_rate`` (used by every stochastic solver but Adam, as in
          scikit-learn) may also be ``'step'`` (halved every 10 epochs),
          ``'exponential'`` (× 0.95 per epoch), ``'cosine'`` (to 0 at
          ``max_iter``), ``'inverse_time'`` (``η₀/(1 + 0.01·epoch)``) or any
          callable ``lr = schedule(epoch)`` such as a ``glassnet.schedules`` object.
        - ``verbose`` also shows a Rich progress bar (on stderr).
    dropout : float or list of float, default=0.0
        Probability of dropping each hidden unit while training (one rate, or one
        per hidden layer). Used by the stochastic solvers.
    class_weight : dict, 'balanced' or None, default=None
        Weights ``{class: weight}`` that multiply the sample weights;
        ``'balanced'`` uses ``n_samples / (n_classes · count(class))``.
    callbacks : list of callables, default=None
        ``callback(epoch, logs)`` after each epoch (each L-BFGS iteration);
        ``logs`` holds ``"loss"``, ``"lr"``, ``"net"``, ``"estimator"`` and, with
        early stopping, ``"val_loss"`` and ``"val_score"``. Returning True stops.

    Attributes
    ----------
    classes_, loss_, best_loss_, loss_curve_, validation_scores_,
    best_validation_score_, t_, coefs_, intercepts_, n_features_in_,
    feature_names_in_, n_iter_, n_layers_, n_outputs_, out_activation_
        As in scikit-learn (``coefs_``/``intercepts_`` are views into the
        network's parameter vector; ``loss_curve_`` and ``best_loss_`` are also
        filled by L-BFGS).
    validation_loss_curve_ : list of float or None
        The validation loss after each epoch, with ``early_stopping``.
    network_ : glassnet.Network
        The trained network itself, to inspect, trace, plot or save.
    """

    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {
        **_BaseMLP._parameter_constraints,
        "class_weight": [dict, StrOptions({"balanced"}), None],
    }

    def __init__(
        self,
        hidden_layer_sizes: int | Sequence[int] = (100,),
        activation: HiddenActivation | Sequence[HiddenActivation] = "relu",
        *,
        solver: Solver = "adam",
        alpha: float = 0.0001,
        batch_size: int | Literal["auto"] = "auto",
        learning_rate: LearningRate | Callable[[int], float] = "constant",
        learning_rate_init: float = 0.001,
        power_t: float = 0.5,
        max_iter: int = 200,
        shuffle: bool = True,
        random_state: SklearnRandomState = None,
        tol: float = 1e-4,
        verbose: bool = False,
        warm_start: bool = False,
        momentum: float = 0.9,
        nesterovs_momentum: bool = True,
        early_stopping: bool = False,
        validation_fraction: float = 0.1,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-8,
        n_iter_no_change: float = 10,
        max_fun: int = 15000,
        dropout: float | Sequence[float] = 0.0,
        class_weight: Mapping[Any, float] | Literal["balanced"] | None = None,
        callbacks: Sequence[CallbackFunction] | None = None,
    ) -> None:
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.solver = solver
        self.alpha = alpha
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.learning_rate_init = learning_rate_init
        self.power_t = power_t
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.random_state = random_state
        self.tol = tol
        self.verbose = verbose
        self.warm_start = warm_start
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.n_iter_no_change = n_iter_no_change
        self.max_fun = max_fun
        self.dropout = dropout
        self.class_weight = class_weight
        self.callbacks = callbacks

    _score_function = staticmethod(accuracy_score)

    def _validate_input(self, X: Any, y: Any, incremental: bool, reset: bool) -> tuple[Any, NDArray[Any]]:
        """Validate ``X`` and turn the labels into 0/1 columns with a LabelBinarizer."""
        X, y = validate_data(
            self,
            X,
            y,
            accept_sparse=["csr", "csc"],
            multi_output=True,
            dtype=(np.float64, np.float32),
            reset=reset,
        )
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        Y = self._learn_classes(y, incremental)
        return X, (self._label_binarizer.transform(y).astype(bool) if Y is None else Y)

    def _learn_classes(self, y: NDArray[Any], incremental: bool) -> NDArray[np.bool_] | None:
        """Fit the label binarizer on ``y`` — the labels, or the classes found in them —
        or, when continuing (``warm_start``, ``partial_fit``), check ``y`` against it.
        Returns the 0/1 columns of ``y`` when the fast path for plain labels made them,
        else None."""
        if not hasattr(self, "classes_") or (not self.warm_start and not incremental):
            Y = self._binarize_labels(y)
            if Y is not None:
                return Y
            self._label_binarizer = LabelBinarizer()
            self._label_binarizer.fit(y)
            self.classes_ = self._label_binarizer.classes_
        else:
            classes = unique_labels(y)
            if self.warm_start:
                if set(classes) != set(self.classes_):
                    raise ValueError(
                        "warm_start can only be used where `y` has the same classes as in the "
                        f"previous call to fit. Previously got {self.classes_}, `y` has {classes}"
                    )
            elif len(np.setdiff1d(classes, self.classes_, assume_unique=True)):
                raise ValueError(
                    f"`y` has classes not in `self.classes_`. `self.classes_` has "
                    f"{self.classes_}. 'y' has {classes}."
                )
        return None

    def _binarize_labels(self, y: NDArray[Any]) -> NDArray[np.bool_] | None:
        """``LabelBinarizer().fit_transform(y)`` for plain labels, read once, or None.

        A fresh fit of a 1-D array of numbers or strings with at least two classes (the
        usual case, and every fit of a grid search) needs one ``np.unique``: the
        binarizer's own fit and transform ask scikit-learn's ``type_of_target`` four
        times, which cost a small fit more than its training.
        """
        if y.ndim != 1 or y.dtype.kind not in "biuU":
            return None
        classes, index = np.unique(y, return_inverse=True)
        if classes.size < 2:
            return None  # the binarizer's path says what is wrong
        binarizer = LabelBinarizer()
        binarizer.classes_, binarizer.sparse_input_ = classes, False
        binarizer.y_type_ = "binary" if classes.size == 2 else "multiclass"
        self._label_binarizer, self.classes_ = binarizer, classes
        if classes.size == 2:
            return (index == 1)[:, None]
        return index[:, None] == np.arange(classes.size)

    def _output_activation(self) -> str:
        return "softmax" if self._label_binarizer.y_type_ == "multiclass" else "logistic"

    def _check_extras(self) -> None:
        """``callbacks``, and ``class_weight``'s weights: finite and non-negative."""
        super()._check_extras()
        if isinstance(self.class_weight, dict):
            for label, weight in self.class_weight.items():
                if (
                    isinstance(weight, bool)
                    or not isinstance(weight, Real)
                    or not 0 <= float(weight) < np.inf
                ):
                    raise ValueError(
                        "class_weight must give each class a finite, non-negative weight, "
                        f"got {weight!r} for class {label!r}"
                    )

    def _apply_class_weight(
        self, Y: NDArray[Any], sample_weight: FloatArray | None, incremental: bool
    ) -> FloatArray | None:
        if self.class_weight is None:
            return sample_weight
        if incremental and self.class_weight == "balanced":
            raise ValueError(
                "class_weight 'balanced' is not supported for partial_fit: the class "
                "frequencies of one batch are not those of the data; pass a dict"
            )
        weights = compute_sample_weight(self.class_weight, self._decode_targets(Y))
        if not weights.any():
            raise ValueError(f"class_weight {self.class_weight!r} gives every sample in y weight 0")
        return weights if sample_weight is None else sample_weight * weights

    @property
    def _stratifies(self) -> bool:
        """Whether a held-out share of Dask blocks is stratified by class: single-label targets."""
        return not self._label_binarizer.y_type_.startswith("multilabel")

    def _stratify_labels(self, Y: NDArray[Any]) -> NDArray[Any] | None:
        """The labels to stratify the validation split by: every single-label target.

        Binary targets are stratified exactly as scikit-learn does (by the binarized
        column, so a class with a single member is refused with its message).
        scikit-learn documents "stratified, except in a multilabel setting" but its
        code stratifies binary targets only; for several classes this follows the
        documentation, and falls back to a plain split when a class has fewer than
        two samples.
        """
        if not self._stratifies:
            return None
        if Y.shape[1] == 1:
            return Y > 0.5  # 2-D, as scikit-learn passes it: its message names class 'True'
        labels = self._decode_targets(Y)
        return labels if np.unique(labels, return_counts=True)[1].min() >= 2 else None

    def _decode_targets(self, Y: NDArray[Any]) -> NDArray[Any]:
        """Labels back from the binarized targets (multi-label: the 0/1 matrix itself)."""
        return self._label_binarizer.inverse_transform(Y)

    def _decode_output(self, Y_hat: FloatArray) -> NDArray[Any]:
        if self.n_outputs_ == 1:
            Y_hat = Y_hat.ravel()
        return self._label_binarizer.inverse_transform(Y_hat)

    def predict(self, X: ArrayLike) -> NDArray[Any]:
        """Predict class labels (a 0/1 matrix for multi-label targets).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        y : ndarray, shape (n_samples,) or (n_samples, n_classes)
            A Dask array for a Dask ``X`` (computed block by block on the workers).
        """
        if is_dask_collection(X):
            return self._on_blocks(X, "predict")
        return self._decode_output(self._forward(X))

    def predict_proba(self, X: ArrayLike) -> FloatArray:
        """Probability of each class, columns in the order of ``classes_``.

        Binary problems get two columns ``[1 − p, p]``.

        Returns
        -------
        ndarray, shape (n_samples, n_classes)
            A Dask array for a Dask ``X``.
        """
        if is_dask_collection(X):
            return self._on_blocks(X, "predict_proba")
        Y_hat = self._forward(X)  # checks that the model is fitted
        probabilities = self.network_.head.probabilities(Y_hat)
        assert probabilities is not None  # a classifier's head
        return probabilities

    def predict_log_proba(self, X: ArrayLike) -> FloatArray:
        """``log(predict_proba(X))``."""
        proba = self.predict_proba(X)
        if is_dask_collection(proba):
            return np.log(proba)  # lazily, block by block
        with np.errstate(divide="ignore"):  # a probability of exactly 0 has log −inf
            return np.log(proba, out=proba)

    @available_if(lambda est: est._check_solver())
    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(
        self,
        X: ArrayLike,
        y: ArrayLike,
        sample_weight: ArrayLike | None = None,
        classes: ArrayLike | None = None,
    ) -> Self:
        """One epoch over ``(X, y)``, continuing from the current weights and optimizer state.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
        sample_weight : array-like of shape (n_samples,), default=None
        classes : array of shape (n_classes,), default=None
            Every class of the whole data set: required on the first call.

        Returns
        -------
        self
        """
        if _check_partial_fit_first_call(self, classes):
            self._label_binarizer = LabelBinarizer()
            if type_of_target(y).startswith("multilabel"):
                self._label_binarizer.fit(y)
            else:
                self._label_binarizer.fit(classes)
        return self._fit(X, y, sample_weight=sample_weight, incremental=True)

    def __sklearn_tags__(self) -> Tags:
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = True
        return tags


class MLPRegressor(_DaskScore, RegressorMixin, _BaseMLP):
    """Multi-layer perceptron regressor: scikit-learn's, on the glassnet engine.

    Minimizes the half squared error ``½ (ŷ − y)²`` with an identity output (or,
    with ``loss='poisson'``, the half Poisson deviance with an exponential output)
    plus ``alpha/2 · Σ‖W‖² / n``. One or several outputs.

    Parameters
    ----------
    loss : {'squared_error', 'poisson'}, default='squared_error'
    hidden_layer_sizes, activation, solver, alpha, batch_size, learning_rate,
    learning_rate_init, power_t, max_iter, shuffle, random_state, tol, verbose,
    warm_start, momentum, nesterovs_momentum, early_stopping, validation_fraction,
    beta_1, beta_2, epsilon, n_iter_no_change, max_fun
        As in ``sklearn.neural_network.MLPRegressor``, with the same defaults, and
        the same extras as :class:`MLPClassifier` (per-layer activations, more
        solvers and schedules, a progress bar).
    dropout : float or list of float, default=0.0
        Probability of dropping each hidden unit while training.
    callbacks : list of callables, default=None
        ``callback(epoch, logs)`` after each epoch; returning True stops.

    Attributes
    ----------
    loss_, best_loss_, loss_curve_, validation_scores_, best_validation_score_,
    t_, coefs_, intercepts_, n_features_in_, feature_names_in_, n_iter_,
    n_layers_, n_outputs_, out_activation_
        As in scikit-learn. With several outputs the squared error is averaged
        over the outputs, while training follows the gradient of their sum,
        exactly as scikit-learn does.
    validation_loss_curve_ : list of float or None
        The validation loss after each epoch, with ``early_stopping``.
    network_ : glassnet.Network
        The trained network itself, to inspect, trace, plot or save.
    """

    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {
        **_BaseMLP._parameter_constraints,
        "loss": [StrOptions({"squared_error", "poisson"})],
    }

    def __init__(
        self,
        loss: Literal["squared_error", "poisson"] = "squared_error",
        hidden_layer_sizes: int | Sequence[int] = (100,),
        activation: HiddenActivation | Sequence[HiddenActivation] = "relu",
        *,
        solver: Solver = "adam",
        alpha: float = 0.0001,
        batch_size: int | Literal["auto"] = "auto",
        learning_rate: LearningRate | Callable[[int], float] = "constant",
        learning_rate_init: float = 0.001,
        power_t: float = 0.5,
        max_iter: int = 200,
        shuffle: bool = True,
        random_state: SklearnRandomState = None,
        tol: float = 1e-4,
        verbose: bool = False,
        warm_start: bool = False,
        momentum: float = 0.9,
        nesterovs_momentum: bool = True,
        early_stopping: bool = False,
        validation_fraction: float = 0.1,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-8,
        n_iter_no_change: float = 10,
        max_fun: int = 15000,
        dropout: float | Sequence[float] = 0.0,
        callbacks: Sequence[CallbackFunction] | None = None,
    ) -> None:
        self.loss = loss
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.solver = solver
        self.alpha = alpha
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.learning_rate_init = learning_rate_init
        self.power_t = power_t
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.random_state = random_state
        self.tol = tol
        self.verbose = verbose
        self.warm_start = warm_start
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.n_iter_no_change = n_iter_no_change
        self.max_fun = max_fun
        self.dropout = dropout
        self.callbacks = callbacks

    _score_function = staticmethod(r2_score)

    def _validate_input(self, X: Any, y: Any, incremental: bool, reset: bool) -> tuple[Any, NDArray[Any]]:
        X, y = validate_data(
            self,
            X,
            y,
            accept_sparse=["csr", "csc"],
            multi_output=True,
            y_numeric=True,
            dtype=(np.float64, np.float32),
            reset=reset,
        )
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        if self.loss == "poisson" and np.any(y < 0):
            raise ValueError("Some value(s) of y are negative which is not allowed for Poisson regression.")
        return X, y.reshape(-1, 1) if y.ndim == 1 else y

    def _output_activation(self) -> str:
        return "exp" if self.loss == "poisson" else "identity"

    def _engine_loss(self) -> _OutputMeanSquaredError | None:
        # scikit-learn sums the Poisson deviance over outputs but averages the squared error.
        return None if self.loss == "poisson" else _OutputMeanSquaredError(self.n_outputs_)

    def _apply_class_weight(
        self, Y: NDArray[Any], sample_weight: FloatArray | None, incremental: bool
    ) -> FloatArray | None:
        return sample_weight

    _stratifies = False  # a held-out share of Dask blocks: at random

    def _stratify_labels(self, Y: NDArray[Any]) -> NDArray[Any] | None:
        return None

    def _decode_targets(self, Y: NDArray[Any]) -> NDArray[Any]:
        return Y

    def _decode_output(self, Y_hat: FloatArray) -> NDArray[Any]:
        return Y_hat.ravel() if Y_hat.shape[1] == 1 else Y_hat

    def predict(self, X: ArrayLike) -> NDArray[Any]:
        """Predict the target(s).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        ndarray, shape (n_samples,) or (n_samples, n_outputs)
            A Dask array for a Dask ``X``.
        """
        if is_dask_collection(X):
            return self._on_blocks(X, "predict")
        return self._decode_output(self._forward(X))

    @available_if(lambda est: est._check_solver())
    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X: ArrayLike, y: ArrayLike, sample_weight: ArrayLike | None = None) -> Self:
        """One epoch over ``(X, y)``, continuing from the current weights and optimizer state.

        Returns
        -------
        self
        """
        return self._fit(X, y, sample_weight=sample_weight, incremental=True)

    def __sklearn_tags__(self) -> Tags:
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags
