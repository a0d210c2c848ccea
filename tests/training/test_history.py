"""One definition of the history on every path: after each epoch, the weights the network holds,
measured on the whole training set (and on the validation data)."""

import numpy as np
import pytest

from stepgrad.data import load_dataset
from stepgrad.training import Callback, create_network, fit, fit_ensemble, seeded_network
from stepgrad.training.gradients import Functions
from stepgrad.training.metrics import evaluate
from stepgrad.training.params import params_of

DATA = load_dataset("circle", n_samples=50, noise=0.2, seed=3)


class WeightsAtEpochEnd(Callback):
    def __init__(self) -> None:
        self.networks = []

    def on_epoch_end(self, training, log) -> bool:
        self.networks.append(training.current_network())
        return False


@pytest.mark.parametrize("use_compiled", [True, False], ids=["compiled", "numpy"])
@pytest.mark.parametrize("batch_size", [1, 8, None])
def test_history_measures_the_end_of_epoch_weights_on_the_whole_training_set(batch_size, use_compiled) -> None:
    network = create_network([2, 6, 1], "tanh", "sigmoid", "binary_cross_entropy", rng=np.random.default_rng(2))
    x_val, y_val = DATA.inputs[:10], DATA.targets[:10]
    recorder = WeightsAtEpochEnd()
    result = fit(network, DATA.inputs[10:], DATA.targets[10:], learning_rate=0.5, epochs=4, batch_size=batch_size,
                 validation=(x_val, y_val), callbacks=[recorder], use_compiled=use_compiled)
    assert len(recorder.networks) == 4
    functions = Functions.of(network)
    for epoch, weights in enumerate(recorder.networks):
        loss, acc = evaluate(params_of(weights), functions, DATA.inputs[10:], DATA.targets[10:], "classification")
        val_loss, val_acc = evaluate(params_of(weights), functions, x_val, y_val, "classification")
        assert result.history.loss[epoch] == float(loss)
        assert result.history.accuracy[epoch] == float(acc)
        assert result.history.val_loss[epoch] == float(val_loss)
        assert result.history.val_accuracy[epoch] == float(val_acc)
    assert len(set(result.history.loss)) == 4  # it did learn something each epoch


@pytest.mark.parametrize("batch_size", [1, 8, None])
def test_compiled_numpy_and_ensemble_histories_agree(batch_size) -> None:
    seeds, rates = [4, 5], [0.3, 0.8]
    ensemble = fit_ensemble([2, 5, 1], DATA.inputs, DATA.targets, seeds=seeds, learning_rates=rates,
                            activation="tanh", output_activation="sigmoid", loss="binary_cross_entropy", epochs=5,
                            batch_size=batch_size)
    for index, (seed, rate) in enumerate(zip(seeds, rates, strict=True)):
        histories = []
        for use_compiled in (True, False):
            solo = fit(seeded_network([2, 5, 1], seed, "tanh", "sigmoid", "binary_cross_entropy"), DATA.inputs,
                       DATA.targets, learning_rate=rate, epochs=5, batch_size=batch_size, seed=seed,
                       use_compiled=use_compiled)
            histories.append(solo.history)
        members = [log.loss[index] for log in ensemble.training.history]
        member_acc = [log.accuracy[index] for log in ensemble.training.history]
        for history in histories:
            np.testing.assert_allclose(history.loss, members, rtol=0, atol=1e-12)
            assert history.accuracy == pytest.approx(member_acc, abs=0)
