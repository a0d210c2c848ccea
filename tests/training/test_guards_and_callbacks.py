"""Divergence guard, early stopping, validation split, schedules, initialisers, model files."""

import math
import re

import numpy as np
import pytest

from stepgrad.data import load_dataset
from stepgrad.errors import StepgradError
from stepgrad.network.files import load_setup
from stepgrad.training import (
    create_network,
    fit,
    get_schedule,
    make_training,
    predict,
    predict_proba,
    save_model,
    split_validation,
)
from stepgrad.training.gradients import Functions, sample_losses
from stepgrad.training.params import params_of


def test_early_stopping_restores_the_best_validation_weights() -> None:
    data = load_dataset("gauss", n_samples=60, noise=0.5, seed=1)
    network = create_network([2, 16, 1], "tanh", "sigmoid", "binary_cross_entropy", rng=np.random.default_rng(1))
    result = fit(
        network,
        data.inputs,
        data.targets,
        optimizer="adam",
        learning_rate=0.05,
        epochs=400,
        batch_size=8,
        validation_split=0.3,
        early_stopping=5,
    )
    assert result.stop_reason is not None and "early stopping" in result.stop_reason
    val = [float(v) for v in result.history.val_loss]
    best = int(np.argmin(val))
    assert len(val) == best + 1 + 5
    _, _, x_val, y_val = split_validation(data.inputs, data.targets, 0.3, 0)
    restored = float(np.mean(sample_losses(params_of(result.network), Functions.of(network), x_val, y_val)))
    assert restored == pytest.approx(val[best], rel=1e-12)


def test_validation_split_is_seeded_and_disjoint() -> None:
    x = np.arange(20.0).reshape(10, 2)
    y = np.arange(10.0).reshape(10, 1)
    a = split_validation(x, y, 0.3, seed=4)
    b = split_validation(x, y, 0.3, seed=4)
    for left, right in zip(a, b, strict=True):
        np.testing.assert_array_equal(left, right)
    assert a[0].shape == (7, 2) and a[2].shape == (3, 2)
    assert sorted(np.concatenate([a[1], a[3]]).ravel().tolist()) == list(range(10))
    with pytest.raises(StepgradError):
        split_validation(x, y, 1.5)


def test_schedules() -> None:
    assert get_schedule("constant").factor(7, 10) == 1.0
    assert get_schedule("step", gamma=0.1, step_size=3).factor(7, 10) == pytest.approx(0.01)
    cosine = get_schedule("cosine")
    assert cosine.factor(0, 10) == 1.0
    assert cosine.factor(5, 10) == pytest.approx(0.5)
    assert cosine.factor(10, 10) == pytest.approx(0.0, abs=1e-15)
    with pytest.raises(StepgradError):
        get_schedule("linear")


def test_schedule_changes_the_learning_rate_per_epoch() -> None:
    data = load_dataset("xor")
    network = create_network([2, 2, 1], rng=np.random.default_rng(0))
    training = make_training(
        network,
        data.inputs,
        data.targets,
        learning_rate=0.8,
        epochs=4,
        batch_size=None,
        schedule=get_schedule("step", gamma=0.5, step_size=2),
    )
    training.run()
    assert [log.learning_rate for log in training.history] == [0.8, 0.8, 0.4, 0.4]


def test_initialisers_are_seeded_and_scaled() -> None:
    a = create_network([100, 200, 3], activation="relu", output_activation="sigmoid", rng=np.random.default_rng(9))
    b = create_network([100, 200, 3], activation="relu", output_activation="sigmoid", rng=np.random.default_rng(9))
    np.testing.assert_array_equal(a.layers[0].weights, b.layers[0].weights)
    # He: variance 2/n_in
    assert np.var(a.layers[0].weights) == pytest.approx(2 / 100, rel=0.05)
    # Xavier for the sigmoid output: U(−√(6/203), √(6/203))
    limit = math.sqrt(6 / 203)
    assert np.abs(a.layers[1].weights).max() <= limit
    assert np.abs(a.layers[1].weights).max() > 0.9 * limit
    assert a.layers[0].bias.tolist() == [0.0] * 200
    softmax = create_network([4, 3], loss="cross_entropy")
    assert softmax.layers[-1].activation == "softmax"
    with pytest.raises(StepgradError):
        create_network([2, 2], output_activation="softmax", loss="mse")
    with pytest.raises(StepgradError):
        create_network([2])


def test_predict_and_predict_proba() -> None:
    data = load_dataset("iris")
    network = create_network([4, 8, 3], "tanh", loss="cross_entropy", rng=np.random.default_rng(0))
    result = fit(network, data.inputs, data.targets, optimizer="adam", learning_rate=0.02, epochs=30, batch_size=16)
    proba = predict_proba(result.network, data.inputs)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, atol=1e-12)
    labels = predict(result.network, data.inputs)
    assert labels.shape == (150,)
    accuracy = float(np.mean(labels == np.argmax(data.targets, axis=1)))
    assert accuracy > 0.9
    assert accuracy == pytest.approx(result.history.accuracy[-1], abs=0.1)


