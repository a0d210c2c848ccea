"""Reading a learner's answers: TOML, JSON, CSV (``,`` ``;`` or tab) or plain ``name = value`` lines.

Every number keeps the text it was written as, because the tolerance follows
what the learner wrote (``stepgrad.check.tolerance``): ``0.5933`` has 4 decimals,
``8.2167e-2`` has 6. A blank value (``out_h1 =``, ``""``, JSON ``null``) means "not
answered" and is skipped, so a blank answers template reads as no answers.
Every error names the file, the line and the value's name.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
import sys
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from stepgrad.check.tolerance import half_unit, significant_digits
from stepgrad.errors import StepgradError
from stepgrad.network.files import TOP_LEVEL_KEYS, _toml_error_line

_NUMBER = re.compile(r"^[+-]?(?:(\d+)(?:\.(\d*))?|\.(\d+))(?:[eE]([+-]?\d+))?$")
FORMATS = ("toml", "json", "csv", "lines")
STDIN = "-"
_NON_FINITE = {"inf", "infinity", "nan"}

# A CSV's first row is a header when its cells are words like these (``name,value``, ``step;answer``).
_HEADER_NAMES = {"name", "names", "step", "steps", "quantity", "variable", "key", "symbol", "value name"}
_HEADER_VALUES = {"value", "values", "answer", "answers", "result", "number", "your value", "your answer"}
# Keys only a network file has (a learner may still copy ``learning_rate`` into the answers).
_NETWORK_KEYS = set(TOP_LEVEL_KEYS) - {"learning_rate"}
# A key at the start of a TOML line (bare, "basic" or 'literal'), or a [table] header.
_TOML_KEY = re.compile(r"""^\s*(?:\[+\s*)?(?:"((?:[^"\\]|\\.)*)"|'([^']*)'|([A-Za-z0-9_\-]+))\s*(?:=|\]+)""")
# A JSON object key: a string followed by a colon.
_JSON_KEY = re.compile(r'"((?:[^"\\]|\\.)*)"\s*:')


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
        return half_unit(self.decimals)

    @property
    def significant(self) -> int:
        """Significant digits as written (``0.0004`` → 1)."""
        return significant_digits(self.text)


def parse_number(text: str, source: str, location: str, name: str = "") -> tuple[float, int] | None:
    """``(value, decimals)`` of a written number; None when blank; ``StepgradError`` when not a finite number."""
    cleaned = text.strip().strip('"').strip("'").strip().replace("−", "-")
    if not cleaned:
        return None
    what = f"the value of {name}" if name else "the value"
    match = _NUMBER.match(cleaned)
    if cleaned.lower().lstrip("+-") in _NON_FINITE or (match is not None and not math.isfinite(float(cleaned))):
        raise StepgradError(f"{what} is not a finite number: {text.strip()!r}", source, location)
    if match is None:
        raise StepgradError(f"{what} is not a number: {text.strip()!r}", source, location)
    fraction = match.group(2) if match.group(1) is not None else match.group(3)
    exponent = int(match.group(4) or 0)
    return float(cleaned), max(0, len(fraction or "") - exponent)


def _answer(name: str, raw: Any, source: str, location: str) -> Answer | None:
    if raw is None:
        return None
    if isinstance(raw, bool | dict | list):
        raise StepgradError(f"the value of {name} is not a number: {raw!r}", source, location)
    if isinstance(raw, float):
        raw = repr(raw)  # the shortest text that reads back as the same float: its decimals are the learner's
    parsed = parse_number(str(raw), source, location, name)
    if parsed is None:
        return None
    return Answer(name.strip(), str(raw).strip(), parsed[0], parsed[1], location)


def key_lines(text: str, fmt: str) -> dict[str, list[int]]:
    """For each key of a TOML or JSON text, the lines it is written on (1-based), in order."""
    found: dict[str, list[int]] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if fmt == "json":
            keys = [json.loads(f'"{match.group(1)}"') for match in _JSON_KEY.finditer(line)]
        else:
            match = _TOML_KEY.match(line)
            if match is None:
                continue
            basic, literal, bare = match.groups()
            keys = [json.loads(f'"{basic}"') if basic is not None else literal if literal is not None else bare]
        for key in keys:
            found.setdefault(key, []).append(number)
    return found


def _location(lines: dict[str, list[int]], name: str, occurrence: int = 0) -> str:
    numbers = lines.get(name, [])
    return f"line {numbers[min(occurrence, len(numbers) - 1)]}" if numbers else ""


def _from_mapping(pairs: list[tuple[str, Any]], lines: dict[str, list[int]], source: str) -> list[Answer]:
    answers = []
    for name, raw in pairs:
        if isinstance(raw, dict) and name in ("answers", "values"):
            answers += _from_mapping(list(raw.items()), lines, source)
            continue
        answer = _answer(name, raw, source, _location(lines, name))
        if answer is not None:
            answers.append(answer)
    return answers


def _json_value(value: Any) -> Any:
    """A JSON value read with ``object_pairs_hook``: objects (lists of pairs) back to dicts."""
    if isinstance(value, list) and value and all(isinstance(pair, tuple) for pair in value):
        return {name: _json_value(item) for name, item in value}
    return value


