"""Network files: the schema, exact round trips, atomic writes, one-line errors with file, line and field."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given

from stepgrad.errors import StepgradError
from stepgrad.network import Layer, Network, Setup, classic_setup
from stepgrad.network.files import load_setup, save_setup, setup_to_toml, write_atomic
from support.strategies import network_problems

CLASSIC_TOML = """\
inputs = [0.05, 0.10]
targets = [0.01, 0.99]
learning_rate = 0.5
loss = "half_squared_error"
[[layer]]
activation = "sigmoid"
weights = [[0.15, 0.20], [0.25, 0.30]]
bias = 0.35
train_bias = false
[[layer]]
activation = "logistic"
weights = [[0.40, 0.45], [0.50, 0.55]]
bias = 0.60
train_bias = false
"""


def write(tmp_path: Path, text: str, name: str = "net.toml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_issue_schema_reads_as_the_classic_example(tmp_path: Path) -> None:
    setup = load_setup(write(tmp_path, CLASSIC_TOML))
    assert setup == classic_setup()
    assert setup.network.layers[0].bias_mode == "shared"
    assert setup.network.sizes == [2, 2, 2]


def test_json_schema_with_several_samples(tmp_path: Path) -> None:
    document = {
        "samples": [[0.0, 1.0], [1.0, 0.0], [1.0, 1.0]],
        "targets": [[1.0], [1.0], [0.0]],
        "loss": "binary_cross_entropy",
        "layer": [
            {"activation": "tanh", "weights": [[1, 2], [3, 4], [5, 6]], "bias": [0.1, 0.2, 0.3]},
            {"activation": "sigmoid", "weights": [[1, -1, 0.5]]},
        ],
    }
    setup = load_setup(write(tmp_path, json.dumps(document), "net.json"))
    assert setup.n_samples == 3
    assert setup.network.layers[0].bias_mode == "per_neuron"
    assert setup.network.layers[1].bias_mode == "none"
    assert setup.learning_rate == 0.5  # the default


@given(network_problems(max_layers=3, max_neurons=4))
def test_round_trip_is_exact_in_both_formats(tmp_path_factory, problem) -> None:
    network, inputs, targets = problem
    setup = Setup(network=network, inputs=inputs, targets=targets, learning_rate=0.1 + 1e-17 * 3)
    folder = tmp_path_factory.mktemp("round")
    for name in ("model.toml", "model.json"):
        save_setup(setup, folder / name)
        loaded = load_setup(folder / name)
        assert loaded == setup
        for ours, theirs in zip(loaded.network.layers, network.layers, strict=True):
            assert ours.bias_mode == theirs.bias_mode or ours.n_out == 1


def test_model_without_samples_round_trips(tmp_path: Path) -> None:
    setup = Setup(network=classic_setup().network, inputs=np.zeros((0, 2)), targets=np.zeros((0, 2)))
    save_setup(setup, tmp_path / "m.toml", meta={"epochs": 3, "data": "xor"})
    text = (tmp_path / "m.toml").read_text()
    assert "inputs" not in text and "[meta]" in text
    assert load_setup(tmp_path / "m.toml") == setup


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("inputs = [0.05, 0.10]\ntargets = = 3\n", "net.toml: line 2: invalid TOML"),
        ("inputs = [0.05, 0.10\n", "net.toml: line 1: invalid TOML: Unclosed array"),
        (CLASSIC_TOML.replace('"logistic"', '"sigmod"'), "net.toml: line 11: layer 2: unknown activation 'sigmod'"),
        (
            CLASSIC_TOML.replace("[[0.40, 0.45], [0.50, 0.55]]", "[[0.40, 0.45, 1.0], [0.50, 0.55, 1.0]]"),
            "net.toml: line 12: layer 2: weights rows have 3 numbers but the previous layer has 2 neurons",
        ),
        (
            CLASSIC_TOML.replace("[[0.15, 0.20], [0.25, 0.30]]", "[[0.15, 0.20], [0.25]]"),
            "net.toml: line 7: layer 1: weights row 2 has 1 number, row 1 has 2",
        ),
        (
            CLASSIC_TOML.replace("targets = [0.01, 0.99]", "targets = [0.01]"),
            "net.toml: line 2: targets: targets has 1 number but the network has 2 outputs",
        ),
        (CLASSIC_TOML.replace('"half_squared_error"', '"hinge"'), "net.toml: line 4: unknown loss 'hinge'"),
        (
            CLASSIC_TOML.replace('"logistic"', '"softmax"'),
            'net.toml: line 11: layer 2: softmax needs loss = "cross_entropy"',
        ),
        (
            CLASSIC_TOML.replace('"half_squared_error"', '"cross_entropy"'),
            "net.toml: line 11: layer 2: cross_entropy needs a softmax output layer, this one is sigmoid "
            "(for sigmoid outputs use binary_cross_entropy)",
        ),
        (
            CLASSIC_TOML.replace('"half_squared_error"', '"binary_cross_entropy"').replace('"logistic"', '"relu"'),
            "net.toml: line 11: layer 2: binary_cross_entropy needs a sigmoid output layer, this one is relu",
        ),
        (
            CLASSIC_TOML.replace('"half_squared_error"', '"binary_cross_entropy"').replace("0.99]", "1.5]"),
            "net.toml: line 2: targets: binary_cross_entropy targets must be between 0 and 1, got 1.5",
        ),
        (
            CLASSIC_TOML.replace('"half_squared_error"', '"cross_entropy"')
            .replace('"logistic"', '"softmax"')
            .replace("0.99]", "0.98]"),
            "net.toml: line 2: targets: cross_entropy targets must sum to 1 (one probability per output), "
            "they sum to 0.99",
        ),
        (
            CLASSIC_TOML.replace("[[0.15, 0.20], [0.25, 0.30]]", "[[0.15, true], [0.25, 0.30]]"),
            "net.toml: line 7: layer 1: weights row 1[1] must be a number, got true",
        ),
        (
            CLASSIC_TOML.replace("train_bias = false", "train_bias = 1", 1),
            "net.toml: line 9: layer 1: train_bias must be true or false, got 1",
        ),
        (CLASSIC_TOML.replace("bias = 0.35", "bias = nan"), "net.toml: line 8: layer 1: bias must be a finite number"),
        (
            CLASSIC_TOML.replace("bias = 0.35", "bias = [0.35, 0.1, 0.2]"),
            "net.toml: line 8: layer 1: bias has 3 numbers for 2 neurons",
        ),
        (
            CLASSIC_TOML.replace("learning_rate", "learnig_rate"),
            "net.toml: line 3: unknown field 'learnig_rate' (did you mean 'learning_rate'?)",
        ),
        (
            CLASSIC_TOML.replace("train_bias = false", 'train_bias = "no"', 1),
            "net.toml: line 9: layer 1: train_bias must be true or false",
        ),
        (
            CLASSIC_TOML.replace("inputs = [0.05, 0.10]", "inputs = [0.05, 0.10, 0.2]"),
            "net.toml: line 1: inputs: inputs has 3 numbers but the first layer's weights take 2 inputs",
        ),
    ],
)
def test_bad_files_give_one_line_with_file_line_and_field(tmp_path: Path, text: str, expected: str) -> None:
    with pytest.raises(StepgradError) as caught:
        load_setup(write(tmp_path, text))
    message = caught.value.one_line().replace(str(tmp_path) + "/", "")
    assert message.startswith(expected), message
    assert "\n" not in message


def test_bad_json_names_the_line(tmp_path: Path) -> None:
    with pytest.raises(StepgradError, match=r"net.json: line 3: invalid JSON"):
        load_setup(write(tmp_path, '{\n "inputs": [1],\n "targets": [1,,]\n}', "net.json"))
    with pytest.raises(StepgradError, match="NaN is not a number"):
        load_setup(write(tmp_path, '{"inputs": [NaN], "layer": []}', "nan.json"))
    text = '{\n "note": "NaN here is text",\n "inputs": [0.1,\n   Infinity]\n}'
    with pytest.raises(StepgradError, match=r"inf.json: line 4: invalid JSON: Infinity is not a number"):
        load_setup(write(tmp_path, text, "inf.json"))


def test_missing_file_and_directory(tmp_path: Path) -> None:
    with pytest.raises(StepgradError, match="no such file"):
        load_setup(tmp_path / "absent.toml")
    with pytest.raises(StepgradError, match="is a directory"):
        load_setup(tmp_path)


def test_write_atomic_keeps_the_old_file_when_writing_fails(tmp_path: Path) -> None:
    path = tmp_path / "model.toml"
    path.write_text("old contents\n")

    with pytest.raises(TypeError):
        write_atomic(path, 12345)  # type: ignore[arg-type]
    assert path.read_text() == "old contents\n"
    assert [p.name for p in tmp_path.iterdir()] == ["model.toml"]


def test_saving_non_finite_weights_is_refused_and_leaves_nothing(tmp_path: Path) -> None:
    network = Network(layers=(Layer(weights=[[float("inf")]], bias=[0.0]),))
    with pytest.raises(StepgradError, match="non-finite"):
        save_setup(Setup(network=network, inputs=[[1.0]], targets=[[1.0]]), tmp_path / "x.toml")
    assert list(tmp_path.iterdir()) == []


def test_toml_header_becomes_comments() -> None:
    text = setup_to_toml(classic_setup(), header="The classic example\nline two")
    assert text.startswith("# The classic example\n# line two\n")


def test_write_atomic_writes_into_devices_instead_of_replacing_them(tmp_path: Path) -> None:
    script = "from stepgrad.network.files import write_atomic; write_atomic('/dev/stdout', 'through the device\\n')"
    log = tmp_path / "log.txt"
    log.write_text("kept\n")
    with open(log, "a") as stream:
        subprocess.run([sys.executable, "-c", script], stdout=stream, check=True)
    piped = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert piped.stdout == "through the device\n"
    assert log.read_text() == "kept\nthrough the device\n"
    assert Path("/dev/stdout").is_symlink()
    write_atomic("/dev/null", "nothing")
    assert Path("/dev/null").is_char_device()


def test_write_atomic_refuses_a_directory_and_a_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(StepgradError, match="is a directory"):
        write_atomic(tmp_path, "x")
    with pytest.raises(StepgradError, match="the folder does not exist"):
        write_atomic(tmp_path / "missing" / "x.toml", "x")


def test_write_atomic_replaces_the_file_a_link_points_to(tmp_path: Path) -> None:
    (tmp_path / "real.toml").write_text("old")
    (tmp_path / "link.toml").symlink_to(tmp_path / "real.toml")
    write_atomic(tmp_path / "link.toml", "new")
    assert (tmp_path / "link.toml").is_symlink()
    assert (tmp_path / "real.toml").read_text() == "new"


def _no_leftovers(folder: Path, expected: set[str]) -> None:
    assert {p.name for p in folder.iterdir()} == expected


def test_write_atomic_turns_os_errors_into_one_line(tmp_path: Path) -> None:
    with pytest.raises(StepgradError) as full:
        write_atomic("/dev/full", "x" * 100_000)
    assert full.value.one_line() == "/dev/full: cannot write: No space left on device"
    with pytest.raises(StepgradError, match=r"^/proc/x: cannot write: No such file or directory$"):
        write_atomic("/proc/x", "x")
    (tmp_path / "plain").write_text("a file, not a folder")
    with pytest.raises(StepgradError, match="the folder does not exist"):
        write_atomic(tmp_path / "plain" / "x.toml", "x")
    _no_leftovers(tmp_path, {"plain"})


def test_write_atomic_without_permission_is_one_line_and_leaves_the_old_file() -> None:
    top = Path(tempfile.mkdtemp())
    try:
        top.chmod(0o755)
        folder = top / "locked"
        folder.mkdir()
        (folder / "model.toml").write_text("old\n")
        folder.chmod(0o555)
        # Root ignores file permissions: act as the unprivileged user for the write (and back after).
        as_nobody = os.geteuid() == 0
        if as_nobody:
            os.seteuid(65534)
        try:
            with pytest.raises(StepgradError) as caught:
                write_atomic(folder / "model.toml", "new")
        finally:
            if as_nobody:
                os.seteuid(0)
        assert caught.value.one_line() == f"{folder / 'model.toml'}: cannot write: Permission denied"
        assert (folder / "model.toml").read_text() == "old\n"
        _no_leftovers(folder, {"model.toml"})
    finally:
        (top / "locked").chmod(0o755)
        shutil.rmtree(top)


def test_ctrl_c_just_after_the_temporary_file_is_opened_leaves_no_temporary_file(tmp_path: Path, monkeypatch) -> None:
    """Python raises a pending KeyboardInterrupt when a C call returns: right after ``os.open`` created the
    temporary file. The write must still take it away and leave the old file whole."""
    import os

    import stepgrad.network.atomic as atomic

    path = tmp_path / "model.toml"
    path.write_text("old", encoding="utf-8")
    opened = os.open

    def open_then_interrupted(*args, **kwargs):
        opened(*args, **kwargs)
        raise KeyboardInterrupt

    monkeypatch.setattr(atomic.os, "open", open_then_interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_atomic(path, "new")
    monkeypatch.undo()
    assert path.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["model.toml"]
