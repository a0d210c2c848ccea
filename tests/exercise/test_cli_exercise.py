"""``stepgrad exercise`` and ``stepgrad grade`` as subprocesses on real folders."""

from __future__ import annotations

import csv
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from stepgrad.check.compare import Checker
from stepgrad.exercise import Exercise
from stepgrad.network.files import load_setup

STEPGRAD = str(Path(sys.executable).parent / "stepgrad")
FILES = [
    "network.toml",
    "network.svg",
    "questions.md",
    "questions.html",
    "answers.txt",
    "key.txt",
    "key.md",
    "key.svg",
    "key.html",
]


def stepgrad(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([STEPGRAD, *args], capture_output=True, text=True)


@pytest.fixture(scope="module")
def exercises(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("class")
    result = stepgrad("exercise", "--seed", "7", "--count", "3", "--lms", "moodle", "--out", str(out))
    assert result.returncode == 0, result.stderr
    return out


def test_every_variant_has_every_file(exercises: Path) -> None:
    folders = sorted(folder for folder in exercises.iterdir() if folder.is_dir())
    assert [f.name for f in folders] == ["exercise-01", "exercise-02", "exercise-03"]
    assert (exercises / "quiz.xml").is_file()  # the class quiz beside them
    for folder in folders:
        for name in [*FILES, "quiz.xml"]:
            assert (folder / name).stat().st_size > 0, (folder, name)
        assert ET.parse(folder / "quiz.xml").getroot().tag == "quiz"
        assert "<svg" in (folder / "questions.html").read_text()
    networks = [(f / "network.toml").read_text().split("\n", 1)[1] for f in folders]
    assert len(set(networks)) == 3


def test_same_seed_same_files(exercises: Path, tmp_path: Path) -> None:
    assert stepgrad("exercise", "--seed", "7", "--out", str(tmp_path)).returncode == 0
    for name in FILES:
        assert (tmp_path / "exercise-01" / name).read_text() == (exercises / "exercise-01" / name).read_text(), name


def test_key_passes_check_and_template_is_empty(exercises: Path) -> None:
    folder = exercises / "exercise-02"
    result = stepgrad("check", str(folder / "network.toml"), str(folder / "key.txt"))
    assert result.returncode == 0, result.stdout
    assert "right; everything you wrote is right" in result.stdout
    key_md = (folder / "key.md").read_text()
    assert key_md.startswith("# Answer key: Exercise 2 (seed 7)")
    assert "w5" in key_md and "delta_o1" in key_md
    # the diagram is the sidecar SVG (GitHub drops data: images), with every value of the step
    assert 'src="key.svg"' in key_md and "data:" not in key_md
    assert (folder / "key.svg").read_text().startswith("<svg")


def test_the_network_file_rebuilds_with_its_seed_and_variant(exercises: Path) -> None:
    import tomllib

    from stepgrad.exercise import generate_setup

    for folder in sorted(folder for folder in exercises.iterdir() if folder.is_dir()):
        meta = tomllib.loads((folder / "network.toml").read_text())["meta"]
        assert generate_setup(meta["seed"], variant=meta["variant"]) == load_setup(folder / "network.toml")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--seed", "-5"], "stepgrad: error: --seed must be 0 or more, got -5"),
        (["--seed", "1", "--learning-rate", "0"], "stepgrad: error: --learning-rate must be greater than 0, got 0"),
        (
            ["--seed", "1", "--loss", "cross_entropy", "--layers", "2,2,1"],
            "stepgrad: error: cross_entropy with a softmax output needs at least 2 outputs",
        ),
        (["--seed", "1", "--count", "0"], "stepgrad: error: --count must be at least 1, got 0"),
        (["--seed", "1", "--ask", "forward,delta"], "stepgrad: error: --ask: 'delta' is neither a group"),
        (
            ["--seed", "1", "--out", "/proc/nope/x"],
            "stepgrad: error: /proc/nope/x: cannot create the folder",
        ),
    ],
)
def test_unusable_options_get_one_line_and_exit_2(tmp_path: Path, args: list[str], message: str) -> None:
    out = [] if "--out" in args else ["--out", str(tmp_path / "out")]
    result = stepgrad("exercise", *args, *out)
    assert result.returncode == 2
    assert result.stderr.startswith(message) and result.stderr.count("\n") == 1, result.stderr
    assert "Traceback" not in result.stderr


