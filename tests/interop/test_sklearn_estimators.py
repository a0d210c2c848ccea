"""``StepgradClassifier`` / ``StepgradRegressor`` pass scikit-learn's own estimator checks and learn."""

import re

import numpy as np
import pytest

pytest.importorskip("sklearn")

from sklearn.datasets import load_iris, make_regression
from sklearn.utils.estimator_checks import check_estimator

from stepgrad.core import predict_outputs
from stepgrad.interop.sklearn import StepgradClassifier, StepgradRegressor

# The one check scikit-learn skips here: check_array_api_input (needs SCIPY_ARRAY_API=1 and
# array-API support, which stepgrad does not claim). We skip none; pandas (a test dependency) lets
# the check_*_data_not_an_array checks run.


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.SkipTestWarning")
@pytest.mark.parametrize("estimator", [StepgradClassifier(), StepgradRegressor()], ids=lambda e: type(e).__name__)
def test_check_estimator_passes(estimator) -> None:
    results = check_estimator(estimator, on_fail=None)
    failed = {r["check_name"]: repr(r["exception"]) for r in results if r["status"] == "failed"}
    assert failed == {}
    assert [r["check_name"] for r in results if r["status"] == "skipped"] == ["check_array_api_input"]
    assert len([r for r in results if r["status"] == "passed"]) >= 52


def test_classifier_learns_iris_and_keeps_label_names() -> None:
    data = load_iris()
    x = (data.data - data.data.mean(axis=0)) / data.data.std(axis=0)
    y = np.array(data.target_names)[data.target]  # string labels
    clf = StepgradClassifier(hidden_layer_sizes=(8,), max_iter=60, random_state=0).fit(x, y)
    assert set(clf.classes_) == {"setosa", "versicolor", "virginica"}
    assert clf.score(x, y) > 0.93
    proba = clf.predict_proba(x)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, atol=1e-12)
    # the estimator's probabilities are the stepgrad network's outputs
    np.testing.assert_allclose(proba, predict_outputs(clf.network_, x), atol=1e-12)
    assert clf.network_.sizes == [4, 8, 3]
    assert clf.n_iter_ == 60 and clf.loss_curve_[-1] < clf.loss_curve_[0]


def test_binary_classifier_has_one_sigmoid_output() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(0, 1, (120, 2))
    y = (x[:, 0] + x[:, 1] > 0).astype(int) * 5  # labels 0 and 5
    clf = StepgradClassifier(max_iter=40, random_state=1).fit(x, y)
    assert clf.network_.layers[-1].activation == "sigmoid" and clf.network_.loss == "binary_cross_entropy"
    assert clf.score(x, y) > 0.95
    assert set(clf.predict(x)) <= {0, 5}


def test_same_random_state_same_model() -> None:
    x, y = make_regression(n_samples=50, n_features=3, noise=0.1, random_state=0)
    a = StepgradRegressor(random_state=3, max_iter=5).fit(x, y).predict(x)
    b = StepgradRegressor(random_state=3, max_iter=5).fit(x, y).predict(x)
    c = StepgradRegressor(random_state=4, max_iter=5).fit(x, y).predict(x)
    np.testing.assert_array_equal(a, b)
    assert not np.allclose(a, c)


def test_regressor_fits_a_linear_target_and_several_outputs() -> None:
    x, y = make_regression(n_samples=200, n_features=4, n_targets=2, noise=0.01, random_state=0)
    y = y / y.std(axis=0)
    reg = StepgradRegressor(hidden_layer_sizes=(16,), max_iter=80, random_state=0).fit(x, y)
    assert reg.predict(x).shape == (200, 2)
    assert reg.score(x, y) > 0.97
    assert reg.network_.layers[-1].activation == "linear" and reg.network_.loss == "mse"


def test_divergence_warns_with_the_reason_and_keeps_finite_weights() -> None:
    from sklearn.datasets import make_classification
    from sklearn.exceptions import ConvergenceWarning

    from stepgrad.training import predict_proba

    x, y = make_classification(200, random_state=0)
    clf = StepgradClassifier(learning_rate=1e6, optimizer="sgd", activation="relu", random_state=0)
    with pytest.warns(
        ConvergenceWarning,
        match=r"StepgradClassifier did not converge: the loss became NaN or "
        r"infinite in epoch \d+ .*try a smaller learning rate",
    ):
        clf.fit(x, y)
    assert clf.stop_reason_ is not None and clf.stop_reason_.startswith("the loss became NaN or infinite")
    assert all(np.isfinite(clf.loss_curve_))  # the epoch that diverged logged NaN: not a completed epoch
    assert clf.n_iter_ == len(clf.loss_curve_) + 1 < 30
    assert np.all(np.isfinite(predict_proba(clf.network_, x)))
    regressor = StepgradRegressor(learning_rate=1e6, optimizer="sgd", random_state=0)
    x_reg, y_reg = make_regression(n_samples=40, n_features=3, random_state=0)
    with pytest.warns(ConvergenceWarning, match="StepgradRegressor did not converge"):
        regressor.fit(x_reg, y_reg * 1e3)
    assert regressor.stop_reason_ is not None


def test_a_run_that_converges_has_no_stop_reason_and_no_warning() -> None:
    import warnings

    x, y = make_regression(n_samples=50, n_features=3, noise=0.1, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        regressor = StepgradRegressor(random_state=0, max_iter=5).fit(x, y)
    assert regressor.stop_reason_ is None and regressor.n_iter_ == len(regressor.loss_curve_) == 5


def test_a_diverging_fit_names_the_first_value_that_overflows_and_its_cause() -> None:
    from sklearn.exceptions import ConvergenceWarning

    # out = w·x with x = 1e100: momentum's first step η·dE/dw1 overflows w1; from the kept
    # (initial) weights a plain step's η·dE/dw1 = 1e150 × (≈1e200·w) overflows too
    regressor = StepgradRegressor(hidden_layer_sizes=(), optimizer="momentum", learning_rate=1e150, random_state=0)
    with pytest.warns(ConvergenceWarning) as caught:
        regressor.fit([[1e100], [-1e100]], [0.0, 0.0])
    (message,) = [str(w.message) for w in caught if issubclass(w.category, ConvergenceWarning)]
    assert "Why: at the kept weights, a plain gradient step (full-batch SGD, η = 1e+150, on 2 samples; " in message
    assert "the run used momentum, whose steps are not replayed" in message
    assert re.search(r"\): w1\+ = -?inf: the update η·dE_total/dw1 = 1e\+150 × \S+ overflows", message), message
