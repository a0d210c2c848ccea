"""The recompute table against the core: same numbers for the correct rules, and the
updated-weights mistake against the core's own ``hidden_deltas_from="updated"``."""

from __future__ import annotations

import numpy as np
import pytest

from stepgrad.check.mistakes import MISTAKES
from stepgrad.check.recompute import Context, World, build_table
from stepgrad.core import train_step
from stepgrad.network import Layer, Network, classic_setup

NETWORKS = [
    ("sigmoid", "sigmoid", "half_squared_error", "shared"),
    ("tanh", "softmax", "cross_entropy", "per_neuron"),
    ("relu", "sigmoid", "binary_cross_entropy", "none"),
    ("leaky_relu", "linear", "mse", "per_neuron"),
]


def random_network(rng: np.random.Generator, hidden: str, output: str, loss: str, bias: str) -> Network:
    sizes = [3, 4, 2, 3]
    layers = []
    for index in range(1, len(sizes)):
        n_bias = {"shared": 1, "per_neuron": sizes[index], "none": 0}[bias]
        layers.append(
            Layer(
                rng.uniform(-1, 1, (sizes[index], sizes[index - 1])),
                rng.uniform(-0.5, 0.5, n_bias),
                output if index == len(sizes) - 1 else hidden,
                train_bias=bool(index % 2),
            )
        )
    return Network(tuple(layers), loss)


@pytest.mark.parametrize("kinds", NETWORKS)
def test_correct_rules_reproduce_every_trace_value(kinds: tuple[str, str, str, str]) -> None:
    rng = np.random.default_rng(3)
    network = random_network(rng, *kinds)
    targets = [[0.0, 1.0, 0.0]] if kinds[1] == "softmax" else [rng.uniform(0.1, 0.9, 3)]
    trace = train_step(network, [rng.uniform(-1, 1, 3)], targets, 0.3)
    context = Context.from_trace(trace)
    table = build_table(context)
    world = World(table, context.leaves)
    values = trace.values()
    # The trace also records the updated network's whole forward pass (net_h1+, out_h1+, net_o1+);
    # the rules recompute only the outputs' out_o1+ of it.
    forward_after = {f"{kind}_{n}+" for layer in trace.names.neurons for n in layer for kind in ("net", "out")}
    assert set(values) - forward_after == (set(table) | set(context.leaves)) - forward_after
    values = {name: value for name, value in values.items() if name in table or name in context.leaves}
    for name, value in values.items():
        assert world.value(name) == pytest.approx(value, rel=1e-12, abs=1e-14), name


def test_updated_weights_mistake_is_the_cores_updated_mode_and_the_published_erratum() -> None:
    setup = classic_setup()
    trace = train_step(setup.network, setup.inputs, setup.targets, setup.learning_rate)
    mistaken = train_step(setup.network, setup.inputs, setup.targets, setup.learning_rate, hidden_deltas_from="updated")
    context = Context.from_trace(trace)
    (rules,) = MISTAKES["updated_output_weights"].variants(context)
    world = World(build_table(context, rules), context.leaves)
    for name, value in mistaken.values().items():
        if name not in world.table and name not in context.leaves:
            continue  # net_h1+ …: the updated network's forward pass, recomputed only for the outputs
        assert world.value(name) == pytest.approx(value, rel=1e-12, abs=1e-15), name
    # the published (mistaken) error after the first update
    assert world.value("E_total+") == pytest.approx(0.291027924, abs=5e-10)


def test_rounding_uncertainty_follows_the_written_half_units() -> None:
    setup = classic_setup()
    trace = train_step(setup.network, setup.inputs, setup.targets, setup.learning_rate)
    context = Context.from_trace(trace)
    world = World(build_table(context), context.leaves, {"dE_total/dw5": (0.0822, 0.00005)})
    value, spread = world.follow("w5+")
    assert value == pytest.approx(0.40 - 0.5 * 0.0822)
    assert spread == pytest.approx(0.5 * 0.00005)


def test_several_samples_use_the_batch_mean_in_the_update() -> None:
    setup = classic_setup()
    inputs = [[0.05, 0.10], [0.30, -0.20], [0.9, 0.4]]
    targets = [[0.01, 0.99], [0.5, 0.5], [0.2, 0.7]]
    trace = train_step(setup.network, inputs, targets, 0.5)
    for sample in range(3):
        context = Context.from_trace(trace, sample)
        world = World(build_table(context), context.leaves)
        for name, value in trace.values(sample).items():
            if name not in world.table and name not in context.leaves:
                continue  # net_h1+ …: the updated network's forward pass, recomputed only for the outputs
            assert world.value(name) == pytest.approx(value, rel=1e-12, abs=1e-14), (sample, name)
