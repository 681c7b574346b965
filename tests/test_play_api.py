"""The playground's server without a browser: its routes, its bounds, and what it computes.

Most tests drive the Starlette app in-process (TestClient); the stream's stop on a
closed connection and the ``glassnet play`` command use a real uvicorn server on
a free port of 127.0.0.1.
"""

import json
import socket
import subprocess
import sys
import threading
import time
import warnings
from pathlib import Path

import numpy as np
import pytest

with warnings.catch_warnings():  # Starlette would rather its test client ran on httpx2
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

import glassnet
from glassnet import cli
from glassnet.glass.trace import trace
from glassnet.io import load, load_saved
from glassnet.play import mathviews
from glassnet.play.config import Limits
from glassnet.play.server import create_app


@pytest.fixture(scope="module")
def app():
    return create_app(Limits(formula_seconds=3.0))


@pytest.fixture(scope="module")
def client(app):
    with TestClient(app) as c:  # runs the lifespan: the formula worker starts, and stops at the end
        yield c


def new_session(client, **config):
    r = client.post("/api/session", json={"config": config})
    assert r.status_code == 200, r.text
    state = r.json()
    return state["session"], state


def call(client, sid, path, body=None, method="POST"):
    headers = {"X-Session": sid}
    if method == "GET":
        return client.get(path, headers=headers)
    return client.post(path, headers=headers, json={} if body is None else body)


def network_from(weights):
    """A glassnet Network with exactly the weights the server reported."""
    net = glassnet.Network(weights["layer_sizes"], activations=weights["activations"])
    for layer, saved in zip(net.layers, weights["layers"], strict=True):
        layer.W, layer.b = np.array(saved["W"]), np.array(saved["b"])
    return net


def run_events(client, sid, epochs):
    """POST /api/run and collect its server-sent events as (name, data)."""
    events = []
    with client.stream("POST", "/api/run", headers={"X-Session": sid}, json={"epochs": epochs}) as r:
        assert r.status_code == 200
        name = None
        for line in r.iter_lines():
            if line.startswith("event: "):
                name = line[7:]
            elif line.startswith("data: "):
                events.append((name, json.loads(line[6:])))
    return events


# --------------------------------------------------------------------------- sessions and setup


def test_a_new_session_is_tensorflow_playgrounds_first_screen(client):
    sid, state = new_session(client)
    assert state["layer_sizes"] == [2, 4, 2, 1]
    assert state["activations"] == ["tanh", "tanh", "sigmoid"]
    assert len(state["points"]["train"]) == 250 and len(state["points"]["test"]) == 250
    assert state["epoch"] == 0 and 0.6 < state["test_loss"] < 0.8  # near log 2 before training
    assert len(state["output"]["value"]) == state["grid"] ** 2
    assert [len(layer) for layer in state["neurons"]] == [4, 2]
    assert state["limits"]["max_neurons"] == 8 and state["limits"]["max_layers"] == 6


def test_the_same_setup_gives_the_same_data_and_weights(client):
    _, a = new_session(client, dataset="xor", hidden=[3], activations=["relu"], seed=5)
    _, b = new_session(client, dataset="xor", hidden=[3], activations=["relu"], seed=5)
    assert a["points"] == b["points"] and a["weights"] == b["weights"]


def test_setup_changes_what_it_names(client):
    sid, state = new_session(client)
    r = call(
        client,
        sid,
        "/api/setup",
        {
            "config": {
                "features": ["x1", "x2", "x1sq", "sinx2"],
                "hidden": [5, 3, 2],
                "activations": ["relu", "tanh", "gelu"],
                "problem": "multiclass",
                "dataset": "spiral",
                "n_classes": 3,
            }
        },
    )
    assert r.status_code == 200, r.text
    s = r.json()
    assert s["layer_sizes"] == [4, 5, 3, 2, 3]
    assert s["activations"] == ["relu", "tanh", "gelu", "softmax"]
    assert s["n_classes"] == 3 and set(s["output"]) == {"class", "p"}
    kept = s["weights"]
    r = call(client, sid, "/api/setup", {"config": {"lr": 0.1, "optimizer": "adam"}})
    assert r.json()["weights"] == kept  # training settings keep the weights


