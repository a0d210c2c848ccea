"""Hand-built answer files for the mistakes on other networks: tanh, ReLU, softmax + cross-entropy,
per-neuron trained biases. The correct numbers come from the core's trace; the wrong rule is applied
here by hand."""

from __future__ import annotations

import pytest

from stepgrad.check import check_answers
from stepgrad.core import train_step
from stepgrad.network import Layer, Network, Setup

from .conftest import lines


def _setup(network: Network, inputs: list[float], targets: list[float], eta: float = 0.5) -> Setup:
    return Setup(network, [inputs], [targets], eta, source="test network")


def tanh_setup() -> Setup:
    hidden = Layer([[0.15, -0.20], [0.35, 0.30]], [0.10, -0.05], "tanh", train_bias=True)
    output = Layer([[0.40, -0.45], [0.50, 0.55]], [0.20, 0.30], "sigmoid", train_bias=True)
    return _setup(Network((hidden, output), "half_squared_error"), [0.60, 0.90], [0.10, 0.80])


def relu_setup() -> Setup:
    # h2 has a negative net input (0.05·(−0.5) + 0.9·(−0.6) + 0.1 < 0): its derivative is 0.
    hidden = Layer([[0.30, 0.40], [-0.50, -0.60]], [0.10], "relu", train_bias=False)
    output = Layer([[0.40, 0.45], [-0.30, 0.55]], [0.20], "sigmoid", train_bias=False)
    return _setup(Network((hidden, output), "half_squared_error"), [0.50, 0.90], [0.20, 0.70])


def softmax_setup() -> Setup:
    hidden = Layer([[0.15, 0.25], [0.20, -0.30], [0.40, 0.10]], [0.10], "sigmoid", train_bias=False)
    output = Layer([[0.30, -0.20, 0.50], [0.10, 0.40, -0.30]], [0.05, -0.05], "softmax", train_bias=True)
    return _setup(Network((hidden, output), "cross_entropy"), [0.70, 0.20], [0.0, 1.0])


def values_of(setup: Setup) -> dict[str, float]:
    return train_step(setup.network, setup.inputs, setup.targets, setup.learning_rate).values()


def first_diagnosis(write, setup: Setup, answers: dict[str, float], decimals: int = 4) -> tuple[str | None, list[str]]:
    report = check_answers(write("answers.txt", lines(answers, decimals)), setup)
    return report.first_wrong, [d.mistake for d in report.diagnoses]


def test_tanh_derivative_as_logistic(write) -> None:
    setup = tanh_setup()
    v = values_of(setup)
    out = v["out_h1"]
    answers = {"net_h1": v["net_h1"], "out_h1": out, "dout_h1/dnet_h1": out * (1 - out)}
    assert first_diagnosis(write, setup, answers) == ("dout_h1/dnet_h1", ["tanh_derivative_mixup"])


def test_tanh_derivative_of_net(write) -> None:
    setup = tanh_setup()
    v = values_of(setup)
    answers = {"net_h2": v["net_h2"], "out_h2": v["out_h2"], "dout_h2/dnet_h2": 1 - v["net_h2"] ** 2}
    first, diagnoses = first_diagnosis(write, setup, answers)
    assert first == "dout_h2/dnet_h2"
    assert diagnoses[0] == "derivative_of_net"


def test_relu_derivative_taken_as_one_for_a_negative_net(write) -> None:
    setup = relu_setup()
    v = values_of(setup)
    assert v["net_h2"] < 0 and v["dout_h2/dnet_h2"] == 0.0
    answers = {"net_h2": v["net_h2"], "out_h2": v["out_h2"], "dout_h2/dnet_h2": 1.0}
    assert first_diagnosis(write, setup, answers) == ("dout_h2/dnet_h2", ["relu_derivative_mixup"])


