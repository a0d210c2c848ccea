"""A Moodle XML quiz: one numerical question per asked value, with its tolerance.

The structure is Moodle's documented XML import format::

    <quiz>
      <question type="category"><category><text>$course$/stepgrad/…</text></category></question>
      <question type="numerical">
        <name><text>…</text></name>
        <questiontext format="html"><text>…</text></questiontext>
        <generalfeedback format="html"><text>…</text></generalfeedback>
        <defaultgrade>1</defaultgrade><penalty>0.3333333</penalty><hidden>0</hidden>
        <answer fraction="100" format="moodle_auto_format">
          <text>0.5933</text><feedback format="html"><text>…</text></feedback>
          <tolerance>0.0005</tolerance>
        </answer>
      </question>
    </quiz>

Moodle's tolerance is absolute (``|response − answer| ≤ tolerance``).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from html import escape

from stepgrad.explain.step import format_number

#: Answers are asked to 4 decimals; rounding carried through a hand calculation
#: moves later values by a few units of the 4th decimal, so allow 5 of them.
DECIMALS = 4
TOLERANCE = 5e-4


def tolerance_for(value: float) -> float:
    """The absolute tolerance of a question: ``max(5e-4, 0.1 % of |value|)``."""
    return max(TOLERANCE, 1e-3 * abs(value))


def _text_element(parent: ET.Element, tag: str, text: str, fmt: str | None = None) -> ET.Element:
    element = ET.SubElement(parent, tag, {"format": fmt} if fmt else {})
    ET.SubElement(element, "text").text = text
    return element


def moodle_quiz(
    title: str,
    asked: Sequence[str],
    values: Mapping[str, float],
    given_html: str,
    formulas: Mapping[str, str] | None = None,
) -> str:
    """The quiz as XML text: a category, then one numerical question per name in ``asked``.

    Args:
        title: the category and question-name prefix (``stepgrad exercise 1``).
        asked: the value names to ask, in derivation order.
        values: the exact values (``trace.values()``).
        given_html: the exercise's given numbers as HTML, repeated in each question.
        formulas: optional formula per name, shown as feedback.
    """
    quiz = ET.Element("quiz")
    category = ET.SubElement(quiz, "question", {"type": "category"})
    _text_element(category, "category", f"$course$/stepgrad/{title}")
    for number, name in enumerate(asked, start=1):
        value = values[name]
        question = ET.SubElement(quiz, "question", {"type": "numerical"})
        _text_element(question, "name", f"{title} · {number:02d} · {name}")
        text = (
            f"{given_html}<p>Work one training step of this network by hand. "
            f"What is <code>{escape(name)}</code>? Give {DECIMALS} decimals.</p>"
        )
        _text_element(question, "questiontext", text, "html")
        feedback = (formulas or {}).get(name, "")
        _text_element(
            question,
            "generalfeedback",
            f"<p><code>{escape(name)}</code> = {escape(feedback + ' = ' if feedback else '')}"
            f"{format_number(value)}</p>",
            "html",
        )
        ET.SubElement(question, "defaultgrade").text = "1"
        ET.SubElement(question, "penalty").text = "0.3333333"
        ET.SubElement(question, "hidden").text = "0"
        answer = ET.SubElement(question, "answer", {"fraction": "100", "format": "moodle_auto_format"})
        ET.SubElement(answer, "text").text = repr(float(value))
        _text_element(answer, "feedback", "<p>Right.</p>", "html")
        ET.SubElement(answer, "tolerance").text = repr(tolerance_for(value))
    ET.indent(quiz)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(quiz, encoding="unicode") + "\n"
