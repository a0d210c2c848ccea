"""Grading a class: each answer file against its own exercise, as a gradebook, details and a summary.

Per learner: score (right out of asked, strict or with error carried forward), first wrong step,
diagnosis, the names that matched nothing, and why a file could not be graded (unreadable, nothing
answered, no exercise to grade it against: ``stepgrad.exercise.route``). A file that could not be
graded has a blank score, never 0: a gradebook would record 0 as a grade.
Per step (also as ``steps.csv``): how many got it wrong on their own, how many carried an
earlier error into it, how many wrote it with too few digits and how many left it blank,
so a teacher sees which step the class struggles with.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from stepgrad.check.answers import read_answers
from stepgrad.check.compare import Checker
from stepgrad.check.report import CONSISTENT_STATUSES, CORRECT_STATUSES, CheckReport
from stepgrad.errors import StepgradError
from stepgrad.exercise.ask import DEFAULT_ASK
from stepgrad.exercise.route import ClassExercise, Submission, route
from stepgrad.exercise.sheets import Exercise
from stepgrad.network.model import Setup

NOTHING_ANSWERED = "nothing answered: every value is blank"
#: ``strict``: a value counts when it is right; ``ecf`` (error carried forward): also when it is right from the
#: learner's own earlier, wrong values (``CheckReport.score_ecf``), so one slip costs one mark, not the rest.
Credit = Literal["strict", "ecf"]
CREDITS: tuple[Credit, ...] = ("ecf", "strict")
#: The class gradebook's columns (the platforms' own import layouts: ``stepgrad.exercise.gradebooks``).
GRADEBOOK_COLUMNS = ("Student", "ID", "Email", "Score", "Problem")


@dataclass(frozen=True)
class LearnerGrade:
    """One learner's result.

    Attributes:
        learner: the answer file's name without suffix, with its folder when two files share a name.
        path: the answer file.
        right: values right.
        asked: values asked (unanswered ones count as not right).
        right_ecf: values right or right from the learner's own earlier values (error carried forward).
        first_wrong: the first wrong step, if any.
        diagnosis: the names of the mistakes that explain it (``; ``-joined titles).
        unknown: the names in the file that match no value of the exercise.
        report: the full check report (None when the file could not be graded).
        error: why the file could not be graded.
        exercise: the exercise's folder name (``exercise-02``).
        student_id: the roster's id.
        email: the roster's email.
        credit: which score ``score`` is.
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
    right_ecf: int = 0
    exercise: str = ""
    student_id: str = ""
    email: str = ""
    credit: Credit = "strict"

    @property
    def score(self) -> float:
        """Fraction of the asked values that count under ``credit``."""
        right = self.right_ecf if self.credit == "ecf" else self.right
        return right / self.asked if self.asked else 0.0

    @property
    def mistake(self) -> str:
        """The title of the first diagnosis, '' when there is none."""
        return self.report.diagnoses[0].title if self.report and self.report.diagnoses else ""

    def summary(self) -> str:
        """``55/56  first wrong: w5+ (gradient added …)  (1 unknown name: outt_h1)`` or why it was not graded;
        with ``ecf`` credit the score counts values right from the learner's own values, and the strict one
        follows in brackets when it differs."""
        if self.error:
            return f"not graded: {self.error}"
        status = f"first wrong: {self.first_wrong}" if self.first_wrong else "no wrong step"
        if self.first_wrong and self.diagnosis:
            status += f" ({self.diagnosis[0].lower()}{self.diagnosis[1:]})"
        if self.right == self.asked:
            status = "all right"
        counted = self.right_ecf if self.credit == "ecf" else self.right
        line = f"{counted}/{self.asked}  {status}"
        if counted != self.right:
            line += f"  (strict {self.right}/{self.asked})"
        if self.unknown:
            many = "s" if len(self.unknown) > 1 else ""
            line += f"  ({len(self.unknown)} unknown name{many}: {', '.join(self.unknown)})"
        return line


