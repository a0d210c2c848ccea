"""Hand-built answer files for each known mistake on the classic example.

Every wrong value below is worked out here from the published figures of the
classic example, with the wrong rule applied by hand, and written to 4 decimals
as a learner would.
"""

from __future__ import annotations

import pytest

from stepgrad.check import check_answers

from .conftest import lines

# The published figures (issue 2), used to build the learners' files by hand.
NET_H1, OUT_H1, OUT_H2 = 0.3775, 0.593269992, 0.596884378
NET_O1, OUT_O1, OUT_O2 = 1.105905967, 0.75136507, 0.772928465
E_O1, E_O2, E_TOTAL = 0.274811083, 0.023560026, 0.298371109
DE_DOUT_O1, DOUT_DNET_O1 = 0.74136507, 0.186815602
DE_DOUT_O2, DOUT_DNET_O2 = -0.217071535, 0.175510053
DELTA_O1 = DE_DOUT_O1 * DOUT_DNET_O1
DELTA_O2 = DE_DOUT_O2 * DOUT_DNET_O2
DE_DW5 = 0.082167041
W5_NEW, W6_NEW, W7_NEW, W8_NEW = 0.35891648, 0.408666186, 0.511301270, 0.561370121

FORWARD = {
    "net_h1": NET_H1,
    "out_h1": OUT_H1,
    "out_h2": OUT_H2,
    "net_o1": NET_O1,
    "out_o1": OUT_O1,
    "out_o2": OUT_O2,
    "E_o1": E_O1,
    "E_o2": E_O2,
    "E_total": E_TOTAL,
}
OUTPUT_LAYER = {
    "dE_total/dout_o1": DE_DOUT_O1,
    "dout_o1/dnet_o1": DOUT_DNET_O1,
    "delta_o1": DELTA_O1,
    "dE_total/dw5": DE_DW5,
    "dE_total/dout_o2": DE_DOUT_O2,
    "dout_o2/dnet_o2": DOUT_DNET_O2,
    "delta_o2": DELTA_O2,
    "w5+": W5_NEW,
    "w6+": W6_NEW,
    "w7+": W7_NEW,
    "w8+": W8_NEW,
}

CASES = {
    # (t − o) instead of (o − t), and the delta that follows from it
    "sign_flipped": ({"dE_total/dout_o1": -DE_DOUT_O1, "delta_o1": -DE_DOUT_O1 * DOUT_DNET_O1}, "dE_total/dout_o1"),
    "gradient_added": ({"dE_total/dw5": DE_DW5, "w5+": 0.40 + 0.5 * DE_DW5}, "w5+"),
    "learning_rate_forgotten": ({"dE_total/dw5": DE_DW5, "w5+": 0.40 - DE_DW5}, "w5+"),
    # dE_o1/dout_h1 with w5+ in place of w5
    "updated_output_weights": ({**OUTPUT_LAYER, "dE_o1/dout_h1": DELTA_O1 * W5_NEW}, "dE_o1/dout_h1"),
    "derivative_of_net": ({"dout_o1/dnet_o1": NET_O1 * (1 - NET_O1)}, "dout_o1/dnet_o1"),
    "factor_two": ({"dE_total/dout_o1": 2 * DE_DOUT_O1}, "dE_total/dout_o1"),
    "spurious_half": ({"dE_total/dout_o1": 0.5 * DE_DOUT_O1}, "dE_total/dout_o1"),
    "bias_left_out": ({"net_h1": 0.15 * 0.05 + 0.20 * 0.10}, "net_h1"),
    # dE_total/dout_h1 = dE_o1/dout_h1 only
    "one_output_only": ({**OUTPUT_LAYER, "dE_total/dout_h1": DELTA_O1 * 0.40}, "dE_total/dout_h1"),
    # w6 (h2→o1) where w7 (h1→o2) belongs
    # w6 (h2→o1) where w7 (h1→o2) belongs: the matrix read the other way round
    "weights_transposed": ({**OUTPUT_LAYER, "dE_o2/dout_h1": DELTA_O2 * 0.45}, "dE_o2/dout_h1"),
    # w8 (h2→o2) where w7 (h1→o2) belongs: the neighbouring weight into the same neuron
    "wrong_weight_index": ({**OUTPUT_LAYER, "dE_o2/dout_h1": DELTA_O2 * 0.55}, "dE_o2/dout_h1"),
}


@pytest.mark.parametrize("mistake", sorted(CASES))
def test_each_mistake_is_diagnosed_on_the_classic_example(write, mistake: str) -> None:
    wrong, first_wrong = CASES[mistake]
    values = {**FORWARD, **wrong} if first_wrong != "net_h1" else {**wrong}
    report = check_answers(write("answers.txt", lines(values)))
    assert not report.ok
    assert report.first_wrong == first_wrong
    assert report.diagnoses, report.render("text")
    assert report.diagnoses[0].mistake == mistake, [d.mistake for d in report.diagnoses]
    assert report.check(first_wrong).status == "wrong"


