"""Grading a class: many answer files against one exercise, as CSV and a Markdown summary.

Per learner: score (right out of asked), first wrong step, diagnosis, the names that
matched nothing, and why a file could not be graded (unreadable, nothing answered).
Per step (also as ``steps.csv``): how many got it wrong on their own, how many carried an
earlier error into it, how many wrote it with too few digits and how many left it blank,
so a teacher sees which step the class struggles with.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from stepgrad.check.answers import read_answers
from stepgrad.check.compare import Checker
from stepgrad.check.report import CORRECT_STATUSES, CheckReport
from stepgrad.errors import StepgradError
from stepgrad.network.model import Setup

NOTHING_ANSWERED = "nothing answered: every value is blank"


@dataclass(frozen=True)
class LearnerGrade:
    """One learner's result.

    Attributes:
        learner: the answer file's name without suffix, with its folder when two files share a name.
        path: the answer file.
        right: values right.
        asked: values asked (unanswered ones count as not right).
        first_wrong: the first wrong step, if any.
        diagnosis: the names of the mistakes that explain it (``; ``-joined titles).
        unknown: the names in the file that match no value of the exercise.
        report: the full check report (None when the file could not be graded).
        error: why the file could not be graded.
    """

    learner: str
    path: str
    right: int
    asked: int
    first_wrong: str | None
    diagnosis: str
    unknown: tuple[str, ...] = ()
    report: CheckReport | None = None
    error: str = ""

    @property
    def score(self) -> float:
        """Fraction of the asked values that are right."""
        return self.right / self.asked if self.asked else 0.0

    def summary(self) -> str:
        """``55/56  first wrong: w5+ (gradient added …)  (1 unknown name: outt_h1)`` or why it was not graded."""
        if self.error:
            return self.error
        status = f"first wrong: {self.first_wrong}" if self.first_wrong else "no wrong step"
        if self.first_wrong and self.diagnosis:
            status += f" ({self.diagnosis[0].lower()}{self.diagnosis[1:]})"
        if self.right == self.asked:
            status = "all right"
        line = f"{self.right}/{self.asked}  {status}"
        if self.unknown:
            many = "s" if len(self.unknown) > 1 else ""
            line += f"  ({len(self.unknown)} unknown name{many}: {', '.join(self.unknown)})"
        return line


@dataclass(frozen=True)
class ClassGrades:
    """Every learner's grade and, per step, how many got it wrong.

    Attributes:
        learners: one grade per answer file, in the order given.
        asked: the asked names, in derivation order.
        wrong: per name, how many learners got it wrong on their own.
        follows: per name, how many were wrong only because of an earlier error.
        coarse: per name, how many wrote it with too few digits to check.
        unanswered: per name, how many left it blank (of the files that could be graded).
    """

    learners: tuple[LearnerGrade, ...]
    asked: tuple[str, ...]
    wrong: dict[str, int]
    follows: dict[str, int]
    coarse: dict[str, int]
    unanswered: dict[str, int]

    def to_csv(self) -> str:
        """``learner,file,score,right,asked,first_wrong,diagnosis,unknown_names,error`` per learner."""
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(
            ["learner", "file", "score", "right", "asked", "first_wrong", "diagnosis", "unknown_names", "error"]
        )
        for grade in self.learners:
            writer.writerow(
                [
                    grade.learner,
                    grade.path,
                    f"{grade.score:.3f}",
                    grade.right,
                    grade.asked,
                    grade.first_wrong or "",
                    grade.diagnosis,
                    " ".join(grade.unknown),
                    grade.error,
                ]
            )
        return buffer.getvalue()

    def steps_csv(self) -> str:
        """``step,wrong,follows,too_few_digits,unanswered`` per asked step, in derivation order."""
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(["step", "wrong", "follows_from_earlier_error", "too_few_digits", "unanswered"])
        for name in self.asked:
            writer.writerow([name, self.wrong[name], self.follows[name], self.coarse[name], self.unanswered[name]])
        return buffer.getvalue()

    def to_markdown(self, title: str = "Grades") -> str:
        """A per-learner table and a per-step table (steps someone got wrong, most missed first)."""
        lines = [f"# {title}", "", f"{len(self.learners)} answer files, {len(self.asked)} values asked.", ""]
        lines += ["| learner | score | first wrong step | diagnosis | unknown names |", "|---|---|---|---|---|"]
        for grade in self.learners:
            if grade.error:
                lines.append(f"| {_cell(grade.learner)} | – | – | not graded: {_cell(grade.error)} | – |")
                continue
            first = f"`{grade.first_wrong}`" if grade.first_wrong else "–"
            unknown = ", ".join(f"`{name}`" for name in grade.unknown) or "–"
            lines.append(
                f"| {_cell(grade.learner)} | {grade.right}/{grade.asked} ({grade.score:.0%}) | {first} "
                f"| {_cell(grade.diagnosis) or '–'} | {_cell(unknown)} |"
            )
        struggled = [name for name in self.asked if self.wrong[name] or self.follows[name] or self.coarse[name]]
        struggled.sort(key=lambda name: (-self.wrong[name], -self.follows[name], self.asked.index(name)))
        lines += ["", "## Steps the class got wrong", ""]
        if not struggled:
            lines.append("Nobody got a step wrong.")
        else:
            lines += [
                "| step | wrong | wrong from an earlier error | too few digits | unanswered |",
                "|---|---|---|---|---|",
            ]
            for name in struggled:
                lines.append(
                    f"| `{name}` | {self.wrong[name]} | {self.follows[name]} | {self.coarse[name]} "
                    f"| {self.unanswered[name]} |"
                )
        return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def learner_names(paths: Sequence[str | Path]) -> list[str]:
    """A name per answer file: its stem, or its path from the files' common folder when stems repeat."""
    stems = [Path(path).stem for path in paths]
    if len(set(stems)) == len(stems):
        return stems
    resolved = [Path(path).resolve() for path in paths]
    common = Path(os.path.commonpath([str(path.parent) for path in resolved]))
    relative = [path.relative_to(common) for path in resolved]
    names = [str(path.with_suffix("")) for path in relative]
    return names if len(set(names)) == len(names) else [str(path) for path in relative]


