"""One definition of the history on every path: an epoch's training loss and accuracy are running
means over its batches (each batch before its update, weighted by batch size); validation figures
measure the weights held after the epoch."""

import numpy as np
import pytest

from stepgrad.core import train_step
from stepgrad.data import load_dataset
from stepgrad.training import Callback, create_network, fit, fit_ensemble, seeded_network
from stepgrad.training.gradients import Functions
from stepgrad.training.loops import seed_streams
from stepgrad.training.metrics import correct, evaluate
from stepgrad.training.params import params_of

DATA = load_dataset("circle", n_samples=50, noise=0.2, seed=3)
X, Y, X_VAL, Y_VAL = DATA.inputs[10:], DATA.targets[10:], DATA.inputs[:10], DATA.targets[:10]


class WeightsAtEpochEnd(Callback):
    def __init__(self) -> None:
        self.networks = []

    def on_epoch_end(self, training, log) -> bool:
        self.networks.append(training.current_network())
        return False


def _replay(network, batch_size, seed, rate, epochs):
    """The same run step by step with the traced engine: per epoch, Σ E_total and correct count of
    every batch before its update, and the weights after the epoch."""
    shuffle = seed_streams(seed)[1]
    n = X.shape[0]
    size = n if batch_size is None else min(batch_size, n)
    sums, hits, networks = [], [], []
    for _ in range(epochs):
        order = np.arange(n) if size == n else shuffle.permutation(n)
        total, count = 0.0, 0
        for start in range(0, n, size):
            batch = order[start : start + size]
            trace = train_step(network, X[batch], Y[batch], rate)
            total += float(np.sum(trace.error_total))
            count += int(np.sum(correct(trace.forward.layers[-1].out, Y[batch])))
            network = trace.network_new
        sums.append(total)
        hits.append(count)
        networks.append(network)
    return np.array(sums) / n, np.array(hits) / n, networks


@pytest.mark.parametrize("use_compiled", [True, False], ids=["compiled", "numpy"])
@pytest.mark.parametrize("batch_size", [1, 8, None])
def test_training_figures_are_running_means_of_the_batches_before_their_updates(batch_size, use_compiled) -> None:
    network = create_network([2, 6, 1], "tanh", "sigmoid", "binary_cross_entropy", rng=np.random.default_rng(2))
    recorder = WeightsAtEpochEnd()
    result = fit(
        network,
        X,
        Y,
        learning_rate=0.5,
        epochs=4,
        batch_size=batch_size,
        seed=7,
        validation=(X_VAL, Y_VAL),
        callbacks=[recorder],
        use_compiled=use_compiled,
    )
    losses, accuracies, networks = _replay(network, batch_size, 7, 0.5, 4)
    np.testing.assert_allclose(result.history.loss, losses, rtol=1e-12, atol=0)
    assert result.history.accuracy == accuracies.tolist()
    functions = Functions.of(network)
    for epoch, (weights, replayed) in enumerate(zip(recorder.networks, networks, strict=True)):
        for a, b in zip(weights.layers, replayed.layers, strict=True):
            np.testing.assert_allclose(a.weights, b.weights, rtol=0, atol=1e-12)
        # validation: the weights held after the epoch
        val_loss, val_acc = evaluate(params_of(weights), functions, X_VAL, Y_VAL, "classification")
        assert result.history.val_loss[epoch] == float(val_loss)
        assert result.history.val_accuracy[epoch] == float(val_acc)
    assert len(set(result.history.loss)) == 4  # it did learn something each epoch


@pytest.mark.parametrize("use_compiled", [True, False], ids=["compiled", "numpy"])
def test_a_full_batch_epoch_reports_the_loss_of_the_weights_it_started_from(use_compiled) -> None:
    network = create_network([2, 6, 1], "tanh", "sigmoid", "binary_cross_entropy", rng=np.random.default_rng(5))
    recorder = WeightsAtEpochEnd()
    result = fit(
        network, X, Y, learning_rate=0.5, epochs=3, batch_size=None, callbacks=[recorder], use_compiled=use_compiled
    )
    functions = Functions.of(network)
    starts = [network, *recorder.networks[:-1]]
    for epoch, weights in enumerate(starts):
        loss, acc = evaluate(params_of(weights), functions, X, Y, "classification")
        assert result.history.loss[epoch] == pytest.approx(float(loss), rel=1e-12)
        assert result.history.accuracy[epoch] == float(acc)
    # and the result measures the final weights once, on the whole training set
    final_loss, final_acc = evaluate(params_of(result.network), functions, X, Y, "classification")
    assert result.final_loss == float(final_loss) and result.final_accuracy == float(final_acc)
    assert result.final_loss < result.history.loss[-1]  # one more update than the last epoch saw


@pytest.mark.parametrize("batch_size", [1, 8, None])
def test_compiled_numpy_and_ensemble_histories_agree(batch_size) -> None:
    seeds, rates = [4, 5], [0.3, 0.8]
    ensembles = [
        fit_ensemble(
            [2, 5, 1],
            DATA.inputs,
            DATA.targets,
            seeds=seeds,
            learning_rates=rates,
            activation="tanh",
            output_activation="sigmoid",
            loss="binary_cross_entropy",
            epochs=5,
            batch_size=batch_size,
            use_compiled=use_compiled,
        )
        for use_compiled in (True, False)
    ]
    for index, (seed, rate) in enumerate(zip(seeds, rates, strict=True)):
        histories = []
        for use_compiled in (True, False):
            solo = fit(
                seeded_network([2, 5, 1], seed, "tanh", "sigmoid", "binary_cross_entropy"),
                DATA.inputs,
                DATA.targets,
                learning_rate=rate,
                epochs=5,
                batch_size=batch_size,
                seed=seed,
                use_compiled=use_compiled,
            )
            histories.append(solo.history)
        for ensemble in ensembles:
            members = [log.loss[index] for log in ensemble.training.history]
            member_acc = [log.accuracy[index] for log in ensemble.training.history]
            for history in histories:
                np.testing.assert_allclose(history.loss, members, rtol=0, atol=1e-12)
                assert history.accuracy == pytest.approx(member_acc, abs=0)
