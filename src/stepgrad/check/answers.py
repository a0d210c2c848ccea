"""Reading a learner's answers: TOML, JSON, CSV (``,`` ``;`` or tab) or plain ``name = value`` lines.

Every number keeps the text it was written as, because the tolerance follows
what the learner wrote (``stepgrad.check.tolerance``): ``0.5933`` has 4 decimals,
``8.2167e-2`` has 6. A blank value (``out_h1 =``, ``""``, JSON ``null``) means "not
answered" and is skipped, so a blank answers template reads as no answers.
Every error names the file, the line and the value's name.

Files are read as people write them: a UTF-8 byte order mark (Notepad, Excel) or UTF-16 is
fine; a decimal comma (``0,5933``) and a trailing ``;`` are read; in plain lines, headings
and prose are skipped (and counted: ``AnswerList.skipped``), a working line
``net_h1 = 0.15*0.05 + 0.2*0.1 + 0.35 = 0.3775`` gives its last number (``Answer.working``
keeps the rest), and ``out_h1 0.5933`` needs no ``=``; a CSV may have a header, a third
column of notes, or be "wide" (a row of names over a row of values). A line that reads as
an answer (a number after a name) is always an answer, so an unknown name is reported,
never skipped.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from stepgrad.check.names import canonical_name
from stepgrad.check.tolerance import half_unit, significant_digits
from stepgrad.errors import StepgradError
from stepgrad.limits import MAX_ANSWER_BYTES, MAX_DIGITS, check_text, read_bounded
from stepgrad.network.files import TOP_LEVEL_KEYS, _toml_error_line

_NUMBER = re.compile(r"^[+-]?(?:(\d+)(?:\.(\d*))?|\.(\d+))(?:[eE]([+-]?\d+))?$")
FORMATS = ("toml", "json", "csv", "lines")
STDIN = "-"
_NON_FINITE = {"inf", "infinity", "nan"}
# ``1e-9999`` is read; an exponent with more digits is not a number anyone wrote by hand.
MAX_EXPONENT_DIGITS = 4

# A CSV's first row is a header when its cells are words like these (``name,value``, ``step;answer``).
_HEADER_NAMES = {"name", "names", "step", "steps", "quantity", "variable", "key", "symbol", "value name"}
_HEADER_VALUES = {"value", "values", "answer", "answers", "result", "number", "your value", "your answer"}
# Keys only a network file has (a learner may still copy ``learning_rate`` into the answers).
_NETWORK_KEYS = set(TOP_LEVEL_KEYS) - {"learning_rate"}
# A key at the start of a TOML line (bare, "basic" or 'literal'), or a [table] header.
_TOML_KEY = re.compile(r"""^\s*(?:\[+\s*)?(?:"((?:[^"\\]|\\.)*)"|'([^']*)'|([A-Za-z0-9_\-]+))\s*(?:=|\]+)""")
# A JSON object key: a string followed by a colon.
_JSON_KEY = re.compile(r'"((?:[^"\\]|\\.)*)"\s*:')
BYTE_ORDER_MARK = "\ufeff"
# 0,5933: a decimal comma (never a thousands separator in these numbers).
_DECIMAL_COMMA = re.compile(r"^([+\-−]?\d*),(\d+(?:[eE][+\-−]?\d+)?)$")
# What a formula has and a number (or "about 0.6") has not: the working of a line without its result.
_FORMULA = re.compile(r"[*·×/^()+]|\s[-−]\s|\bexp\b")
# Where a second statement starts on a line: "i1 = 0.05, i2 = 0.10", "w1 = 0,15; w2 = 0,20".
_NEXT_STATEMENT = re.compile(r"[;,]\s+(?=[^=,;*·×]{1,40}=)")
_PROSE = "prose"
# A list item's bullet or number, Markdown emphasis and code marks around a name.
_BULLET = re.compile(r"^(?:[-*•]\s+|\d+[.)]\s+)")


