"""Every registry entry reaches every consumer: adding an activation or a loss is its entry and these tests.

For each activation and loss of ``stepgrad.functions``: the derivation writes its formulas from
the entry (no symbol left unfilled, the value and slope the entry computes), the gradient check
agrees with backpropagation through it, the checker's diagnosis tries its derivative mistakes
and can explain each, PyTorch computes the same function (or the entry says it has no module),
and the CLI and the web page offer it where it may be used.
"""

from __future__ import annotations

import importlib.util
import re

import numpy as np
import pytest

from stepgrad.check.mistakes import MISTAKES
from stepgrad.check.mutations import mutations
from stepgrad.check.recompute import Context, dout_dnet_rule, error_rule
from stepgrad.core import train_step
from stepgrad.core.gradcheck import check_gradients
from stepgrad.derivations.derivation import explain
from stepgrad.functions import ACTIVATIONS, LOSSES, get_activation
from stepgrad.functions.activations import activation_names
from stepgrad.functions.formula_text import SYMBOLS, right_hand_side, symbols
from stepgrad.network.model import Layer, Network

# The network every entry is put in: 2 inputs, 2 hidden neurons, 2 outputs, one sample.
INPUTS = np.array([[0.05, 0.10]])
TARGETS = np.array([[0.2, 0.7]])  # one-hot-free targets in (0, 1): every loss is defined for them
LEFTOVER = re.compile(r"(?<![A-Za-z_])(out|net|target|out_k|net_k|Σ_j)(?![A-Za-z_0-9])")


def _network(hidden: str, output: str, loss: str = "half_squared_error") -> Network:
    rng = np.random.default_rng(7)
    return Network(
        layers=(
            Layer(weights=rng.uniform(-0.8, 0.8, (2, 2)), bias=np.array([0.35]), activation=hidden),
            Layer(weights=rng.uniform(-0.8, 0.8, (2, 2)), bias=np.array([0.6]), activation=output),
        ),
        loss=loss,
    )


def _placed(name: str) -> Network:
    """A network using activation ``name`` where it may be used: hidden and output, or the output only
    (with the loss it pairs with, as softmax needs cross-entropy)."""
    if ACTIVATIONS[name].hidden:
        return _network(name, name)
    loss = next(loss.name for loss in LOSSES.values() if name in loss.paired)
    return _network("sigmoid", name, loss)


def _targets(network: Network) -> np.ndarray:
    """TARGETS, or a one-hot target for an output that is a distribution (softmax)."""
    return TARGETS if get_activation(network.layers[-1].activation).elementwise else np.array([[0.0, 1.0]])


@pytest.mark.parametrize("name", ACTIVATIONS)
def test_explain_writes_the_entry_formulas(name: str) -> None:
    entry = ACTIVATIONS[name]
    network = _placed(name)
    derivation = explain(train_step(network, INPUTS, _targets(network), 0.5))
    # the hidden layer shows dout/dnet even where the output's paired delta skips it
    neuron = "o1" if entry.elementwise else "h1"
    source = "o" if entry.elementwise else "h"
    out, slope = derivation.step("out_o1"), derivation.step(f"dout_{neuron}/dnet_{neuron}")
    for step in (out, slope):
        assert LEFTOVER.search(step.formula.split(" = ", 1)[1]) is None, step.formula
        assert step.formula_latex.count("{") == step.formula_latex.count("}")
    net = np.array([derivation.values[f"net_{n}"] for n in ("o1", "o2")])
    assert out.value == pytest.approx(float(entry.value(net)[0]), rel=1e-15)
    if entry.elementwise:
        expected_slope = entry.derivative(net, entry.value(net))[0]
        assert slope.value == pytest.approx(float(expected_slope), rel=1e-15)
    # the derivation writes dout/dnet in the values its formula reads (out for sigmoid, net for ReLU)
    slope_entry = get_activation(network.layers[0 if source == "h" else 1].activation)
    assert set(slope.operands) == {f"{symbol}_{neuron}" for symbol in symbols(slope_entry.derivative_formula)}
    for number in entry.parameters.values():
        assert f"{number:g}" in slope.formula or f"{number:g}" in out.formula


