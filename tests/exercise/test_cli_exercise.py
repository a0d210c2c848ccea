"""``stepgrad exercise`` and ``stepgrad grade`` as subprocesses on real folders."""

from __future__ import annotations

import csv
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

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
    folders = sorted(exercises.iterdir())
    assert [f.name for f in folders] == ["exercise-01", "exercise-02", "exercise-03"]
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
    assert "values right; everything you wrote is right" in result.stdout
    key_md = (folder / "key.md").read_text()
    assert key_md.startswith("# Answer key: Exercise 2 (seed 7)")
    assert "w5" in key_md and "delta_o1" in key_md


def test_grade_writes_csv_and_markdown(exercises: Path, tmp_path: Path) -> None:
    folder = exercises / "exercise-01"
    key = (folder / "key.txt").read_text()
    (tmp_path / "ada.txt").write_text(key)
    # bea forgets the learning rate in the update of w1: w1+ = w1 − dE_total/dw1
    w1 = load_setup(folder / "network.toml").network.layers[0].weights[0, 0]
    values = dict(line.split(" = ") for line in key.splitlines() if " = " in line)
    wrong = f"w1+ = {w1 - float(values['dE_total/dw1']):.4f}"
    (tmp_path / "bea.txt").write_text(
        "\n".join(wrong if line.startswith("w1+ =") else line for line in key.splitlines())
    )
    (tmp_path / "cid.json").write_text("{broken")
    files = [str(tmp_path / name) for name in ("ada.txt", "bea.txt", "cid.json")]
    result = stepgrad("grade", "--exercise", str(folder), *files)
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader((folder / "grades.csv").open()))
    assert [row["learner"] for row in rows] == ["ada", "bea", "cid"]
    assert rows[0]["score"] == "1.000" and rows[0]["first_wrong"] == ""
    assert rows[1]["first_wrong"] == "w1+" and rows[1]["diagnosis"].startswith("Learning rate forgotten")
    assert "not valid JSON" in rows[2]["error"]
    summary = (folder / "grades.md").read_text()
    assert "## Steps the class got wrong" in summary and "| `w1+` | 1 | 0 |" in summary
