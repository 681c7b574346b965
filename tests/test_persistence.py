"""Saving and loading: exact round trips, rejected tampering, atomic writes, resumable checkpoints."""

import contextlib
import json
import os
import stat
import tracemalloc
import zipfile
from itertools import pairwise

import numpy as np
import pytest
from sklearn.preprocessing import StandardScaler

import glassnet as gn
from glassnet import cli, estimators, io
from glassnet.data import Standardizer, moons, standardize
from glassnet.io import _container
from glassnet.persistence import (
    atomic_write,
    load,
    load_checkpoint,
    load_saved,
    read_metadata,
    save,
    save_checkpoint,
)


def _trained(dtype=np.float64, labels=None, activation="relu", output="sigmoid", n_out=1, seed=0):
    X, y = moons(120, noise=0.2, random_state=seed)
    if labels is not None:
        y = np.asarray(labels)[y]
    X_std, scaler = standardize(X.astype(dtype))
    net = gn.Network([2, 6, 5, n_out], activations=activation, output=output, random_state=seed, dtype=dtype)
    gn.train(net, X_std, y, optimizer="adam", lr=0.01, epochs=5, batch_size=16, random_state=seed)
    return net, scaler, X.astype(dtype)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_round_trip_gives_bit_identical_predictions(tmp_path, dtype):
    net, scaler, X = _trained(dtype, labels=["cat", "dog"])
    path = save(net, tmp_path / "model.npz", scaler=scaler, info={"dataset": "moons"})
    saved = load_saved(path)
    loaded = saved.model

    assert loaded.dtype == np.dtype(dtype)
    assert loaded.theta.tobytes() == net.theta.tobytes()
    assert loaded.classes_.tolist() == ["cat", "dog"] and loaded.classes_.dtype == net.classes_.dtype
    assert saved.scaler.mean_.tobytes() == scaler.mean_.tobytes()
    assert saved.scaler.scale_.tobytes() == scaler.scale_.tobytes()
    assert saved.info == {"dataset": "moons"}
    expected = net.predict_output(scaler.transform(X))
    assert saved.predict_output(X).tobytes() == expected.tobytes()
    assert (saved.predict(X) == net.predict(scaler.transform(X))).all()


def test_activation_parameters_and_softmax_classes_survive(tmp_path):
    X, y = moons(90, noise=0.1, random_state=1)
    y = np.array([10, 20, 30])[np.arange(90) % 3]
    acts = [
        gn.activations.Sigmoid(beta=2.5),
        gn.activations.LeakyReLU(alpha=0.2),
        gn.activations.ELU(alpha=0.7),
        "softmax",
    ]
    net = gn.Network([2, 4, 4, 3, 3], activations=acts, dropout=[0.1, 0.0, 0.0], random_state=1)
    gn.train(net, X, y, epochs=3, lr=0.01, random_state=1)
    loaded = load(save(net, tmp_path / "m.npz"))
    assert [l.activation.name for l in loaded.layers] == ["sigmoid", "leaky_relu", "elu", "softmax"]
    assert loaded.layers[0].activation.beta == 2.5
    assert loaded.layers[1].activation.alpha == 0.2
    assert loaded.layers[2].activation.alpha == 0.7
    assert [l.dropout for l in loaded.layers] == [0.1, 0.0, 0.0, 0.0]
    assert loaded.classes_.dtype == net.classes_.dtype and loaded.classes_.tolist() == [10, 20, 30]
    assert (loaded.predict(X) == net.predict(X)).all()
    meta = read_metadata(tmp_path / "m.npz")
    assert meta["network"]["classes"] == {"dtype": net.classes_.dtype.str, "values": [10, 20, 30]}
    assert meta["network"]["activations"][0] == {"name": "sigmoid", "params": {"beta": 2.5}}
    assert meta["format_version"] == io.FORMAT_VERSION
    assert meta["glassnet_version"] == gn.__version__
    assert meta["checksum"]["algorithm"] == "sha256"


