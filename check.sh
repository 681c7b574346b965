#!/usr/bin/env bash
# The checks CI runs before the tests: lint, format, types, and a wheel that installs and works.
#   bash check.sh            all of them (the wheel step builds, then installs into a fresh venv)
#   bash check.sh --quick    lint, format and types only (seconds; what pre-commit runs)
set -euo pipefail
cd "$(dirname "$0")"
PYTHON=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check -e '.[test]'
PATHS=(glassnet tests bench examples docs)

echo "== ruff check"
.venv/bin/ruff check "${PATHS[@]}"
echo "== ruff format --check"
.venv/bin/ruff format --check "${PATHS[@]}"
echo "== mypy"
.venv/bin/mypy
[ "${1:-}" = "--quick" ] && exit 0

echo "== build: sdist and wheel"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
.venv/bin/python -m build --outdir "$out/dist" . >"$out/build.log" 2>&1 || { tail -40 "$out/build.log"; exit 1; }
.venv/bin/python -m twine check --strict "$out"/dist/*
.venv/bin/python tests/wheel_contents.py "$out"/dist/*.whl

echo "== the wheel in a fresh virtual environment"
"$PYTHON" -m venv "$out/venv"
"$out/venv/bin/python" -m pip install -q --disable-pip-version-check "$out"/dist/*.whl
cd "$out"   # away from the checkout: the installed package, not ./glassnet, is imported
"$out/venv/bin/glassnet" --help >/dev/null
"$out/venv/bin/glassnet" train xor --hidden 4 --epochs 50 --out "$out/run" -q
test -s "$out/run/metrics.json" && test -s "$out/run/model.npz"
"$out/venv/bin/python" -c "import glassnet, pathlib; p = pathlib.Path(glassnet.__file__).parent; \
assert (p / 'py.typed').exists() and (p / 'play/static/index.html').exists(); print('installed', glassnet.__version__)"
echo "all checks passed"
