"""The core's three stages: forward, backward and update, each a trace with the values known so far."""

from __future__ import annotations

import math

import numpy as np
import pytest

import stepgrad
from stepgrad.core import backward, forward, train_step, update
from stepgrad.network import Layer, Network, classic_setup


def classic_stages():
    setup = classic_setup()
    forward_trace = forward(setup.network, setup.inputs, setup.targets)
    backward_trace = backward(forward_trace)
    return setup, forward_trace, backward_trace, update(backward_trace, setup.learning_rate)


def test_forward_without_targets_has_net_and_out_but_no_error() -> None:
    setup = classic_setup()
    values = forward(setup.network, setup.inputs).values()
    assert values["net_h1"] == pytest.approx(0.3775, abs=1e-12)
    assert values["out_o1"] == pytest.approx(0.75136507, abs=1e-8)
    assert "E_total" not in values and "target_o1" not in values
    with pytest.raises(ValueError, match="without targets"):
        backward(forward(setup.network, setup.inputs))


def test_each_stage_adds_its_names() -> None:
    _, forward_trace, backward_trace, trace = classic_stages()
    forward_names, backward_names, all_names = (set(t.values()) for t in (forward_trace, backward_trace, trace))
    assert forward_names < backward_names < all_names
    assert {"E_total", "out_o2", "target_o2"} <= forward_names
    assert backward_names - forward_names >= {"delta_o1", "dE_o2/dout_h1", "dE_total/dw1", "dE_total/db2"}
    assert not any(name.endswith("+") for name in backward_names)
    assert all_names - backward_names >= {"w1+", "w8+", "net_h1+", "out_h2+", "net_o1+", "E_total+"}
    # Each stage's numbers are the later stages' numbers, not a recomputation that could drift.
    for name, value in backward_trace.values().items():
        assert trace.values()[name] == value, name


def test_train_step_is_the_three_stages_in_a_row() -> None:
    setup, _, _, staged = classic_stages()
    for mode in ("original", "updated"):
        whole = train_step(setup.network, setup.inputs, setup.targets, 0.5, hidden_deltas_from=mode)
        parts = update(backward(forward(setup.network, setup.inputs, setup.targets)), 0.5, hidden_deltas_from=mode)
        assert whole.values() == parts.values()
    assert staged.values() == train_step(setup.network, setup.inputs, setup.targets, 0.5).values()
    assert staged.values()["E_total+"] == pytest.approx(0.291027774, abs=1e-9)


def test_update_with_the_mistake_reproduces_the_published_error() -> None:
    _, _, backward_trace, _ = classic_stages()
    mistaken = update(backward_trace, 0.5, hidden_deltas_from="updated")
    assert mistaken.values()["E_total+"] == pytest.approx(0.291027924, abs=1e-9)
    # The backward stage it was given is unchanged: its hidden deltas used the original w5.
    assert backward_trace.values()["dE_o1/dout_h1"] == pytest.approx(backward_trace.values()["delta_o1"] * 0.40)


def test_every_neuron_has_its_value_after_the_update() -> None:
    _, _, _, trace = classic_stages()
    values = trace.values()
    # By hand from the updated weights (biases are frozen in the classic example).
    net_h1 = values["w1+"] * 0.05 + values["w2+"] * 0.10 + 0.35
    net_h2 = values["w3+"] * 0.05 + values["w4+"] * 0.10 + 0.35
    assert values["net_h1+"] == pytest.approx(net_h1, rel=1e-15)
    assert values["out_h2+"] == pytest.approx(1 / (1 + math.exp(-net_h2)), rel=1e-15)
    net_o1 = values["w5+"] * values["out_h1+"] + values["w6+"] * values["out_h2+"] + 0.60
    assert values["net_o1+"] == pytest.approx(net_o1, rel=1e-15)
    assert values["out_o1+"] == pytest.approx(1 / (1 + math.exp(-net_o1)), rel=1e-15)
    assert values["E_o1+"] == pytest.approx(0.5 * (0.01 - values["out_o1+"]) ** 2, rel=1e-15)
    names = trace.names
    for layer in names.neurons:
        for neuron in layer:
            assert f"net_{neuron}+" in values and f"out_{neuron}+" in values


def test_trained_biases_enter_the_forward_pass_after_the_update() -> None:
    network = Network((Layer([[0.3, -0.2]], [0.1], "tanh"), Layer([[0.7]], [-0.4], "sigmoid")))
    trace = train_step(network, [[1.0, 2.0]], [[0.9]], 0.5)
    values = trace.values()
    assert values["b1+"] != values["b1"]
    net_h = values["w1+"] * 1.0 + values["w2+"] * 2.0 + values["b1+"]
    assert values["net_h1+"] == pytest.approx(net_h, rel=1e-15)
    assert values["out_h1+"] == pytest.approx(np.tanh(net_h), rel=1e-15)


def test_stages_are_exported_from_the_package() -> None:
    assert stepgrad.forward is forward and stepgrad.backward is backward and stepgrad.update is update
    trace = stepgrad.update(stepgrad.backward(stepgrad.forward(*_classic_args())), 0.5)
    assert trace.values()["w5+"] == pytest.approx(0.35891648, abs=1e-8)


def _classic_args():
    setup = classic_setup()
    return setup.network, setup.inputs, setup.targets