def test_regression_network_round_trip(tmp_path):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(50, 3))
    y = X @ [1.0, -2.0, 0.5]
    net = gn.Network([3, 5, 1], activations="tanh", output="identity", random_state=0)
    gn.train(net, X, y, epochs=3, lr=0.01, random_state=0)
    loaded = load(save(net, tmp_path / "r.npz"))
    assert loaded.classes_ is None and loaded.ravel_output
    assert loaded.predict(X).shape == (50,)
    assert loaded.predict(X).tobytes() == net.predict(X).tobytes()


def test_the_task_survives_a_round_trip(tmp_path):
    """A sigmoid output fitting numbers (task="regression", a single textbook neuron) stays a regression."""
    X = np.random.default_rng(0).normal(size=(30, 2))
    y = 1 / (1 + np.exp(-(X @ [1.0, -1.0])))
    net = gn.Network([2, 1], activations="sigmoid", random_state=0, task="regression")
    gn.train(net, X, y, epochs=3, lr=0.1, random_state=0)
    loaded = load(save(net, tmp_path / "neuron.npz"))
    assert (
        loaded.task == "regression"
        and read_metadata(tmp_path / "neuron.npz")["network"]["task"] == "regression"
    )
    assert loaded.predict(X).tobytes() == net.predict(X).tobytes()  # numbers in (0, 1), not 0/1 labels
    assert not np.isin(loaded.predict(X), [0, 1]).all()


def test_files_written_before_tasks_were_saved_still_load(tmp_path, resign):
    net, _, X = _trained(labels=["no", "yes"])
    path = resign(save(net, tmp_path / "m.npz"), lambda meta, arrays: meta["network"].pop("task"))
    loaded = load(path)
    assert loaded.task == "binary" and (loaded.predict(X) == net.predict(X)).all()


def _payload_offset(path, name):
    """Byte offset inside the file of the data of array ``name`` (after its .npy header)."""
    with zipfile.ZipFile(path) as z:
        info = z.getinfo(name + ".npy")
    with open(path, "rb") as f:
        f.seek(info.header_offset + 26)
        n_name, n_extra = np.frombuffer(f.read(4), dtype="<u2")
    start = info.header_offset + 30 + int(n_name) + int(n_extra)
    return start, info.file_size


@pytest.mark.parametrize("where", ["theta", "__glassnet__", "classes"])
def test_a_changed_byte_is_rejected(tmp_path, where):
    net, scaler, _ = _trained(labels=["no", "yes"])
    path = save(net, tmp_path / "model.npz", scaler=scaler)
    start, size = _payload_offset(path, where)
    data = bytearray(path.read_bytes())
    pos = start + size - 3  # inside the array's bytes, past the .npy header
    data[pos] ^= 0x01
    path.write_bytes(bytes(data))
    with pytest.raises(ValueError, match="corrupted or truncated"):
        load(path)


def test_tampering_that_keeps_the_zip_valid_fails_the_checksum(tmp_path):
    net, _, _ = _trained()
    path = save(net, tmp_path / "model.npz")
    with np.load(path, allow_pickle=False) as npz:
        arrays = {k: npz[k] for k in npz.files}
    arrays["theta"] = arrays["theta"].copy()
    arrays["theta"][0] += 1.0  # a valid zip with fresh CRCs, but not the saved numbers
    np.savez(path, **arrays)
    with pytest.raises(ValueError, match="checksum mismatch"):
        load(path)


@pytest.mark.parametrize("keep", [0.2, 0.5, 0.9, 0.99])
def test_a_truncated_file_is_rejected(tmp_path, keep):
    net, _, _ = _trained()
    path = save(net, tmp_path / "model.npz")
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * keep)])
    with pytest.raises(ValueError, match="corrupted or truncated"):
        load(path)


