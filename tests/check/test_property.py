"""Property: for random networks and a random single wrong rule applied consistently, the
diagnosis of the first wrong step names that rule at least 95% of the time."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stepgrad.check.answers import Answer
from stepgrad.check.compare import Checker
from stepgrad.check.mistakes import MISTAKES
from stepgrad.check.recompute import World, build_table
from stepgrad.network import Layer, Network, Setup

DECIMALS = 6


@st.composite
def networks(draw: st.DrawFn) -> Setup:
    n_layers = draw(st.integers(2, 3))
    sizes = [draw(st.integers(1, 3)) for _ in range(n_layers)] + [draw(st.integers(2, 3))]
    hidden = draw(st.sampled_from(["sigmoid", "tanh", "relu"]))
    output, loss = draw(
        st.sampled_from(
            [
                ("sigmoid", "half_squared_error"),
                ("softmax", "cross_entropy"),
                ("tanh", "mse"),
                ("sigmoid", "binary_cross_entropy"),
            ]
        )
    )
    bias = draw(st.sampled_from(["shared", "per_neuron", "none"]))
    train_bias = draw(st.booleans())
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    layers = []
    for index in range(1, len(sizes)):
        n_bias = {"shared": 1, "per_neuron": sizes[index], "none": 0}[bias]
        layers.append(
            Layer(
                np.round(rng.uniform(-0.9, 0.9, (sizes[index], sizes[index - 1])), 2),
                np.round(rng.uniform(-0.5, 0.5, n_bias), 2),
                output if index == len(sizes) - 1 else hidden,
                train_bias=train_bias,
            )
        )
    if output == "softmax":
        targets = list(np.eye(sizes[-1])[rng.integers(sizes[-1])])
    else:
        targets = list(np.round(rng.uniform(-0.8 if output == "tanh" else 0.05, 0.95, sizes[-1]), 2))
    eta = draw(st.sampled_from([0.1, 0.5, 1.0]))
    return Setup(Network(tuple(layers), loss), [np.round(rng.uniform(0.05, 0.95, sizes[0]), 2)], [targets], eta)


def diagnosis_of_corruption(setup: Setup, data: st.DataObject) -> tuple[str, list[str]] | None:
    """Answers worked with one wrong rule throughout, some steps left unwritten; None when the rule
    changes none of the written values here."""
    checker = Checker(setup)
    applicable = [m for m in MISTAKES.values() if m.variants(checker.context)]
    mistake = data.draw(st.sampled_from(applicable), label="mistake")
    variants = mistake.variants(checker.context)
    rules = data.draw(st.sampled_from(variants), label="variant")
    world = World(build_table(checker.context, rules), checker.context.leaves)
    keep = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1), label="written"))
    asked = [name for name in checker.asked() if keep.random() < 0.6]
    values = {name: world.value(name) for name in asked}
    if not all(np.isfinite(list(values.values()))):
        return None
    moved = [n for n in asked if abs(round(values[n], DECIMALS) - round(checker.expected[n], DECIMALS)) > 2e-6]
    if not moved or not values:
        return None
    answers = [Answer(n, f"{value:.{DECIMALS}f}", round(value, DECIMALS), DECIMALS) for n, value in values.items()]
    report = checker.check(answers)
    return mistake.name, [d.mistake for d in report.diagnoses]


def test_diagnosis_names_the_corruption_at_least_95_percent_of_the_time() -> None:
    outcomes: list[tuple[str, list[str]]] = []

    @settings(max_examples=150, deadline=None, database=None, derandomize=True, suppress_health_check=list(HealthCheck))
    @given(setup=networks(), data=st.data())
    def run(setup: Setup, data: st.DataObject) -> None:
        outcome = diagnosis_of_corruption(setup, data)
        if outcome is not None:
            outcomes.append(outcome)

    run()
    named = sum(1 for corrupted, diagnosed in outcomes if corrupted in diagnosed)
    first = sum(1 for corrupted, diagnosed in outcomes if diagnosed[:1] == [corrupted])
    rate = named / len(outcomes)
    misses = [(c, d) for c, d in outcomes if c not in d]
    listed = sum(len(d) for _, d in outcomes) / len(outcomes)
    kinds = len({c for c, _ in outcomes})
    print(
        f"\ndiagnosis names the corruption in {named}/{len(outcomes)} = {rate:.1%} "
        f"(ranked first in {first / len(outcomes):.1%}, {listed:.2f} mistakes listed on average, "
        f"{kinds} kinds of mistake drawn); misses: {misses[:5]}"
    )
    assert kinds >= 6
    assert len(outcomes) >= 60
    assert rate >= 0.95
