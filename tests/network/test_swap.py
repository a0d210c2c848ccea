"""``replace_folder``: several files replaced at once, the folder's other files kept, leftovers recovered."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from stepgrad.errors import StepgradError
from stepgrad.network.swap import recover, replace_folder


def dead_pid() -> int:
    finished = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    return int(finished.stdout)


def test_new_files_replace_old_ones_and_the_rest_stays_the_same_file(tmp_path: Path) -> None:
    folder = tmp_path / "results"
    folder.mkdir()
    (folder / "a.csv").write_text("old a")
    (folder / "b.csv").write_text("old b")
    (folder / "mine").mkdir()
    (folder / "mine" / "notes.txt").write_text("keep")
    os.symlink("mine/notes.txt", folder / "link")
    inode = (folder / "mine" / "notes.txt").stat().st_ino

    def write_new(staging: Path) -> None:
        (staging / "a.csv").write_text("new a")
        (staging / "b.csv").write_text("new b")

    kept = replace_folder(folder, write_new, keep=lambda name: name not in ("a.csv", "b.csv"))
    assert kept == ["mine", "link", "mine/notes.txt"]
    assert (folder / "a.csv").read_text() + (folder / "b.csv").read_text() == "new anew b"
    assert (folder / "mine" / "notes.txt").stat().st_ino == inode  # a hard link: the user's very file
    assert os.readlink(folder / "link") == "mine/notes.txt"
    assert sorted(os.listdir(tmp_path)) == ["results"]


def test_a_kept_file_in_the_way_of_a_new_one_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "results"
    folder.mkdir()
    (folder / "a.csv").write_text("someone's")
    with pytest.raises(StepgradError, match=r"a\.csv: would be replaced, and stepgrad did not write it"):
        replace_folder(folder, lambda staging: (staging / "a.csv").write_text("new"), keep=lambda name: True)
    assert (folder / "a.csv").read_text() == "someone's"
    assert sorted(os.listdir(tmp_path)) == ["results"]


def test_recover_puts_the_old_folder_back_and_deletes_dead_leftovers(tmp_path: Path) -> None:
    from stepgrad.network.swap import _digest

    target = tmp_path / "class"
    dead = dead_pid()
    old = tmp_path / f".stepgrad-{dead}-{_digest(target)}.old"
    old.mkdir()
    (old / "kept.txt").write_text("the complete old set")
    new = tmp_path / f".stepgrad-{dead}-{_digest(target)}.new"
    new.mkdir()
    running = tmp_path / f".stepgrad-{os.getpid()}-{_digest(target)}.new"  # still being written
    running.mkdir()
    other = tmp_path / f".stepgrad-{dead}-{_digest(tmp_path / 'other')}.new"  # another folder's
    other.mkdir()
    recover(target)
    assert (target / "kept.txt").read_text() == "the complete old set"
    assert sorted(os.listdir(tmp_path)) == sorted(["class", running.name, other.name])
