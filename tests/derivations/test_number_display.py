"""How numbers are printed: the published figures as published, no needless digits, no −0, no echoes."""

from __future__ import annotations

import itertools
import json
import re

import pytest

from stepgrad.derivations.derivation import explain_setup
from stepgrad.derivations.step import Derivation, format_number, format_operand
from stepgrad.network import Layer, Network, Setup, classic_setup
from stepgrad.render import render
from support.published import PUBLISHED

NUMBER = re.compile(r"[−-]?\d+(?:\.\d+)?(?:e[−+-]?\d+)?")


@pytest.fixture(scope="module")
def classic() -> Derivation:
    return explain_setup(classic_setup())


def _decimals(text: str) -> int:
    return len(text.split(".")[1]) if "." in text else 0


def _printed_as_published(figure: str, output: str) -> bool:
    """Some number in ``output`` shows ``figure`` to at least its digits, within one unit of its last one."""
    published = float(figure)
    unit = 10.0 ** -_decimals(figure)
    needed = _decimals(figure.rstrip("0"))  # 0.511301270 is printed 0.51130127
    for token in NUMBER.findall(output):
        if "e" in token:
            continue
        value = float(token.replace("−", "-"))
        if _decimals(token) >= needed and abs(value - published) <= unit * (1 + 1e-9):
            return True
    return False


def _json_strings(derivation: Derivation) -> str:
    document = json.loads(render(derivation, "json"))
    pieces = [step["substituted"] for step in document["steps"]]
    pieces += [repr(step["value"]) for step in document["steps"]]
    return "\n".join(pieces)


@pytest.mark.parametrize("fmt", ["text", "markdown", "json"])
def test_every_published_figure_appears_as_printed(classic: Derivation, fmt: str) -> None:
    output = _json_strings(classic) if fmt == "json" else render(classic, fmt)
    missing = [name for name, figure in PUBLISHED.items() if not _printed_as_published(figure, output)]
    assert missing == []


def test_net_o1_shows_the_published_digits(classic: Derivation) -> None:
    # 9 significant digits would print 1.10590597: numbers from 1 on get 9 decimal places.
    assert "  net_o1 = w5·out_h1 + w6·out_h2 + b2·1" in render(classic, "text")
    assert classic.step("net_o1").substituted() == "0.4·0.593269992 + 0.45·0.596884378 + 0.6·1"
    assert format_number(classic.step("net_o1").value) == "1.105905967"


@pytest.mark.parametrize(
    ("value", "precision", "expected"),
    [
        (0.5932699921071872, 9, "0.593269992"),  # below 1: significant digits
        (1.1059059670597702, 9, "1.105905967"),  # from 1 on: decimal places
        (1.1059059670597702, 4, "1.1059"),
        (123456789.12345679, 9, "123456789.123457"),  # capped at 15 significant digits
        (0.4, 17, "0.4"),  # never more digits than the shortest repr
        (0.1 + 0.2, 17, "0.30000000000000004"),
        (0.51130127, 9, "0.51130127"),  # trailing zeros dropped
        (-0.0, 9, "0"),  # no negative zero
        (0.0, 9, "0"),
        (-0.019049119, 9, "−0.019049119"),
        (8.653979466e-05, 10, "8.653979466e−5"),
        (2.5e20, 3, "2.5e20"),
        (float("nan"), 9, "NaN"),
        (float("-inf"), 9, "−∞"),
    ],
)
def test_format_number(value: float, precision: int, expected: str) -> None:
    assert format_number(value, precision) == expected


def test_ascii_numbers_read_back_in_python() -> None:
    for value in (8.653979466e-05, -0.019049119, 0.1 + 0.2, 2.5e20, -3.0e-300):
        text = format_number(value, 17, unicode_minus=False)
        assert float(text) == value and "−" not in text
    assert format_number(8.653979466e-05, 10, unicode_minus=False) == "8.653979466e-05"


def test_operands_are_parenthesised_once() -> None:
    network = Network((Layer([[-0.3]], [0.15], "tanh"), Layer([[1.0]], [], "linear")), "mse")
    derivation = explain_setup(Setup(network, [[1.0]], [[0.5]], 0.1))
    assert format_operand(-0.15) == "(−0.15)"
    assert derivation.step("out_h1").substituted() == "tanh(−0.15)"
    assert derivation.step("out_h1").substituted_latex() == r"\tanh(-0.15)"
    assert derivation.step("dE_total/dout_o1").substituted() == "−2(0.5 − (−0.148885034)) / 1"


def _right_sides(text: str) -> list[list[str]]:
    """Each step's lines ``= …`` in the terminal text: its formula, numbers and result."""
    steps: list[list[str]] = []
    for line in text.splitlines():
        match = re.match(r"^  (\S+ )?\s*= (.*)$", line)
        if match is None:
            continue
        if match.group(1):
            steps.append([])
        steps[-1].append(match.group(2))
    return steps


def test_no_line_repeats_the_one_before(classic: Derivation) -> None:
    network = Network((Layer([[-0.3]], [0.15], "tanh"), Layer([[-1.2]], [], "linear")), "mse")
    derivation = explain_setup(Setup(network, [[1.0]], [[0.5]], 0.1))
    for shown in (derivation, classic):
        for lines in _right_sides(render(shown, "text")):
            for before, after in itertools.pairwise(lines):
                assert before.strip("()") != after.strip("()"), lines
    text = render(derivation, "text")
    assert "  dout_o1/dnet_o1 = 1\n\n" in text  # the constant is its own result
    assert "  dnet_o1/dw2 = out_h1\n              = −0.148885034\n\n" in text
    assert not derivation.step("dout_o1/dnet_o1").shows_result()
    assert not derivation.step("dnet_o1/dw2").shows_numbers()
    markdown = render(derivation, "markdown")
    assert markdown.count("**Result:**") == sum(step.shows_result() for step in derivation.steps)
