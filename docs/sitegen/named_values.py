"""The named-values reference: every name of a derivation, how it is written, what it holds.

Built from the core's own names (``Trace.values``) on the classic example and on a network with
two hidden layers, with each value's title from the derivation that computes it.
"""

from __future__ import annotations

from html import escape

import numpy as np

import stepgrad
from stepgrad.check.names import canonical_name
from stepgrad.derivations.notation import latex_name
from stepgrad.derivations.step import Derivation, format_number
from stepgrad.render.html import mathml
from stepgrad.training import create_network

#: How learners write names, each read back by ``stepgrad.check.names.canonical_name`` at build time.
SPELLINGS = ["o1_out", "outO1", "out_{o1}", "dEtotal/dw5", "∂E/∂w5", "dE/dnet_o1", "δ_o1", "w5_new", "new w5", "Etotal"]


def two_hidden_layers() -> Derivation:
    """A 2-2-2-1 network (tanh, tanh, sigmoid; one bias per neuron) on one sample, seeded."""
    network = create_network([2, 2, 2, 1], activation="tanh", output_activation="sigmoid", rng=np.random.default_rng(0))
    return stepgrad.explain(network, [[0.05, 0.10]], [[1.0]], learning_rate=0.5)


def _given(name: str, derivation: Derivation) -> str:
    names = derivation.trace.names
    if name in names.inputs:
        return "an input"
    if name.startswith("target_"):
        return "a target"
    if name in {weight.name for weight in names.all_weights()}:
        return "a weight (given)"
    return "a bias (given)"


def values_table(derivation: Derivation) -> str:
    """One row per named value: the name as code, as notation, what computes it, the value."""
    titles = {step.name: step.title for step in derivation.steps}
    rows = []
    for name, value in derivation.values.items():
        what = titles.get(name) or _given(name, derivation)
        cells = [
            f"<code>{escape(name)}</code>",
            mathml(latex_name(name), name, display="inline"),
            escape(what),
            escape(format_number(value)),
        ]
        rows.append("<tr>" + "".join(f"<td>{cell}</td>" for cell in cells) + "</tr>")
    head = "<tr><th>name</th><th>written</th><th>what it is</th><th>value</th></tr>"
    return f"<table>\n<thead>{head}</thead>\n<tbody>\n" + "\n".join(rows) + "\n</tbody>\n</table>"


def spellings_table() -> str:
    rows = "\n".join(f"| `{written}` | `{canonical_name(written)}` |" for written in SPELLINGS)
    return "| you write | stepgrad reads |\n|---|---|\n" + rows


def named_values_markdown() -> str:
    classic = stepgrad.explain()
    deep = two_hidden_layers()
    return "\n".join(
        [
            "# Named values",
            "",
            "Every number of a training step has a name, the same in the derivation, in the JSON "
            "output, in `Trace.values()`, in answer files and in the page. This page is generated "
            "from the core (`docs/sitegen/named_values.py`) when the site is built.",
            "",
            "Neurons are `h1, h2, …` (one hidden layer) or `h1_1, h1_2, h2_1, …` (layer, neuron), "
            "outputs `o1, o2, …`; weights `w1, w2, …` in forward order (layer by layer, neuron by "
            "neuron, input by input); biases `b1, b2, …` (one per layer when shared, one per neuron "
            "otherwise). A `+` marks a value after the update.",
            "",
            "## How you may write them",
            "",
            "Answer files are read the way the derivation reads names, so case, spaces, braces, "
            "sub- and superscripts and word order do not matter:",
            "",
            spellings_table(),
            "",
            f"## The classic example ({len(classic.values)} values)",
            "",
            values_table(classic),
            "",
            f"## Two hidden layers: 2-2-2-1 ({len(deep.values)} values)",
            "",
            "tanh hidden layers, a sigmoid output, one bias per neuron (trained), seeded weights, "
            "inputs (0.05, 0.10), target 1, η = 0.5.",
            "",
            values_table(deep),
            "",
        ]
    )
