"""Nothing the user saved is lost: every writing command, run as a subprocess on real files.

Each refusal is one line on stderr naming the file, exit code 2, and the file byte-identical after.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

STEPGRAD = str(Path(sys.executable).parent / "stepgrad")


def stepgrad(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([STEPGRAD, *args], capture_output=True, text=True, cwd=cwd)


def assert_refused(result: subprocess.CompletedProcess[str], named: str, saying: str) -> None:
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith(f"stepgrad: error: {named}: {saying}"), result.stderr
    assert result.stderr.count("\n") == 1, result.stderr


@pytest.fixture
def work(tmp_path: Path) -> Path:
    """A folder with the classic network (net.json), an answers file and an exercise of seed 3."""
    assert stepgrad("init", "net.json", cwd=tmp_path).returncode == 0
    (tmp_path / "answers.txt").write_text("out_o1 = 0.75136507\n")
    assert stepgrad("exercise", "--seed", "3", "--out", "class", cwd=tmp_path).returncode == 0
    return tmp_path


def same_file_ways(work: Path, name: str) -> list[str]:
    """``name`` itself, ``./name``, ``sub/../name``, a symbolic link and a hard link to it."""
    os.symlink(name, work / f"link-{name}")
    os.link(work / name, work / f"hard-{name}")
    (work / "sub").mkdir(exist_ok=True)
    return [name, f"./{name}", f"sub/../{name}", f"link-{name}", f"hard-{name}"]


def test_explain_never_writes_over_its_network_file(work: Path) -> None:
    before = (work / "net.json").read_bytes()
    for output in same_file_ways(work, "net.json"):
        result = stepgrad("explain", "net.json", "--format", "text", "-o", output, cwd=work)
        assert_refused(result, output, "is the network file; writing there would replace it")
        assert (work / "net.json").read_bytes() == before


@pytest.mark.parametrize(
    ("given", "output", "role"),
    [
        (["net.json", "answers.txt"], "answers.txt", "the answers file"),
        (["net.json", "answers.txt"], "net.json", "the network file"),
        (["answers.txt"], "./answers.txt", "the answers file"),
    ],
)
def test_check_never_writes_over_its_inputs(work: Path, given: list[str], output: str, role: str) -> None:
    before = {name: (work / name).read_bytes() for name in ("net.json", "answers.txt")}
    result = stepgrad("check", *given, "--format", "text", "-o", output, cwd=work)
    assert_refused(result, output, f"is {role}; writing there would replace it")
    assert {name: (work / name).read_bytes() for name in before} == before


def test_viz_export_never_writes_over_its_network_file(work: Path) -> None:
    before = (work / "net.json").read_bytes()
    result = stepgrad("viz", "net.json", "--export", "./net.json", cwd=work)
    assert_refused(result, "./net.json", "is the network file; writing there would replace it")
    assert (work / "net.json").read_bytes() == before


def test_grade_never_writes_over_an_answers_file(work: Path) -> None:
    answers = work / "class" / "exercise-01" / "grades.csv"  # a learner's answers, unluckily named
    answers.write_text("name,value\nout_o1,0.5\n")
    result = stepgrad("grade", "--exercise", "class/exercise-01", "class/exercise-01/grades.csv", cwd=work)
    assert_refused(result, "class/exercise-01/grades.csv", "is an answers file; writing there would replace it")
    assert answers.read_text() == "name,value\nout_o1,0.5\n"


def test_explain_refuses_an_svg_it_did_not_write_beside_the_page(work: Path) -> None:
    (work / "notes.svg").write_text("<svg>my own drawing</svg>\n")
    result = stepgrad("explain", "net.json", "-o", "notes.md", cwd=work)
    assert_refused(result, "notes.svg", "exists and is not the diagram stepgrad wrote for notes.md")
    assert "--force" in result.stderr
    assert (work / "notes.svg").read_text() == "<svg>my own drawing</svg>\n"
    assert not (work / "notes.md").exists()


def test_explain_replaces_its_own_diagram_and_any_with_force(work: Path) -> None:
    (work / "notes.svg").write_text("<svg>my own drawing</svg>\n")
    assert stepgrad("explain", "net.json", "-o", "notes.md", "--force", cwd=work).returncode == 0
    first = (work / "notes.svg").read_text()
    assert "<!-- stepgrad: diagram of notes.md -->" in first
    # its own diagram: replaced without asking (the same bytes again)
    assert stepgrad("explain", "net.json", "-o", "notes.md", cwd=work).returncode == 0
    assert (work / "notes.svg").read_text() == first
    # the diagram of another page is not this page's
    (work / "other.svg").write_text(first)
    result = stepgrad("explain", "net.json", "-o", "other.md", cwd=work)
    assert_refused(result, "other.svg", "exists and is not the diagram stepgrad wrote for other.md")
    assert (work / "other.svg").read_text() == first


def test_explain_refuses_a_page_that_would_be_its_own_diagram(work: Path) -> None:
    result = stepgrad("explain", "net.json", "--format", "markdown", "-o", "page.svg", cwd=work)
    assert_refused(result, "page.svg", "is both the page and its diagram")
    assert not (work / "page.svg").exists()


def read_only(path: Path) -> None:
    path.chmod(stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)


def test_read_only_files_are_refused_not_replaced(work: Path) -> None:
    (work / "page.txt").write_text("keep me\n")
    read_only(work / "page.txt")
    result = stepgrad("explain", "net.json", "--format", "text", "-o", "page.txt", cwd=work)
    assert_refused(result, "page.txt", "is read-only: not replacing it")
    assert (work / "page.txt").read_text() == "keep me\n"

    (work / "model.toml").write_text("keep me too\n")
    read_only(work / "model.toml")
    result = stepgrad("train", "--data", "xor", "--epochs", "1", "--no-progress", "--save", "model.toml", cwd=work)
    assert_refused(result, "model.toml", "is read-only: not replacing it")
    assert (work / "model.toml").read_text() == "keep me too\n"

    grades = work / "class" / "exercise-01" / "grades.csv"
    grades.write_text("old grades\n")
    read_only(grades)
    (work / "ada.txt").write_text("out_o1 = 0.5\n")
    result = stepgrad("grade", "--exercise", "class/exercise-01", "ada.txt", cwd=work)
    assert_refused(result, "class/exercise-01/grades.csv", "is read-only: not replacing it")
    assert grades.read_text() == "old grades\n"
    assert not (work / "class" / "exercise-01" / "steps.csv").exists()


def test_names_up_to_255_bytes_can_be_written(work: Path) -> None:
    page = "p" * 251 + ".txt"  # 255 bytes: a temporary name made from it would not fit
    result = stepgrad("explain", "net.json", "--format", "text", "-o", page, cwd=work)
    assert result.returncode == 0, result.stderr
    shown = stepgrad("explain", "net.json", "--format", "text", cwd=work).stdout
    assert (work / page).read_text() == shown
    model = "m" * 250 + ".toml"
    result = stepgrad("train", "--data", "xor", "--epochs", "1", "--no-progress", "--save", model, cwd=work)
    assert result.returncode == 0, result.stderr
    assert (work / model).read_text().count("[[layer]]") == 2
    assert not [name for name in os.listdir(work) if name.startswith(".stepgrad")]


def test_stale_temporary_files_of_dead_processes_are_deleted(work: Path) -> None:
    finished = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead = int(finished.stdout)
    (work / f".stepgrad-{dead}-0123abcd.tmp").write_text("half a page")
    alive = work / f".stepgrad-{os.getpid()}-0123abcd.tmp"  # this test's process still runs: in use
    alive.write_text("being written")
    other = work / ".notes.md.tmp"  # not stepgrad's name: not stepgrad's to delete
    other.write_text("someone else's")
    assert stepgrad("explain", "net.json", "--format", "text", "-o", "page.txt", cwd=work).returncode == 0
    assert sorted(name for name in os.listdir(work) if name.startswith(".")) == [".notes.md.tmp", alive.name]
