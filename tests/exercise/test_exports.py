"""GIFT, Canvas QTI 1.2 and PrairieLearn: each parsed back against its documented structure, and under each
format's own acceptance rule a learner rounding every step to 4 decimals (worked by hand in
``tests/check/by_hand.py``) scores full marks while 0 and −v never pass."""

from __future__ import annotations

import importlib.util
import io
import json
import re
import uuid
import xml.etree.ElementTree as ET
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import pytest

from check.by_hand import Paper, work
from stepgrad.exercise import Exercise, ExerciseSpec, generate_setup
from stepgrad.exercise.canvas import answer_range, canvas_zip
from stepgrad.exercise.gift import gift_class_quiz, gift_quiz
from stepgrad.exercise.moodle import answer_text, tolerance_text
from stepgrad.exercise.prairielearn import answers_name, question_files

SPECS = [
    ExerciseSpec(),
    ExerciseSpec(layers=(2, 2, 2), bias="per_neuron", train_bias=True),
    ExerciseSpec(layers=(2, 3, 2), activation="tanh", loss="cross_entropy", bias="per_neuron", train_bias=True),
    ExerciseSpec(layers=(3, 2, 2, 1), activation="relu", loss="binary_cross_entropy", bias="none"),
]
IDS = ["2-2-2", "trained-biases", "tanh-softmax", "relu-bce"]


def exercises(spec: ExerciseSpec) -> list[Exercise]:
    return [Exercise(generate_setup(seed, spec), f"Exercise {seed + 1} (seed {seed})") for seed in range(3)]


# ---------------------------------------------------------------- GIFT
_GIFT_QUESTION = re.compile(
    r"::(?P<title>(?:[^:\\]|\\.)+)::\[html\](?P<text>(?:[^\\{}~=#:]|\\.)*)\{#(?P<answer>-?\d+(?:\.\d+)?):(?P<tolerance>\d+(?:\.\d+)?)\}"
)


def parse_gift(text: str) -> list[tuple[str, str, float, float]]:
    """A small GIFT reader for the subset stepgrad writes: ``$CATEGORY:`` lines and numerical questions
    ``::title::[html]text{#answer:tolerance}``, one per paragraph, special characters escaped in the text."""
    found: list[tuple[str, str, float, float]] = []
    category = ""
    assert text.endswith("\n") and "\n\n\n" not in text
    for block in text.strip("\n").split("\n\n"):
        assert "\n" not in block, block[:80]
        if block.startswith("$CATEGORY: "):
            category = block.removeprefix("$CATEGORY: ")
            assert category.startswith("$course$/stepgrad/")
            continue
        match = _GIFT_QUESTION.fullmatch(block)
        assert match, block[:200]
        title = re.sub(r"\\(.)", r"\1", match["title"])
        found.append((category, title, float(match["answer"]), float(match["tolerance"])))
    return found


def test_gift_follows_the_grammar_and_keeps_the_tolerances() -> None:
    exercise = exercises(SPECS[0])[0]
    part = exercise.moodle_questions()
    questions = parse_gift(gift_quiz(part))
    assert [title.rsplit(" · ", 1)[1] for _, title, _, _ in questions] == exercise.asked
    assert {category for category, *_ in questions} == {"$course$/stepgrad/Exercise 1 (seed 0)"}
    for (_, _title, answer, tolerance), name in zip(questions, exercise.asked, strict=True):
        value = part.values[name]
        assert (answer, tolerance) == (float(answer_text(value)), float(tolerance_text(part.bounds[name], value)))
        assert not abs(0 - answer) <= tolerance and not abs(-answer - answer) <= tolerance


def test_a_gift_class_file_has_a_category_per_exercise() -> None:
    parts = [exercise.moodle_questions() for exercise in exercises(SPECS[0])]
    categories = [category for category, *_ in parse_gift(gift_class_quiz("seed 0", parts))]
    assert sorted(set(categories)) == [f"$course$/stepgrad/seed 0/Exercise {k} (seed {k - 1})" for k in (1, 2, 3)]
    assert len(categories) == sum(len(part.asked) for part in parts)


def test_gift_escapes_its_special_characters() -> None:
    from stepgrad.exercise.gift import gift_escape

    assert gift_escape("a = b: {c} ~d #e \\f\n  g") == "a \\= b\\: \\{c\\} \\~d \\#e \\\\f g"


