"""The HTML report: self-contained, escaped, written atomically, and really rendered by a browser."""

import base64
import re
import shutil
import subprocess

import numpy as np
import pytest

from glassnet.glass.report import render_report, write_report
from glassnet.training import History


def _png(path, seed=0):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rng = np.random.default_rng(seed)
    fig, ax = plt.subplots(figsize=(4, 3))
    ax.plot(np.cumsum(rng.normal(size=50)), color="tab:blue")
    ax.set_title(f"picture {seed}")
    fig.savefig(path, format="png")
    plt.close(fig)
    return path


def _history(n=200):
    loss = list(np.exp(-np.arange(n) / 50.0))
    return History(loss=loss, val_loss=[v * 1.1 for v in loss], accuracy=[1 - v / 2 for v in loss])


@pytest.fixture
def images(tmp_path):
    return {"learning_curves": _png(tmp_path / "a.png", 0), "decision_boundary": _png(tmp_path / "b.png", 1)}


def test_report_embeds_every_picture_and_the_tables(tmp_path, images):
    metrics = {"test_accuracy": 0.975, "train_loss": 0.0312, "epochs": 200}
    config = {"dataset": "moons", "hidden": [16, 8], "optimizer": "adam"}
    path = write_report(tmp_path, metrics, _history(), images, config)
    assert path == tmp_path / "report.html"
    text = path.read_text()
    assert text.startswith("<!DOCTYPE html>")
    for name, png in images.items():
        encoded = base64.b64encode(png.read_bytes()).decode()
        assert f'<img src="data:image/png;base64,{encoded}"' in text
        assert name.replace("_", " ") in text
    assert text.count('<img src="data:image/png;base64,') == len(images)
    assert "test_accuracy" in text and "0.975" in text
    assert "16, 8" in text and "adam" in text
    assert "<style>" in text and "<link" not in text and "<script" not in text  # self-contained


def test_long_histories_show_every_kth_epoch_and_the_last(tmp_path):
    text = render_report({"loss": 1.0}, _history(200))
    epochs = [int(e) for e in re.findall(r"<tr><td>(\d+)</td>", text)]
    assert 10 <= len(epochs) <= 45
    assert epochs[0] == 1 and epochs[-1] == 200
    short = render_report({}, {"loss": [0.5, 0.4, 0.3]})
    assert re.findall(r"<tr><td>(\d+)</td>", short) == ["1", "2", "3"]
    assert "No history recorded" in render_report({}, None)


def test_text_is_escaped(tmp_path):
    text = render_report(
        {"<b>metric</b>": "<script>alert(1)</script>"}, None, config={"note": "a & b < c"}, title="run <1>"
    )
    assert "<script>alert" not in text and "&lt;script&gt;" in text
    assert "a &amp; b &lt; c" in text and "run &lt;1&gt;" in text


def test_a_failed_report_leaves_the_old_one(tmp_path, images):
    path = write_report(tmp_path, {"accuracy": 0.5}, None, images)
    before = path.read_bytes()
    with pytest.raises(FileNotFoundError):
        write_report(tmp_path, {"accuracy": 0.9}, None, {"gone": tmp_path / "missing.png"})
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.png", "b.png", "report.html"]


def _chromium():
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(_chromium() is None, reason="Chromium is not installed")
def test_chromium_renders_the_report(tmp_path, images):
    report = write_report(
        tmp_path, {"test_accuracy": 0.975, "epochs": 200}, _history(), images, {"dataset": "moons"}
    )
    shot = tmp_path / "shot.png"
    profile = tmp_path / "profile"
    cmd = [
        _chromium(),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile}",
        f"--screenshot={shot}",
        "--window-size=1200,2000",
        report.resolve().as_uri(),
    ]
    subprocess.run(cmd, capture_output=True, timeout=120)
    assert shot.exists() and shot.stat().st_size > 10_000

    from matplotlib.image import imread

    pixels = imread(shot)
    assert pixels.shape[:2] == (2000, 1200)
    rgb = pixels[..., :3].reshape(-1, 3)
    assert rgb.std() > 0.05  # not a blank page
    assert len(np.unique((rgb * 255).astype(np.uint8), axis=0)) > 50  # text, tables, plots
    header = pixels[10:40, 10:1190, :3].reshape(-1, 3).mean(axis=0)
    assert header[2] > header[0]  # the dark-blue header band was drawn (CSS applied)
