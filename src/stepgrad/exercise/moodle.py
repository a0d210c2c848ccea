"""Moodle XML quizzes: one Cloze (embedded answers) question per exercise, the diagram stored once in it.

The structure is Moodle's documented XML import format (docs.moodle.org/en/Moodle_XML_format) with
the Cloze question type (docs.moodle.org/en/Embedded_Answers_(Cloze)_question_type)::

    <quiz>
      <question type="category"><category><text>$course$/stepgrad/…</text></category></question>
      <question type="cloze">
        <name><text>Exercise 1 (seed 7)</text></name>
        <questiontext format="html">
          <text>… <img src="@@PLUGINFILE@@/network.svg"> …
                <tr><td>net_h1</td><td>{1:NUMERICAL:=-0.194:0.000051}</td></tr> …</text>
          <file name="network.svg" path="/" encoding="base64">…</file>
        </questiontext>
        <generalfeedback format="html"><text>…</text></generalfeedback>
        <penalty>0.3333333</penalty><hidden>0</hidden>
      </question>
    </quiz>

A random question from the class's category gives a learner one whole, consistent variant, and the
diagram is stored once per variant (a 40-variant class quiz is well under 2 MB). Each embedded
``{1:NUMERICAL:=answer:tolerance}`` is one mark; Moodle's tolerance is absolute
(``|response − answer| ≤ tolerance``). The question asks what the sheet asks (``QuizPart.instruction``:
every value to 4 decimals, carrying one's own rounded values forward), and the tolerance of each value is
what ``stepgrad check`` allows such a learner: the 4-decimal rounding of every step before it followed
through to this one, plus its own rounding (``Checker.rounding_bounds``), rounded up to 2 significant
digits. The answer is the exact value to ``ANSWER_DIGITS`` significant digits. Exercises are generated so
that no tolerance reaches a non-zero value's size (``stepgrad.exercise.generate.hand_friendly``): 0 and −v
are never accepted.
"""

from __future__ import annotations

import base64
import math
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from html import escape

from stepgrad.derivations.step import format_number

#: Significant digits of a question's answer.
ANSWER_DIGITS = 6
#: Significant digits of a tolerance (rounded up).
TOLERANCE_DIGITS = 2
DIAGRAM_FILE = "network.svg"


def plain_number(value: float, digits: int) -> str:
    """``value`` to ``digits`` significant digits, without an exponent: ``-0.3208``, ``0.00000559617``."""
    text = format(Decimal(f"{value:.{digits}g}"), "f")
    return "0" if float(text) == 0 else text


def answer_text(value: float) -> str:
    """A question's answer: the exact value to ``ANSWER_DIGITS`` significant digits."""
    return plain_number(value, ANSWER_DIGITS)


def tolerance_text(bound: float, value: float) -> str:
    """A question's tolerance: ``bound`` plus what rounding the answer moved it, rounded up to 2 digits."""
    needed = bound + abs(float(answer_text(value)) - value) + 1e-12
    scale = 10.0 ** (math.floor(math.log10(needed)) - TOLERANCE_DIGITS + 1)
    return plain_number(math.ceil(needed / scale - 1e-9) * scale, TOLERANCE_DIGITS)


@dataclass(frozen=True)
class QuizPart:
    """One exercise's questions.

    Attributes:
        title: the category and question-name prefix (``Exercise 1 (seed 7)``).
        asked: the value names to ask, in derivation order.
        values: the exact values (``trace.values()``).
        given_html: the exercise's given numbers as HTML, repeated in each question.
        diagram_svg: the network diagram, stored once in the question.
        formulas: the formula of each asked name, shown as feedback.
        bounds: per asked name, how far a learner following ``instruction`` may land from it.
        instruction: how to give the values (the question sheet's words).
    """

    title: str
    asked: Sequence[str]
    values: Mapping[str, float]
    given_html: str
    diagram_svg: str
    formulas: Mapping[str, str]
    bounds: Mapping[str, float]
    instruction: str


def _text_element(parent: ET.Element, tag: str, text: str, fmt: str | None = None) -> ET.Element:
    element = ET.SubElement(parent, tag, {"format": fmt} if fmt else {})
    ET.SubElement(element, "text").text = text
    return element


def _category(quiz: ET.Element, path: str) -> None:
    category = ET.SubElement(quiz, "question", {"type": "category"})
    _text_element(category, "category", f"$course$/{path}")


def cloze_field(value: float, bound: float) -> str:
    """One embedded numerical answer worth one mark: ``{1:NUMERICAL:=0.593270:0.00011}``."""
    return f"{{1:NUMERICAL:={answer_text(value)}:{tolerance_text(bound, value)}}}"


def _question(quiz: ET.Element, part: QuizPart) -> None:
    question = ET.SubElement(quiz, "question", {"type": "cloze"})
    _text_element(question, "name", part.title)
    rows = "".join(
        f"<tr><td><code>{escape(name)}</code></td><td>{cloze_field(part.values[name], part.bounds[name])}</td></tr>"
        for name in part.asked
    )
    text = (
        f'{part.given_html}<p><img src="@@PLUGINFILE@@/{DIAGRAM_FILE}" alt="The network with its weights and '
        f'biases"></p><p>Work one training step of this network by hand. {escape(part.instruction)}</p>'
        f"<table>{rows}</table>"
    )
    questiontext = _text_element(question, "questiontext", text, "html")
    diagram = base64.b64encode(part.diagram_svg.encode("utf-8")).decode("ascii")
    ET.SubElement(questiontext, "file", {"name": DIAGRAM_FILE, "path": "/", "encoding": "base64"}).text = diagram
    feedback = "".join(
        f"<tr><td><code>{escape(name)}</code></td><td>{escape(part.formulas.get(name, ''))}</td>"
        f"<td>{format_number(part.values[name])}</td></tr>"
        for name in part.asked
    )
    _text_element(question, "generalfeedback", f"<table>{feedback}</table>", "html")
    ET.SubElement(question, "penalty").text = "0.3333333"
    ET.SubElement(question, "hidden").text = "0"


def _xml(quiz: ET.Element) -> str:
    ET.indent(quiz)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(quiz, encoding="unicode") + "\n"


def moodle_quiz(part: QuizPart) -> str:
    """One exercise's quiz as XML text: a category and its Cloze question."""
    quiz = ET.Element("quiz")
    _category(quiz, f"stepgrad/{part.title}")
    _question(quiz, part)
    return _xml(quiz)


def class_quiz(title: str, parts: Sequence[QuizPart]) -> str:
    """Every exercise of a class in one file: one category ``stepgrad/<title>``, a Cloze question per exercise
    (a quiz's random question from it gives each learner one variant)."""
    quiz = ET.Element("quiz")
    _category(quiz, f"stepgrad/{title}")
    for part in parts:
        _question(quiz, part)
    return _xml(quiz)
