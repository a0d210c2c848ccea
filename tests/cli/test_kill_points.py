"""SIGKILL at every file system change of a writing command: the user sees the old result or the new one.

``tests/support/kill_at.py`` runs the CLI and kills it at its N-th write, rename, link, mkdir, unlink
or folder exchange. For every N up to the command's count, in a fresh copy of the same folder:
what the user sees is byte for byte the complete old result or the complete new one; the only other
things are stepgrad's own temporary names (``.stepgrad-PID-…``); and running the command again
gives the new result and deletes them.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from stepgrad.network.files import load_setup

STEPGRAD = str(Path(sys.executable).parent / "stepgrad")
KILL_AT = str(Path(__file__).parents[1] / "support" / "kill_at.py")
LEFTOVER = re.compile(r"\.stepgrad-\d+-[0-9a-f]{8}\.(tmp|new|old)")


def tree(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (hidden ones too) by relative path, with its bytes; absent: empty."""
    if not folder.exists():
        return {}
    return {
        path.relative_to(folder).as_posix(): path.read_bytes() for path in sorted(folder.rglob("*")) if path.is_file()
    }


def killed_at(number: int, args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, KILL_AT, str(number), *args], capture_output=True, text=True, cwd=cwd)


def count_calls(args: list[str], base: Path, tmp_path: Path) -> int:
    """How many kill points ``args`` has, run once in a copy of ``base`` without a kill."""
    probe = tmp_path / "count"
    shutil.copytree(base, probe, symlinks=True)
    result = killed_at(0, args, probe)
    assert result.returncode == 0, result.stderr
    return int(result.stderr.rsplit("calls: ", 1)[1])


def leftovers(folder: Path) -> list[str]:
    names = os.listdir(folder)
    return sorted(name for name in names if name.startswith(".stepgrad-") and name != ".stepgrad-manifest.json")


def every_kill_point(
    base: Path, tmp_path: Path, args: list[str], check: Callable[[Path], None], rerun: list[str] | None = None
) -> int:
    """Kill ``args`` at each of its file system changes in a copy of ``base``; ``check`` the copy after the
    kill and, after running ``rerun`` (default: ``args``) normally, that nothing of stepgrad's is left."""
    total = count_calls(args, base, tmp_path)
    assert total > 0

    def one(number: int) -> None:
        case = tmp_path / f"kill-{number}"
        shutil.copytree(base, case, symlinks=True)
        result = killed_at(number, args, case)
        assert result.returncode == -9, (number, result.stderr)
        for name in leftovers(case):
            assert LEFTOVER.fullmatch(name), (number, name)
        check(case)
        again = subprocess.run([STEPGRAD, *(rerun or args)], capture_output=True, text=True, cwd=case)
        assert again.returncode == 0, (number, again.stderr)
        for folder in [case, *(path for path in case.rglob("*") if path.is_dir())]:
            assert leftovers(folder) == [], (number, folder)
        shutil.rmtree(case)

    with ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2)) as pool:
        list(pool.map(one, range(1, total + 1)))
    return total


def stepgrad(*args: str, cwd: Path) -> None:
    result = subprocess.run([STEPGRAD, *args], capture_output=True, text=True, cwd=cwd)
    assert result.returncode == 0, result.stderr


def new_result(base: Path, tmp_path: Path, args: list[str], folder: str) -> dict[str, bytes]:
    fresh = tmp_path / "fresh"
    shutil.copytree(base, fresh, symlinks=True)
    stepgrad(*args, cwd=fresh)
    return tree(fresh / folder)


