"""Exercise generation: seeded, hand-friendly, distinct variants."""

from __future__ import annotations

import numpy as np
import pytest

from stepgrad.check import check_answers
from stepgrad.core import train_step
from stepgrad.exercise import ExerciseSpec, generate_setup, generate_setups, hand_friendly
from stepgrad.exercise.generate import keeps_its_digits
from stepgrad.network import Setup, classic_setup
from stepgrad.network.files import setup_to_dict

SPECS = [
    ExerciseSpec(),
    ExerciseSpec(layers=(2, 3, 2), activation="tanh", loss="cross_entropy", bias="per_neuron", train_bias=True),
    ExerciseSpec(layers=(3, 2, 2, 1), activation="relu", loss="binary_cross_entropy", bias="none"),
    ExerciseSpec(layers=(2, 2, 2), activation="sigmoid", loss="mse", bias="per_neuron", train_bias=True),
]


def numbers_of(setup) -> list[float]:
    layers = setup.network.layers
    arrays = [setup.inputs, setup.targets, *(layer.weights for layer in layers), *(layer.bias for layer in layers)]
    return [float(x) for array in arrays for x in np.ravel(array)]


def test_same_seed_same_exercise_and_different_seeds_differ() -> None:
    assert setup_to_dict(generate_setup(11)) == setup_to_dict(generate_setup(11))
    assert setup_to_dict(generate_setup(11)) != setup_to_dict(generate_setup(12))


def test_count_makes_distinct_variants_and_a_variant_does_not_depend_on_count() -> None:
    five = [setup_to_dict(s) for s in generate_setups(4, count=5)]
    assert all(five[i] != five[j] for i in range(5) for j in range(i))
    assert [setup_to_dict(s) for s in generate_setups(4, count=2)] == five[:2]


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: f"{s.activation}-{s.loss}-{s.bias}")
def test_numbers_are_hand_friendly(spec: ExerciseSpec) -> None:
    for seed in range(3):
        setup = generate_setup(seed, spec)
        assert setup.network.sizes == list(spec.layers)
        for number in numbers_of(setup):
            assert abs(number * 100 - round(number * 100)) < 1e-9, number  # two decimals
        trace = train_step(setup.network, setup.inputs, setup.targets, setup.learning_rate)
        for layer, layer_trace in zip(setup.network.layers, trace.layers, strict=True):
            if layer.activation in ("sigmoid", "tanh"):
                assert np.all(np.abs(layer_trace.net) <= 2.5)  # away from saturation
                assert np.all(layer_trace.dout_dnet >= 0.02)
            if layer.activation == "relu":
                assert np.all(np.abs(layer_trace.net) >= 0.05)  # never at the kink
        assert trace.loss_new < trace.loss
        # every output keeps 0.05 from its target: the errors keep their digits at 4 decimals
        assert np.all(np.abs(trace.layers[-1].out - setup.targets) >= 0.05)
        if spec.loss == "cross_entropy":
            assert sorted(setup.targets[0]) == [0.0] * (spec.layers[-1] - 1) + [1.0]


def test_networks_whose_values_vanish_at_4_decimals_are_not_hand_friendly() -> None:
    # The classic example is hand-friendly; with target_o1 at 0.7547, out_o1 = 0.7514 sits 0.003 from it and
    # E_o1 = 5.6e-06 is 0.0000 at 4 decimals: a learner could not tell it from 0.
    classic = classic_setup()
    assert hand_friendly(classic)
    close = Setup(classic.network, classic.inputs, [[0.7547, 0.99]], classic.learning_rate)
    assert not hand_friendly(close)
    # out 0.06 from the target, but tiny gradients: dE_total/dw1 = 4e-6 would be 0.0000
    assert not keeps_its_digits(Setup(classic.network, [[0.0005, 0.001]], classic.targets, classic.learning_rate))
    assert keeps_its_digits(classic)


def test_the_exact_values_check_as_right() -> None:
    setup = generate_setup(5, SPECS[1])
    values = train_step(setup.network, setup.inputs, setup.targets, setup.learning_rate).values()
    from stepgrad.check.answers import Answer

    answers = [Answer(name, repr(value), value, 12) for name, value in values.items() if not name.startswith("i")]
    report = check_answers(answers, setup)
    assert report.ok
