"""``stepgrad explain`` on a file with l1/l2: ``--optimizer`` trains with the file's terms, and an overflowing
regularized file's warning names the term's value."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

STEPGRAD = [str(Path(sys.executable).parent / "stepgrad")]

FILE = """\
inputs = [0.05, 0.10]
targets = [0.01, 0.99]
learning_rate = 0.5
loss = "half_squared_error"
l1 = 0.01
l2 = 0.02
[[layer]]
activation = "sigmoid"
weights = [[0.15, 0.20], [0.25, 0.30]]
bias = 0.35
[[layer]]
activation = "sigmoid"
weights = [[0.40, 0.45], [0.50, 0.55]]
bias = 0.60
"""


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*STEPGRAD, *args], capture_output=True, text=True, cwd=cwd, timeout=120)


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "adam"])
def test_explain_optimizer_applies_the_file_s_l1_and_l2(tmp_path: Path, optimizer: str) -> None:
    (tmp_path / "reg.toml").write_text(FILE)
    result = run("explain", "reg.toml", "--optimizer", optimizer, "--step", "1", "--format", "json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)["values"]
    gradient, w1 = values["dE_total/dw1"], 0.15
    # the gradient the rule uses: dE_total/dw1 + λ₂·w1 + λ₁·sign(w1)
    assert values["g_w1"] == pytest.approx(gradient + 0.02 * w1 + 0.01, rel=1e-12)
    if optimizer == "sgd":
        assert values["w1+"] == pytest.approx(w1 - 0.5 * (gradient + 0.02 * w1 + 0.01), rel=1e-12)


def test_the_command_line_weight_decay_wins_over_the_file_s_l2(tmp_path: Path) -> None:
    (tmp_path / "reg.toml").write_text(FILE)
    args = ("explain", "reg.toml", "--optimizer", "sgd", "--step", "1", "--weight-decay", "0.1", "--format", "json")
    values = json.loads(run(*args, cwd=tmp_path).stdout)["values"]
    assert values["g_w1"] == pytest.approx(values["dE_total/dw1"] + 0.1 * 0.15 + 0.01, rel=1e-12)


def test_adamw_refuses_a_file_l2_in_one_line(tmp_path: Path) -> None:
    (tmp_path / "reg.toml").write_text(FILE)
    result = run("explain", "reg.toml", "--optimizer", "adamw", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.startswith("stepgrad: error: reg.toml: the file has l2 = 0.02, an L2 term of the gradient")
    assert len(result.stderr.strip().splitlines()) == 1


def test_an_overflowing_regularized_file_s_warning_names_the_term(tmp_path: Path) -> None:
    # one weight of 1e160: the forward pass is finite (1e160 · 0.05), ½·λ₂·w² is not
    text = FILE.replace("[[0.15, 0.20], [0.25, 0.30]]", "[[1e160, 0.20], [0.25, 0.30]]").replace("l1 = 0.01\n", "")
    (tmp_path / "big.toml").write_text(text)
    result = run("explain", "big.toml", "--format", "json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "the first is E_reg = inf: the regularization term E_reg" in result.stderr
    assert "on w1 = 1e+160 (λ₂ = 0.02)" in result.stderr
