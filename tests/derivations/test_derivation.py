"""The derivation: published figures, values read from the trace, formulas that match their numbers."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest

from stepgrad.core import train_step
from stepgrad.derivations.derivation import explain, explain_setup
from stepgrad.derivations.step import Derivation
from stepgrad.network import Layer, Network, Setup, classic_setup
from support.published import PUBLISHED, last_digit_unit

SECTION_ORDER = [
    "Forward pass",
    "Total error",
    "Backward pass: output layer",
    "Backward pass: hidden",
    "Backward pass: biases",
    "Error after the update",
]


@pytest.fixture(scope="module")
def classic() -> Derivation:
    return explain_setup(classic_setup())


@pytest.mark.parametrize("name", list(PUBLISHED))
def test_published_figures(classic: Derivation, name: str) -> None:
    published = PUBLISHED[name]
    assert classic.step(name).value == pytest.approx(float(published), abs=last_digit_unit(published))


def test_exact_error_after_one_update(classic: Derivation) -> None:
    assert classic.step("E_total+").value == pytest.approx(0.291027774, abs=1e-9)
    assert classic.values["E_total+"] == classic.step("E_total+").value


def test_updated_mode_reproduces_the_published_errata() -> None:
    derivation = explain_setup(classic_setup(), hidden_deltas_from="updated")
    assert derivation.step("E_total+").value == pytest.approx(0.291027924, abs=1e-9)
    assert any("already-updated" in note for note in derivation.notes)
    back = derivation.step("dE_o1/dout_h1")
    assert back.formula == "dE_o1/dout_h1 = delta_o1 · w5+"
    # The number shown is the weight the trace used, the updated w5.
    assert back.operands["w5+"] == derivation.trace.layers[0].weights_next[0, 0]
    assert back.operands["w5+"] == pytest.approx(0.35891648, abs=1e-8)
    assert "0.35891648" in back.substituted(9)


def _assert_read_from_trace(derivation: Derivation) -> None:
    values = derivation.trace.values(derivation.sample)
    names = [step.name for step in derivation.steps]
    assert len(names) == len(set(names)), "each value is computed by one step"
    for step in derivation.steps:
        assert step.name in values, step.name
        assert step.value == values[step.name], step.name
        assert step.formula.startswith(f"{step.name} = ")
        for operand, number in step.operands.items():
            if operand in values:
                assert number == values[operand], (step.name, operand)


def test_classic_steps_are_the_trace_values(classic: Derivation) -> None:
    _assert_read_from_trace(classic)
    assert classic.values == classic.trace.values(0)


def test_sections_follow_the_hand_order(classic: Derivation) -> None:
    seen = [section for section, _ in classic.sections()]
    positions = [next(i for i, prefix in enumerate(SECTION_ORDER) if section.startswith(prefix)) for section in seen]
    assert positions == sorted(positions)
    assert len(seen) == len(set(seen)), "each section appears once"


def test_every_weight_has_its_chain_and_update(classic: Derivation) -> None:
    for number in range(1, 9):
        weight = f"w{number}"
        gradient = classic.step(f"dE_total/d{weight}")
        update = classic.step(f"{weight}+")
        assert weight in gradient.involves and weight in update.involves
        assert gradient.formula.count("·") == 2, "three chain-rule factors"
        names = [step.name for step in classic.steps]
        assert names.index(f"dE_total/d{weight}") < names.index(f"{weight}+")
    assert classic.step("dE_total/dw5").formula == "dE_total/dw5 = dE_total/dout_o1 · dout_o1/dnet_o1 · dnet_o1/dw5"
    assert classic.step("net_h1").formula == "net_h1 = w1·i1 + w2·i2 + b1·1"
    assert classic.step("net_h1").substituted() == "0.15·0.05 + 0.2·0.1 + 0.35·1"


def test_frozen_biases_get_a_gradient_and_a_sentence_but_no_update(classic: Derivation) -> None:
    bias = classic.step("dE_total/db2")
    assert bias.formula == "dE_total/db2 = delta_o1 + delta_o2"
    assert "frozen" in bias.note
    with pytest.raises(KeyError):
        classic.step("b2+")


def test_hidden_layer_sums_what_each_output_sends_back(classic: Derivation) -> None:
    total = classic.step("dE_total/dout_h1")
    assert total.formula == "dE_total/dout_h1 = dE_o1/dout_h1 + dE_o2/dout_h1"
    assert classic.step("dE_o1/dout_h1").formula == "dE_o1/dout_h1 = delta_o1 · w5"
    assert classic.step("dE_o1/dout_h1").operands["w5"] == 0.40


# --- formulas agree with their numbers -------------------------------------------------------


def _evaluate(substituted: str) -> float:
    """Evaluate a substituted plain-text formula (the renderers' text) as Python."""
    expression = (
        substituted.replace("·", "*")
        .replace("−", "-")
        .replace("½", "0.5*")
        .replace("²", "**2")
        .replace("e^(", "exp(")
        .replace("ln(", "log(")
        .replace("[", "(")
        .replace("]", ")")
    )
    expression = re.sub(r"(\d)\(", r"\1*(", expression)  # −2(t − o) → -2*(t - o)
    return float(eval(expression, {"exp": math.exp, "log": math.log, "tanh": math.tanh, "max": max}))


def _assert_formulas_match_values(derivation: Derivation) -> None:
    for step in derivation.steps:
        if not step.operands:
            continue
        computed = _evaluate(step.substituted(17))
        assert computed == pytest.approx(step.value, rel=1e-9, abs=1e-12), (step.name, step.substituted(17))


def test_classic_formulas_match_their_numbers(classic: Derivation) -> None:
    _assert_formulas_match_values(classic)


def _setup(layers: list[Layer], loss: str, inputs: list[list[float]], targets: list[list[float]]) -> Setup:
    return Setup(network=Network(layers=tuple(layers), loss=loss), inputs=inputs, targets=targets, learning_rate=0.3)


OTHER_NETWORKS = {
    "relu-tanh-linear-mse-per-neuron": _setup(
        [
            Layer(weights=[[0.3, -0.2], [0.1, 0.4], [-0.5, 0.2]], bias=[0.1, -0.2, 0.05], activation="relu"),
            Layer(weights=[[0.2, -0.3, 0.1], [0.4, 0.1, -0.2]], bias=[0.0, 0.1], activation="tanh"),
            Layer(weights=[[0.5, -0.4]], bias=[0.2], activation="linear"),
        ],
        "mse",
        [[0.5, -1.0]],
        [[0.25]],
    ),
    "leaky-sigmoid-bce": _setup(
        [
            Layer(weights=[[0.3, -0.6], [-0.1, 0.4]], bias=[0.1], activation="leaky_relu"),
            Layer(weights=[[0.7, -0.3]], bias=[], activation="sigmoid"),
        ],
        "binary_cross_entropy",
        [[1.0, 2.0]],
        [[1.0]],
    ),
    "softmax-cross-entropy": _setup(
        [
            Layer(weights=[[0.3, -0.6], [-0.1, 0.4]], bias=[0.1, 0.2], activation="sigmoid"),
            Layer(weights=[[0.7, -0.3], [0.2, 0.5], [-0.4, 0.1]], bias=[0.05], activation="softmax"),
        ],
        "cross_entropy",
        [[1.0, 2.0]],
        [[0.0, 1.0, 0.0]],
    ),
}


@pytest.mark.parametrize("name", list(OTHER_NETWORKS))
def test_other_networks(name: str) -> None:
    setup = OTHER_NETWORKS[name]
    derivation = explain_setup(setup)
    _assert_read_from_trace(derivation)
    _assert_formulas_match_values(derivation)
    names = derivation.trace.names
    for weight in names.all_weights():
        assert derivation.step(f"{weight.name}+").value == derivation.values[f"{weight.name}+"]
    for bias in names.all_biases():
        derivation.step(f"dE_total/d{bias.name}")
        if setup.network.layers[bias.layer].trains_bias:
            derivation.step(f"{bias.name}+")


@pytest.mark.parametrize("name", ["leaky-sigmoid-bce", "softmax-cross-entropy"])
def test_paired_losses_show_out_minus_target(name: str) -> None:
    derivation = explain_setup(OTHER_NETWORKS[name])
    delta = derivation.step("delta_o1")
    assert delta.formula == "delta_o1 = out_o1 − target_o1"
    gradient = derivation.step(f"dE_total/d{derivation.trace.names.weights[-1][0][0]}")
    assert gradient.formula.split(" = ")[1].startswith("delta_o1 · ")


def test_deeper_network_names_and_per_neuron_bias() -> None:
    derivation = explain_setup(OTHER_NETWORKS["relu-tanh-linear-mse-per-neuron"])
    sections = [section for section, _ in derivation.sections()]
    assert "Backward pass: hidden layer 2" in sections and "Backward pass: hidden layer 1" in sections
    assert derivation.step("dE_h2_1/dout_h1_1").formula == "dE_h2_1/dout_h1_1 = delta_h2_1 · w7"  # w1..w6 feed layer 1
    assert derivation.step("dE_total/db1").formula == "dE_total/db1 = delta_h1_1"
    assert derivation.step("dout_h1_1/dnet_h1_1").formula == "dout_h1_1/dnet_h1_1 = 1 if net_h1_1 > 0 else 0"


def test_batch_trace_follows_one_sample_and_updates_with_the_mean() -> None:
    setup = classic_setup()
    inputs = np.array([[0.05, 0.10], [0.9, -0.3], [0.2, 0.7]])
    targets = np.array([[0.01, 0.99], [0.5, 0.2], [0.8, 0.1]])
    trace = train_step(setup.network, inputs, targets, 0.5)
    derivation = explain(trace, sample=1)
    assert derivation.step("net_h1").value == pytest.approx(0.15 * 0.9 + 0.20 * -0.3 + 0.35)
    _assert_read_from_trace(derivation)
    update = derivation.step("w5+")
    assert update.operands["⟨dE_total/dw5⟩"] == trace.layers[1].grad_w[0, 0]
    assert update.value == pytest.approx(0.40 - 0.5 * trace.layers[1].grad_w[0, 0])
    assert any("sample 2" in note for note in derivation.notes)
    assert r"\langle" in update.formula_latex


def test_sample_out_of_range_is_a_user_error() -> None:
    from stepgrad.errors import StepgradError

    with pytest.raises(StepgradError):
        explain_setup(classic_setup(), sample=3)


def test_latex_substitution_keeps_latex_groups(classic: Derivation) -> None:
    step = classic.step("out_h1")
    assert step.formula_latex == r"out_{h1} = \frac{1}{1 + e^{-net_{h1}}}"
    assert step.substituted_latex(9) == r"\frac{1}{1 + e^{-0.3775}}"


def test_activation_aliases_use_the_registry_formula() -> None:
    setup = classic_setup()
    layers = tuple(
        Layer(weights=layer.weights, bias=layer.bias, activation="logistic", train_bias=True)
        for layer in setup.network.layers
    )
    derivation = explain_setup(Setup(Network(layers), setup.inputs, setup.targets, 0.5))
    assert derivation.step("out_h1").formula == "out_h1 = 1 / (1 + e^(−net_h1))"
    # Trained shared biases: the sum of the layer's deltas, then the update.
    assert derivation.step("dE_total/db1").formula == "dE_total/db1 = delta_h1 + delta_h2"
    assert derivation.step("b1+").formula == "b1+ = b1 − η · dE_total/db1"
    assert derivation.step("b1+").value == derivation.values["b1+"]


def test_one_layer_network_notes_do_not_mention_hidden_layers() -> None:
    network = Network((Layer(weights=[[0.3, -0.2]], bias=[0.1], activation="sigmoid"),))
    derivation = explain_setup(Setup(network, [[1.0, 0.5]], [[0.8]], 0.5))
    notes = [step.note for step in derivation.steps if step.note] + list(derivation.notes)
    assert notes and not any("hidden" in note for note in notes)
    assert "every gradient of this step is computed with the original weights" in derivation.step("w1+").note


def test_errata_wording_only_for_the_classic_example() -> None:
    classic_notes = " ".join(explain_setup(classic_setup(), hidden_deltas_from="updated").notes)
    assert "published summary got 0.291027924" in classic_notes
    other = OTHER_NETWORKS["relu-tanh-linear-mse-per-neuron"]
    notes = " ".join(explain_setup(other, hidden_deltas_from="updated").notes)
    assert "already-updated weights" in notes and "not those of backpropagation" in notes
    assert "published" not in notes and "0.29" not in notes
    # The classic network with another learning rate is not the classic example either.
    setup = classic_setup()
    changed = Setup(setup.network, setup.inputs, setup.targets, learning_rate=0.4)
    assert "published" not in " ".join(explain_setup(changed, hidden_deltas_from="updated").notes)


def test_notes_keep_their_formulas_as_math(classic: Derivation) -> None:
    step = classic.step("dE_total/dw5")
    assert step.note == "Delta rule: dE_total/dw5 = delta_o1 · out_h1."
    assert step.note_pieces() == (
        ("text", "Delta rule: "),
        ("math", r"\frac{\partial E_{total}}{\partial w_{5}} = \delta_{o1} \cdot out_{h1}"),
        ("text", "."),
    )
    assert "".join(content for kind, content in classic.step("w5+").note_pieces() if kind == "math") == ""


def test_after_the_update_the_forward_pass_is_worked_again(classic: Derivation) -> None:
    after = dict(classic.sections())["Error after the update"]
    names = [step.name for step in after]
    assert names == [
        "net_h1+",
        "out_h1+",
        "net_h2+",
        "out_h2+",
        "net_o1+",
        "out_o1+",
        "net_o2+",
        "out_o2+",
        "E_o1+",
        "E_o2+",
        "E_total+",
    ]
    net_o1 = classic.step("net_o1+")
    assert net_o1.formula == "net_o1+ = w5+·out_h1+ + w6+·out_h2+ + b2·1"  # b2 is frozen
    assert net_o1.substituted() == "0.35891648·0.593256764 + 0.408666186·0.596869409 + 0.6·1"
    assert classic.step("E_total+").substituted() == "0.267976501 + 0.0230512724"
    trained = explain_setup(OTHER_NETWORKS["relu-tanh-linear-mse-per-neuron"])
    assert trained.step("net_h1_1+").formula == "net_h1_1+ = w1+·i1 + w2+·i2 + b1+·1"
    _assert_read_from_trace(trained)
    _assert_formulas_match_values(trained)
