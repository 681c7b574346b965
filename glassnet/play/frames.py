"""What the page draws, as plain JSON: the output heatmap, every neuron's picture, the weights.

The plane ``[-6, 6]²`` is sampled on a ``GRID × GRID`` lattice of cell centres,
row by row from the top (``x2 = +6``) as an image is stored. One forward pass
over the lattice gives the output heatmap and, from the layers' caches ``A``,
every hidden neuron's picture (on every second row and column). Colours are
the page's business: values are sent in ``[-1, 1]`` (TensorFlow Playground's
scale: −1 orange, 0 white, +1 blue)::

    binary classification   2·p − 1         (p = P(class 1))
    regression              ŷ, clipped to [-1, 1]
    multi-class             the most probable class and its probability
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from .datasets import DOMAIN, FEATURE_SCALE, FEATURES, features

if TYPE_CHECKING:
    from glassnet._typing import ArrayLike, FloatArray, IntArray, NDArray

    from .sessions import Session

GRID = 50
"""Cells per side of the output heatmap."""
THUMB = 2
"""A neuron's picture takes every ``THUMB``-th row and column of the lattice."""
MAX_PICTURED_UNITS = 64
"""Networks with more hidden neurons than this send no per-neuron pictures (too much data)."""
CURVE_POINTS = 300
"""The loss curve is thinned to at most this many epochs."""


def plane_grid(n: int = GRID) -> FloatArray:
    """Cell centres of an ``n × n`` lattice over the plane, shape (n², 2), top row first."""
    c = (np.arange(n) + 0.5) / n * 2 * DOMAIN - DOMAIN
    x1, x2 = np.meshgrid(c, c[::-1])
    return np.column_stack([x1.ravel(), x2.ravel()])


_LATTICE = plane_grid()


def _rounded(a: ArrayLike, digits: int = 3) -> Any:
    return np.round(np.asarray(a, dtype=np.float64), digits).tolist()


def _cached(value: FloatArray | None) -> FloatArray:
    """A layer's cache, which the forward pass just filled."""
    assert value is not None
    return value


def _thumbs(A: FloatArray) -> list[Any]:
    """Each column of ``A`` (one value per lattice cell) as a small picture, clipped to [-1, 1]."""
    pictures = A.reshape(GRID, GRID, -1)[::THUMB, ::THUMB]
    return [_rounded(np.clip(pictures[:, :, j], -1, 1).ravel(), 2) for j in range(A.shape[1])]


def _output_picture(session: Session, Y_hat: FloatArray) -> dict[str, Any]:
    problem = session.config["problem"]
    if problem == "multiclass":
        return {"class": Y_hat.argmax(axis=1).tolist(), "p": _rounded(Y_hat.max(axis=1), 2)}
    value = 2 * Y_hat[:, 0] - 1 if problem == "classification" else Y_hat[:, 0]
    return {"value": _rounded(np.clip(value, -1, 1))}


def _curve(history: Mapping[str, Sequence[Any]]) -> dict[str, list[Any]]:
    n = len(history["epoch"])
    keep: IntArray | list[int] = (
        np.unique(np.linspace(0, n - 1, min(n, CURVE_POINTS)).astype(int)) if n else []
    )
    return {k: [history[k][i] for i in keep] for k in ("epoch", "train", "test")}


def frame(session: Session) -> dict[str, Any]:
    """What changes as the network trains: losses, output picture, neuron pictures, weights."""
    net = session.net
    with np.errstate(all="ignore"):
        Y_hat = net.forward(features(_LATTICE, session.config["features"]))
        hidden = net.layers[:-1]
        pictured = sum(layer.n_out for layer in hidden) <= MAX_PICTURED_UNITS
        neurons = [_thumbs(_cached(layer.A)) for layer in hidden] if pictured else None
    history = session.history
    return {
        "version": session.version,
        "epoch": session.epoch,
        "steps": session.steps,
        "train_loss": session.data_loss(session.F_train, session.Y_train),
        "test_loss": session.data_loss(session.F_test, session.Y_test),
        "running": session.run_token is not None,
        "message": session.message,
        "curve": _curve(history),
        "output": _output_picture(session, Y_hat),
        "neurons": neurons,
        "weights": [{"W": layer.W.tolist(), "b": layer.b.tolist()} for layer in net.layers],
    }


