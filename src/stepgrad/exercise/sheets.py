"""The pages of an exercise: question sheet (Markdown, HTML), blank answers template, answer key.

The sheet lists the given numbers and every value to compute, grouped the way
the derivation works; the key is the full derivation rendered by
``stepgrad.render``; the template lists every asked name with a blank value.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from html import escape

from stepgrad.check.compare import Checker
from stepgrad.check.recompute import Table
from stepgrad.derivations.step import Derivation
from stepgrad.exercise.ask import DEFAULT_ASK, asked_names
from stepgrad.exercise.generate import DECIMALS
from stepgrad.exercise.moodle import QuizPart, moodle_quiz
from stepgrad.functions import get_activation, get_loss
from stepgrad.network import value_names
from stepgrad.network.model import Setup

SECTIONS: dict[str, str] = {
    "net": "Forward pass",
    "out": "Forward pass",
    "error": "Errors",
    "error_total": "Errors",
    "update": "Updates",
    "net_new": "After the update",
    "out_new": "After the update",
    "error_new": "After the update",
    "error_total_new": "After the update",
}
BACKWARD = "Backward pass"
SECTION_ORDER = ("Forward pass", "Errors", BACKWARD, "Updates", "After the update")


#: The question sheet's style: readable width, the diagram scaled to fit it, a ruled table of given numbers.
SHEET_CSS = (
    "body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;line-height:1.45}"
    "figure{margin:1.5rem 0}"
    "figure svg{display:block;max-width:100%;height:auto}"
    "table{border-collapse:collapse}"
    "th{text-align:left;padding:0.2rem 0.8rem;border-bottom:2px solid #888}"
    "td{padding:0.15rem 0.8rem;border-bottom:1px solid #ddd}"
    "td:nth-child(2),th:nth-child(2){text-align:right;font-variant-numeric:tabular-nums}"
    "code{font-family:ui-monospace,monospace;font-size:0.95em}"
    "h3{margin-bottom:0.3rem}"
    "h3+p{margin-top:0;line-height:1.9}"
)
#: How to give the values: the same words on the sheet, in the answers file and in the Moodle quiz.
INSTRUCTION = f"Give every value to {DECIMALS} decimals; carrying your own rounded values forward is fine."


def asked_sections(asked: list[str], table: Table) -> list[tuple[str, list[str]]]:
    """The asked names grouped into the derivation's sections, each section once (the derivation puts
    each update right after its gradient; the sheet asks for all gradients, then all updates)."""
    grouped: dict[str, list[str]] = {}
    for name in asked:
        grouped.setdefault(SECTIONS.get(table[name].kind, BACKWARD), []).append(name)
    return [(section, grouped[section]) for section in SECTION_ORDER if section in grouped]


def key_number(value: float, decimals: int = DECIMALS) -> str:
    """A key's value as the sheet asks for it: ``decimals`` decimals, never ``-0.0000``."""
    text = f"{value:.{decimals}f}"
    return text[1:] if float(text) == 0 and text.startswith("-") else text


def _number(value: float) -> str:
    return f"{value:g}".replace("-", "−")


