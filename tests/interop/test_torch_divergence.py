"""verify-torch on steps that meet NaN or infinity: the first non-finite value in PyTorch's terms and
stepgrad's, and its likely cause."""

import pytest

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.torch

from stepgrad.interop.torch_step import verify_torch_step  # noqa: E402


def one_layer(weights: list[list[float]], bias: list[float], head: torch.nn.Module, dtype: torch.dtype):
    linear = torch.nn.Linear(len(weights[0]), len(weights), dtype=dtype)
    with torch.no_grad():
        linear.weight.copy_(torch.tensor(weights, dtype=dtype))
        linear.bias.copy_(torch.tensor(bias, dtype=dtype))
    return torch.nn.Sequential(linear, head)


def test_a_softmax_output_rounded_to_zero_under_a_hand_written_log_is_named() -> None:
    # net = (120, 0): in float32 out_o2 = e^−120 / … rounds to exactly 0, and −1·log(0) = ∞ in the loss
    model = one_layer([[120.0], [0.0]], [0.0, 0.0], torch.nn.Softmax(dim=1), torch.float32)
    x, t = torch.tensor([[1.0]]), torch.tensor([[0.0, 1.0]])
    report = verify_torch_step(model, x, t, "cross_entropy", torch.optim.SGD(model.parameters(), lr=0.1))
    assert not report.ok
    first = report.first_mismatch
    assert first is not None and (first.name, first.stage) == ("E_total", "error")
    assert report.diagnosis == (
        "PyTorch's first non-finite value is E_total = inf (the loss the step returned): net_o2 = 0 (120 below the "
        "largest) saturates the softmax: out_o2 = 0 exactly in float32, so log(out_o2) = −inf in cross_entropy; "
        "use the paired loss (CrossEntropyLoss on the logits) or lower the learning rate"
    )


def test_a_net_beyond_float32_is_named_with_its_pytorch_place() -> None:
    # net_o1 = 1e30·1e10 = 1e40: finite in float64, ∞ in float32
    model = one_layer([[1e30]], [0.0], torch.nn.Identity(), torch.float32)
    x, t = torch.tensor([[1e10]]), torch.tensor([[0.0]])
    report = verify_torch_step(model, x, t, torch.nn.MSELoss(), torch.optim.SGD(model.parameters(), lr=0.1))
    assert report.diagnosis is not None
    assert report.diagnosis.startswith(
        "PyTorch's first non-finite value is net_o1 = inf (model.0 output[0, 0]), stepgrad's is 1e+40: "
        "beyond float32's range (3.4e+38)"
    )


def test_a_value_that_overflows_float64_too_gets_stepgrads_cause() -> None:
    model = one_layer([[1e300]], [0.0], torch.nn.Identity(), torch.float64)
    x, t = torch.tensor([[1e10]], dtype=torch.float64), torch.tensor([[0.0]], dtype=torch.float64)
    report = verify_torch_step(model, x, t, torch.nn.MSELoss(), torch.optim.SGD(model.parameters(), lr=0.1))
    # PyTorch does what stepgrad does, infinities included: the step is right, and the note says why it blew up
    assert report.ok
    assert (
        "note: not finite: PyTorch's first non-finite value is net_o1 = inf (model.0 output[0, 0]); in stepgrad too: "
        "net_o1 = inf: net overflows float64; its largest term is w1·i1 = 1e+300 · 1e+10"
    ) in report.to_text()
