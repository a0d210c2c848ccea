"""The Moodle quiz: its documented structure, and tolerances that accept what the sheet asks for.

The learners are worked by hand in ``tests/check/by_hand.py`` (plain Python, every step rounded to
4 decimals and carried forward, as the sheet says), independently of the tolerances' computation.
"""

from __future__ import annotations

import base64
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


def questions(exercise: Exercise) -> dict[str, tuple[float, float]]:
    """``name -> (answer, tolerance)`` of every numerical question of the exercise's quiz."""
    root = ET.fromstring(exercise.moodle())
    found = {}
    for question in root.findall("question[@type='numerical']"):
        name = question.find("name/text").text.rsplit(" · ", 1)[-1]
        answer = question.find("answer")
        found[name] = (float(answer.find("text").text), float(answer.find("tolerance").text))
    return found


def accepted(response: float, answer: float, tolerance: float) -> bool:
    """Moodle's numerical question: ``|response − answer| ≤ tolerance``."""
    return abs(response - answer) <= tolerance


def test_moodle_quiz_follows_the_documented_structure(exercise: Exercise) -> None:
    root = ET.fromstring(exercise.moodle())
    assert root.tag == "quiz"
    questions = root.findall("question")
    assert questions[0].get("type") == "category"
    assert questions[0].find("category/text").text == "$course$/stepgrad/Exercise 1 (seed 21)"
    numerical = questions[1:]
    assert len(numerical) == len(exercise.asked)
    allowed = {"name", "questiontext", "generalfeedback", "defaultgrade", "penalty", "hidden", "answer"}
    diagram = exercise.diagram_svg()
    for question, name in zip(numerical, exercise.asked, strict=True):
        assert question.get("type") == "numerical"
        assert {child.tag for child in question} <= allowed
        assert name in question.find("name/text").text
        text = question.find("questiontext")
        assert text.get("format") == "html" and name in text.find("text").text
        assert INSTRUCTION in text.find("text").text  # the sheet's words, not another precision
        # the diagram: an <img> of @@PLUGINFILE@@/network.svg and the file itself, base64, in the question text
        assert '<img src="@@PLUGINFILE@@/network.svg"' in text.find("text").text
        (file,) = text.findall("file")
        assert (file.get("name"), file.get("path"), file.get("encoding")) == ("network.svg", "/", "base64")
        assert base64.b64decode(file.text).decode("utf-8") == diagram
        assert question.find("generalfeedback").get("format") == "html"
        (answer,) = question.findall("answer")
        assert answer.get("fraction") == "100"
        value, exact = float(answer.find("text").text), exercise.checker.expected[name]
        assert value == pytest.approx(exact, rel=5e-6, abs=1e-12)  # 6 significant digits
        assert "e" not in answer.find("text").text.lower() and len(answer.find("text").text) <= 16
        tolerance = float(answer.find("tolerance").text)
        assert tolerance > 0
        if exact != 0:  # never 0 or −value
            assert not accepted(0.0, value, tolerance) and not accepted(-value, value, tolerance)
        assert float(question.find("defaultgrade").text) == 1.0
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


def test_a_class_quiz_has_a_category_per_exercise() -> None:
    parts = [
        Exercise(generate_setup(21, SPEC, variant), f"Exercise {variant + 1}").moodle_questions() for variant in (0, 1)
    ]
    root = ET.fromstring(class_quiz("seed 21", parts))
    categories = [q.find("category/text").text for q in root.findall("question") if q.get("type") == "category"]
    assert categories == ["$course$/stepgrad/seed 21/Exercise 1", "$course$/stepgrad/seed 21/Exercise 2"]
    kinds = [q.get("type") for q in root.findall("question")]
    count = len(parts[0].asked)
    assert kinds == ["category", *["numerical"] * count, "category", *["numerical"] * len(parts[1].asked)]
    names = [q.find("name/text").text for q in root.findall("question") if q.get("type") == "numerical"]
    assert len(set(names)) == len(names)
