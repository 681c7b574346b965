"""The package as a user installs it: a complete wheel, one version, annotated public API."""

import re
import subprocess
import sys
import tomllib
import zipfile

import pytest
from wheel_contents import ROOT, check, package_files

import glassnet


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    # Built with this environment's setuptools (the lint extra asks for one that reads
    # pyproject.toml's SPDX licence), without fetching a build environment.
    out = tmp_path_factory.mktemp("wheel")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            str(ROOT),
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    (path,) = out.glob("glassnet-*.whl")
    return path


def test_the_wheel_holds_every_package_file_and_nothing_else(wheel):
    assert check(wheel) == []
    names = zipfile.ZipFile(wheel).namelist()
    assert "glassnet/py.typed" in names and "glassnet/play/static/index.html" in names
    assert len(package_files()) > 80  # the check compared against the real tree


def test_the_checker_notices_a_missing_file(wheel, tmp_path):
    broken = tmp_path / wheel.name
    with zipfile.ZipFile(wheel) as source, zipfile.ZipFile(broken, "w") as target:
        for item in source.infolist():
            if item.filename != "glassnet/play/static/app.js":
                target.writestr(item, source.read(item))
    assert check(broken) == ["missing from the wheel: glassnet/play/static/app.js"]


def test_the_version_lives_in_one_place(wheel):
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert "version" not in project and project["dynamic"] == ["version"]
    assert wheel.name.startswith(f"glassnet-{glassnet.__version__}-")
    others = [
        path
        for path in [*ROOT.glob("glassnet/**/*.py"), ROOT / "README.md", ROOT / "docs" / "index.md"]
        if path.name != "__init__.py" or path.parent.name != "glassnet"
        if re.search(rf"\b{re.escape(glassnet.__version__)}\b", path.read_text())
    ]
    assert others == []