def _parse_json(text: str, source: str) -> list[Answer]:
    lines = key_lines(text, "json")

    def pairs_hook(pairs: list[tuple[str, Any]]) -> list[tuple[str, Any]]:
        seen: set[str] = set()
        for name, _ in pairs:
            if name in seen:
                raise StepgradError(f"{name} is given twice", source, _location(lines, name, 1))
            seen.add(name)
        return pairs

    try:
        data = json.loads(text, object_pairs_hook=pairs_hook, parse_float=str, parse_int=str, parse_constant=str)
    except json.JSONDecodeError as error:
        raise StepgradError(f"not valid JSON: {error.msg}", source, f"line {error.lineno}") from None
    if not isinstance(data, list) or any(not isinstance(pair, tuple) for pair in data):
        raise StepgradError("a JSON answer file must be one object of name: value pairs", source)
    _reject_network([name for name, _ in data], source)
    return _from_mapping([(name, _json_value(value)) for name, value in data], lines, source)


def _reject_network(names: list[str], source: str) -> None:
    """A network file given where answers belong (``stepgrad check my.toml``, or the two swapped)."""
    if any(name in _NETWORK_KEYS for name in names):
        raise StepgradError(
            "this is a network file, not an answer file: give the network first, then the answers "
            "(stepgrad check NETWORK ANSWERS)",
            source,
        )


def _parse_toml(text: str, source: str) -> list[Answer]:
    data = tomllib.loads(text, parse_float=str)
    _reject_network(list(data), source)
    return _from_mapping(list(data.items()), key_lines(text, "toml"), source)


def _is_header(cells: list[str]) -> bool:
    name, value = (cell.lower().strip() for cell in cells)
    return name in _HEADER_NAMES or value in _HEADER_VALUES


def _delimiter(text: str) -> str:
    first = next((line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")), "")
    return ";" if ";" in first else "\t" if "\t" in first else ","


def _parse_csv(text: str, source: str) -> list[Answer]:
    delimiter = _delimiter(text)
    answers = []
    first_row = True
    for number, row in enumerate(csv.reader(io.StringIO(text), delimiter=delimiter), start=1):
        cells = [cell.strip() for cell in row]
        if not cells or not any(cells) or cells[0].startswith("#"):
            continue
        if len(cells) != 2:
            shown = {",": ",", ";": ";", "\t": "<tab>"}[delimiter]
            raise StepgradError(f"expected 'name{shown}value', found {len(cells)} columns", source, f"line {number}")
        if first_row and _is_header(cells):
            first_row = False
            continue
        first_row = False
        value = cells[1].replace(",", ".") if delimiter == ";" else cells[1]  # 0,5933: a decimal comma
        answer = _answer(cells[0], value, source, f"line {number}")
        if answer is not None:
            answers.append(answer)
    return answers


def _unclosed_quote(text: str) -> bool:
    """True when ``text`` opens a quote it does not close (``"w5+``, ``'0.35``); ``w5'`` is a name."""
    stripped = text.strip()
    if stripped.count('"') % 2:
        return True
    return stripped.startswith("'") and (len(stripped) < 2 or not stripped.endswith("'"))


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
        if _unclosed_quote(name) or _unclosed_quote(raw):
            raise StepgradError(f"an unclosed quote in {content!r}", source, f"line {number}")
        answer = _answer(name.strip().strip('"'), raw, source, f"line {number}")
        if answer is not None:
            answers.append(answer)
    return answers


def detect_format(path: Path | None, text: str) -> str:
    """The format by suffix (``.toml``, ``.json``, ``.csv``, ``.tsv``), else by content."""
    suffix = path.suffix.lower() if path is not None else ""
    if suffix in (".toml", ".json", ".csv"):
        return suffix[1:]
    if suffix == ".tsv":
        return "csv"
    first = next((line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")), "")
    if first.startswith("{"):
        return "json"
    if any(mark in first for mark in ",;\t") and "=" not in first and ":" not in first:
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
            # Not TOML (e.g. an unquoted dE_total/dw5): plain lines are accepted too, unless a line is
            # broken in a way plain lines cannot read either (an unclosed quote).
            try:
                answers = _parse_lines(text, source)
            except StepgradError as lines_error:
                if lines_error.message.startswith("an unclosed quote"):
                    message = f"not valid TOML: {lines_error.message}"
                    raise StepgradError(message, source, lines_error.location) from None
                location = _toml_error_line(str(error), text)
                message = re.sub(r"\s*\(at line \d+, column \d+\)|\s*\(at end of document\)", "", str(error))
                raise StepgradError(f"not valid TOML: {message}", source, location) from None
    else:
        answers = _parse_lines(text, source)
    seen: dict[str, Answer] = {}
    for answer in answers:
        if answer.written in seen:
            raise StepgradError(f"{answer.written} is given twice", source, answer.location)
        seen[answer.written] = answer
    return answers


def answers_from_mapping(values: Mapping[str, Any], source: str = "<answers>") -> list[Answer]:
    """Answers from a dict ``{name: value}``; a value may be a number or its text (``"0.5933"``)."""
    return _from_mapping([(str(name), raw) for name, raw in values.items()], {}, source)


def read_answers(path: str | Path) -> list[Answer]:
    """Read an answer file (``-``: standard input); ``StepgradError`` (file, line, what) when it cannot be used."""
    if str(path) == STDIN:
        text = sys.stdin.read()
        return parse_answers(text, "<stdin>", detect_format(None, text))
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise StepgradError("no such file", str(file)) from None
    except IsADirectoryError:
        raise StepgradError("is a folder, not an answer file", str(file)) from None
    except (OSError, UnicodeDecodeError) as error:
        raise StepgradError(f"cannot read it: {error}", str(file)) from None
    return parse_answers(text, str(file), detect_format(file, text))
