"""Feedback to hand back: each learner's check report as Markdown and HTML, in ``feedback/``."""

from __future__ import annotations

import re
from collections.abc import Iterator
from html import escape

from stepgrad.exercise.grade import ClassGrades, LearnerGrade

FEEDBACK_FOLDER = "feedback"


def feedback_stem(learner: str) -> str:
    """A file name for ``learner``: ``group-a/ada`` → ``group-a_ada`` (letters, digits, ``-``, ``_``, ``.``)."""
    return re.sub(r"[^\w.-]+", "_", learner).strip("._") or "learner"


def _page(title: str, body: str) -> str:
    return (
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>'
        f"</head><body>\n<h1>{escape(title)}</h1>\n{body}\n</body></html>\n"
    )


def _header(grade: LearnerGrade) -> str:
    credit = "with error carried forward" if grade.credit == "ecf" else "strict"
    counted = grade.right_ecf if grade.credit == "ecf" else grade.right
    return f"{grade.learner}, {grade.exercise or 'the exercise'}: {counted}/{grade.asked} ({credit})"


def feedback_files(grades: ClassGrades) -> Iterator[tuple[str, str]]:
    """``(relative path, text)`` of every learner's feedback: ``feedback/ada.md`` and ``feedback/ada.html``."""
    used: set[str] = set()
    for grade in grades.learners:
        stem = f"{FEEDBACK_FOLDER}/{feedback_stem(grade.learner)}"
        while stem in used:  # two names that differ only in characters a file name cannot hold
            stem += "_"
        used.add(stem)
        if grade.report is None:
            yield f"{stem}.md", f"# {grade.learner}\n\nNot graded: {grade.error}\n"
            yield f"{stem}.html", _page(grade.learner, f"<p>Not graded: {escape(grade.error)}</p>")
            continue
        yield f"{stem}.md", f"**{_header(grade)}**\n\n" + grade.report.render("markdown")
        yield f"{stem}.html", _page(_header(grade), grade.report.render("html", fragment=True))
