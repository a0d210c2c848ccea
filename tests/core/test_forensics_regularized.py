"""Divergence forensics of a regularized step (a file's l1/l2): ``E_reg``, ``dE_reg/dw`` and the updates with
the term are walked like every other value, on networks built to overflow at a known value."""

from __future__ import annotations

import math

import pytest

from stepgrad.core.forensics import find_divergence
from stepgrad.network import Layer, Network
from stepgrad.network.model import Regularization
from stepgrad.render.divergence import divergence_message, explain_divergence


def one_weight(w: float) -> Network:
    """out = w·x, no bias: with x = 0 and target 0 the loss's gradient is exactly 0, so only the L2 term moves w."""
    return Network((Layer([[w]], [], "linear"),), "half_squared_error")


def test_l2_alone_grows_the_weights_when_eta_lambda_exceeds_two_and_e_reg_overflows_first() -> None:
    eta, l2 = 1.0, 1000.0
    # w+ = (1 − η·λ₂)·w exactly; E_reg = ½·λ₂·w² leaves float64 at the first step whose w² does
    expected_step, w = 1, 1.0
    while math.isfinite(0.5 * l2 * (w * w)):  # Python floats: a product that overflows is inf
        w, expected_step = (1 - eta * l2) * w, expected_step + 1
    found = find_divergence(one_weight(1.0), [[0.0]], [[0.0]], eta, max_steps=100, regularization=Regularization(l2=l2))
    assert found is not None
    assert (found.name, found.cause, found.step) == ("E_reg", "penalty_overflow", expected_step)
    assert found.facts == {"w1": pytest.approx(w, rel=1e-12), "λ2": l2}
    message = divergence_message(found)
    assert message.startswith(f"E_reg = inf in step {expected_step} from these weights: the regularization term")
    assert "η·λ₂ = 1000 > 2" in message and "1 − η·λ₂ = -999" in message
    # without the term the same weights never move: the forensics must trace the step that trains
    assert find_divergence(one_weight(1.0), [[0.0]], [[0.0]], eta, max_steps=100) is None


def test_an_l1_update_that_overflows_names_the_regularization_term() -> None:
    # dE_reg/dw1 = λ₁·sign(w1) = 1e308 is finite; η times it is not: w1+ = 0.5 − 10·1e308 = −∞
    regularization = Regularization(l1=1e308)
    found = find_divergence(one_weight(0.5), [[0.0]], [[0.0]], 10.0, regularization=regularization)
    assert found is not None
    assert (found.name, found.cause, found.value) == ("w1+", "update_overflow", -math.inf)
    assert found.facts["dE_reg/dw1"] == 1e308 and found.facts["dE_total/dw1"] == 0.0
    assert divergence_message(found).startswith(
        "w1+ = -inf: the update η·(dE_total/dw1 + dE_reg/dw1) = 10 × (0 + 1e+308) overflows"
    )
    assert "no value is infinite" in explain_divergence(one_weight(0.5), [[0.0]], [[0.0]], learning_rate=10.0)


def test_an_unregularized_step_is_named_as_before() -> None:
    # the same update overflow without a term: no dE_reg in the facts or the sentence
    found = find_divergence(one_weight(1e10), [[1.0]], [[0.0]], 1e300)  # η·dE/dw1 = 1e300 · 1e10
    assert found is not None and found.cause == "update_overflow"
    assert list(found.facts) == ["w1", "dE_total/dw1", "w1+", "update / parameter"]
    assert "dE_reg" not in divergence_message(found)


def test_the_run_forensics_take_the_run_s_regularization() -> None:
    from stepgrad.render.divergence import explain_run_divergence

    why = explain_run_divergence(one_weight(1.0), [[0.0]], [[0.0]], 1.0, regularization=Regularization(l2=1000.0))
    assert "E_reg = inf" in why and "η·λ₂ = 1000 > 2" in why


@pytest.mark.parametrize("l2", [0.5, 2.0])
def test_no_l2_growth_is_claimed_when_eta_lambda_is_at_most_two(l2: float) -> None:
    found = find_divergence(one_weight(1.0), [[0.0]], [[0.0]], 1.0, max_steps=200, regularization=Regularization(l2=l2))
    assert found is None  # |1 − η·λ₂| ≤ 1: the weight shrinks or flips in place
