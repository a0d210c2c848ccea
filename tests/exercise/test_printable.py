"""Printable handouts: question sheets, keys and a class booklet that pdflatex compiles, each showing its
variant's numbers and variant code (read back with mutool)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from stepgrad.exercise import Exercise
from stepgrad.exercise.printable import variant_code
from stepgrad.network.files import load_setup
from support.system import require

STEPGRAD = str(Path(sys.executable).parent / "stepgrad")


def pdf_text(path: Path) -> str:
    mutool = require("mutool", "mupdf-tools")
    result = subprocess.run([mutool, "draw", "-F", "txt", str(path)], capture_output=True, text=True, check=True)
    return " ".join(result.stdout.split())


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    require("pdflatex", "texlive-latex-base")
    out = tmp_path_factory.mktemp("print") / "class"
    result = subprocess.run(
        [STEPGRAD, "exercise", "--seed", "5", "--count", "2", "--pdf", "--out", str(out)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    return out


def test_each_sheet_and_key_shows_its_own_variant(printed: Path) -> None:
    codes = []
    for folder in ("exercise-01", "exercise-02"):
        exercise = Exercise(load_setup(printed / folder / "network.toml"), f"Exercise {folder[-1]} (seed 5)")
        code = variant_code(exercise)
        codes.append(code)
        sheet, key = pdf_text(printed / folder / "questions.pdf"), pdf_text(printed / folder / "key.pdf")
        assert f"variant {code}" in sheet and f"variant {code}" in key
        for name, value, _ in exercise.given_rows():  # every given number, on the diagram or in the table
            assert value in sheet, (folder, name, value)
        assert "dE" in sheet and "total/dw5" in sheet  # the values to compute
        for name in ("out_h1", "delta_o1", "w5+"):  # the key's values, to 9 significant digits
            assert f"{exercise.checker.expected[name]:.9g}".replace("-", "−") in key, (folder, name)
    assert codes[0] != codes[1]
    booklet = pdf_text(printed / "booklet.pdf")
    assert all(f"variant {code}" in booklet for code in codes)
    assert booklet.index(f"variant {codes[0]}") < booklet.index(f"variant {codes[1]}")


def test_the_variant_code_is_the_numbers() -> None:
    from stepgrad.exercise import generate_setup

    first, again, other = (Exercise(generate_setup(5, variant=k)) for k in (0, 0, 1))
    assert variant_code(first) == variant_code(again) != variant_code(other)
    assert len(variant_code(first)) == 9 and variant_code(first)[4] == "-"