def test_grade_writes_csv_and_markdown(exercises: Path, tmp_path: Path) -> None:
    folder = exercises / "exercise-01"
    key = (folder / "key.txt").read_text()
    (tmp_path / "ada.txt").write_text(key)
    # bea forgets the learning rate in the update of w1: w1+ = w1 − dE_total/dw1; and misspells a name
    w1 = load_setup(folder / "network.toml").network.layers[0].weights[0, 0]
    values = dict(line.split(" = ") for line in key.splitlines() if " = " in line and not line.startswith("#"))
    wrong = f"w1+ = {w1 - float(values['dE_total/dw1']):.4f}"
    (tmp_path / "bea.txt").write_text(
        "\n".join(wrong if line.startswith("w1+ =") else line for line in key.splitlines()) + "\nouth_1x = 0.5\n"
    )
    (tmp_path / "cid.json").write_text("{broken")
    (tmp_path / "dan.txt").write_text((folder / "answers.txt").read_text())  # the blank template
    files = [str(tmp_path / name) for name in ("ada.txt", "bea.txt", "cid.json", "dan.txt")]
    result = stepgrad("grade", "--exercise", str(folder), *files)
    assert result.returncode == 0, result.stderr
    asked = len(values)
    lines = result.stdout.splitlines()
    assert lines[0] == f"ada: {asked}/{asked}  all right"
    assert lines[1] == (
        f"bea: {asked - 1}/{asked}  first wrong: w1+ (learning rate forgotten in the update)  (1 unknown name: outh_1x)"
    )
    assert lines[3] == f"dan: not graded: {tmp_path / 'dan.txt'}: nothing answered: every value is blank"
    gradebook = list(csv.DictReader((folder / "grades.csv").open()))
    assert list(gradebook[0]) == ["Student", "ID", "Email", "Score", "Problem"]
    assert [(row["Student"], row["Score"]) for row in gradebook] == [
        ("ada", "100.0"),
        ("bea", f"{100 * (asked - 1) / asked:.1f}"),
        ("cid", ""),  # blank, never 0: a gradebook would record a 0
        ("dan", ""),
    ]
    assert "not valid JSON" in gradebook[2]["Problem"] and "nothing answered" in gradebook[3]["Problem"]
    rows = list(csv.DictReader((folder / "details.csv").open()))
    assert rows[0]["score"] == "1.000" and rows[0]["first_wrong"] == ""
    assert rows[1]["first_wrong"] == "w1+" and rows[1]["diagnosis"].startswith("Learning rate forgotten")
    assert rows[1]["mistake"].startswith("Learning rate forgotten")
    assert rows[1]["unknown_names"] == "outh_1x"
    assert "not valid JSON" in rows[2]["problem"]
    assert "nothing answered" in rows[3]["problem"] and rows[3]["right"] == "" and rows[3]["score"] == ""
    summary = (folder / "grades.md").read_text()
    assert "## Steps the class got wrong" in summary and "| `w1+` | 1 | 0 | 0 | 0 |" in summary
    assert "## Most common mistakes" in summary and "| Learning rate forgotten in the update | 1 |" in summary
    steps = {row["step"]: row for row in csv.DictReader((folder / "steps.csv").open())}
    # every asked step, in the sheet's order (the default ask leaves out identities such as dnet_h1/dw1 = i1)
    assert list(steps) == Exercise(load_setup(folder / "network.toml")).asked
    assert "dnet_h1/dw1" not in steps and "dnet_h1/dw1" in Checker(load_setup(folder / "network.toml")).asked()
    assert sorted(steps) == sorted(values)
    assert steps["w1+"]["wrong"] == "1" and steps["w5+"]["wrong"] == "0"
    assert steps["out_h1"]["unanswered"] == "0"  # cid and dan are not graded, so they do not count


def test_grade_needs_a_class_or_exercise_folder(exercises: Path, tmp_path: Path) -> None:
    answers = tmp_path / "ada.txt"
    answers.write_text((exercises / "exercise-01" / "key.txt").read_text())
    cases = [
        (tmp_path / "nowhere", f"{tmp_path / 'nowhere'}: no such folder"),
        (tmp_path / "nowhere.toml", f"{tmp_path / 'nowhere.toml'}: no such file"),
        (tmp_path, f"{tmp_path}: has no network.toml and no exercise-NN folders: give a class or exercise folder"),
    ]
    for folder, message in cases:
        result = stepgrad("grade", "--exercise", str(folder), str(answers))
        assert result.returncode == 2
        assert result.stderr == f"stepgrad: error: {message}\n"
    assert not (exercises / "grades.csv").exists()


def test_a_miscopied_given_number_is_named_in_the_grades(exercises: Path, tmp_path: Path) -> None:
    folder = exercises / "exercise-01"
    i1 = load_setup(folder / "network.toml").inputs[0, 0]
    (tmp_path / "eve.txt").write_text(f"i1 = {i1 + 0.01:.2f}\n")
    result = stepgrad("grade", "--exercise", str(folder), str(tmp_path / "eve.txt"), "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    row = next(csv.DictReader((tmp_path / "details.csv").open()))
    assert row["first_wrong"] == "i1"
    assert row["diagnosis"] == f"the network's i1 is {i1:g}: copy it from the network file"


def test_learners_with_the_same_file_name_in_different_folders(exercises: Path, tmp_path: Path) -> None:
    folder = exercises / "exercise-01"
    for group in ("group-a", "group-b"):
        (tmp_path / group).mkdir()
        (tmp_path / group / "ada.txt").write_text((folder / "key.txt").read_text())
    files = [str(tmp_path / group / "ada.txt") for group in ("group-a", "group-b")]
    result = stepgrad("grade", "--exercise", str(folder), *files, "--out", str(tmp_path / "grades"))
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader((tmp_path / "grades" / "details.csv").open()))
    assert [row["learner"] for row in rows] == ["group-a/ada", "group-b/ada"]
    assert [row["file"] for row in rows] == files
    assert sorted(path.name for path in (tmp_path / "grades" / "feedback").iterdir()) == [
        "group-a_ada.html",
        "group-a_ada.md",
        "group-b_ada.html",
        "group-b_ada.md",
    ]


def test_every_platform_at_once(tmp_path: Path) -> None:
    args = ["--lms", "moodle", "--lms", "gift", "--lms", "canvas", "--lms", "prairielearn"]
    result = stepgrad("exercise", "--seed", "3", "--count", "2", *args, "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert {"quiz.xml", "quiz.gift", "quiz-canvas.zip"} <= {path.name for path in tmp_path.iterdir()}
    for folder in ("exercise-01", "exercise-02"):
        for name in ("quiz.xml", "quiz.gift", "quiz-canvas.zip", "prairielearn/info.json", "prairielearn/server.py"):
            assert (tmp_path / folder / name).stat().st_size > 0, (folder, name)
        assert (tmp_path / folder / "prairielearn" / "clientFilesQuestion" / "network.svg").is_file()
    manifest = (tmp_path / ".stepgrad-manifest.json").read_text()
    assert "exercise-01/prairielearn/server.py" in manifest and "quiz-canvas.zip" in manifest
