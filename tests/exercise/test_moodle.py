"""The Moodle quiz: its documented structure, and tolerances that accept what the sheet asks for.

The learners are worked by hand in ``tests/check/by_hand.py`` (plain Python, every step rounded to
4 decimals and carried forward, as the sheet says), independently of the tolerances' computation.
"""

from __future__ import annotations

import base64
import html
import re
import xml.etree.ElementTree as ET

import pytest

from check.by_hand import Paper, Slip, work
from stepgrad.exercise import Exercise, ExerciseSpec, generate_setup
from stepgrad.exercise.moodle import answer_text, class_quiz, tolerance_text
from stepgrad.exercise.sheets import INSTRUCTION

SPEC = ExerciseSpec(layers=(2, 2, 2), bias="per_neuron", train_bias=True)
SPECS = [
    ExerciseSpec(),
    SPEC,
    ExerciseSpec(layers=(2, 3, 2), activation="tanh", loss="cross_entropy", bias="per_neuron", train_bias=True),
    ExerciseSpec(layers=(3, 2, 2, 1), activation="relu", loss="binary_cross_entropy", bias="none"),
    ExerciseSpec(layers=(2, 3, 3, 2), activation="sigmoid", loss="mse"),
]


@pytest.fixture(scope="module")
def exercise() -> Exercise:
    return Exercise(generate_setup(21, SPEC), "Exercise 1 (seed 21)")


CLOZE_FIELD = re.compile(r"\{1:NUMERICAL:=(-?\d+(?:\.\d+)?):(\d+(?:\.\d+)?)\}")
ROW = re.compile(r"<tr><td><code>([^<]+)</code></td><td>(\{[^}]*\})</td></tr>")


def cloze_fields(text: str) -> dict[str, tuple[float, float]]:
    """``name -> (answer, tolerance)`` of every embedded answer of a Cloze question text."""
    found = {}
    for name, field in ROW.findall(text):
        match = CLOZE_FIELD.fullmatch(field)
        assert match, field  # every embedded answer is numerical, weight 1, one answer with a tolerance
        found[html.unescape(name)] = (float(match.group(1)), float(match.group(2)))
    assert len(found) == text.count("{1:NUMERICAL:") == text.count("{"), "every { opens one embedded answer"
    return found


def questions(exercise: Exercise) -> dict[str, tuple[float, float]]:
    """``name -> (answer, tolerance)`` of every embedded answer of the exercise's Cloze question."""
    root = ET.fromstring(exercise.moodle())
    (question,) = root.findall("question[@type='cloze']")
    return cloze_fields(question.find("questiontext/text").text)


def accepted(response: float, answer: float, tolerance: float) -> bool:
    """Moodle's numerical question: ``|response − answer| ≤ tolerance``."""
    return abs(response - answer) <= tolerance


def test_moodle_quiz_follows_the_documented_structure(exercise: Exercise) -> None:
    root = ET.fromstring(exercise.moodle())
    assert root.tag == "quiz"
    category, question = root.findall("question")
    assert category.get("type") == "category"
    assert category.find("category/text").text == "$course$/stepgrad/Exercise 1 (seed 21)"
    assert question.get("type") == "cloze"
    assert {child.tag for child in question} == {"name", "questiontext", "generalfeedback", "penalty", "hidden"}
    assert question.find("name/text").text == "Exercise 1 (seed 21)"
    text = question.find("questiontext")
    assert text.get("format") == "html"
    assert INSTRUCTION in text.find("text").text  # the sheet's words, not another precision
    # the diagram, once: an <img> of @@PLUGINFILE@@/network.svg and the file itself, base64
    assert text.find("text").text.count('<img src="@@PLUGINFILE@@/network.svg"') == 1
    (file,) = text.findall("file")
    assert (file.get("name"), file.get("path"), file.get("encoding")) == ("network.svg", "/", "base64")
    assert base64.b64decode(file.text).decode("utf-8") == exercise.diagram_svg()
    fields = questions(exercise)
    assert list(fields) == exercise.asked
    for name, (value, tolerance) in fields.items():
        exact = exercise.checker.expected[name]
        assert value == pytest.approx(exact, rel=5e-6, abs=1e-12)  # 6 significant digits
        assert tolerance > 0
        if exact != 0:  # never 0 or −value
            assert not accepted(0.0, value, tolerance) and not accepted(-value, value, tolerance)
    assert question.find("generalfeedback").get("format") == "html"
    assert 0 <= float(question.find("penalty").text) <= 1