@dataclass(frozen=True)
class Answer:
    """One value the learner wrote.

    Attributes:
        written: the name as written (``w5_new``).
        text: the number as written (``0.3589``).
        value: the number.
        decimals: digits after the decimal point, exponent included (``8.2e-2`` → 3).
        location: where it is (``line 4``).
        working: the working written before the value on its line (``0.15*0.05 + 0.2*0.1 + 0.35``).
    """

    written: str
    text: str
    value: float
    decimals: int

    location: str = ""
    working: str = ""

    @property
    def half_unit(self) -> float:
        """Half a unit of the last written digit: the rounding the value carries."""
        return half_unit(self.decimals)

    @property
    def significant(self) -> int:
        """Significant digits as written (``0.0004`` → 1)."""
        return significant_digits(self.text)


class AnswerList(list[Answer]):
    """The answers of one file, and the line numbers of the notes (prose, headings, working without a
    result) that were skipped."""

    def __init__(self, answers: Iterable[Answer] = (), skipped: Iterable[int] = ()) -> None:
        super().__init__(answers)
        self.skipped = tuple(skipped)


def reading_notes(answers: Sequence[Answer]) -> tuple[str, ...]:
    """What reading the answers skipped or read in a special way, one sentence each (notes, not errors)."""
    notes = []
    skipped = getattr(answers, "skipped", ())
    if skipped:
        lines = ", ".join(str(number) for number in skipped[:8]) + (", …" if len(skipped) > 8 else "")
        plural = "s" if len(skipped) != 1 else ""
        notes.append(f"skipped {len(skipped)} line{plural} of notes (line{plural} {lines})")
    for answer in answers:
        if answer.working:
            where = f"{answer.location}: " if answer.location else ""
            notes.append(f"{where}{answer.written} = {answer.working} = {answer.text}: read the last number")
    return tuple(notes)


def number_text(text: str) -> str:
    """A written number as Python reads it: no quotes, no trailing ``;``, a decimal point for a decimal comma."""
    cleaned = text.strip().strip('"').strip("'").strip().rstrip(";").strip()
    return _DECIMAL_COMMA.sub(r"\1.\2", cleaned)


def is_number(text: str) -> bool:
    """True when ``text`` is a finite number as written (``0,5933`` and ``−0.25`` included)."""
    cleaned = number_text(text).replace("−", "-")
    return _NUMBER.match(cleaned) is not None and cleaned.lower().lstrip("+-") not in _NON_FINITE


def parse_number(text: str, source: str, location: str, name: str = "") -> tuple[float, int] | None:
    """``(value, decimals)`` of a written number; None when blank; ``StepgradError`` when not a finite number."""
    cleaned = number_text(text).replace("−", "-")
    if not cleaned:
        return None
    what = f"the value of {name}" if name else "the value"
    match = _NUMBER.match(cleaned)
    if match is not None and len(cleaned) > MAX_DIGITS:
        raise StepgradError(f"{what} has more than the limit of {MAX_DIGITS} characters", source, location)
    if match is not None and len(match.group(4) or "") > MAX_EXPONENT_DIGITS:
        raise StepgradError(f"{what} has an exponent of more than {MAX_EXPONENT_DIGITS} digits", source, location)
    if cleaned.lower().lstrip("+-") in _NON_FINITE or (match is not None and not math.isfinite(float(cleaned))):
        raise StepgradError(f"{what} is not a finite number: {text.strip()!r}", source, location)
    if match is None:
        raise StepgradError(f"{what} is not a number: {text.strip()!r}", source, location)
    fraction = match.group(2) if match.group(1) is not None else match.group(3)
    exponent = int(match.group(4) or 0)
    return float(cleaned), max(0, len(fraction or "") - exponent)


def _answer(name: str, raw: Any, source: str, location: str, working: str = "") -> Answer | None:
    if raw is None:
        return None
    if not _printable(name):
        raise StepgradError(f"the name {name!r} is not valid Unicode text", source, location)
    if isinstance(raw, bool | dict | list):
        raise StepgradError(f"the value of {name} is not a number: {str(raw)[:80]}", source, location)
    if isinstance(raw, float):
        raw = repr(raw)  # the shortest text that reads back as the same float: its decimals are the learner's
    parsed = parse_number(str(raw), source, location, name)
    if parsed is None:
        return None
    return Answer(name.strip(), number_text(str(raw)), parsed[0], parsed[1], location, working)


