"""The learning-platform exports by name: what each writes beside an exercise and beside a class.

``--lms`` takes these names (several at once); adding a platform is one entry.

=============  ==========================================  ============================================
name           in each ``exercise-NN/``                    in the class folder (several exercises)
=============  ==========================================  ============================================
moodle         ``quiz.xml`` (one Cloze question)           ``quiz.xml``: a Cloze question per exercise
gift           ``quiz.gift``                               ``quiz.gift``: a category per exercise
canvas         ``quiz-canvas.zip`` (QTI 1.2)               ``quiz-canvas.zip``: a quiz per exercise
prairielearn   ``prairielearn/`` (a question folder)       –
=============  ==========================================  ============================================
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from stepgrad.errors import StepgradError
from stepgrad.exercise.moodle import QuizPart

Files = dict[str, str | bytes]


@dataclass(frozen=True)
class Export:
    """One platform's files: of one exercise (``part``, its tags), and of a class (title, every part)."""

    exercise: Callable[[QuizPart, list[str]], Files]
    klass: Callable[[str, Sequence[QuizPart]], Files]


def _moodle(part: QuizPart, tags: list[str]) -> Files:
    from stepgrad.exercise.moodle import moodle_quiz

    return {"quiz.xml": moodle_quiz(part)}


def _moodle_class(title: str, parts: Sequence[QuizPart]) -> Files:
    from stepgrad.exercise.moodle import class_quiz

    return {"quiz.xml": class_quiz(title, parts)}


def _gift(part: QuizPart, tags: list[str]) -> Files:
    from stepgrad.exercise.gift import gift_quiz

    return {"quiz.gift": gift_quiz(part)}


def _gift_class(title: str, parts: Sequence[QuizPart]) -> Files:
    from stepgrad.exercise.gift import gift_class_quiz

    return {"quiz.gift": gift_class_quiz(title, parts)}


def _canvas(part: QuizPart, tags: list[str]) -> Files:
    from stepgrad.exercise.canvas import canvas_zip

    return {"quiz-canvas.zip": canvas_zip(part.title, [part])}


def _canvas_class(title: str, parts: Sequence[QuizPart]) -> Files:
    from stepgrad.exercise.canvas import canvas_zip

    return {"quiz-canvas.zip": canvas_zip(title, parts)}


def _prairielearn(part: QuizPart, tags: list[str]) -> Files:
    from stepgrad.exercise.prairielearn import question_files

    return {f"prairielearn/{name}": text for name, text in question_files(part, tags).items()}


LMS_EXPORTS: dict[str, Export] = {
    "moodle": Export(_moodle, _moodle_class),
    "gift": Export(_gift, _gift_class),
    "canvas": Export(_canvas, _canvas_class),
    "prairielearn": Export(_prairielearn, lambda title, parts: {}),
}
LMS_FORMATS = tuple(LMS_EXPORTS)


def check_lms(names: Sequence[str]) -> None:
    """``StepgradError`` for a name that is no platform."""
    for name in names:
        if name not in LMS_EXPORTS:
            raise StepgradError(f"unknown LMS format {name!r}; known: {', '.join(LMS_FORMATS)}")
