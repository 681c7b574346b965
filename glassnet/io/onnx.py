"""Export to ONNX: a glassnet model as a graph that onnxruntime, or any ONNX runtime, can run.

The graph is the forward pass of :mod:`glassnet.network`, written out node by node
with ``onnx.helper``::

    X ─▶ (X − mean) / scale ─▶ MatMul W¹ ─▶ Add b¹ ─▶ σ¹ ─▶ … ─▶ MatMul Wᴸ ─▶ Add bᴸ ─▶ σᴸ ─▶ outputs
         (a saved model's       Z¹ = A⁰W¹ + b¹         A¹ = σ¹(Z¹)
          standardizer)

with one operator per activation (a few for sigmoid with steepness β ≠ 1, for
Poisson's capped ``exp`` and for GELU below opset 20). The outputs are named and
shaped as scikit-learn's converters (skl2onnx) name them, so code that runs a
converted scikit-learn model runs a glassnet one unchanged:

=============  ==================  ===========================================================
task           output              shape and type
=============  ==================  ===========================================================
binary         ``label``           (n,) the class labels (int64, string, bool or double)
               ``probabilities``   (n, 2) ``[1 − p, p]``
one class      ``label``           (n,) always the class an estimator was fitted on
               ``probabilities``   (n, 2) ``[1 − p, p]``, as its ``predict_proba`` (and
                                   scikit-learn's); the metadata's classes name it twice
multi-class    ``label``           (n,) the class labels
               ``probabilities``   (n, k) the softmax outputs, columns in ``classes_`` order
multi-label    ``label``           (n, k) int64 0/1 indicator, ``p > 0.5`` for each label
               ``probabilities``   (n, k)
regression     ``variable``        (n, n_outputs), (n, 1) for one target, as skl2onnx does
Poisson        ``variable``        (n, n_outputs), the expected counts ``exp(Zᴸ)``
=============  ==================  ===========================================================

No ZipMap: ``probabilities`` is a plain tensor. The batch dimension ``N`` is free.

Importing this module also registers glassnet's estimators with skl2onnx, when it
is installed, so a scikit-learn ``Pipeline`` holding one converts with
``skl2onnx.to_onnx`` (skl2onnx's own MLP converter knows neither per-layer
activations nor glassnet's other activations, nor Poisson's ``exp`` output).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, TypeAlias

import numpy as np

from .._typing import ArrayLike, FloatArray, NDArray, PathLike
from ..activations import ACTIVATIONS
from ..network import Network

if TYPE_CHECKING:
    from types import ModuleType

    from onnx import ModelProto, TensorProto

    from ..activations import Activation, Sigmoid
    from ..data.preprocessing import Standardizer
    from ..estimators import MLPClassifier, MLPRegressor
    from .models import SavedModel

__all__ = ["export_onnx", "MIN_OPSET", "GELU_OPSET"]

MIN_OPSET = 13  # the oldest opset with Softmax over one axis and Gather/ArgMax as used here
GELU_OPSET = 20  # the first opset with a Gelu operator (below it, GELU is written with Erf)

# Activations whose operator has no float64 kernel in onnxruntime's CPU build (checked
# against the installed onnxruntime by tests/test_onnx.py): the operator that lacks it.
NO_FLOAT64_KERNEL = {"leaky_relu": "LeakyRelu", "elu": "Elu", "softplus": "Softplus", "gelu": "Erf"}

_INSTALL_HINT = "ONNX export needs the onnx extra: pip install 'glassnet[onnx]'"
_DTYPES: dict[str, type[np.floating[Any]]] = {"float32": np.float32, "float64": np.float64}


def _onnx() -> ModuleType:
    """The onnx package, or an ImportError that tells how to install it."""
    try:
        import onnx
    except ImportError:
        raise ImportError(_INSTALL_HINT) from None
    return onnx


# --------------------------------------------------------------------------- what the model is


@dataclass
class _Description:
    """Everything the graph needs to know about a model, and nothing else.

    layers : list of (W, b, activation), W of shape (n_in, n_out)
    task : "binary", "multiclass", "multilabel", "regression" or "poisson"
    classes : ndarray of the class labels (binary and multi-class), else None
    scaler : (mean, scale) of the standardizer applied to X first, or None
    feature_names : list of str or None
    """

    layers: list[tuple[FloatArray, FloatArray, Activation]]
    task: str
    classes: NDArray[Any] | None = None
    scaler: tuple[FloatArray, FloatArray] | None = None
    feature_names: list[str] | None = None

    @property
    def n_inputs(self) -> int:
        return self.layers[0][0].shape[0]

    @property
    def n_outputs(self) -> int:
        return self.layers[-1][0].shape[1]


def _describe(model: Any) -> _Description:
    """A :class:`_Description` of a Network, a fitted glassnet estimator or a saved model.

    This is the one place that decides what task a model solves; everything else
    reads the description.
    """
    from .models import SavedModel, load_saved

    if isinstance(model, (str, bytes)) or hasattr(model, "__fspath__"):
        model = load_saved(model)
    if isinstance(model, SavedModel):
        spec = _describe(model.model)
        spec.scaler = None if model.scaler is None else _scaler_arrays(model.scaler, spec.n_inputs)
        spec.feature_names = _feature_names(model.info.get("feature_names"), spec.n_inputs)
        return spec
    if isinstance(model, Network):
        return _describe_network(model, model.classes_)
    from sklearn.utils.validation import check_is_fitted

    from ..estimators import MLPClassifier, MLPRegressor

    if not isinstance(model, (MLPClassifier, MLPRegressor)):
        raise TypeError(
            f"cannot export a {type(model).__name__} to ONNX: give a glassnet Network, a "
            "fitted glassnet MLPClassifier or MLPRegressor, or a saved model file"
        )
    check_is_fitted(model)
    classes = getattr(model, "classes_", None)
    if classes is not None and len(classes) == 1:
        # A classifier fitted on one class (as scikit-learn's can be): its binarizer decodes
        # either side of the logistic unit to that class, and predict_proba still gives
        # the two columns [1 − p, p]. Naming the class twice keeps the binary graph.
        classes = np.repeat(classes, 2)
    spec = _describe_network(model.network_, classes)
    spec.feature_names = _feature_names(getattr(model, "feature_names_in_", None), spec.n_inputs)
    return spec


def _describe_network(net: Network, classes: ArrayLike | None) -> _Description:
    """The task is the network's head's (:mod:`glassnet.heads`), as its predictions are."""
    for i, layer in enumerate(net.layers, 1):
        activation = layer.activation
        if ACTIVATIONS.get(activation.name) is not type(activation):
            raise ValueError(
                f"cannot export activation {activation!r} of layer {i} to ONNX: only "
                f"glassnet's own activations ({', '.join(sorted(_ACTIVATION_OPS))})"
            )
    layers = [(layer.W, layer.b, layer.activation) for layer in net.layers]
    task, k = net.task, net.n_outputs
    if task in ("binary", "multiclass"):
        n_classes = 2 if task == "binary" else k
        classes = np.arange(n_classes) if classes is None else _label_values(classes)
        if len(classes) != n_classes:
            raise ValueError(
                f"cannot export a {task} network with {k} output(s) and "
                f"{len(classes)} class label(s): it needs {n_classes}"
            )
    else:
        classes = None
    return _Description(layers, task, classes)


def _label_values(classes: ArrayLike) -> NDArray[Any]:
    """The class labels as an array ONNX can hold: int64, bool, float64 or strings."""
    labels = np.asarray(classes)
    if labels.dtype.kind == "O" and all(isinstance(c, str) for c in labels):
        labels = labels.astype(str)
    kind = labels.dtype.kind
    if kind == "U":
        return labels.astype(object)
    if kind == "u" and labels.size and labels.max() > np.iinfo(np.int64).max:
        raise ValueError("cannot export class labels larger than the int64 range")
    if kind in "iu":
        return labels.astype(np.int64)
    if kind in "bf":
        return labels.astype(bool if kind == "b" else np.float64)
    raise ValueError(f"cannot export class labels of type {labels.dtype}: use numbers or strings")


def _scaler_arrays(scaler: Standardizer, n_inputs: int) -> tuple[FloatArray, FloatArray]:
    mean, scale = np.asarray(scaler.mean_), np.asarray(scaler.scale_)
    if mean.shape != (n_inputs,) or scale.shape != (n_inputs,):
        raise ValueError(f"the standardizer has {mean.size} features, the network {n_inputs} inputs")
    return mean, scale


def _feature_names(names: Sequence[object] | NDArray[Any] | None, n_inputs: int) -> list[str] | None:
    """The names as strings when there is one per input (otherwise they describe nothing)."""
    if names is None or len(names) != n_inputs:
        return None
    return [str(name) for name in names]


# --------------------------------------------------------------------------- building the graph


class _Graph:
    """The nodes and constants of a graph under construction.

    ``g.op("MatMul", A, W)`` records a node and returns the name of its output;
    ``g.constant("W1", W)`` records an initializer in the graph's float dtype.
    ``fresh(base)`` makes unique names (skl2onnx passes its scope's).
    """

    def __init__(
        self,
        dtype: np.dtype[Any],
        opset: int,
        fresh: Callable[[str], str] | None = None,
        reserved: Iterable[str] = (),
    ) -> None:
        self.dtype, self.opset = np.dtype(dtype), opset
        # (op_type, inputs, output, attributes) of each node
        self.nodes: list[tuple[str, list[str], str, dict[str, Any]]] = []
        self.constants: dict[str, NDArray[Any]] = {}  # name → ndarray
        self._taken = set(reserved)
        self._fresh = fresh or self._unique

    def _unique(self, base: str) -> str:
        name, i = base, 1
        while name in self._taken:
            name, i = f"{base}_{i}", i + 1
        self._taken.add(name)
        return name

    def constant(self, base: str, value: ArrayLike, keep_dtype: bool = False) -> str:
        name = self._fresh(base)
        self.constants[name] = np.asarray(value) if keep_dtype else np.asarray(value, self.dtype)
        return name

    def op(
        self, op_type: str, *inputs: str, name: str | None = None, out: str | None = None, **attributes: Any
    ) -> str:
        out = out or self._fresh(name or op_type)
        self.nodes.append((op_type, list(inputs), out, attributes))
        return out


def _sigmoid(g: _Graph, Z: str, act: Sigmoid, name: str) -> str:
    """``1 / (1 + exp(−βz))``: Sigmoid of ``βz``."""
    if act.beta != 1.0:
        Z = g.op("Mul", Z, g.constant("beta", act.beta), name=f"beta{Z}")
    return g.op("Sigmoid", Z, name=name)


def _exp(g: _Graph, Z: str, act: Activation, name: str) -> str:
    """``exp(min(z, ⌊log max⌋))``: capped as glassnet caps it, so the value stays finite."""
    cap = math.floor(math.log(np.finfo(g.dtype).max))
    return g.op("Exp", g.op("Min", Z, g.constant("exp_cap", cap)), name=name)


def _gelu(g: _Graph, Z: str, act: Activation, name: str) -> str:
    """``z Φ(z) = ½ z (1 + erf(z/√2))``: the Gelu operator from opset 20, Erf below."""
    if g.opset >= GELU_OPSET:
        return g.op("Gelu", Z, name=name)
    erf = g.op("Erf", g.op("Div", Z, g.constant("sqrt2", math.sqrt(2))))
    half_z = g.op("Mul", Z, g.constant("half", 0.5))
    return g.op("Mul", half_z, g.op("Add", erf, g.constant("one", 1.0)), name=name)


_Emit: TypeAlias = Callable[[_Graph, str, Any, str], str]
"""``emit(graph, Z, activation, name) → A``: writes an activation's nodes, returns ``A``'s name."""


def _operator(op_type: str, **attributes: str) -> _Emit:
    """An activation that is one ONNX operator; ``attributes`` name the activation's parameters."""

    def emit(g: _Graph, Z: str, act: Activation, name: str) -> str:
        return g.op(op_type, Z, name=name, **{key: getattr(act, value) for key, value in attributes.items()})

    return emit


_ACTIVATION_OPS: dict[str, _Emit] = {
    "identity": lambda g, Z, act, name: Z,
    "sigmoid": _sigmoid,
    "tanh": _operator("Tanh"),
    "relu": _operator("Relu"),
    "leaky_relu": _operator("LeakyRelu", alpha="alpha"),
    "elu": _operator("Elu", alpha="alpha"),
    "softplus": _operator("Softplus"),
    "gelu": _gelu,
    "exp": _exp,
    "softmax": lambda g, Z, act, name: g.op("Softmax", Z, name=name, axis=1),
}
"""Each activation's ONNX form: ``emit(graph, Z, activation, name) → A``."""


def _emit(g: _Graph, spec: _Description, X: str, outputs: Sequence[str]) -> None:
    """Write the forward pass from input ``X`` to the named ``outputs``.

    ``A⁰ = (X − mean) / scale``, ``Zˡ = Aˡ⁻¹ Wˡ + bˡ``, ``Aˡ = σˡ(Zˡ)``, then the task's outputs.
    """
    A = X
    if spec.scaler is not None:
        mean, scale = spec.scaler
        centered = g.op("Sub", X, g.constant("mean", mean), name="X_centered")
        A = g.op("Div", centered, g.constant("scale", scale), name="X_standardized")
    for i, (W, b, activation) in enumerate(spec.layers, 1):
        AW = g.op("MatMul", A, g.constant(f"W{i}", W), name=f"A{i - 1}W{i}")
        Z = g.op("Add", AW, g.constant(f"b{i}", b), name=f"Z{i}")
        A = _ACTIVATION_OPS[activation.name](g, Z, activation, f"A{i}")
    if spec.task in ("regression", "poisson"):
        g.op("Identity", A, out=outputs[0])
    else:
        _classifier_outputs(g, Z, A, spec, *outputs)


def _classifier_outputs(
    g: _Graph, Z: str, A: str, spec: _Description, label: str, probabilities: str
) -> None:
    """``label`` and ``probabilities`` from the output layer's ``Z`` and ``A = σ(Z)``."""
    from onnx import TensorProto

    if spec.task == "multilabel":
        g.op("Identity", A, out=probabilities)
        on = g.op("Greater", A, g.constant("threshold", 0.5))
        g.op("Cast", on, out=label, to=TensorProto.INT64)
        return
    if spec.task == "binary":
        # [1 − p, p]. Its argmax is 1 exactly when p > 0.5 (1 − p is exact for p ≥ ½),
        # and a tie at p = ½ goes to the first class, as in glassnet.
        scores = g.op("Concat", g.op("Sub", g.constant("one", 1.0), A), A, out=probabilities, axis=1)
    else:
        g.op("Identity", A, out=probabilities)
        scores = Z  # softmax keeps each row's order: the largest Z is the most probable class
    assert spec.classes is not None  # a binary or multi-class description holds its labels
    index = g.op("ArgMax", scores, axis=1, keepdims=0)
    g.op("Gather", g.constant("classes", spec.classes, keep_dtype=True), index, axis=0, out=label)


def _output_types(
    spec: _Description, dtype: np.dtype[Any], N: int | str | None
) -> list[tuple[str, TensorProto.DataType, list[int | str | None]]]:
    """``[(name, ONNX element type, shape)]`` of the graph's outputs; ``N`` the batch dimension."""
    from onnx import helper

    values = helper.np_dtype_to_tensor_dtype(np.dtype(dtype))
    k = spec.n_outputs
    if spec.task in ("regression", "poisson"):
        return [("variable", values, [N, k])]
    if spec.task == "multilabel":
        return [
            ("label", helper.np_dtype_to_tensor_dtype(np.dtype(np.int64)), [N, k]),
            ("probabilities", values, [N, k]),
        ]
    assert spec.classes is not None  # a binary or multi-class description holds its labels
    labels = helper.np_dtype_to_tensor_dtype(spec.classes.dtype)
    return [("label", labels, [N]), ("probabilities", values, [N, len(spec.classes)])]


def _check_float64_kernels(spec: _Description, dtype: np.dtype[Any]) -> None:
    if dtype != np.float64:
        return
    missing = [
        f"{act.name} (layer {i}; no float64 {NO_FLOAT64_KERNEL[act.name]})"
        for i, (_, _, act) in enumerate(spec.layers, 1)
        if act.name in NO_FLOAT64_KERNEL
    ]
    if missing:
        raise ValueError(
            "cannot export in float64: onnxruntime's CPU build has no float64 kernel for "
            + ", ".join(missing)
            + "; export in float32 (dtype='float32', or float32 X for skl2onnx)"
        )


# --------------------------------------------------------------------------- the export


def export_onnx(
    model: Network | MLPClassifier | MLPRegressor | SavedModel | PathLike,
    path: PathLike | None = None,
    *,
    dtype: Literal["float32", "float64"] | type[np.floating[Any]] | np.dtype[np.floating[Any]] = "float32",
    opset: int | None = None,
) -> ModelProto:
    """Export a model to ONNX, checked with ``onnx.checker``; write it to ``path`` if given.

    Parameters
    ----------
    model : Network, fitted MLPClassifier or MLPRegressor, SavedModel, or path of a saved model
        A saved model's standardizer is part of the graph: it takes raw features.
    path : str or Path, optional
        Where to write the ``.onnx`` file (atomically).
    dtype : {"float32", "float64"}
        The type of the input ``X``, the weights and the float outputs. onnxruntime's
        CPU build has no float64 kernel for leaky_relu, elu, softplus and gelu: a
        float64 export of those fails with a ``ValueError`` naming the layer.
    opset : int, optional
        ONNX opset, from 13. Default: the oldest that has every operator the
        graph needs (13; 20 when a layer is GELU), so that older runtimes load it.

    Returns
    -------
    onnx.ModelProto
        One input ``X`` of shape (N, n_features) and, by task (see the module docstring):

        - ``label`` (N,) class labels — int64 for integer classes, string for
          strings — and ``probabilities`` (N, n_classes), binary included: (N, 2);
        - multi-label: ``label`` (N, k) int64 0/1 and ``probabilities`` (N, k);
        - regression and Poisson: ``variable`` (N, n_outputs).

        ``metadata_props`` hold the glassnet version, the task, the architecture,
        the classes and the feature names.
    """
    onnx = _onnx()
    spec = _describe(model)
    dtype = _check_dtype(dtype)
    opset = _check_opset(opset, spec, onnx.defs.onnx_opset_version())
    _check_float64_kernels(spec, dtype)
    proto = _model_proto(spec, dtype, opset)
    onnx.checker.check_model(proto, full_check=True)
    if path is not None:
        from .files import atomic_write

        with atomic_write(path, "wb") as f:
            f.write(proto.SerializeToString())
    return proto


def _check_dtype(dtype: object) -> np.dtype[np.floating[Any]]:
    """``np.dtype`` float32 or float64, from a name, a NumPy type or a dtype."""
    name = dtype if isinstance(dtype, str) else getattr(dtype, "__name__", getattr(dtype, "name", None))
    if name not in _DTYPES:
        raise ValueError(f"dtype must be 'float32' or 'float64', got {dtype!r}")
    return np.dtype(_DTYPES[name])


def _check_opset(opset: object, spec: _Description, newest: int) -> int:
    if opset is None:
        uses_gelu = any(act.name == "gelu" for _, _, act in spec.layers)
        return GELU_OPSET if uses_gelu else MIN_OPSET
    if (
        isinstance(opset, bool)
        or not isinstance(opset, (int, np.integer))
        or not MIN_OPSET <= opset <= newest
    ):
        raise ValueError(f"opset must be an integer from {MIN_OPSET} to {newest}, got {opset!r}")
    return int(opset)


def _model_proto(spec: _Description, dtype: np.dtype[Any], opset: int) -> ModelProto:
    """The ``ModelProto``: the graph of :func:`_emit` with its input, outputs and metadata."""
    from onnx import helper, numpy_helper

    from .. import __version__

    outputs = _output_types(spec, dtype, "N")
    g = _Graph(dtype, opset, reserved=["X", *(name for name, _, _ in outputs)])
    _emit(g, spec, "X", [name for name, _, _ in outputs])
    nodes = [
        helper.make_node(op, inputs, [out], name=out, **attributes) for op, inputs, out, attributes in g.nodes
    ]
    graph = helper.make_graph(
        nodes,
        "glassnet",
        [
            helper.make_tensor_value_info(
                "X",
                helper.np_dtype_to_tensor_dtype(dtype),
                ["N", spec.n_inputs],
                doc_string="raw features" if spec.scaler is not None else "features",
            )
        ],
        [helper.make_tensor_value_info(name, elem, shape) for name, elem, shape in outputs],
        initializer=[numpy_helper.from_array(value, name) for name, value in g.constants.items()],
    )
    opsets = [helper.make_opsetid("", opset)]
    proto = helper.make_model(
        graph,
        opset_imports=opsets,
        producer_name="glassnet",
        producer_version=__version__,
        doc_string=f"glassnet {spec.task} network, exported to ONNX",
    )
    proto.ir_version = helper.find_min_ir_version_for(opsets)
    helper.set_model_props(proto, _metadata(spec, dtype))
    return proto


def _metadata(spec: _Description, dtype: np.dtype[Any]) -> dict[str, str]:
    from .. import __version__

    architecture = {
        "layer_sizes": [spec.n_inputs] + [W.shape[1] for W, _, _ in spec.layers],
        "activations": [
            {"name": act.name, **{k: v for k, v in vars(act).items() if not k.startswith("_")}}
            for _, _, act in spec.layers
        ],
    }
    meta = {
        "glassnet_version": __version__,
        "task": spec.task,
        "architecture": json.dumps(architecture),
        "dtype": dtype.name,
        "standardized": json.dumps(spec.scaler is not None),
    }
    if spec.classes is not None:
        meta["classes"] = json.dumps(spec.classes.tolist())
    if spec.feature_names is not None:
        meta["feature_names"] = json.dumps(spec.feature_names)
    return meta


# --------------------------------------------------------------------------- skl2onnx


def _skl2onnx_parse_classifier(
    scope: Any, model: MLPClassifier, inputs: list[Any], custom_parsers: Any = None
) -> list[Any]:
    """Declare a classifier's two outputs, ``label`` and ``probabilities``, with no ZipMap after them."""
    from skl2onnx.common.data_types import Int64TensorType, guess_tensor_type

    operator = scope.declare_local_operator("GlassnetMLPClassifier", model)
    operator.inputs = inputs
    operator.outputs.append(scope.declare_local_variable("label", Int64TensorType()))
    operator.outputs.append(scope.declare_local_variable("probabilities", guess_tensor_type(inputs[0].type)))
    return operator.outputs


def _skl2onnx_dtype(variable: Any) -> np.dtype[Any]:
    from skl2onnx.common.data_types import DoubleTensorType

    return np.dtype(np.float64 if isinstance(variable.type, DoubleTensorType) else np.float32)


def _skl2onnx_shapes(operator: Any) -> None:
    """skl2onnx's shape calculator: the output types of :func:`_output_types`."""
    from onnx import TensorProto
    from skl2onnx.common import data_types as types

    classes = {
        TensorProto.FLOAT: types.FloatTensorType,
        TensorProto.DOUBLE: types.DoubleTensorType,
        TensorProto.INT64: types.Int64TensorType,
        TensorProto.STRING: types.StringTensorType,
        TensorProto.BOOL: types.BooleanTensorType,
    }
    X = operator.inputs[0]
    described = _output_types(_describe(operator.raw_operator), _skl2onnx_dtype(X), X.get_first_dimension())
    for variable, (_, elem, shape) in zip(operator.outputs, described, strict=True):
        variable.set_type(classes[elem](shape))


def _skl2onnx_convert(scope: Any, operator: Any, container: Any) -> None:
    """skl2onnx's converter: the same nodes as :func:`export_onnx`, added to skl2onnx's container."""
    from onnx import helper

    spec = _describe(operator.raw_operator)
    X = operator.inputs[0]
    dtype = _skl2onnx_dtype(X)
    _check_float64_kernels(spec, dtype)
    g = _Graph(dtype, container.target_opset, fresh=scope.get_unique_variable_name)
    x = X.full_name
    if helper.np_dtype_to_tensor_dtype(dtype) != X.type.to_onnx_type().tensor_type.elem_type:
        x = g.op("Cast", x, to=helper.np_dtype_to_tensor_dtype(dtype))
    _emit(g, spec, x, [variable.full_name for variable in operator.outputs])
    for name, value in g.constants.items():
        content = [s.encode("utf-8") for s in value.ravel()] if value.dtype == object else value.ravel()
        container.add_initializer(
            name, helper.np_dtype_to_tensor_dtype(value.dtype), list(value.shape), content
        )
    for op, inputs, out, attributes in g.nodes:
        container.add_node(op, inputs, out, name=scope.get_unique_operator_name(op), **attributes)


def _register_with_skl2onnx() -> bool:
    """Teach skl2onnx glassnet's estimators (also inside a Pipeline); False without skl2onnx."""
    try:
        from skl2onnx import update_registered_converter
    except ImportError:
        return False
    from ..estimators import MLPClassifier, MLPRegressor

    update_registered_converter(
        MLPClassifier,
        "GlassnetMLPClassifier",
        _skl2onnx_shapes,
        _skl2onnx_convert,
        parser=_skl2onnx_parse_classifier,
        options={"zipmap": [False]},
    )
    update_registered_converter(MLPRegressor, "GlassnetMLPRegressor", _skl2onnx_shapes, _skl2onnx_convert)
    return True


_register_with_skl2onnx()
