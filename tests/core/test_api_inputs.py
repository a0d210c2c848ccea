"""The core's public functions check what they are given and say what is wrong in one line."""

import numpy as np
import pytest

import stepgrad
from stepgrad import StepgradError

CLASSIC = stepgrad.classic_setup()


@pytest.mark.parametrize(
    ("inputs", "targets", "message"),
    [
        ([1, 2, 3], [0.1, 0.2], r"inputs have shape \(1, 3\); the network has 2 inputs"),
        ([0.05, 0.10], [0.1], r"targets have shape \(1, 1\); the network has 2 outputs"),
        ([[0.05, 0.10], [0.2, 0.3]], [[0.1, 0.2]], "2 input rows but 1 target row"),
        ([np.nan, 0.1], [0.1, 0.2], "inputs must be finite numbers, got nan"),
        ([0.05, 0.1], [np.inf, 0.2], "targets must be finite numbers, got inf"),
        ([["a", 0.1]], [0.1, 0.2], "inputs must be numbers in rows of 2"),
    ],
)
def test_wrong_batches_are_named(inputs, targets, message: str) -> None:
    for call in (
        lambda: stepgrad.train_step(CLASSIC.network, inputs, targets, 0.5),
        lambda: stepgrad.forward(CLASSIC.network, inputs, targets),
        lambda: stepgrad.total_error(CLASSIC.network, inputs, targets),
    ):
        with pytest.raises(StepgradError, match=message):
            call()


@pytest.mark.parametrize("rate", [-1.0, np.nan, np.inf])
def test_a_learning_rate_that_is_not_a_finite_non_negative_number(rate: float) -> None:
    backward = stepgrad.backward(stepgrad.forward(CLASSIC.network, CLASSIC.inputs, CLASSIC.targets))
    with pytest.raises(StepgradError, match="the learning rate must be a finite number ≥ 0"):
        stepgrad.update(backward, rate)
    with pytest.raises(StepgradError, match="the learning rate must be a finite number ≥ 0"):
        stepgrad.train_step(CLASSIC.network, CLASSIC.inputs, CLASSIC.targets, rate)


def test_predict_takes_one_sample_or_rows_and_checks_the_width() -> None:
    one = stepgrad.predict_outputs(CLASSIC.network, [0.05, 0.10])
    rows = stepgrad.predict_outputs(CLASSIC.network, [[0.05, 0.10], [0.05, 0.10]])
    assert one.shape == (1, 2) and rows.shape == (2, 2)
    assert one[0, 0] == pytest.approx(0.75136507, abs=5e-9)
    with pytest.raises(StepgradError, match="the network has 2 inputs"):
        stepgrad.predict_outputs(CLASSIC.network, [[0.05, 0.10, 0.2]])


def test_targets_the_loss_cannot_take() -> None:
    network = stepgrad.Network([stepgrad.Layer([[0.1, 0.2]], [0.0], "sigmoid")], loss="binary_cross_entropy")
    with pytest.raises(StepgradError, match=r"binary_cross_entropy targets must be between 0 and 1, got 1\.5"):
        stepgrad.train_step(network, [1.0, 2.0], [1.5], 0.1)
