"""Tolerance follows what the learner wrote: rounding to k decimals, carrying rounded values forward
(written or not), and enough digits to tell a right value from a lucky one."""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import pytest

from stepgrad.check import check_answers
from stepgrad.check.compare import Checker
from stepgrad.check.tolerance import decimals_for, enough_digits
from stepgrad.network import Setup, classic_setup

RELU_NET = """inputs = [0.5, 0.8]
targets = [0.2, 0.9]
learning_rate = 0.5
[[layer]]
activation = "relu"
weights = [[0.4, -0.6], [0.3, 0.5]]
bias = 0.1
[[layer]]
activation = "sigmoid"
weights = [[0.7, -0.2], [0.1, 0.6]]
bias = 0.2
"""


def classic_rounded_by_hand(decimals: int = 4) -> dict[str, float]:
    """The classic step worked the learner's way: every value rounded to ``decimals`` and used rounded."""

    def r4(value: float) -> float:
        return round(value, decimals)

    def sigmoid(net: float) -> float:
        return 1 / (1 + math.exp(-net))

    i1, i2, t1, t2 = 0.05, 0.10, 0.01, 0.99
    w = {1: 0.15, 2: 0.20, 3: 0.25, 4: 0.30, 5: 0.40, 6: 0.45, 7: 0.50, 8: 0.55}
    b1, b2, eta = 0.35, 0.60, 0.5
    v: dict[str, float] = {}
    v["net_h1"] = r4(w[1] * i1 + w[2] * i2 + b1)
    v["out_h1"] = r4(sigmoid(v["net_h1"]))
    v["net_h2"] = r4(w[3] * i1 + w[4] * i2 + b1)
    v["out_h2"] = r4(sigmoid(v["net_h2"]))
    h = {1: v["out_h1"], 2: v["out_h2"]}
    v["net_o1"] = r4(w[5] * h[1] + w[6] * h[2] + b2)
    v["out_o1"] = r4(sigmoid(v["net_o1"]))
    v["net_o2"] = r4(w[7] * h[1] + w[8] * h[2] + b2)
    v["out_o2"] = r4(sigmoid(v["net_o2"]))
    v["E_o1"] = r4(0.5 * (t1 - v["out_o1"]) ** 2)
    v["E_o2"] = r4(0.5 * (t2 - v["out_o2"]) ** 2)
    v["E_total"] = r4(v["E_o1"] + v["E_o2"])
    for o, t, ws in ((1, t1, (5, 6)), (2, t2, (7, 8))):
        out = v[f"out_o{o}"]
        v[f"dE_total/dout_o{o}"] = r4(-(t - out))
        v[f"dout_o{o}/dnet_o{o}"] = r4(out * (1 - out))
        v[f"delta_o{o}"] = r4(v[f"dE_total/dout_o{o}"] * v[f"dout_o{o}/dnet_o{o}"])
        for k, wi in enumerate(ws, start=1):
            v[f"dnet_o{o}/dw{wi}"] = h[k]
            v[f"dE_total/dw{wi}"] = r4(v[f"delta_o{o}"] * h[k])
    for j, ws in ((1, (1, 2)), (2, (3, 4))):
        v[f"dE_o1/dout_h{j}"] = r4(v["delta_o1"] * w[5 if j == 1 else 6])
        v[f"dE_o2/dout_h{j}"] = r4(v["delta_o2"] * w[7 if j == 1 else 8])
        v[f"dE_total/dout_h{j}"] = r4(v[f"dE_o1/dout_h{j}"] + v[f"dE_o2/dout_h{j}"])
        v[f"dout_h{j}/dnet_h{j}"] = r4(h[j] * (1 - h[j]))
        v[f"delta_h{j}"] = r4(v[f"dE_total/dout_h{j}"] * v[f"dout_h{j}/dnet_h{j}"])
        for wi, x in zip(ws, (i1, i2), strict=True):
            v[f"dnet_h{j}/dw{wi}"] = x
            v[f"dE_total/dw{wi}"] = r4(v[f"delta_h{j}"] * x)
    for wi in w:
        v[f"w{wi}+"] = r4(w[wi] - eta * v[f"dE_total/dw{wi}"])
    n = {k: v[f"w{k}+"] for k in w}
    # the forward pass again with the new weights, rounded as before
    v["net_h1+"] = r4(n[1] * i1 + n[2] * i2 + b1)
    v["out_h1+"] = r4(sigmoid(v["net_h1+"]))
    v["net_h2+"] = r4(n[3] * i1 + n[4] * i2 + b1)
    v["out_h2+"] = r4(sigmoid(v["net_h2+"]))
    v["net_o1+"] = r4(n[5] * v["out_h1+"] + n[6] * v["out_h2+"] + b2)
    v["out_o1+"] = r4(sigmoid(v["net_o1+"]))
    v["net_o2+"] = r4(n[7] * v["out_h1+"] + n[8] * v["out_h2+"] + b2)
    v["out_o2+"] = r4(sigmoid(v["net_o2+"]))
    v["E_o1+"] = r4(0.5 * (t1 - v["out_o1+"]) ** 2)
    v["E_o2+"] = r4(0.5 * (t2 - v["out_o2+"]) ** 2)
    v["E_total+"] = r4(v["E_o1+"] + v["E_o2+"])
    return v


