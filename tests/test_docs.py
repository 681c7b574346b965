"""The documentation site builds in strict mode, offline, with the tutorials and the API reference.

``mkdocs build --strict`` fails on any warning: a broken link, a docstring griffe cannot
read, a page missing from the navigation. The tutorials are converted from the stored
notebooks by ``docs/_hooks/notebooks.py``; their figures must come along.
"""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_documentation_builds_in_strict_mode(tmp_path):
    site = tmp_path / "site"
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "NO_COLOR": "1"}
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(site)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "WARNING" not in done.stderr

    stems = sorted(p.stem for p in (ROOT / "examples").glob("*.ipynb"))
    for stem in stems:
        page = (site / "tutorials" / stem / "index.html").read_text(encoding="utf-8")
        assert "What this tutorial teaches" in page and "assert" in page
    backprop = (site / "tutorials" / "03_backprop_by_hand" / "index.html").read_text(encoding="utf-8")
    assert "z⁽¹⁾ = [0.6, 1.3]" in backprop and "a⁽¹⁾ = [0.6457, 0.7858]" in backprop
    moons = (site / "tutorials" / "04_xor_and_moons" / "index.html").read_text(encoding="utf-8")
    figures = list((site / "tutorials" / "04_xor_and_moons_files").glob("*.png"))
    assert len(figures) >= 4 and all(f.name in moons for f in figures)
    assert all(f.read_bytes()[:4] == b"\x89PNG" for f in figures)

    reference = (site / "reference" / "network" / "index.html").read_text(encoding="utf-8")
    assert "from_weights" in reference and "layout_of" in reference
    for page in site.rglob("*.html"):  # no fonts or styles from the internet
        text = page.read_text(encoding="utf-8")
        assert "fonts.googleapis" not in text and "fonts.gstatic" not in text, page
