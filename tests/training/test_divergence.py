"""The divergence guard keeps the last good weights: the end of the latest epoch whose running
loss and parameters were finite (or the epoch before, when those weights' own loss overflows), on
every path (online, mini-batch, full batch; NumPy and compiled; ensembles, per network)."""

import math

import numpy as np
import pytest

from stepgrad.data import load_dataset
from stepgrad.training import create_network, fit, fit_ensemble, seeded_network
from stepgrad.training.gradients import Functions
from stepgrad.training.metrics import evaluate
from stepgrad.training.params import params_of

DATA = load_dataset("plane", n_samples=40, noise=0.1)


def _network():
    return create_network([2, 8, 1], "relu", "linear", "mse", rng=np.random.default_rng(0))


def _training_loss(network) -> float:
    loss, _ = evaluate(params_of(network), Functions.of(network), DATA.inputs, DATA.targets, "regression")
    return float(loss)


@pytest.mark.parametrize("use_compiled", [True, False], ids=["compiled", "numpy"])
@pytest.mark.parametrize(
    ("batch_size", "learning_rate"),
    [(1, 5.0), (1, 2.0), (8, 10.0), (None, 10.0)],
    ids=["online-mid-epoch", "online-end-of-epoch", "mini-batch", "full-batch"],
)
def test_the_kept_weights_are_the_last_good_epoch(batch_size, learning_rate, use_compiled) -> None:
    options = dict(learning_rate=learning_rate, batch_size=batch_size, use_compiled=use_compiled)
    result = fit(_network(), DATA.inputs, DATA.targets, epochs=60, **options)
    training, kept, history = result.training, result.training.kept, result.history.loss
    assert training.diverged is True and 0 < kept.epoch < 60
    # every epoch that ran is logged; the one that diverged as NaN, the others with their finite running loss
    assert len(history) == training.epoch and math.isnan(history[-1])
    assert all(math.isfinite(value) for value in history[:-1])
    # the last good epoch, or the one before when its weights measure NaN/inf on the training set
    assert kept.epoch in (training.epoch - 1, training.epoch - 2)
    # the kept weights are finite, have a finite training loss, and that loss is reported everywhere
    assert params_of(result.network).is_finite()
    loss = _training_loss(result.network)
    assert math.isfinite(loss)
    assert loss == kept.loss == result.final_loss
    assert f"kept the weights from the end of epoch {kept.epoch} (training loss {loss:.6g})" in result.stop_reason
    if batch_size is None:
        # full batch: the epoch after the kept one started from exactly these weights
        assert history[kept.epoch] == pytest.approx(loss, rel=1e-12)
    # they are exactly the weights of the same run stopped after that many epochs, which did not diverge
    replay = fit(_network(), DATA.inputs, DATA.targets, epochs=kept.epoch, **options)
    assert replay.stop_reason is None
    for a, b in zip(replay.network.layers, result.network.layers, strict=True):
        np.testing.assert_array_equal(a.weights, b.weights)
        np.testing.assert_array_equal(a.bias, b.bias)


@pytest.mark.parametrize("use_compiled", [True, False], ids=["compiled", "numpy"])
def test_weights_whose_own_loss_overflowed_are_not_kept(use_compiled) -> None:
    # Full batch, η = 10: the update ending epoch 6 leaves finite weights whose loss overflows, so
    # epoch 7 diverges at once; the guard keeps epoch 5's weights (their loss is epoch 6's running loss).
    result = fit(_network(), DATA.inputs, DATA.targets, epochs=60, learning_rate=10.0, batch_size=None,
                 use_compiled=use_compiled)
    history = result.history.loss
    assert len(history) == 7 and math.isnan(history[-1]) and math.isfinite(history[-2])
    at_six = fit(_network(), DATA.inputs, DATA.targets, epochs=6, learning_rate=10.0, batch_size=None,
                 use_compiled=use_compiled)
    with np.errstate(over="ignore"):
        assert params_of(at_six.network).is_finite() and not math.isfinite(_training_loss(at_six.network))
    assert result.training.kept.epoch == 5
    assert result.final_loss == pytest.approx(history[5], rel=1e-12)


def test_online_training_never_keeps_weights_with_an_infinite_loss() -> None:
    # The audit's case: online training with η = 1e3 used to keep weights whose loss was infinite.
    for samples, first_good in ((40, 1), (200, 0)):
        data = load_dataset("plane", n_samples=samples, noise=0.1)
        with np.errstate(all="raise"):  # and no floating-point warning on the way
            result = fit(_network(), data.inputs, data.targets, learning_rate=1e3, epochs=50, batch_size=1)
        kept = result.training.kept
        assert kept.epoch == first_good
        assert ("kept the initial weights" in result.stop_reason) == (first_good == 0)
        loss, _ = evaluate(params_of(result.network), Functions.of(result.network), data.inputs, data.targets,
                           "regression")
        assert math.isfinite(float(loss)) and float(loss) == kept.loss


@pytest.mark.parametrize("use_compiled", [True, False], ids=["compiled", "numpy"])
@pytest.mark.parametrize("batch_size", [8, None])
def test_each_network_of_an_ensemble_keeps_its_own_last_good_epoch(batch_size, use_compiled) -> None:
    rates = [0.05, 10.0, 0.1, 100.0]
    options = dict(epochs=30, batch_size=batch_size, use_compiled=use_compiled)
    result = fit_ensemble(
        [2, 8, 1], DATA.inputs, DATA.targets, seeds=[1], learning_rates=rates, activation="relu",
        output_activation="linear", loss="mse", **options,
    )
    assert result.diverged.tolist() == [False, True, False, True]
    kept, history = result.training.kept, result.training.history
    assert kept.epoch[0] == kept.epoch[2] == 30
    for index, rate in enumerate(rates):
        solo = fit(seeded_network([2, 8, 1], 1, "relu", "linear", "mse"), DATA.inputs, DATA.targets,
                   learning_rate=rate, seed=1, **options)
        assert solo.training.kept.epoch == kept.epoch[index]
        assert (solo.stop_reason is not None) == bool(result.diverged[index])
        # (relative: a diverging member's weights are huge by then)
        np.testing.assert_allclose(result.network(index).layers[0].weights, solo.network.layers[0].weights,
                                   rtol=1e-12, atol=1e-12)
        assert result.loss[index] == pytest.approx(solo.final_loss, rel=1e-12)
        # the member's history is the solo run's, then NaN once it has stopped
        member = [log.loss[index] for log in history]
        np.testing.assert_allclose(member[: len(solo.history.loss)], solo.history.loss, rtol=1e-12)
        assert all(np.isnan(member[len(solo.history.loss) - (solo.stop_reason is not None) :]))
    assert np.all(np.isfinite(result.loss))