# ---------------------------------------------------------------- Canvas QTI 1.2
QTI = "{http://www.imsglobal.org/xsd/ims_qtiasiv1p2}"
CP = "{http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1}"


def read_canvas(data: bytes) -> dict[str, dict[str, tuple[float, float] | None]]:
    """Every assessment of a QTI zip by title: item title -> ``(low, high)`` (None for the text-only item),
    checked against IMS Content Packaging and QTI 1.2 as Canvas reads them."""
    archive = zipfile.ZipFile(io.BytesIO(data))
    manifest = ET.fromstring(archive.read("imsmanifest.xml"))
    assert manifest.tag == f"{CP}manifest" and manifest.find(f"{CP}metadata/{CP}schema").text == "IMS Content"
    resources = manifest.findall(f"{CP}resources/{CP}resource")
    assert {resource.get("type") for resource in resources} == {"imsqti_xmlv1p2"}
    hrefs = [resource.find(f"{CP}file").get("href") for resource in resources]
    assert sorted(archive.namelist()) == sorted(["imsmanifest.xml", *hrefs])
    quizzes = {}
    for resource, href in zip(resources, hrefs, strict=True):
        ident = resource.get("identifier")
        assert re.fullmatch(r"g[0-9a-f]{32}", ident) and href == f"{ident}/{ident}.xml"
        root = ET.fromstring(archive.read(href))
        assert root.tag == f"{QTI}questestinterop"
        (assessment,) = root.findall(f"{QTI}assessment")
        assert assessment.get("ident") == ident
        (section,) = assessment.findall(f"{QTI}section")
        items: dict[str, tuple[float, float] | None] = {}
        for item in section.findall(f"{QTI}item"):
            fields = {
                field.find(f"{QTI}fieldlabel").text: field.find(f"{QTI}fieldentry").text
                for field in item.iter(f"{QTI}qtimetadatafield")
            }
            assert item.find(f"{QTI}presentation/{QTI}material/{QTI}mattext").get("texttype") == "text/html"
            if fields["question_type"] == "text_only_question":
                items[item.get("title")] = None
                continue
            assert fields == {"question_type": "numerical_question", "points_possible": "1"}
            render = item.find(f"{QTI}presentation/{QTI}response_str/{QTI}render_fib")
            assert render.get("fibtype") == "Decimal"
            (condition,) = item.findall(f"{QTI}resprocessing/{QTI}respcondition")
            assert condition.find(f"{QTI}setvar").text == "100"
            low, high = (condition.find(f"{QTI}conditionvar/{QTI}{tag}").text for tag in ("vargte", "varlte"))
            for end in (low, high):  # on the 4-decimal grid Canvas rounds to: its rounding changes nothing
                assert re.fullmatch(r"-?\d+\.\d{4}", end), end
            items[item.get("title")] = (float(low), float(high))
        quizzes[assessment.get("title")] = items
    return quizzes


def test_the_canvas_zip_is_a_quiz_per_exercise_with_the_diagram_once() -> None:
    class_exercises = exercises(SPECS[0])
    parts = [exercise.moodle_questions() for exercise in class_exercises]
    data = canvas_zip("seed 0", parts)
    assert data == canvas_zip("seed 0", parts)  # the same class, the same bytes
    quizzes = read_canvas(data)
    assert list(quizzes) == [part.title for part in parts]
    for exercise, items in zip(class_exercises, quizzes.values(), strict=True):
        assert list(items) == ["The network", *exercise.asked]
        for name in exercise.asked:
            value = exercise.checker.expected[name]
            low, high = items[name]
            assert low <= round(value, 4) <= high
            assert not low <= 0 <= high and not low <= -value <= high
    text = zipfile.ZipFile(io.BytesIO(data)).read(zipfile.ZipFile(io.BytesIO(data)).namelist()[1]).decode()
    assert text.count("data:image/svg+xml;base64,") == 1


def test_canvas_ranges_are_rounded_inward() -> None:
    assert answer_range(0.59327, 0.00009) == ("0.5932", "0.5933")  # tolerance 0.00009: [0.59318, 0.59336]
    assert answer_range(0.00031, 0.0001) == ("0.0002", "0.0004")  # not 0.0001 .. 0.0005, and never 0


