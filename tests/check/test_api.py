"""The Python API: ``check_answers`` with paths, dicts and Setups; the names after the update."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from stepgrad.check import check_answers
from stepgrad.core import train_step
from stepgrad.errors import StepgradError
from stepgrad.network import classic_setup
from stepgrad.network.files import save_setup

CLASSIC = classic_setup()
TRACE = train_step(CLASSIC.network, CLASSIC.inputs, CLASSIC.targets, CLASSIC.learning_rate)
VALUES = TRACE.values()


def test_paths_as_strings_for_answers_and_network(tmp_path: Path) -> None:
    network = tmp_path / "net.toml"
    save_setup(CLASSIC, network)
    answers = tmp_path / "a.txt"
    answers.write_text("out_h1 = 0.5933\nw5+ = 0.4411\n")
    report = check_answers(str(answers), str(network))
    assert report.source == str(answers) and report.network.startswith(str(network))
    assert [c.status for c in report.values] == ["right", "wrong"]
    assert check_answers(answers, network).first_wrong == "w5+"  # Path objects too


def test_a_dict_of_answers_and_a_setup() -> None:
    report = check_answers({"out_h1": 0.5933, "w5+": "0.3589", "E_total_before": 0.298371}, CLASSIC)
    assert report.ok and report.score == (3, 3)
    assert report.check("E_total").written == "E_total_before"
    assert report.source == "<answers>"


@pytest.mark.parametrize(
    ("answers", "network", "message"),
    [
        ({}, None, "<answers>: no values: the answers are empty or every value is blank"),
        ({"out_h1": "abc"}, None, "the value of out_h1 is not a number: 'abc'"),
        ({"out_h1": math.inf}, None, "the value of out_h1 is not a finite number: 'inf'"),
        (42, None, "the answers must be an answer file's path, a dict of name → value or a list of Answer, not int"),
        ({"out_h1": 0.5}, 3.5, "the network must be a Setup or a network file's path, not float"),
        ({"out_h1": 0.5}, "no/such/net.toml", "no/such/net.toml"),
    ],
)
def test_unusable_input_is_one_clear_error(answers, network, message: str) -> None:
    with pytest.raises(StepgradError) as caught:
        check_answers(answers, network)
    assert message in str(caught.value) and "\n" not in str(caught.value)


def test_a_sample_that_does_not_exist() -> None:
    # the Python API counts samples from 0, the CLI's --sample from 1: each says it in its own numbering
    with pytest.raises(StepgradError, match=r"sample 1 does not exist: the file has 1 sample \(numbered from 0\)"):
        check_answers({"out_h1": 0.5933}, CLASSIC, sample=1)
    from stepgrad import explain

    with pytest.raises(StepgradError, match=r"sample 3 does not exist: the file has 1 sample \(numbered from 0\)"):
        explain(CLASSIC, sample=3)


_AFTER = ("net_h1+", "out_h1+", "net_o1+")


def test_values_of_the_forward_pass_after_the_update_are_checked() -> None:
    w = {name: VALUES[f"{name}+"] for name in ("w1", "w2", "w3", "w4", "w5", "w6")}

    def sigmoid(x: float) -> float:
        return 1 / (1 + math.exp(-x))

    net_h1 = w["w1"] * 0.05 + w["w2"] * 0.10 + 0.35
    net_h2 = w["w3"] * 0.05 + w["w4"] * 0.10 + 0.35
    net_o1 = w["w5"] * sigmoid(net_h1) + w["w6"] * sigmoid(net_h2) + 0.60
    answers = {"net_h1+": f"{net_h1:.6f}", "out_h1_new": f"{sigmoid(net_h1):.6f}", "net_o1'": f"{net_o1:.6f}"}
    report = check_answers(answers)
    assert [c.name for c in report.values] == list(_AFTER)
    assert report.ok, report.render("text")
    wrong = check_answers({**answers, "net_o1'": f"{net_o1 - 0.60:.6f}"})  # the bias left out after the update
    assert wrong.first_wrong == "net_o1+"
    assert wrong.diagnoses[0].mistake == "bias_left_out"
