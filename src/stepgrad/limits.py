"""Limits on everything stepgrad reads, checked before a parser or an allocation can blow up.

A parser given a hostile file can take minutes and gigabytes (a 100 KB TOML key
``a.b.b.b… = 1``), recurse until Python gives up (JSON nested 1,000 deep), or refuse a
number in a way no one catches (a 4,301-digit integer). The pre-scans here look at the
raw text only: sizes, bracket depth, key lengths, digit runs, so they are linear in the
file and cannot fail themselves. Each refusal is a ``StepgradError`` that names the limit.
"""

from __future__ import annotations

import os
import re
import sys
from typing import BinaryIO

from stepgrad.errors import StepgradError

# A network file of 300×300 weights is ~2 MB of JSON; an answer file is a page of numbers.
MAX_NETWORK_BYTES = 4 * 1024 * 1024
MAX_ANSWER_BYTES = 1024 * 1024
MAX_CSV_BYTES = 64 * 1024 * 1024
# A network file nests 4 deep (``{"layer": [{"weights": [[…]]}]}``); answers 2 deep.
MAX_DEPTH = 32
# ``dE_total/dw5_new`` is 15 characters; a dotted key with more parts than this is not ours.
MAX_KEY_LENGTH = 256
MAX_KEY_DOTS = 8
# 17 significant digits hold any float; a few more allow zeros written out (``0.000…``).
MAX_DIGITS = 100

_TOML_STRING = re.compile(r'"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'|"(?:[^"\\\n]|\\.)*"|\'[^\'\n]*\'')
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
_DIGITS = re.compile(rf"\d{{{MAX_DIGITS + 1},}}")
# A chain of more than MAX_KEY_DOTS dotted parts anywhere (an inline table's key too). Possessive, and
# starting only where a word starts, so the search stays linear in the text.
_DOTTED = re.compile(rf"(?<![\w-])(?:[\w-]++\s*+\.\s*+){{{MAX_KEY_DOTS + 1},}}")


def size_text(size: int) -> str:
    """``4 MB``, ``64 KB``: a limit in bytes, for messages."""
    for unit, factor in (("MB", 1024 * 1024), ("KB", 1024)):
        if size >= factor:
            return f"{size // factor} {unit}"
    return f"{size} bytes"


def read_stream(stream: BinaryIO, limit: int, source: str, what: str) -> bytes:
    """At most ``limit`` bytes of ``stream``; more (``/dev/zero``) is a ``StepgradError`` naming the limit."""
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise StepgradError(f"larger than the {size_text(limit)} limit for {what}", source)
    return data


def read_bounded(path: str | os.PathLike[str], limit: int, what: str) -> bytes:
    """The bytes of the file at ``path`` (``-``: standard input), read with a bounded read."""
    source = str(path)
    if source == "-":
        return read_stream(sys.stdin.buffer, limit, "<stdin>", what)
    try:
        with open(path, "rb") as stream:
            return read_stream(stream, limit, source, what)
    except FileNotFoundError:
        raise StepgradError("no such file", source) from None
    except IsADirectoryError:
        raise StepgradError(f"is a folder, not {what}", source) from None
    except OSError as error:
        raise StepgradError(f"cannot read it: {error.strerror or error}", source) from None


def decode_utf8(data: bytes, source: str) -> str:
    """``data`` as UTF-8 (a byte order mark dropped); invalid bytes are a ``StepgradError`` with their line."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise StepgradError(f"not UTF-8 text (byte {error.start + 1})", source, f"line {line}") from None


def _line_of(text: str, index: int) -> str:
    return f"line {text.count(chr(10), 0, index) + 1}"


def _blank_strings(text: str, pattern: re.Pattern[str]) -> str:
    """``text`` with every string's content replaced by ``_`` (same length, newlines kept)."""
    return pattern.sub(lambda m: re.sub(r"[^\n]", "_", m.group(0)), text)


def _check_depth(code: str, text: str, source: str) -> None:
    depth = 0
    for match in re.finditer(r"[\[\]{}]", code):
        depth += 1 if match.group(0) in "[{" else -1
        if depth > MAX_DEPTH:
            raise StepgradError(
                f"nested deeper than the limit of {MAX_DEPTH} levels", source, _line_of(text, match.start())
            )


