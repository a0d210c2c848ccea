"""L1 and L2 regularization in the engine, on the classic example with λ = 0.01, by hand.

One SGD step, η = 0.5, from the classic weights w1…w8 = 0.15, 0.20, 0.25, 0.30, 0.40, 0.45, 0.50, 0.55
(all positive, so sign(w) = 1), with the classic gradients dE/dw5 = 0.082167041, dE/dw1 = 0.000438568:

* L2: dE_total/dw = dE/dw + λ·w, so w5+ = 0.40 − 0.5·(0.082167041 + 0.01·0.40) = 0.3569164795 and
  w1+ = 0.15 − 0.5·(0.000438568 + 0.0015) = 0.149030716; each weight lands η·λ·w below plain SGD's;
* L1: dE_total/dw = dE/dw + λ·sign(w), so w5+ = 0.40 − 0.5·(0.082167041 + 0.01) = 0.3539164795 and
  w1+ = 0.15 − 0.5·(0.000438568 + 0.01) = 0.144780716; each weight lands η·λ = 0.005 below plain SGD's;
* biases are never regularized.
"""

import numpy as np
import pytest

from stepgrad.errors import StepgradError
from stepgrad.network import classic_setup
from stepgrad.training import fit, make_training
from stepgrad.training.optimizers import get_optimizer

WEIGHTS = (np.array([[0.15, 0.20], [0.25, 0.30]]), np.array([[0.40, 0.45], [0.50, 0.55]]))


def one_step(**regularization: float) -> tuple[list, list]:  # type: ignore[type-arg]
    setup = classic_setup()
    training = make_training(
        setup.network, setup.inputs, setup.targets, learning_rate=0.5, epochs=1, use_compiled=False, **regularization
    )
    training.run()
    return list(training.params.weights), list(training.params.biases)


@pytest.mark.parametrize(
    ("regularization", "w5_new", "w1_new"),
    [({"weight_decay": 0.01}, 0.3569164795, 0.149030716), ({"l1": 0.01}, 0.3539164795, 0.144780716)],
    ids=["l2", "l1"],
)
def test_one_regularized_step_of_the_classic_example(regularization: dict, w5_new: float, w1_new: float) -> None:  # type: ignore[type-arg]
    weights, _ = one_step(**regularization)
    assert weights[1][0, 0] == pytest.approx(w5_new, abs=1e-9)
    assert weights[0][0, 0] == pytest.approx(w1_new, abs=1e-9)


def test_the_regularization_term_is_exactly_eta_lambda_w_or_eta_lambda_sign_w() -> None:
    plain_w, plain_b = one_step()
    l2_w, l2_b = one_step(weight_decay=0.01)
    l1_w, l1_b = one_step(l1=0.01)
    both_w, _ = one_step(weight_decay=0.01, l1=0.01)
    for plain, l2, l1, both, w in zip(plain_w, l2_w, l1_w, both_w, WEIGHTS, strict=True):
        np.testing.assert_allclose(plain - l2, 0.5 * 0.01 * w, rtol=0, atol=1e-15)  # η·λ·w: w5 0.002
        np.testing.assert_allclose(plain - l1, 0.005, rtol=0, atol=1e-15)  # η·λ·sign(w)
        np.testing.assert_allclose(plain - both, 0.5 * 0.01 * w + 0.005, rtol=0, atol=1e-15)
    for plain, l2, l1 in zip(plain_b, l2_b, l1_b, strict=True):
        assert np.array_equal(plain, l2) and np.array_equal(plain, l1)  # biases: not regularized


def test_l1_pushes_negative_weights_up_and_leaves_zero_weights_alone() -> None:
    optimizer = get_optimizer("sgd", l1=0.1)
    weights, gradient = np.array([[-2.0, 0.0, 3.0]]), np.zeros((1, 3))
    (new,), _ = optimizer.update([weights], [gradient], optimizer.init([weights]), 1.0)
    assert new.tolist() == [[-1.9, 0.0, 2.9]]


def test_l1_is_part_of_the_loss_for_adamw_too() -> None:
    # AdamW decouples only the L2 decay; the L1 term goes into g like any loss term
    optimizer = get_optimizer("adamw", l1=0.01)
    weights, gradient = np.array([[0.5]]), np.array([[0.0]])
    _, _, record = optimizer.update_recorded([weights], [gradient], optimizer.init([weights]), 0.1)
    assert record["g"][0].tolist() == [[0.01]]


def test_fit_takes_l1_and_refuses_a_negative_one() -> None:
    setup = classic_setup()
    plain = fit(setup.network, setup.inputs, setup.targets, learning_rate=0.5, epochs=20)
    sparse = fit(setup.network, setup.inputs, setup.targets, learning_rate=0.5, epochs=20, l1=0.01)
    assert np.abs(sparse.network.layers[0].weights).sum() < np.abs(plain.network.layers[0].weights).sum()
    with pytest.raises(StepgradError, match="L1 regularization λ₁ must be a finite number ≥ 0, got -1"):
        fit(setup.network, setup.inputs, setup.targets, l1=-1.0)


def test_repeating_the_step_of_a_regularized_file_is_the_traced_step() -> None:
    from dataclasses import replace

    from stepgrad.core.step import train_step
    from stepgrad.network.model import Regularization
    from stepgrad.training.repeat import repeat_steps

    regularization = Regularization(l1=0.01, l2=0.01)
    setup = replace(classic_setup(), regularization=regularization)
    network = setup.network
    for _ in range(3):
        network = train_step(network, setup.inputs, setup.targets, 0.5, regularization=regularization).network_new
    repeated = repeat_steps(setup, 3).network
    for mine, traced in zip(repeated.layers, network.layers, strict=True):
        np.testing.assert_allclose(mine.weights, traced.weights, rtol=0, atol=1e-15)
    # first step by hand: w5+ = 0.4 − 0.5·(0.082167041 + 0.01 + 0.004) = 0.3519164795
    once = repeat_steps(setup, 1).network
    assert once.layers[1].weights[0, 0] == pytest.approx(0.3519164795, abs=1e-9)
