"""Impossible optimizer hyper-parameters are refused where an optimizer is made, so every caller
(``fit``, ``explain --optimizer``, ``verify_torch_step``, the CLI) shares one rule."""

import numpy as np
import pytest

from stepgrad.data import load_dataset
from stepgrad.derivations.optimizer_steps import optimizer_derivation
from stepgrad.errors import StepgradError
from stepgrad.training import Optimizer, create_network, fit, get_optimizer

BAD = [
    ("momentum", {"momentum": 1.5}, r"the momentum μ must be in \[0, 1\), got 1.5"),
    ("nesterov", {"momentum": 1.0}, r"the momentum μ must be in \[0, 1\), got 1.0"),
    ("momentum", {"momentum": -0.1}, r"the momentum μ must be in \[0, 1\), got -0.1"),
    ("adam", {"beta1": 1.5}, r"β₁ \(beta1\) must be in \[0, 1\), got 1.5"),
    ("adamw", {"beta1": -0.5}, r"β₁ \(beta1\) must be in \[0, 1\), got -0.5"),
    ("adam", {"beta2": 1.0}, r"β₂ \(beta2\) must be in \[0, 1\), got 1.0"),
    ("adam", {"beta2": float("nan")}, r"β₂ \(beta2\) must be in \[0, 1\), got nan"),
    ("adam", {"eps": 0.0}, r"ε \(eps\) must be a positive finite number, got 0.0"),
    ("adamw", {"eps": -1.0}, r"ε \(eps\) must be a positive finite number, got -1.0"),
    ("sgd", {"weight_decay": -1.0}, "the weight decay must be a finite number ≥ 0, got -1.0"),
    ("adam", {"weight_decay": float("inf")}, "the weight decay must be a finite number ≥ 0, got inf"),
    ("sgd", {"momentum": 0.5}, "momentum applies to the momentum and nesterov optimizers, not sgd"),
    ("adam", {"momentum": 0.5}, "momentum applies to the momentum and nesterov optimizers, not adam"),
    ("momentum", {"beta1": 0.5}, "beta1 applies to the adam and adamw optimizers, not momentum"),
    ("sgd", {"eps": 1e-6}, "eps applies to the adam and adamw optimizers, not sgd"),
    ("adam", {"nesterov": 1.0}, "unknown optimizer option 'nesterov'"),
]


@pytest.mark.parametrize(("name", "hyper", "message"), BAD)
def test_get_optimizer_refuses_impossible_or_unused_options(name, hyper, message) -> None:
    with pytest.raises(StepgradError, match=message):
        get_optimizer(name, **hyper)


@pytest.mark.parametrize(("name", "hyper", "message"), [case for case in BAD if "applies" not in case[2]][:9])
def test_explain_shares_the_rule(name, hyper, message) -> None:
    with pytest.raises(StepgradError, match=message):
        optimizer_derivation(name, **hyper)


def test_the_constructor_itself_checks() -> None:
    # the path verify_torch_step takes (torch_optim builds Optimizer directly)
    with pytest.raises(StepgradError, match=r"β₂ \(beta2\) must be in \[0, 1\)"):
        Optimizer("adam", beta2=1.0)
    with pytest.raises(StepgradError, match="unknown optimizer 'rmsprop'"):
        Optimizer("rmsprop")


def test_fit_shares_the_rule() -> None:
    xor = load_dataset("xor")
    network = create_network([2, 2, 1], "tanh", "sigmoid", "binary_cross_entropy", rng=np.random.default_rng(0))
    with pytest.raises(StepgradError, match=r"the momentum μ must be in \[0, 1\), got 1.0"):
        fit(network, xor.inputs, xor.targets, optimizer="nesterov", momentum=1.0, epochs=1)


def test_the_edges_of_the_ranges_are_accepted() -> None:
    assert get_optimizer("momentum", momentum=0.0).momentum == 0.0
    adam = get_optimizer("adam", beta1=0.0, beta2=0.0, eps=1e-300, weight_decay=0.0)
    assert (adam.beta1, adam.beta2, adam.eps) == (0.0, 0.0, 1e-300)
    # β₁ = 0: the first moment is the gradient itself and needs no correction
    derivation = optimizer_derivation("adam", beta1=0.0, step=3)
    assert derivation.values["bias_correction1"] == 1.0
    assert derivation.values["mhat_w5"] == derivation.values["dE_total/dw5"]
