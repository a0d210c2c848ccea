"""Grading a class: many answer files against one exercise, as a CSV and a Markdown summary.

Per learner: score (right out of asked), first wrong step, diagnosis. Per step:
how many got it wrong on their own and how many carried an earlier error into
it, so a teacher sees which step the class struggles with.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from stepgrad.check.answers import read_answers
from stepgrad.check.compare import Checker
from stepgrad.check.report import CheckReport
from stepgrad.errors import StepgradError
from stepgrad.network.model import Setup


@dataclass(frozen=True)
class LearnerGrade:
    """One learner's result.

    Attributes:
        learner: the answer file's name without suffix.
        path: the answer file.
        right: values right.
        asked: values asked (unanswered ones count as not right).
        first_wrong: the first wrong step, if any.
        diagnosis: the names of the mistakes that explain it (``; ``-joined titles).
        report: the full check report (None when the file could not be read).
        error: why the file could not be read.
    """

    learner: str
    path: str
    right: int
    asked: int
    first_wrong: str | None
    diagnosis: str
    report: CheckReport | None = None
    error: str = ""

    @property
    def score(self) -> float:
        """Fraction of the asked values that are right."""
        return self.right / self.asked if self.asked else 0.0


@dataclass(frozen=True)
class ClassGrades:
    """Every learner's grade and, per step, how many got it wrong.

    Attributes:
        learners: one grade per answer file, in the order given.
        asked: the asked names, in derivation order.
        wrong: per name, how many learners got it wrong on their own.
        follows: per name, how many were wrong only because of an earlier error.
        unanswered: per name, how many left it blank.
    """

    learners: tuple[LearnerGrade, ...]
    asked: tuple[str, ...]
    wrong: dict[str, int]
    follows: dict[str, int]
    unanswered: dict[str, int]

    def to_csv(self) -> str:
        """``learner,score,right,asked,first_wrong,diagnosis,error`` per learner."""
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(["learner", "score", "right", "asked", "first_wrong", "diagnosis", "error"])
        for grade in self.learners:
            writer.writerow(
                [
                    grade.learner,
                    f"{grade.score:.3f}",
                    grade.right,
                    grade.asked,
                    grade.first_wrong or "",
                    grade.diagnosis,
                    grade.error,
                ]
            )
        return buffer.getvalue()

    def to_markdown(self, title: str = "Grades") -> str:
        """A per-learner table and a per-step table (steps someone got wrong, most missed first)."""
        lines = [f"# {title}", "", f"{len(self.learners)} answer files, {len(self.asked)} values asked.", ""]
        lines += ["| learner | score | first wrong step | diagnosis |", "|---|---|---|---|"]
        for grade in self.learners:
            if grade.error:
                lines.append(f"| {grade.learner} | – | – | could not be read: {grade.error.replace('|', '/')} |")
                continue
            first = f"`{grade.first_wrong}`" if grade.first_wrong else "–"
            lines.append(
                f"| {grade.learner} | {grade.right}/{grade.asked} ({grade.score:.0%}) | {first} "
                f"| {grade.diagnosis or '–'} |"
            )
        struggled = [name for name in self.asked if self.wrong[name] or self.follows[name]]
        struggled.sort(key=lambda name: (-self.wrong[name], -self.follows[name], self.asked.index(name)))
        lines += ["", "## Steps the class got wrong", ""]
        if not struggled:
            lines.append("Nobody got a step wrong.")
        else:
            lines += ["| step | wrong | wrong from an earlier error | unanswered |", "|---|---|---|---|"]
            for name in struggled:
                lines.append(f"| `{name}` | {self.wrong[name]} | {self.follows[name]} | {self.unanswered[name]} |")
        return "\n".join(lines) + "\n"


def grade(setup: Setup, answer_files: Sequence[str | Path]) -> ClassGrades:
    """Check every answer file against ``setup``; an unreadable file is a row with its error, not a crash."""
    checker = Checker(setup)
    asked = checker.asked()
    wrong = dict.fromkeys(asked, 0)
    follows = dict.fromkeys(asked, 0)
    unanswered = dict.fromkeys(asked, 0)
    learners = []
    for path in answer_files:
        learner = Path(path).stem
        try:
            report = checker.check(read_answers(path), str(path))
        except StepgradError as error:
            learners.append(LearnerGrade(learner, str(path), 0, len(asked), None, "", None, error.one_line()))
            continue
        statuses = {check.name: check.status for check in report.values}
        for name in asked:
            status = statuses.get(name)
            if status is None:
                unanswered[name] += 1
            elif status == "wrong":
                wrong[name] += 1
            elif status == "follows":
                follows[name] += 1
        right = sum(1 for name in asked if statuses.get(name) in ("right", "rounding"))
        diagnosis = "; ".join(d.title for d in report.diagnoses[:2])
        if report.first_wrong and not diagnosis:
            diagnosis = "no known mistake reproduces it"
        learners.append(LearnerGrade(learner, str(path), right, len(asked), report.first_wrong, diagnosis, report))
    return ClassGrades(tuple(learners), tuple(asked), wrong, follows, unanswered)
