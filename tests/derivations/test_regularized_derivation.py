"""A network file with ``l1``/``l2`` explains the regularized step: ``E_reg``, each ``dE_reg/dw``, ``w+`` with the term.

Classic example, λ = 0.01, η = 0.5; weights 0.15, 0.20, 0.25, 0.30, 0.40, 0.45, 0.50, 0.55 (Σ|w| = 2.8, Σw² = 1.13),
dE_total/dw5 = 0.0821670406 (unchanged by regularization):

* L1: E_reg = 0.01 · 2.8 = 0.028; dE_reg/dw5 = 0.01 · sign(0.4) = 0.01; w5+ = 0.4 − 0.5 · 0.0921670406 = 0.3539164797;
* L2: E_reg = ½ · 0.01 · 1.13 = 0.00565; dE_reg/dw5 = 0.01 · 0.4 = 0.004; w5+ = 0.4 − 0.5 · 0.0861670406 = 0.3569164797.
"""

import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from stepgrad.derivations.derivation import explain_setup
from stepgrad.network import classic_setup
from stepgrad.network.files import load_setup, save_setup
from stepgrad.network.model import Regularization

STEPGRAD = [str(Path(sys.executable).parent / "stepgrad")]


@pytest.mark.parametrize(
    ("regularization", "penalty", "term", "w5_new", "formula"),
    [
        (Regularization(l1=0.01), 0.028, 0.01, 0.3539164797, "λ1 · sign(w5)"),
        (Regularization(l2=0.01), 0.00565, 0.004, 0.3569164797, "λ2 · w5"),
    ],
    ids=["l1", "l2"],
)
def test_the_regularized_classic_step_by_hand(
    regularization: Regularization, penalty: float, term: float, w5_new: float, formula: str
) -> None:
    derivation = explain_setup(replace(classic_setup(), regularization=regularization))
    steps = {step.name: step for step in derivation.steps}
    assert steps["E_reg"].value == pytest.approx(penalty, abs=1e-15)
    assert steps["dE_reg/dw5"].value == pytest.approx(term, abs=1e-15)
    assert steps["dE_reg/dw5"].formula == f"dE_reg/dw5 = {formula}"
    assert steps["w5+"].formula == "w5+ = w5 − η · (dE_total/dw5 + dE_reg/dw5)"
    assert steps["w5+"].value == pytest.approx(w5_new, abs=1e-10)
    assert steps["dE_total/dw5"].value == pytest.approx(0.0821670406, abs=1e-10)  # the data gradient is unchanged
    assert not any(name.startswith("dE_reg/db") for name in steps)  # biases are not regularized
    order = [step.name for step in derivation.steps]
    assert order.index("E_total") < order.index("E_reg") < order.index("dE_total/dout_o1")
    assert order.index("dE_total/dw5") < order.index("dE_reg/dw5") < order.index("w5+")


def test_an_unregularized_file_explains_as_before() -> None:
    steps = {step.name: step for step in explain_setup(classic_setup()).steps}
    assert "E_reg" not in steps and steps["w5+"].formula == "w5+ = w5 − η · dE_total/dw5"


def test_the_file_fields_round_trip_and_explain_reads_them(tmp_path: Path) -> None:
    path = tmp_path / "reg.toml"
    save_setup(replace(classic_setup(), regularization=Regularization(l1=0.01, l2=0.01)), path)
    text = path.read_text()
    assert "l1 = 0.01" in text and "l2 = 0.01" in text
    assert load_setup(path).regularization == Regularization(l1=0.01, l2=0.01)
    result = subprocess.run([*STEPGRAD, "explain", str(path)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "dE_reg/dw5 = λ1 · sign(w5) + λ2 · w5" in result.stdout
    assert "= 0.01 · sign(0.4) + 0.01 · 0.4" in result.stdout  # 0.014
    assert "E_reg = λ1 · (|w1| +" in result.stdout


def test_a_negative_rate_is_one_line_naming_the_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    save_setup(classic_setup(), path)
    path.write_text(path.read_text().replace("learning_rate = 0.5", "learning_rate = 0.5\nl1 = -0.1"))
    result = subprocess.run([*STEPGRAD, "explain", str(path)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 2 and result.stderr.count("\n") == 1
    assert "bad.toml" in result.stderr and "l1 (the L1 regularization rate) must not be negative" in result.stderr