def test_training_lowers_the_test_loss_and_streams_frames(client):
    sid, state = new_session(client, dataset="circle", optimizer="adam", lr=0.03)
    events = run_events(client, sid, epochs=40)
    names = [name for name, _ in events]
    assert names[0] == "frame" and names[-1] == "stopped" and names.count("stopped") == 1
    last = events[-1][1]
    assert last["epoch"] == 40 and last["running"] is False
    assert last["test_loss"] < 0.2 < state["test_loss"]
    assert last["curve"]["epoch"][-1] == 40


def test_a_diverging_run_stops_and_keeps_the_last_good_weights(client):
    sid, state = new_session(
        client, dataset="plane", problem="regression", hidden=[8, 8], activations=["relu", "relu"], lr=3.0
    )
    last = run_events(client, sid, epochs=50)[-1][1]
    assert last["running"] is False and last["epoch"] == 0
    assert "diverged in epoch 1" in last["message"] and "lower the learning rate" in last["message"]
    assert last["weights"] == state["weights"]  # the first epoch blew up: back to the start
    assert last["train_loss"] == state["train_loss"]


def test_step_without_a_point_is_one_mini_batch(client):
    sid, state = new_session(client, batch_size=10)
    after = call(client, sid, "/api/step", {"point": None}).json()
    assert after["steps"] == 1 and after["epoch"] == 0 and "trace" not in after
    assert after["weights"] != state["weights"]
    for _ in range(24):  # 250 training points, batches of 10: the 25th step ends the epoch
        after = call(client, sid, "/api/step").json()
    assert after["steps"] == 25 and after["epoch"] == 1


# --------------------------------------------------------------------------- the step view


def test_a_traced_step_is_glassnet_trace_and_the_network_takes_it(client):
    sid, _ = new_session(client, dataset="moons", hidden=[3, 2], activations=["tanh", "relu"], lr=0.3)
    run_events(client, sid, epochs=5)
    before = call(client, sid, "/api/weights", method="GET").json()
    points = call(client, sid, "/api/points", method="GET").json()["train"]
    r = call(client, sid, "/api/step", {"point": 17})
    assert r.status_code == 200, r.text
    shown = r.json()["trace"]

    expected = trace(
        network_from(before), np.array([points["features"][17]]), np.array([points["Y"][17]]), lr=before["lr"]
    )
    assert shown["text"] == expected.text()
    assert shown["detailed"] == expected.text(detailed=True)
    assert shown["point"] == 17 and shown["y"] == points["Y"][17]
    after = call(client, sid, "/api/weights", method="GET").json()
    for layer, traced in zip(after["layers"], expected.layers, strict=True):
        assert np.array_equal(layer["W"], traced.W_new) and np.array_equal(layer["b"], traced.b_new)


def test_the_step_views_command_prints_the_same_calculation(client, tmp_path, capsys):
    sid, _ = new_session(client, dataset="xor", hidden=[2], activations=["sigmoid"], lr=0.5)
    shown = call(client, sid, "/api/step", {"point": 3}).json()["trace"]
    r = client.get("/api/export/npz", params={"session": sid, "which": "before_step"})
    assert r.status_code == 200
    (tmp_path / "playground-step.npz").write_bytes(r.content)
    args = shown["command"].split()[1:]
    assert args[:3] == ["trace", "--weights", "playground-step.npz"]
    args[2] = str(tmp_path / "playground-step.npz")
    with pytest.raises(SystemExit) as exit_:
        cli.main(args)
    assert exit_.value.code == 0
    assert capsys.readouterr().out.strip() == shown["text"].strip()


def test_a_traced_step_names_a_bad_point(client):
    sid, _ = new_session(client)
    r = call(client, sid, "/api/step", {"point": 250})
    assert r.status_code == 400 and "0 to 249" in r.json()["error"]


# --------------------------------------------------------------------------- editing and the neuron view


def test_editing_a_weight_changes_the_output(client):
    sid, state = new_session(client)
    r = call(client, sid, "/api/weight", {"layer": 2, "unit": 0, "source": 1, "value": -4.0})
    assert r.status_code == 200, r.text
    after = r.json()
    assert after["weights"][2]["W"][1][0] == -4.0
    assert after["output"]["value"] != state["output"]["value"]
    r = call(client, sid, "/api/weight", {"layer": 0, "unit": 3, "source": None, "value": 1.5})
    assert r.json()["weights"][0]["b"][3] == 1.5
    r = call(client, sid, "/api/weight", {"layer": 0, "unit": 9, "source": 0, "value": 1})
    assert r.status_code == 400 and "unit must be 0 to 3" in r.json()["error"]