@dataclass
class Exercise:
    """One exercise: its setup and the pages made from it.

    Attributes:
        setup: the network, its one sample and learning rate.
        title: e.g. ``Exercise 1 (seed 7)``.
        ask: what the sheet asks (``stepgrad.exercise.ask``: groups or value names).
    """

    setup: Setup
    title: str = "Exercise"
    ask: str = DEFAULT_ASK

    @cached_property
    def checker(self) -> Checker:
        """The checker (and so the trace and the asked names) of this exercise."""
        return Checker(self.setup)

    @property
    def asked(self) -> list[str]:
        """Every value the learner computes, in the sheet's order: by section, derivation order within each."""
        return [name for _, names in self.sections() for name in names]

    def sections(self) -> list[tuple[str, list[str]]]:
        """The asked names by section of the derivation (forward pass, errors, backward pass, updates, after)."""
        output_neurons = self.checker.trace.names.neurons[-1]
        chosen = asked_names(self.ask, self.checker.asked(), self.checker.table, output_neurons)
        return asked_sections(chosen, self.checker.table)

    def given_rows(self) -> list[tuple[str, str, str]]:
        """``(name, value, what it is)`` for every given number."""
        trace = self.checker.trace
        names, values = trace.names, self.checker.expected
        rows = [(name, _number(values[name]), "input") for name in names.inputs]
        rows += [
            (value_names.target(o), _number(values[value_names.target(o)]), f"target of {o}") for o in names.neurons[-1]
        ]
        for weight in names.all_weights():
            edge = f"{names.sources(weight.layer)[weight.source]} → {names.neurons[weight.layer][weight.neuron]}"
            rows.append((weight.name, _number(values[weight.name]), edge))
        for bias in names.all_biases():
            layer = self.setup.network.layers[bias.layer]
            neurons = names.neurons[bias.layer]
            into = ", ".join(neurons) if len(names.biases[bias.layer]) == 1 else neurons[bias.index]
            state = "trained" if layer.trains_bias else "frozen"
            rows.append((bias.name, _number(values[bias.name]), f"bias of {into} ({state})"))
        return rows

    def description(self) -> list[str]:
        """Sentences describing the network and the task."""
        network = self.setup.network
        layers = ", ".join(
            f"layer {index + 1}: {layer.n_out} {layer.activation} neuron{'s' if layer.n_out > 1 else ''} "
            f"({get_activation(layer.activation).formula})"
            for index, layer in enumerate(network.layers)
        )
        loss = get_loss(network.loss)
        return [
            f"A network with {network.n_inputs} inputs; {layers}.",
            f"Error: {network.loss}, {loss.formula}, summed over the outputs: E_total = Σ E_o.",
            f"Do one step of gradient descent with learning rate η = {_number(self.setup.learning_rate)}: "
            "w+ = w − η·dE_total/dw, every gradient computed with the weights before the update.",
            INSTRUCTION,
        ]

    # ------------------------------------------------------------------ pages
    def diagram_svg(self) -> str:
        """The network diagram, labelled with the given numbers (from ``stepgrad.render.diagram``)."""
        from stepgrad.render.diagram import network_svg

        return network_svg(self.setup.network, values=None)

    def question_markdown(self, diagram_file: str = "network.svg") -> str:
        """The question sheet in Markdown; the diagram is the SVG file beside it."""
        lines = [f"# {self.title}", "", *self.description(), "", f"![the network]({diagram_file})", ""]
        lines += ["## Given", "", "| name | value | what |", "|---|---|---|"]
        lines += [f"| `{name}` | {value} | {what} |" for name, value, what in self.given_rows()]
        lines += ["", "## Compute", ""]
        for section, names in self.sections():
            lines.append(f"**{section}:** " + ", ".join(f"`{name}`" for name in names))
            lines.append("")
        lines.append(
            "Write your values into `answers.txt` and check them with `stepgrad check network.toml answers.txt`."
        )
        return "\n".join(lines) + "\n"

    def question_html(self) -> str:
        """The question sheet as one self-contained HTML page, the SVG diagram inline."""
        rows = "".join(
            f"<tr><td><code>{escape(name)}</code></td><td>{escape(value)}</td><td>{escape(what)}</td></tr>"
            for name, value, what in self.given_rows()
        )
        sections = "".join(
            f"<h3>{escape(section)}</h3><p>" + ", ".join(f"<code>{escape(n)}</code>" for n in names) + "</p>"
            for section, names in self.sections()
        )
        text = "".join(f"<p>{escape(sentence)}</p>" for sentence in self.description())
        return (
            '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{escape(self.title)}</title><style>{SHEET_CSS}</style></head><body>\n"
            f"<h1>{escape(self.title)}</h1>{text}\n<figure>{self.diagram_svg()}</figure>\n"
            f"<h2>Given</h2><table><tr><th>name</th><th>value</th><th>what</th></tr>{rows}</table>\n"
            f"<h2>Compute</h2>{sections}\n</body></html>\n"
        )

    def answers_template(self, values: dict[str, float] | None = None) -> str:
        """The answers file: every asked name with a blank value (or ``values``, for the key)."""
        lines = [
            f"# {self.title}: your answers, one `name = value` per line.",
            f"# {INSTRUCTION}",
            "# Leave a line blank if you did not compute it. Check with:",
            "#   stepgrad check network.toml answers.txt",
        ]
        for section, names in self.sections():
            lines += ["", f"# {section}"]
            lines += [f"{name} = {key_number(values[name]) if values else ''}".rstrip() for name in names]
        return "\n".join(lines) + "\n"

    def key_values(self) -> str:
        """The answers file filled in with the values rounded as the sheet asks (``key_number``)."""
        return self.answers_template(self.checker.expected)

    @cached_property
    def derivation(self) -> Derivation:
        """The full derivation, the answer key's content."""
        from stepgrad.derivations.derivation import explain_setup

        return explain_setup(self.setup, title=f"Answer key: {self.title}")

    def key_diagram_svg(self) -> str:
        """The diagram with every value of the step, for the key (``key.svg``)."""
        from stepgrad.render.markdown import diagram_svg

        return diagram_svg(self.derivation)

    def key(self, fmt: str, diagram_file: str = "key.svg") -> str:
        """The answer key: the full derivation in ``fmt``. Markdown links ``diagram_file`` (GitHub drops
        ``data:`` images); HTML embeds the diagram and stays one self-contained file."""
        from stepgrad.render import render

        if fmt == "markdown":
            return render(self.derivation, fmt, diagram_src=diagram_file)
        return render(self.derivation, fmt)

    def moodle_questions(self) -> QuizPart:
        """This exercise's Moodle questions: every asked value, the given numbers and the diagram."""
        given = "".join(
            f"<tr><td>{escape(name)}</td><td>{escape(value)}</td><td>{escape(what)}</td></tr>"
            for name, value, what in self.given_rows()
        )
        given_html = "".join(f"<p>{escape(s)}</p>" for s in self.description()[:3]) + f"<table>{given}</table>"
        formulas = {name: self.checker.table[name].formula for name in self.asked}
        bounds = self.checker.rounding_bounds(DECIMALS)
        return QuizPart(
            self.title, self.asked, self.checker.expected, given_html, self.diagram_svg(), formulas, bounds, INSTRUCTION
        )

    def moodle(self) -> str:
        """The Moodle XML quiz of this exercise."""
        return moodle_quiz(self.moodle_questions())
