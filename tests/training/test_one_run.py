"""A single network is an ensemble of one: the same run, the same numbers, handed out unwrapped."""

import numpy as np
import pytest

from stepgrad.data import load_dataset
from stepgrad.training import fit, fit_ensemble, make_training, seeded_network


def _histories(optimizer: str, batch_size: int | None, rate: float, use_compiled: bool, activation: str = "tanh"):
    data = load_dataset("xor")
    options = {"optimizer": optimizer, "epochs": 30, "batch_size": batch_size, "use_compiled": use_compiled}
    functions = {"activation": activation, "output_activation": "linear" if activation == "relu" else None}
    network = seeded_network([2, 3, 1], 7, functions["activation"], functions["output_activation"])
    solo = fit(network, data.inputs, data.targets, learning_rate=rate, seed=7, **options)
    one = fit_ensemble([2, 3, 1], data.inputs, data.targets, seeds=[7], learning_rates=rate, **functions, **options)
    return solo, one


@pytest.mark.parametrize(
    ("optimizer", "batch_size", "rate", "use_compiled", "activation"),
    [
        ("sgd", 1, 0.5, False, "tanh"),
        ("sgd", 2, 0.5, True, "tanh"),
        ("adam", None, 0.05, False, "tanh"),
        ("momentum", 2, 0.3, False, "tanh"),
        ("sgd", 1, 50.0, False, "relu"),  # diverges: the guard's choice and reason are the same too
        ("sgd", 1, 50.0, True, "relu"),
    ],
)
def test_a_single_network_and_an_ensemble_of_one_have_identical_histories(
    optimizer, batch_size, rate, use_compiled, activation
) -> None:
    solo, one = _histories(optimizer, batch_size, rate, use_compiled, activation)
    assert solo.training.diverged == (rate == 50.0)
    ensemble_history = one.training.history
    assert len(solo.training.history) == len(ensemble_history) > 0
    for single_log, member_log in zip(solo.training.history, ensemble_history, strict=True):
        assert isinstance(single_log.loss, float) and isinstance(single_log.diverged, bool)  # unwrapped
        assert single_log.epoch == member_log.epoch and single_log.updates == member_log.updates
        for name in ("learning_rate", "loss", "accuracy", "diverged"):
            np.testing.assert_array_equal(getattr(single_log, name), np.asarray(getattr(member_log, name))[0])
    for a, b in zip(solo.training.params.arrays(), one.training.params.arrays(), strict=True):
        np.testing.assert_array_equal(a, b[0])
    assert solo.training.diverged == bool(one.diverged[0])
    assert solo.training.kept.epoch == one.training.kept.epoch[0]


def test_a_single_run_hands_out_one_networks_values() -> None:
    data = load_dataset("xor")
    training = make_training(seeded_network([2, 3, 1], 1), data.inputs, data.targets, epochs=3, learning_rate=0.5)
    training.run()
    assert training.params.weights[0].shape == (3, 2) and training.stacked.weights[0].shape == (1, 3, 2)
    assert training.diverged is False and isinstance(training.learning_rate, float)
    kept = training.measure_kept()
    assert kept.epoch == 3 and isinstance(kept.loss, float)
    step = training.update(data.inputs[:2], data.targets[:2], 0.5)
    assert isinstance(step.loss, float) and step.output.shape == (2, 1)
