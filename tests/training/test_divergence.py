"""The divergence guard keeps the best weights the run holds: of the end of the latest good epoch
(finite running loss and parameters), the end of the good epoch with the lowest running loss, the
epoch before the latest, and the initial weights, the ones with the lowest training loss — on every
path (online, mini-batch, full batch; NumPy and compiled; ensembles, per network)."""

import math

import numpy as np
import pytest

from stepgrad.data import load_dataset
from stepgrad.training import Callback, create_network, fit, fit_ensemble, get_schedule, seeded_network
from stepgrad.training.gradients import Functions
from stepgrad.training.loops import seed_streams
from stepgrad.training.metrics import evaluate
from stepgrad.training.params import params_of

DATA = load_dataset("plane", n_samples=40, noise=0.1)


def _network():
    return create_network([2, 8, 1], "relu", "linear", "mse", rng=np.random.default_rng(0))


def _training_loss(network) -> float:
    with np.errstate(all="ignore"):
        loss, _ = evaluate(params_of(network), Functions.of(network), DATA.inputs, DATA.targets, "regression")
    return float(loss)


class EveryEpoch(Callback):
    """The weights at the end of every epoch and its running loss, as the run went (the oracle)."""

    def on_train_begin(self, training) -> None:
        self.weights = {0: training.current_network()}
        self.running = {}

    def on_epoch_end(self, training, log) -> bool:
        if math.isfinite(log.loss):  # the epoch that diverged logs NaN and its weights are the guard's
            self.weights[log.epoch] = training.current_network()
            self.running[log.epoch] = log.loss
        return False


def expected_choice(oracle: EveryEpoch) -> int:
    """The guard's rule, worked from the recorded epochs: candidates in order latest good, best running
    loss, the one before the latest, initial; a later candidate wins only with a strictly lower loss."""
    good = [epoch for epoch, net in oracle.weights.items() if params_of(net).is_finite()]
    latest = max(good)
    best = min((e for e in good if e > 0), key=lambda e: (oracle.running[e], e), default=0)
    candidates = [latest, best, *([latest - 1] if latest > 0 else []), 0]
    chosen = candidates[0]
    for epoch in candidates[1:]:
        loss, current = _training_loss(oracle.weights[epoch]), _training_loss(oracle.weights[chosen])
        if math.isfinite(loss) and not current <= loss:
            chosen = epoch
    return chosen


RISING = get_schedule("step", gamma=2.0, step_size=5)  # η doubles every 5 epochs: it learns, then blows up


@pytest.mark.parametrize("use_compiled", [True, False], ids=["compiled", "numpy"])
@pytest.mark.parametrize(
    ("batch_size", "learning_rate", "schedule"),
    [
        (1, 5.0, "constant"),
        (1, 2.0, "constant"),
        (8, 10.0, "constant"),
        (None, 10.0, "constant"),
        (1, 0.05, RISING),
        (8, 0.05, RISING),
        (None, 0.05, RISING),
    ],
    ids=[
        "online-mid-epoch",
        "online-end-of-epoch",
        "mini-batch",
        "full-batch",
        "online-rising-rate",
        "mini-batch-rising-rate",
        "full-batch-rising-rate",
    ],
)
def test_the_kept_weights_are_the_best_the_run_held(batch_size, learning_rate, schedule, use_compiled) -> None:
    options = dict(learning_rate=learning_rate, batch_size=batch_size, use_compiled=use_compiled, schedule=schedule)
    oracle = EveryEpoch()
    result = fit(_network(), DATA.inputs, DATA.targets, epochs=200, callbacks=[oracle], **options)
    training, kept, history = result.training, result.training.kept, result.history.loss
    assert training.diverged is True and kept.epoch < training.epoch
    # every epoch that ran is logged; the one that diverged as NaN, the others with their finite running loss
    assert len(history) == training.epoch and math.isnan(history[-1])
    assert all(math.isfinite(value) for value in history[:-1])
    assert kept.epoch == expected_choice(oracle)
    # the kept weights are exactly that epoch's, finite, with a finite training loss reported everywhere
    for a, b in zip(oracle.weights[kept.epoch].layers, result.network.layers, strict=True):
        np.testing.assert_array_equal(a.weights, b.weights)
        np.testing.assert_array_equal(a.bias, b.bias)
    loss = _training_loss(result.network)
    assert math.isfinite(loss) and loss == kept.loss == result.final_loss
    # no weights the run held at the end of a good epoch it considered are better
    assert loss <= _training_loss(oracle.weights[0]) and loss <= _training_loss(oracle.weights[max(oracle.weights)])
    if schedule is RISING:  # it learned first: the best epoch is well inside the run, not its start or end
        assert 5 < kept.epoch < max(oracle.weights) - 5 and loss < 0.02
    origin = "the initial weights" if kept.epoch == 0 else f"the weights from the end of epoch {kept.epoch}"
    assert f"kept {origin}, the best it had (training loss {loss:.6g})" in result.stop_reason


