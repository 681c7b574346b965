"""Check that a built wheel holds every file the package needs at run time.

Every file under ``glassnet/`` that git tracks (sources, the playground's page, ``py.typed``)
must be in the wheel, nothing from caches or the checkout's other folders may be, and the
wheel's version must be the one in ``glassnet/__init__.py``.

    python tests/wheel_contents.py dist/glassnet-*.whl
"""

from __future__ import annotations

import re
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def package_files() -> set[str]:
    """The files of ``glassnet/`` the checkout tracks (what a fresh clone has)."""
    listed = subprocess.run(
        ["git", "ls-files", "glassnet"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    return {name for name in listed if (ROOT / name).is_file()}


def version() -> str:
    text = (ROOT / "glassnet" / "__init__.py").read_text()
    return re.search(r'^__version__ = "([^"]+)"', text, re.M)[1]


def check(wheel: str | Path) -> list[str]:
    """Problems found in ``wheel`` (an empty list when it is complete)."""
    names = set(zipfile.ZipFile(wheel).namelist())
    shipped = {n for n in names if n.startswith("glassnet/")}
    problems = [f"missing from the wheel: {name}" for name in sorted(package_files() - shipped)]
    problems += [
        f"does not belong in the wheel: {name}"
        for name in sorted(shipped)
        if "__pycache__" in name or name.endswith((".pyc", ".nbi", ".nbc"))
    ]
    problems += [f"outside the package: {n}" for n in sorted(names - shipped) if ".dist-info/" not in n]
    dist_info = {n.split("/")[0] for n in names if ".dist-info/" in n}
    if dist_info != {f"glassnet-{version()}.dist-info"}:
        problems.append(f"dist-info {sorted(dist_info)} is not glassnet-{version()}'s")
    if not any(n.endswith(".dist-info/licenses/LICENSE") for n in names):
        problems.append("the LICENSE file is not in the wheel's metadata")
    return problems


if __name__ == "__main__":
    wheel = sys.argv[1]
    problems = check(wheel)
    size = Path(wheel).stat().st_size
    count = len(zipfile.ZipFile(wheel).namelist())
    if problems:
        print("\n".join(problems))
        sys.exit(1)
    print(f"{Path(wheel).name}: {count} files, {size / 1024:.0f} kB, every package file present")
