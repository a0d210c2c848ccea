"""Reading a learner's answers: TOML, JSON, CSV ``name,value`` or plain ``name = value`` lines.

Every number keeps the text it was written as, because the tolerance follows
what the learner wrote: ``0.5933`` has 4 decimals, ``8.2167e-2`` has 6.
A blank value (``out_h1 =``, ``""``, JSON ``null``) means "not answered" and is
skipped, so a blank answers template is a valid, empty answer file.
"""

from __future__ import annotations

import csv
import io
import json
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from stepgrad.errors import StepgradError

_NUMBER = re.compile(r"^[+-]?(?:(\d+)(?:\.(\d*))?|\.(\d+))(?:[eE]([+-]?\d+))?$")
FORMATS = ("toml", "json", "csv", "lines")


@dataclass(frozen=True)
class Answer:
    """One value the learner wrote.

    Attributes:
        written: the name as written (``w5_new``).
        text: the number as written (``0.3589``).
        value: the number.
        decimals: digits after the decimal point, exponent included (``8.2e-2`` → 3).
        location: where it is (``line 4``).
    """

    written: str
    text: str
    value: float
    decimals: int

    location: str = ""

    @property
    def half_unit(self) -> float:
        """Half a unit of the last written digit: the rounding the value carries."""
        return 0.5 * 10.0 ** (-self.decimals)


def parse_number(text: str, source: str, location: str) -> tuple[float, int] | None:
    """``(value, decimals)`` of a written number; None when blank; ``StepgradError`` when not a number."""
    cleaned = text.strip().strip('"').strip("'").strip().replace("−", "-").replace("\u2212", "-")
    if not cleaned:
        return None
    match = _NUMBER.match(cleaned)
    if match is None:
        raise StepgradError(f"{text.strip()!r} is not a number", source, location)
    fraction = match.group(2) if match.group(1) is not None else match.group(3)
    exponent = int(match.group(4) or 0)
    return float(cleaned), max(0, len(fraction or "") - exponent)


def _line_of(text: str, name: str) -> str:
    for number, line in enumerate(text.splitlines(), start=1):
        if name in line:
            return f"line {number}"
    return ""


def _answer(name: str, raw: Any, source: str, location: str) -> Answer | None:
    if raw is None:
        return None
    if isinstance(raw, bool | dict | list):
        raise StepgradError(f"the value of {name!r} is not a number", source, location)
    parsed = parse_number(str(raw), source, location)
    if parsed is None:
        return None
    return Answer(name.strip(), str(raw).strip(), parsed[0], parsed[1], location)


def _from_mapping(pairs: list[tuple[str, Any]], text: str, source: str) -> list[Answer]:
    answers = []
    for name, raw in pairs:
        if isinstance(raw, dict) and name in ("answers", "values"):
            answers += _from_mapping(list(raw.items()), text, source)
            continue
        answer = _answer(name, raw, source, _line_of(text, name))
        if answer is not None:
            answers.append(answer)
    return answers


def _parse_json(text: str, source: str) -> list[Answer]:
    def pairs_hook(pairs: list[tuple[str, Any]]) -> list[tuple[str, Any]]:
        seen: set[str] = set()
        for name, _ in pairs:
            if name in seen:
                raise StepgradError(f"{name!r} is given twice", source, _line_of(text, f'"{name}"'))
            seen.add(name)
        return pairs

    try:
        data = json.loads(text, object_pairs_hook=pairs_hook, parse_float=str, parse_int=str, parse_constant=str)
    except json.JSONDecodeError as error:
        raise StepgradError(f"not valid JSON: {error.msg}", source, f"line {error.lineno}") from None
    if not isinstance(data, list) or any(not isinstance(pair, tuple) for pair in data):
        raise StepgradError("a JSON answer file must be one object of name: value pairs", source)
    flat = [
        (name, dict(value) if isinstance(value, list) and name in ("answers", "values") else value)
        for name, value in data
    ]
    return _from_mapping(flat, text, source)


def _parse_toml(text: str, source: str) -> list[Answer]:
    data = tomllib.loads(text, parse_float=str)
    return _from_mapping(list(data.items()), text, source)


def _parse_csv(text: str, source: str) -> list[Answer]:
    answers = []
    for number, row in enumerate(csv.reader(io.StringIO(text)), start=1):
        cells = [cell.strip() for cell in row]
        if not cells or not any(cells) or cells[0].startswith("#"):
            continue
        if len(cells) != 2:
            raise StepgradError(f"expected 'name,value', found {len(cells)} columns", source, f"line {number}")
        if number == 1 and cells[0].lower() == "name":
            continue  # header
        answer = _answer(cells[0], cells[1], source, f"line {number}")
        if answer is not None:
            answers.append(answer)
    return answers


def _parse_lines(text: str, source: str) -> list[Answer]:
    answers = []
    for number, line in enumerate(text.splitlines(), start=1):
        content = line.split("#", 1)[0].strip()
        if not content:
            continue
        separator = "=" if "=" in content else ":" if ":" in content else None
        if separator is None:
            message = f"expected 'name = value' or 'name: value', found {content!r}"
            raise StepgradError(message, source, f"line {number}")
        name, _, raw = content.partition(separator)
        if not name.strip():
            raise StepgradError("a value without a name", source, f"line {number}")
        answer = _answer(name.strip().strip('"'), raw, source, f"line {number}")
        if answer is not None:
            answers.append(answer)
    return answers


def detect_format(path: Path, text: str) -> str:
    """The format by suffix (``.toml``, ``.json``, ``.csv``), else by content."""
    suffix = path.suffix.lower()
    if suffix in (".toml", ".json", ".csv"):
        return suffix[1:]
    first = next((line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")), "")
    if first.startswith("{"):
        return "json"
    if "," in first and "=" not in first and ":" not in first:
        return "csv"
    return "lines"


def parse_answers(text: str, source: str = "<answers>", fmt: str = "lines") -> list[Answer]:
    """The answers in ``text``; duplicates of the same written name are an error."""
    if fmt == "json":
        answers = _parse_json(text, source)
    elif fmt == "csv":
        answers = _parse_csv(text, source)
    elif fmt == "toml":
        try:
            answers = _parse_toml(text, source)
        except tomllib.TOMLDecodeError as error:
            # Not TOML (e.g. an unquoted dE_total/dw5): plain lines are accepted too.
            try:
                answers = _parse_lines(text, source)
            except StepgradError:
                raise StepgradError(f"not valid TOML: {error}", source) from None
    else:
        answers = _parse_lines(text, source)
    seen: dict[str, Answer] = {}
    for answer in answers:
        if answer.written in seen:
            raise StepgradError(f"{answer.written!r} is given twice", source, answer.location)
        seen[answer.written] = answer
    return answers


def read_answers(path: str | Path) -> list[Answer]:
    """Read an answer file; ``StepgradError`` (file, line, what) when it cannot be used."""
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise StepgradError("no such file", str(file)) from None
    except (OSError, UnicodeDecodeError) as error:
        raise StepgradError(f"cannot read it: {error}", str(file)) from None
    return parse_answers(text, str(file), detect_format(file, text))
