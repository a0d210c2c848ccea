"""``stepgrad verify-torch``, run as a subprocess on real files."""

import json
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


@pytest.mark.parametrize(("optimizer", "compared"), [("momentum", 42), ("nesterov", 42), ("adam", 50), ("adamw", 50)])
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


SCRIPT = """
import torch
from torch import nn

torch.manual_seed(0)


class MLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(3, 5)
        self.act = nn.ReLU(inplace=True)
        self.fc2 = nn.Linear(5, 2)

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x)))


model = MLP()
optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
inputs = torch.randn(8, 3)
targets = torch.randn(8, 2)
loss_fn = nn.MSELoss(reduction="sum")
"""

STEP = """

def step():
    optimizer.zero_grad()
    loss = loss_fn(model(inputs), targets)
    loss.backward()
    {bug}
    optimizer.step()
    return loss
"""


def script(tmp_path, text: str) -> str:
    path = tmp_path / "train_step.py"
    path.write_text(text)
    return str(path)


def test_a_correct_script_agrees_with_and_without_its_own_step(tmp_path) -> None:
    for text in (SCRIPT, SCRIPT + STEP.format(bug="pass")):
        result = run(script(tmp_path, text))
        assert result.returncode == 0, result.stdout + result.stderr
        assert "model: model.fc1 → relu (model.act) → model.fc2" in result.stdout
        assert result.stdout.endswith("values agree\n")


def test_a_buggy_script_is_exit_1_with_the_stage_and_json_for_ci(tmp_path) -> None:
    path = script(tmp_path, SCRIPT + STEP.format(bug="model.fc2.weight.grad.neg_()"))
    result = run(path)
    assert result.returncode == 1
    assert "the first is dE_total/dw16 (gradient) = model.fc2.weight.grad[0, 0]" in result.stdout
    result = run(path, "--format", "json")
    assert result.returncode == 1
    data = json.loads(result.stdout)
    assert data["stage"] == "gradient" and data["first"]["torch_name"] == "model.fc2.weight.grad[0, 0]"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (SCRIPT + "raise ValueError('no data')\n", "the script raised ValueError: no data (while importing it)"),
        (SCRIPT + STEP.format(bug="1 / 0"), "the script raised ZeroDivisionError: division by zero (in step())"),
        (SCRIPT.replace("loss_fn =", "criterion ="), "the script does not define loss_fn"),
        (SCRIPT.replace("nn.ReLU(inplace=True)", "nn.LayerNorm(5)"), "model.act: LayerNorm is not supported"),
    ],
)
def test_a_script_that_cannot_be_checked_is_one_line_and_exit_2(tmp_path, text, message) -> None:
    path = script(tmp_path, text)
    result = run(path)
    assert result.returncode == 2 and result.stdout == ""
    assert len(result.stderr.splitlines()) == 1 and "Traceback" not in result.stderr
    assert result.stderr.startswith(f"stepgrad: error: {path}: ") and message in result.stderr


SATURATED = """\
inputs = [3.0, 4.0]
targets = [0.0]
learning_rate = 0.5
loss = "binary_cross_entropy"
[[layer]]
activation = "sigmoid"
weights = [[20.0, 10.0]]
"""


@pytest.mark.parametrize("precision", [["--float32"], []])
def test_a_saturated_sigmoid_under_bceloss_is_named_and_exits_1(tmp_path, precision: list[str]) -> None:
    # net_o1 = 3·20 + 4·10 = 100: out_o1 rounds to exactly 1.0 (in float64 too), and BCELoss clamps
    # log(1 − out) at −100, so PyTorch's gradient (1e12 at out, 0 at net) is not the exact one
    path = tmp_path / "saturated.toml"
    path.write_text(SATURATED, encoding="utf-8")
    result = run(str(path), *precision)
    assert result.returncode == 1, result.stdout + result.stderr
    cause = next(line for line in result.stdout.splitlines() if line.startswith("likely cause: "))
    dtype = "float32" if precision else "float64"
    assert cause.startswith(
        f"likely cause: out_o1 = 1.0 in {dtype} (net_o1 = 100): BCELoss clamps log(1 − out) at −100"
    )
    assert cause.endswith("use BCEWithLogitsLoss")  # float64 saturates at net = 100 too, so it would not help
    assert "batch 1 ×" not in result.stdout and len(max(result.stdout.split(), key=len)) < 40
    assert json.loads(run(str(path), *precision, "--format", "json").stdout)["ok"] is False


@pytest.mark.parametrize("term", ["l2 = 0.1", "l1 = 0.01"])
def test_a_regularized_file_is_refused_in_one_line_not_checked_without_its_terms(tmp_path, term: str) -> None:
    from stepgrad.network import classic_setup
    from stepgrad.network.files import setup_to_toml

    path = tmp_path / "net.toml"
    path.write_text(f"{term}\n" + setup_to_toml(classic_setup()))  # a top-level key, before the tables
    result = run(str(path))
    assert result.returncode == 2, result.stdout
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert "net.toml" in result.stderr and "l1/l2" in result.stderr
