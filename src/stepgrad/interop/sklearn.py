"""scikit-learn estimators over ``stepgrad.training.fit``: ``StepgradClassifier``, ``StepgradRegressor``.

They follow scikit-learn's conventions (``fit``/``predict``/``predict_proba``/``score``,
``get_params``, validation of ``X`` and ``y``, ``classes_``, ``n_features_in_``) and pass
``sklearn.utils.estimator_checks.check_estimator``. The trained stepgrad ``Network`` is
``network_``, so a fitted estimator can be explained or saved like any network::

    >>> from stepgrad.interop.sklearn import StepgradClassifier
    >>> clf = StepgradClassifier(hidden_layer_sizes=(8,), max_iter=200).fit(X, y)   # doctest: +SKIP
    >>> clf.network_   # a stepgrad Network                                         # doctest: +SKIP

Classification: two classes train one sigmoid output with binary cross-entropy, more train
softmax outputs with cross-entropy. Regression: linear outputs with the mean squared error.
Gradients are batch means (see ``stepgrad.training``); ``weight_decay`` (L2) and ``l1`` regularize
the weights. ``max_iter`` is the number of epochs;
its default is small (30) so scikit-learn's checks run fast: raise it for real data.

Divergence: when the loss turns NaN/inf (a learning rate far too large), training stops, the
network keeps the weights stepgrad's divergence guard keeps, and ``fit`` warns with
``sklearn.exceptions.ConvergenceWarning`` (what scikit-learn's own ``MLPClassifier`` users filter
for), saying why. ``stop_reason_`` holds that reason (None when all ``max_iter`` epochs ran; early
stops are not offered here). ``loss_curve_`` has one running loss per completed epoch, so the epoch
that diverged is not in it; ``n_iter_`` counts the epochs that ran, that one included.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
from numpy.typing import NDArray
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.preprocessing import LabelEncoder
from sklearn.utils import check_random_state
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from stepgrad.network.model import Network

Array = NDArray[np.float64]


class _StepgradEstimator(BaseEstimator):
    """What the classifier and the regressor share: the network's shape and the training options."""

    def __init__(
        self,
        hidden_layer_sizes: tuple[int, ...] = (16,),
        activation: str = "relu",
        optimizer: str = "adam",
        learning_rate: float = 0.01,
        max_iter: int = 30,
        batch_size: int | None = 32,
        weight_decay: float = 0.0,
        random_state: int | np.random.RandomState | None = None,
        l1: float = 0.0,
    ) -> None:
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.optimizer = optimizer
        self.learning_rate = learning_rate
        self.max_iter = max_iter
        self.batch_size = batch_size
        self.weight_decay = weight_decay
        self.random_state = random_state
        self.l1 = l1

    def _train(self, x: Array, targets: Array, output_activation: str, loss: str) -> None:
        from stepgrad.training import create_network, fit

        seed = int(check_random_state(self.random_state).randint(0, 2**31 - 1))
        sizes = [x.shape[1], *(int(h) for h in self.hidden_layer_sizes), targets.shape[1]]
        network = create_network(sizes, self.activation, output_activation, loss, rng=np.random.default_rng(seed))
        result = fit(
            network,
            x,
            targets,
            optimizer=self.optimizer,
            learning_rate=self.learning_rate,
            epochs=self.max_iter,
            batch_size=self.batch_size,
            seed=seed,
            weight_decay=self.weight_decay,
            l1=self.l1,
        )
        self.network_: Network = result.network
        self.loss_curve_: list[float] = [float(value) for value in result.history.loss if np.isfinite(value)]
        self.n_iter_: int = len(result.history.loss)
        self.stop_reason_: str | None = result.stop_reason
        if result.training.diverged:
            from stepgrad.network.model import Regularization
            from stepgrad.render.divergence import explain_run_divergence

            # the replayed plain SGD step w − η·(g + λ·w + λ₁·sign(w)): weight decay, coupled or not, is λ₂ there
            regularization = Regularization(l1=self.l1, l2=self.weight_decay)
            why = explain_run_divergence(
                result.network, x, targets, self.learning_rate, result.training.optimizer.name, regularization
            )
            warnings.warn(
                f"{type(self).__name__} did not converge: {result.stop_reason}. Why: {why}",
                ConvergenceWarning,
                stacklevel=3,
            )

    def _outputs(self, X: Any) -> Array:
        from stepgrad.training import predict_proba

        check_is_fitted(self, "network_")
        x = validate_data(self, X, reset=False, dtype=np.float64)
        return predict_proba(self.network_, x)


class StepgradClassifier(ClassifierMixin, _StepgradEstimator):
    """A feed-forward classifier trained by stepgrad (see the module docstring)."""

    def fit(self, X: Any, y: Any) -> StepgradClassifier:
        """Train on ``X`` ``(n, n_features)`` and labels ``y`` ``(n,)``."""
        x, y = validate_data(self, X, y, dtype=np.float64)
        check_classification_targets(y)
        encoder = LabelEncoder().fit(y)
        self.classes_ = encoder.classes_
        if len(self.classes_) < 2:
            raise ValueError(f"a classifier needs at least 2 classes; y has only one class: {self.classes_[0]!r}")
        codes = encoder.transform(y)
        if len(self.classes_) == 2:
            self._train(x, codes.reshape(-1, 1).astype(np.float64), "sigmoid", "binary_cross_entropy")
        else:
            self._train(x, np.eye(len(self.classes_))[codes], "softmax", "cross_entropy")
        return self

    def predict_proba(self, X: Any) -> Array:
        """Class probabilities ``(n, n_classes)``, in the order of ``classes_``."""
        check_is_fitted(self, "network_")
        out = self._outputs(X)
        if len(self.classes_) == 2:
            return np.hstack([1.0 - out, out])
        return out

    def predict(self, X: Any) -> NDArray[Any]:
        """The most probable class of each sample, ``(n,)``."""
        proba = self.predict_proba(X)  # first: it raises NotFittedError before classes_ exists
        return self.classes_[np.argmax(proba, axis=1)]


class StepgradRegressor(RegressorMixin, _StepgradEstimator):
    """A feed-forward regressor trained by stepgrad: linear outputs, mean squared error."""

    def fit(self, X: Any, y: Any) -> StepgradRegressor:
        """Train on ``X`` ``(n, n_features)`` and targets ``y`` ``(n,)`` or ``(n, n_targets)``."""
        x, y = validate_data(self, X, y, dtype=np.float64, y_numeric=True, multi_output=True)
        y = np.asarray(y, dtype=np.float64)
        self._y_1d = y.ndim == 1
        self._train(x, y.reshape(len(y), -1), "linear", "mse")
        return self

    def predict(self, X: Any) -> Array:
        """Predicted targets, ``(n,)`` (or ``(n, n_targets)`` when trained on several)."""
        out = self._outputs(X)
        return out.ravel() if self._y_1d else out

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        tags.target_tags.single_output = True
        return tags
