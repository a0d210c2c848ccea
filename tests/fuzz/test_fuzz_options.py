"""Fuzz: hostile command-line options (huge, negative, non-numeric, unknown names) through the real CLI."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fuzz.hostile import failures, option_corpus

# (command, option) pairs that take a number; the fuzz gives each hostile numbers and text.
NUMERIC_OPTIONS = [
    (["train", "--data", "xor", "--epochs", "1"], "--seed"),
    (["train", "--data", "xor"], "--epochs"),
    (["train", "--data", "xor", "--epochs", "1"], "--batch-size"),
    (["train", "--data", "xor", "--epochs", "1"], "--lr"),
    (["train", "--data", "xor", "--epochs", "1"], "--momentum"),
    (["train"], "--steps"),
    (["train", "--data", "circle", "--epochs", "1"], "--samples"),
    (["sweep", "--nets", "2"], "--epochs"),
    (["sweep", "--epochs", "1"], "--nets"),
    (["viz"], "--seed"),
    (["viz"], "--points"),
    (["viz"], "--batch-size"),
    (["explain"], "--step"),
    (["explain"], "--precision"),
    (["explain", "--optimizer", "sgd"], "--weight-decay"),
    (["explain", "--optimizer", "adam"], "--beta2"),
    (["exercise", "--seed", "1", "--out", "ex"], "--count"),
    (["exercise", "--out", "ex"], "--seed"),
    (["train", "--data", "xor", "--epochs", "1"], "--layers"),
]
HOSTILE_NUMBERS = st.one_of(
    st.sampled_from(
        [
            "9" * 400,
            "-" + "9" * 30,
            "4294967296",
            "2147483648",
            "1e308",
            "-1e308",
            "nan",
            "inf",
            "0",
            "-1",
            "",
            "1,",
            "0x10",
            "1_000",
            "½",
            "2,99999999999999999999,1",
        ]
    ),
    st.integers(-(2**70), 2**70).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
)


def test_hostile_command_lines(tmp_path: Path) -> None:
    (tmp_path / "answers.txt").write_text("out_h1 = 0.5933\n")
    assert failures([(args, b"") for args in option_corpus()], tmp_path) == []


@settings(max_examples=25)
@given(target=st.sampled_from(NUMERIC_OPTIONS), value=HOSTILE_NUMBERS)
def test_hostile_numbers_in_options(
    tmp_path_factory: pytest.TempPathFactory, target: tuple[list[str], str], value: str
) -> None:
    command, option = target
    if "viz" in command and value not in ("", "nan", "inf") and not value.startswith("-"):
        command = [*command, "--export", "replay.html", "--frames", "2"]
    assert failures([([*command, option, value], b"")], tmp_path_factory.mktemp("options")) == []
