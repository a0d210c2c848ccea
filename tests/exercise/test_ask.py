"""``--ask``: what a sheet asks, by group or name; the template, key and grading follow it."""

from __future__ import annotations

from pathlib import Path

import pytest

from stepgrad.errors import StepgradError
from stepgrad.exercise import Exercise, generate_setup, grade
from stepgrad.exercise.sheets import key_number
from stepgrad.network.model import Setup


@pytest.fixture(scope="module")
def setup() -> Setup:
    return generate_setup(7)


def test_default_leaves_out_the_identities(setup: Setup) -> None:
    everything = Exercise(setup, ask="all").asked
    default = Exercise(setup).asked
    assert len(everything) == 62 and len(default) == 54
    assert sorted(set(everything) - set(default)) == [
        "dnet_h1/dw1", "dnet_h1/dw2", "dnet_h2/dw3", "dnet_h2/dw4",
        "dnet_o1/dw5", "dnet_o1/dw6", "dnet_o2/dw7", "dnet_o2/dw8",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("ask", "expected"),
    [
        ("forward", ["net_h1", "out_h1", "net_h2", "out_h2", "net_o1", "out_o1", "net_o2", "out_o2"]),
        ("errors", ["E_o1", "E_o2", "E_total"]),
        (
            "output-deltas",
            ["dE_total/dout_o1", "dout_o1/dnet_o1", "delta_o1", "dE_total/dout_o2", "dout_o2/dnet_o2", "delta_o2"],
        ),
        ("updates", ["w5+", "w6+", "w7+", "w8+", "w1+", "w2+", "w3+", "w4+"]),
        ("errors,w5+,dnet_o1/dw5", ["E_o1", "E_o2", "E_total", "dnet_o1/dw5", "w5+"]),
    ],
)
def test_groups_and_names(setup: Setup, ask: str, expected: list[str]) -> None:
    assert Exercise(setup, ask=ask).asked == expected


def test_hidden_deltas_and_gradients_split_the_backward_pass(setup: Setup) -> None:
    hidden = Exercise(setup, ask="hidden-deltas").asked
    assert "dout_h1/dnet_h1" in hidden and "delta_h2" in hidden and "dE_o2/dout_h1" in hidden
    assert not any(name.startswith(("dout_o", "delta_o", "dE_total/dw")) for name in hidden)
    gradients = Exercise(setup, ask="gradients").asked
    assert gradients == [f"dE_total/dw{k}" for k in (5, 6, 7, 8, 1, 2, 3, 4)]


def test_an_unknown_part_is_one_line(setup: Setup) -> None:
    with pytest.raises(StepgradError, match="'deltas' is neither a group"):
        Exercise(setup, ask="forward,deltas").sections()


def test_template_key_and_grading_follow_the_ask(setup: Setup, tmp_path: Path) -> None:
    exercise = Exercise(setup, "Exercise 1 (seed 7)", ask="errors,updates")
    names = [line.split(" =")[0] for line in exercise.answers_template().splitlines() if " =" in line[:20]]
    assert names == exercise.asked and len(names) == 11
    key = tmp_path / "key.txt"
    key.write_text(exercise.key_values())
    result = grade(setup, [key], ask="errors,updates")
    assert result.asked == tuple(exercise.asked) and result.learners[0].right == 11


def test_key_numbers_are_rounded_and_never_negative_zero() -> None:
    assert key_number(0.59326999) == "0.5933"
    assert key_number(-0.00004) == "0.0000"
    assert key_number(-0.00006) == "-0.0001"
    assert key_number(1.5) == "1.5000"


def test_the_key_file_is_rounded(setup: Setup) -> None:
    exercise = Exercise(setup)
    values = dict(line.split(" = ") for line in exercise.key_values().splitlines() if " = " in line and line[0] != "#")
    assert list(values) == exercise.asked
    for name, text in values.items():
        assert text == f"{exercise.checker.expected[name]:.4f}".replace("-0.0000", "0.0000")
        assert len(text.split(".")[1]) == 4 and text != "-0.0000"
