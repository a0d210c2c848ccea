"""Why a PyTorch step met NaN or infinity: its first non-finite value, in PyTorch's terms and stepgrad's,
and the likely cause read from stepgrad's trace of the same step (``stepgrad.core.forensics``).

Three stories, in this order:

* stepgrad's own trace is not finite either: the same value overflows in float64 (its cause is told);
* the value is finite in float64 but beyond the model's dtype (float32 overflows at 3.4e38);
* stepgrad's stable forms stay finite where the textbook form breaks in the model's dtype: a sigmoid or
  softmax output rounded to exactly 0 or 1 under a ``log``, ``e^net`` overflowing a hand-written softmax.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from stepgrad.core.forensics import first_non_finite, naive_form_breaks
from stepgrad.interop.torch_report import ValueComparison
from stepgrad.render.divergence import divergence_message, naive_break_message


def torch_divergence(
    compared: list[ValueComparison], trace: Any, dtype: Any, loss: str, skip_missing: bool
) -> tuple[str, str] | None:
    """``(stage, sentence)`` for PyTorch's first non-finite value, or None when all are finite.

    Args:
        compared: the comparisons in the derivation's order.
        trace: stepgrad's trace of the step.
        dtype: the model's NumPy dtype (``np.float32`` or ``np.float64``).
        loss: the loss as the script names it (``BCELoss``, ``cross_entropy``).
        skip_missing: only the forward pass and the loss count (a missing gradient is shown as NaN
            when the graph is cut, and is reported as such elsewhere).
    """
    stages = ("forward", "error") if skip_missing else None
    first = next(
        (c for c in compared if not math.isfinite(c.torch) and (stages is None or c.stage in stages)),
        None,
    )
    if first is None:
        return None
    dtype_name = np.dtype(dtype).name
    said = f"PyTorch's first non-finite value is {first.name} = {first.torch:g} ({first.torch_name})"
    found = first_non_finite(trace)
    if found is not None:
        return first.stage, f"{said}; in stepgrad too: {divergence_message(found)}"
    largest = float(np.finfo(dtype).max)
    if abs(first.stepgrad) > largest:
        return first.stage, (
            f"{said}, stepgrad's is {first.stepgrad:.4g}: beyond {dtype_name}'s range ({largest:.3g}); "
            "the weights or inputs are too large (lower the learning rate, or compute in float64)"
        )
    broken = naive_form_breaks(trace, dtype)
    if broken is not None:
        activation = trace.network.layers[-1].activation
        return first.stage, f"{said}: {naive_break_message(broken, activation, loss, dtype_name)}"
    return first.stage, (
        f"{said}, stepgrad's is {first.stepgrad:.4g}: the script computes it in a form that overflows "
        f"{dtype_name} (an exp or a log of its own?)"
    )


def clamped_log(compared: list[ValueComparison], trace: Any, dtype: Any, loss: str) -> tuple[str, str] | None:
    """``(stage, sentence)`` when the first disagreement comes from PyTorch's clamped log, or None.

    ``BCELoss`` (``F.binary_cross_entropy``) takes probabilities and clamps ``log`` at −100 (and its
    gradient's denominator ``out·(1 − out)`` at 1e-12): where a sigmoid output is exactly 0 or 1 in the
    model's dtype it stays finite, but its loss and gradient are not the exact ones stepgrad computes
    from ``net`` (``naive_form_breaks``).
    """
    first = next((c for c in compared if not c.agrees), None)
    broken = naive_form_breaks(trace, dtype)
    if first is None or first.stage not in ("error", "backward") or broken is None:
        return None
    if broken.cause != "saturated_log":
        return None
    neuron = broken.name.removeprefix("out_")
    sample = f" (sample {broken.sample})" if trace.batch_size > 1 else ""
    log = "log(1 − out)" if broken.rounded == 1.0 else "log(out)"
    # float64 helps only where the output is not saturated in float64 too
    fix = "BCEWithLogitsLoss" if naive_form_breaks(trace, np.float64) is not None else "BCEWithLogitsLoss or float64"
    return first.stage, (
        f"{broken.name} = {broken.rounded:.1f} in {np.dtype(dtype).name} (net_{neuron} = {broken.net:.4g}){sample}: "
        f"{loss} clamps {log} at −100, so PyTorch's loss and gradient differ from the exact ones; use {fix}"
    )
