"""``stepgrad train`` and ``stepgrad sweep`` run as subprocesses on real files."""

import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from stepgrad.network.files import load_setup

STEPGRAD = [str(Path(sys.executable).parent / "stepgrad")]


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*STEPGRAD, *args], capture_output=True, text=True, cwd=cwd, timeout=300)


def test_classic_ten_thousand_steps_prints_the_exact_figures() -> None:
    result = run("train", "--steps", "10000")
    assert result.returncode == 0, result.stderr
    assert "After 10000 steps: E_total = 3.5102e-05 (0.0000351018778)" in result.stdout
    assert "out_o1 = 0.0159136" in result.stdout and "out_o2 = 0.984064" in result.stdout
    assert "step  1000  E_total = 0.001114349" in result.stdout


def test_the_mistake_reproduces_the_published_errata_and_9999_steps_the_published_error() -> None:
    result = run("train", "--steps", "10000", "--hidden-deltas-from", "updated")
    assert result.returncode == 0, result.stderr
    assert "out_o1 = 0.0159121963" in result.stdout and "out_o2 = 0.984065734" in result.stdout
    result = run("train", "--steps", "9999")
    assert "(0.0000351085" in result.stdout


def test_train_on_a_network_file(tmp_path) -> None:
    path = tmp_path / "net.toml"
    path.write_text(
        'samples = [[0.0, 1.0], [1.0, 0.0]]\ntargets = [[1.0], [0.0]]\nlearning_rate = 1.0\n'
        'loss = "half_squared_error"\n'
        '[[layer]]\nactivation = "sigmoid"\nweights = [[0.5, -0.5]]\nbias = 0.0\n'
    )
    result = run("train", str(path), "--steps", "50", "--every", "25")
    assert result.returncode == 0, result.stderr
    assert "sample 2: out_o1 = " in result.stdout
    assert "step 25  E_total" in result.stdout


def test_bad_network_file_is_one_line_and_exit_2(tmp_path) -> None:
    result = run("train", str(tmp_path / "missing.toml"))
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "stepgrad: error:" in result.stderr


def test_train_on_data_saves_a_model_and_a_plot(tmp_path) -> None:
    result = run(
        "train",
        "--data",
        "circle",
        "--samples",
        "60",
        "--layers",
        "2,6,1",
        "--epochs",
        "5",
        "--lr",
        "0.3",
        "--optimizer",
        "momentum",
        "--validation-split",
        "0.25",
        "--save",
        "model.toml",
        "--plot",
        "plot.png",
        "--no-progress",
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert "Training summary" in result.stdout and "5 of 5" in result.stdout and "validation accuracy" in result.stdout
    assert (tmp_path / "plot.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    setup = load_setup(tmp_path / "model.toml")
    assert setup.network.sizes == [2, 6, 1]
    assert setup.network.layers[-1].activation == "sigmoid" and setup.network.loss == "binary_cross_entropy"
    # the saved weights are those of the same run in-process
    from stepgrad.data import load_dataset
    from stepgrad.training import create_network, make_training, split_validation
    from stepgrad.training.loops import seed_streams

    data = load_dataset("circle", n_samples=60)
    x, y, xv, yv = split_validation(data.inputs, data.targets, 0.25, 0)
    net = create_network([2, 6, 1], "tanh", "sigmoid", "binary_cross_entropy", rng=seed_streams(0)[0])
    training = make_training(
        net, x, y, optimizer="momentum", learning_rate=0.3, epochs=5, batch_size=32, seed=0, validation=(xv, yv)
    )
    training.run()
    np.testing.assert_array_equal(setup.network.layers[0].weights, training.current_network().layers[0].weights)


def test_train_on_csv_and_its_errors(tmp_path) -> None:
    good = tmp_path / "d.csv"
    good.write_text("a,b,label\n" + "".join(f"{i % 3},{i % 5},{'yes' if i % 2 else 'no'}\n" for i in range(20)))
    result = run("train", "--data", str(good), "--target", "label", "--epochs", "2", "--no-progress")
    assert result.returncode == 0, result.stderr
    assert "d.csv (20 training samples)" in result.stdout
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b,label\n1,2,yes\n1,oops,no\n")
    result = run("train", "--data", str(bad), "--target", "label")
    assert result.returncode == 2
    assert result.stderr.strip() == f"stepgrad: error: {bad}: line 3: column 'b': 'oops' is not a finite number"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--data", "xor", "--layers", "3,4,1"], "does not fit the data"),
        (["--data", "xor", "--batch-size", "zero"], "--batch-size"),
        (["--data", "nope"], "unknown data set"),
        (["--data", "xor", "--steps", "5"], "--steps"),
        (["--data", "xor", "--save", "no/such/folder/m.toml"], "the folder does not exist"),
    ],
)
def test_user_mistakes_exit_2(args, message) -> None:
    result = run("train", *args)
    assert result.returncode == 2
    assert message in result.stderr and "Traceback" not in result.stderr


def test_ctrl_c_stops_cleanly_and_still_saves(tmp_path) -> None:
    model = tmp_path / "model.toml"
    process = subprocess.Popen(
        [
            *STEPGRAD,
            "train",
            "--data",
            "spiral",
            "--layers",
            "2,32,32,1",
            "--epochs",
            "1000000",
            "--batch-size",
            "1",
            "--save",
            str(model),
            "--checkpoint-every",
            "1",
            "--no-progress",
            "--no-compiled",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 120
    while not model.exists() and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.1)
    assert model.exists(), "no checkpoint was written"
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=120)
    assert process.returncode == 130, stderr
    assert "interrupted (Ctrl-C)" in stdout and "saved the model" in stdout
    assert "Traceback" not in stderr
    setup = load_setup(model)
    assert setup.network.sizes == [2, 32, 32, 1]
    assert not list(tmp_path.glob(".*tmp"))


def test_sweep_reports_the_converged_fraction(tmp_path) -> None:
    result = run(
        "sweep",
        "--data",
        "xor",
        "--layers",
        "2,2,1",
        "--nets",
        "40",
        "--epochs",
        "300",
        "--plot",
        str(tmp_path / "hist.png"),
        "--no-progress",
    )
    assert result.returncode == 0, result.stderr
    from stepgrad.data import load_dataset
    from stepgrad.training import fit_ensemble

    data = load_dataset("xor")
    ensemble = fit_ensemble(
        [2, 2, 1],
        data.inputs,
        data.targets,
        seeds=40,
        learning_rates=1.0,
        epochs=300,
        batch_size=None,
        output_activation="sigmoid",
    )
    count = int(ensemble.converged().sum())
    assert f"({count} of 40; 100% training accuracy)" in result.stdout
    median_row = next(line for line in result.stdout.splitlines() if "final loss median" in line)
    assert f" {np.median(ensemble.loss):.4g} " in median_row
    assert (tmp_path / "hist.png").stat().st_size > 1000


def test_sweep_with_several_learning_rates() -> None:
    result = run("sweep", "--nets", "10", "--epochs", "50", "--lr", "0.5,2", "--no-progress")
    assert result.returncode == 0, result.stderr
    assert "lr 0.5" in result.stdout and "lr 2" in result.stdout


def test_help_lists_sweep() -> None:
    result = run("--help")
    assert "sweep" in result.stdout and "train" in result.stdout
