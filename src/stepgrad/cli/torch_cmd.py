"""``stepgrad verify-torch``: run a network file's step in PyTorch and compare every value with stepgrad."""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from stepgrad.errors import StepgradError
from stepgrad.training.optimizers import Optimizer, get_optimizer, optimizer_names

INJECTIONS = ["none", "double-backward", "wrong-sigmoid-backward", "double-step"]


def _torch_optimizer(optimizer: Optimizer, parameters: list[Any], rate: float) -> Any:
    """The ``torch.optim`` optimizer that stepgrad's (checked) ``optimizer`` corresponds to.

    Settings stepgrad takes but torch refuses (Nesterov without momentum) are a one-line error.
    """
    import torch

    try:
        if optimizer.name in ("adam", "adamw"):
            adam = torch.optim.AdamW if optimizer.decoupled else torch.optim.Adam
            return adam(
                parameters,
                lr=rate,
                betas=(optimizer.beta1, optimizer.beta2),
                eps=optimizer.eps,
                weight_decay=optimizer.weight_decay,
            )
        return torch.optim.SGD(
            parameters,
            lr=rate,
            momentum=optimizer.momentum,
            nesterov=optimizer.nesterov,
            weight_decay=optimizer.weight_decay,
        )
    except ValueError as error:
        raise StepgradError(f"torch.optim refuses these settings: {error}", location="--optimizer") from None


def _inject(kind: str, model: Any) -> Any:
    """A step with a planted bug, to show what the report says about it (None: the textbook step)."""
    import torch

    if kind == "wrong-sigmoid-backward":

        class WrongSigmoid(torch.autograd.Function):
            @staticmethod
            def forward(ctx: Any, net: Any) -> Any:
                out = torch.sigmoid(net)
                ctx.save_for_backward(out)
                return out

            @staticmethod
            def backward(ctx: Any, grad_out: Any) -> Any:
                (out,) = ctx.saved_tensors
                return grad_out * out  # forgets the (1 − out) factor

        class Module(torch.nn.Module):
            stepgrad_activation = "sigmoid"

            def forward(self, net: Any) -> Any:
                return WrongSigmoid.apply(net)

        for index, module in enumerate(model):
            if isinstance(module, torch.nn.Sigmoid):
                model[index] = Module()
                break
        return None

    def step(model: Any, inputs: Any, targets: Any, loss: Any, optimizer: Any) -> Any:
        optimizer.zero_grad()
        value = loss(model(inputs), targets)
        value.backward()
        if kind == "double-backward":
            value = loss(model(inputs), targets)
            value.backward()  # gradients accumulate
        optimizer.step()
        if kind == "double-step":
            optimizer.step()
        return value

    return step


@click.command(name="verify-torch")
@click.argument("path", required=False, type=click.Path(exists=True, dir_okay=False))
@click.option("--float32", is_flag=True, help="Run the PyTorch step in float32 (tolerance 1e-4 instead of 1e-9).")
@click.option(
    "--inject",
    type=click.Choice(INJECTIONS),
    default="none",
    show_default=True,
    help="Plant a bug in the PyTorch step to see how the report finds it.",
)
@click.option(
    "--optimizer",
    type=click.Choice(optimizer_names()),
    default="sgd",
    show_default=True,
    help="The torch.optim optimizer of the step (its buffers are compared too).",
)
@click.option("--lr", "learning_rate", type=float, default=None, help="Learning rate η (default: the file's).")
@click.option("--momentum", type=float, default=None, help="μ in [0, 1) for momentum and nesterov (default 0.9).")
@click.option("--weight-decay", type=float, default=0.0, show_default=True, help="Weight decay λ ≥ 0.")
@click.option("--full", is_flag=True, help="Show every compared value, not only the first disagreeing ones.")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="json: the whole report as one JSON object (for CI).",
)
def verify_torch(
    path: str | None,
    float32: bool,
    inject: str,
    optimizer: str,
    learning_rate: float | None,
    momentum: float | None,
    weight_decay: float,
    full: bool,
    output_format: str,
) -> None:
    """Train one step of PATH in PyTorch, record it with hooks and autograd, and report every value
    (net_h1, delta_o1, dE_total/dw5, w5+ …) that differs from stepgrad.

    PATH is a network file (default: the classic example), or your own script.py that defines
    model, optimizer, inputs, targets, loss_fn and optionally step() (see "Verify a PyTorch step"
    in the documentation's engineer guide).

    Exit code 0 when all agree, 1 when some differ, 2 when the step cannot be checked.
    """
    try:
        import torch  # noqa: F401 - only to say clearly that it is missing
    except ImportError as error:  # pragma: no cover - torch is an optional extra
        raise StepgradError("verify-torch needs PyTorch: pip install torch") from error
    if path is not None and path.endswith(".py"):
        from stepgrad.interop.torch_script import verify_script

        try:
            report = verify_script(path)
        except StepgradError as error:
            raise error.with_source(path) from None
        except Exception as error:  # a model stepgrad trips over: one line, never a traceback
            raise StepgradError(f"cannot check this step: {type(error).__name__}: {error}", source=path) from None
    else:
        report = _network_file_report(path, float32, inject, optimizer, learning_rate, momentum, weight_decay)
    if output_format == "json":
        click.echo(json.dumps(report.to_dict(), indent=2))
    else:
        click.echo(report.to_text(full=full), nl=False)
    if not report.ok:
        sys.exit(1)


def _network_file_report(
    path: str | None,
    float32: bool,
    inject: str,
    optimizer: str,
    learning_rate: float | None,
    momentum: float | None,
    weight_decay: float,
) -> Any:
    """The report of a network file's step (default: the classic example), run in PyTorch."""
    import torch

    from stepgrad.interop.torch import to_torch
    from stepgrad.interop.torch_step import verify_torch_step
    from stepgrad.network import classic_setup
    from stepgrad.network.files import load_setup
    from stepgrad.training.inputs import check_positive_finite

    setup = classic_setup() if path is None else load_setup(path)
    if setup.regularization:
        # stepgrad's l1/l2 are terms of the loss on the weights only; torch.optim has no L1, and its
        # weight_decay decays the biases too: a step without them would check something else than the file
        raise StepgradError(
            "the file's l1/l2 regularization has no torch.optim counterpart (no L1; weight_decay also decays "
            "the biases); remove l1 and l2 from the file to check its plain step, or give --weight-decay for "
            "PyTorch's own decay",
            setup.source,
        )
    dtype = torch.float32 if float32 else torch.float64
    model = to_torch(setup.network).to(dtype)
    step = _inject(inject, model)
    rate = setup.learning_rate if learning_rate is None else learning_rate
    # the checks fit, train and explain make, before torch sees the numbers
    check_positive_finite(rate, "the learning rate")
    checked = get_optimizer(
        optimizer, weight_decay=weight_decay, **({} if momentum is None else {"momentum": momentum})
    )
    torch_optimizer = _torch_optimizer(checked, [p for p in model.parameters() if p.requires_grad], rate)
    inputs = torch.tensor(setup.inputs, dtype=dtype)
    targets = torch.tensor(setup.targets, dtype=dtype)
    return verify_torch_step(
        model, inputs, targets, setup.network.loss, torch_optimizer, step=step, reduction=setup.network.reduction
    )
