"""scikit-learn's own MLP test module, run against glassnet with one import line swapped.

The file ships inside the installed scikit-learn (``sklearn/neural_network/tests/
test_mlp.py``). It is copied to a temporary folder with its import of
``MLPClassifier, MLPRegressor`` pointed at glassnet, and run by pytest in a
subprocess. A drop-in replacement passes every test that checks behaviour; the
two that call scikit-learn's private ``_forward_pass``/``_backprop`` arithmetic
(``test_fit``, ``test_gradient``) are the only ones allowed to fail.
"""

import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import sklearn

PRIVATE_ARITHMETIC = {"test_fit", "test_gradient"}
SKLEARN_IMPORT = "from sklearn.neural_network import MLPClassifier, MLPRegressor"

# scikit-learn's conftest provides this fixture; its default seed is 42.
CONFTEST = """
import pytest


@pytest.fixture(params=[42])
def global_random_seed(request):
    return request.param
"""


def test_sklearn_test_mlp_passes_with_the_import_swapped(tmp_path):
    source = Path(sklearn.__file__).parent / "neural_network" / "tests" / "test_mlp.py"
    text = source.read_text(encoding="utf-8")
    assert text.count(SKLEARN_IMPORT) == 1, "scikit-learn changed how test_mlp.py imports the MLPs"
    (tmp_path / "test_mlp_glassnet.py").write_text(
        text.replace(SKLEARN_IMPORT, "from glassnet import MLPClassifier, MLPRegressor"), encoding="utf-8"
    )
    (tmp_path / "conftest.py").write_text(CONFTEST, encoding="utf-8")
    report = tmp_path / "report.xml"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-p",
            "no:xdist",
            "-W",
            "ignore",
            f"--junitxml={report}",
            "test_mlp_glassnet.py",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=600,
    )

    outcomes = {}
    for case in ET.parse(report).getroot().iter("testcase"):
        name = case.get("name").split("[")[0]
        failed = any(child.tag in ("failure", "error") for child in case)
        skipped = any(child.tag == "skipped" for child in case)
        outcomes.setdefault(name, []).append("failed" if failed else "skipped" if skipped else "passed")
    failed = {name for name, results in outcomes.items() if "failed" in results}
    passed = sum(results.count("passed") for results in outcomes.values())

    assert failed <= PRIVATE_ARITHMETIC, (
        f"glassnet fails scikit-learn's {sorted(failed - PRIVATE_ARITHMETIC)}"
    )
    assert passed >= 55, f"only {passed} of scikit-learn's MLP tests passed"
