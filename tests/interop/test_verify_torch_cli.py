"""``stepgrad verify-torch``, run as a subprocess on real files."""

import subprocess
import sys

import numpy as np
import pytest

from stepgrad.network import Layer, Network, Setup
from stepgrad.network.files import save_setup

pytest.importorskip("torch")
pytestmark = pytest.mark.torch


def run(*args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-c", "from stepgrad.cli.main import main; main()", "verify-torch", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=120)


def test_classic_step_agrees_in_torch() -> None:
    result = run()
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "all 34 values agree"


def test_a_network_file_with_a_batch_agrees_in_float32_too(tmp_path) -> None:
    rng = np.random.default_rng(0)
    network = Network(
        (
            Layer(rng.normal(0, 1, (3, 2)), rng.normal(0, 1, 3), "tanh"),
            Layer(rng.normal(0, 1, (3, 3)), rng.normal(0, 1, 3), "softmax"),
        ),
        "cross_entropy",
    )
    path = tmp_path / "net.toml"
    save_setup(Setup(network, rng.normal(0, 1, (4, 2)), np.eye(3)[[0, 2, 1, 2]], 0.3), path)
    result = run(str(path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "batch of 4" in result.stdout and result.stdout.strip().endswith("values agree")
    assert run(str(path), "--float32").returncode == 0


def test_a_planted_bug_is_reported_with_exit_code_1() -> None:
    result = run("--inject", "double-backward")
    assert result.returncode == 1
    assert "17 disagree; the first is dE_total/dw5 (gradient)" in result.stdout
    assert "missing zero_grad" in result.stdout


def test_a_bad_file_is_one_line_and_exit_code_2(tmp_path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text("this is not toml = = =\n")
    result = run(str(path))
    assert result.returncode == 2
    assert result.stderr.startswith("stepgrad: error:") and len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("optimizer", "compared"), [("momentum", 42), ("nesterov", 42), ("adam", 50), ("adamw", 50)]
)
def test_other_optimizers_agree_and_their_buffers_are_compared(optimizer: str, compared: int) -> None:
    result = run("--optimizer", optimizer, "--lr", "0.01", "--weight-decay", "0.1")
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"{compared} values compared (batch of 1, {optimizer} (η = 0.01, λ = 0.1)" in result.stdout
    assert result.stdout.splitlines()[-1] == f"all {compared} values agree"


def test_a_second_adam_step_is_found_in_the_update() -> None:
    result = run("--optimizer", "adam", "--inject", "double-step")
    assert result.returncode == 1
    assert "the first is w1+ (update)" in result.stdout


def test_momentum_without_a_momentum_optimizer_is_one_line() -> None:
    result = run("--momentum", "0.5")
    assert result.returncode == 2
    assert result.stderr == "stepgrad: error: momentum applies to the momentum and nesterov optimizers, not sgd\n"


def test_nesterov_without_momentum_which_torch_refuses_is_one_line() -> None:
    result = run("--optimizer", "nesterov", "--momentum", "0")
    assert result.returncode == 2
    assert result.stderr.startswith("stepgrad: error: --optimizer: torch.optim refuses these settings: Nesterov")
    assert len(result.stderr.strip().splitlines()) == 1