def test_the_hand_computation_covers_every_asked_value() -> None:
    asked, by_hand = set(Checker(classic_setup()).asked()), set(classic_rounded_by_hand())
    assert asked == by_hand  # the forward pass after the update (net_h1+ …) included


def test_rounded_at_every_step_passes_with_rounding_notes(tmp_path) -> None:
    values = classic_rounded_by_hand()
    path = tmp_path / "rounded.txt"
    asked = Checker(classic_setup()).asked()
    path.write_text("".join(f"{name} = {values[name]:.4f}\n" for name in asked))
    report = check_answers(path)
    assert report.ok, report.render("text")
    rounding = [check for check in report.values if check.status == "rounding"]
    assert rounding, "carrying 4 decimals forward must move some values off the exact rounding"
    assert all("rounded earlier values" in check.note or "with few digits" in check.note for check in rounding)
    # 0.0004 is right to 4 decimals but shows one digit of 0.000438568: right, with a note
    assert report.check("dE_total/dw1").note == (
        "right to 4 decimals, with few digits: the exact value is 0.000438567734"
    )
    # w1+ = 0.15 − 0.5·0.0004 = 0.1498 from the rounded gradient; the exact 0.149780716 rounds to 0.1498 too
    assert report.check("w1+").ok
    result = subprocess.run(
        [str(Path(sys.executable).parent / "stepgrad"), "check", str(path)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "right (rounding)" not in result.stderr


def test_a_value_rounded_to_k_decimals_is_right_and_one_off_is_not(tmp_path) -> None:
    path = tmp_path / "a.txt"
    path.write_text("net_h1 = 0.3775\nout_h1 = 0.5933\nnet_o1 = 1.1059\nw5+ = 0.359\ndE_total/dw1 = 0.00044\n")
    assert [check.status for check in check_answers(path).values] == ["right"] * 5
    for one_off in ("out_h1 = 0.5932", "net_o1 = 1.1058", "w5+ = 0.3580", "dE_total/dw1 = 0.0005"):
        path.write_text(one_off + "\n")
        assert [check.status for check in check_answers(path).values] == ["wrong"], one_off


def test_whole_numbers_are_not_right_for_everything(tmp_path) -> None:
    # "0" for every value used to score 56/58: half a unit of a whole number is 0.5. A bare 0 or 1 is a
    # claim that the value is exactly that: wrong unless it is. 0.6 rounds out_h2 but is too coarse.
    path = tmp_path / "zeros.txt"
    path.write_text("w5+ = 0\nout_h1 = 1\nE_total+ = 0\ndE_total/dw1 = 0\nw1+ = 0\nnet_o1 = 1\nout_h2 = 0.6\n")
    report = check_answers(path)
    statuses = {check.name: check.status for check in report.values}
    assert statuses == {
        "out_h1": "wrong",
        "out_h2": "coarse",
        "net_o1": "wrong",
        "w5+": "wrong",
        "dE_total/dw1": "follows",  # out_h1 = 1 makes dout_h1/dnet_h1 = 0, so delta_h1 = 0
        "w1+": "wrong",
        "E_total+": "wrong",
    }
    assert report.score == (0, 7) and not report.ok
    assert report.first_wrong == "out_h1"
    coarse = "too few digits to check: give at least 2 significant digits (2 decimals here)"
    assert report.check("out_h2").note == coarse
    text = report.render("text", width=120)
    assert "7 values: 0 right, 5 wrong, 1 follows from them (1 with too few digits to check)" in text
    assert "Score: strict 0/7, with error carried forward 1/7" in text
    result = subprocess.run([str(Path(sys.executable).parent / "stepgrad"), "check", str(path)], capture_output=True)
    assert result.returncode == 1


def test_zero_for_every_value_scores_nothing(tmp_path) -> None:
    path = tmp_path / "zeros.txt"
    asked = Checker(classic_setup()).asked()
    path.write_text("".join(f"{name} = 0\n" for name in asked))
    report = check_answers(path)
    assert report.score == (0, len(asked))
    assert report.count("coarse") == 0  # every 0 is a claim, none a rounding
    path.write_text("".join(f"{name} = 0.0\n" for name in asked))
    assert check_answers(path).score == (0, len(asked))


@pytest.mark.parametrize("decimals", [3, 4])
def test_a_learner_rounding_consistently_to_3_or_4_decimals_passes(tmp_path, decimals: int) -> None:
    values = classic_rounded_by_hand(decimals)
    asked = Checker(classic_setup()).asked()
    path = tmp_path / "rounded.txt"
    path.write_text("".join(f"{name} = {values[name]:.{decimals}f}\n" for name in asked))
    report = check_answers(path)
    assert report.ok, report.render("text")
    assert report.score == (len(asked), len(asked))
    if decimals == 3:
        # E_o2 = 0.024 has 2 significant digits; dE_total/dw1 = 0.000 rounds 0.000438568 to 3 decimals
        assert values["E_o2"] == 0.024 and report.check("E_o2").status == "right"
        assert values["dE_total/dw1"] == 0.0
        few = "right to 3 decimals, with few digits: the exact value is 0.000438567734"
        assert report.check("dE_total/dw1").note == few
        # E_total = 0.275 + 0.024 = 0.299 follows from the learner's own values (exact 0.298371109 rounds to 0.298)
        assert report.check("E_total").status == "rounding"


def test_precision_needed_is_two_significant_digits_or_three_decimals() -> None:
    assert [decimals_for(value) for value in (0.5933, 0.0236, 1.106, 12.3, 5.6e-6, 0.0)] == [2, 3, 1, 0, 7, 0]
    assert enough_digits(3, 5.6e-6) and enough_digits(2, 0.5933) and enough_digits(1, 1.106)
    assert not enough_digits(1, 0.5933) and not enough_digits(0, 1.106) and not enough_digits(2, 0.0236)
    assert enough_digits(0, 12.3)


def test_a_tiny_value_written_as_zeros_to_4_decimals_is_right(tmp_path) -> None:
    # E_o1 = ½(0.01 − 0.01333)² = 5.6e-06: 0.0000 rounds it to 4 decimals; a bare 0 claims it is 0.
    setup = Setup(classic_setup().network, [[0.05, 0.10]], [[0.7547, 0.99]], 0.5)
    exact = Checker(setup).expected["E_o1"]
    assert 1e-6 < exact < 1e-5
    assert check_answers({"E_o1": "0.0000"}, setup).check("E_o1").status == "rounding"
    assert check_answers({"E_o1": "0"}, setup).check("E_o1").status == "wrong"


def test_exact_values_and_claims_carry_no_rounding(tmp_path) -> None:
    # relu net: h1 is dead (net_h1 = −0.18), so out_h1 = 0 and dout_h2/dnet_h2 = 1 exactly. Written as
    # bare 0 and 1 they used to carry ±0.5 and let almost anything after them pass.
    network = tmp_path / "relu.toml"
    network.write_text(RELU_NET)
    report = check_answers({"out_h1": "0", "dE_total/dout_h1": "0.0407"}, network)
    assert report.check("out_h1").status == "right"
    assert report.check("dE_total/dout_h1").status == "wrong"  # exact 0.0496
    report = check_answers({"dE_total/dout_h2": "0.0312", "dout_h2/dnet_h2": "1", "delta_h2": "0.0250"}, network)
    assert report.check("dout_h2/dnet_h2").status == "right"
    delta = report.check("delta_h2")
    assert delta.status == "wrong"  # not "follows": from the learner's own values delta_h2 = 0.0312
    assert delta.from_own_values == pytest.approx(0.0312)


def test_given_numbers_carry_no_rounding_whatever_was_copied(tmp_path) -> None:
    # The re-audit: w5 = 0.4 and b2 = 0.6 were taken as ±0.05, so net_o1 = 1.1200 passed as "rounding".
    path = tmp_path / "a.txt"
    path.write_text(
        "i1 = 0.05\ni2 = 0.1\nw5 = 0.4\nw6 = 0.45\nb2 = 0.6\nout_h1 = 0.5933\nout_h2 = 0.5969\nnet_o1 = 1.1200\n"
    )
    report = check_answers(path)
    assert report.check("w5").status == "right"
    assert report.check("net_o1").status == "wrong"
    assert report.check("net_o1").from_own_values == pytest.approx(0.4 * 0.5933 + 0.45 * 0.5969 + 0.6)
    path.write_text(path.read_text().replace("1.1200", "1.1059"))
    assert check_answers(path).ok
    # a miscopied weight is its own error, and the net input computed from it follows from it
    path.write_text("w5 = 0.45\nnet_o1 = " + f"{0.45 * 0.593269992 + 0.45 * 0.596884378 + 0.6:.4f}\n")
    report = check_answers(path)
    assert [check.status for check in report.values] == ["wrong", "follows"]


def test_coarse_earlier_values_are_judged_with_their_rounding(tmp_path) -> None:
    # out_h1 = 0.6 rounds 0.593 but is too coarse (±0.05): itself not right, but what follows from it
    # is judged against it with that rounding, not marked as an error.
    out_o1 = 1 / (1 + math.exp(-(0.40 * 0.593269992 + 0.45 * 0.596884378 + 0.60)))
    path = tmp_path / "a.txt"
    path.write_text(f"out_h1 = 0.6\nout_o1 = {out_o1:.4f}\n")
    report = check_answers(path)
    assert [check.status for check in report.values] == ["coarse", "right"]
    from_coarse = 1 / (1 + math.exp(-(0.40 * 0.6 + 0.45 * 0.596884378 + 0.60)))
    path.write_text(f"out_h1 = 0.6\nout_o1 = {from_coarse:.4f}\n")
    report = check_answers(path)
    assert [check.status for check in report.values] == ["coarse", "rounding"]
    assert report.check("out_o1").note.startswith("right for your rounded earlier values")
    path.write_text("out_h1 = 0.6\nout_o1 = 0.7600\n")  # σ(1.1115 ± 0.02) is at most 0.7548
    assert [check.status for check in check_answers(path).values] == ["coarse", "wrong"]
    # a bare 1 is a claim: what follows from it follows from an error
    claimed = 1 / (1 + math.exp(-(0.40 * 1 + 0.45 * 0.596884378 + 0.60)))
    path.write_text(f"out_h1 = 1\nout_o1 = {claimed:.4f}\n")
    report = check_answers(path)
    assert [check.status for check in report.values] == ["wrong", "follows"]
    assert report.check("out_o1").note.startswith("follows from your earlier error (out_h1)")


@pytest.mark.parametrize("decimals", [4, 6])
@pytest.mark.parametrize(
    "written",
    [
        ("w5+", "w1+", "E_total"),
        ("w1+", "w2+", "w3+", "w4+"),
        ("E_total+",),
        ("delta_h1", "w1+", "out_o1+", "E_total+"),
        ("out_o2", "dE_total/dw8", "dE_total/dout_h2", "w4+"),
    ],
)
def test_rounding_at_every_step_and_writing_only_some_values_passes(tmp_path, decimals: int, written) -> None:
    values = classic_rounded_by_hand(decimals)
    path = tmp_path / "some.txt"
    path.write_text("".join(f"{name} = {values[name]:.{decimals}f}\n" for name in written))
    report = check_answers(path)
    assert report.ok, report.render("text")
    for check in report.values:
        if check.status == "rounding":
            # nothing before it was written: no "from your earlier values"
            assert "rounded earlier values" not in check.note or any(
                name in written for name in ("delta_h1", "out_o2", "dE_total/dw8", "dE_total/dout_h2")
            )


def test_the_audit_example_six_decimals_w5_and_w1(tmp_path) -> None:
    path = tmp_path / "a.txt"
    path.write_text("w5+ = 0.358917\nw1+ = 0.149780\nE_total = 0.298371\n")
    report = check_answers(path)
    assert report.ok
    assert {check.name: check.status for check in report.values} == {
        "E_total": "right",
        "w5+": "rounding",
        "w1+": "rounding",  # the exact 0.149780716 rounds to 0.149781
    }
    assert report.check("w5+").note == (
        "right up to the rounding of the steps before it (not written here); the exact value 0.35891648 "
        "rounds to 0.358916"
    )


def test_a_wrong_value_with_nothing_written_before_it_does_not_claim_earlier_values(tmp_path) -> None:
    path = tmp_path / "a.txt"
    path.write_text("w5+ = 0.3800\n")
    check = check_answers(path).check("w5+")
    assert check.status == "wrong"
    assert check.note == "w5+ = w5 − η·dE_total/dw5"
    path.write_text("dE_total/dw5 = 0.0822\nw5+ = 0.3800\n")
    assert check_answers(path).check("w5+").note == "from your earlier values, w5+ = w5 − η·dE_total/dw5 = 0.3589"


def test_the_rounding_note_names_the_exact_rounding(tmp_path) -> None:
    # out_o1 from a net_o1 rounded to 2 decimals: σ(1.11) = 0.75210, the exact out_o1 rounds to 0.7514
    path = tmp_path / "a.txt"
    path.write_text(f"net_o1 = 1.11\nout_o1 = {1 / (1 + math.exp(-1.11)):.4f}\n")
    report = check_answers(path)
    check = report.check("out_o1")
    assert check.status == "rounding"
    assert "rounds to 0.7514" in check.note


def test_full_precision_values_from_another_program_are_right(tmp_path) -> None:
    # A learner's own float64 code: same numbers up to the last bits.
    values = Checker(classic_setup()).expected
    path = tmp_path / "a.json"
    path.write_text("{" + ", ".join(f'"{n}": {values[n] * (1 + 3e-16)!r}' for n in ("out_h1", "w5+", "E_total+")) + "}")
    assert check_answers(path).ok


@pytest.mark.parametrize(("name", "written"), [("dE_total/dw1", "0.00"), ("dE_total/dw1", "0.0"), ("E_o2", "0.02")])
def test_zeros_with_decimals_round_a_small_value_they_do_not_claim_it(name: str, written: str) -> None:
    # dE_total/dw1 = 0.000438568 and E_o2 = 0.0235600 need 3 decimals: 0.00, like 0.02, rounds them too
    # coarsely; it is not the claim "exactly 0" that a bare 0 makes.
    check = check_answers({name: written}).check(name)
    assert (check.status, check.note) == (
        "coarse",
        "too few digits to check: give at least 2 significant digits (3 decimals here)",
    )
    assert check_answers({name: "0"}).check(name).status == "wrong"
