#!/usr/bin/env bash
# Set up glassnet in .venv (first run only installs) and run the main job:
# train a network on a built-in dataset, print progress and results, write the run folder.
set -euo pipefail
cd "$(dirname "$0")"
PYTHON=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check -e . 
exec .venv/bin/python -m glassnet train "$@"