@pytest.fixture
def graded_class(tmp_path: Path) -> Path:
    """Two exercises of seed 1, graded, with a teacher's notes and an unrelated ``exercise-2024`` folder."""
    base = tmp_path / "base"
    base.mkdir()
    stepgrad("exercise", "--seed", "1", "--count", "2", "--out", "class", cwd=base)
    (base / "ada.txt").write_text("out_o1 = 0.5\n")
    stepgrad("grade", "--exercise", "class/exercise-01", "ada.txt", cwd=base)
    (base / "class" / "notes.txt").write_text("the teacher's own file\n")
    (base / "class" / "exercise-2024").mkdir()
    (base / "class" / "exercise-2024" / "plan.md").write_text("not an exercise\n")
    return base


@pytest.mark.parametrize("exchange", [True, False], ids=["exchange", "two-renames"])
def test_exercise_force(graded_class: Path, tmp_path: Path, exchange: bool) -> None:
    args = ["exercise", "--seed", "2", "--count", "2", "--lms", "moodle", "--out", "class", "--force"]
    old = tree(graded_class / "class")
    new = new_result(graded_class, tmp_path, args, "class")
    assert old != new and new["exercise-01/grades.csv"] == old["exercise-01/grades.csv"]

    def check(case: Path) -> None:
        seen = tree(case / "class")
        if not exchange and not seen:
            # killed between the two renames: the old set waits beside it, and the next run puts it back
            assert [name for name in leftovers(case) if name.endswith(".old")]
            return
        assert seen in (old, new)

    wrapped = args if exchange else ["--no-exchange", *args]
    assert every_kill_point(graded_class, tmp_path, wrapped, check, rerun=args) > 50


@pytest.mark.parametrize("exchange", [True, False], ids=["exchange", "two-renames"])
def test_grade(graded_class: Path, tmp_path: Path, exchange: bool) -> None:
    (graded_class / "bob.txt").write_text("out_o1 = 0.75136507\n")
    args = ["grade", "--exercise", "class/exercise-01", "ada.txt", "bob.txt"]
    old = tree(graded_class / "class" / "exercise-01")
    new = new_result(graded_class, tmp_path, args, "class/exercise-01")
    assert old["grades.csv"] != new["grades.csv"] and old["grades.md"] != new["grades.md"]

    def check(case: Path) -> None:
        seen = tree(case / "class" / "exercise-01")
        if not exchange and not seen:  # between the two renames: the next run puts the old folder back
            assert [name for name in leftovers(case / "class") if name.endswith(".old")]
            return
        assert seen in (old, new)

    wrapped = args if exchange else ["--no-exchange", *args]
    assert every_kill_point(graded_class, tmp_path, wrapped, check, rerun=args) > 5


def test_train_save_with_checkpoints(tmp_path: Path) -> None:
    base = tmp_path / "base"
    base.mkdir()
    stepgrad("train", "--data", "xor", "--epochs", "1", "--no-progress", "--save", "model.toml", cwd=base)
    old = (base / "model.toml").read_bytes()
    args = ["train", "--data", "xor", "--epochs", "3", "--seed", "1", "--no-progress", "--save", "model.toml"]
    args += ["--checkpoint-every", "1"]

    def check(case: Path) -> None:
        assert sorted(name for name in os.listdir(case) if not name.startswith(".stepgrad-")) == ["model.toml"]
        if (case / "model.toml").read_bytes() != old:
            # a complete model: a checkpoint or the last one
            assert len(load_setup(case / "model.toml").network.layers) == 2

    assert every_kill_point(base, tmp_path, args, check) >= 12  # 4 saves, each open, fsync, rename


def test_explain_output(tmp_path: Path) -> None:
    base = tmp_path / "base"
    base.mkdir()
    stepgrad("init", "net.json", cwd=base)
    (base / "page.txt").write_text("an older page\n")
    args = ["explain", "net.json", "--format", "text", "-o", "page.txt"]
    new = new_result(base, tmp_path, args, ".")["page.txt"]

    def check(case: Path) -> None:
        assert (case / "page.txt").read_bytes() in (b"an older page\n", new)

    assert every_kill_point(base, tmp_path, args, check) == 3  # open the temporary file, fsync, rename