def test_a_loss_that_climbs_for_epochs_before_overflowing_keeps_the_best_epoch_not_the_last() -> None:
    # The audit's run: η = 1000, the loss climbs to 1e260 over four epochs, then overflows. The last
    # good epoch's weights have a loss of about 1e260; the guard keeps the best it had instead.
    data = load_dataset("plane")
    network = create_network([2, 8, 1], "relu", "linear", "mse", rng=seed_streams(0)[0])  # as `stepgrad train`
    oracle = EveryEpoch()
    result = fit(network, data.inputs, data.targets, learning_rate=1000.0, epochs=50, batch_size=32, callbacks=[oracle])
    latest = max(oracle.weights)
    with np.errstate(all="ignore"):
        last_good_loss = float(
            evaluate(params_of(oracle.weights[latest]), Functions.of(network), data.inputs, data.targets, "regression")[
                0
            ]
        )
    assert latest == 4 and last_good_loss > 1e200
    assert result.training.kept.epoch == 0 and result.final_loss < 1  # its loss rose from the first epoch


@pytest.mark.parametrize("use_compiled", [True, False], ids=["compiled", "numpy"])
def test_weights_whose_own_loss_overflowed_are_not_kept(use_compiled) -> None:
    # Full batch, η = 10: the update ending epoch 6 leaves finite weights whose loss overflows, so
    # epoch 7 diverges at once; those weights are never kept.
    result = fit(
        _network(), DATA.inputs, DATA.targets, epochs=60, learning_rate=10.0, batch_size=None, use_compiled=use_compiled
    )
    history = result.history.loss
    assert len(history) == 7 and math.isnan(history[-1]) and math.isfinite(history[-2])
    at_six = fit(
        _network(), DATA.inputs, DATA.targets, epochs=6, learning_rate=10.0, batch_size=None, use_compiled=use_compiled
    )
    with np.errstate(over="ignore"):
        assert params_of(at_six.network).is_finite() and not math.isfinite(_training_loss(at_six.network))
    assert result.training.kept.epoch != 6 and math.isfinite(result.final_loss)
    # full batch: each epoch's running loss is the loss of the weights it started from
    assert result.final_loss == pytest.approx(min(history[: result.training.kept.epoch + 1]), rel=1e-12)


def test_online_training_never_keeps_weights_with_an_infinite_loss() -> None:
    # The audit's case: online training with η = 1e3 used to keep weights whose loss was infinite.
    for samples in (40, 200):
        data = load_dataset("plane", n_samples=samples, noise=0.1)
        with np.errstate(all="raise"):  # and no floating-point warning on the way
            result = fit(_network(), data.inputs, data.targets, learning_rate=1e3, epochs=50, batch_size=1)
        kept = result.training.kept
        loss, _ = evaluate(
            params_of(result.network), Functions.of(result.network), data.inputs, data.targets, "regression"
        )
        assert math.isfinite(float(loss)) and float(loss) == kept.loss
        initial = _network()
        initial_loss, _ = evaluate(params_of(initial), Functions.of(initial), data.inputs, data.targets, "regression")
        assert float(loss) <= float(initial_loss)


@pytest.mark.parametrize("use_compiled", [True, False], ids=["compiled", "numpy"])
@pytest.mark.parametrize(
    ("batch_size", "rates", "schedule", "epochs"),
    [
        (8, [0.05, 10.0, 0.1, 100.0], "constant", 30),
        (None, [0.05, 10.0, 0.1, 100.0], "constant", 30),
        (8, [0.001, 0.1, 0.005, 0.2], RISING, 50),
    ],
    ids=["mini-batch", "full-batch", "rising-rate"],
)
def test_each_network_of_an_ensemble_keeps_its_own_best_weights(
    batch_size, rates, schedule, epochs, use_compiled
) -> None:
    options = dict(epochs=epochs, batch_size=batch_size, use_compiled=use_compiled, schedule=schedule)
    result = fit_ensemble(
        [2, 8, 1],
        DATA.inputs,
        DATA.targets,
        seeds=[1],
        learning_rates=rates,
        activation="relu",
        output_activation="linear",
        loss="mse",
        **options,
    )
    assert result.diverged.tolist() == [False, True, False, True]
    kept, history = result.training.kept, result.training.history
    assert kept.epoch[0] == kept.epoch[2] == epochs
    if schedule is RISING:  # the members that diverged learned first: their best epochs are inside the run
        assert 0 < kept.epoch[1] < 40 and 0 < kept.epoch[3] < 40 and max(result.loss[[1, 3]]) < 0.01
    for index, rate in enumerate(rates):
        solo = fit(
            seeded_network([2, 8, 1], 1, "relu", "linear", "mse"),
            DATA.inputs,
            DATA.targets,
            learning_rate=rate,
            seed=1,
            **options,
        )
        assert solo.training.kept.epoch == kept.epoch[index]
        assert (solo.stop_reason is not None) == bool(result.diverged[index])
        # (relative: a diverging member's weights are huge by then)
        np.testing.assert_allclose(
            result.network(index).layers[0].weights, solo.network.layers[0].weights, rtol=1e-12, atol=1e-12
        )
        assert result.loss[index] == pytest.approx(solo.final_loss, rel=1e-12)
        # the member's history is the solo run's, then NaN once it has stopped
        member = [log.loss[index] for log in history]
        np.testing.assert_allclose(member[: len(solo.history.loss)], solo.history.loss, rtol=1e-12)
        assert all(np.isnan(member[len(solo.history.loss) - (solo.stop_reason is not None) :]))
    assert np.all(np.isfinite(result.loss))
