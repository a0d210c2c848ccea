"""What ``fit`` accepts: 1-D targets, checked numbers and hyper-parameters, one prediction convention."""

import numpy as np
import pytest

from stepgrad.data import load_dataset
from stepgrad.errors import StepgradError
from stepgrad.training import create_network, fit, get_schedule, predict, predict_proba

XOR = load_dataset("xor")


def _xor_net():
    return create_network([2, 4, 1], "tanh", "sigmoid", "binary_cross_entropy", rng=np.random.default_rng(0))


def test_one_dimensional_targets_for_one_output_are_a_column() -> None:
    column = fit(_xor_net(), XOR.inputs, XOR.targets, epochs=3, batch_size=None)
    for y in ([0, 1, 1, 0], np.array([0.0, 1.0, 1.0, 0.0])):
        flat = fit(_xor_net(), XOR.inputs, y, epochs=3, batch_size=None)
        assert flat.history.loss == column.history.loss
        np.testing.assert_array_equal(flat.network.layers[0].weights, column.network.layers[0].weights)


def test_class_indices_for_a_softmax_output_are_one_hot_encoded() -> None:
    iris = load_dataset("iris")
    network = create_network([4, 5, 3], "tanh", loss="cross_entropy", rng=np.random.default_rng(0))
    indices = np.argmax(iris.targets, axis=1)
    a = fit(network, iris.inputs, indices, epochs=2, batch_size=16)
    b = fit(network, iris.inputs, iris.targets, epochs=2, batch_size=16)
    assert a.history.loss == b.history.loss
    with pytest.raises(StepgradError, match="must be class indices 0 … 2"):
        fit(network, iris.inputs, indices + 1, epochs=1)
    with pytest.raises(StepgradError, match=r"give targets of shape \(n, 2\)"):
        fit(create_network([2, 2], "sigmoid"), XOR.inputs, [0, 1, 1, 0], epochs=1)


@pytest.mark.parametrize(
    ("inputs", "targets", "options", "message"),
    [
        ([[np.nan, 1.0]] * 4, XOR.targets, {}, "the inputs contain NaN or infinite values"),
        (XOR.inputs, [0, 1, np.inf, 0], {}, "the targets contain NaN or infinite values"),
        (XOR.inputs, [0, 1, 1], {}, "4 input rows but 3 target rows"),
        (XOR.inputs, XOR.targets, {"learning_rate": -1.0}, "the learning rate must be a positive finite number"),
        (XOR.inputs, XOR.targets, {"learning_rate": float("inf")}, "the learning rate must be a positive finite"),
        (XOR.inputs, XOR.targets, {"epochs": 0}, "epochs must be a whole number of at least 1"),
        (XOR.inputs, XOR.targets, {"batch_size": 0}, "batch size must be a whole number of at least 1"),
        (XOR.inputs, XOR.targets, {"weight_decay": -0.1}, "weight decay must be a finite number ≥ 0"),
        (XOR.inputs, XOR.targets, {"optimizer": "adam", "momentum": 0.5}, "momentum applies to the momentum"),
        (XOR.inputs, XOR.targets, {"optimizer": "momentum", "momentum": 1.0}, r"momentum μ must be in \[0, 1\)"),
        (
            XOR.inputs,
            XOR.targets,
            {"validation_split": 0.5, "validation": (XOR.inputs, XOR.targets)},
            "either validation_split or validation data, not both",
        ),
        (XOR.inputs, XOR.targets, {"early_stopping": 0}, "patience of at least 1"),
    ],
)
def test_bad_inputs_and_settings_are_one_clear_error(inputs, targets, options, message) -> None:
    with pytest.raises(StepgradError, match=message):
        fit(_xor_net(), inputs, targets, **{"epochs": 2, **options})


def test_step_schedule_gamma_and_step_size_reach_fit() -> None:
    result = fit(
        _xor_net(),
        XOR.inputs,
        XOR.targets,
        learning_rate=0.8,
        epochs=7,
        batch_size=None,
        schedule=get_schedule("step", gamma=0.25, step_size=3),
    )
    assert result.history.learning_rate == [0.8] * 3 + [0.2] * 3 + [0.05]
    with pytest.raises(StepgradError, match="gamma must be a positive finite number"):
        get_schedule("step", gamma=0.0)
    with pytest.raises(StepgradError, match="step size must be a whole number"):
        get_schedule("step", step_size=0)
    with pytest.raises(StepgradError, match="unknown schedule option"):
        get_schedule("step", decay=0.1)


