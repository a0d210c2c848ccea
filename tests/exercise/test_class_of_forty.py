"""The issue's full size: 40 variants, a roster of 40 and their answer files, graded with both credits.

The answers are what a class hands in: keys, rounded values, the common conceptual mistakes made in
every step they touch and carried through the rest of the derivation, slips carried forward, a
malformed file, a file for another variant, a blank template and a missing file. Each expected score
is counted here from the written values, not read from stepgrad.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from stepgrad.exercise import Exercise
from support.classroom import lines, sheet, stepgrad, worked_from

VARIANTS = 40
pytestmark = pytest.mark.slow  # 40 variants generated, 80 gradings: about 10 s

#: The mistakes as the checker names them (stepgrad.check.mistakes), with how a learner makes them.
LR_FORGOTTEN = "Learning rate forgotten in the update"
GRADIENT_ADDED = "Gradient added instead of subtracted in the update"
SIGN_FLIPPED = "Sign flipped in dE/dout: (target − out) instead of (out − target)"
#: What makes a learner's row blank, by kind.
NOT_GRADED = {
    "malformed": "line 3:",
    "other-variant": "its header names Exercise",
    "blank": "nothing answered: every value is blank",
    "missing": "no answers file",
}
KINDS = ("key", "rounded", "lr-forgotten", "gradient-added", "sign-flipped", "slip-early", "slip-late")
KINDS += ("malformed", "other-variant", "blank")


def kind_of(student: int) -> str:
    kind = KINDS[(student - 1) % len(KINDS)]
    return "missing" if kind == "blank" and student % 20 == 0 else kind


def _updates(exercise: Exercise) -> list[str]:
    """The asked updates ``w5+``, ``b1+``: the steps an update mistake touches."""
    return [name for name in exercise.asked if re.fullmatch(r"[wb]\d+\+", name)]


def _gradient(name: str) -> str:
    return f"dE_total/d{name[:-1]}"


def _update_mistake(exercise: Exercise, step: Callable[[float, float, float], float]) -> dict[str, float]:
    """Every update written as ``step(w, η, dE/dw)``, the rest worked from the learner's own values."""
    exact, rate = exercise.checker.expected, exercise.setup.learning_rate
    return worked_from(exercise, {n: step(exact[n[:-1]], rate, exact[_gradient(n)]) for n in _updates(exercise)})


def _output_derivatives(exercise: Exercise) -> list[str]:
    return [name for name in exercise.asked if re.fullmatch(r"dE_total/dout_o\d+", name)]


def mistaken(exercise: Exercise, kind: str) -> tuple[dict[str, float], int]:
    """The values a learner of ``kind`` writes, and how many steps they got wrong themselves."""
    exact = exercise.checker.expected
    if kind == "lr-forgotten":
        return _update_mistake(exercise, lambda w, rate, grad: w - grad), len(_updates(exercise))
    if kind == "gradient-added":
        return _update_mistake(exercise, lambda w, rate, grad: w + rate * grad), len(_updates(exercise))
    if kind == "sign-flipped":
        flipped = {name: -exact[name] for name in _output_derivatives(exercise)}
        return worked_from(exercise, flipped), len(flipped)
    if kind == "slip-early":  # 0.1 off in the first hidden output, every later value from it
        return worked_from(exercise, {"out_h1": exact["out_h1"] + 0.1}), 1
    if kind == "slip-late":  # a digit dropped in delta_o1
        return worked_from(exercise, {"delta_o1": exact["delta_o1"] / 10}), 1
    return dict(exact), 0


def right_strict(exercise: Exercise, written: dict[str, float]) -> tuple[int, int]:
    """How many written values are right themselves, at least and at most. Written to 4 decimals, a value is right
    when it rounds the exact value (``|given − exact| ≤ ½·10⁻⁴``), or when it follows within that rounding plus
    what its inputs carry from the learner's own values (``stepgrad.check.tolerance``): a value a little further
    off than ½·10⁻⁴ (here, up to 2·10⁻⁴) may be either."""
    exact = exercise.checker.expected
    offs = [abs(float(f"{written[name]:.4f}") - exact[name]) for name in exercise.asked]
    assert all(abs(off - 0.5e-4) > 1e-9 for off in offs), "a value on the rounding bound: too close to call"
    return sum(off < 0.5e-4 for off in offs), sum(off < 2e-4 for off in offs)


