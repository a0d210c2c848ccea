"""The network file's ``reduction`` field: read, written back, and a bad value named with file, line and field."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from stepgrad.errors import StepgradError
from stepgrad.network.files import load_setup, save_setup

TOML = """\
samples = [[0.05, 0.10], [0.2, -0.3]]
targets = [[0.01, 0.99], [0.5, 0.5]]
learning_rate = 0.5
loss = "mse"
reduction = "sum"
[[layer]]
activation = "sigmoid"
weights = [[0.15, 0.20], [0.25, 0.30]]
bias = 0.35
"""


def test_a_sum_file_reads_and_writes_back_exactly(tmp_path: Path) -> None:
    path = tmp_path / "net.toml"
    path.write_text(TOML)
    setup = load_setup(path)
    assert setup.network.reduction == "sum"
    for name in ("again.toml", "again.json"):
        save_setup(setup, tmp_path / name)
        back = load_setup(tmp_path / name)
        assert back == setup and back.network.reduction == "sum"
    assert 'reduction = "sum"' in (tmp_path / "again.toml").read_text()


def test_a_file_without_the_field_is_the_mean_and_is_written_without_it(tmp_path: Path) -> None:
    path = tmp_path / "net.toml"
    path.write_text(TOML.replace('reduction = "sum"\n', ""))
    setup = load_setup(path)
    assert setup.network.reduction == "mean"
    save_setup(setup, tmp_path / "again.toml")
    assert "reduction" not in (tmp_path / "again.toml").read_text()


@pytest.mark.parametrize(
    ("value", "shown"), [('"avg"', "'avg'"), ('"Sum"', "'Sum'"), ("1", "1"), ('["sum"]', "['sum']")]
)
def test_a_bad_reduction_is_one_line_with_file_line_and_field(tmp_path: Path, value: str, shown: str) -> None:
    path = tmp_path / "net.toml"
    path.write_text(TOML.replace('"sum"', value))
    with pytest.raises(StepgradError) as caught:
        load_setup(path)
    assert caught.value.one_line() == f"{path}: line 5: reduction: reduction must be 'mean' or 'sum', got {shown}"


def test_a_bad_reduction_in_json_names_its_line(tmp_path: Path) -> None:
    path = tmp_path / "net.json"
    document = {
        "inputs": [0.05, 0.10],
        "targets": [0.01, 0.99],
        "loss": "mse",
        "reduction": "none",
        "layer": [{"activation": "sigmoid", "weights": [[0.15, 0.20], [0.25, 0.30]]}],
    }
    path.write_text(json.dumps(document, indent=2))
    with pytest.raises(StepgradError) as caught:
        load_setup(path)
    assert caught.value.one_line() == f"{path}: line 11: reduction: reduction must be 'mean' or 'sum', got 'none'"
