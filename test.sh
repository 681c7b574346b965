#!/usr/bin/env bash
# Set up glassnet with its test extras in .venv and run the whole test suite.
# pytest exits non-zero on any failure and with 5 when it collected no tests, so neither passes.
set -euo pipefail
cd "$(dirname "$0")"
PYTHON=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check -e '.[test]'
# --dist loadgroup: the tests of one xdist_group (the Dask tests and their cluster) share one worker.
exec .venv/bin/python -m pytest -n 2 --dist loadgroup -q "$@"
