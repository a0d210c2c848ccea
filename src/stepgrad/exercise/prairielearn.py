"""PrairieLearn: a question folder per exercise (prairielearn.readthedocs.io, "Question structure").

``prairielearn/`` holds what a course's ``questions/<name>/`` needs:

* ``info.json``: ``uuid`` (the same exercise always gets the same one), ``title``, ``topic``, ``tags``,
  ``type: "v3"``, and ``singleVariant`` (the numbers are the exercise's, not drawn afresh);
* ``question.html``: the given numbers, the diagram (``pl-figure`` of ``clientFilesQuestion/network.svg``)
  and a ``pl-number-input`` per asked value with ``comparison="relabs"``, ``rtol="0"`` and ``atol`` the
  checker's rounding bound (``stepgrad.exercise.moodle.tolerance_text``): PrairieLearn accepts
  ``|response − answer| ≤ atol + rtol·|answer|``, so a learner rounding every step to 4 decimals passes and
  0 and −v do not;
* ``server.py``: ``generate(data)`` puts the exercise's exact values into ``data["correct_answers"]``. The
  values are stepgrad's, written in as data: the formulas live once, in stepgrad's core, and the
  question needs no stepgrad on the PrairieLearn server.

``answers-name`` must be a plain identifier, so ``dE_total/dw5`` is ``dE_total__dw5`` and ``w5+`` is
``w5_new`` (``answers_name``); the label shows the derivation's name.
"""

from __future__ import annotations

import json
import uuid
from html import escape

from stepgrad.exercise.moodle import DIAGRAM_FILE, QuizPart, answer_text, tolerance_text

TOPIC = "Backpropagation"
_INDENT = "    "


def answers_name(name: str) -> str:
    """A value's name as a PrairieLearn ``answers-name``: ``dE_total/dw5`` → ``dE_total__dw5``, ``w5+`` → ``w5_new``."""
    return name.replace("/", "__").replace("+", "_new")


def info_json(part: QuizPart, tags: list[str]) -> str:
    """``info.json``."""
    numbers = ",".join(f"{name}={part.values[name]!r}" for name in part.asked)
    info = {
        "uuid": str(uuid.uuid5(uuid.NAMESPACE_URL, f"stepgrad:{part.title}:{numbers}")),
        "title": f"One step of backpropagation: {part.title}",
        "topic": TOPIC,
        "tags": ["stepgrad", *tags],
        "type": "v3",
        "singleVariant": True,
    }
    return json.dumps(info, indent=2, ensure_ascii=False) + "\n"


def question_html(part: QuizPart) -> str:
    """``question.html``: the task, the diagram and one ``pl-number-input`` per asked value."""
    inputs = "\n".join(
        f'  <p><pl-number-input answers-name="{answers_name(name)}" label="{escape(name)} ="'
        f' comparison="relabs" rtol="0" atol="{tolerance_text(part.bounds[name], part.values[name])}"'
        f' weight="1"></pl-number-input></p>'
        for name in part.asked
    )
    return (
        "<pl-question-panel>\n"
        f"  {part.given_html}\n"
        f'  <pl-figure file-name="{DIAGRAM_FILE}" directory="clientFilesQuestion"></pl-figure>\n'
        f"  <p>Work one training step of this network by hand. {escape(part.instruction)}</p>\n"
        "</pl-question-panel>\n"
        f"{inputs}\n"
    )


def server_py(part: QuizPart) -> str:
    """``server.py``: ``generate(data)`` sets every asked value's exact number."""
    values = "\n".join(f"{_INDENT}{answers_name(name)!r}: {part.values[name]!r}," for name in part.asked)
    shown = "\n".join(f"#   {name} ≈ {answer_text(part.values[name])}" for name in part.asked)
    return (
        f'"""PrairieLearn server code of stepgrad\'s {part.title}: the exact values of its step."""\n\n'
        f"{shown}\n"
        f"CORRECT_ANSWERS = {{\n{values}\n}}\n\n\n"
        "def generate(data):\n"
        '    """Put the exercise\'s values into the answers PrairieLearn grades against."""\n'
        '    data["correct_answers"].update(CORRECT_ANSWERS)\n'
    )


def question_files(part: QuizPart, tags: list[str]) -> dict[str, str]:
    """The question folder's files, by path inside it."""
    return {
        "info.json": info_json(part, tags),
        "question.html": question_html(part),
        "server.py": server_py(part),
        f"clientFilesQuestion/{DIAGRAM_FILE}": part.diagram_svg,
    }
