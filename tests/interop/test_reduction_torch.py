"""A PyTorch loss with ``reduction="sum"`` is checked against a stepgrad network with ``reduction = "sum"``:
the same loss, the same gradients, no conversion factor."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.torch

from stepgrad.interop.torch_step import loss_spec, verify_torch_step  # noqa: E402

nn = torch.nn


def two_layers(hidden: type, n_out: int) -> nn.Module:
    return nn.Sequential(nn.Linear(3, 4), hidden(), nn.Linear(4, n_out))


# model, loss, targets of a batch of 4 (float64; nn.Linear has a bias per neuron)
CASES = {
    "sigmoid-mse": (lambda: nn.Sequential(nn.Linear(3, 4), nn.Sigmoid(), nn.Linear(4, 2), nn.Sigmoid()), "mse"),
    "tanh-mse": (lambda: two_layers(nn.Tanh, 2), "mse"),
    "relu-bce-logits": (lambda: two_layers(nn.ReLU, 2), "bce-logits"),
    "softmax-ce": (lambda: two_layers(nn.Tanh, 3), "ce"),
    "two-hidden": (
        lambda: nn.Sequential(nn.Linear(3, 4), nn.Sigmoid(), nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 2)),
        "mse",
    ),
    "sigmoid-bce": (lambda: nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2), nn.Sigmoid()), "bce"),
}
LOSSES = {
    "mse": lambda: nn.MSELoss(reduction="sum"),
    "bce-logits": lambda: nn.BCEWithLogitsLoss(reduction="sum"),
    "bce": lambda: nn.BCELoss(reduction="sum"),
    "ce": lambda: nn.CrossEntropyLoss(reduction="sum"),
}


@pytest.mark.parametrize("name", list(CASES))
def test_a_sum_loss_agrees_with_a_sum_network_value_by_value(name: str) -> None:
    torch.manual_seed(len(name))
    make_model, kind = CASES[name]
    model = make_model().double()
    inputs = torch.randn(4, 3, dtype=torch.float64)
    n_out = model[-1].out_features if isinstance(model[-1], nn.Linear) else model[-2].out_features
    targets = torch.randint(0, n_out, (4,)) if kind == "ce" else torch.rand(4, n_out, dtype=torch.float64)
    loss = LOSSES[kind]()
    assert loss_spec(loss, n_out).scale(n_out) == 1.0
    report = verify_torch_step(model, inputs, targets, loss, torch.optim.SGD(model.parameters(), lr=0.05))
    assert report.ok, report.to_text()
    assert report.trace.network.reduction == "sum"
    loss_value = next(c for c in report.comparisons if c.name == "E_total (batch sum)")
    assert loss_value.torch == pytest.approx(report.trace.loss, rel=1e-12)  # the same number, no factor
    delta = next(c for c in report.comparisons if c.name.startswith("delta_o1"))
    assert not delta.torch_name.endswith("· B")  # a sample's gradient is autograd's own: the sum weighs it by 1


def test_a_sum_loss_against_the_mean_is_still_named_as_a_reduction() -> None:
    # a step that sums where the declared loss means: the gradients are B times stepgrad's
    torch.manual_seed(0)
    model = two_layers(nn.Tanh, 2).double()
    inputs, targets = torch.randn(4, 3, dtype=torch.float64), torch.rand(4, 2, dtype=torch.float64)
    declared = nn.MSELoss()

    def step(model, inputs, targets, loss, optimizer):
        optimizer.zero_grad()
        value = nn.functional.mse_loss(model(inputs), targets, reduction="sum")
        value.backward()
        optimizer.step()
        return value

    report = verify_torch_step(model, inputs, targets, declared, torch.optim.SGD(model.parameters(), lr=0.05), step)
    assert not report.ok
    assert "reduced another way" in report.to_text(), report.to_text()


@pytest.mark.parametrize("reduction", ["mean", "sum"])
def test_softmax_scored_with_bce_loss_agrees(reduction: str) -> None:
    torch.manual_seed(17)
    model = nn.Sequential(nn.Linear(5, 6), nn.ReLU(), nn.Linear(6, 4), nn.Softmax(dim=1)).double()
    inputs = torch.randn(8, 5, dtype=torch.float64)
    targets = nn.functional.one_hot(torch.randint(0, 4, (8,)), 4).double()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.5)
    report = verify_torch_step(model, inputs, targets, nn.BCELoss(reduction=reduction), optimizer)
    assert report.ok, report.to_text()
    assert report.trace.network.layers[-1].activation == "softmax"
    assert report.trace.network.loss == "binary_cross_entropy"


def test_verify_torch_on_a_sum_network_file_runs_the_sum_in_pytorch(tmp_path) -> None:

    (tmp_path / "sum.toml").write_text(
        "samples = [[0.05, 0.10], [0.3, -0.2], [1.0, 0.5]]\ntargets = [[0.01, 0.99], [0.5, 0.5], [0.2, 0.7]]\n"
        'learning_rate = 0.5\nloss = "mse"\nreduction = "sum"\n'
        '[[layer]]\nactivation = "tanh"\nweights = [[0.15, 0.20], [0.25, 0.30]]\nbias = [0.35, 0.1]\n'
        '[[layer]]\nactivation = "sigmoid"\nweights = [[0.40, 0.45], [0.50, 0.55]]\nbias = 0.60\n'
    )
    stepgrad = str(Path(sys.executable).parent / "stepgrad")
    args = [stepgrad, "verify-torch", "sum.toml", "--format", "json"]
    result = subprocess.run(args, capture_output=True, text=True, cwd=tmp_path, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads(result.stdout)
    loss = next(row for row in report["comparisons"] if row["name"] == "E_total (batch sum)")
    assert loss["torch"] == pytest.approx(loss["stepgrad"], rel=1e-12)