def leaky_setup() -> Setup:
    # h2 has a negative net input (0.5·(−0.5) + 0.9·(−0.6) + 0.1 < 0): its derivative is the leaky slope 0.01.
    hidden = Layer([[0.30, 0.40], [-0.50, -0.60]], [0.10], "leaky_relu", train_bias=False)
    output = Layer([[0.40, 0.45], [-0.30, 0.55]], [0.20], "sigmoid", train_bias=False)
    return _setup(Network((hidden, output), "half_squared_error"), [0.50, 0.90], [0.20, 0.70])


@pytest.mark.parametrize("zero", ["0", "0.0000"])
def test_leaky_relu_slope_taken_as_the_relu_zero(write, zero: str) -> None:
    # A bare 0 is a claim, not a coarse rounding of 0.01: wrong, and the mix-up is named (0.0 shows one
    # decimal: too few digits for 0.01, see test_zeros_with_decimals_round_a_small_value_they_do_not_claim_it).
    setup = leaky_setup()
    v = values_of(setup)
    assert v["net_h2"] < 0 and v["dout_h2/dnet_h2"] == pytest.approx(0.01)
    answers = {"net_h2": v["net_h2"], "dout_h2/dnet_h2": zero, "delta_h2": "0.0000"}
    report = check_answers(write("answers.txt", lines(answers)), setup)
    assert report.first_wrong == "dout_h2/dnet_h2"
    assert [d.mistake for d in report.diagnoses] == ["relu_derivative_mixup"]
    assert "1 if net_h2 > 0 else 0 instead of 1 if net_h2 > 0 else 0.01" in report.diagnoses[0].detail
    assert report.check("delta_h2").status == "follows"  # 0 · dE_total/dout_h2, from the learner's own 0


def test_softmax_delta_written_as_logistic(write) -> None:
    setup = softmax_setup()
    v = values_of(setup)
    out1, out2 = v["out_o1"], v["out_o2"]
    # delta = dE/dout · out(1 − out) with dE/dout = −t/out: 0 for o1 (t = 0), out2 − 1 for o2 (t = 1)
    answers = {
        "out_o1": out1,
        "out_o2": out2,
        "dE_total/dout_o2": -1 / out2,
        "dout_o1/dnet_o1": out1 * (1 - out1),
        "delta_o1": 0.0,
    }
    assert first_diagnosis(write, setup, answers) == ("delta_o1", ["softmax_as_logistic"])


def test_softmax_delta_written_as_the_squared_error_logistic_delta(write) -> None:
    setup = softmax_setup()
    v = values_of(setup)
    out2 = v["out_o2"]
    answers = {"out_o2": out2, "delta_o2": (out2 - 1.0) * out2 * (1 - out2)}
    assert first_diagnosis(write, setup, answers) == ("delta_o2", ["softmax_as_logistic"])


def test_softmax_delta_as_target_minus_out_is_the_negative_convention(write) -> None:
    # delta_o1 = target − out is the error signal of the negative-delta convention: right when used throughout
    setup = softmax_setup()
    v = values_of(setup)
    answers = {"out_o1": v["out_o1"], "delta_o1": 0.0 - v["out_o1"]}
    report = check_answers(write("answers.txt", lines(answers)), setup)
    assert report.ok and report.first_wrong is None
    assert report.check("delta_o1").expected == -v["delta_o1"]
    assert any("negative-delta convention" in note for note in report.notes)


def test_negative_deltas_updated_with_the_other_conventions_rule_are_named_as_mixed(write) -> None:
    setup = softmax_setup()
    v = values_of(setup)
    negative = -v["delta_o1"]
    # w+ = w − η·delta·a with the negative delta: the step goes the wrong way
    mixed = v["w7"] - 0.5 * negative * v["out_h1"]
    answers = {"out_o1": v["out_o1"], "delta_o1": negative, "w7+": mixed}
    report = check_answers(write("answers.txt", lines(answers, 6)), setup)
    assert report.first_wrong == "w7+"
    assert report.diagnoses[0].mistake == "convention_mixed"


