"""``stepgrad train`` and ``stepgrad sweep`` run as subprocesses on real files."""

import re
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


def flat(table: str) -> str:
    """A rich table's text with borders and line breaks folded into single spaces."""
    return re.sub(r"[\s│┃|]+", " ", table)


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
        "samples = [[0.0, 1.0], [1.0, 0.0]]\ntargets = [[1.0], [0.0]]\nlearning_rate = 1.0\n"
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
        (["--data", "xor", "--save", "/proc/m.toml"], "/proc/m.toml: cannot write here:"),
        (["--data", "xor", "--plot", "/proc/p.png"], "/proc/p.png: cannot write here:"),
        (["--data", "xor", "--save", "/"], "/: is a directory"),
        (["--data", "xor", "--plot", "out.xyz"], "out.xyz: cannot write a figure with '.xyz'; use one of"),
        (["--data", "xor", "--plot", "out"], "out: cannot write a figure with no suffix"),
        (["--data", "circle", "--samples", "0"], "the number of samples must be a whole number of at least 1, got 0"),
        (["--data", "circle", "--samples", "-3"], "at least 1, got -3"),
        (["--data", "circle", "--noise", "-1"], "the noise must be a finite number ≥ 0, got -1.0"),
        (["--data", "xor", "--samples", "50"], "xor is a fixed data set: samples can only be set for the generated"),
        (["--data", "iris", "--noise", "0.1"], "iris is a fixed data set: noise can only be set"),
        (["--data", "xor", "--lr", "0"], "the learning rate must be a positive finite number, got 0.0"),
        (["--data", "xor", "--lr", "nan"], "the learning rate must be a positive finite number, got nan"),
        (["--data", "xor", "--weight-decay", "-1"], "the weight decay must be a finite number ≥ 0"),
        (["--data", "xor", "--momentum", "0.5"], "momentum applies to the momentum and nesterov optimizers, not sgd"),
        (["--data", "xor", "--optimizer", "adam", "--momentum", "0.5"], "not adam"),
        (["--data", "xor", "--optimizer", "momentum", "--momentum", "1.5"], "the momentum μ must be in [0, 1)"),
        (["--data", "xor", "--epochs", "0"], "the number of epochs must be a whole number of at least 1"),
        (["--data", "xor", "--batch-size", "0"], "--batch-size must be at least 1"),
        (["--data", "xor", "--gamma", "0.5"], "--gamma and --step-size apply to --schedule step, not constant"),
        (["--data", "xor", "--schedule", "step", "--step-size", "0"], "step size must be a whole number of epochs"),
        (["--data", "xor", "--task", "regress"], "the task can be chosen for CSV files only"),
        (["--data", "xor", "--output-activation", "softmax"], "softmax needs at least 2 outputs"),
        (["--data", "iris", "--loss", "mse", "--output-activation", "softmax"], 'softmax needs loss = "cross_entropy"'),
        (["--data", "xor", "--validation-split", "1.5"], "the validation split must be between 0 and 1"),
        (["--data", "xor", "--seed", "-1"], "--seed must be a whole number from 0 to 4294967295 (2**32 − 1), got -1"),
        (["--data", "circle", "--seed", "4294967296"], "--seed must be a whole number from 0 to 4294967295"),
        (["--data", "xor", "--layers", "2,,1"], "--layers has an empty size between commas"),
        (["--data", "xor", "--layers", "2,4,1,"], "--layers has an empty size between commas"),
        (
            ["--data", "circle", "--samples", "100001"],
            "the number of samples of a generated set is at most 100,000, got 100,001",
        ),
    ],
)
def test_user_mistakes_exit_2(args, message, tmp_path) -> None:
    result = run("train", *args, "--no-progress", cwd=tmp_path)
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stderr.count("\n") == 1 and "stepgrad: error: " in result.stderr
    assert message in result.stderr and "Traceback" not in result.stderr
    assert "Training summary" not in result.stdout  # refused before training
    assert list(tmp_path.iterdir()) == []