def test_files_that_are_not_models_are_rejected(tmp_path):
    text = tmp_path / "data.csv"
    text.write_text("x,y\n1,2\n")
    with pytest.raises(ValueError, match="not a glassnet model file"):
        load(text)
    empty = tmp_path / "empty.npz"
    empty.write_bytes(b"")
    with pytest.raises(ValueError, match="not a glassnet model file"):
        load(empty)
    plain = tmp_path / "plain.npz"
    np.savez(plain, X=np.zeros(3))
    with pytest.raises(ValueError, match="not a glassnet model file"):
        load(plain)
    with pytest.raises(FileNotFoundError):
        load(tmp_path / "missing.npz")


def test_object_arrays_are_never_unpickled(tmp_path):
    net, _, _ = _trained()
    path = save(net, tmp_path / "model.npz")
    with np.load(path, allow_pickle=False) as npz:
        arrays = {k: npz[k] for k in npz.files}
    arrays["evil"] = np.array([{"a": 1}, None], dtype=object)  # would need pickle to load
    np.savez(path, **arrays)
    with pytest.raises(ValueError, match="never unpickles"):
        load(path)


def test_an_unknown_activation_in_the_metadata_is_rejected_not_imported(tmp_path):
    net, _, _ = _trained()
    path = save(net, tmp_path / "model.npz")
    meta = read_metadata(path)
    meta["network"]["activations"][0]["name"] = "os.system"
    with np.load(path, allow_pickle=False) as npz:
        arrays = {k: npz[k] for k in npz.files if k != "__glassnet__"}
    meta.pop("checksum")
    meta["checksum"] = {"algorithm": "sha256", "value": _container._checksum(meta, arrays)}
    arrays["__glassnet__"] = np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)
    np.savez(path, **arrays)
    with pytest.raises(ValueError, match="unknown activation"):
        load(path)


def test_a_newer_format_is_refused_with_a_clear_message(tmp_path):
    net, _, _ = _trained()
    path = save(net, tmp_path / "model.npz")
    meta = read_metadata(path)
    meta["format_version"] = io.FORMAT_VERSION + 1
    with np.load(path, allow_pickle=False) as npz:
        arrays = {k: npz[k] for k in npz.files}
    arrays["__glassnet__"] = np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)
    np.savez(path, **arrays)
    with pytest.raises(ValueError, match="upgrade glassnet"):
        load(path)


def test_a_failed_save_leaves_the_old_file_intact(tmp_path, monkeypatch):
    net, _, _ = _trained(seed=0)
    path = save(net, tmp_path / "model.npz")
    before = path.read_bytes()
    other, _, _ = _trained(seed=1)

    def failing_savez(file, **arrays):
        file.write(b"PK\x03\x04 half a file")  # the temporary file exists and is half-written
        raise OSError("disk full")

    monkeypatch.setattr(np, "savez", failing_savez)
    with pytest.raises(OSError, match="disk full"):
        save(other, path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["model.npz"]  # no temporary file left behind
    monkeypatch.undo()
    assert load(path).theta.tobytes() == net.theta.tobytes()


def test_atomic_write_replaces_only_on_success(tmp_path):
    target = tmp_path / "notes.txt"
    with atomic_write(target) as f:
        f.write("first")
    assert target.read_text() == "first"
    with pytest.raises(RuntimeError), atomic_write(target) as f:
        f.write("second, half")
        raise RuntimeError("crash")
    assert target.read_text() == "first"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]
    with atomic_write(target, "wb") as f:
        f.write(b"\x00\x01")
    assert target.read_bytes() == b"\x00\x01"
    with pytest.raises(ValueError, match="for writing only"), atomic_write(target, "r"):
        pass
    with pytest.raises(FileNotFoundError, match="does not exist"), atomic_write(tmp_path / "no" / "such.txt"):
        pass