def _printable(text: str) -> bool:
    """False for text that cannot be written out (a lone surrogate, from a JSON ``"\\ud800"``)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _unescaped(quoted: str, fmt: str) -> str | None:
    """A quoted key's text with its escapes read (JSON's, or TOML's ``\\U0001F600``); None when neither reads
    it (``"\\q"``, or a key-like line inside a ``'''`` string): the line finder is best effort."""
    try:
        key = json.loads(f'"{quoted}"')
    except ValueError:
        if fmt == "json":
            return None
        try:
            key = tomllib.loads(f'key = "{quoted}"').get("key")
        except ValueError:
            return None
    return key if isinstance(key, str) else None


def key_lines(text: str, fmt: str) -> dict[str, list[int]]:
    """For each key of a TOML or JSON text, the lines it is written on (1-based), in order."""
    found: dict[str, list[int]] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        keys: list[str | None]
        if fmt == "json":
            keys = [_unescaped(match.group(1), fmt) for match in _JSON_KEY.finditer(line)]
        else:
            match = _TOML_KEY.match(line)
            if match is None:
                continue
            basic, literal, bare = match.groups()
            keys = [_unescaped(basic, fmt) if basic is not None else literal if literal is not None else bare]
        for key in keys:
            if key is not None:
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
    check_text(text, source, "json")
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
    except ValueError as error:  # a number Python will not convert
        raise StepgradError(f"not valid JSON: {error}", source) from None
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
    check_text(text, source, "toml")
    try:
        data = tomllib.loads(text, parse_float=str)
    except tomllib.TOMLDecodeError:
        raise
    except ValueError as error:  # a number Python will not convert
        raise StepgradError(f"not valid TOML: {error}", source) from None
    _reject_network(list(data), source)
    return _from_mapping(list(data.items()), key_lines(text, "toml"), source)


def _is_header(cells: list[str]) -> bool:
    if len(cells) < 2:
        return False
    name, value = (cell.lower().strip() for cell in cells[:2])
    return name in _HEADER_NAMES or value in _HEADER_VALUES


def _delimiter(text: str) -> str:
    first = next((line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")), "")
    return ";" if ";" in first else "\t" if "\t" in first else ","


def _is_prose(name: str, raw: str) -> bool:
    """True for a line of notes: its value is not a number, and neither is its name a value's name, or it
    is working without a result (``net_h1 = w1·i1 + w2·i2 + b1``). ``out_h1 = about 0.6`` is an answer."""
    if is_number(raw):
        return False
    if not raw.strip():
        return " " in name.strip() and canonical_name(name) is None  # "Forward pass:" is a heading
    return canonical_name(name) is None or _FORMULA.search(raw) is not None


def _rows(text: str, delimiter: str, source: str) -> list[tuple[int, list[str]]]:
    """The CSV's non-blank rows that are not comments, with their line numbers."""
    rows = []
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        for row in reader:
            cells = [cell.strip() for cell in row]
            if any(cells) and not cells[0].startswith("#"):
                rows.append((reader.line_num, cells))
    except csv.Error as error:
        raise StepgradError(f"not a valid CSV file: {error}", source, f"line {reader.line_num}") from None
    return rows


def _wide(rows: list[tuple[int, list[str]]]) -> bool:
    """True for a row of names over a row of values (``out_h1,w5+`` / ``0.5933,0.3589``)."""
    if len(rows) != 2 or len(rows[0][1]) < 2 or _is_header(rows[0][1]):
        return False
    names, values = rows[0][1], rows[1][1]
    return not any(is_number(name) for name in names) and any(is_number(value) for value in values)


def _parse_csv(text: str, source: str) -> AnswerList:
    delimiter = _delimiter(text)
    first = text.lstrip().split("\n", 1)[0].strip()
    if first.lower().startswith("sep=") and len(first) == 5:  # Excel's "sep=;" line
        delimiter, text = first[4], "\n" + text.lstrip().split("\n", 1)[-1]
    rows = _rows(text, delimiter, source)
    if _wide(rows):
        (_, names), (number, values) = rows
        found = (
            _answer(name, value, source, f"line {number}, column {column}")
            for column, (name, value) in enumerate(zip(names, values, strict=False), start=1)
            if name
        )
        return AnswerList(answer for answer in found if answer is not None)
    answers, skipped = [], []
    for index, (number, cells) in enumerate(rows):
        if index == 0 and len(cells) >= 2 and _is_header(cells):
            continue
        name, raw = cells[0], cells[1] if len(cells) > 1 else ""  # a third column holds notes
        if _is_prose(name, raw):
            skipped.append(number)
            continue
        if not name:
            raise StepgradError("a value without a name", source, f"line {number}")
        answer = _answer(name, raw, source, f"line {number}")
        if answer is not None:
            answers.append(answer)
    return AnswerList(answers, skipped)


def _unclosed_quote(text: str) -> bool:
    """True when ``text`` opens a quote it does not close (``"w5+``, ``'0.35``); ``w5'`` is a name."""
    stripped = text.strip()
    if stripped.count('"') % 2:
        return True
    return stripped.startswith("'") and (len(stripped) < 2 or not stripped.endswith("'"))


def _split_line(content: str) -> tuple[str, str, str] | None:
    """``(name, working, value)`` of a line: ``name = value``, ``name: value``, ``name = working = value``
    (``≈`` too) or ``name value``; None when it has none of these shapes."""
    if "=" in content or "≈" in content:
        head, *working, raw = re.split(r"≈|=", content)
        if ":" in head:  # "net_h1: w1·i1 + … = 0.3775" or "Forward pass: net_h1 = 0.3775"
            before, _, after = head.partition(":")
            if canonical_name(before) is not None:
                head, working = before, [after, *working]
            else:
                head = head.rsplit(":", 1)[1]
        return head, " = ".join(part.strip() for part in working), raw
    if ":" in content:
        name, _, raw = content.partition(":")
        return name, "", raw
    name, _, raw = content.rpartition(" ")
    if name.strip() and is_number(raw) and canonical_name(name) is not None:  # "out_h1 0.5933"
        return name, "", raw
    return None


def _name_of(text: str) -> str:
    """The name as written, without a bullet, Markdown emphasis or code marks around it."""
    name = _BULLET.sub("", text.strip()).strip()
    for mark in ("**", "__", "`"):
        if len(name) > 2 * len(mark) and name.startswith(mark) and name.endswith(mark):
            name = name[len(mark) : -len(mark)].strip()
    return name.strip('"')


def _statements(content: str) -> list[tuple[str, str, str]] | None:
    """``(name, working, value)`` of each statement on a line: one, several (``i1 = 0.05, i2 = 0.10``), a
    Markdown table row (``| out_h1 | 0.5933 |``; its header and rule give none); None for a line of notes."""
    if content.startswith("|"):
        cells = [cell.strip() for cell in content.strip("|").split("|")]
        if len(cells) < 2 or _is_header(cells) or all(set(cell) <= set("-: ") for cell in cells):
            return []
        return [(cells[0], "", cells[1])]
    pieces = _NEXT_STATEMENT.split(content) if content.count("=") > 1 else [content]
    heads = [re.split(r"≈|=", piece)[0].rsplit(":", 1)[-1] for piece in pieces]
    if len(pieces) > 1 and any(canonical_name(_name_of(head)) is None for head in heads):
        pieces = [content]  # "max(0, 0.52) = 0.52": the comma is inside the working, not between statements
    statements = [_split_line(piece) for piece in pieces]
    if None in statements and len(statements) > 1:
        statements = [_split_line(content)]  # the comma did not separate two statements
    found = [statement for statement in statements if statement is not None]
    return found if len(found) == len(statements) else None


def _parse_lines(text: str, source: str) -> AnswerList:
    answers, skipped = [], []
    for number, line in enumerate(text.splitlines(), start=1):
        content = line.split("#", 1)[0].strip()
        if not content or content.startswith("//"):
            continue
        statements = _statements(content)
        if statements is None:
            skipped.append(number)
            continue
        read = [_statement(statement, content, source, f"line {number}") for statement in statements]
        if statements and all(answer is _PROSE for answer in read):
            skipped.append(number)
        answers += [answer for answer in read if isinstance(answer, Answer)]
    return AnswerList(answers, skipped)


def _statement(statement: tuple[str, str, str], content: str, source: str, location: str) -> Answer | str | None:
    """The answer of one ``(name, working, value)``; ``_PROSE`` for notes, None for a blank value."""
    name, working, raw = statement
    if not name.strip():
        if is_number(raw):
            raise StepgradError("a value without a name", source, location)
        return _PROSE
    if _unclosed_quote(name) or _unclosed_quote(raw):
        raise StepgradError(f"an unclosed quote in {content!r}", source, location)
    name, raw = _name_of(name), raw.strip().rstrip(";,")
    if _is_prose(name, raw):
        return _PROSE
    return _answer(name, raw, source, location, " ".join(working.split()))


def detect_format(path: Path | None, text: str) -> str:
    """The format by suffix (``.toml``, ``.json``, ``.csv``, ``.tsv``), else by content."""
    suffix = path.suffix.lower() if path is not None else ""
    if suffix in (".toml", ".json", ".csv"):
        return suffix[1:]
    if suffix == ".tsv":
        return "csv"
    lines = [line.strip() for line in text.removeprefix(BYTE_ORDER_MARK).splitlines()]
    first = next((line for line in lines if line and not line.startswith("#")), "")
    if first.startswith("{"):
        return "json"
    if any("=" in line for line in lines):
        return "lines"
    if any(mark in first for mark in ",;\t") and ":" not in first:
        return "csv"
    return "lines"


def _toml_as_lines(text: str, source: str, error: tomllib.TOMLDecodeError) -> AnswerList:
    """A ``.toml`` file that is not TOML (an unquoted ``dE_total/dw5``, ``0,5933``) read as plain lines, unless
    the line TOML stops at is not an answer either, or is broken in a way plain lines cannot read (an
    unclosed quote): then the TOML error."""
    location = _toml_error_line(str(error), text)
    message = re.sub(r"\s*\(at line \d+, column \d+\)|\s*\(at end of document\)", "", str(error))
    try:
        answers = _parse_lines(text, source)
    except StepgradError as lines_error:
        if lines_error.message.startswith("an unclosed quote"):
            raise StepgradError(f"not valid TOML: {lines_error.message}", source, lines_error.location) from None
        raise StepgradError(f"not valid TOML: {message}", source, location) from None
    if location in {f"line {number}" for number in answers.skipped}:
        raise StepgradError(f"not valid TOML: {message}", source, location)
    return answers


def parse_answers(text: str, source: str = "<answers>", fmt: str = "lines") -> AnswerList:
    """The answers in ``text`` (and the lines of notes skipped); duplicates of the same written name are an
    error."""
    text = text.removeprefix(BYTE_ORDER_MARK)
    answers: list[Answer]
    if fmt == "json":
        answers = _parse_json(text, source)
    elif fmt == "csv":
        answers = _parse_csv(text, source)
    elif fmt == "toml":
        try:
            answers = _parse_toml(text, source)
        except tomllib.TOMLDecodeError as error:
            answers = _toml_as_lines(text, source, error)
    else:
        answers = _parse_lines(text, source)
    seen: dict[str, Answer] = {}
    for answer in answers:
        if answer.written in seen:
            raise StepgradError(f"{answer.written} is given twice", source, answer.location)
        seen[answer.written] = answer
    return answers if isinstance(answers, AnswerList) else AnswerList(answers)


def answers_from_mapping(values: Mapping[str, Any], source: str = "<answers>") -> list[Answer]:
    """Answers from a dict ``{name: value}``; a value may be a number or its text (``"0.5933"``)."""
    return _from_mapping([(str(name), raw) for name, raw in values.items()], {}, source)


def _decoded(data: bytes) -> str:
    """A file's text: UTF-16 when it starts with its byte order mark (Excel's "Unicode text"), else UTF-8."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    return data.decode("utf-8-sig")


def read_answers(path: str | Path) -> AnswerList:
    """Read an answer file (``-``: standard input); ``StepgradError`` (file, line, what) when it cannot be used."""
    source = "<stdin>" if str(path) == STDIN else str(path)
    if source != "<stdin>" and Path(path).is_dir():
        raise StepgradError("is a folder, not an answer file", source)
    data = read_bounded(path, MAX_ANSWER_BYTES, "an answer file")
    try:
        text = _decoded(data)
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise StepgradError(
            f"cannot read it: not UTF-8 or UTF-16 text (byte {error.start + 1})", source, f"line {line}"
        ) from None
    return parse_answers(text, source, detect_format(None if source == "<stdin>" else Path(path), text))
