"""``--force`` replaces what stepgrad wrote, by its manifest (or, in an older folder, by the names it writes)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from stepgrad.errors import StepgradError
from stepgrad.exercise import ExerciseSpec, write_exercises
from stepgrad.exercise.manifest import MANIFEST, file_hash, stepgrad_files

STEPGRAD = str(Path(sys.executable).parent / "stepgrad")


def test_the_manifest_lists_every_file_written_with_its_hash(tmp_path: Path) -> None:
    write_exercises(tmp_path / "class", 1, ExerciseSpec(), count=2, lms="moodle")
    files = stepgrad_files(tmp_path / "class")
    assert len(files) == 2 * 10 + 1  # ten files per exercise with a quiz, and the class quiz
    assert files["exercise-02/key.md"] == file_hash(tmp_path / "class" / "exercise-02" / "key.md")
    assert MANIFEST not in files


def test_a_file_stepgrad_wrote_and_someone_changed_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "class"
    write_exercises(out, 1, ExerciseSpec(), count=2)
    (out / "exercise-02" / "key.md").write_text("the teacher fixed a typo\n")
    result = subprocess.run(
        [STEPGRAD, "exercise", "--seed", "2", "--out", str(out), "--force"], capture_output=True, text=True
    )
    assert result.returncode == 2
    assert result.stderr == (
        f"stepgrad: error: {out / 'exercise-02' / 'key.md'}: changed since stepgrad wrote it: "
        "not replacing it (move it away, then run again)\n"
    )
    assert (out / "exercise-02" / "key.md").read_text() == "the teacher fixed a typo\n"
    assert (out / "exercise-02" / "network.toml").exists()


def test_a_file_of_someone_else_where_a_new_exercise_goes_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "class"
    write_exercises(out, 1, ExerciseSpec(), count=1)
    (out / "exercise-02").mkdir()
    (out / "exercise-02" / "key.md").write_text("mine\n")
    with pytest.raises(StepgradError, match="would be replaced, and stepgrad did not write it"):
        write_exercises(out, 2, ExerciseSpec(), count=2, force=True)
    assert (out / "exercise-02" / "key.md").read_text() == "mine\n"
    assert not (out / "exercise-02" / "network.toml").exists()


def test_a_folder_from_before_manifests_is_read_by_its_names(tmp_path: Path) -> None:
    out = tmp_path / "class"
    write_exercises(out, 1, ExerciseSpec(), count=2, lms="moodle")
    (out / MANIFEST).unlink()
    (out / "exercise-2024").mkdir()
    (out / "exercise-2024" / "network.toml").write_text("inputs = [1.0]\n")  # not written by stepgrad exercise
    (out / "exercise-01" / "grades.csv").write_text("ada,1\n")
    assert sorted(stepgrad_files(out)) == sorted(
        [
            f"exercise-0{n}/{name}"
            for n in (1, 2)
            for name in (
                "answers.txt",
                "key.html",
                "key.md",
                "key.svg",
                "key.txt",
                "network.svg",
                "network.toml",
                "questions.html",
                "questions.md",
                "quiz.xml",
            )
        ]
        + ["quiz.xml"]
    )
    write_exercises(out, 2, ExerciseSpec(), count=1, force=True)
    assert sorted(path.name for path in out.iterdir()) == [MANIFEST, "exercise-01", "exercise-2024"]
    assert (out / "exercise-2024" / "network.toml").read_text() == "inputs = [1.0]\n"
    assert (out / "exercise-01" / "grades.csv").read_text() == "ada,1\n"
    assert sorted(json.loads((out / MANIFEST).read_text())["files"]) == [
        f"exercise-01/{name}"
        for name in (
            "answers.txt",
            "key.html",
            "key.md",
            "key.svg",
            "key.txt",
            "network.svg",
            "network.toml",
            "questions.html",
            "questions.md",
        )
    ]


def test_a_damaged_manifest_is_one_line(tmp_path: Path) -> None:
    out = tmp_path / "class"
    write_exercises(out, 1, ExerciseSpec())
    (out / MANIFEST).write_text("{not json")
    with pytest.raises(StepgradError, match="is damaged: stepgrad cannot tell which files it wrote"):
        write_exercises(out, 2, ExerciseSpec(), force=True)
