"""A float32 model whose differences are float32 rounding (a small ``out − target`` of outputs near 1000) is
told as rounding, never blamed on a module; the same model in float64 agrees; a real fault stays a fault."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.torch

from stepgrad.interop.torch_rounding import rounded_replay  # noqa: E402
from stepgrad.interop.torch_step import verify_torch_step  # noqa: E402

nn = torch.nn


def near_thousand(dtype: torch.dtype) -> tuple[nn.Module, torch.Tensor, torch.Tensor]:
    """A regression whose outputs and targets sit near 1000: float32 stores them to about 6e-5, and
    ``dE/dout = 2(out − target)/n`` of about 0.05 carries that error (1e-3 relative, beyond rtol 1e-4)."""
    torch.manual_seed(3)
    model = nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 1)).to(dtype)
    with torch.no_grad():
        model[2].bias.fill_(1000.0)
    inputs = torch.randn(64, 4, dtype=dtype)
    targets = 1000.0 + 0.01 * torch.randn(64, 1, dtype=dtype)
    return model, inputs, targets


def test_float32_rounding_is_named_not_blamed_on_a_module() -> None:
    model, inputs, targets = near_thousand(torch.float32)
    report = verify_torch_step(model, inputs, targets, nn.MSELoss(), torch.optim.SGD(model.parameters(), lr=1e-3))
    assert report.mismatches, "the example must exceed float32's tolerance to test anything"
    assert report.diagnosis is not None and report.diagnosis.startswith("float32 rounding: the ")
    assert "run the model in float64" in report.diagnosis and "custom autograd" not in report.diagnosis


def test_the_same_model_in_float64_agrees() -> None:
    model, inputs, targets = near_thousand(torch.float64)
    report = verify_torch_step(model, inputs, targets, nn.MSELoss(), torch.optim.SGD(model.parameters(), lr=1e-3))
    assert report.ok, report.to_text()


class _Scaled(torch.autograd.Function):
    """tanh whose backward is 1% too large: a fault a little beyond rounding."""

    @staticmethod
    def forward(ctx, x):
        out = torch.tanh(x)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad * (1 - out**2) * 1.01


class _Net(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.fc1, self.fc2 = nn.Linear(4, 8), nn.Linear(8, 2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc2(_Scaled.apply(self.fc1(x)))


def test_a_one_percent_wrong_backward_in_float32_is_still_a_wrong_backward() -> None:
    torch.manual_seed(4)
    model = _Net()
    inputs, targets = torch.randn(16, 4), torch.randn(16, 2)
    report = verify_torch_step(model, inputs, targets, nn.MSELoss(), torch.optim.SGD(model.parameters(), lr=0.1))
    assert not report.ok
    assert report.first_stage == "backward"
    assert not report.diagnosis.startswith("float32 rounding")


def test_the_replay_is_the_exact_step_rounded() -> None:
    # every replayed value is within float32's storage of the exact one where nothing cancels
    import numpy as np

    from stepgrad.core.step import train_step
    from stepgrad.network import Layer, Network

    network = Network((Layer([[0.5, -0.25]], [0.125], "sigmoid"),), "half_squared_error")
    x, t = np.array([[0.3, 0.7]]), np.array([[0.2]])
    exact, replay = train_step(network, x, t, 0.1), rounded_replay(network, x, t)
    for name in ("net", "out", "delta", "grad_w"):
        np.testing.assert_allclose(getattr(replay.layers[0], name), getattr(exact.layers[0], name), rtol=4e-7)
        assert not np.array_equal(getattr(replay.layers[0], name), getattr(exact.layers[0], name)) or name == "net"
