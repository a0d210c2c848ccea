"""``stepgrad check`` run as a subprocess on real files: exit codes 0, 1, 2 and every format."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from stepgrad.check.compare import Checker
from stepgrad.core import train_step
from stepgrad.network import classic_setup

STEPGRAD = str(Path(sys.executable).parent / "stepgrad")


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([STEPGRAD, "check", *args], capture_output=True, text=True)


def correct_answers() -> str:
    setup = classic_setup()
    values = train_step(setup.network, setup.inputs, setup.targets, setup.learning_rate).values()
    return "".join(f"{name} = {values[name]:.4f}\n" for name in Checker(setup).asked())


def test_a_fully_correct_file_exits_0(tmp_path: Path) -> None:
    path = tmp_path / "answers.txt"
    path.write_text(correct_answers())
    result = run(str(path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "56 of 56 values right" in result.stdout


def test_a_wrong_file_exits_1_with_the_diagnosis_in_every_format(tmp_path: Path) -> None:
    path = tmp_path / "answers.toml"
    path.write_text('out_o1 = 0.7514\n"dE_total/dout_o1" = -0.7414\n')
    text = run(str(path))
    assert text.returncode == 1
    assert "first wrong step: dE_total/dout_o1" in text.stdout
    assert "Sign flipped" in text.stdout
    data = json.loads(run(str(path), "--format", "json").stdout)
    assert data["ok"] is False and data["first_wrong"] == "dE_total/dout_o1"
    assert data["diagnoses"][0]["mistake"] == "sign_flipped"
    assert [v["status"] for v in data["values"]] == ["right", "wrong"]
    markdown = run(str(path), "--format", "markdown").stdout
    assert "| ✗ | `dE_total/dout_o1` | −0.7414 | 0.74136507 | −1.48 |" in markdown
    out = tmp_path / "report.html"
    result = run(str(path), "--format", "html", "-o", str(out))
    assert result.returncode == 1
    assert out.read_text().startswith("<!DOCTYPE html>")


def test_a_network_file_and_csv_answers(tmp_path: Path) -> None:
    network = tmp_path / "net.toml"
    network.write_text(
        'inputs = [0.5, 0.9]\ntargets = [0.2]\nlearning_rate = 0.25\nloss = "half_squared_error"\n'
        '[[layer]]\nactivation = "tanh"\nweights = [[0.1, 0.2]]\nbias = 0.1\n'
    )
    # net_o1 = 0.1·0.5 + 0.2·0.9 + 0.1 = 0.33 by hand; the learner forgot the bias: 0.23
    answers = tmp_path / "a.csv"
    answers.write_text("name,value\nnet_o1,0.23\n")
    result = run(str(network), str(answers), "--format", "json")
    assert result.returncode == 1
    assert json.loads(result.stdout)["diagnoses"][0]["mistake"] == "bias_left_out"
    answers.write_text("net_o1,0.33\n")
    assert run(str(network), str(answers)).returncode == 0


def test_unusable_files_exit_2_with_one_line(tmp_path: Path) -> None:
    cases = {
        "dup.txt": "out_h1 = 0.5933\nout_h1 = 0.5933\n",
        "alias_dup.txt": "w5+ = 0.3589\nw5_new = 0.3589\n",
        "nan.txt": "out_h1 = abc\n",
        "broken.json": '{"out_h1": ',
    }
    for name, text in cases.items():
        path = tmp_path / name
        path.write_text(text)
        result = run(str(path))
        assert result.returncode == 2, name
        assert result.stdout == ""
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith(f"stepgrad: error: {path}"), result.stderr
    assert run(str(tmp_path / "missing.txt")).returncode == 2
