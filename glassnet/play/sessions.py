"""One playground session per browser tab: its data, its network and its training.

A :class:`Session` holds what TensorFlow Playground keeps in the page: the
points (split into train and test), the network built from the setup, the
optimizer, and where the current epoch is. Training is the engine's own step,
one mini-batch at a time::

    loss = net.loss_and_grad(X_batch, Y_batch, loss, l2=…, l1=…)    (backpropagation)
    optimizer.step(net.theta, net.grad)                              (the update)

A *traced* step on one clicked point is :func:`glassnet.trace` — plain
gradient descent ``θ ← θ − η ∂L/∂θ`` on that point, without regularization or
dropout — and the session takes the trace's updated weights, so the hand
calculation the page shows is the step the network took.

Every public method takes the session's lock: the training thread of a run and
the requests of the page never see half a step.
"""

from __future__ import annotations

import math
import secrets
import threading
import time
from collections import OrderedDict
from typing import TYPE_CHECKING, Any

import numpy as np

import glassnet
from glassnet.data import one_hot, train_test_split

from .config import DATA_KEYS, DEFAULTS, NETWORK_KEYS, OUTPUT, Limits, SetupError, check_config, check_number
from .datasets import dataset, features
from .frames import frame, neuron_view, static_picture

if TYPE_CHECKING:
    from typing import TypedDict

    from glassnet._typing import FloatArray, NDArray

    class _Penalties(TypedDict):
        l2: float
        l1: float

    from glassnet.losses import Loss
    from glassnet.network import Network
    from glassnet.optimizers import Optimizer

MAX_WEIGHT = 1e6
"""Weights beyond this size mean training has diverged (the loss is about to overflow)."""
BLOW_UP = 100.0
"""A batch loss above ``BLOW_UP · max(1, the starting loss)`` means training has diverged: the
targets are 0/1 or in [-1, 1], so no honest step of these problems gets there."""


class Diverged(Exception):
    """The loss or the weights stopped being finite numbers."""