def test_atomic_write_follows_a_link_and_refuses_what_is_not_a_regular_file(tmp_path):
    (tmp_path / "real.txt").write_text("old")
    (tmp_path / "link.txt").symlink_to("real.txt")
    with atomic_write(tmp_path / "link.txt") as f:
        f.write("new")
    assert (tmp_path / "link.txt").is_symlink()  # the link stays and its target has the content
    assert (tmp_path / "real.txt").read_text() == "new"
    os.mkfifo(tmp_path / "fifo")
    specials = [tmp_path / "fifo"]
    with contextlib.suppress(PermissionError):  # a character device, where the tests may make one
        os.mknod(tmp_path / "device", 0o600 | stat.S_IFCHR, os.makedev(1, 3))
        specials.append(tmp_path / "device")
    (tmp_path / "to-fifo").symlink_to("fifo")
    for path in [*specials, tmp_path / "to-fifo"]:
        with pytest.raises(OSError, match="is not a regular file"), atomic_write(path) as f:
            raise AssertionError("atomic_write must refuse before the body runs")
        assert not path.resolve().is_file()
    assert not list(tmp_path.glob(".*.tmp"))
    with pytest.raises(IsADirectoryError, match="is a directory"), atomic_write(tmp_path):
        pass


# --------------------------------------------------------------------------- checkpoints


def _data():
    X, y = moons(100, noise=0.25, random_state=3)
    return standardize(X)[0], y


@pytest.mark.parametrize("optimizer", ["adam", "momentum", "rmsprop", "nesterov", "sgd"])
def test_checkpoint_resume_is_identical_to_training_straight_through(tmp_path, optimizer):
    X, y = _data()

    def fresh():
        return gn.Network([2, 8, 1], activations="tanh", output="sigmoid", dropout=0.1, random_state=7)

    straight = fresh()
    gn.train(
        straight,
        X,
        y,
        optimizer=gn.get_optimizer(optimizer, lr=0.05),
        epochs=10,
        batch_size=16,
        random_state=np.random.default_rng(11),
    )

    first = fresh()
    opt = gn.get_optimizer(optimizer, lr=0.05)
    rng = np.random.default_rng(11)
    h1 = gn.train(first, X, y, optimizer=opt, epochs=5, batch_size=16, random_state=rng)
    save_checkpoint(tmp_path / "ckpt.npz", first, opt, h1, epoch=5, rng=rng, config={"epochs": 10})
    del first, opt, rng

    ckpt = load_checkpoint(tmp_path / "ckpt.npz")
    assert ckpt.epoch == 5 and ckpt.config == {"epochs": 10}
    assert ckpt.history.loss == h1.loss
    h2 = gn.train(ckpt.net, X, y, optimizer=ckpt.optimizer, epochs=5, batch_size=16, random_state=ckpt.rng)
    assert ckpt.net.theta.tobytes() == straight.theta.tobytes()
    assert len(ckpt.history.loss) + len(h2.loss) == 10


def test_checkpoint_keeps_optimizer_state_and_schedule(tmp_path):
    X, y = _data()
    net = gn.Network([2, 4, 1], activations="relu", output="sigmoid", random_state=0)
    opt = gn.Adam(lr=0.02, beta1=0.8, clip_norm=5.0)
    schedule = gn.ReduceOnPlateau(0.02, patience=1)
    gn.train(net, X, y, optimizer=opt, epochs=3, random_state=0)
    schedule.observe(1.0)
    schedule.observe(2.0)
    save_checkpoint(tmp_path / "c.npz", net, opt, None, epoch=3, schedule=schedule)
    ckpt = load_checkpoint(tmp_path / "c.npz")
    assert isinstance(ckpt.optimizer, gn.Adam)
    assert (ckpt.optimizer.t, ckpt.optimizer.beta1, ckpt.optimizer.clip_norm) == (opt.t, 0.8, 5.0)
    assert ckpt.optimizer.m.tobytes() == opt.m.tobytes()
    assert ckpt.optimizer.v.tobytes() == opt.v.tobytes()
    assert ckpt.rng is None
    assert isinstance(ckpt.schedule, gn.ReduceOnPlateau)
    assert ckpt.schedule(0) == schedule(0) and vars(ckpt.schedule) == vars(schedule)