@pytest.fixture(scope="module")
def course(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """The class, its answers, and per student the expected (strict, ecf) percent or the blank row's reason."""
    base = tmp_path_factory.mktemp("forty")
    made = stepgrad("exercise", "--seed", "21", "--count", str(VARIANTS), "--out", "class", cwd=base)
    assert made.returncode == 0, made.stderr
    answers = base / "answers"
    answers.mkdir()
    expected: dict[str, tuple[tuple[str, ...], str] | str] = {}
    for number in range(1, VARIANTS + 1):
        student, kind, exercise = f"s{number:02d}", kind_of(number), sheet(base, number)
        header = f"# Exercise {number} (seed 21): my answers\n"
        file = answers / f"{student}.txt"
        asked = len(exercise.asked)
        if kind in NOT_GRADED:
            expected[student] = NOT_GRADED[kind]
            other = number % VARIANTS + 1
            texts = {
                "malformed": header + "\nnet_h1 = 0.3775.1\n",
                "other-variant": (base / "class" / f"exercise-{other:02d}" / "key.txt").read_text(),
                "blank": (base / "class" / f"exercise-{number:02d}" / "answers.txt").read_text(),
            }
            if kind in texts:
                file.write_text(texts[kind])
            continue
        if kind == "key":
            file.write_text((base / "class" / f"exercise-{number:02d}" / "key.txt").read_text())
            expected[student] = (("100.0",), "100.0")
            continue
        if kind == "rounded":
            file.write_text(header + lines(exercise, exercise.checker.expected, 3))
            expected[student] = (("100.0",), "100.0")
            continue
        written, own_errors = mistaken(exercise, kind)
        file.write_text(header + lines(exercise, written))
        least, most = right_strict(exercise, written)
        assert most < asked - own_errors  # the error was carried into later steps
        strict = tuple(f"{100 * right / asked:.1f}" for right in range(least, most + 1))
        expected[student] = (strict, f"{100 * (asked - own_errors) / asked:.1f}")
    roster = ["student,variant,email,id", *(f"s{n:02d},{n},s{n:02d}@uni.example,{5000 + n}" for n in range(1, 41))]
    (base / "roster.csv").write_text("\n".join(roster) + "\n")
    files = sorted(str(path.relative_to(base)) for path in answers.iterdir())
    runs = {}
    for credit in ("ecf", "strict"):
        run = stepgrad(
            "grade", "class", *files, "--roster", "roster.csv", "--credit", credit, "--out", credit, cwd=base
        )
        assert run.returncode == 0, run.stderr
        runs[credit] = run
    return {"base": base, "expected": expected, "runs": runs}


def _rows(base: Path, credit: str) -> dict[str, dict[str, str]]:
    return {row["Student"]: row for row in csv.DictReader((base / credit / "grades.csv").open())}


@pytest.mark.parametrize("credit", ["strict", "ecf"])
def test_every_score_and_every_blank_row(course: dict[str, object], credit: str) -> None:
    base, expected = course["base"], course["expected"]
    assert isinstance(base, Path) and isinstance(expected, dict)
    rows = _rows(base, credit)
    assert len(rows) == VARIANTS
    for student, want in expected.items():
        row = rows[student]
        assert row["ID"] == str(5000 + int(student[1:])) and row["Email"] == f"{student}@uni.example"
        if isinstance(want, str):
            assert (row["Score"], want in row["Problem"]) == ("", True), (student, row)
        elif credit == "strict":  # one of the scores the written values allow
            assert row["Score"] in want[0] and row["Problem"] == "", (student, kind_of(int(student[1:])), want)
        else:
            assert (row["Score"], row["Problem"]) == (want[1], ""), (student, kind_of(int(student[1:])))
    assert sum(row["Score"] == "" for row in rows.values()) == 12  # 4 malformed, 4 other variant, 2 blank, 2 missing


def test_ecf_gives_back_what_was_carried_forward(course: dict[str, object]) -> None:
    base = course["base"]
    assert isinstance(base, Path)
    strict, ecf = _rows(base, "strict"), _rows(base, "ecf")
    details = {row["learner"]: row for row in csv.DictReader((base / "ecf" / "details.csv").open())}
    for student in strict:
        kind = kind_of(int(student[1:]))
        if strict[student]["Score"]:  # both runs grade alike: the ECF run's details hold the strict score
            right, asked = int(details[student]["right"]), int(details[student]["asked"])
            assert f"{100 * right / asked:.1f}" == strict[student]["Score"]
        if kind in NOT_GRADED or kind in ("key", "rounded"):
            assert strict[student]["Score"] == ecf[student]["Score"]
        else:  # every mistake here is carried into later steps: ECF gives those marks back
            assert float(ecf[student]["Score"]) > float(strict[student]["Score"]), student


def test_feedback_names_each_mistake(course: dict[str, object]) -> None:
    base = course["base"]
    assert isinstance(base, Path)
    feedback = base / "ecf" / "feedback"
    assert {path.name for path in feedback.iterdir()} == {
        f"s{n:02d}.{suffix}" for n in range(1, VARIANTS + 1) for suffix in ("md", "html")
    }
    titles = {"lr-forgotten": LR_FORGOTTEN, "gradient-added": GRADIENT_ADDED, "sign-flipped": SIGN_FLIPPED}
    for number in range(1, VARIANTS + 1):
        kind, markdown = kind_of(number), (feedback / f"s{number:02d}.md").read_text()
        assert (feedback / f"s{number:02d}.html").read_text().startswith("<!DOCTYPE html>")
        if kind in titles:
            assert titles[kind] in markdown, (number, kind)
        if kind in NOT_GRADED:
            assert "Not graded:" in markdown and NOT_GRADED[kind] in markdown, (number, kind)


def test_class_summary_counts_the_common_mistakes(course: dict[str, object]) -> None:
    base, runs = course["base"], course["runs"]
    assert isinstance(base, Path) and isinstance(runs, dict)
    summary = (base / "ecf" / "grades.md").read_text()
    assert "40 learners (28 graded)" in summary
    for title in (LR_FORGOTTEN, GRADIENT_ADDED, SIGN_FLIPPED):
        assert f"| {title} | 4 |" in summary
    assert "not graded (12, blank in grades.csv):" in runs["ecf"].stdout
    steps = {row["step"]: row for row in csv.DictReader((base / "ecf" / "steps.csv").open())}
    assert steps["delta_o1"]["wrong"] == "4"  # slipped in delta_o1
    assert steps["delta_o1"]["follows_from_earlier_error"] == str(4 + 4)  # the flipped sign and the early slip
    assert steps["w5+"]["wrong"] == str(4 + 4)  # the two update mistakes
