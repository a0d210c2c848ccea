"""Batch size 1 is exactly the classic update of ``stepgrad.core.train_step``; the classic figures."""

import numpy as np
import pytest

from stepgrad.core import train_step
from stepgrad.network import Layer, Network, classic_setup
from stepgrad.training import create_network, make_training, repeat_steps
from stepgrad.training.loops import seed_streams


def _assert_same(network_a: Network, network_b: Network, tol: float) -> None:
    for a, b in zip(network_a.layers, network_b.layers, strict=True):
        np.testing.assert_allclose(a.weights, b.weights, rtol=0, atol=tol)
        np.testing.assert_allclose(a.bias, b.bias, rtol=0, atol=tol)


def test_one_online_update_of_the_classic_example_equals_train_step() -> None:
    setup = classic_setup()
    training = make_training(
        setup.network, setup.inputs, setup.targets, learning_rate=0.5, epochs=1, use_compiled=False
    )
    training.run()
    expected = train_step(setup.network, setup.inputs, setup.targets, 0.5).network_new
    _assert_same(training.current_network(), expected, 1e-15)
    # w5+ = 0.35891648 as published
    assert training.current_network().layers[1].weights[0, 0] == pytest.approx(0.35891648, abs=5e-9)


def test_many_online_updates_follow_train_step_in_the_shuffled_order() -> None:
    rng = np.random.default_rng(3)
    network = create_network([3, 4, 2], activation="tanh", output_activation="sigmoid", rng=rng)
    x = rng.normal(size=(6, 3))
    y = rng.uniform(size=(6, 2))
    seed, epochs, rate = 11, 3, 0.3
    training = make_training(
        network, x, y, learning_rate=rate, epochs=epochs, batch_size=1, seed=seed, use_compiled=False
    )
    training.run()
    shuffle = seed_streams(seed)[1]
    expected = network
    for _ in range(epochs):
        for sample in shuffle.permutation(6):
            expected = train_step(expected, x[sample], y[sample], rate).network_new
    _assert_same(training.current_network(), expected, 1e-15)


def test_a_full_batch_step_is_the_batch_mean_of_train_step() -> None:
    hidden = Layer(weights=[[0.1, -0.2], [0.3, 0.4]], bias=[0.5], activation="sigmoid")
    output = Layer(weights=[[0.7, -0.6]], bias=[0.1], activation="linear")
    network = Network(layers=(hidden, output), loss="mse")
    x = np.array([[1.0, 2.0], [-1.0, 0.5], [0.0, 3.0]])
    y = np.array([[0.2], [1.0], [-0.5]])
    training = make_training(network, x, y, learning_rate=0.1, epochs=2, batch_size=None)
    training.run()
    expected = train_step(train_step(network, x, y, 0.1).network_new, x, y, 0.1).network_new
    _assert_same(training.current_network(), expected, 1e-15)


def test_ten_thousand_correct_updates_give_the_exact_figures() -> None:
    result = repeat_steps(classic_setup(), 10_000)
    assert f"{result.error:.4e}" == "3.5102e-05"
    assert round(result.error, 10) == 0.0000351019
    assert round(float(result.outputs[0, 0]), 7) == 0.0159136
    assert round(float(result.outputs[0, 1]), 7) == 0.9840643


def test_the_published_error_is_the_correct_rule_after_9999_updates() -> None:
    assert round(repeat_steps(classic_setup(), 9_999).error, 10) == 0.0000351085


def test_updated_hidden_deltas_reproduce_the_published_outputs() -> None:
    result = repeat_steps(classic_setup(), 10_000, hidden_deltas_from="updated", every=5000)
    assert round(float(result.outputs[0, 0]), 9) == 0.015912196
    assert round(float(result.outputs[0, 1]), 9) == 0.984065734
    assert result.steps == (0, 5000, 10_000)


def test_repeat_steps_in_the_correct_mode_equals_train_step_exactly() -> None:
    setup = classic_setup()
    expected = setup.network
    for _ in range(25):
        expected = train_step(expected, setup.inputs, setup.targets, setup.learning_rate).network_new
    _assert_same(repeat_steps(setup, 25, use_compiled=False).network, expected, 0.0)