def test_a_checkpoint_is_not_a_model_and_vice_versa(tmp_path):
    net, _, _ = _trained()
    model = save(net, tmp_path / "model.npz")
    with pytest.raises(ValueError, match="not a checkpoint"):
        load_checkpoint(model)
    ckpt = save_checkpoint(tmp_path / "ckpt.npz", net, gn.SGD(), None, epoch=1)
    assert load(ckpt).theta.tobytes() == net.theta.tobytes()  # a checkpoint still holds a network


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_estimators_round_trip(tmp_path):
    X, y = moons(80, noise=0.2, random_state=0)
    labels = np.array(["left", "right"])[y]
    clf = estimators.MLPClassifier(hidden_layer_sizes=(6,), max_iter=20, random_state=0).fit(X, labels)
    loaded = load(save(clf, tmp_path / "clf.npz"))
    assert type(loaded) is type(clf)
    assert loaded.get_params() == clf.get_params()
    assert (loaded.predict(X) == clf.predict(X)).all()
    assert loaded.predict_proba(X).tobytes() == clf.predict_proba(X).tobytes()
    assert loaded.classes_.tolist() == ["left", "right"]

    reg = estimators.MLPRegressor(hidden_layer_sizes=(5,), max_iter=20, random_state=0).fit(X, X[:, 0])
    loaded = load(save(reg, tmp_path / "reg.npz"))
    assert loaded.predict(X).tobytes() == reg.predict(X).tobytes()


@pytest.mark.parametrize(
    "scaler, error, message",
    [
        (
            "s",
            TypeError,
            r"^scaler must be a fitted glassnet Standardizer \(or scikit-learn StandardScaler\), got str$",
        ),
        (np.ones(2), TypeError, "got ndarray$"),
        (
            Standardizer(),
            ValueError,
            "^the scaler Standardizer is not fitted: fit it on the training data first$",
        ),
        (StandardScaler(), ValueError, "^the scaler StandardScaler is not fitted"),
        # Its mean_ is there, but it does not subtract it: saved, the model would.
        (StandardScaler(with_mean=False).fit(np.eye(2)), ValueError, "with_mean=False or with_std=False"),
    ],
)
def test_a_scaler_that_is_not_a_fitted_standardizer_is_refused(tmp_path, scaler, error, message):
    net = gn.Network([2, 3, 1], output="sigmoid", random_state=0)
    with pytest.raises(error, match=message):
        save(net, tmp_path / "model.npz", scaler=scaler)
    with pytest.raises(error, match=message):
        save_checkpoint(tmp_path / "run.ckpt.npz", net, gn.optimizers.SGD(0.1), {}, 0, scaler=scaler)
    assert list(tmp_path.iterdir()) == []


def test_a_fitted_standardscaler_is_saved_as_a_standardizer(tmp_path):
    X = np.random.default_rng(0).normal(3.0, 2.0, size=(50, 2))
    scaler = StandardScaler().fit(X)
    saved = load_saved(save(gn.Network([2, 3, 1], random_state=0), tmp_path / "model.npz", scaler=scaler))
    np.testing.assert_allclose(saved.transform(X), scaler.transform(X), rtol=1e-12)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_a_saved_estimator_keeps_training_like_the_original(tmp_path):
    X, y = moons(80, noise=0.2, random_state=0)
    clf = estimators.MLPClassifier(hidden_layer_sizes=(5,), solver="sgd", random_state=0)
    clf.partial_fit(X, y, classes=[0, 1])
    loaded = load(save(clf, tmp_path / "clf.npz"))
    assert loaded._optimizer.velocity.tobytes() == clf._optimizer.velocity.tobytes()
    clf.partial_fit(X, y)
    loaded.partial_fit(X, y)
    assert loaded.predict_proba(X).tobytes() == clf.predict_proba(X).tobytes()


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_an_estimator_with_callbacks_saves_without_them(tmp_path):
    X, y = moons(60, noise=0.2, random_state=0)
    clf = estimators.MLPClassifier(
        hidden_layer_sizes=(4,), max_iter=5, random_state=0, callbacks=[lambda epoch, logs: None]
    ).fit(X, y)
    loaded = load(save(clf, tmp_path / "clf.npz"))
    assert loaded.callbacks is None
    assert (loaded.predict(X) == clf.predict(X)).all()