@dataclass(frozen=True)
class ClassGrades:
    """Every learner's grade and, per step, how many got it wrong.

    Attributes:
        learners: one grade per student, in the order given (the roster's students without a file last).
        asked: the asked names, in the sheet's order.
        wrong: per name, how many learners got it wrong on their own.
        follows: per name, how many were wrong only because of an earlier error.
        coarse: per name, how many wrote it with too few digits to check.
        unanswered: per name, how many left it blank (of the files that could be graded).
        credit: which score the gradebook holds.
        problems: lines about the inputs that are no learner's row (a roster row that was left out).
    """

    learners: tuple[LearnerGrade, ...]
    asked: tuple[str, ...]
    wrong: dict[str, int]
    follows: dict[str, int]
    coarse: dict[str, int]
    unanswered: dict[str, int]
    credit: Credit = "strict"
    problems: tuple[str, ...] = field(default=())

    def to_csv(self) -> str:
        """The gradebook: ``Student,ID,Email,Score,Problem``; the score in percent (one decimal), blank with
        the problem for a learner who could not be graded."""
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(GRADEBOOK_COLUMNS)
        for grade in self.learners:
            score = "" if grade.error else f"{100 * grade.score:.1f}"
            writer.writerow([grade.learner, grade.student_id, grade.email, score, grade.error])
        return buffer.getvalue()

    def details_csv(self) -> str:
        """Per learner: ``learner,file,exercise,score,score_strict,score_ecf,right,right_ecf,asked,first_wrong,
        mistake,diagnosis,unknown_names,problem`` (scores as fractions, blank when not graded)."""
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(
            [
                *("learner", "file", "exercise", "score", "score_strict", "score_ecf", "right", "right_ecf", "asked"),
                *("first_wrong", "mistake", "diagnosis", "unknown_names", "problem"),
            ]
        )
        for grade in self.learners:
            fractions = ["", "", ""]
            if not grade.error and grade.asked:
                strict, ecf = grade.right / grade.asked, grade.right_ecf / grade.asked
                fractions = [f"{grade.score:.3f}", f"{strict:.3f}", f"{ecf:.3f}"]
            counts = ["", ""] if grade.error else [grade.right, grade.right_ecf]
            found = [grade.first_wrong or "", grade.mistake, grade.diagnosis, " ".join(grade.unknown), grade.error]
            writer.writerow([grade.learner, grade.path, grade.exercise, *fractions, *counts, grade.asked, *found])
        return buffer.getvalue()

    def steps_csv(self) -> str:
        """``step,wrong,follows,too_few_digits,unanswered`` per asked step, in the sheet's order."""
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(["step", "wrong", "follows_from_earlier_error", "too_few_digits", "unanswered"])
        for name in self.asked:
            writer.writerow([name, self.wrong[name], self.follows[name], self.coarse[name], self.unanswered[name]])
        return buffer.getvalue()

    def common_mistakes(self) -> list[tuple[str, int]]:
        """``(mistake title, learners)``, most common first: the first diagnosis of each graded learner."""
        counts = Counter(grade.mistake for grade in self.learners if grade.mistake and not grade.error)
        return sorted(counts.items(), key=lambda item: (-item[1], item[0]))

    def not_graded(self) -> list[LearnerGrade]:
        """The learners with a blank score."""
        return [grade for grade in self.learners if grade.error]

    def to_markdown(self, title: str = "Grades") -> str:
        """Per-learner table, most common mistakes, per-step table (steps someone got wrong, most missed first)."""
        graded = len(self.learners) - len(self.not_graded())
        credit = "error carried forward" if self.credit == "ecf" else "strict"
        lines = [
            f"# {title}",
            "",
            f"{len(self.learners)} learners ({graded} graded), {len(self.asked)} values asked; scores are {credit}.",
            "",
        ]
        lines += [
            "| learner | exercise | score | first wrong step | diagnosis | unknown names |",
            "|---|---|---|---|---|---|",
        ]
        for grade in self.learners:
            if grade.error:
                exercise = grade.exercise or "–"
                lines.append(f"| {_cell(grade.learner)} | {exercise} | – | – | not graded: {_cell(grade.error)} | – |")
                continue
            first = f"`{grade.first_wrong}`" if grade.first_wrong else "–"
            unknown = ", ".join(f"`{name}`" for name in grade.unknown) or "–"
            counted = grade.right_ecf if self.credit == "ecf" else grade.right
            score = f"{counted}/{grade.asked} ({grade.score:.0%})"
            lines.append(
                f"| {_cell(grade.learner)} | {grade.exercise or '–'} | {score} | {first} "
                f"| {_cell(grade.diagnosis) or '–'} | {_cell(unknown)} |"
            )
        lines += ["", "## Most common mistakes", ""]
        mistakes = self.common_mistakes()
        if not mistakes:
            lines.append("No known mistake was found.")
        else:
            lines += ["| mistake | learners |", "|---|---|"]
            lines += [f"| {_cell(mistake)} | {count} |" for mistake, count in mistakes]
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
        if self.problems:
            lines += ["", "## Roster rows left out", ""] + [f"- {_cell(problem)}" for problem in self.problems]
        return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def _not_graded(submission: Submission, problem: str, asked: int, credit: Credit) -> LearnerGrade:
    exercise = submission.exercise.name if submission.exercise else ""
    return LearnerGrade(
        submission.student,
        submission.path,
        0,
        asked,
        None,
        "",
        error=problem,
        exercise=exercise,
        student_id=submission.student_id,
        email=submission.email,
        credit=credit,
    )


