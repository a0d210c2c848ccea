"""Divergence forensics on networks built to overflow at a known value: the first non-finite value in the
derivation's order, its cause, and the numbers the cause is read from."""

import math

import numpy as np
import pytest

from stepgrad.core.forensics import find_divergence, first_non_finite, naive_form_breaks
from stepgrad.core.step import train_step
from stepgrad.network.model import Layer, Network
from stepgrad.render.divergence import divergence_message, explain_divergence, naive_break_message


def linear(weights: list[list[float]], bias: list[float] | None = None, activation: str = "linear") -> Layer:
    return Layer(np.array(weights), np.array(bias or []), activation)


def test_a_weight_already_infinite_is_named_before_any_step() -> None:
    network = Network((linear([[1.0, math.inf]], [0.0], "sigmoid"),), "mse")
    found = find_divergence(network, [1.0, 1.0], [0.5], 0.5)
    assert found is not None
    assert (found.name, found.value, found.cause) == ("w2", math.inf, "parameter")
    assert "not finite before the step" in divergence_message(found)


def test_net_of_the_first_layer_overflows_from_its_largest_term() -> None:
    # net_h1 = 1e300·1e10 + 1e300·1 = inf; nothing before it is infinite
    network = Network((linear([[1e300, 1e300]], [0.0], "relu"), linear([[1.0]])), "mse")
    found = find_divergence(network, [1e10, 1.0], [0.0], 0.5)
    assert found is not None
    assert (found.name, found.cause, found.value) == ("net_h1", "net_overflow", math.inf)
    assert found.facts == {"w1": 1e300, "i1": 1e10}
    message = divergence_message(found)
    assert message.startswith("net_h1 = inf: net overflows float64; its largest term is w1·i1 = 1e+300 · 1e+10")
    assert "the weight w1 is too large" in message


def test_a_huge_output_overflows_the_squared_error() -> None:
    # out_o1 = 1e200 is finite; E_o1 = (0 − 1e200)² / 1 is not
    network = Network((linear([[1e100]]),), "mse")
    found = find_divergence(network, [1e100], [0.0], 0.1)
    assert found is not None
    assert (found.name, found.cause) == ("E_o1", "error_overflow")
    assert found.facts == {"out_o1": 1e200}
    assert "out_o1 = 1e+200 is so large that E = (target − out)² / n (mse) overflows" in divergence_message(found)


def test_an_overflowing_contribution_is_a_gradient_overflow() -> None:
    # out_h1 = 1e-50, out_o1 = 1e150 (E = 5e299 finite), delta_o1 = 1e150, dE_o1/dout_h1 = 1e150·1e200 = inf
    network = Network((linear([[1.0]]), linear([[1e200]])), "half_squared_error")
    found = find_divergence(network, [1e-50], [0.0], 0.1)
    assert found is not None
    assert (found.name, found.cause) == ("dE_o1/dout_h1", "gradient_overflow")
    assert found.facts == {"out_o1": pytest.approx(1e150)}


def test_an_update_that_overflows_names_the_learning_rate() -> None:
    # dE/dw1 = 2·(0.5e100 − 0)·1e100 = 1e200, η·dE/dw1 = 1e400 overflows: w1+ = −inf
    network = Network((linear([[0.5]]),), "mse")
    found = find_divergence(network, [1e100], [0.0], 1e200)
    assert found is not None
    assert (found.name, found.value, found.cause) == ("w1+", -math.inf, "update_overflow")
    assert found.facts["dE_total/dw1"] == pytest.approx(1e200)
    assert "the update η·dE_total/dw1 = 1e+200 × 1e+200 overflows" in divergence_message(found)
    assert "the learning rate (now 1e+200) made the update explode" in divergence_message(found)


def test_a_finite_update_so_large_that_the_next_forward_pass_overflows() -> None:
    # w1+ = 0.5 − 1e50·1e200 = −1e250 (finite), net_o1+ = −1e250·1e100 = −inf
    network = Network((linear([[0.5]]),), "mse")
    found = find_divergence(network, [1e100], [0.0], 1e50)
    assert found is not None
    assert (found.name, found.value, found.cause) == ("net_o1+", -math.inf, "update_explodes")
    assert found.facts["update / parameter"] == pytest.approx(2e250)
    assert "2e+250 times its own size" in divergence_message(found)


def test_a_run_whose_weights_grow_step_by_step_is_followed_to_its_first_overflow() -> None:
    # least squares with η = 1 on inputs of size 3–4: the weights oscillate ever wider, ≈ ×25 a step
    network = Network((linear([[0.5, -0.3]], [0.1]),), "mse")
    inputs, targets = np.array([[3.0, 4.0], [1.0, -2.0]]), np.array([[1.0], [0.0]])
    found = find_divergence(network, inputs, targets, 1.0, max_steps=500)
    assert found is not None and found.step > 10
    assert found.cause == "update_explodes" and found.facts["update / parameter"] > 1
    # the step before it is finite, the step itself is not
    before = network
    for _ in range(found.step - 1):
        before = train_step(before, inputs, targets, 1.0).network_new
    assert first_non_finite(train_step(before, inputs, targets, 1.0)) is not None
    assert explain_divergence(network, inputs, targets, learning_rate=1.0, max_steps=500).startswith(
        f"{found.name} = {found.value:.4g} in step {found.step} from these weights"
    )
    assert explain_divergence(network, inputs, targets, learning_rate=0.01, max_steps=5).startswith(
        "no value is infinite or NaN in 5 steps"
    )


def test_the_later_sample_is_named_when_only_it_overflows() -> None:
    network = Network((linear([[1e200]]),), "half_squared_error")
    found = find_divergence(network, [[1e-200], [1e200]], [[0.0], [0.0]], 0.1)
    assert found is not None and (found.name, found.sample) == ("net_o1", 1)
    assert divergence_message(found).startswith("net_o1 = inf (sample 2):")


def test_a_saturated_sigmoid_breaks_the_textbook_cross_entropy_in_float32_first() -> None:
    # σ(20) = 1 − 2e-9: below float32's resolution, above float64's
    network = Network((linear([[20.0]], [0.0], "sigmoid"),), "binary_cross_entropy")
    trace = train_step(network, [1.0], [0.0], 10.0)
    assert first_non_finite(trace) is None  # stepgrad's own (paired) form stays finite
    assert naive_form_breaks(trace, np.float64) is None
    broken = naive_form_breaks(trace, np.float32)
    assert broken is not None
    assert (broken.name, broken.cause, broken.net, broken.rounded) == ("out_o1", "saturated_log", 20.0, 1.0)
    message = naive_break_message(broken, "sigmoid", "BCELoss", "float32")
    assert message.startswith("net_o1 = 20 saturates the sigmoid: out_o1 = 1 exactly in float32, so log(1 − out_o1)")


def test_a_softmax_written_with_exp_overflows_where_the_shifted_one_does_not() -> None:
    network = Network((linear([[100.0], [0.0]], [0.0, 0.0], "softmax"),), "cross_entropy")
    trace = train_step(network, [1.0], [1.0, 0.0], 0.1)
    assert first_non_finite(trace) is None
    assert naive_form_breaks(trace, np.float64) is None  # e^100 fits float64
    broken = naive_form_breaks(trace, np.float32)  # but not float32 (max ≈ e^88.7)
    assert broken is not None and (broken.name, broken.cause) == ("net_o1", "exp_overflow")
    assert "e^net_o1 overflows float32" in naive_break_message(broken, "softmax", "CrossEntropyLoss", "float32")
