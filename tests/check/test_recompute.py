"""The recompute table against the core: same numbers for the correct rules, and the
updated-weights mistake against the core's own ``hidden_deltas_from="updated"``."""

from __future__ import annotations

import numpy as np
import pytest

from stepgrad.check.compare import Checker
from stepgrad.check.diagnose import Diagnoser
from stepgrad.check.recompute import Context, build_table
from stepgrad.check.tolerance import working_rounding
from stepgrad.check.world import World
from stepgrad.core import train_step
from stepgrad.derivations.derivation import explain_setup
from stepgrad.network import Layer, Network, Setup, classic_setup

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
    assert set(values) <= set(table) | set(context.leaves)
    # the table also has the forward pass after the update of every layer (net_h1+, out_h1+ …)
    assert all(name.endswith("+") for name in set(table) - set(values))
    for name, value in values.items():
        assert world.value(name) == pytest.approx(value, rel=1e-12, abs=1e-14), name


def test_updated_weights_mistake_is_the_cores_updated_mode_and_the_published_erratum() -> None:
    setup = classic_setup()
    trace = train_step(setup.network, setup.inputs, setup.targets, setup.learning_rate)
    mistaken = train_step(setup.network, setup.inputs, setup.targets, setup.learning_rate, hidden_deltas_from="updated")
    context = Context.from_trace(trace)
    # the change "w+ for w" made at every step that sends an error back (the search's consistent variant)
    diagnoser = Diagnoser(context, build_table(context), context.leaves, {}, lambda name: 0.0)
    (table,) = [table for members, table in diagnoser.consistent if members[0][1].mistake == "updated_output_weights"]
    world = World(table, context.leaves)
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


def test_unwritten_steps_carry_the_learners_rounding_through_the_rules() -> None:
    # w5+ from nothing written, values rounded to 4 decimals on paper: dE_total/dw5 carries its own
    # rounding (5e-5) plus what delta_o1 and out_h1 carry; w5+ moves by η times that.
    setup = classic_setup()
    trace = train_step(setup.network, setup.inputs, setup.targets, setup.learning_rate)
    context = Context.from_trace(trace)
    world = World(build_table(context), context.leaves, {}, working_rounding(4, 4))
    _, spread_w5 = world.follow("w5+")
    _, spread_grad = world.follow("dE_total/dw5")
    assert spread_w5 == pytest.approx(0.5 * (spread_grad + 5e-5))
    # delta_o1 = dE/dout · dout/dnet: the product rule on the two rounded factors, each also rounded
    dE_dout, dout_dnet = world.value("dE_total/dout_o1"), world.value("dout_o1/dnet_o1")
    u_dE, u_dout = world.uncertainty("dE_total/dout_o1"), world.uncertainty("dout_o1/dnet_o1")
    assert world.follow("delta_o1")[1] == pytest.approx(abs(dout_dnet) * u_dE + abs(dE_dout) * u_dout)
    assert u_dE > 5e-5 and u_dout > 5e-5  # their own rounding plus out_o1's


def test_another_sample_is_the_step_explain_shows_for_it() -> None:
    setup = classic_setup()
    several = Setup(
        setup.network, [[0.05, 0.10], [0.30, -0.20], [0.9, 0.4]], [[0.01, 0.99], [0.5, 0.5], [0.2, 0.7]], 0.5
    )
    for sample in range(3):
        checker = Checker(several, sample)
        shown = explain_setup(several, sample).values
        assert {name: checker.expected[name] for name in shown} == shown
        world = World(checker.table, checker.context.leaves)
        for name, value in shown.items():
            assert world.value(name) == pytest.approx(value, rel=1e-12, abs=1e-14), (sample, name)
    # one sample trained alone: w5+ of sample 2 uses only its own gradient
    second = Checker(several, 1).expected
    assert second["w5+"] == pytest.approx(0.40 - 0.5 * second["dE_total/dw5"], rel=1e-14)
