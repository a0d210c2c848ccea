"""Tolerance follows what the learner wrote: rounding to k decimals, and carrying rounded values forward."""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

from stepgrad.check import check_answers
from stepgrad.check.compare import Checker
from stepgrad.network import classic_setup


def r4(value: float) -> float:
    return round(value, 4)


def classic_rounded_by_hand() -> dict[str, float]:
    """The classic step worked the learner's way: every value rounded to 4 decimals and used rounded."""

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
    h1, h2 = sigmoid(n[1] * i1 + n[2] * i2 + b1), sigmoid(n[3] * i1 + n[4] * i2 + b1)
    v["out_o1+"] = r4(sigmoid(n[5] * h1 + n[6] * h2 + b2))
    v["out_o2+"] = r4(sigmoid(n[7] * h1 + n[8] * h2 + b2))
    v["E_o1+"] = r4(0.5 * (t1 - v["out_o1+"]) ** 2)
    v["E_o2+"] = r4(0.5 * (t2 - v["out_o2+"]) ** 2)
    v["E_total+"] = r4(v["E_o1+"] + v["E_o2+"])
    return v


def test_the_hand_computation_covers_every_asked_value() -> None:
    assert set(classic_rounded_by_hand()) == set(Checker(classic_setup()).asked())


def test_rounded_at_every_step_passes_with_rounding_notes(tmp_path) -> None:
    values = classic_rounded_by_hand()
    path = tmp_path / "rounded.txt"
    path.write_text("".join(f"{name} = {value:.4f}\n" for name, value in values.items()))
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
    path.write_text("out_h1 = 0.59\nout_h2 = 0.6\nnet_o1 = 1.1059\nE_total = 0.2983\n")
    report = check_answers(path)
    # E_total = 0.298371109 rounds to 0.2984, but out_h1 = 0.59 and out_h2 = 0.6 carry enough
    # rounding to move it by more than that: from the learner's values 0.2983 is fine.
    assert [check.status for check in report.values] == ["right", "right", "right", "rounding"]
    path.write_text("net_o1 = 1.1059\nE_total = 0.2983\n")
    assert [check.status for check in check_answers(path).values] == ["right", "wrong"]


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