# ---------------------------------------------------------------- PrairieLearn
class _Inputs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.inputs: list[dict[str, str | None]] = []
        self.figures: list[dict[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "pl-number-input":
            self.inputs.append(dict(attrs))
        if tag == "pl-figure":
            self.figures.append(dict(attrs))


def run_server(path: Path) -> dict[str, float]:
    spec = importlib.util.spec_from_file_location(f"server_{uuid.uuid4().hex}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    data: dict[str, dict[str, object]] = {"params": {}, "correct_answers": {}}
    module.generate(data)
    return data["correct_answers"]  # type: ignore[return-value]


def test_a_prairielearn_question_folder(tmp_path: Path) -> None:
    exercise = exercises(SPECS[1])[0]
    part = exercise.moodle_questions()
    for name, text in question_files(part, ["seed-0"]).items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    info = json.loads((tmp_path / "info.json").read_text())
    assert set(info) == {"uuid", "title", "topic", "tags", "type", "singleVariant"}
    assert str(uuid.UUID(info["uuid"])) == info["uuid"] and info["type"] == "v3"
    assert isinstance(info["title"], str) and info["topic"] == "Backpropagation"
    assert info["tags"] == ["stepgrad", "seed-0"] and info["singleVariant"] is True
    parser = _Inputs()
    parser.feed((tmp_path / "question.html").read_text())
    assert [figure["file-name"] for figure in parser.figures] == ["network.svg"]
    assert (tmp_path / "clientFilesQuestion" / "network.svg").read_text() == exercise.diagram_svg()
    assert [attrs["answers-name"] for attrs in parser.inputs] == [answers_name(name) for name in exercise.asked]
    for attrs in parser.inputs:
        assert re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", attrs["answers-name"] or "")
        assert (attrs["comparison"], attrs["rtol"]) == ("relabs", "0") and float(attrs["atol"] or 0) > 0
    # server.py generates exactly the key's numbers
    answers = run_server(tmp_path / "server.py")
    assert answers == {answers_name(name): exercise.checker.expected[name] for name in exercise.asked}
    key = dict(line.split(" = ") for line in exercise.key_values().splitlines() if " = " in line and line[0] != "#")
    assert {name: f"{answers[answers_name(name)]:.4f}".replace("-0.0000", "0.0000") for name in key} == key


def test_prairielearn_names_stay_distinct() -> None:
    names = Exercise(generate_setup(0, SPECS[2]), ask="all").asked
    assert len({answers_name(name) for name in names}) == len(names)
    assert answers_name("dE_total/dw5") == "dE_total__dw5" and answers_name("w5+") == "w5_new"


# ---------------------------------------------------------------- every format's acceptance rule
def prairielearn_rule(part_files: dict[str, str]) -> dict[str, tuple[float, float]]:
    parser = _Inputs()
    parser.feed(part_files["question.html"])
    return {attrs["answers-name"] or "": (0.0, float(attrs["atol"] or 0)) for attrs in parser.inputs}


@pytest.mark.parametrize("spec", SPECS, ids=IDS)
def test_a_learner_rounding_to_4_decimals_passes_everywhere_and_0_or_minus_v_nowhere(spec: ExerciseSpec) -> None:
    for exercise in exercises(spec):
        part = exercise.moodle_questions()
        learner = work(Paper.of(exercise.setup), 4)
        gift = {
            title.rsplit(" · ", 1)[1]: (answer, tolerance)
            for _, title, answer, tolerance in parse_gift(gift_quiz(part))
        }
        (canvas,) = read_canvas(canvas_zip(part.title, [part])).values()
        pl = prairielearn_rule(question_files(part, []))
        exact = exercise.checker.expected
        for name in exercise.asked:
            answer, tolerance = gift[name]
            low, high = canvas[name]  # type: ignore[misc]
            atol = pl[answers_name(name)][1]
            passes = {
                "gift": abs(learner[name] - answer) <= tolerance,
                "canvas": low <= round(learner[name], 4) <= high,
                "prairielearn": abs(learner[name] - exact[name]) <= atol,
            }
            assert all(passes.values()), (name, learner[name], exact[name], passes)
            for wrong in (0.0, -exact[name]) if exact[name] != 0 else ():  # an exact 0 (a dead ReLU) is right
                assert not abs(wrong - answer) <= tolerance, (name, wrong)
                assert not low <= wrong <= high, (name, wrong)
                assert not abs(wrong - exact[name]) <= atol, (name, wrong)
