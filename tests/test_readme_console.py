"""The README's and the documentation site's terminal sessions are real: every ``$ command`` of a page's
``console`` blocks is run in a fresh folder (one per page), in order, and its output must be the one the
page shows.

What may differ from one run to the next is blanked on both sides first (times, file sizes, the
port the server picked); a line holding only ``…`` stands for any number of lines. The web server
(``stepgrad viz`` without ``--export``) runs until Ctrl-C, so it is only shown, not run here.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from stepgrad.network.files import load_setup

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
# Every page of the site with a terminal session (the generated pages are made from the code itself).
PAGES = [README, *(page for page in sorted((ROOT / "docs").rglob("*.md")) if "```console\n$ " in page.read_text())]
BIN = Path(sys.executable).parent
VOLATILE = [
    # with the padding after it, so a table cell's width does not depend on how many digits the time had
    (re.compile(r"\b\d+(\.\d+)? (ms|s)\b *"), "<time>"),
    (re.compile(r"\b\d+ KiB\b"), "<size>"),
    (re.compile(r"127\.0\.0\.1:\d+"), "127.0.0.1:<port>"),
]


@dataclass
class Session:
    """One ``$ command`` and the output the README shows for it."""

    command: str
    expected: list[str]
    line: int


def sessions(text: str) -> list[Session]:
    """Every command of every ``console`` block, in README order."""
    found: list[Session] = []
    for block in re.finditer(r"```console\n(.*?)```", text, re.DOTALL):
        first_line = text.count("\n", 0, block.start(1)) + 1
        lines = block.group(1).splitlines()
        index = 0
        while index < len(lines):
            if not lines[index].startswith("$ "):
                index += 1
                continue
            command, start = lines[index][2:], index
            while command.endswith("\\"):
                index += 1
                command = command[:-1] + " " + lines[index].strip()
            index += 1
            expected = []
            while index < len(lines) and not lines[index].startswith("$ "):
                expected.append(lines[index])
                index += 1
            found.append(Session(command, expected, first_line + start))
    return found


def normalise(line: str) -> str:
    for pattern, replacement in VOLATILE:
        line = pattern.sub(replacement, line)
    return line.rstrip()


def matches(expected: list[str], actual: list[str]) -> bool:
    """``actual`` is ``expected`` where a ``…`` line stands for any lines (none included)."""
    if not expected:
        return not actual
    if expected[0].strip() == "…":
        return any(matches(expected[1:], actual[skip:]) for skip in range(len(actual) + 1))
    return bool(actual) and normalise(expected[0]) == normalise(actual[0]) and matches(expected[1:], actual[1:])


def shown_only(session: Session) -> bool:
    """Commands that run until stopped (the web server), shown for what they print on starting."""
    return session.command.startswith("stepgrad viz") and "--export" not in session.command


def write_class_answers(folder: Path) -> None:
    """ada.txt, bea.txt and cid.txt of the grade example: the key, one mistake, a duplicate name."""
    key = folder / "class" / "exercise-01" / "key.txt"
    values = dict(
        line.split(" = ", 1) for line in key.read_text(encoding="utf-8").splitlines() if re.match(r"^\S+ = ", line)
    )
    ada = "".join(f"{name} = {float(value):.4f}\n" for name, value in values.items())
    (folder / "ada.txt").write_text(ada, encoding="utf-8")
    w5 = load_setup(folder / "class" / "exercise-01" / "network.toml").network.layers[1].weights[0, 0]
    w5_new = float(values["w5+"])
    wrong = f"w5+ = {w5 + (w5 - w5_new):.4f}\n"  # the gradient added instead of subtracted
    (folder / "bea.txt").write_text(
        "".join(wrong if line.startswith("w5+ =") else line + "\n" for line in ada.splitlines()), encoding="utf-8"
    )
    (folder / "cid.txt").write_text(f"out_h1 = {float(values['out_h1']):.4f}\nout_h1 = 0.5\n", encoding="utf-8")


@pytest.mark.parametrize("page", PAGES, ids=lambda page: str(page.relative_to(ROOT)))
def test_terminal_sessions_are_real(page: Path, tmp_path: Path) -> None:
    found = sessions(page.read_text(encoding="utf-8"))
    assert len(found) >= (3 if page == README else 1), f"{page.name}: its console blocks were not found"
    environment = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}", "COLUMNS": "80", "TERM": "dumb"}
    environment.pop("FORCE_COLOR", None)
    problems = []
    for session in found:
        if shown_only(session):
            continue
        if session.command.startswith("cat "):
            name = shlex.split(session.command)[1]
            (tmp_path / name).write_text("\n".join(session.expected) + "\n", encoding="utf-8")
            continue
        if session.command.startswith("stepgrad grade"):
            write_class_answers(tmp_path)
        command = session.command
        if command.startswith("ls "):
            command = "ls -C -T 0 -w 200 " + command[3:]
        result = subprocess.run(
            command, shell=True, cwd=tmp_path, env=environment, capture_output=True, text=True, timeout=300
        )
        actual = (result.stdout + result.stderr).rstrip("\n").splitlines()  # blank lines at the end do not show
        if not matches(session.expected, actual):
            problems.append(
                f"{page.relative_to(ROOT)} line {session.line}: $ {session.command}\n--- page\n"
                + "\n".join(session.expected)
                + "\n--- real run\n"
                + "\n".join(actual)
            )
    assert not problems, "\n\n".join(problems)


def test_the_matcher_skips_lines_only_where_the_readme_says_so() -> None:
    assert matches(["a", "…", "d"], ["a", "b", "c", "d"])
    assert matches(["a", "…", "b"], ["a", "b"])
    assert not matches(["a", "d"], ["a", "b", "d"])
    assert not matches(["a", "…"], ["b", "c"])
    assert matches(["time 0.48 s"], ["time 12.3 s"])
    assert matches(["│ time │ 0.69 s  │"], ["│ time │ 71.93 s │"])
    assert not matches(["loss 0.165"], ["loss 0.166"])
    assert json.dumps(normalise("wrote x (1916 KiB, 100 frames)")) == json.dumps("wrote x (<size>, 100 frames)")