@pytest.mark.parametrize(
    ("mistake", "bias_new"),
    [
        ("gradient_added", lambda b, g: b + 0.5 * g),
        ("learning_rate_forgotten", lambda b, g: b - g),
    ],
)
def test_per_neuron_trained_bias_updates(write, mistake: str, bias_new) -> None:
    setup = tanh_setup()
    v = values_of(setup)
    answers = {"delta_h2": v["delta_h2"], "dE_total/db2": v["dE_total/db2"], "b2+": bias_new(-0.05, v["dE_total/db2"])}
    first, diagnoses = first_diagnosis(write, setup, answers)
    assert first == "b2+"
    assert diagnoses[0] == mistake


def test_per_neuron_bias_left_out(write) -> None:
    setup = tanh_setup()
    v = values_of(setup)
    answers = {"out_h1": v["out_h1"], "out_h2": v["out_h2"], "net_o2": 0.50 * v["out_h1"] + 0.55 * v["out_h2"]}
    assert first_diagnosis(write, setup, answers) == ("net_o2", ["bias_left_out"])


def test_sign_flip_and_one_output_on_a_tanh_network(write) -> None:
    setup = tanh_setup()
    v = values_of(setup)
    flipped = {"out_o2": v["out_o2"], "dE_total/dout_o2": 0.80 - v["out_o2"]}
    assert first_diagnosis(write, setup, flipped)[1][0] == "sign_flipped"
    one = {"delta_o1": v["delta_o1"], "delta_o2": v["delta_o2"], "dE_total/dout_h2": v["delta_o2"] * 0.55}
    first, diagnoses = first_diagnosis(write, setup, one)
    assert first == "dE_total/dout_h2" and diagnoses[0] == "one_output_only"


def test_mse_factor_two(write) -> None:
    setup = tanh_setup()
    network = Network(setup.network.layers, "mse")
    setup = Setup(network, setup.inputs, setup.targets, 0.5)
    v = values_of(setup)
    answers = {"out_o1": v["out_o1"], "dE_total/dout_o1": 2 * v["dE_total/dout_o1"]}
    assert first_diagnosis(write, setup, answers) == ("dE_total/dout_o1", ["factor_two"])


def test_updated_weights_wrong_index_and_logistic_of_net_on_a_tanh_network(write) -> None:
    setup = tanh_setup()
    v = values_of(setup)
    base = {"delta_o1": v["delta_o1"], "delta_o2": v["delta_o2"], "w5+": v["w5+"], "w7+": v["w7+"]}
    # the update moves w7 by only 2e-4 here: the difference shows from the 6th decimal on
    updated = {**base, "dE_o2/dout_h1": v["delta_o2"] * v["w7+"]}
    assert first_diagnosis(write, setup, updated)[1] == []  # right to 4 decimals
    assert first_diagnosis(write, setup, updated, decimals=8)[1][0] == "updated_output_weights"
    # w6 (h2→o1, −0.45) where w7 (h1→o2, 0.50) belongs
    index = {**base, "dE_o2/dout_h1": v["delta_o2"] * -0.45}
    assert first_diagnosis(write, setup, index)[1][0] == "weights_transposed"
    # w8 (h2→o2) where w7 (h1→o2) belongs: the neighbouring weight into the same neuron
    neighbour = {**base, "dE_o2/dout_h1": v["delta_o2"] * 0.55}
    assert first_diagnosis(write, setup, neighbour)[1][0] == "wrong_weight_index"
    net = {"net_o1": v["net_o1"], "out_o1": v["out_o1"], "dout_o1/dnet_o1": v["net_o1"] * (1 - v["net_o1"])}
    assert first_diagnosis(write, setup, net) == ("dout_o1/dnet_o1", ["derivative_of_net"])


def details(write, setup: Setup, answers: dict[str, float], decimals: int = 4) -> list[str]:
    report = check_answers(write("answers.txt", lines(answers, decimals)), setup)
    return [d.detail for d in report.diagnoses]


