"""The training API in one call: ``fit``, then ``predict`` / ``predict_proba``.

>>> from stepgrad.training import create_network, fit
>>> from stepgrad.data import load_dataset
>>> data = load_dataset("xor")
>>> net = create_network([2, 4, 1], activation="tanh", output_activation="sigmoid", loss="binary_cross_entropy")
>>> result = fit(net, data.inputs, data.targets, optimizer="adam", learning_rate=0.05, epochs=300, batch_size=None)
>>> predict(result.network, data.inputs).tolist()
[0, 1, 1, 0]
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from stepgrad.errors import StepgradError
from stepgrad.network.model import Network
from stepgrad.training.callbacks import EarlyStopping, History
from stepgrad.training.gradients import Functions, forward
from stepgrad.training.inputs import as_inputs, as_samples
from stepgrad.training.loops import Training, make_training, split_validation
from stepgrad.training.params import params_of
from stepgrad.training.schedules import Schedule

Array = NDArray[np.float64]


@dataclass(frozen=True)
class FitResult:
    """The outcome of ``fit``.

    Attributes:
        network: the trained network (the best weights it held if training diverged).
        history: per-epoch loss and accuracy, train (running means) and validation.
        training: the run itself (optimizer state, epochs, stop reason).
    """

    network: Network
    history: History
    training: Training

    @property
    def stop_reason(self) -> str | None:
        """Why training stopped before its last epoch (None when it ran to the end)."""
        return self.training.stop_reason

    @property
    def final_loss(self) -> float:
        """Mean ``E_total`` of the returned weights on the whole training set (one forward pass,
        measured the first time it is asked for)."""
        return float(self.training.measure_kept().loss)

    @property
    def final_accuracy(self) -> float | None:
        """Accuracy of the returned weights on the whole training set (None for regression)."""
        accuracy = self.training.measure_kept().accuracy
        return None if accuracy is None else float(accuracy)


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
    schedule: str | Schedule = "constant",
    weight_decay: float = 0.0,
    momentum: float | None = None,
    validation_split: float | None = None,
    validation: tuple[ArrayLike, ArrayLike] | None = None,
    early_stopping: int | None = None,
    callbacks: Sequence[Any] = (),
    use_compiled: bool = True,
    l1: float = 0.0,
) -> FitResult:
    """Train ``network`` on ``inputs`` ``(n, n_inputs)`` → ``targets`` ``(n, n_outputs)``.

    ``targets`` may also be 1-D: ``(n,)`` for a network with one output, or class indices
    ``0 … k−1`` for a softmax output of ``k`` neurons (one-hot encoded here).

    Gradients over a batch are averaged (``batch_size=1`` is the classic online update,
    ``None`` the full batch), or summed for a network with ``reduction = "sum"``
    (PyTorch's meaning). ``validation_split`` holds out a seeded share of the data (not
    together with ``validation``); ``early_stopping=N`` stops after N epochs without
    improvement (of ``val_loss`` when there is validation data, else of the running ``loss``) and
    restores the best epoch's weights. ``schedule`` is a name or a ``Schedule``, e.g.
    ``get_schedule("step", gamma=0.5, step_size=10)``. ``weight_decay`` (L2, ``g + λ·w``) and ``l1``
    (``g + λ₁·sign(w)``) regularize the weights, never the biases.

    History (as Keras and scikit-learn's ``loss_curve_`` report it): an epoch's ``loss`` and
    ``accuracy`` are running means over its batches, each batch measured with the weights *before*
    its update, so no extra pass over the training set is made; ``val_loss`` and ``val_accuracy``
    measure the weights held after the epoch. ``result.final_loss`` and ``result.final_accuracy``
    measure the returned weights on the whole training set (one forward pass, when first asked for).

    Divergence: if a batch loss becomes NaN or infinite, training stops and the network keeps the
    best weights it holds (the divergence guard of ``stepgrad.training.guard``); that epoch logs
    NaN, and ``stop_reason`` names the kept epoch and its training loss.

    Plain SGD on a single network runs on the compiled (numba) path when it is installed;
    ``use_compiled=False`` forces the NumPy reference path (both agree to 1e-12).
    """
    if validation_split is not None:
        if validation is not None:
            raise StepgradError("give either validation_split or validation data, not both")
        x, y = as_samples(network, inputs, targets)
        inputs, targets, x_val, y_val = split_validation(x, y, validation_split, seed)
        validation = (x_val, y_val)
    history = History()
    stopping = [] if early_stopping is None else [EarlyStopping(patience=early_stopping)]
    training = make_training(
        network,
        inputs,
        targets,
        optimizer=optimizer,
        learning_rate=learning_rate,
        epochs=epochs,
        batch_size=batch_size,
        seed=seed,
        schedule=schedule,
        weight_decay=weight_decay,
        l1=l1,
        momentum=momentum,
        validation=validation,
        callbacks=[history, *stopping, *callbacks],
        use_compiled=use_compiled,
    )
    training.run()
    return FitResult(network=training.current_network(), history=history, training=training)


def predict_proba(network: Network, inputs: ArrayLike) -> Array:
    """The output layer's values ``(n, n_outputs)``: class probabilities for a softmax output,
    ``P(class 1)`` per output for sigmoid outputs, the predictions for regression."""
    x = as_inputs(inputs, network.n_inputs)
    return forward(params_of(network), Functions.of(network), x)[-1].out


def predict(network: Network, inputs: ArrayLike) -> NDArray[Any]:
    """Predictions, one convention for every classifier.

    * softmax output: the class index ``argmax out``, ``(n,)`` int;
    * one sigmoid output: the class ``out > ½``, ``(n,)`` int 0/1;
    * several sigmoid outputs (one yes/no question each): ``(n, n_outputs)`` int 0/1;
    * any other output (regression): the outputs themselves, ``(n, n_outputs)`` float.

    ``predict_proba`` gives the underlying outputs ``(n, n_outputs)``.
    """
    out = predict_proba(network, inputs)
    activation = network.layers[-1].activation
    if activation == "softmax":
        return np.argmax(out, axis=-1)
    if activation == "sigmoid":
        labels = (out > 0.5).astype(np.int64)
        return labels[:, 0] if labels.shape[1] == 1 else labels
    return out
