"""The report of ``verify_torch_step``: every compared value under stepgrad's name and PyTorch's,
the problems that are not a wrong number (a cut graph, a parameter the optimizer does not hold),
and the forward passes that were ignored. Short text by default, everything with ``full=True``,
a plain dict for JSON.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

STAGES = ("forward", "error", "backward", "gradient", "update", "after")
DIAGNOSES = {
    "forward": "the forward pass differs: a module computes something other than Linear + its activation",
    "error": "the forward pass agrees but the loss differs: the loss is not the one given",
    "backward": "the forward pass agrees but the backward pass does not: a module's backward "
    "(e.g. a custom autograd.Function) computes the wrong derivative",
    "gradient": "the deltas agree but the parameter gradients do not: gradients accumulated over several "
    "backward calls (a missing zero_grad?) or were changed after backward",
    "update": "the gradients agree but the update does not: the optimizer did something other than its "
    "rule (learning rate, momentum, weight decay, gradient clipping, a second step?)",
    "after": "the new parameters agree but the new error does not",
}
SHORT_ROWS = 15
MAX_ACCUMULATED = 1000  # more backward calls than this is not a plausible accumulation count


@dataclass(frozen=True)
class ValueComparison:
    """One named value: what PyTorch recorded, what stepgrad computed, and whether they agree.

    ``torch_name`` says where the value lives in PyTorch (``model.fc2.weight.grad[0, 3]``);
    ``before`` is a parameter's value before the step (update stage only).
    """

    name: str
    stage: str
    torch: float
    stepgrad: float
    agrees: bool
    torch_name: str = ""
    before: float | None = None

    @property
    def difference(self) -> float:
        """``torch − stepgrad``."""
        return self.torch - self.stepgrad


@dataclass(frozen=True)
class Problem:
    """Something wrong that is not a number: a cut graph, a parameter outside the optimizer."""

    stage: str
    place: str
    message: str


@dataclass(frozen=True)
class TorchStepReport:
    """The comparison of one PyTorch step with stepgrad's trace.

    Attributes:
        comparisons: every compared value in the order a person works the step.
        trace: stepgrad's trace of the step.
        batch_size: samples in the step.
        rtol, atol: a value agrees when ``|torch − stepgrad| ≤ atol + rtol·|stepgrad|``.
        optimizer: the update rule(s) the step was checked against, e.g. ``adam (η = 0.01)``.
        problems: what is wrong without being a wrong number (a cut graph …).
        ignored: the forward passes that no backward went through (validation passes …).
        chain: the model as read, ``model.fc1 → relu (model.act1) → model.fc2``.
        causes: a sharper likely cause per stage, where one is known (a double softmax …).
        notes: what the step did that stepgrad followed (gradient clipping …).
    """

    comparisons: tuple[ValueComparison, ...]
    trace: Any
    batch_size: int
    rtol: float
    atol: float
    optimizer: str = "sgd"
    problems: tuple[Problem, ...] = ()
    ignored: tuple[str, ...] = ()
    chain: str = ""
    causes: tuple[tuple[str, str], ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        """True when every value agrees and nothing else is wrong."""
        return not self.problems and all(c.agrees for c in self.comparisons)

    @property
    def mismatches(self) -> list[ValueComparison]:
        """The values that disagree, in derivation order."""
        return [c for c in self.comparisons if not c.agrees]

    @property
    def first_mismatch(self) -> ValueComparison | None:
        """The first value that disagrees: where to start looking."""
        mismatches = self.mismatches
        return mismatches[0] if mismatches else None

    @property
    def first_stage(self) -> str | None:
        """The earliest stage at which something is wrong (a problem or a value)."""
        stages = [p.stage for p in self.problems] + [c.stage for c in self.mismatches]
        return min(stages, key=STAGES.index) if stages else None

    @property
    def first_problem(self) -> Problem | None:
        """The problem to report first: one at the earliest wrong stage, before any value there."""
        stage = self.first_stage
        return next((p for p in self.problems if p.stage == stage), None)

    @property
    def diagnosis(self) -> str | None:
        """What the first disagreement points to, or None when all agree."""
        problem = self.first_problem
        if problem is not None:
            return problem.message
        first = self.first_mismatch
        if first is None:
            return None
        outputs = int(self.trace.output.out.shape[-1])
        return (
            dict(self.causes).get(first.stage)
            or _sharper_cause(first, self.batch_size, outputs)
            or DIAGNOSES[first.stage]
        )

    def to_text(self, full: bool = False) -> str:
        """The verdict, the first wrong value with its stage and likely cause, and a table of at most
        15 disagreeing values (``full``: every compared value)."""
        total, bad = len(self.comparisons), self.mismatches
        lines = [
            f"PyTorch step vs stepgrad: {total} values compared (batch of {self.batch_size}, {self.optimizer}; "
            f"tolerance rtol {self.rtol:g}, atol {self.atol:g})"
        ]
        if self.chain:
            lines.append(f"model: {self.chain}")
        lines += [f"ignored: {passed}" for passed in self.ignored]
        lines += [f"note: {note}" for note in self.notes]
        rows = list(self.comparisons) if full else bad[:SHORT_ROWS]
        if self.ok:
            if full:
                lines += ["", *_table(rows), ""]
            return "\n".join([*lines, f"all {total} values agree"]) + "\n"
        problem = self.first_problem
        if problem is not None:
            lines.append(f"verdict: {problem.message} ({problem.stage})")
            lines += [f"also: {p.message} ({p.stage})" for p in self.problems if p is not problem]
            if bad:
                lines.append(f"{len(bad)} values disagree too; the first is {bad[0].name} ({bad[0].stage})")
        else:
            first = bad[0]
            where = f" = {first.torch_name}" if first.torch_name else ""
            lines.append(f"{len(bad)} disagree; the first is {first.name} ({first.stage}){where}")
            lines.append(f"likely cause: {self.diagnosis}")
        if rows:
            lines += ["", *_table(rows)]
            if not full and len(bad) > len(rows):
                lines.append(f"… {len(bad) - len(rows)} more disagree (--full shows every value)")
        return "\n".join(lines) + "\n"

    def to_dict(self) -> dict[str, Any]:
        """Everything, as plain data for ``json.dumps``."""
        first = self.first_mismatch
        return {
            "ok": self.ok,
            "values": len(self.comparisons),
            "disagree": len(self.mismatches),
            "batch_size": self.batch_size,
            "optimizer": self.optimizer,
            "rtol": self.rtol,
            "atol": self.atol,
            "model": self.chain,
            "stage": self.first_stage,
            "likely_cause": self.diagnosis,
            "first": None if first is None else _row(first),
            "problems": [{"stage": p.stage, "place": p.place, "message": p.message} for p in self.problems],
            "ignored": list(self.ignored),
            "notes": list(self.notes),
            "comparisons": [_row(c) for c in self.comparisons],
        }

    def __str__(self) -> str:
        return self.to_text()


def _row(c: ValueComparison) -> dict[str, Any]:
    return {
        "name": c.name,
        "torch_name": c.torch_name,
        "stage": c.stage,
        "torch": _plain(c.torch),
        "stepgrad": _plain(c.stepgrad),
        "agrees": c.agrees,
    }


def _plain(value: float) -> float | str:
    return value if value == value and abs(value) != float("inf") else str(value)  # JSON has no nan


def _table(rows: list[ValueComparison]) -> list[str]:
    width = max(len("value"), *(len(c.name) for c in rows))
    where = max(len("in PyTorch"), *(len(c.torch_name) for c in rows))
    lines = [
        f"{'value':<{width}}  {'in PyTorch':<{where}}  {'stage':<9}  {'torch':>16}  {'stepgrad':>16}  "
        f"{'torch − stepgrad':>16}"
    ]
    for c in rows:
        lines.append(
            f"{c.name:<{width}}  {c.torch_name:<{where}}  {c.stage:<9}  {c.torch:>16.9g}  "
            f"{c.stepgrad:>16.9g}  {c.difference:>16.3g}"
        )
    return lines


def _sharper_cause(first: ValueComparison, batch: int, outputs: int) -> str | None:
    """A cause the numbers themselves point to: an update the wrong way, a gradient k times too big or
    too small, a loss reduced another way."""
    if first.stage == "update" and first.before is not None:
        step_torch, step_ours = first.torch - first.before, first.stepgrad - first.before
        if step_ours and abs(step_torch + step_ours) <= 0.01 * abs(step_ours):
            return (
                "the update goes the wrong way: the parameter moved by −(what the optimizer's rule gives), "
                "w + η·g instead of w − η·g (a sign in a manual update?)"
            )
    if first.stage in ("gradient", "backward") and first.stepgrad and np.isfinite(first.torch):
        ratio = first.torch / first.stepgrad
        if abs(ratio - round(ratio)) < 1e-4 and 2 <= round(ratio) <= MAX_ACCUMULATED:
            if first.stage == "backward":
                return (
                    f"the gradient reaching the output is {round(ratio)} × the returned loss's: the loss that "
                    "was backpropagated is larger than the one returned (micro-batch losses not divided by "
                    "their number?)"
                )
            return (
                f"the gradient is {round(ratio)} × the step's: gradients accumulated over {round(ratio)} "
                "backward calls (a missing zero_grad?)"
            )
    return _reduction_cause(first, batch, outputs)


def _reduction_cause(first: ValueComparison, batch: int, outputs: int) -> str | None:
    """A loss, or the gradient reaching the output, ``1/k`` (or ``k``) times stepgrad's: reduced another way.

    Only a factor a reduction can make counts: the batch size, the number of outputs or their product
    (to 1e-4); any other ratio (a clamped log's 1e12 against 4.5e307) is not a reduction.
    """
    if first.stage not in ("error", "backward") or not first.stepgrad or not np.isfinite(first.torch):
        return None
    ratio = first.torch / first.stepgrad
    if ratio <= 0:
        return None
    factor = 1 / ratio if ratio < 1 else ratio
    k = next((k for k in (batch, outputs, batch * outputs) if k >= 2 and abs(factor - k) <= 1e-4 * k), None)
    if k is None:
        return None
    times = f"1/{k} of" if ratio < 1 else f"{k} ×"
    note = _factor_note(k, batch, outputs)
    if first.stage == "error":
        return (
            f"the loss the step returned is {times} the declared loss's{note}: reduced another way than "
            "loss_fn (mean where it sums, or sum where it averages?)"
        )
    return (
        f"the gradient reaching the output is {times} the returned loss's{note}: backward ran on a loss "
        "scaled differently (divided by the batch size although the loss is a sum?)"
    )


def _factor_note(k: int, batch: int, outputs: int) -> str:
    """`` (32 = the batch size)``, `` (3 = the number of outputs)``, `` (40 = batch 20 × 2 outputs)``."""
    if k == batch:
        return f" ({k} = the batch size)"
    if k == outputs:
        return f" ({k} = the number of outputs)"
    return f" ({k} = batch {batch} × {outputs} outputs)"
