"""Checking a regularized step: the recompute of a learner's update includes dE_reg/dw, and leaving the
term out is diagnosed as ``regularization_forgotten``.

Classic example with λ1 = 0.01 (η = 0.5): dE_total/dw5 = 0.082167041 (as without regularization),
dE_reg/dw5 = 0.01·sign(0.4) = 0.01, w5+ = 0.4 − 0.5·(0.082167041 + 0.01) = 0.3539164795; a learner who
forgets the term writes the plain 0.35891648. With λ2 = 0.01: dE_reg/dw5 = 0.004, w5+ = 0.3569164795.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from stepgrad.check import check_answers
from stepgrad.network import classic_setup
from stepgrad.network.model import Regularization

from .conftest import lines

DE_DW5 = 0.082167041


@pytest.mark.parametrize(
    ("regularization", "term", "w5_new"),
    [(Regularization(l1=0.01), 0.01, 0.3539164795), (Regularization(l2=0.01), 0.004, 0.3569164795)],
    ids=["l1", "l2"],
)
def test_the_regularized_update_is_right_and_the_plain_one_is_diagnosed(
    write, regularization: Regularization, term: float, w5_new: float
) -> None:
    setup = replace(classic_setup(), regularization=regularization)
    right = check_answers(
        write("right.txt", lines({"dE_total/dw5": DE_DW5, "dE_reg/dw5": term, "w5+": w5_new})), setup=setup
    )
    assert right.ok, right.render("text")
    assert right.check("w5+").status == "right"
    forgot = check_answers(write("forgot.txt", lines({"dE_total/dw5": DE_DW5, "w5+": 0.35891648})), setup=setup)
    assert forgot.first_wrong == "w5+"
    assert forgot.diagnoses and forgot.diagnoses[0].mistake == "regularization_forgotten", forgot.render("text")
    assert "Regularization term left out of the update" in forgot.render("markdown")


def test_the_penalty_itself_is_checked(write) -> None:
    setup = replace(classic_setup(), regularization=Regularization(l1=0.01, l2=0.01))
    # E_reg = 0.01·2.8 + ½·0.01·1.13 = 0.028 + 0.00565 = 0.03365
    report = check_answers(write("a.txt", lines({"E_reg": 0.03365}, decimals=5)), setup=setup)
    assert report.check("E_reg").status == "right"
    wrong = check_answers(write("b.txt", lines({"E_reg": 0.028}, decimals=5)), setup=setup)
    assert wrong.check("E_reg").status == "wrong"


def test_without_regularization_the_plain_update_stays_right(write) -> None:
    report = check_answers(write("a.txt", lines({"dE_total/dw5": DE_DW5, "w5+": 0.35891648})))
    assert report.ok and report.check("w5+").status == "right"
