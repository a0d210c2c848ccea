"""Writing a class folder: never a mix of an old set of exercises and a new one."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import stepgrad.exercise.write as write_module
from stepgrad.errors import StepgradError
from stepgrad.exercise import ExerciseSpec, write_exercises

STEPGRAD = str(Path(sys.executable).parent / "stepgrad")


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` by relative path, with its bytes."""
    return {str(path.relative_to(folder)): path.read_bytes() for path in sorted(folder.rglob("*")) if path.is_file()}


@pytest.fixture
def old_class(tmp_path: Path) -> Path:
    """A class folder with 3 exercises of seed 1 and their quiz, graded, and a teacher's own notes."""
    out = tmp_path / "class"
    write_exercises(out, 1, ExerciseSpec(), count=3, lms="moodle")
    (out / "exercise-01" / "grades.csv").write_text("learner,score\nada,1.0\n")
    (out / "notes.txt").write_text("the teacher's own file\n")
    return out


def test_a_folder_with_exercises_is_refused_without_force(old_class: Path) -> None:
    before = snapshot(old_class)
    result = subprocess.run(
        [STEPGRAD, "exercise", "--seed", "2", "--count", "2", "--out", str(old_class)], capture_output=True, text=True
    )
    assert result.returncode == 2
    assert result.stderr == (
        f"stepgrad: error: {old_class}: already holds exercises (exercise-01, exercise-02, exercise-03, quiz.xml): "
        "give --force to replace them, or another folder\n"
    )
    assert snapshot(old_class) == before


def test_force_replaces_the_whole_set(old_class: Path, tmp_path: Path) -> None:
    result = subprocess.run(
        [STEPGRAD, "exercise", "--seed", "2", "--count", "2", "--out", str(old_class), "--force"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    # no stale exercise-03 or class quiz of seed 1; the grades and the teacher's file stay; no staging left over
    assert sorted(path.name for path in old_class.iterdir()) == [
        ".stepgrad-manifest.json",
        "exercise-01",
        "exercise-02",
        "notes.txt",
    ]
    assert not [path for path in old_class.parent.iterdir() if path.name.startswith(".stepgrad")]
    assert (old_class / "exercise-01" / "grades.csv").read_text() == "learner,score\nada,1.0\n"
    fresh = tmp_path / "fresh"
    write_exercises(fresh, 2, ExerciseSpec(), count=2)
    assert snapshot(old_class / "exercise-01") == {
        **snapshot(fresh / "exercise-01"),
        "grades.csv": b"learner,score\nada,1.0\n",
    }
    assert result.stdout.splitlines() == [
        f"wrote {old_class / 'exercise-01'}",
        f"wrote {old_class / 'exercise-02'}",
        f"2 exercises in {old_class}",
    ]
    assert result.stderr == (
        f"kept 2 files in {old_class} that stepgrad did not write (exercise-01/grades.csv, notes.txt)\n"
    )


def test_a_failure_while_writing_leaves_the_old_set(old_class: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = snapshot(old_class)
    real = write_module.write_exercise
    calls = []

    def fail_on_the_second(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise StepgradError("disk full", "somewhere")
        return real(*args, **kwargs)

    monkeypatch.setattr(write_module, "write_exercise", fail_on_the_second)
    with pytest.raises(StepgradError, match="disk full"):
        write_exercises(old_class, 2, ExerciseSpec(), count=2, force=True)
    assert snapshot(old_class) == before
    assert sorted(path.name for path in old_class.iterdir()) == [
        ".stepgrad-manifest.json",
        "exercise-01",
        "exercise-02",
        "exercise-03",
        "notes.txt",
        "quiz.xml",
    ]
    assert not [path for path in old_class.parent.iterdir() if path.name.startswith(".stepgrad")]


def test_a_failure_while_moving_into_place_leaves_the_old_set(old_class: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import stepgrad.network.swap as swap_module

    before = snapshot(old_class)

    def no_space(first: Path, second: Path) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(swap_module, "_put_in_place", no_space)
    with pytest.raises(StepgradError, match="cannot write: No space left on device"):
        write_exercises(old_class, 2, ExerciseSpec(), count=2, force=True)
    monkeypatch.undo()
    assert snapshot(old_class) == before
    assert not [path for path in old_class.parent.iterdir() if path.name.startswith(".stepgrad")]