# --------------------------------------------------------------------------- hostile files


def _crafted(tmp_path, resign, sizes):
    """A real 2-3-1 model whose metadata is rewritten to name ``sizes`` and re-signed."""
    net = gn.Network([2, 3, 1], activations="relu", output="sigmoid", random_state=0)
    path = save(net, tmp_path / "real.npz")

    def claim(meta, arrays):
        spec = meta["network"]
        spec["layer_sizes"] = sizes
        spec["activations"] = [spec["activations"][0]] * (len(sizes) - 2) + [spec["activations"][-1]]
        spec["dropout"] = [0.0] * (len(sizes) - 2)
        spec["n_params"] = sum(a * b + b for a, b in pairwise(sizes))

    return resign(path, claim, out=tmp_path / "crafted.npz")


@pytest.mark.parametrize(
    "sizes, problem",
    [
        ([2, 12000, 12000, 1], r"needs 'theta' of shape \(144060001,\), the file holds \(13,\)"),
        ([2, 10**6, 10**6, 1], r"needs 1,000,005,000,001 parameters; glassnet loads at most 268,435,456"),
    ],
)
def test_a_crafted_2kB_file_naming_huge_layers_is_refused_without_allocating(
    tmp_path, resign, sizes, problem
):
    crafted = _crafted(tmp_path, resign, sizes)
    assert crafted.stat().st_size < 2048
    tracemalloc.start()
    try:
        with pytest.raises(ValueError, match=problem) as info:
            load(crafted)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 2 * 2**20  # 3.3 GB before the checks; now about 30 kB
    message = str(info.value)
    assert message.startswith(f"{crafted} has invalid model metadata: network")
    assert "\n" not in message and len(message) < 300


def test_glassnet_info_on_a_crafted_file_is_one_error_line(tmp_path, resign, capsys):
    crafted = _crafted(tmp_path, resign, [2, 10**6, 10**6, 1])
    with pytest.raises(SystemExit) as exc:
        cli.main(["info", str(crafted)])
    out, err = capsys.readouterr()
    assert exc.value.code == 1 and "Traceback" not in out + err
    assert err.strip().startswith("error: ") and len(err.strip().splitlines()) == 1
    assert "crafted.npz" in err and "layer_sizes" in err


def test_an_info_that_is_not_an_object_is_a_clear_error(tmp_path, resign, capsys):
    net, _, _ = _trained()
    path = resign(save(net, tmp_path / "model.npz"), lambda meta, arrays: meta.update(info=["moons"]))
    with pytest.raises(ValueError, match="info must be a JSON object, got a list"):
        load_saved(path)
    with pytest.raises(SystemExit) as exc:
        cli.main(["info", str(path)])
    err = capsys.readouterr().err
    assert exc.value.code == 1 and err.startswith("error: ") and "info must be a JSON object" in err


def _with_nan(net):
    net.layers[0].W[0, 0] = np.nan
    return net


def test_nan_weights_are_refused_on_save(tmp_path):
    net, _, _ = _trained()
    with pytest.raises(ValueError, match=r"the network has NaN/infinite weights \(theta\); refusing to save"):
        save(_with_nan(net), tmp_path / "m.npz")
    with pytest.raises(ValueError, match="the network has NaN/infinite weights"):
        save_checkpoint(tmp_path / "c.npz", net, gn.Adam(), None, epoch=1)
    net.layers[0].W[0, 0] = np.inf
    with pytest.raises(ValueError, match="the network has NaN/infinite weights"):
        save(net, tmp_path / "m.npz")
    assert not any(tmp_path.iterdir())  # nothing written, not even a temporary file


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_an_estimator_with_nan_weights_is_refused_on_save(tmp_path):
    X, y = moons(60, noise=0.2, random_state=0)
    clf = estimators.MLPClassifier(hidden_layer_sizes=(4,), max_iter=5, random_state=0).fit(X, y)
    clf.coefs_[0][0, 0] = np.nan
    with pytest.raises(ValueError, match=r"NaN/infinite weights \(network_.theta\); refusing to save"):
        save(clf, tmp_path / "clf.npz")


