"""Limits on what stepgrad reads: each refusal comes before the parser or the allocation, and names the limit."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from stepgrad.check import check_answers
from stepgrad.check.answers import key_lines, read_answers
from stepgrad.errors import StepgradError
from stepgrad.limits import MAX_DEPTH, MAX_DIGITS, MAX_KEY_DOTS, MAX_KEY_LENGTH, check_text, read_bounded
from stepgrad.network.files import load_setup


@pytest.mark.parametrize(
    ("text", "fmt", "message"),
    [
        ('{"inputs": ' + "[" * 1000 + "]" * 1000 + "}", "json", f"nested deeper than the limit of {MAX_DEPTH} levels"),
        ("inputs = " + "[" * 500 + "]" * 500, "toml", f"nested deeper than the limit of {MAX_DEPTH} levels"),
        ("a" + ".b" * 50_000 + " = 1", "toml", f"a key longer than the limit of {MAX_KEY_LENGTH} characters"),
        ("a" + ".b" * 20 + " = 1", "toml", f"a dotted key with more than the limit of {MAX_KEY_DOTS} dots"),
        ("[a" + ".b" * 20 + "]", "toml", f"a dotted key with more than the limit of {MAX_KEY_DOTS} dots"),
        ("x = {a" + ".b" * 50_000 + " = 1}", "toml", f"a dotted key with more than the limit of {MAX_KEY_DOTS} dots"),
        ("x = 1\ny = " + "9" * 4301, "toml", f"a number with more than the limit of {MAX_DIGITS} digits"),
        ('{"' + "k" * 1000 + '": 1}', "json", f"a key longer than the limit of {MAX_KEY_LENGTH} characters"),
    ],
)
def test_the_pre_scan_refuses_what_would_blow_up_the_parser(text: str, fmt: str, message: str) -> None:
    started = time.perf_counter()
    with pytest.raises(StepgradError, match=message):
        check_text(text, "f", fmt)
    assert time.perf_counter() - started < 1


def test_brackets_and_dots_inside_strings_are_not_counted() -> None:
    check_text('name = "' + "[" * 100 + "a.b." * 30 + '"\nx = [[1]]', "f", "toml")
    check_text('{"name": "' + "{" * 100 + '"}', "f", "json")


def test_a_bounded_read_stops_at_the_limit() -> None:
    with pytest.raises(StepgradError, match="larger than the 1 KB limit for a thing"):
        read_bounded("/dev/zero", 1024, "a thing")


def test_explain_dev_zero_stops_at_the_network_file_limit() -> None:
    with pytest.raises(StepgradError, match="larger than the 4 MB limit for a network file"):
        load_setup("/dev/zero")


def test_duplicate_json_keys_are_refused_as_toml_refuses_them(tmp_path: Path) -> None:
    path = tmp_path / "net.json"
    path.write_text('{"learning_rate": 0.5, "learning_rate": 50, "layer": [{"weights": [[1]]}]}')
    with pytest.raises(StepgradError, match=r"line 1: invalid JSON: the field 'learning_rate' is given twice"):
        load_setup(path)


@pytest.mark.parametrize("key", ["\\q", "\\U0001F600", "\\ud800"])
def test_the_line_finder_skips_keys_it_cannot_read(key: str) -> None:
    assert key_lines(f'"{key}" = 1\nout_h1 = 0.5\n', "toml")["out_h1"] == [2]
    assert key_lines(f'{{"{key}": 1,\n"out_h1": 0.5}}', "json")["out_h1"] == [2]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("out_h1 = 1e-" + "9" * 400, "has more than the limit of 100 characters"),
        ("out_h1 = 1e-99999", "has an exponent of more than 4 digits"),
        ('{"\\ud800": 0.5}', "is not valid Unicode text"),
    ],
)
def test_answer_numbers_and_names_beyond_the_limits(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / ("answers.json" if text.startswith("{") else "answers.txt")
    path.write_text(text)
    with pytest.raises(StepgradError, match=message):
        read_answers(path)


def test_check_walks_a_200_layer_network_without_recursing(tmp_path: Path) -> None:
    path = tmp_path / "deep.json"
    path.write_text(json.dumps({"inputs": [0.1], "targets": [0.5], "layer": [{"weights": [[0.5]]}] * 200}))
    report = check_answers({"out_o1": "0.5", "net_h1": "0.05", "out_h1": "0.5125"}, load_setup(path))
    assert report is not None


def _square(tmp_path: Path, width: int, layers: int) -> str:
    row = [0.01] * width
    path = tmp_path / f"net{width}x{layers}.json"
    path.write_text(
        json.dumps(
            {"inputs": row, "targets": [0.5] * width, "layer": [{"weights": [row] * width} for _ in range(layers)]}
        )
    )
    return str(path)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["check", "{two_100}", "{answers}"], "more than the limit of 2,000 for stepgrad check"),
        (["explain", "{one_300}"], "more than the limit of 5,000 for stepgrad explain (--force to work it anyway)"),
        (["train", "--data", "xor", "--loss", "foo"], "unknown loss 'foo'"),
        (["train", "--steps", "99999999999999999999"], "99999999999999999999 is not in the range x<=10000000"),
        (["train", "--data", "xor", "--layers", "2,99999999999999999999,1"], "at most 10,000 neurons"),
        (["sweep", "--nets", "4294967296"], "4294967296 is not in the range x<=100000"),
        (["viz", "--seed", "2147483648"], "2147483648 is not in the range x<=2147483647"),
        (["explain", "--step", "99999999999"], "is not in the range 1<=x<=10000"),
    ],
)
def test_cli_refuses_with_the_limit_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    from stepgrad.cli.main import main

    answers = tmp_path / "answers.txt"
    answers.write_text("out_o1 = 0.75\n")
    names = {"two_100": _square(tmp_path, 100, 2), "one_300": _square(tmp_path, 300, 1), "answers": str(answers)}
    with pytest.raises(SystemExit) as exit_:
        main([arg.format(**names) for arg in args])
    assert exit_.value.code == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and message in error, error


def test_an_unprintable_message_is_escaped_not_a_second_error(capsys: pytest.CaptureFixture[str]) -> None:
    from stepgrad.cli.main import _fail

    with pytest.raises(SystemExit):
        _fail("bad name '\ud800'")
    assert "\\ud800" in capsys.readouterr().err