def test_answers_and_tolerances_are_written_plainly() -> None:
    assert answer_text(-0.32080000000000003) == "-0.3208"
    assert answer_text(5.560735648744113e-06) == "0.00000556074"
    assert answer_text(1.1059059670597) == "1.10591"
    assert answer_text(0.0) == "0"
    # rounded up to 2 significant digits, plus what rounding the answer moved it
    assert tolerance_text(5.31e-05, 0.5) == "0.000054"
    assert tolerance_text(0.000123, 0.35891648) == "0.00013"
    assert float(tolerance_text(1e-4, 1.1059059670597)) >= 1e-4 + abs(1.10591 - 1.1059059670597)


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: f"{'-'.join(map(str, s.layers))}-{s.activation}-{s.loss}")
def test_learners_rounding_every_step_to_4_decimals_score_full_marks(spec: ExerciseSpec) -> None:
    scores = []
    for seed in range(4):
        exercise = Exercise(generate_setup(seed, spec), f"seed {seed}")
        quiz = questions(exercise)
        learner = work(Paper.of(exercise.setup), 4)
        right = [name for name, (answer, tolerance) in quiz.items() if accepted(learner[name], answer, tolerance)]
        scores.append((len(right), len(quiz)))
        assert len(right) == len(quiz), [(n, learner[n], quiz[n]) for n in quiz if n not in right][:4]
    print(f"\n{spec.describe()}: 4-decimal learners {scores}")


@pytest.mark.parametrize("mistake", ["gradient_added", "sign_flipped", "factor_two"])
def test_a_learner_making_a_mistake_loses_the_questions_it_changes(mistake: str) -> None:
    # The tolerance is the rounding of a careful learner, not a wide net: where the mistake moves a value by
    # 10 units of the 4th decimal or more, Moodle rejects it.
    for seed in range(4):
        exercise = Exercise(generate_setup(seed, SPEC), f"seed {seed}")
        quiz = questions(exercise)
        paper = Paper.of(exercise.setup)
        right, wrong = work(paper, 4), work(paper, 4, Slip(mistake))
        changed = [name for name in quiz if abs(wrong[name] - right[name]) >= 10e-4]
        assert changed, mistake
        assert not any(accepted(wrong[name], *quiz[name]) for name in changed)


def test_a_class_quiz_has_one_cloze_question_per_exercise() -> None:
    parts = [
        Exercise(generate_setup(21, SPEC, variant), f"Exercise {variant + 1}").moodle_questions() for variant in (0, 1)
    ]
    root = ET.fromstring(class_quiz("seed 21", parts))
    kinds = [
        (q.get("type"), q.find("category/text" if q.get("type") == "category" else "name/text").text) for q in root
    ]
    assert kinds == [("category", "$course$/stepgrad/seed 21"), ("cloze", "Exercise 1"), ("cloze", "Exercise 2")]
    for question, part in zip(root.findall("question[@type='cloze']"), parts, strict=True):
        fields = cloze_fields(question.find("questiontext/text").text)
        assert fields == {
            name: (float(answer_text(part.values[name])), float(tolerance_text(part.bounds[name], part.values[name])))
            for name in part.asked
        }
        assert len(question.findall("questiontext/file")) == 1


def test_a_class_of_40_fits_common_upload_limits() -> None:
    from stepgrad.exercise import generate_variants

    parts = [
        Exercise(setup, f"Exercise {k} (seed 7)").moodle_questions()
        for k, (_, setup) in enumerate(generate_variants(7, count=40), 1)
    ]
    size = len(class_quiz("seed 7", parts).encode("utf-8"))
    print(f"\n40-variant class quiz: {size} bytes")
    assert size < 2_000_000  # it was 24.7 MB with the diagram in each of 2,480 questions