def test_the_neuron_view_fills_in_the_current_weights(client):
    sid, _ = new_session(client)
    call(client, sid, "/api/weight", {"layer": 0, "unit": 1, "source": 0, "value": 0.31})
    call(client, sid, "/api/weight", {"layer": 0, "unit": 1, "source": 1, "value": -1.2})
    call(client, sid, "/api/weight", {"layer": 0, "unit": 1, "source": None, "value": 0.05})
    view = call(client, sid, "/api/neuron", {"layer": 0, "unit": 1, "point": [2.0, 1.0]}).json()
    z = 0.31 * 2.0 - 1.2 * 1.0 + 0.05
    assert view["formula"] == "z = 0.31·X₁ − 1.2·X₂ + 0.05"
    assert view["filled"] == "z = 0.31·(2) − 1.2·(1) + 0.05 = -0.53"
    assert view["z"] == pytest.approx(z) and view["a"] == pytest.approx(np.tanh(z))
    assert view["activation"] == "a = tanh(z) = tanh(-0.53) = -0.485"


# --------------------------------------------------------------------------- bad requests


def test_bad_json_is_a_400_that_says_so(client):
    sid, _ = new_session(client)
    r = client.post("/api/setup", headers={"X-Session": sid}, content=b"{not json")
    assert r.status_code == 400 and "not valid JSON" in r.json()["error"]
    r = client.post("/api/setup", headers={"X-Session": sid}, content=b"[1, 2]")
    assert r.status_code == 400 and "must be a JSON object" in r.json()["error"]


def test_an_oversized_body_is_a_413():
    app = create_app(Limits(max_body=5_000))
    with TestClient(app) as small:
        sid = small.post("/api/session", json={}).json()["session"]
        r = small.post("/api/csv", headers={"X-Session": sid}, json={"text": "1,2,0\n" * 2000})
        assert r.status_code == 413 and "larger than 5000 bytes" in r.json()["error"]


@pytest.mark.parametrize(
    "config, message",
    [
        ({"hidden": [2] * 7, "activations": ["tanh"] * 7}, "at most 6 hidden layers"),
        ({"hidden": [9, 2]}, "1 to 8 neurons"),
        ({"hidden": [65, 2], "big": True}, "1 to 64 neurons"),
        ({"hidden": [2] * 9, "activations": ["tanh"] * 9, "big": True}, "at most 8 hidden layers"),
        ({"n_samples": 2001}, "at most 2000"),
        ({"activations": ["swish", "tanh"]}, "valid choices are: tanh, relu, sigmoid, linear"),
        ({"optimizer": "lbfgs"}, "valid choices are: sgd, momentum, adam"),
        ({"dataset": "mnist"}, "valid choices are: circle, xor, gauss, spiral, moons, plane, multigauss"),
        ({"dataset": "plane"}, "is a regression problem"),
        ({"lr": 0}, "lr must be above 0"),
        ({"epochs": 3}, "unknown setting 'epochs'"),
        ({"noise": "a lot"}, "noise must be a number"),
    ],
)
def test_refused_setups_name_the_problem(client, config, message):
    sid, state = new_session(client)
    r = call(client, sid, "/api/setup", {"config": config})
    assert r.status_code == 400 and message in r.json()["error"]
    assert call(client, sid, "/api/state", method="GET").json()["config"] == state["config"]


def test_lifted_limits_allow_a_big_network(client):
    sid, _ = new_session(client)
    r = call(
        client,
        sid,
        "/api/setup",
        {"config": {"big": True, "hidden": [64, 64], "activations": ["relu", "relu"]}},
    )
    assert r.status_code == 200 and r.json()["layer_sizes"] == [2, 64, 64, 1]
    assert r.json()["neurons"] is None  # too many neurons to picture each one


def test_epochs_per_run_are_bounded(client):
    sid, _ = new_session(client)
    r = call(client, sid, "/api/run", {"epochs": 20_000})
    assert r.status_code == 400 and "at most 10000" in r.json()["error"]


def test_an_unknown_session_is_a_404(client):
    r = client.get("/api/state", headers={"X-Session": "no-such-session"})
    assert r.status_code == 404 and "unknown or expired session" in r.json()["error"]


