"""Options of the public training API that no internal caller sets, kept working for the people who do."""

import numpy as np
import pytest

from stepgrad.data import load_dataset
from stepgrad.training import EarlyStopping, create_network, fit, get_schedule
from stepgrad.training.init import he_normal, xavier_uniform


def test_create_network_takes_an_initializer_and_frozen_biases() -> None:
    he = create_network([4, 6, 1], "tanh", init="he", train_bias=False, rng=np.random.default_rng(7))
    expected = he_normal(4, 6, np.random.default_rng(7))
    np.testing.assert_array_equal(he.layers[0].weights, expected)
    assert not any(layer.trains_bias for layer in he.layers)
    glorot = create_network([4, 6, 1], "relu", init="glorot", rng=np.random.default_rng(7))
    np.testing.assert_array_equal(glorot.layers[0].weights, xavier_uniform(4, 6, np.random.default_rng(7)))


def test_a_frozen_bias_stays_where_it_started() -> None:
    data = load_dataset("xor")
    network = create_network([2, 4, 1], "tanh", "sigmoid", "binary_cross_entropy", train_bias=False)
    result = fit(network, data.inputs, data.targets, epochs=20, learning_rate=0.5, batch_size=None)
    assert all(np.array_equal(layer.bias, np.zeros_like(layer.bias)) for layer in result.network.layers)
    assert not np.array_equal(result.network.layers[0].weights, network.layers[0].weights)


def test_cosine_schedule_ends_at_its_floor() -> None:
    schedule = get_schedule("cosine", min_factor=0.1)
    assert schedule.factor(0, 50) == pytest.approx(1.0)
    assert schedule.factor(50, 50) == pytest.approx(0.1)
    assert schedule.factor(25, 50) == pytest.approx(0.55)


@pytest.mark.parametrize(("min_delta", "restore_best"), [(0.0, True), (0.5, True), (0.5, False)])
def test_early_stopping_honours_min_delta_and_restore_best(min_delta: float, restore_best: bool) -> None:
    data = load_dataset("xor")
    network = create_network([2, 3, 1], "tanh", "sigmoid", "binary_cross_entropy", rng=np.random.default_rng(1))
    stop = EarlyStopping(patience=3, min_delta=min_delta, restore_best=restore_best)
    result = fit(network, data.inputs, data.targets, epochs=400, learning_rate=0.5, batch_size=None, callbacks=[stop])
    losses = result.history.loss
    if min_delta == 0.5:  # no epoch improves on the first by 0.5: the run stops after patience epochs
        assert len(losses) == 1 + stop.patience
        assert stop.best_epoch == 1
        assert stop.reason.startswith("early stopping")
        assert ("restored the weights of epoch 1" in stop.reason) == restore_best
    else:  # improving epochs keep the run going
        assert len(losses) > 1 + stop.patience