def test_targets_that_do_not_suit_the_loss_fail_before_training_and_nothing_is_written(tmp_path) -> None:
    # targets 3 … 7 with binary cross-entropy used to train, show a negative loss, then fail to save
    data = tmp_path / "big.csv"
    data.write_text("x1,x2,y\n0,0,5\n0,1,3\n1,0,4\n1,1,7\n")
    result = run(
        "train",
        "--data",
        "big.csv",
        "--task",
        "regress",
        "--loss",
        "binary_cross_entropy",
        "--epochs",
        "5",
        "--save",
        "bce.toml",
        "--plot",
        "bce.png",
        "--no-progress",
        cwd=tmp_path,
    )
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr == (
        "stepgrad: error: big.csv: binary_cross_entropy targets must be between 0 and 1, got 5.0: "
        "use --loss mse (or half_squared_error) for numbers\n"
    )
    result = run(
        "sweep",
        "--data",
        "big.csv",
        "--task",
        "regress",
        "--loss",
        "binary_cross_entropy",
        "--nets",
        "2",
        "--no-progress",
        cwd=tmp_path,
    )
    assert result.returncode == 2 and "binary_cross_entropy targets must be between 0 and 1" in result.stderr
    assert [p.name for p in tmp_path.iterdir()] == ["big.csv"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--data", "ok.csv", "--save", "ok.csv"], "ok.csv: a model file ends in .toml or .json, not '.csv'"),
        (["--data", "ok.csv", "--save", "m"], "m: a model file ends in .toml or .json, and this path has no suffix"),
        (["--data", "ok.csv", "--save", "m.yaml"], "m.yaml: a model file ends in .toml or .json, not '.yaml'"),
        (
            ["--data", "d.json", "--save", "d.json"],
            "d.json: is the training data (--data d.json); writing there would replace it",
        ),
        (
            ["--data", "d.json", "--save", "link.json"],
            "link.json: is the training data (--data d.json); writing there would replace it",
        ),
        (["--data", "d.png", "--plot", "d.png"], "d.png: is the training data (--data d.png); writing there"),
        (["--data", "d.png", "--plot", "./sub/../d.png"], "is the training data (--data d.png); writing there"),
    ],
)
def test_save_and_plot_never_replace_the_data_or_write_other_formats(args, message, tmp_path) -> None:
    text = "x1,x2,label\n0,0,0\n0,1,1\n1,0,1\n1,1,0\n"
    for name in ("ok.csv", "d.json", "d.png"):  # a CSV file may have any name
        (tmp_path / name).write_text(text)
    (tmp_path / "sub").mkdir()
    (tmp_path / "link.json").symlink_to("d.json")
    before = sorted(p.name for p in tmp_path.iterdir())
    for command in (["train", "--epochs", "2"], ["sweep", "--nets", "2", "--epochs", "2"]):
        if command[0] == "sweep" and "--save" in args:
            continue
        result = run(*command, *args, "--no-progress", cwd=tmp_path)
        assert result.returncode == 2, result.stdout
        assert result.stderr.startswith("stepgrad: error: ") and result.stderr.count("\n") == 1
        assert message in result.stderr and result.stdout == ""
        assert sorted(p.name for p in tmp_path.iterdir()) == before
        assert all((tmp_path / name).read_text() == text for name in ("ok.csv", "d.json", "d.png"))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--nets", "0"], "--nets must be at least 1"),
        (["--plot", "/proc/p.png"], "/proc/p.png: cannot write here:"),
        (["--plot", "hist.txt"], "cannot write a figure with '.txt'"),
        (["--lr", "0.5,-1"], "--lr needs positive finite learning rates"),
        (["--momentum", "0.5"], "momentum applies to the momentum and nesterov optimizers, not sgd"),
        (["--samples", "9"], "xor is a fixed data set"),
        (["--seed", "-1"], "--seed must be a whole number from 0 to 4294967295 (2**32 − 1), got -1"),
        (["--seed", "4294967294"], "--seed 4294967294 with --nets 3 needs seeds up to 4294967296, past the largest"),
        (["--layers", "2,,1"], "--layers has an empty size between commas"),
        (["--data", "plane", "--samples", "1000000"], "at most 100,000, got 1,000,000"),
    ],
)
def test_sweep_mistakes_exit_2(args, message, tmp_path) -> None:
    result = run("sweep", "--epochs", "5", "--nets", "3", *args, "--no-progress", cwd=tmp_path)
    assert result.returncode == 2, result.stdout + result.stderr
    assert message in result.stderr and result.stderr.count("\n") == 1