def test_the_oldest_idle_session_makes_room():
    app = create_app(Limits(max_sessions=2))
    with TestClient(app) as c:
        first = c.post("/api/session", json={}).json()["session"]
        c.post("/api/session", json={})
        c.post("/api/session", json={})
        assert len(app.state.store) == 2
        assert c.get("/api/state", headers={"X-Session": first}).status_code == 404


def test_your_own_csv(client, tmp_path):
    sid, _ = new_session(client)
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 2)) * [10, 0.1] + [100, 5]
    labels = np.array(["cat", "dog", "owl"])[np.arange(60) % 3]
    text = "width,height,animal\n" + "".join(f"{a},{b},{c}\n" for (a, b), c in zip(X, labels, strict=True))
    r = call(client, sid, "/api/csv", {"text": text})
    assert r.status_code == 200, r.text
    s = r.json()
    assert s["config"]["dataset"] == "csv" and s["config"]["problem"] == "multiclass"
    assert s["csv"]["classes"] == ["cat", "dog", "owl"] and s["layer_sizes"][-1] == 3
    plane = np.array(s["points"]["train"] + s["points"]["test"])[:, :2]
    assert np.abs(plane).max() == pytest.approx(5.0, abs=1e-3)
    r = call(client, sid, "/api/csv", {"text": "a,b,c\n1,x,0\n"})
    assert r.status_code == 400 and "non-numeric value 'x'" in r.json()["error"]
    r = call(client, sid, "/api/csv", {"text": "1,2,0\n" * 5001})
    assert r.status_code == 400 and "at most 5000" in r.json()["error"]


# --------------------------------------------------------------------------- the descent view and the explainer


def test_the_descent_view_runs_glassnet_descend(client):
    r = client.post(
        "/api/descent", json={"formula": "x^2 + 3*y^2", "start": [2, 1.5], "lr": 0.1, "steps": 20}
    )
    assert r.status_code == 200, r.text
    d = r.json()
    expected = glassnet.descend("x**2 + 3*y**2", [2, 1.5], lr=0.1, iterations=20)
    assert np.array_equal(d["path"], expected.path) and d["gradient"] == {"x": "2*x", "y": "6*y"}
    assert len(d["grid"]) == len(d["grid"][0]) == mathviews.DESCENT_GRID
    r = client.post("/api/descent", json={"formula": "sin(x)", "start": [1, -2], "lr": 0.5, "steps": 5})
    assert r.json()["path"][-1][1] == -2  # y is not a variable: it stays


@pytest.mark.parametrize(
    "formula",
    [
        "__import__('os').system('touch {file}')",
        "x.real",
        "exec(x)",
        "open('{file}', 'w')",
    ],
)
def test_hostile_formulas_are_refused_with_the_parsers_message(client, tmp_path, formula):
    from glassnet import calculus

    target = tmp_path / "pwned"
    text = formula.format(file=target)
    with pytest.raises(ValueError) as parser:
        calculus.parse(text)
    r = client.post("/api/descent", json={"formula": text, "start": [1, 1]})
    assert r.status_code == 400 and r.json()["error"] == str(parser.value)
    assert not target.exists()


def test_a_formula_that_would_never_finish_is_stopped(client):
    started = time.monotonic()
    r = client.post("/api/descent", json={"formula": "9**9**9 + x", "start": [1, 1]})
    assert r.status_code == 400 and time.monotonic() - started < 15
    assert "took more than 3 s" in r.json()["error"] or "too large" in r.json()["error"]
    r = client.post("/api/descent", json={"formula": "x^2 + y^2", "start": [1, 1], "steps": 3})
    assert r.status_code == 200  # the worker is back after a killed formula


def test_only_x_and_y(client):
    r = client.post("/api/descent", json={"formula": "x + z", "start": [1, 1]})
    assert r.status_code == 400 and "unknown name 'z'; the variables are x, y" in r.json()["error"]


def test_long_formulas_are_refused_before_parsing(client):
    r = client.post("/api/descent", json={"formula": "x+" * 150 + "y"})
    assert r.status_code == 400 and "at most 200 characters" in r.json()["error"]


