"""The training API in one call: ``fit``, then ``predict`` / ``predict_proba``.

>>> from stepgrad.training import create_network, fit
>>> from stepgrad.data import load_dataset
>>> data = load_dataset("xor")
>>> net = create_network([2, 4, 1], activation="tanh", output_activation="sigmoid", loss="binary_cross_entropy")
>>> result = fit(net, data.inputs, data.targets, optimizer="adam", learning_rate=0.05, epochs=300, batch_size=None)
>>> predict(result.network, data.inputs).round().ravel().tolist()
[0.0, 1.0, 1.0, 0.0]
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from stepgrad.network.model import Network
from stepgrad.training.callbacks import EarlyStopping, History
from stepgrad.training.gradients import Functions, forward
from stepgrad.training.loops import Training, make_training, split_validation
from stepgrad.training.params import params_of

Array = NDArray[np.float64]


@dataclass(frozen=True)
class FitResult:
    """The outcome of ``fit``.

    Attributes:
        network: the trained network (last good weights if training diverged).
        history: per-epoch loss and accuracy, train and validation.
        training: the run itself (optimizer state, epochs, stop reason).
    """

    network: Network
    history: History
    training: Training

    @property
    def stop_reason(self) -> str | None:
        """Why training stopped before its last epoch (None when it ran to the end)."""
        return self.training.stop_reason


def fit(
    network: Network,
    inputs: ArrayLike,
    targets: ArrayLike,
    *,
    optimizer: str = "sgd",
    learning_rate: float = 0.1,
    epochs: int = 100,
    batch_size: int | None = 1,
    seed: int = 0,
    schedule: str = "constant",
    weight_decay: float = 0.0,
    momentum: float | None = None,
    validation_split: float | None = None,
    validation: tuple[ArrayLike, ArrayLike] | None = None,
    early_stopping: int | None = None,
    callbacks: Sequence[Any] = (),
    use_compiled: bool = True,
) -> FitResult:
    """Train ``network`` on ``inputs`` ``(n, n_inputs)`` → ``targets`` ``(n, n_outputs)``.

    Gradients over a batch are averaged (``batch_size=1`` is the classic online update,
    ``None`` the full batch). ``validation_split`` holds out a seeded share of the data;
    ``early_stopping=N`` stops after N epochs without improvement and restores the best weights.
    """
    x = np.array(inputs, dtype=np.float64, ndmin=2)
    y = np.array(targets, dtype=np.float64, ndmin=2)
    if validation_split:
        x, y, x_val, y_val = split_validation(x, y, validation_split, seed)
        validation = (x_val, y_val)
    history = History()
    extra: list[Any] = [history]
    if early_stopping:
        extra.append(EarlyStopping(patience=early_stopping))
    training = make_training(
        network,
        x,
        y,
        optimizer=optimizer,
        learning_rate=learning_rate,
        epochs=epochs,
        batch_size=batch_size,
        seed=seed,
        schedule=schedule,
        weight_decay=weight_decay,
        momentum=momentum,
        validation=validation,
        callbacks=[*extra, *callbacks],
        use_compiled=use_compiled,
    )
    training.run()
    return FitResult(network=training.current_network(), history=history, training=training)


def predict_proba(network: Network, inputs: ArrayLike) -> Array:
    """The output layer's values ``(n, n_outputs)`` (probabilities for sigmoid/softmax outputs)."""
    x = np.array(inputs, dtype=np.float64, ndmin=2)
    return forward(params_of(network), Functions.of(network), x)[-1].out


def predict(network: Network, inputs: ArrayLike) -> Array:
    """Predictions: the class index ``(n,)`` for several outputs, 0/1 ``(n, 1)`` for one sigmoid
    output, the raw outputs otherwise (regression)."""
    out = predict_proba(network, inputs)
    activation = network.layers[-1].activation
    if out.shape[-1] > 1 and activation == "softmax":
        return np.argmax(out, axis=-1).astype(np.float64)
    if out.shape[-1] == 1 and activation == "sigmoid":
        return (out > 0.5).astype(np.float64)
    return out