def test_model_file_round_trips_exactly(tmp_path) -> None:
    data = load_dataset("circle", n_samples=40, noise=0.1)
    network = create_network([2, 5, 1], "tanh", "sigmoid", "binary_cross_entropy", rng=np.random.default_rng(2))
    training = make_training(network, data.inputs, data.targets, learning_rate=0.3, epochs=3, batch_size=4)
    training.run()
    for name in ("model.toml", "model.json"):
        path = tmp_path / name
        save_model(training, path)
        setup = load_setup(path)
        for a, b in zip(setup.network.layers, training.current_network().layers, strict=True):
            np.testing.assert_array_equal(a.weights, b.weights)
            np.testing.assert_array_equal(a.bias, b.bias)
            assert a.activation == b.activation
        assert setup.network.loss == "binary_cross_entropy"
        np.testing.assert_array_equal(setup.inputs, data.inputs[:1])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.json", "model.toml"]  # no temp files left


def test_bad_arguments_are_stepgrad_errors() -> None:
    data = load_dataset("xor")
    network = create_network([2, 2, 1])
    with pytest.raises(StepgradError, match="takes 3 inputs"):
        make_training(create_network([3, 2, 1]), data.inputs, data.targets)
    with pytest.raises(StepgradError, match="unknown optimizer"):
        make_training(network, data.inputs, data.targets, optimizer="rmsprop")
    with pytest.raises(StepgradError):
        make_training(network, data.inputs, data.targets, batch_size=0)


def test_early_stopping_hands_back_the_best_epoch_and_the_model_file_says_so(tmp_path) -> None:
    data = load_dataset("gauss", n_samples=60, noise=0.5, seed=1)
    network = create_network([2, 16, 1], "tanh", "sigmoid", "binary_cross_entropy", rng=np.random.default_rng(1))
    result = fit(
        network,
        data.inputs,
        data.targets,
        optimizer="adam",
        learning_rate=0.05,
        epochs=400,
        batch_size=8,
        validation_split=0.3,
        early_stopping=5,
    )
    training = result.training
    best = int(np.argmin(result.history.val_loss)) + 1
    assert training.kept.epoch == best and training.epoch == best + 5
    assert f"(best epoch {best}, stopped at {best + 5}); restored the weights of epoch {best}" in result.stop_reason
    # the final loss and accuracy measure the best epoch's weights on the training set
    x, y, _, _ = split_validation(data.inputs, data.targets, 0.3, 0)
    functions = Functions.of(network)
    loss = float(np.mean(sample_losses(params_of(result.network), functions, x, y)))
    assert result.final_loss == pytest.approx(loss, rel=1e-12)
    accuracy = float(np.mean(predict(result.network, x) == y[:, 0]))
    assert result.final_accuracy == accuracy
    save_model(training, tmp_path / "m.toml")
    meta = __import__("tomllib").loads((tmp_path / "m.toml").read_text())["meta"]
    assert meta["weights_from_epoch"] == best and meta["epochs_trained"] == best + 5
    assert meta["final_loss"] == result.final_loss
    assert meta["final_accuracy"] == result.final_accuracy


def test_the_progress_bar_fits_80_columns_with_validation() -> None:
    import io

    from rich.console import Console

    from stepgrad.training import Progress
    from stepgrad.training.loops import EpochLog

    console = Console(file=io.StringIO(), width=80, force_terminal=True, color_system=None)
    progress = Progress(console=console)

    class Run:
        epochs, epoch = 100000, 0

    progress.on_train_begin(Run())
    log = EpochLog(
        epoch=99999,
        learning_rate=0.1,
        loss=1.23456789e-05,
        accuracy=0.987654,
        val_loss=2.3456789e-05,
        val_accuracy=0.912345,
    )
    progress.on_epoch_end(Run(), log)
    lines = [
        "".join(segment.text for segment in line).rstrip()
        for renderable in progress._progress.get_renderables()
        for line in console.render_lines(renderable, console.options, pad=False)
    ]
    progress._progress.stop()
    assert len(lines) == 2 and all(len(line) <= 80 for line in lines)
    assert lines[0].startswith("epoch") and "99999/100000" in lines[0]
    assert lines[0].endswith(("ETA -:--:--", "ETA 0:00:00"))  # no time has passed in this test
    assert lines[1].strip() == "train loss 1.235e-05 acc 98.8%   validation loss 2.346e-05 acc 91.2%"