def grade(setup: Setup, answer_files: Sequence[str | Path]) -> ClassGrades:
    """Check every answer file against ``setup``; a file that cannot be graded is a row with its reason."""
    checker = Checker(setup)
    asked = checker.asked()
    counts: dict[str, dict[str, int]] = {
        key: dict.fromkeys(asked, 0) for key in ("wrong", "follows", "coarse", "unanswered")
    }
    learners = []
    for learner, path in zip(learner_names(answer_files), answer_files, strict=True):
        try:
            answers = read_answers(path)
            if not answers:
                raise StepgradError(NOTHING_ANSWERED, str(path))
            report = checker.check(answers, str(path))
        except StepgradError as error:
            learners.append(LearnerGrade(learner, str(path), 0, len(asked), None, "", error=error.one_line()))
            continue
        statuses = {check.name: check.status for check in report.values if check.status != "unknown"}
        for name in asked:
            status = statuses.get(name, "unanswered")
            if status in counts:
                counts[status][name] += 1
        right = sum(1 for name in asked if statuses.get(name) in CORRECT_STATUSES)
        diagnosis = "; ".join(d.title for d in report.diagnoses[:2])
        if report.first_wrong and not diagnosis:
            diagnosis = report.given_hint or "no known mistake reproduces it"
        unknown = tuple(check.written for check in report.values if check.status == "unknown")
        learners.append(
            LearnerGrade(learner, str(path), right, len(asked), report.first_wrong, diagnosis, unknown, report)
        )
    return ClassGrades(
        tuple(learners), tuple(asked), counts["wrong"], counts["follows"], counts["coarse"], counts["unanswered"]
    )