def test_divergence_keeps_good_weights_plots_and_saves_a_model_explain_reads(tmp_path) -> None:
    result = run(
        "train",
        "--data",
        "plane",
        "--layers",
        "2,8,1",
        "--activation",
        "relu",
        "--lr",
        "1000",
        "--epochs",
        "50",
        "--save",
        "div.toml",
        "--plot",
        "div.png",
        "--no-progress",
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert "stepgrad: warning: the loss became NaN or infinite in epoch" in result.stderr
    assert "the best the run had; diverged in epoch" in flat(result.stdout)
    assert (tmp_path / "div.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    meta = __import__("tomllib").loads((tmp_path / "div.toml").read_text())["meta"]
    assert meta["weights_from_epoch"] < meta["epochs_trained"]
    assert np.isfinite(meta["final_loss"])
    explained = run("explain", "div.toml", "--format", "json", cwd=tmp_path)
    assert explained.returncode == 0 and explained.stderr == ""  # no overflow warnings
    # a classifier blowing up with huge outputs still gets its figure
    iris = run(
        "train",
        "--data",
        "iris",
        "--activation",
        "relu",
        "--lr",
        "1e6",
        "--plot",
        "div3.png",
        "--no-progress",
        cwd=tmp_path,
    )
    assert iris.returncode == 0, iris.stderr
    assert (tmp_path / "div3.png").stat().st_size > 1000
    assert sorted(p.name for p in tmp_path.iterdir()) == ["div.png", "div.toml", "div3.png"]  # no temp files


def test_the_loss_chooses_the_output_activation(tmp_path) -> None:
    result = run(
        "train",
        "--data",
        "xor",
        "--loss",
        "binary_cross_entropy",
        "--epochs",
        "300",
        "--lr",
        "0.5",
        "--batch-size",
        "full",
        "--no-progress",
    )
    assert result.returncode == 0, result.stderr
    assert "tanh → sigmoid, binary_cross_entropy" in result.stdout
    result = run("train", "--data", "iris", "--loss", "mse", "--epochs", "2", "--no-progress")
    assert "tanh → sigmoid, mse" in result.stdout
    result = run("train", "--data", "plane", "--loss", "half_squared_error", "--epochs", "2", "--no-progress")
    assert "tanh → linear, half_squared_error" in result.stdout
    result = run("train", "--data", "xor", "--output-activation", "tanh", "--epochs", "2", "--no-progress")
    assert "tanh → tanh, mse" in result.stdout


def test_csv_integer_labels_are_classes_and_the_summary_says_why(tmp_path) -> None:
    path = tmp_path / "three.csv"
    path.write_text("a,b,label\n" + "".join(f"{i % 7},{i % 5},{i % 3}\n" for i in range(30)))
    result = run("train", "--data", str(path), "--epochs", "2", "--no-progress")
    assert result.returncode == 0, result.stderr
    summary = flat(result.stdout)
    assert "classification (auto: whole numbers with 3 distinct values; --task regress to change)" in summary
    assert "2-8-3 tanh → softmax, cross_entropy" in summary
    result = run("train", "--data", str(path), "--task", "regress", "--epochs", "2", "--no-progress")
    assert "regression (--task regress)" in flat(result.stdout) and "tanh → linear, mse" in result.stdout


def write_wide_csv(path: Path) -> None:
    """Square feet (≈ 500 … 4000) next to rooms (1 … 6), and whether the house is big."""
    rng = np.random.default_rng(5)
    sqft, rooms = rng.uniform(500, 4000, 120), rng.integers(1, 7, 120)
    rows = "".join(f"{a:.0f},{b},{int(a / 1000 + b > 5)}\n" for a, b in zip(sqft, rooms, strict=True))
    path.write_text("sqft,rooms,big\n" + rows)


def test_csv_inputs_are_standardised_by_default_from_the_training_samples(tmp_path) -> None:
    import tomllib

    from stepgrad.data import load_dataset
    from stepgrad.training import split_validation

    write_wide_csv(tmp_path / "house.csv")
    result = run(
        "train",
        "--data",
        "house.csv",
        "--epochs",
        "30",
        "--validation-split",
        "0.25",
        "--save",
        "m.toml",
        "--plot",
        "m.png",
        "--no-progress",
        cwd=tmp_path,
    )
    assert result.returncode == 0 and result.stderr == "", result.stderr
    assert "inputs standardised: mean 0, variance 1 per column (--scale standard)" in flat(result.stdout)
    data = load_dataset(tmp_path / "house.csv")
    x, _, _, _ = split_validation(data.inputs, data.targets, 0.25, 0)
    document = tomllib.loads((tmp_path / "m.toml").read_text())
    meta = document["meta"]
    assert (meta["scale"], meta["scale_features"]) == ("standard", ["sqft", "rooms"])
    np.testing.assert_allclose(meta["scale_shift"], x.mean(axis=0), rtol=1e-15)  # the training part only
    np.testing.assert_allclose(meta["scale_factor"], x.std(axis=0), rtol=1e-15)
    # the file's sample is a training sample, scaled, so `explain` works the step the network took
    np.testing.assert_allclose(document["inputs"], (x[0] - x.mean(axis=0)) / x.std(axis=0), rtol=1e-12)
    assert "scale new inputs the same way" in (tmp_path / "m.toml").read_text().splitlines()[1]
    assert run("explain", "m.toml", "--format", "json", cwd=tmp_path).returncode == 0


def test_scaling_helps_and_unscaled_wide_inputs_get_a_hint(tmp_path) -> None:
    write_wide_csv(tmp_path / "house.csv")
    common = ["train", "--data", "house.csv", "--epochs", "40", "--lr", "0.1", "--no-progress"]
    scaled = run(*common, cwd=tmp_path)
    raw = run(*common, "--scale", "none", cwd=tmp_path)
    from stepgrad.data import load_dataset

    span = np.ptp(load_dataset(tmp_path / "house.csv").inputs[:, 0])
    assert raw.stderr == (
        f"stepgrad: warning: input column 'sqft' spans {span:.4g}; one learning rate suits inputs "
        "of similar size: try --scale standard\n"
    )

    def final(result):
        return float(re.search(r"final training loss +│ (\S+)", result.stdout).group(1))

    assert final(scaled) < 0.5 * final(raw)
    minmax = run(*common, "--scale", "minmax", cwd=tmp_path)
    assert "inputs min-max scaled: 0 … 1 per column (--scale minmax)" in flat(minmax.stdout)
    # the named sets come scaled: no row, unless asked for
    assert "inputs" not in run("train", "--data", "xor", "--epochs", "2", "--no-progress").stdout
    sweep = run(
        "sweep",
        "--data",
        "house.csv",
        "--nets",
        "3",
        "--epochs",
        "5",
        "--scale",
        "minmax",
        "--no-progress",
        cwd=tmp_path,
    )
    assert "min-max scaled" in flat(sweep.stdout)


def test_regression_targets_in_the_hundreds_of_thousands_get_a_hint(tmp_path) -> None:
    (tmp_path / "price.csv").write_text("sqft,price\n" + "".join(f"{a},{a * 150}\n" for a in range(500, 4000, 50)))
    result = run("train", "--data", "price.csv", "--epochs", "2", "--no-progress", cwd=tmp_path)
    assert result.returncode == 0
    assert result.stderr.startswith("stepgrad: warning: the targets span 5.175e+05; a network's outputs start near 0")


def test_early_stopping_summary_names_the_best_epoch(tmp_path) -> None:
    result = run(
        "train",
        "--data",
        "gauss",
        "--samples",
        "60",
        "--noise",
        "0.5",
        "--seed",
        "1",
        "--layers",
        "2,16,1",
        "--optimizer",
        "adam",
        "--lr",
        "0.05",
        "--batch-size",
        "8",
        "--validation-split",
        "0.3",
        "--early-stopping",
        "5",
        "--epochs",
        "400",
        "--save",
        "m.toml",
        "--no-progress",
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    meta = __import__("tomllib").loads((tmp_path / "m.toml").read_text())["meta"]
    best, stopped = meta["weights_from_epoch"], meta["epochs_trained"]
    assert stopped == best + 5
    assert f"epoch {best} (best epoch {best}, stopped at {stopped})" in flat(result.stdout)
    final_row = next(line for line in result.stdout.splitlines() if "│ final training loss " in line)
    assert f"{meta['final_loss']:.6g}" in final_row
    running_row = next(line for line in result.stdout.splitlines() if "│ loss, running mean " in line)
    assert f"(epoch {best})" in running_row


def test_explain_optimizer_options_on_the_command_line() -> None:
    import json

    result = run("explain", "--optimizer", "adam", "--lr", "0.001", "--beta1", "0.8", "--step", "1", "--format", "json")
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)["values"]
    assert values["bias_correction1"] == pytest.approx(0.2)
    assert values["w1+"] == pytest.approx(0.15 - 0.001 * np.sign(values["dE_total/dw1"]), abs=1e-6)
    result = run("explain", "--lr", "0.1")
    assert result.returncode == 2 and "need --optimizer" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--optimizer", "momentum", "--momentum", "1.5"], "the momentum μ must be in [0, 1), got 1.5"),
        (["--optimizer", "adam", "--beta1", "1.5"], "β₁ (beta1) must be in [0, 1), got 1.5"),
        (["--optimizer", "adam", "--beta2", "1"], "β₂ (beta2) must be in [0, 1), got 1.0"),
        (["--optimizer", "adamw", "--eps", "0"], "ε (eps) must be a positive finite number, got 0.0"),
        (["--optimizer", "adam", "--eps", "-1"], "ε (eps) must be a positive finite number, got -1.0"),
        (
            ["--optimizer", "sgd", "--momentum", "0.5"],
            "momentum applies to the momentum and nesterov optimizers, not sgd",
        ),
        (["--optimizer", "momentum", "--beta2", "0.9"], "beta2 applies to the adam and adamw optimizers, not momentum"),
        (["--optimizer", "adam", "--lr", "-1"], "the learning rate must be a positive finite number, got -1.0"),
    ],
)
def test_explain_optimizer_refuses_impossible_hyperparameters(args, message) -> None:
    result = run("explain", *args, "--format", "json")
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr == f"stepgrad: error: {message}\n"  # one line, no NumPy warning