@pytest.mark.parametrize("kind", ["model", "checkpoint"])
def test_a_resigned_file_with_nan_weights_is_refused_on_load(tmp_path, resign, kind):
    net, _, _ = _trained()
    if kind == "model":
        path, loader = save(net, tmp_path / "m.npz"), load
    else:
        path, loader = save_checkpoint(tmp_path / "m.npz", net, gn.Adam(), None, epoch=1), load_checkpoint

    def poison(meta, arrays):
        arrays["theta"] = arrays["theta"].copy()
        arrays["theta"][3] = np.nan

    resign(path, poison)
    with pytest.raises(ValueError, match=r"m.npz cannot be loaded: the network has NaN/infinite weights"):
        loader(path)


def test_glassnet_evaluate_on_a_model_whose_provenance_names_billions_of_samples(tmp_path, resign, capsys):
    """``info`` is free JSON, but a size in it still meets a bound before anything is allocated."""
    net, _, _ = _trained()
    path = save(
        net, tmp_path / "m.npz", info={"source": {"dataset": "moons", "n_samples": 100, "noise": 0.2}}
    )
    resign(path, lambda meta, arrays: meta["info"]["source"].update(n_samples=10**10))
    with pytest.raises(SystemExit) as exc:
        cli.main(["evaluate", str(path)])
    err = capsys.readouterr().err.strip()
    assert exc.value.code == 1 and len(err.splitlines()) == 1
    assert "n_samples must be at most 10,000,000 (glassnet.data.MAX_SAMPLES), got 10,000,000,000" in err


def _checkpoint_with_history(tmp_path, epochs=30):
    X, y = moons(60, noise=0.2, random_state=0)
    net = gn.Network([2, 4, 1], output="sigmoid", random_state=0)
    opt = gn.Adam(0.01)
    history = gn.train(net, X, y, optimizer=opt, epochs=epochs, validation=0.25, random_state=0)
    return save_checkpoint(
        tmp_path / "ckpt.npz", net, opt, history, epochs, rng=np.random.default_rng(1)
    ), history


def test_a_checkpoints_history_is_stored_as_arrays_and_comes_back_whole(tmp_path):
    path, history = _checkpoint_with_history(tmp_path)
    with np.load(path) as npz:
        assert npz["history.loss"].dtype == np.float64 and npz["history.loss"].shape == (30,)
    assert read_metadata(path)["history"]["series"] == sorted(history.as_dict())
    back = load_checkpoint(path).history
    assert back.as_dict() == history.as_dict() and back.stop_reason == history.stop_reason


def test_a_checkpoint_written_with_the_history_as_json_lists_still_loads(tmp_path, resign):
    path, history = _checkpoint_with_history(tmp_path)

    def older_form(meta, arrays):
        for name in meta["history"].pop("series"):
            meta["history"][name] = arrays.pop(f"history.{name}").tolist()

    resign(path, older_form)
    assert load_checkpoint(path).history.as_dict() == history.as_dict()


@pytest.mark.parametrize(
    "mutate, phrase",
    [
        (lambda m, a: a.__setitem__("history.loss", a["history.loss"].astype(np.float32)), "dtype float64"),
        (lambda m, a: a.__setitem__("history.loss", a["history.loss"].reshape(5, 6)), "1-D arrays"),
        (lambda m, a: m["history"]["series"].append("weights"), "unknown series"),
        (lambda m, a: m["history"]["series"].remove("loss"), "does not use"),
    ],
)
def test_a_checkpoints_history_arrays_are_checked(tmp_path, resign, mutate, phrase):
    path, _ = _checkpoint_with_history(tmp_path)
    resign(path, mutate)
    with pytest.raises(ValueError, match=phrase):
        load_checkpoint(path)