def test_the_explainer_uses_glassnets_ewma_and_optimizers(client):
    r = client.post("/api/explain", json={"beta": 0.8, "noise": 0.3, "n": 50, "steps": 25})
    assert r.status_code == 200, r.text
    e = r.json()
    assert np.allclose(e["ewma"], glassnet.ewma(e["signal"], 0.8))
    assert np.allclose(e["ewma_raw"], glassnet.ewma(e["signal"], 0.8, bias_correction=False))
    assert e["ewma"][0] == e["signal"][0] and e["ewma_raw"][0] == pytest.approx(0.2 * e["signal"][0])
    for path in e["paths"].values():
        assert path[0] == list(mathviews.RAVINE_START) and len(path) == 26
        assert mathviews.ravine(*path[-1]) < mathviews.ravine(*path[0]) / 10
    sgd = mathviews.ravine(*e["paths"]["sgd"][-1])
    assert mathviews.ravine(*e["paths"]["momentum"][-1]) < sgd  # momentum goes further along the ravine
    r = client.post("/api/explain", json={"beta": 1.5})
    assert r.status_code == 400 and "beta must be at least 0 and at most 0.999" in r.json()["error"]


# --------------------------------------------------------------------------- two sessions


def test_two_sessions_do_not_disturb_each_other(client):
    a, _ = new_session(client, dataset="circle")
    b, b_state = new_session(client, dataset="spiral", hidden=[3], activations=["relu"])
    run_events(client, a, epochs=10)
    call(client, a, "/api/setup", {"config": {"lr": 0.3}})
    b_now = call(client, b, "/api/state", method="GET").json()
    assert b_now["weights"] == b_state["weights"] and b_now["epoch"] == 0
    assert b_now["config"] == b_state["config"]
    assert call(client, a, "/api/state", method="GET").json()["epoch"] == 10


# --------------------------------------------------------------------------- exports


def test_the_npz_export_loads_and_predicts_like_the_session(client, app, tmp_path):
    sid, _ = new_session(
        client,
        dataset="gauss",
        problem="multiclass",
        n_classes=4,
        features=["x1", "x2", "x1x2"],
        hidden=[5],
        activations=["relu"],
    )
    run_events(client, sid, epochs=3)
    r = client.get("/api/export/npz", params={"session": sid})
    assert r.status_code == 200 and r.headers["content-disposition"].endswith('"playground.npz"')
    path = tmp_path / "playground.npz"
    path.write_bytes(r.content)
    net = load(path)
    session = app.state.store.get(sid)
    assert np.array_equal(net.predict_output(session.F_test), session.net.predict_output(session.F_test))
    assert np.array_equal(net.predict(session.F_test), session.net.predict(session.F_test))
    assert load_saved(path).info["features"] == ["x1", "x2", "x1x2"]


@pytest.mark.parametrize(
    "problem, kwargs",
    [
        ("classification", {}),
        ("multiclass", {"dataset": "gauss", "n_classes": 3}),
        ("regression", {"dataset": "plane"}),
    ],
)
def test_the_onnx_export_runs_in_onnxruntime_like_the_session(client, app, problem, kwargs):
    import onnxruntime as ort

    sid, state = new_session(
        client, problem=problem, features=["x1", "x2", "x1x2"], hidden=[4], activations=["relu"], **kwargs
    )
    assert "message" not in state or not state["message"], state.get("message")
    assert app.state.store.get(sid).net.task == {"classification": "binary"}.get(problem, problem)
    run_events(client, sid, epochs=3)
    r = client.get("/api/export/onnx", params={"session": sid})
    assert r.status_code == 200 and r.headers["content-disposition"].endswith('"playground.onnx"')
    onnx_session = ort.InferenceSession(r.content, providers=["CPUExecutionProvider"])
    session = app.state.store.get(sid)
    F = session.F_test.astype(np.float32)
    outputs = dict(
        zip([o.name for o in onnx_session.get_outputs()], onnx_session.run(None, {"X": F}), strict=True)
    )
    expected = session.net.predict_output(session.F_test)
    if problem == "regression":
        np.testing.assert_allclose(outputs["variable"], expected, atol=1e-5)
    else:
        np.testing.assert_array_equal(outputs["label"], session.net.predict(session.F_test))
        np.testing.assert_allclose(
            outputs["probabilities"], session.net.head.probabilities(expected), atol=1e-5
        )


def test_an_unknown_export_is_named(client):
    sid, _ = new_session(client)
    r = client.get("/api/export/pdf", params={"session": sid})
    assert r.status_code == 404 and "exports are npz, onnx and python" in r.json()["error"]


