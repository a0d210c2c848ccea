"""The Huber loss (delta = 1; PyTorch's HuberLoss and SmoothL1Loss at beta = 1), added as one registry entry."""

from __future__ import annotations

import numpy as np
import pytest

from stepgrad.core import train_step
from stepgrad.functions import get_loss
from stepgrad.network.model import Layer, Network


def test_its_terms_are_half_the_square_near_the_target_and_the_distance_less_a_half_beyond() -> None:
    huber = get_loss("huber")
    target, out = np.array([0.0, 0.0, 1.0, 0.2]), np.array([0.5, 3.0, -1.5, 1.2])
    # ½·0.5², 3 − ½, 2.5 − ½, and at a distance of exactly 1 both branches give ½
    assert huber.terms(target, out) == pytest.approx([0.125, 2.5, 2.0, 0.5], rel=1e-15)
    assert huber.gradient(target, out) == pytest.approx([0.5, 1.0, -1.0, 1.0], rel=1e-15)


def test_a_network_with_it_trains_and_its_error_grows_linearly_far_from_the_target() -> None:
    network = Network((Layer(np.array([[2.0, -1.0]]), np.array([0.5]), "linear"),), loss="huber")
    trace = train_step(network, [[10.0, 1.0]], [[0.0]], 0.1)
    assert trace.loss == pytest.approx(19.5 - 0.5)  # out = 19.5: |0 − 19.5| − ½
    assert trace.layers[-1].delta[0, 0] == pytest.approx(1.0)  # the clipped slope, not 19.5
    assert trace.layers[-1].weights_new[0, 0] == pytest.approx(2.0 - 0.1 * 10.0)


def test_pytorchs_huber_with_another_delta_is_refused_in_one_line() -> None:
    torch = pytest.importorskip("torch")
    from stepgrad.errors import StepgradError
    from stepgrad.interop.torch_step import loss_spec

    assert loss_spec(torch.nn.SmoothL1Loss(beta=1.0), 2).name == "huber"
    with pytest.raises(StepgradError, match=r"HuberLoss\(delta=2\.0\) is not supported: stepgrad's form has delta = 1"):
        loss_spec(torch.nn.HuberLoss(delta=2.0), 2)