class Session:
    """Data, network, optimizer and training state of one browser tab.

    Attributes
    ----------
    config : dict
        The checked setup (see :data:`glassnet.play.config.DEFAULTS`).
    net : glassnet.Network
    F_train, F_test : ndarray, shape (n, n_features)
        The network's inputs: the chosen features of the points.
    Y_train, Y_test : ndarray, shape (n, n_outputs)
        Numeric targets (0/1, one-hot rows, or numbers).
    epoch, steps : int
        Epochs completed and optimizer steps taken since the network was built.
    """

    net: Network
    loss: Loss
    opt: Optimizer
    X_train: FloatArray
    X_test: FloatArray
    y_train: NDArray[Any]
    y_test: NDArray[Any]
    F_train: FloatArray
    F_test: FloatArray
    Y_train: FloatArray
    Y_test: FloatArray
    history: dict[str, list[Any]]

    def __init__(self, sid: str, limits: Limits | None = None) -> None:
        self.id = sid
        self.limits = limits or Limits()
        self.lock = threading.RLock()
        self.last_used = time.monotonic()
        self.config = dict(DEFAULTS)
        self.csv: dict[str, Any] | None = None
        self.run_token: str | None = None
        self.message = ""
        self.before_step: Network | None = None
        self.version = 0
        self._build_data()

    # ------------------------------------------------------------------ setup
    def configure(self, raw: object) -> dict[str, Any]:
        """Apply new settings: new data, a new network, or new training settings only."""
        with self.lock:
            cfg = check_config(raw, self.config, self.limits, has_csv=self.csv is not None)
            changed = {k for k in cfg if cfg[k] != self.config[k]}
            old, self.config = self.config, cfg
            try:
                if changed & set(DATA_KEYS):
                    self._build_data()
                elif changed & set(NETWORK_KEYS):
                    self._build_network()
                else:
                    self._update_training(changed)
            except ValueError as exc:
                self.config = old
                self._build_data()
                raise SetupError(str(exc)) from None
            return self.state()

    def set_csv(self, X: FloatArray, y: NDArray[Any], info: dict[str, Any]) -> dict[str, Any]:
        """Take the user's own points (already checked and scaled onto the plane)."""
        with self.lock:
            self.csv = {"X": X, "y": y, "info": info}
            problem = (
                "regression"
                if info["kind"] == "regression"
                else ("classification" if info["n_classes"] == 2 else "multiclass")
            )
            self.config = {**self.config, "dataset": "csv", "problem": problem}
            self._build_data()
            return self.state()

    def regenerate(self) -> dict[str, Any]:
        """New points (and new initial weights) from the next seed."""
        with self.lock:
            self.config["seed"] = (self.config["seed"] + 1) % 2**31
            self._build_data()
            return self.state()

    def reset(self) -> dict[str, Any]:
        """The network's initial weights again, epoch 0 (the same seed gives the same weights)."""
        with self.lock:
            self._build_network()
            return self.state()

    @property
    def n_classes(self) -> int:
        c = self.config
        if c["problem"] == "regression":
            return 0
        if c["dataset"] == "csv":
            assert self.csv is not None  # the csv dataset is chosen only with a CSV uploaded
            return self.csv["info"]["n_classes"]
        if c["problem"] == "multiclass" and c["dataset"] in ("gauss", "spiral"):
            return c["n_classes"]
        return 2

    def _build_data(self) -> None:
        c = self.config
        if c["dataset"] == "csv":
            assert self.csv is not None  # the csv dataset is chosen only with a CSV uploaded
            X, y = self.csv["X"], self.csv["y"]
        else:
            X, y = dataset(
                c["dataset"], c["n_samples"], c["noise"], max(self.n_classes, 2), random_state=c["seed"]
            )
        if c["problem"] == "classification" and self.n_classes != 2:
            raise SetupError(f"this data has {self.n_classes} classes: choose the multi-class problem")
        self.X_train, self.X_test, self.y_train, self.y_test = train_test_split(
            X, y, test_size=1 - c["train_ratio"], random_state=c["seed"]
        )
        self._build_network()

    def _targets(self, y: NDArray[Any]) -> FloatArray:
        if self.config["problem"] == "multiclass":
            return one_hot(y, classes=np.arange(self.n_classes))[0]
        return np.asarray(y, dtype=np.float64).reshape(-1, 1)

    def _build_network(self) -> None:
        c = self.config
        names = c["features"]
        self.F_train, self.F_test = features(self.X_train, names), features(self.X_test, names)
        self.Y_train, self.Y_test = self._targets(self.y_train), self._targets(self.y_test)
        n_out = self.n_classes if c["problem"] == "multiclass" else 1
        self.net = glassnet.Network(
            [len(names), *c["hidden"], n_out],
            activations=c["activations"],
            output=OUTPUT[c["problem"]],
            dropout=c["dropout"],
            random_state=c["seed"],
        )
        if c["problem"] == "regression":
            self.net.ravel_output = True
        else:
            self.net.classes_ = np.arange(self.n_classes)
        self.loss = self.net.resolve_loss(None)
        self.version += 1  # frames of an older network are ignored by the page
        self._good = (0, self.net.get_params())  # (epoch, θ) of the last good end of an epoch
        self._build_optimizer()
        self.epoch = self.steps = self.cursor = 0
        self.rng = np.random.default_rng(c["seed"])
        self.order = self.rng.permutation(len(self.F_train))
        self.history = {"epoch": [], "train": [], "test": []}
        self.message, self.before_step = "", None
        self._record_losses()

    def _build_optimizer(self) -> None:
        c = self.config
        if c["optimizer"] == "sgd":
            self.opt = glassnet.SGD(lr=c["lr"])
        elif c["optimizer"] == "momentum":
            self.opt = glassnet.Momentum(lr=c["lr"], momentum=c["momentum"])
        else:
            self.opt = glassnet.Adam(lr=c["lr"], beta1=c["beta1"], beta2=c["beta2"])

    def _update_training(self, changed: set[str]) -> None:
        """Settings that keep the weights: the optimizer, the penalties, dropout, the batch."""
        if changed & {"optimizer", "momentum", "beta1", "beta2"}:
            self._build_optimizer()
        self.opt.lr = self.config["lr"]
        for layer in self.net.layers[:-1]:
            layer.dropout = self.config["dropout"]

    # ------------------------------------------------------------------ training
    def _penalties(self) -> _Penalties:
        c = self.config
        rate = c["reg_rate"] if c["regularization"] != "none" else 0.0
        return {
            "l2": rate if c["regularization"] == "l2" else 0.0,
            "l1": rate if c["regularization"] == "l1" else 0.0,
        }

    def _batch_step(self) -> None:
        """One optimizer step on the next mini-batch of the epoch (the last one holds the rest)."""
        n = len(self.F_train)
        rows = self.order[self.cursor : self.cursor + min(self.config["batch_size"], n)]
        self.cursor += len(rows)
        with np.errstate(all="ignore"):
            value = self.net.loss_and_grad(
                self.F_train[rows],
                self.Y_train[rows],
                self.loss,
                training=self.config["dropout"] > 0,
                **self._penalties(),
            )
            self.opt.step(self.net.theta, self.net.grad)
        self.steps += 1
        theta, start = self.net.theta, self.history["train"][0] or 1.0
        if not (
            value < BLOW_UP * max(1.0, start)
            and np.isfinite(theta).all()
            and np.abs(theta).max() < MAX_WEIGHT
        ):
            self.net.set_params(self._good[1])
            raise Diverged
        if self.cursor >= n:
            self.epoch += 1
            self.cursor = 0
            self.order = self.rng.permutation(n)
            self._record_losses()

    def _diverged(self) -> None:
        self.message = (
            f"training diverged in epoch {self.epoch + 1} (the loss grew far past its start, "
            f"or the weights blew up): the weights are back to those after epoch "
            f"{self._good[0]}, the last good ones; lower the learning rate"
        )
        self.run_token = None

    def step_batch(self) -> dict[str, Any]:
        """The Step button without a chosen point: one mini-batch with the session's optimizer."""
        with self.lock:
            self._check_not_running()
            self.message = ""
            try:
                self._batch_step()
            except Diverged:
                self._diverged()
            return self.state()

    def start_run(self) -> str:
        """Mark the session as running; the token identifies this run (a newer one replaces it)."""
        with self.lock:
            self.run_token = secrets.token_hex(8)
            self.message = ""
            return self.run_token

    def stop_run(self, token: str | None = None) -> bool:
        """Stop the run ``token`` (any run when None); True if one was running."""
        with self.lock:
            running = self.run_token is not None and token in (None, self.run_token)
            if running:
                self.run_token = None
            return running

    def train_for(self, token: str, seconds: float, max_epochs: int) -> dict[str, Any] | None:
        """Train mini-batches for about ``seconds`` (at most ``max_epochs`` epochs); a frame, or None once stopped."""
        with self.lock:
            if self.run_token != token:
                return None
            start, first = time.perf_counter(), self.epoch
            try:
                while time.perf_counter() - start < seconds and self.epoch - first < max_epochs:
                    self._batch_step()
            except Diverged:
                self._diverged()
            return self.frame()

    def _check_not_running(self) -> None:
        if self.run_token is not None:
            raise SetupError("training is running: pause it first", status=409)

    def _record_losses(self) -> None:
        train = self.data_loss(self.F_train, self.Y_train)
        self.history["epoch"].append(self.epoch)
        self.history["train"].append(train)
        self.history["test"].append(self.data_loss(self.F_test, self.Y_test))
        start = self.history["train"][0]
        if train is not None and train < BLOW_UP * max(1.0, start or 1.0):
            self._good = (self.epoch, self.net.get_params())

    def data_loss(self, F: FloatArray, Y: FloatArray) -> float | None:
        """The mean loss (without penalties) of the network on ``(F, Y)``."""
        with np.errstate(all="ignore"):
            value = self.loss.total(self.net.predict_output(F), Y) / len(F)
        return value if math.isfinite(value) else None

    # ------------------------------------------------------------------ the traced step
    def step_point(self, index: object) -> dict[str, Any]:
        """One traced step of plain gradient descent on training point ``index``.

        Returns the trace (the hand calculation as ``glassnet trace`` prints it)
        and the new state; the network takes the trace's updated weights.
        """
        from glassnet.glass.trace import trace

        with self.lock:
            self._check_not_running()
            index = _index(index, len(self.F_train), "point (the index of a training point)")
            x, Y = self.F_train[index : index + 1], self.Y_train[index : index + 1]
            lr = self.config["lr"]
            with np.errstate(all="ignore"):
                t = trace(self.net, x, Y, lr=lr)
            before = self.net.copy()
            for layer, traced in zip(self.net.layers, t.layers, strict=True):
                layer.W, layer.b = traced.W_new, traced.b_new
            if not np.isfinite(self.net.theta).all():
                self.net.set_params(before.theta)
                raise SetupError("this step would make the weights non-finite; lower the learning rate")
            self.before_step, self.steps, self.message = before, self.steps + 1, ""
            sizes = self.net.layer_sizes
            out = {
                "text": t.text(),
                "detailed": t.text(detailed=True) if max(sizes) <= 16 else None,
                "point": index,
                "x": x[0].tolist(),
                "y": Y[0].tolist(),
                "plane": self.X_train[index].tolist(),
                "lr": lr,
                "loss": t.loss,
                "command": self._trace_command(x[0], index),
            }
            return {"trace": out, **self.state()}

    def _trace_command(self, x: FloatArray, index: int) -> str:
        label = self.y_train[index]
        y = repr(float(label)) if self.config["problem"] == "regression" else str(int(label))
        return (
            f"glassnet trace --weights playground-step.npz --x={','.join(repr(float(v)) for v in x)} "
            f"--y={y} --lr {self.config['lr']!r}"
        )

    # ------------------------------------------------------------------ editing and reading
    def set_weight(self, layer: object, unit: object, source: object, value: object) -> dict[str, Any]:
        """Set the weight from input ``source`` of ``layer`` into ``unit`` (``source=None``: its bias).

        The arguments are the page's, as sent: each is checked here.
        """
        with self.lock:
            self._check_not_running()
            layer = _index(layer, len(self.net.layers), "layer")
            target = self.net.layers[layer]
            unit = _index(unit, target.n_out, "unit")
            if source is not None:
                source = _index(source, target.n_in, "source")
            value = check_number(value, "a weight", -1000, 1000)
            if source is None:
                target.b[unit] = value
            else:
                target.W[source, unit] = value
            return self.state()

    def neuron(self, layer: object, unit: object, point: object) -> dict[str, Any]:
        """The neuron view of ``unit`` in ``layer`` at the plane's ``point`` (see :func:`frames.neuron_view`)."""
        with self.lock:
            layer = _index(layer, len(self.net.layers), "layer")
            unit = _index(unit, self.net.layers[layer].n_out, "unit")
            if not isinstance(point, (list, tuple)) or len(point) != 2:
                raise SetupError(f"point must be two numbers [x1, x2], got {point!r}")
            point = [check_number(v, "point", -1e3, 1e3) for v in point]
            return neuron_view(self, layer, unit, point)

    def weights(self) -> dict[str, Any]:
        """Every weight and bias at full precision, with what is needed to rebuild the network."""
        with self.lock:
            net = self.net
            return {
                "layer_sizes": net.layer_sizes,
                "activations": [layer.activation.name for layer in net.layers],
                "features": self.config["features"],
                "lr": self.config["lr"],
                "layers": [{"W": layer.W.tolist(), "b": layer.b.tolist()} for layer in net.layers],
            }

    def points(self) -> dict[str, Any]:
        """The training and test points: plane coordinates, features and targets."""
        with self.lock:
            return {
                "train": {
                    "plane": self.X_train.tolist(),
                    "features": self.F_train.tolist(),
                    "y": self.y_train.tolist(),
                    "Y": self.Y_train.tolist(),
                },
                "test": {
                    "plane": self.X_test.tolist(),
                    "features": self.F_test.tolist(),
                    "y": self.y_test.tolist(),
                    "Y": self.Y_test.tolist(),
                },
            }

    def frame(self) -> dict[str, Any]:
        """What changes while training: losses, pictures, weights (see :func:`frames.frame`)."""
        with self.lock:
            return frame(self)

    def state(self) -> dict[str, Any]:
        """Everything the page draws: the frame plus the setup, the points and the input pictures."""
        with self.lock:
            return {**frame(self), **static_picture(self)}


def _index(value: object, size: int, name: str) -> int:
    """``value`` itself when it is an index into ``size`` items, else a SetupError."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < size:
        raise SetupError(f"{name} must be 0 to {size - 1}, got {value!r}")
    return value


class SessionStore:
    """At most ``limits.max_sessions`` sessions; making one more forgets the longest idle."""

    def __init__(self, limits: Limits | None = None) -> None:
        self.limits = limits or Limits()
        self._sessions: OrderedDict[str, Session] = OrderedDict()
        self._lock = threading.Lock()

    def create(self) -> Session:
        with self._lock:
            while len(self._sessions) >= self.limits.max_sessions:
                _, oldest = min(self._sessions.items(), key=lambda item: item[1].last_used)
                oldest.stop_run()
                del self._sessions[oldest.id]
            sid = secrets.token_urlsafe(12)
            self._sessions[sid] = Session(sid, self.limits)
            return self._sessions[sid]

    def get(self, sid: object) -> Session:
        with self._lock:
            session = self._sessions.get(sid) if isinstance(sid, str) else None
        if session is None:
            raise SetupError("unknown or expired session: reload the page to start a new one", status=404)
        session.last_used = time.monotonic()
        return session

    def __len__(self) -> int:
        return len(self._sessions)
