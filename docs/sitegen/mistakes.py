"""The mistakes reference: every family the diagnosis can name, each with an example worked out.

The families are ``stepgrad.check.mistakes.MISTAKES``; an example is the first step of a network
where ``stepgrad.check.mutations`` applies that mistake: the right formula and value, the wrong
formula and the value it gives (from the right earlier values). The networks tried, in order:
the classic example, tanh with one bias per neuron, ReLU into softmax with cross-entropy, the classic
example with L1 regularization, SiLU and ELU hidden layers (their own wrong derivatives).
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

import numpy as np

import stepgrad
from stepgrad.check import check_answers
from stepgrad.check.mistakes import MISTAKES
from stepgrad.check.mutations import mutations
from stepgrad.check.recompute import Context, build_table, slots
from stepgrad.derivations.step import format_number
from stepgrad.network.model import Regularization
from stepgrad.training import create_network


@dataclass(frozen=True)
class Example:
    """One mistake applied to one step: where, the right rule and value, the wrong rule and value."""

    network: str
    step: str
    right_formula: str
    right_value: float
    wrong_formula: str
    wrong_value: float


def _traces() -> list[tuple[str, stepgrad.Trace]]:
    classic = stepgrad.classic_setup()
    rng = np.random.default_rng(0)
    tanh = create_network([2, 2, 2], activation="tanh", output_activation="sigmoid", rng=rng)
    relu = create_network(
        [2, 3, 3], activation="relu", output_activation="softmax", loss="cross_entropy", rng=np.random.default_rng(1)
    )
    silu = create_network([2, 2, 2], activation="silu", output_activation="sigmoid", rng=np.random.default_rng(2))
    elu = create_network([2, 2, 2], activation="elu", output_activation="sigmoid", rng=np.random.default_rng(3))
    return [
        ("the classic example", stepgrad.train_step(classic.network, classic.inputs, classic.targets, 0.5)),
        ("2-2-2 tanh → sigmoid, one bias per neuron", stepgrad.train_step(tanh, [[0.05, 0.10]], [[0.01, 0.99]], 0.5)),
        ("2-3-3 ReLU → softmax, cross-entropy", stepgrad.train_step(relu, [[0.5, -0.2]], [[0.0, 1.0, 0.0]], 0.5)),
        (
            "the classic example with L1 regularization λ1 = 0.01",
            stepgrad.train_step(
                classic.network, classic.inputs, classic.targets, 0.5, regularization=Regularization(l1=0.01)
            ),
        ),
        ("2-2-2 SiLU → sigmoid", stepgrad.train_step(silu, [[0.5, -0.2]], [[0.01, 0.99]], 0.5)),
        ("2-2-2 ELU → sigmoid", stepgrad.train_step(elu, [[-1.0, -2.0]], [[0.01, 0.99]], 0.5)),
    ]


def examples() -> dict[str, Example]:
    """The first example of each mistake the mutations make, over the networks in order."""
    found: dict[str, Example] = {}
    for label, trace in _traces():
        ctx = Context.from_trace(trace)
        values = trace.values(0)
        table = build_table(ctx)
        rules = list(table.values())
        for slot, rule in zip(slots(ctx), rules, strict=True):
            for mutation in mutations(ctx, slot, rule):
                if mutation.mistake in found:
                    continue
                with np.errstate(all="ignore"):
                    wrong = float(mutation.rule.evaluate([values[name] for name in mutation.rule.inputs]))
                if not np.isfinite(wrong) or np.isclose(wrong, values[rule.name]):
                    continue
                found[mutation.mistake] = Example(
                    label, rule.name, rule.formula, values[rule.name], mutation.rule.formula, wrong
                )
    return found


#: Answers on the classic example for the mistakes found outside the formula search (a keystroke, rounding,
#: a sign convention): ``stepgrad check`` is run on each at build time and must name the mistake.
CHECKED: dict[str, dict[str, str]] = {
    "slip": {"net_h1": "0.3775", "out_h1": "0.5393", "out_h2": "0.5969", "net_o1": "1.1059", "out_o1": "0.7514"},
    "rounded_too_early": {"net_h1": "0.4", "out_h1": "0.5987", "net_o1": "1.1085"},
    "convention_mixed": {"delta_o1": "-0.1385", "dE_total/dw5": "0.0822", "w5+": "0.4411"},
}


def checked_example(name: str) -> str:
    """The answers of ``CHECKED[name]`` and what ``check_answers`` says about them (it must name ``name``)."""
    answers = CHECKED[name]
    report = check_answers(answers)
    diagnosis = next((found for found in report.diagnoses if found.mistake == name), None)
    if diagnosis is None:
        raise AssertionError(f"stepgrad check no longer names {name} on its example: {report.diagnoses}")
    written = "".join(f"{key} = {value}\n" for key, value in answers.items())
    said = diagnosis.title + (f": {diagnosis.detail}" if diagnosis.detail else "")
    return (
        "<p>On the classic example, these answers</p>\n"
        f"<pre><code>{escape(written)}</code></pre>\n<p>get from <code>stepgrad check</code>: "
        f"<em>{escape(said)}</em></p>"
    )


def _example_html(example: Example) -> str:
    return (
        f"<p>On {escape(example.network)}, step <code>{escape(example.step)}</code>:</p>\n"
        f"<table>\n<tr><th>right</th><td><code>{escape(example.right_formula)}</code></td>"
        f"<td>{escape(format_number(example.right_value))}</td></tr>\n"
        f"<tr><th>this mistake</th><td><code>{escape(example.wrong_formula)}</code></td>"
        f"<td>{escape(format_number(example.wrong_value))}</td></tr>\n</table>"
    )


def mistakes_markdown() -> str:
    found = examples()
    parts = [
        "# Mistakes the diagnosis names",
        "",
        f"`stepgrad check` names {len(MISTAKES)} families of mistakes (`stepgrad.check.mistakes`). This "
        "page is generated from that registry when the site is built; each example is the first step "
        "where the checker's own search applies the mistake (`stepgrad.check.mutations`), computed "
        "from the right earlier values. The search prefers the simplest explanation: a common "
        "conceptual mistake costs 1, a rarer one 2, a keystroke slip 3.",
    ]
    for name, mistake in MISTAKES.items():
        parts += ["", f"## {mistake.title}", "", f"`{name}` · step: {mistake.step} · cost {mistake.cost}", ""]
        parts += [mistake.explanation, ""]
        parts.append(_example_html(found[name]) if name in found else checked_example(name))
    return "\n".join(parts) + "\n"