def _check_digits(text: str, source: str) -> None:
    match = _DIGITS.search(text)
    if match:
        raise StepgradError(
            f"a number with more than the limit of {MAX_DIGITS} digits", source, _line_of(text, match.start())
        )


def _check_toml_keys(code: str, text: str, source: str) -> None:
    """Keys (before ``=``) and table headers: at most ``MAX_KEY_LENGTH`` characters and ``MAX_KEY_DOTS`` dots.

    tomllib's time and memory grow with the square of a dotted key's parts."""
    offset = 0
    for line in code.split("\n"):
        stripped = line.split("#", 1)[0].strip()
        key = (
            stripped.strip("[]").strip()
            if stripped.startswith("[") and "=" not in stripped
            else (stripped.split("=", 1)[0].strip() if "=" in stripped else "")
        )
        if len(key) > MAX_KEY_LENGTH:
            raise StepgradError(
                f"a key longer than the limit of {MAX_KEY_LENGTH} characters", source, _line_of(text, offset)
            )
        if key.count(".") > MAX_KEY_DOTS:
            raise StepgradError(
                f"a dotted key with more than the limit of {MAX_KEY_DOTS} dots", source, _line_of(text, offset)
            )
        offset += len(line) + 1
    match = _DOTTED.search(code)
    if match:
        raise StepgradError(
            f"a dotted key with more than the limit of {MAX_KEY_DOTS} dots", source, _line_of(text, match.start())
        )


def check_text(text: str, source: str, fmt: str) -> None:
    """Refuse, before parsing, a TOML or JSON ``text`` nested too deep, with too long a key or too many digits.

    Args:
        text: the file's text.
        source: the file name, for messages.
        fmt: ``"toml"`` or ``"json"`` (anything else is scanned for digits only).
    """
    _check_digits(text, source)
    if fmt == "json":
        code = _blank_strings(text, _JSON_STRING)
        _check_depth(code, text, source)
        for match in _JSON_STRING.finditer(text):
            if len(match.group(0)) > MAX_KEY_LENGTH + 2 and text[match.end() : match.end() + 64].lstrip().startswith(
                ":"
            ):
                raise StepgradError(
                    f"a key longer than the limit of {MAX_KEY_LENGTH} characters", source, _line_of(text, match.start())
                )
    elif fmt == "toml":
        code = _blank_strings(text, _TOML_STRING)
        _check_depth(code, text, source)
        _check_toml_keys(code, text, source)


# Work per command, in weights and biases: ``check`` tries hundreds of one-step mistakes over every
# value (2×100×100 took 39 s), ``explain`` writes every number with its working (300×300: 204 MB).
MAX_CHECK_PARAMETERS = 2_000
MAX_EXPLAIN_PARAMETERS = 5_000
# explain's work grows faster than its depth (60 layers: 1.6 s; 200: over 30 s).
MAX_EXPLAIN_LAYERS = 50


def check_network_size(n_parameters: int, limit: int, command: str, force_hint: bool = False) -> None:
    """Refuse a network with more than ``limit`` weights and biases for ``command``, naming the limit."""
    if n_parameters > limit:
        hint = " (--force to work it anyway)" if force_hint else ""
        raise StepgradError(
            f"the network has {n_parameters:,} weights and biases, more than the limit of {limit:,} "
            f"for stepgrad {command}{hint}"
        )


def check_network_depth(n_layers: int, limit: int, command: str, force_hint: bool = False) -> None:
    """Refuse a network of more than ``limit`` layers for ``command``, naming the limit."""
    if n_layers > limit:
        hint = " (--force to work it anyway)" if force_hint else ""
        raise StepgradError(
            f"the network has {n_layers:,} layers, more than the limit of {limit:,} for stepgrad {command}{hint}"
        )


# Upper bounds on the CLI's counts, so a typo (``--steps 99999999999999999999``) is a one-line error,
# not an allocation NumPy refuses or a run that never ends.
MAX_SEED = 2**32 - 1
MAX_STEPS = 10_000_000
MAX_EPOCHS = 1_000_000
MAX_NETS = 100_000
MAX_SAMPLES = 1_000_000
MAX_LAYER_SIZE = 10_000
MAX_LAYERS = 100
MAX_EXERCISES = 1_000
MAX_EXPLAIN_STEP = 10_000
MAX_NOISE = 1_000.0