@pytest.mark.parametrize(
    ("loss", "output", "targets", "message"),
    [
        (
            "binary_cross_entropy",
            "sigmoid",
            load_dataset("xor").targets * 2,
            "targets: binary_cross_entropy targets must be between 0 and 1, got 2.0",
        ),
        (
            "binary_cross_entropy",
            "sigmoid",
            load_dataset("xor").targets - 1,
            "targets: binary_cross_entropy targets must be between 0 and 1, got -1.0",
        ),
    ],
)
def test_targets_that_do_not_suit_the_loss_are_refused_before_training(loss, output, targets, message) -> None:
    # They used to train and report a negative loss (−7.2 for targets × 2), then fail to save.
    from stepgrad.training import History

    data = load_dataset("xor")
    network = create_network([2, 4, 1], "tanh", output, loss, rng=np.random.default_rng(0))
    history = History()
    with pytest.raises(StepgradError, match=message):
        fit(network, data.inputs, targets, epochs=5, callbacks=[history])
    assert history.loss == []
    with pytest.raises(StepgradError, match="validation targets: binary_cross_entropy targets must be between"):
        fit(network, data.inputs, data.targets, epochs=5, validation=(data.inputs, targets), callbacks=[history])
    assert history.loss == []
    # an ensemble too
    from stepgrad.training import fit_ensemble

    with pytest.raises(StepgradError, match=message):
        fit_ensemble([2, 2, 1], data.inputs, targets, seeds=3, output_activation=output, loss=loss, epochs=2)


def test_cross_entropy_targets_must_be_distributions() -> None:
    iris = load_dataset("iris")
    network = create_network([4, 3, 3], "tanh", loss="cross_entropy", rng=np.random.default_rng(0))
    with pytest.raises(StepgradError, match="cross_entropy targets of sample 1 must sum to 1"):
        fit(network, iris.inputs, iris.targets * 2, epochs=1)


def test_model_files_are_toml_or_json_and_a_checkpoint_says_so_before_training(tmp_path) -> None:
    from stepgrad.training import Checkpoint, History, save_network

    data = load_dataset("xor")
    network = create_network([2, 2, 1], rng=np.random.default_rng(0))
    cases = (
        ("m.yaml", "not '.yaml'"),
        ("m", "and this path has no suffix"),
        ("m.csv", "not '.csv'"),
        ("m.JSON", "not '.JSON'"),
    )  # .JSON would be written as TOML
    for name, shown in cases:
        with pytest.raises(StepgradError, match=re.escape(f"a model file ends in .toml or .json, {shown}")):
            save_network(network, tmp_path / name, data.inputs, data.targets, 0.5)
        history = History()
        with pytest.raises(StepgradError, match=re.escape("a model file ends in .toml or .json")):
            fit(network, data.inputs, data.targets, epochs=3, callbacks=[history, Checkpoint(tmp_path / name)])
        assert history.loss == []  # refused before the first epoch
    assert list(tmp_path.iterdir()) == []
    save_network(network, tmp_path / "m.json", data.inputs, data.targets, 0.5)
    assert load_setup(tmp_path / "m.json").network == network


def test_ctrl_c_mid_epoch_hands_back_the_last_complete_epoch_and_counts_its_updates(monkeypatch) -> None:
    from stepgrad.training.loops import Training

    data = load_dataset("circle", n_samples=40)
    network = create_network([2, 4, 1], "tanh", "sigmoid", "binary_cross_entropy", rng=np.random.default_rng(0))
    training = make_training(network, data.inputs, data.targets, epochs=50, batch_size=4, use_compiled=False)
    update, calls = Training.update, []

    def update_then_ctrl_c(self, *args):
        calls.append(1)
        if len(calls) == 10 * 3 + 4:  # in epoch 4, after 3 complete epochs of 10 updates
            raise KeyboardInterrupt
        return update(self, *args)

    monkeypatch.setattr(Training, "update", update_then_ctrl_c)
    with pytest.raises(KeyboardInterrupt):
        training.run()
    assert (training.epoch, training.updates, training.stop_reason) == (3, 30, "interrupted")
    monkeypatch.undo()
    alone = make_training(network, data.inputs, data.targets, epochs=3, batch_size=4, use_compiled=False).run()
    for a, b in zip(training.params.arrays(), alone.params.arrays(), strict=True):
        np.testing.assert_array_equal(a, b)


def test_the_guards_epoch_outcome_is_one_function_for_the_loop_and_the_ensemble_kernel() -> None:
    """STOP for a non-finite running loss or parameter, BEST below the lowest good running loss so far, else KEEP;
    the compiled ensemble runs the same source (numba), and agrees on every case."""
    from stepgrad.training.guard import BEST, KEEP, STOP, epoch_outcome, epoch_outcomes

    finite, broken = np.array([0.5, -1.0]), np.array([0.5, np.inf])
    cases = [
        (0.2, finite, 0.3, BEST),
        (0.3, finite, 0.3, KEEP),  # a tie is not a new best
        (0.4, finite, np.inf, BEST),  # the first good epoch
        (np.nan, finite, 0.3, STOP),
        (0.1, broken, 0.3, STOP),
        (np.inf, finite, np.inf, STOP),
    ]
    for running, column, best, expected in cases:
        assert epoch_outcome(running, column, best) == expected
    running = np.array([case[0] for case in cases])
    columns = np.stack([case[1] for case in cases], axis=1)
    best = np.array([case[2] for case in cases])
    assert epoch_outcomes(running, columns, best).tolist() == [case[3] for case in cases]
    pytest.importorskip("numba")
    from stepgrad.training.compiled.ensemble import _epoch_outcome

    assert [_epoch_outcome(r, np.ascontiguousarray(c), b) for r, c, b, _ in cases] == [case[3] for case in cases]
