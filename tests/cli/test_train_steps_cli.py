"""``stepgrad train [FILE] --steps N``: its log, numbers a user can paste into Python, honest wording."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

STEPGRAD = [str(Path(sys.executable).parent / "stepgrad")]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*STEPGRAD, *args], capture_output=True, text=True, timeout=300)


def test_one_step_says_one_step_and_one_sample() -> None:
    result = run("train", "--steps", "1", "--every", "1")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "Training classic example: 1 sample, η = 0.5, 1 step"
    assert "After 1 step: E_total = 0.29103 (0.2910277736936)" in lines
    assert "(s)" not in result.stdout and "1 steps" not in result.stdout


def test_numbers_are_plain_ascii_python_reads_back() -> None:
    result = run("train", "--steps", "10000")
    assert result.returncode == 0, result.stderr
    assert "step 10000  E_total = 3.510187783e-05\n" in result.stdout
    assert "−" not in result.stdout
    logged = [line.split(" = ")[1] for line in result.stdout.splitlines() if line.startswith("step ")]
    assert float(logged[-1]) == 3.510187783e-05


def test_errata_wording_names_the_published_summary_only_for_the_classic_example(tmp_path: Path) -> None:
    classic = run("train", "--steps", "10000", "--hidden-deltas-from", "updated")
    assert "These are the published summary's figures" in classic.stdout
    path = tmp_path / "net.toml"
    path.write_text(
        "inputs = [0.5, -0.2]\ntargets = [0.3]\nlearning_rate = 0.4\n"
        '[[layer]]\nactivation = "tanh"\nweights = [[0.3, -0.1], [0.2, 0.4]]\nbias = [0.1, -0.1]\n'
        '[[layer]]\nactivation = "sigmoid"\nweights = [[0.5, -0.6]]\nbias = 0.2\n'
    )
    other = run("train", str(path), "--steps", "20", "--hidden-deltas-from", "updated")
    assert other.returncode == 0, other.stderr
    assert "published" not in other.stdout
    assert "mistaken rule" in other.stdout


def test_the_mistaken_rule_on_one_layer_says_it_changes_nothing(tmp_path: Path) -> None:
    network = tmp_path / "one.toml"
    network.write_text(
        'inputs = [0.5, 0.1]\ntargets = [0.2]\nloss = "mse"\n'
        '[[layer]]\nactivation = "sigmoid"\nweights = [[0.3, -0.2]]\nbias = 0.1\n'
    )
    correct = run("train", str(network), "--steps", "10", "--no-progress")
    mistaken = run("train", str(network), "--steps", "10", "--no-progress", "--hidden-deltas-from", "updated")
    assert mistaken.returncode == 0, mistaken.stderr
    lines = mistaken.stdout.splitlines()
    assert lines[-1] == "--hidden-deltas-from updated changes nothing here: a one-layer network has no hidden layer."
    assert lines[1:-1] == correct.stdout.splitlines()[1:]  # the same numbers as the correct rule


def test_tiny_final_errors_are_not_written_out_as_zero() -> None:
    result = run("train", "--steps", "3000000", "--every", "3000000", "--no-progress")
    assert result.returncode == 0, result.stderr
    final = next(line for line in result.stdout.splitlines() if line.startswith("After"))
    assert final.startswith("After 3000000 steps: E_total = ") and "(0.0000000000000)" not in final
    assert float(final.split(" = ")[1]) < 1e-20


OVERFLOWING = """\
inputs = [0.05, 0.10]
targets = [0.01, 0.99]
learning_rate = {eta}
[[layer]]
activation = "sigmoid"
weights = [[0.15, 0.20], [0.25, 0.30]]
bias = 0.35
[[layer]]
activation = "linear"
weights = [[0.40, 0.45], [0.50, 0.55]]
bias = 0.60
"""


def test_a_diverging_run_stops_keeps_the_last_finite_weights_and_says_why(tmp_path: Path) -> None:
    # η = 1e150 on a linear output: the second update sends the error past float64's range
    path = tmp_path / "wild.toml"
    path.write_text(OVERFLOWING.format(eta="1e150"), encoding="utf-8")
    result = run("train", str(path), "--steps", "50", "--every", "10")
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr and "RuntimeWarning" not in result.stderr
    warning = [line for line in result.stderr.splitlines() if line.startswith("stepgrad: warning: diverged in")]
    assert len(warning) == 1, result.stderr
    # step 1's weights and error (≈ 1.8e300) are still finite; step 2 makes b2 ≈ 2.7e300 and its error infinite
    assert "diverged in step 2: E_total became inf; kept the weights of step 1 " in warning[0]
    assert "smaller learning rate" in warning[0]
    # and why, from the weights kept: the very next update explodes
    why = [line for line in result.stderr.splitlines() if line.startswith("stepgrad: why: ")]
    assert len(why) == 1 and why[0].startswith("stepgrad: why: E_o1+ = inf: the update moved b2 "), result.stderr
    assert "the learning rate (now 1e+150) made the update explode" in why[0]
    assert "After 1 step:" in result.stdout
    assert "nan" not in result.stdout.lower()


LINE = """\
samples = [[3.0, 4.0], [1.0, -2.0]]
targets = [[1.0], [0.0]]
learning_rate = 1.0
loss = "mse"
[[layer]]
activation = "linear"
weights = [[0.5, -0.3]]
bias = 0.1
"""


def test_the_summary_the_outputs_and_the_warning_name_the_same_kept_step(tmp_path: Path) -> None:
    # E_total goes infinite (step 110) while the weights are still finite: the step kept is the one before
    path = tmp_path / "line.toml"
    path.write_text(LINE, encoding="utf-8")
    result = run("train", str(path), "--steps", "200", "--every", "10")
    assert result.returncode == 0, result.stderr
    warning = re.search(r"diverged in step (\d+): .*; kept the weights of step (\d+) ", result.stderr)
    assert warning, result.stderr
    kept = int(warning[2])
    assert int(warning[1]) == kept + 1
    summary = re.search(r"^After (\d+) steps: E_total = (\S+)", result.stdout, re.MULTILINE)
    assert summary and int(summary[1]) == kept, result.stdout
    logged = [line.split() for line in result.stdout.splitlines() if line.startswith("step ")]
    assert int(logged[-1][1]) == kept and float(logged[-1][-1]) == pytest.approx(float(summary[2]), rel=1e-4)
    # the printed outputs are the kept step's: their mse is the summary's E_total
    outputs = [float(value) for value in re.findall(r"out_o1 = (\S+) \(target", result.stdout)]
    targets = [1.0, 0.0]
    error = sum((t - o) ** 2 for t, o in zip(targets, outputs, strict=True)) / 2
    assert error == pytest.approx(float(summary[2]), rel=1e-4)


def test_a_run_that_converges_has_no_divergence_warning(tmp_path: Path) -> None:
    path = tmp_path / "calm.toml"
    path.write_text(OVERFLOWING.format(eta="0.1"), encoding="utf-8")
    result = run("train", str(path), "--steps", "50", "--every", "10")
    assert result.returncode == 0 and result.stderr == ""
    assert "After 50 steps:" in result.stdout


@pytest.mark.parametrize("args", [[], ["--steps", "2500", "--every", "300"], ["--steps", "1"]])
def test_the_classic_example_on_floats_prints_what_the_file_path_prints(tmp_path: Path, args: list[str]) -> None:
    # no FILE: the classic example's answer without NumPy; the same network read from a file goes through
    # the array model and repeat_steps (whose figures equal the NumPy path's: tests/training/test_plain_repeat.py)
    written = run("init", str(tmp_path / "classic.toml"))
    assert written.returncode == 0, written.stderr
    on_floats = run("train", *args)
    on_arrays = run("train", str(tmp_path / "classic.toml"), *args)
    assert on_floats.returncode == on_arrays.returncode == 0, on_floats.stderr + on_arrays.stderr
    assert on_floats.stdout.splitlines()[0].startswith("Training classic example: 1 sample, η = 0.5, ")
    assert on_floats.stdout.splitlines()[1:] == on_arrays.stdout.splitlines()[1:]
    assert on_floats.stderr == on_arrays.stderr == ""


def test_options_left_at_their_defaults_need_no_registry() -> None:
    # --optimizer, --task, --schedule default to names of registries that import NumPy; the defaults pass unread
    from stepgrad.cli.train_cmd import train

    for param in train.params:
        choices = getattr(param.type, "choices", None)
        if param.default is not None and choices is not None:
            assert param.default in choices, param.name
    bad = run("train", "--data", "xor", "--optimizer", "adagrad")
    assert bad.returncode == 2
    assert "'adagrad' is not one of" in bad.stderr and "'adamw'" in bad.stderr
    assert "Traceback" not in bad.stderr