def _feature_pictures() -> dict[str, Any]:
    """Every input feature over the plane (chosen or not: the page shows them all)."""
    names = list(FEATURES)
    lattice = _LATTICE.reshape(GRID, GRID, 2)[::THUMB, ::THUMB].reshape(-1, 2)
    F = features(lattice, names) / np.array([FEATURE_SCALE[n] for n in names])
    return {name: _rounded(F[:, j], 2) for j, name in enumerate(names)}


_FEATURE_PICTURES = _feature_pictures()


def _point_list(X: FloatArray, y: NDArray[Any], regression: bool) -> list[list[Any]]:
    labels = np.round(y, 3).tolist() if regression else np.asarray(y).astype(int).tolist()
    return [[round(float(a), 4), round(float(b), 4), t] for (a, b), t in zip(X, labels, strict=True)]


def static_picture(session: Session) -> dict[str, Any]:
    """What stays while the network trains: the setup, the points, the input pictures."""
    c = session.config
    regression = c["problem"] == "regression"
    net = session.net
    return {
        "session": session.id,
        "config": dict(c),
        "layer_sizes": net.layer_sizes,
        "activations": [layer.activation.name for layer in net.layers],
        "features": [{"name": n, "label": label} for n, (label, _) in FEATURES.items()],
        "feature_pictures": _FEATURE_PICTURES,
        "n_classes": session.n_classes,
        "points": {
            "train": _point_list(session.X_train, session.y_train, regression),
            "test": _point_list(session.X_test, session.y_test, regression),
        },
        "csv": None if session.csv is None else session.csv["info"],
        "grid": GRID,
        "thumb": GRID // THUMB,
        "domain": DOMAIN,
        "limits": session.limits.as_dict(),
    }


# --------------------------------------------------------------------------- the neuron view


def _fmt(value: float) -> str:
    """Three significant digits, as the neuron view prints them: 0.312, -1.2, 12.3."""
    s = f"{float(value):.3g}"
    return "0" if s == "-0" else s


def _sum(terms: list[tuple[float, str | None]], bias: float) -> str:
    """``0.31·X₁ − 1.2·X₂ + 0.05`` from ``[(weight, what)]`` and the bias."""
    text = ""
    for w, what in terms + [(bias, None)]:
        number = _fmt(abs(w)) + ("" if what is None else f"·{what}")
        text += (("−" if w < 0 else "") if not text else (" − " if w < 0 else " + ")) + number
    return text


def neuron_view(session: Session, layer: int, unit: int, point: Sequence[float]) -> dict[str, Any]:
    """The formula of one neuron with the current weights, evaluated at ``point``.

    Returns a dict with ``title``, ``formula`` (``z = 0.31·X₁ − 1.2·X₂ + 0.05``),
    ``filled`` (the same with the inputs of ``point`` and its value) and
    ``activation`` (``a = tanh(z) = tanh(0.72) = 0.617``).
    """
    net = session.net
    names = session.config["features"]
    L = net.layers[layer]
    with np.errstate(all="ignore"):
        net.forward(features(np.array([point], dtype=np.float64), names))
    inputs = [FEATURES[n][0] for n in names] if layer == 0 else [f"a{i + 1}" for i in range(L.n_in)]
    w, b = L.W[:, unit], float(L.b[unit])
    x = _cached(L.A_prev)[0]
    z, a = float(_cached(L.Z)[0, unit]), float(_cached(L.A)[0, unit])
    act = L.activation.name
    filled = _sum([(float(wi), f"({_fmt(xi)})") for wi, xi in zip(w, x, strict=True)], b)
    if act == "identity":
        activation = f"a = z = {_fmt(a)}"
    elif act == "softmax":
        activation = f"a = exp(z{unit + 1}) / Σₖ exp(zₖ) = {_fmt(a)}"
    else:
        activation = f"a = {act}(z) = {act}({_fmt(z)}) = {_fmt(a)}"
    last = layer == len(net.layers) - 1
    where = f"output neuron {unit + 1}" if last else f"hidden layer {layer + 1}, neuron {unit + 1}"
    below = "the input features" if layer == 0 else f"a1…a{L.n_in}: the outputs of hidden layer {layer}"
    return {
        "title": f"{where} ({act})",
        "inputs": below,
        "formula": "z = " + _sum([(float(wi), n) for wi, n in zip(w, inputs, strict=True)], b),
        "filled": f"z = {filled} = {_fmt(z)}",
        "activation": activation,
        "point": [float(point[0]), float(point[1])],
        "z": z,
        "a": a,
    }
