"""GIFT, Moodle's text import format (docs.moodle.org/en/GIFT_format): one numerical question per value.

::

    $CATEGORY: $course$/stepgrad/Exercise 1 (seed 7)

    ::Exercise 1 (seed 7) · 01 · net_h1::[html]<p>…given numbers…</p><p>What is net_h1? …</p>{#-0.194:0.000051}

A question is one paragraph (no blank line inside); ``~ = # { } :`` and ``\\`` in its text are escaped with a
backslash. ``{#answer:tolerance}`` is GIFT's numerical answer with an absolute tolerance, the same answer and
tolerance as the Moodle XML quiz (``stepgrad.exercise.moodle``: the checker's rounding bound of a learner who
rounds every step to 4 decimals, so 0 and −v are never accepted). GIFT cannot hold files, so a question
carries the given numbers (every weight with the edge it sits on) but not the diagram. A class file has a
category per exercise, so a random question drawn from one category stays in one variant.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from html import escape

from stepgrad.exercise.moodle import QuizPart, answer_text, tolerance_text

_SPECIAL = re.compile(r"([\\~=#{}:])")


def gift_escape(text: str) -> str:
    """``text`` with GIFT's special characters escaped and on one line."""
    return _SPECIAL.sub(r"\\\1", " ".join(text.split()))


def _question(part: QuizPart, number: int, name: str) -> str:
    value = part.values[name]
    title = gift_escape(f"{part.title} · {number:02d} · {name}")
    text = f"{part.given_html}<p>Work one training step of this network by hand. What is <code>{escape(name)}</code>? "
    text += f"{escape(part.instruction)}</p>"
    return f"::{title}::[html]{gift_escape(text)}{{#{answer_text(value)}:{tolerance_text(part.bounds[name], value)}}}"


def _part(part: QuizPart, category: str) -> list[str]:
    blocks = [f"$CATEGORY: $course$/{category}"]
    blocks += [_question(part, number, name) for number, name in enumerate(part.asked, start=1)]
    return blocks


def gift_quiz(part: QuizPart) -> str:
    """One exercise's questions in GIFT."""
    return "\n\n".join(_part(part, f"stepgrad/{part.title}")) + "\n"


def gift_class_quiz(title: str, parts: Sequence[QuizPart]) -> str:
    """Every exercise of a class, a category ``stepgrad/<title>/<exercise>`` each."""
    return "\n\n".join(block for part in parts for block in _part(part, f"stepgrad/{title}/{part.title}")) + "\n"
