"""Check the training step of the user's own PyTorch script.

The contract: the script defines at module level

* ``model``: a ``torch.nn.Module`` (a chain of ``Linear`` layers and activations, see ``read_chain``);
* ``optimizer``: ``torch.optim.SGD``, ``Adam`` or ``AdamW`` over the model's parameters;
* ``inputs`` ``(B, n_inputs)`` and ``targets`` ``(B, n_outputs)`` or ``(B,)``: one batch;
* ``loss_fn``: ``nn.MSELoss``, ``CrossEntropyLoss``, ``BCEWithLogitsLoss`` or ``BCELoss``
  (reduction ``mean`` or ``sum``);
* optionally ``step()``: one training step as the script runs it (zero_grad, forward, loss,
  backward, optimizer.step(), whatever else), returning the loss. Without it, the textbook step
  runs: ``optimizer.zero_grad(); loss_fn(model(inputs), targets).backward(); optimizer.step()``.

The script is run with ``__name__ == "__stepgrad__"``, so an ``if __name__ == "__main__":``
training loop does not run. Whatever the script raises becomes one ``StepgradError`` naming the
script and the exception.
"""

from __future__ import annotations

import runpy
from collections.abc import Callable
from pathlib import Path
from typing import Any

from stepgrad.errors import StepgradError
from stepgrad.interop.torch_report import TorchStepReport
from stepgrad.interop.torch_step import default_step, verify_torch_step

REQUIRED = ("model", "optimizer", "inputs", "targets", "loss_fn")


def _raised(path: str, when: str, error: BaseException) -> StepgradError:
    message = str(error).strip().splitlines()[0] if str(error).strip() else ""
    said = f"{type(error).__name__}: {message}" if message else type(error).__name__
    return StepgradError(f"the script raised {said} ({when})", source=path)


def load_script(path: str | Path) -> dict[str, Any]:
    """Run the script and return its module-level names, checked against the contract."""
    import torch

    path = str(path)
    try:
        names = runpy.run_path(path, run_name="__stepgrad__")
    except (KeyboardInterrupt, StepgradError):
        raise
    except BaseException as error:  # the user's code: anything, SystemExit included, is one line
        raise _raised(path, "while importing it", error) from None
    missing = [name for name in REQUIRED if name not in names]
    if missing:
        raise StepgradError(
            f"the script does not define {', '.join(missing)}; a script for verify-torch defines "
            f"{', '.join(REQUIRED)} at module level, and optionally step()",
            source=path,
        )
    if not isinstance(names["model"], torch.nn.Module):
        raise StepgradError(f"model is a {type(names['model']).__name__}, not a torch.nn.Module", source=path)
    if not isinstance(names["optimizer"], torch.optim.Optimizer):
        raise StepgradError(
            f"optimizer is a {type(names['optimizer']).__name__}, not a torch.optim optimizer", source=path
        )
    for name in ("inputs", "targets"):
        if not isinstance(names[name], torch.Tensor):
            raise StepgradError(f"{name} is a {type(names[name]).__name__}, not a torch.Tensor", source=path)
    if "step" in names and not callable(names["step"]):
        raise StepgradError("step is defined but is not a function", source=path)
    return names


def verify_script(path: str | Path, rtol: float | None = None, atol: float | None = None) -> TorchStepReport:
    """Import the script, run its step once with hooks, and compare every value with stepgrad's."""
    names = load_script(path)
    script_step = names.get("step")

    def step(model: Any, inputs: Any, targets: Any, loss: Callable[[Any, Any], Any], optimizer: Any) -> Any:
        try:
            if script_step is not None:
                return script_step()
            return default_step(model, inputs, targets, loss, optimizer)
        except (KeyboardInterrupt, StepgradError):
            raise
        except BaseException as error:
            raise _raised(
                str(path), "in step()" if script_step is not None else "in its training step", error
            ) from None

    return verify_torch_step(
        names["model"],
        names["inputs"],
        names["targets"],
        names["loss_fn"],
        names["optimizer"],
        step=step,
        rtol=rtol,
        atol=atol,
    )