def test_the_exported_python_code_rebuilds_and_trains(client, tmp_path):
    sid, _ = new_session(client, dataset="circle", optimizer="adam", lr=0.03, noise=0.1)
    code = client.get("/api/export/python", params={"session": sid}).text
    (tmp_path / "playground.py").write_text(code)
    done = subprocess.run(
        [sys.executable, "playground.py"], cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    accuracy = float(done.stdout.split("test accuracy:")[1])
    assert accuracy >= 0.95, done.stdout
    assert load(tmp_path / "playground.npz").layer_sizes == [2, 4, 2, 1]


# --------------------------------------------------------------------------- a real server


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture()
def live_server():
    import uvicorn

    port = _free_port()
    app = create_app()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}", app
    server.should_exit = True
    thread.join(timeout=10)


def test_closing_the_stream_stops_the_training(live_server):
    import httpx

    url, app = live_server
    sid = httpx.post(f"{url}/api/session", json={}).json()["session"]
    session = app.state.store.get(sid)
    with (
        httpx.Client(timeout=10) as c,
        c.stream("POST", f"{url}/api/run", headers={"X-Session": sid}, json={}) as r,
    ):
        frames = 0
        for line in r.iter_lines():
            frames += line.startswith("event: frame")
            if frames == 3:
                break  # the page goes away: the connection closes
    deadline = time.monotonic() + 5
    while session.run_token is not None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert session.run_token is None
    epoch = session.epoch
    time.sleep(0.4)
    assert session.epoch == epoch > 0


def test_pause_ends_the_stream(live_server):
    import httpx

    url, app = live_server
    sid = httpx.post(f"{url}/api/session", json={}).json()["session"]
    names = []

    def read():
        with httpx.stream("POST", f"{url}/api/run", headers={"X-Session": sid}, json={}, timeout=10) as r:
            names.extend(line[7:] for line in r.iter_lines() if line.startswith("event: "))

    reader = threading.Thread(target=read)
    reader.start()
    time.sleep(0.5)
    paused = httpx.post(f"{url}/api/pause", headers={"X-Session": sid}).json()
    reader.join(timeout=5)
    assert not reader.is_alive() and names[-1] == "stopped"
    assert paused["running"] is False and paused["epoch"] > 0


# --------------------------------------------------------------------------- the command


def test_glassnet_play_serves_the_page_on_a_free_port():
    import httpx

    proc = subprocess.Popen(
        [sys.executable, "-m", "glassnet", "play", "--port", "0", "--no-browser"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = proc.stdout.readline()
        assert "glassnet playground at http://127.0.0.1:" in line, proc.stderr.read()
        url = line.split(" at ")[1].split()[0]
        page = httpx.get(url, timeout=10)
        assert page.status_code == 200 and "glassnet playground" in page.text
        assert "default-src 'self'" in page.headers["content-security-policy"]
        assert httpx.get(url + "static/app.js", timeout=10).status_code == 200
        assert httpx.get(url, headers={"Host": "evil.example"}, timeout=10).status_code == 400
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_glassnet_play_on_a_taken_port_says_so():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        done = subprocess.run(
            [sys.executable, "-m", "glassnet", "play", "--port", str(port), "--no-browser"],
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert done.returncode == 1
    assert f"error: port {port} on 127.0.0.1 is in use" in done.stderr and "--port 0" in done.stderr


def test_glassnet_play_without_the_extra_says_what_to_install():
    # A Python in which Starlette cannot be imported, as without the play extra.
    script = (
        "import sys; sys.modules['starlette'] = None; from glassnet.cli import main; "
        "main(['play', '--port', '0', '--no-browser'])"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert "error: the playground needs the play extra: pip install 'glassnet[play]'" in done.stderr


def test_the_page_ships_in_the_package_and_loads_nothing_from_elsewhere():
    import tomllib

    root = Path(glassnet.__file__).parent
    pyproject = tomllib.loads((root.parent / "pyproject.toml").read_text())
    assert "static/*" in pyproject["tool"]["setuptools"]["package-data"]["glassnet.play"]
    static = root / "play" / "static"
    files = {p.name for p in static.iterdir()}
    assert {
        "index.html",
        "app.js",
        "style.css",
        "api.js",
        "network.js",
        "views.js",
        "mathtabs.js",
        "colors.js",
    } <= files
    for p in static.iterdir():
        text = p.read_text().replace("http://www.w3.org/2000/svg", "")  # SVG's namespace, not a fetch
        assert "http://" not in text and "https://" not in text, p.name