def test_sweep_and_train_share_the_optimizer_rule() -> None:
    for command in ("train", "sweep"):
        result = run(command, "--data", "xor", "--optimizer", "nesterov", "--momentum", "1", "--no-progress")
        assert result.returncode == 2
        assert result.stderr == "stepgrad: error: the momentum μ must be in [0, 1), got 1.0\n"


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
    meta = __import__("tomllib").loads(model.read_text())["meta"]
    assert meta["weights_from_epoch"] == meta["epochs_trained"]  # the last complete epoch, not half of one
    # the updates counted are those of the kept weights: 200 samples, batch 1, per complete epoch
    epochs, updates = re.search(r"epochs +│ (\d+) of 1000000 +\((\d+) updates\)", stdout).groups()
    assert int(epochs) == meta["epochs_trained"] and int(updates) == 200 * int(epochs)
    assert "Traceback" not in stderr
    setup = load_setup(model)
    assert setup.network.sizes == [2, 32, 32, 1]
    assert not list(tmp_path.glob(".*tmp"))


def test_ctrl_c_in_sweep_summarises_and_plots_the_completed_epochs(tmp_path, monkeypatch, capsys) -> None:
    # A real SIGINT, sent from inside the run after epoch 7 (a subprocess cannot tell when training has begun).
    import os

    from stepgrad.cli.main import main
    from stepgrad.training.loops import Training

    logged = Training._log

    def log_then_ctrl_c(self, log):
        result = logged(self, log)
        if log.epoch == 7:
            os.kill(os.getpid(), signal.SIGINT)
        return result

    monkeypatch.setattr(Training, "_log", log_then_ctrl_c)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as stopped:
        main(
            [
                "sweep",
                "--nets",
                "12",
                "--epochs",
                "100000",
                "--optimizer",
                "momentum",
                "--plot",
                "h.png",
                "--no-progress",
            ]
        )
    assert stopped.value.code == 130
    out, err = capsys.readouterr()
    assert err.strip() == "stepgrad: interrupted"
    assert re.search(r"training +│ momentum, (7|8) of 100000 epochs, lr 1.0", out), out
    assert "interrupted (Ctrl-C) after epoch" in flat(out) and "converged" in out and "final loss median" in out
    assert "wrote the histogram h.png" in out
    assert (tmp_path / "h.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


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


def test_sweep_plot_of_networks_that_diverged(tmp_path) -> None:
    # the audit's command: its losses from 1e-3 to 3.6e288 crashed matplotlib's log axis (tests/plots has
    # those numbers); now each network keeps its best weights
    result = run(
        "sweep",
        "--data",
        "plane",
        "--layers",
        "2,8,1",
        "--activation",
        "relu",
        "--lr",
        "100",
        "--nets",
        "20",
        "--epochs",
        "50",
        "--batch-size",
        "8",
        "--plot",
        "h4.png",
        "--no-progress",
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "h4.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "wrote the histogram h4.png" in result.stdout
    assert "20 (NaN/inf loss; each kept the best weights it had)" in result.stdout
    assert float(re.search(r"final loss max +│ (\S+)", result.stdout).group(1)) < 10


def test_sweep_with_several_learning_rates() -> None:
    result = run("sweep", "--nets", "10", "--epochs", "50", "--lr", "0.5,2", "--no-progress")
    assert result.returncode == 0, result.stderr
    assert "lr 0.5" in result.stdout and "lr 2" in result.stdout


def test_help_lists_sweep() -> None:
    result = run("--help")
    assert "sweep" in result.stdout and "train" in result.stdout


def test_a_data_run_that_overflows_says_which_value_and_why(tmp_path: Path) -> None:
    # x = ±1e100, target 0, out = w·x: dE/dw1 = 2·mean(w·x·x) ≈ 1e200·w, and η·dE/dw1 = 1e150 × that overflows
    (tmp_path / "big.csv").write_text("x,y\n1e100,0\n1e100,0\n-1e100,0\n")
    result = run(
        "train", "--data", "big.csv", "--layers", "1,1", "--scale", "none", "--task", "regress",
        "--optimizer", "sgd", "--lr", "1e150", "--epochs", "3", "--no-progress", cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    (why,) = [line for line in result.stderr.splitlines() if line.startswith("stepgrad: why: ")]
    assert why.startswith("stepgrad: why: at the kept weights, a plain gradient step (full-batch SGD, η = 1e+150")
    assert re.search(r": w1\+ = -?inf: the update η·dE_total/dw1 = 1e\+150 × \S+ overflows", why), why
    assert "the learning rate (now 1e+150) made the update explode" in why


def test_l1_and_l2_options_reach_the_optimizer_and_a_negative_one_is_one_line(tmp_path: Path) -> None:
    result = run(
        "train", "--data", "xor2d", "--l1", "0.01", "--l2", "0.001", "--epochs", "2", "--no-progress",
        "--save", "m.toml", cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "L2 λ = 0.001  L1 λ₁ = 0.01" in result.stdout
    saved = (tmp_path / "m.toml").read_text()  # explain shows the step the run took
    assert "\nl1 = 0.01\n" in saved and "\nl2 = 0.001\n" in saved
    refused = run("train", "--data", "xor2d", "--l1", "-1", "--epochs", "2", "--no-progress")
    assert refused.returncode == 2 and refused.stderr.count("\n") == 1
    assert "the L1 regularization λ₁ must be a finite number ≥ 0, got -1" in refused.stderr


def test_ctrl_c_between_an_epochs_end_and_its_log_hands_back_the_last_logged_epoch(monkeypatch) -> None:
    """Ctrl-C can land after the guard kept an epoch's weights but before its log is written (here: while the
    validation figures are computed): the run hands back the last logged epoch's weights, and the summary's
    rows read that epoch's log (before, an IndexError traceback)."""
    import numpy as np
    from rich.table import Table

    from stepgrad.cli.train_data import add_kept_rows
    from stepgrad.data import load_dataset
    from stepgrad.training import create_network, make_training
    from stepgrad.training.loops import Training

    data = load_dataset("xor")
    training = make_training(
        create_network([2, 3, 1], "tanh", "sigmoid", "binary_cross_entropy", rng=np.random.default_rng(1)),
        data.inputs,
        data.targets,
        epochs=10,
        batch_size=1,
        validation=(data.inputs, data.targets),
        use_compiled=False,
    )
    measured = Training._validation_metrics
    calls = []

    def interrupted_on_the_third(self):
        calls.append(1)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return measured(self)

    monkeypatch.setattr(Training, "_validation_metrics", interrupted_on_the_third)
    with pytest.raises(KeyboardInterrupt):
        training.run()
    assert len(training.history) == 2 and training.epoch == 2
    assert training.kept.epoch == 2
    table = Table()
    add_kept_rows(table, training)
    assert "(epoch 2)" in str(table.columns[1]._cells[0])
