"""Question sheets, answer templates, the Moodle quiz and grading, on generated exercises."""

from __future__ import annotations

import base64
import csv
import io
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from stepgrad.check import check_answers, parse_answers
from stepgrad.exercise import Exercise, ExerciseSpec, generate_setup, grade
from stepgrad.exercise.moodle import class_quiz, tolerance_for

SPEC = ExerciseSpec(layers=(2, 2, 2), bias="per_neuron", train_bias=True)


@pytest.fixture(scope="module")
def exercise() -> Exercise:
    return Exercise(generate_setup(21, SPEC), "Exercise 1 (seed 21)")


def test_template_lists_every_asked_name_once_and_reads_as_no_answers(exercise: Exercise) -> None:
    template = exercise.answers_template()
    names = re.findall(r"^(\S+) =$", template, flags=re.MULTILINE)
    assert names == exercise.asked
    assert "b1+" in names and "dE_total/db1" in names  # trained per-neuron biases are asked
    assert "w1" not in names and "i1" not in names  # given numbers are not
    assert parse_answers(template, "template") == []


def test_filled_key_checks_as_right(exercise: Exercise) -> None:
    report = check_answers(parse_answers(exercise.key_values(), "key"), exercise.setup)
    assert report.ok and report.score == (len(exercise.asked), len(exercise.asked))


def test_question_sheet_gives_every_number_and_asks_every_value(exercise: Exercise) -> None:
    sheet = exercise.question_markdown()
    setup = exercise.setup
    assert f"| `w1` | {setup.network.layers[0].weights[0, 0]:g} | i1 → h1 |".replace("-", "−") in sheet
    for name in exercise.asked:
        assert f"`{name}`" in sheet
    assert "![the network](network.svg)" in sheet
    html = exercise.question_html()
    assert html.startswith("<!DOCTYPE html>") and "<svg" in html and "</html>" in html


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
        # the diagram: an <img> of @@PLUGINFILE@@/network.svg and the file itself, base64, in the question text
        assert '<img src="@@PLUGINFILE@@/network.svg"' in text.find("text").text
        (file,) = text.findall("file")
        assert (file.get("name"), file.get("path"), file.get("encoding")) == ("network.svg", "/", "base64")
        assert base64.b64decode(file.text).decode("utf-8") == diagram
        assert question.find("generalfeedback").get("format") == "html"
        (answer,) = question.findall("answer")
        assert answer.get("fraction") == "100"
        value = float(answer.find("text").text)
        assert value == exercise.checker.expected[name]
        tolerance = float(answer.find("tolerance").text)
        # one unit of the 4th significant digit: never 0 or −value, however small the value
        assert 0 < tolerance <= 1e-3 * abs(value) and tolerance >= 1e-4 * abs(value)
        assert abs(0 - value) > tolerance and abs(-value - value) > tolerance
        assert float(question.find("defaultgrade").text) == 1.0
        assert 0 <= float(question.find("penalty").text) <= 1


def test_moodle_tolerance_for_small_values() -> None:
    assert tolerance_for(0.000438568) == pytest.approx(1e-7)
    assert tolerance_for(-0.0190491) == pytest.approx(1e-5)
    assert tolerance_for(0.35891648) == pytest.approx(1e-4)
    assert tolerance_for(1.10590597) == pytest.approx(1e-3)
    assert tolerance_for(0.0) == 0.0


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


def test_grading_a_class(tmp_path: Path, exercise: Exercise) -> None:
    values = exercise.checker.expected
    right = tmp_path / "ada.txt"
    right.write_text("".join(f"{n} = {values[n]:.4f}\n" for n in exercise.asked))
    # bea adds the gradient to w5 and everything after it follows
    wrong = tmp_path / "bea.txt"
    wrong.write_text(
        "".join(f"{n} = {values[n]:.4f}\n" for n in exercise.asked if not n.startswith(("w5+", "out_o", "E_o")))
        + f"w5+ = {values['w5'] + 0.5 * values['dE_total/dw5']:.4f}\n"
    )
    broken = tmp_path / "cid.txt"
    broken.write_text("net_h1 = oops\n")
    result = grade(exercise.setup, [right, wrong, broken])
    rows = list(csv.DictReader(io.StringIO(result.to_csv())))
    assert [r["learner"] for r in rows] == ["ada", "bea", "cid"]
    asked = len(exercise.asked)
    assert rows[0]["right"] == str(asked) and rows[0]["first_wrong"] == ""
    assert rows[1]["first_wrong"] == "w5+"
    assert rows[1]["diagnosis"].startswith("Gradient added")
    assert "not a number" in rows[2]["error"]
    assert result.wrong["w5+"] == 1 and result.wrong["net_h1"] == 0
    markdown = result.to_markdown("Grades")
    assert "| `w5+` | 1 |" in markdown
    assert f"| ada | {asked}/{asked} (100%) | – | – | – |" in markdown