def test_predict_gives_class_labels_for_every_classifier_and_outputs_for_regression() -> None:
    x = np.random.default_rng(0).normal(size=(5, 2))
    sigmoid = create_network([2, 3, 1], "tanh", "sigmoid", "binary_cross_entropy", rng=np.random.default_rng(1))
    softmax = create_network([2, 3, 4], "tanh", loss="cross_entropy", rng=np.random.default_rng(1))
    labels_1 = predict(sigmoid, x)
    labels_k = predict(softmax, x)
    assert labels_1.shape == labels_k.shape == (5,)
    assert labels_1.dtype.kind == labels_k.dtype.kind == "i"
    np.testing.assert_array_equal(labels_1, (predict_proba(sigmoid, x)[:, 0] > 0.5).astype(int))
    np.testing.assert_array_equal(labels_k, np.argmax(predict_proba(softmax, x), axis=1))
    assert predict_proba(softmax, x).shape == (5, 4) and predict_proba(sigmoid, x).shape == (5, 1)
    regression = create_network([2, 3, 2], "tanh", "linear", "mse", rng=np.random.default_rng(1))
    np.testing.assert_array_equal(predict(regression, x), predict_proba(regression, x))
    assert predict(sigmoid, [0.5, -0.5]).shape == (1,)  # one sample as a flat list


@pytest.mark.parametrize(
    ("sizes", "output", "loss", "message"),
    [
        (
            [2, 3, 1],
            "tanh",
            "binary_cross_entropy",
            "binary_cross_entropy needs a sigmoid output layer, this one is tanh$",
        ),
        (
            [2, 3, 3],
            "sigmoid",
            "cross_entropy",
            r"cross_entropy needs a softmax output layer, this one is sigmoid "
            r"\(for sigmoid outputs use binary_cross_entropy\)",
        ),
        ([2, 3, 1], "softmax", "cross_entropy", "softmax needs at least 2 outputs"),
        (
            [2, 3, 2],
            "softmax",
            "mse",
            'softmax needs loss = "cross_entropy" \\(or "binary_cross_entropy"\\), the network has \'mse\'',
        ),
    ],
)
def test_create_network_refuses_output_and_loss_that_do_not_pair(sizes, output, loss, message) -> None:
    with pytest.raises(StepgradError, match=message):
        create_network(sizes, "tanh", output, loss)


def test_the_loss_chooses_its_output_activation_when_none_is_given() -> None:
    assert create_network([2, 3, 1], "tanh", loss="binary_cross_entropy").layers[-1].activation == "sigmoid"
    assert create_network([2, 3, 3], "relu", loss="cross_entropy").layers[-1].activation == "softmax"
    assert create_network([2, 3, 1], "relu", loss="mse").layers[-1].activation == "relu"


@pytest.mark.parametrize("seed", [-1, 2**32, 1.5, "3", True])
def test_seeds_are_whole_numbers_from_0_to_2_to_the_32_minus_1_everywhere(seed) -> None:
    from stepgrad.training import fit_ensemble, split_validation

    message = r"the seed must be a whole number from 0 to 4294967295 \(2\*\*32 − 1\), got "
    with pytest.raises(StepgradError, match=message):
        fit(_xor_net(), XOR.inputs, XOR.targets, epochs=1, batch_size=None, seed=seed)
    with pytest.raises(StepgradError, match=message):
        fit_ensemble([2, 2, 1], XOR.inputs, XOR.targets, seeds=[0, seed], epochs=1)
    with pytest.raises(StepgradError, match=message):
        load_dataset("circle", seed=seed)
    with pytest.raises(StepgradError, match=message):
        split_validation(XOR.inputs, XOR.targets, 0.5, seed=seed)


def test_the_largest_seed_and_numpy_integers_are_seeds() -> None:
    largest = fit(_xor_net(), XOR.inputs, XOR.targets, epochs=2, batch_size=1, seed=2**32 - 1)
    again = fit(_xor_net(), XOR.inputs, XOR.targets, epochs=2, batch_size=1, seed=np.uint32(2**32 - 1))
    other = fit(_xor_net(), XOR.inputs, XOR.targets, epochs=2, batch_size=1, seed=0)
    assert largest.history.loss == again.history.loss != other.history.loss  # the seed orders the samples
    assert load_dataset("gauss", seed=np.int64(7)).inputs.shape == (200, 2)


def test_generated_sets_have_at_most_100000_points() -> None:
    from stepgrad.data import MAX_GENERATED_SAMPLES

    assert load_dataset("plane", n_samples=MAX_GENERATED_SAMPLES).n_samples == 100_000
    with pytest.raises(StepgradError, match="at most 100,000, got 100,001"):
        load_dataset("plane", n_samples=100_001)
