"""Every loss of the registry is checked against PyTorch through its own entry: each ``torch.nn`` module it
names (``Loss.torch_modules``), under ``mean`` and ``sum``, and its PyTorch form for a loss named by stepgrad
(``Loss.torch_terms``). A loss added to the registry is tested here without a line of this file changing."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.torch

from stepgrad.errors import StepgradError  # noqa: E402
from stepgrad.functions import LOSSES  # noqa: E402
from stepgrad.interop.torch_step import loss_spec, verify_torch_step  # noqa: E402

nn = torch.nn
ACTIVATIONS = {"sigmoid": nn.Sigmoid, "softmax": lambda: nn.Softmax(dim=-1)}
MODULES = [(entry, module) for entry in LOSSES.values() for module in entry.torch_modules]


def _model(output: str | None, n_out: int) -> nn.Module:
    """3 → 4 (tanh) → n_out, ending in logits or in the output activation the loss takes."""
    layers = [nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, n_out)]
    if output is not None:
        layers.append(ACTIVATIONS[output]())
    return nn.Sequential(*layers).double()


def _targets(entry, n_out: int) -> torch.Tensor:
    if entry.outputs == ("softmax",):  # a distribution per sample
        return torch.softmax(torch.randn(5, n_out, dtype=torch.float64), dim=-1)
    return torch.rand(5, n_out, dtype=torch.float64) * (1.0 if entry.outputs else 3.0) - (0.0 if entry.outputs else 1.0)


@pytest.mark.parametrize("reduction", ["mean", "sum"])
@pytest.mark.parametrize(("entry", "module"), MODULES, ids=[module.name for _, module in MODULES])
def test_each_torch_module_a_loss_names_agrees_value_by_value(entry, module, reduction) -> None:
    torch.manual_seed(len(module.name))
    n_out = 3
    # the module applies its own activation to logits; else the model ends in the one the loss pairs with
    model = _model(None if module.applies else entry.paired_output, n_out)
    loss = getattr(nn, module.name)(reduction=reduction)
    spec = loss_spec(loss, n_out)
    assert (spec.name, spec.output_activation) == (entry.name, module.applies)
    inputs, targets = torch.randn(5, 3, dtype=torch.float64), _targets(entry, n_out)
    report = verify_torch_step(model, inputs, targets, loss, torch.optim.SGD(model.parameters(), lr=0.1))
    assert report.ok, report.to_text()
    assert report.trace.network.loss == entry.name and report.trace.network.reduction == reduction


@pytest.mark.parametrize("reduction", ["mean", "sum"])
@pytest.mark.parametrize("name", [name for name, entry in LOSSES.items() if entry.torch_terms is not None])
def test_a_loss_named_by_stepgrad_is_run_in_pytorch_from_its_entry(name, reduction) -> None:
    entry = LOSSES[name]
    torch.manual_seed(len(name))
    n_out = 3
    model = _model(entry.paired_output, n_out)
    inputs, targets = torch.randn(5, 3, dtype=torch.float64), _targets(entry, n_out)
    report = verify_torch_step(
        model, inputs, targets, name, torch.optim.SGD(model.parameters(), lr=0.1), reduction=reduction
    )
    assert report.ok, report.to_text()


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: nn.BCELoss(weight=torch.ones(3)), "BCELoss with weight is not supported"),
        (lambda: nn.BCEWithLogitsLoss(pos_weight=torch.ones(3)), "BCEWithLogitsLoss with pos_weight is not supported"),
        (lambda: nn.CrossEntropyLoss(label_smoothing=0.1), "CrossEntropyLoss with label_smoothing is not supported"),
        (lambda: nn.L1Loss(), "unsupported loss L1Loss: use MSELoss, BCELoss, BCEWithLogitsLoss, CrossEntropyLoss"),
    ],
)
def test_a_module_the_registry_cannot_hold_is_refused_in_one_line(make, message) -> None:
    with pytest.raises(StepgradError, match=message):
        loss_spec(make(), 3)
