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
from stepgrad.network import classic_setup


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
    assert all("rounded earlier values" in check.note for check in rounding)
    # w1+ = 0.15 − 0.5·0.0004 = 0.1498 from the rounded gradient; the exact 0.149780716 rounds to 0.1498 too
    assert report.check("w1+").ok
    result = subprocess.run(
        [str(Path(sys.executable).parent / "stepgrad"), "check", str(path)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "right (rounding)" not in result.stderr


def test_a_value_rounded_to_k_decimals_is_right_and_one_off_is_not(tmp_path) -> None:
    path = tmp_path / "a.txt"
    path.write_text("net_h1 = 0.3775\nout_h1 = 0.5933\nnet_o1 = 1.1059\ndE_total/dw1 = 0.0004\nw5+ = 0.359\n")
    assert [check.status for check in check_answers(path).values] == ["right"] * 5
    for one_off in ("out_h1 = 0.5932", "net_o1 = 1.1058", "w5+ = 0.3580", "dE_total/dw1 = 0.0005"):
        path.write_text(one_off + "\n")
        assert [check.status for check in check_answers(path).values] == ["wrong"], one_off


def test_whole_numbers_are_not_right_for_everything(tmp_path) -> None:
    # "0" for every value used to score 56/58: half a unit of a whole number is 0.5.
    path = tmp_path / "zeros.txt"
    path.write_text("w5+ = 0\nout_h1 = 1\nE_total+ = 0\ndE_total/dw1 = 0\nw1+ = 0\nnet_o1 = 1\nout_h2 = 0.6\n")
    report = check_answers(path)
    assert [check.status for check in report.values] == ["coarse"] * 7
    assert report.score == (0, 7) and not report.ok
    assert report.first_wrong is None  # too coarse to say it is wrong, or where the first mistake is
    assert "too few digits to check: give at least 3 significant digits" in report.check("w5+").note
    assert "0 of 7 values right (7 with too few digits to check)" in report.render("text")
    result = subprocess.run([str(Path(sys.executable).parent / "stepgrad"), "check", str(path)], capture_output=True)
    assert result.returncode == 1


def test_short_values_that_are_exactly_right_count(tmp_path) -> None:
    # dnet_h1/dw1 is i1 = 0.05 exactly; dE_total/dout_o1 of a target hit exactly would be 0.
    path = tmp_path / "a.txt"
    path.write_text("dnet_h1/dw1 = 0.05\ndnet_h1/dw2 = 0.1\n")
    assert check_answers(path).ok
    path.write_text("w5+ = 2\n")  # off by more than its own rounding: wrong, not just coarse
    assert check_answers(path).check("w5+").status == "wrong"


def test_coarse_earlier_values_do_not_make_later_ones_right(tmp_path) -> None:
    # out_h1 = 1 carries ±0.5: everything computed from it would fit. It is flagged, and what follows
    # from it is "follows", not right.
    out_o1 = 1 / (1 + math.exp(-(0.40 * 1 + 0.45 * 0.596884378 + 0.60)))
    path = tmp_path / "a.txt"
    path.write_text(f"out_h1 = 1\nout_o1 = {out_o1:.4f}\n")
    report = check_answers(path)
    assert [check.status for check in report.values] == ["coarse", "follows"]
    assert "follows from your earlier value, with too few digits, (out_h1)" in report.check("out_o1").note
    assert report.score == (0, 2)


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