@pytest.mark.parametrize(
    ("form", "detail"),
    [
        (lambda net, out: 1 - net**2, "dout_h2/dnet_h2 = 1 − net_h2² instead of 1 − out_h2²"),
        (lambda net, out: out * (1 - out), "dout_h2/dnet_h2 = out_h2·(1 − out_h2) instead of 1 − out_h2²"),
        (lambda net, out: 1 - out, "dout_h2/dnet_h2 = 1 − out_h2 instead of 1 − out_h2²"),
    ],
)
def test_the_diagnosis_says_which_tanh_slip(write, form, detail: str) -> None:
    setup = tanh_setup()
    v = values_of(setup)
    answers = {"net_h2": v["net_h2"], "out_h2": v["out_h2"], "dout_h2/dnet_h2": form(v["net_h2"], v["out_h2"])}
    assert details(write, setup, answers)[0] == detail


def test_the_diagnosis_says_which_weight_was_used_with_the_networks_names(write) -> None:
    setup = tanh_setup()
    v = values_of(setup)
    answers = {"delta_o1": v["delta_o1"], "delta_o2": v["delta_o2"], "dE_o2/dout_h1": v["delta_o2"] * -0.45}
    assert details(write, setup, answers)[0] == (
        "dE_o2/dout_h1 = delta_o2 · w6 instead of delta_o2 · w7: you used w6 where w7 belongs"
    )
    # an unwritten step: the sum is written, the wrong weight sits in what it is made of
    hidden = v["dE_o1/dout_h1"] + v["delta_o2"] * -0.45
    answers = {"delta_o1": v["delta_o1"], "delta_o2": v["delta_o2"], "dE_total/dout_h1": hidden}
    report = check_answers(write("a.txt", lines(answers)), setup)
    assert report.diagnoses[0].step == "dE_o2/dout_h1"
    assert "Here: dE_o2/dout_h1 = delta_o2 · w6 instead of delta_o2 · w7: you used w6 where w7 belongs." in (
        report.render("markdown")
    )


def test_the_relu_slip_and_the_bias_left_out_are_said_with_the_networks_names(write) -> None:
    setup = relu_setup()
    v = values_of(setup)
    answers = {"net_h2": v["net_h2"], "out_h2": v["out_h2"], "dout_h2/dnet_h2": 1.0}
    assert details(write, setup, answers) == ["dout_h2/dnet_h2 = 1 instead of 1 if net_h2 > 0 else 0"]
    answers = {"net_h1": 0.30 * 0.50 + 0.40 * 0.90}
    assert details(write, setup, answers) == ["net_h1 = w1·i1 + w2·i2 instead of w1·i1 + w2·i2 + b1"]


def test_a_frozen_bias_written_as_updated_gets_a_hint(write) -> None:
    setup = relu_setup()  # biases frozen
    report = check_answers(write("a.txt", "b1+ = 0.1\nb2+ = 0.1234\n"), setup)
    assert [c.status for c in report.values] == ["right", "wrong"]
    assert report.check("b2+").note == (
        "b2 is frozen in this network (train_bias = false): it is not updated, b2+ = b2 = 0.2"
    )
    assert report.first_wrong == "b2+" and report.diagnoses == ()
    text = report.render("text")
    assert "Your b2+ is not the network's" in text and "No known mistake" not in text
    # names are kept as written: "b2 is frozen", never "B2 is frozen"
    assert "**Your b2+ is not the network's.** b2 is frozen in this network" in report.render("markdown")


def test_a_miscopied_given_number_does_not_point_at_a_step(write) -> None:
    report = check_answers(write("a.txt", "w1 = 0.16\n"))
    markdown = report.render("markdown")
    assert "**Your w1 is not the network's.** The network's w1 is 0.15: copy it from the network file." in markdown
    assert "stepgrad explain" not in markdown