@pytest.mark.parametrize("name", LOSSES)
def test_explain_writes_the_loss_formulas(name: str) -> None:
    network = _network("sigmoid", next(iter(LOSSES[name].paired), "sigmoid"), name)
    derivation = explain(train_step(network, INPUTS, _targets(network), 0.5))
    for step in (derivation.step("E_o1"), derivation.step("dE_total/dout_o1")):
        assert LEFTOVER.search(step.formula.split(" = ", 1)[1]) is None, step.formula
    assert set(symbols(LOSSES[name].formula)) <= set(SYMBOLS)


@pytest.mark.parametrize("name", ACTIVATIONS)
def test_backpropagation_through_the_entry_matches_finite_differences(name: str) -> None:
    network = _placed(name)
    result = check_gradients(network, INPUTS, _targets(network))
    assert result.max_relative_error < 1e-7
    assert len(result.skipped) < len(result.analytic)


@pytest.mark.parametrize("name", ACTIVATIONS)
def test_the_diagnosis_knows_the_entry_mistakes(name: str) -> None:
    entry = ACTIVATIONS[name]
    network = _placed(name)
    ctx = Context.from_trace(train_step(network, INPUTS, _targets(network), 0.5))
    tried = {m.mistake for m in mutations(ctx, ("dout_dnet", (1, 0)), dout_dnet_rule(ctx, 1, 0))}
    for mistake, formula, _ in entry.derivative_mistakes:
        assert mistake in MISTAKES, f"{name}: {mistake} has no title or explanation in check/mistakes.py"
        assert mistake in tried
        assert LEFTOVER.search(formula.replace("net", "").replace("out", "")) is None


@pytest.mark.parametrize("name", ACTIVATIONS)
def test_the_cli_and_the_page_offer_the_entry(name: str) -> None:
    from stepgrad.cli.init_cmd import activation_choices
    from stepgrad.web.config import HIDDEN_ACTIVATIONS

    entry = ACTIVATIONS[name]
    assert name in activation_names()
    assert name in activation_choices()
    assert (name in HIDDEN_ACTIVATIONS) == entry.hidden


@pytest.mark.parametrize("name", LOSSES)
def test_the_diagnosis_knows_the_loss_mistakes(name: str) -> None:
    network = _network("sigmoid", LOSSES[name].paired_output or "sigmoid", name)
    ctx = Context.from_trace(train_step(network, INPUTS, _targets(network), 0.5))
    tried = {m.mistake for m in mutations(ctx, ("error", (0,)), error_rule(ctx, 0))}
    for mistake, _, factor in LOSSES[name].error_mistakes:
        assert mistake in MISTAKES, f"{name}: {mistake} has no title or explanation in check/mistakes.py"
        assert mistake in tried and factor != 1.0


@pytest.mark.parametrize("name", LOSSES)
def test_the_cli_offers_the_loss(name: str) -> None:
    from stepgrad.cli.init_cmd import loss_choices
    from stepgrad.functions import loss_names

    assert name in loss_names()
    assert name in loss_choices()


def test_formula_sides_name_what_they_compute() -> None:
    for entry in ACTIVATIONS.values():
        assert entry.formula.startswith("out"), entry.name
        assert right_hand_side(entry.formula_latex) != entry.formula_latex
    for loss in LOSSES.values():
        assert loss.formula.startswith("E = ") and loss.formula_latex.startswith("E = ")


@pytest.mark.torch
@pytest.mark.skipif(importlib.util.find_spec("torch") is None, reason="needs torch")
@pytest.mark.parametrize("name", ACTIVATIONS)
def test_pytorch_computes_the_same_function(name: str) -> None:
    import torch

    from stepgrad.interop.torch import activation_name

    entry = ACTIVATIONS[name]
    if entry.torch_module is None:
        pytest.skip(f"{name} declares no PyTorch module")
    module = getattr(torch.nn, entry.torch_module)(**entry.torch_arguments)
    net = np.linspace(-3.0, 3.0, 12).reshape(4, 3)
    theirs = module(torch.from_numpy(net)).numpy()
    np.testing.assert_allclose(theirs, entry.value(net), rtol=1e-14, atol=1e-15)
    assert activation_name(module) == name
