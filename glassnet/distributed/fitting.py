"""The scikit-learn estimators on Dask collections: ``fit``, ``partial_fit``, ``predict*``, ``score``.

``MLPClassifier``/``MLPRegressor`` hand a Dask ``X`` (and ``y``) here. Fitting
turns them into :class:`~.blocks.BlockData` whose targets the estimator's own
encoding (scikit-learn's ``LabelBinarizer``, class weights) turns into ``Y`` on the
workers, after one pass over ``y`` for the classes; the estimator then trains on it
exactly as on arrays (L-BFGS reduced over the workers, or Adam/SGD streaming the
blocks). Prediction maps the fitted estimator over ``X``'s blocks and returns Dask
arrays; ``score`` reduces on the workers and returns a number.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal, cast

import numpy as np
from numpy.typing import DTypeLike

from .._typing import FloatArray, NDArray
from .arrays import as_dask_rows, feature_names, first_pass, float_dtype, line_up
from .blocks import BlockData, Encoder
from .cluster import current_client

if TYPE_CHECKING:
    import dask.array as da

    from .._estimator_base import _BaseMLP


def _plain_classes(binarizer: Any) -> NDArray[Any] | None:
    """A fitted ``LabelBinarizer``'s classes when its labels are plain (two classes or more,
    one label per sample), which the workers encode and decode with NumPy; else None."""
    plain = binarizer.y_type_ in ("binary", "multiclass") and len(binarizer.classes_) >= 2
    return np.asarray(binarizer.classes_) if plain else None


class LabelEncoder:
    """``(y_b, w_b) ↦ (Y_b, w_b)`` with a classifier's fitted ``LabelBinarizer`` and its class
    weights (``{class: weight}``), as the estimator encodes arrays; runs on the workers.

    Plain labels (two classes or more, the usual case) are encoded here with NumPy, as
    the binarizer encodes them: a worker then never imports scikit-learn, which would
    cost each worker about a second before its first block. An indicator matrix
    (multi-label) keeps the binarizer, and class weights scikit-learn's ``compute_sample_weight``.
    """

    def __init__(
        self, binarizer: Any, dtype: DTypeLike, class_weight: Mapping[Any, float] | None = None
    ) -> None:
        self.classes = _plain_classes(binarizer)
        self.binarizer: Any = None if self.classes is not None else binarizer
        self.dtype, self.class_weight = dtype, class_weight

    def __call__(self, y_b: Any, w_b: FloatArray | None) -> tuple[FloatArray, FloatArray | None]:
        y_b = np.asarray(y_b)
        y_b = y_b[:, 0] if y_b.ndim == 2 and y_b.shape[1] == 1 else y_b
        Y_b = self.binarizer.transform(y_b).astype(self.dtype) if self.classes is None else self._one_hot(y_b)
        if self.class_weight is not None:
            from sklearn.utils.class_weight import compute_sample_weight

            weights = compute_sample_weight(self.class_weight, y_b).astype(self.dtype)
            w_b = weights if w_b is None else w_b * weights
        return Y_b, w_b

    def _one_hot(self, y_b: NDArray[Any]) -> FloatArray:
        """``LabelBinarizer.transform`` of plain labels: one 0/1 column per class, or a
        single column (the second class) for two."""
        classes = cast(NDArray[Any], self.classes)
        k = len(classes)
        index = np.minimum(np.searchsorted(classes, y_b), k - 1)
        unknown = classes[index] != y_b
        if unknown.any():
            raise ValueError(f"y contains labels that were not seen in fit: {y_b[unknown][:5].tolist()}")
        if k == 2:
            return index.astype(self.dtype).reshape(-1, 1)
        Y_b = np.zeros((len(y_b), k), self.dtype)
        Y_b[np.arange(len(y_b)), index] = 1
        return Y_b


class NumberEncoder:
    """``(y_b, w_b) ↦ (Y_b, w_b)`` for a regressor: numbers as columns, checked (Poisson: ≥ 0)."""

    def __init__(self, dtype: DTypeLike, poisson: bool = False) -> None:
        self.dtype, self.poisson = dtype, poisson

    def __call__(self, y_b: Any, w_b: FloatArray | None) -> tuple[FloatArray, FloatArray | None]:
        Y_b = np.asarray(y_b, dtype=self.dtype)
        Y_b = Y_b.reshape(-1, 1) if Y_b.ndim == 1 else Y_b
        if not np.isfinite(Y_b).all():
            raise ValueError("y contains NaN or infinite values")
        if self.poisson and (Y_b < 0).any():
            raise ValueError("Some value(s) of y are negative which is not allowed for Poisson regression.")
        return np.ascontiguousarray(Y_b), w_b


def fit_data(est: _BaseMLP, X: Any, y: Any, sample_weight: Any, incremental: bool, reset: bool) -> BlockData:
    """Dask ``X``, ``y`` as :class:`~.blocks.BlockData` for estimator ``est`` (its encoding learned).

    Sets ``n_features_in_`` (and ``feature_names_in_`` from a DataFrame's columns)
    on the first fit, and checks them on later ones, as ``validate_data`` does.
    """
    from sklearn.base import is_classifier  # (here, on the client: the encoders run on the workers)

    client = current_client()
    names = feature_names(X)
    X, y, sample_weight = line_up(X, y, sample_weight)
    _check_features(est, X.shape[1], names, reset)
    dtype = float_dtype(X)
    classifier = is_classifier(est)
    labels = classifier and (y.ndim == 1 or y.shape[1] == 1)
    found = first_pass(y, sample_weight, labels=labels)
    encode: Encoder
    if not classifier:
        encode = NumberEncoder(dtype, poisson=est.loss == "poisson")
        n_outputs = 1 if y.ndim == 1 else y.shape[1]
        return BlockData.from_arrays(client, X, y, sample_weight, encode, n_outputs, dtype, found["scale"])
    sample = found["classes"] if labels else y[:64].compute()  # a few rows tell an indicator matrix
    est._learn_classes(sample, incremental)
    encode = LabelEncoder(est._label_binarizer, dtype, _class_weights(est, found, incremental))
    n_outputs = est._label_binarizer.transform(est.classes_[:1] if labels else sample[:1]).shape[1]
    return BlockData.from_arrays(client, X, y, sample_weight, encode, n_outputs, dtype)


def _check_features(est: _BaseMLP, n_features: int, names: NDArray[np.object_] | None, reset: bool) -> None:
    if reset:
        est.n_features_in_ = n_features
        if names is not None:
            est.feature_names_in_ = names
        elif hasattr(est, "feature_names_in_"):
            del est.feature_names_in_
    elif n_features != est.n_features_in_:
        raise ValueError(
            f"X has {n_features} features, but {type(est).__name__} is expecting "
            f"{est.n_features_in_} features as input."
        )


def _class_weights(est: _BaseMLP, found: dict[str, Any], incremental: bool) -> Mapping[Any, float] | None:
    """``{class: weight}`` for the blocks: a dict as given, ``'balanced'`` from the first pass's counts."""
    class_weight = est.class_weight
    if class_weight != "balanced":
        return class_weight
    if incremental:
        raise ValueError(
            "class_weight 'balanced' is not supported for partial_fit: the class "
            "frequencies of one batch are not those of the data; pass a dict"
        )
    if "counts" not in found:
        raise ValueError("class_weight 'balanced' needs class labels, not an indicator matrix")
    counts = np.asarray(found["counts"], dtype=np.float64)
    return dict(zip(found["classes"].tolist(), counts.sum() / (counts.size * counts), strict=True))


# ---------------------------------------------------------------------- prediction
def predict_blocks(est: _BaseMLP, X: Any, what: Literal["predict", "predict_proba"]) -> da.Array:
    """``est.predict``/``predict_proba`` of every block of ``X``, on the workers: a Dask array.

    ``what`` is ``"predict"`` or ``"predict_proba"``. Nothing is computed until the
    result is; only the fitted estimator (once) and ``X``'s blocks meet on the workers.
    """
    import dask

    est._fitted_net()  # NotFittedError before anything is built
    X = as_dask_rows(X, "X")
    if X.ndim != 2:
        raise ValueError(f"X must be 2-D (n_samples, n_features), got a Dask array of shape {X.shape}")
    if X.shape[1] != est.n_features_in_:
        raise ValueError(
            f"X has {X.shape[1]} features, but {type(est).__name__} is expecting "
            f"{est.n_features_in_} features as input."
        )
    net = est.network_
    predictor = BlockPredictor(est, what)
    sample = predictor(np.zeros((1, X.shape[1]), net.dtype))  # its dtype and width
    fitted = dask.delayed(predictor, pure=True)  # one task holding the network, shipped once per worker
    if sample.ndim == 1:
        return X.map_blocks(
            _on_block, fitted, dtype=sample.dtype, chunks=(X.chunks[0],), drop_axis=1, meta=sample[:0]
        )
    return X.map_blocks(
        _on_block, fitted, dtype=sample.dtype, chunks=(X.chunks[0], (sample.shape[1],)), meta=sample[:0]
    )


class BlockPredictor:
    """What a worker needs to predict a block: the fitted network, and how the estimator
    turns its outputs into predictions.

    Probabilities, numbers and plain labels (two classes or more: the class of the
    largest output, or of an output above 0.5 for two, as the ``LabelBinarizer``
    decodes them) need NumPy alone, so a worker predicting them never imports
    scikit-learn (about a second for each fresh worker); a multi-label estimator
    ships itself and decodes as it does in memory.
    """

    def __init__(self, est: _BaseMLP, what: Literal["predict", "predict_proba"]) -> None:
        from sklearn.base import is_classifier

        self.net, self.what = est.network_, what
        self.classes: NDArray[Any] | None = None
        self.estimator: _BaseMLP | None = None
        if what == "predict" and is_classifier(est):
            self.classes = _plain_classes(est._label_binarizer)
            if self.classes is None:
                self.estimator = est

    def __call__(self, X_b: Any) -> NDArray[Any]:
        Y_hat = self.net.predict_output(np.asarray(X_b, dtype=self.net.dtype))
        if self.what == "predict_proba":
            probabilities = self.net.head.probabilities(Y_hat)
            assert probabilities is not None  # predict_proba exists for classifiers only
            return probabilities
        if self.estimator is not None:
            return self.estimator._decode_output(Y_hat)
        if self.classes is None:  # a regressor's numbers
            return Y_hat.ravel() if Y_hat.shape[1] == 1 else Y_hat
        if len(self.classes) == 2:
            return self.classes[(Y_hat.ravel() > 0.5).astype(np.intp)]
        return self.classes.take(Y_hat.argmax(axis=1), mode="clip")


def _on_block(X_b: Any, predictor: BlockPredictor) -> NDArray[Any]:
    """One block's predictions (on a worker)."""
    return predictor(X_b)


def score_blocks(est: _BaseMLP, X: Any, y: Any, sample_weight: Any = None) -> float:
    """Accuracy (classifier) or R² (regressor, averaged over outputs) of ``est`` on Dask
    ``X``, ``y``: reduced on the workers, one number back."""
    import dask
    import dask.array as da
    from sklearn.base import is_classifier

    X, y, sample_weight = line_up(X, y, sample_weight)
    predicted = predict_blocks(est, X, "predict")
    w = da.ones(y.shape[0], chunks=(y.chunks[0],)) if sample_weight is None else sample_weight
    if is_classifier(est):
        right = predicted == (y.ravel() if y.ndim == 2 and y.shape[1] == 1 else y)
        right = right.all(axis=1) if right.ndim == 2 else right
        return float((right * w).sum().compute() / w.sum().compute())
    y = y.reshape(-1, 1) if y.ndim == 1 else y
    predicted = predicted.reshape(-1, 1) if predicted.ndim == 1 else predicted
    mean = (y * w[:, None]).sum(axis=0) / w.sum()
    residual, total = dask.compute(
        (w[:, None] * (y - predicted) ** 2).sum(axis=0), (w[:, None] * (y - mean) ** 2).sum(axis=0)
    )
    from ..heads import r2_from_sums

    return r2_from_sums(residual, total)
