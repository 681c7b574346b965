"""scikit-learn's own estimator checks, every one of them, for both estimators.

``parametrize_with_checks`` yields one test per check, run on the estimators
with their default parameters; none is marked as an expected failure or
skipped. (One check skips itself: the multi-label ``decision_function`` format
check, since MLPClassifier, like scikit-learn's, has no ``decision_function``.)
"""

import pytest
from sklearn.utils.estimator_checks import parametrize_with_checks

from glassnet.estimators import MLPClassifier, MLPRegressor


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@parametrize_with_checks([MLPClassifier(), MLPRegressor()])
def test_sklearn_compatible(estimator, check, monkeypatch):
    # check_array_api_input skips itself unless this is set; with it, the check
    # runs NumPy inputs under array-API dispatch. (It only reads the variable.)
    monkeypatch.setenv("SCIPY_ARRAY_API", "1")
    check(estimator)