def test_factor_two_in_the_error_itself(write) -> None:
    report = check_answers(write("a.txt", lines({"out_o1": OUT_O1, "E_o1": (0.01 - OUT_O1) ** 2})))
    assert report.first_wrong == "E_o1"
    assert report.diagnoses[0].mistake == "factor_two"


def test_values_after_a_wrong_one_are_marked_as_following_from_it(write) -> None:
    wrong, _ = CASES["sign_flipped"]
    report = check_answers(write("a.txt", lines({**FORWARD, **wrong})))
    delta = report.check("delta_o1")
    assert delta.status == "follows"
    assert "follows from your earlier error" in delta.note
    # dout_o1/dnet_o1 was not written: it comes from the written out_o1 = 0.7514
    assert delta.from_own_values == pytest.approx(-0.7414 * 0.7514 * (1 - 0.7514), abs=1e-12)


def test_hidden_error_with_updated_weights_points_at_the_unwritten_step(write) -> None:
    # Only the sum is written; the mistake sits in the contributions it is made of.
    hidden = DELTA_O1 * W5_NEW + DELTA_O2 * W7_NEW
    report = check_answers(write("a.txt", lines({**OUTPUT_LAYER, "dE_total/dout_h1": hidden})))
    assert report.first_wrong == "dE_total/dout_h1"
    assert report.diagnoses[0].mistake == "updated_output_weights"
    assert report.diagnoses[0].step == "dE_o1/dout_h1"


def test_a_value_no_rule_explains_gets_no_diagnosis(write) -> None:
    report = check_answers(write("a.txt", lines({**FORWARD, "dE_total/dout_o1": 0.1234})))
    assert report.first_wrong == "dE_total/dout_o1"
    assert report.diagnoses == ()
    assert "No known mistake" in report.render("markdown")


def test_a_miscopied_weight_is_wrong_and_taints_what_follows(write) -> None:
    report = check_answers(write("a.txt", "w1 = 0.16\nnet_h1 = " + f"{0.16 * 0.05 + 0.2 * 0.1 + 0.35:.4f}\n"))
    assert report.check("w1").status == "wrong"
    assert report.check("net_h1").status == "follows"
    assert report.first_wrong == "w1"


def test_unknown_names_are_reported_with_suggestions_and_make_it_not_ok(write) -> None:
    report = check_answers(write("a.txt", "out_h1 = 0.5933\nouth_1x = 0.5969\n"))
    unknown = report.values[-1]
    assert unknown.status == "unknown"
    assert "out_h1" in unknown.suggestions
    assert not report.ok
    assert report.check("out_h1").status == "right"


def test_the_published_error_after_the_update_is_diagnosed_as_the_updated_weights_mistake(write) -> None:
    # The published summary's erratum: 0.291027924 instead of the exact 0.291027774.
    report = check_answers(write("a.txt", "E_total+ = 0.291027924\n"))
    assert report.first_wrong == "E_total+"
    assert report.diagnoses[0].mistake == "updated_output_weights"
    assert report.diagnoses[0].step == "dE_o1/dout_h1"
    markdown = report.render("markdown")
    assert "This rule gives 0.29102792391 from your other values, which matches your E_total+ = 0.291027924" in markdown
    assert (
        "Here: dE_o1/dout_h1 = delta_o1 · w5+ instead of delta_o1 · w5: you used w5+ where w5 belongs "
        "(and the same at 3 other steps)." in markdown
    )


def test_notes_give_the_formula_with_the_networks_names(write) -> None:
    report = check_answers(write("a.txt", "out_o1+ = 0.7421\nE_o1+ = 0.2700\n"))
    # not "E_o1+ = E = ½(target − out)²": the right-hand side, said of o1 after the update
    assert report.check("E_o1+").note == "from your earlier values, E_o1+ = ½(target_o1 − out_o1+)² = 0.267985"
    report = check_answers(write("a.txt", "out_o1 = 0.7514\ndout_o1/dnet_o1 = 0.1900\n"))
    assert report.check("dout_o1/dnet_o1").note.startswith(
        "from your earlier values, dout_o1/dnet_o1 = out_o1·(1 − out_o1) = 0.18"
    )


def test_the_first_wrong_step_follows_the_derivation_not_the_trace(write) -> None:
    # The derivation works w5+ right after dE_total/dw5, before the hidden layer; the trace lists
    # every update after all gradients. A wrong w5+ and a wrong delta_h1: w5+ comes first.
    answers = {**FORWARD, **OUTPUT_LAYER, "w5+": 0.40 + 0.5 * DE_DW5, "delta_h1": 0.0100}
    report = check_answers(write("a.txt", lines(answers)))
    assert [check.status for check in report.values if check.name in ("w5+", "delta_h1")] == ["wrong", "wrong"]
    assert report.first_wrong == "w5+"
    names = [check.name for check in report.values]
    assert names.index("w5+") < names.index("dE_total/dout_o2") < names.index("delta_h1")