def _grade_one(submission: Submission, checker: Checker, asked: Sequence[str], credit: Credit) -> LearnerGrade:
    """One file against its exercise; a file that cannot be read is a row with its reason."""
    path = submission.path
    try:
        answers = read_answers(path)
        if not answers:
            raise StepgradError(NOTHING_ANSWERED, str(path))
        report = checker.check(answers, str(path))
    except StepgradError as error:
        return _not_graded(submission, error.one_line(), len(asked), credit)
    statuses = {check.name: check.status for check in report.values if check.status != "unknown"}
    right = sum(1 for name in asked if statuses.get(name) in CORRECT_STATUSES)
    right_ecf = sum(1 for name in asked if statuses.get(name) in CONSISTENT_STATUSES)
    diagnosis = "; ".join(d.title for d in report.diagnoses[:2])
    if report.first_wrong and not diagnosis:
        diagnosis = report.given_hint or "no known mistake reproduces it"
    unknown = tuple(check.written for check in report.values if check.status == "unknown")
    return LearnerGrade(
        submission.student,
        path,
        right,
        len(asked),
        report.first_wrong,
        diagnosis,
        unknown,
        report,
        right_ecf=right_ecf,
        exercise=submission.exercise.name if submission.exercise else "",
        student_id=submission.student_id,
        email=submission.email,
        credit=credit,
    )


def grade_submissions(
    submissions: Sequence[Submission], credit: Credit = "ecf", problems: Sequence[str] = ()
) -> ClassGrades:
    """Grade every routed submission against its own exercise; the per-step counts are over the class."""
    checkers: dict[int, tuple[Checker, list[str]]] = {}
    learners: list[LearnerGrade] = []
    asked_all: list[str] = []
    counts: dict[str, Counter[str]] = {key: Counter() for key in ("wrong", "follows", "coarse", "unanswered")}
    for submission in submissions:
        exercise = submission.exercise
        if exercise is None:
            learners.append(_not_graded(submission, submission.problem, 0, credit))
            continue
        if exercise.number not in checkers:
            sheet = Exercise(exercise.setup, ask=exercise.ask)
            checkers[exercise.number] = (sheet.checker, sheet.asked)
        checker, asked = checkers[exercise.number]
        asked_all += [name for name in asked if name not in asked_all]
        grade = _grade_one(submission, checker, asked, credit)
        learners.append(grade)
        if grade.report is not None:
            statuses = {check.name: check.status for check in grade.report.values if check.status != "unknown"}
            for name in asked:
                status = statuses.get(name, "unanswered")
                if status in counts:
                    counts[status][name] += 1
    wrong, follows, coarse, unanswered = (
        {name: counts[key][name] for name in asked_all} for key in ("wrong", "follows", "coarse", "unanswered")
    )
    return ClassGrades(tuple(learners), tuple(asked_all), wrong, follows, coarse, unanswered, credit, tuple(problems))


def grade(
    setup: Setup, answer_files: Sequence[str | Path], credit: Credit = "strict", ask: str = DEFAULT_ASK
) -> ClassGrades:
    """Check every answer file against ``setup`` (asking ``ask``); a file that cannot be graded is a row with its
    reason."""
    exercise = ClassExercise(1, "", setup, None, ask)
    submissions = route([str(path) for path in answer_files], [exercise], None)
    return grade_submissions(submissions, credit)
