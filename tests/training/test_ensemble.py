"""Each network of an ensemble equals the same network trained alone (1e-12).

The NumPy ensemble (a leading network axis) and NumPy single runs do the same arithmetic, so
they agree over many epochs. The compiled ensemble kernel and the compiled single-network
kernels use libm's exp/tanh and sum in another order, so they differ from NumPy in the last bit;
with learning rates this large XOR training amplifies such differences over hundreds of epochs,
so those comparisons run for ten.
"""

import numpy as np
import pytest

from stepgrad.data import load_dataset
from stepgrad.training import Callback, fit, fit_ensemble, get_schedule, seeded_network
from stepgrad.training.gradients import Functions, sample_losses
from stepgrad.training.params import params_of


@pytest.mark.parametrize(
    ("optimizer", "batch_size"),
    [("sgd", None), ("momentum", 2), ("adam", 1)],
)
def test_every_member_equals_solo_training(optimizer, batch_size) -> None:
    data = load_dataset("xor")
    seeds = [3, 4, 5, 6]
    rates = [0.5, 1.0, 0.2, 2.0]
    result = fit_ensemble(
        [2, 3, 1],
        data.inputs,
        data.targets,
        seeds=seeds,
        learning_rates=rates,
        activation="tanh",
        optimizer=optimizer,
        epochs=40,
        batch_size=batch_size,
        use_compiled=False,
    )
    assert result.training.params.weights[0].shape == (4, 3, 2)  # one stacked array, not a loop
    for index, (seed, rate) in enumerate(zip(seeds, rates, strict=True)):
        solo = fit(
            seeded_network([2, 3, 1], seed, activation="tanh"),
            data.inputs,
            data.targets,
            optimizer=optimizer,
            learning_rate=rate,
            epochs=40,
            batch_size=batch_size,
            seed=seed,
            use_compiled=False,
        )
        for a, b in zip(result.network(index).layers, solo.network.layers, strict=True):
            np.testing.assert_allclose(a.weights, b.weights, rtol=0, atol=1e-12)
            np.testing.assert_allclose(a.bias, b.bias, rtol=0, atol=1e-12)
        solo_loss = np.mean(
            sample_losses(params_of(solo.network), Functions.of(solo.network), data.inputs, data.targets)
        )
        assert result.loss[index] == pytest.approx(float(solo_loss), rel=1e-9)


def test_a_diverging_member_stops_alone_and_the_others_match_solo() -> None:
    data = load_dataset("plane", n_samples=20)
    rates = [0.05, 1e6, 0.1]
    result = fit_ensemble(
        [2, 4, 1],
        data.inputs,
        data.targets,
        seeds=[1],
        learning_rates=rates,
        activation="tanh",
        output_activation="linear",
        loss="mse",
        epochs=30,
        batch_size=None,
        use_compiled=False,
    )
    assert result.diverged.tolist() == [False, True, False]
    assert np.all(np.isfinite(result.loss))
    for index in (0, 2):
        solo = fit(
            seeded_network([2, 4, 1], 1, "tanh", "linear", "mse"),
            data.inputs,
            data.targets,
            learning_rate=rates[index],
            epochs=30,
            batch_size=None,
            seed=1,
            use_compiled=False,
        )
        np.testing.assert_allclose(
            result.network(index).layers[0].weights, solo.network.layers[0].weights, rtol=0, atol=1e-12
        )


class Recorder(Callback):
    """A callback that reads the training each epoch (so epochs run one per compiled call)."""

    def __init__(self) -> None:
        self.epochs = []

    def on_epoch_end(self, training, log) -> bool:
        self.epochs.append((training.epoch, log.epoch))
        return False


@pytest.mark.parametrize(
    ("activation", "output", "loss", "bias", "batch_size"),
    [
        ("sigmoid", "sigmoid", "half_squared_error", "per_neuron", None),
        ("tanh", "sigmoid", "binary_cross_entropy", "shared", 3),
        ("relu", "linear", "mse", "none", 1),
        ("leaky_relu", "softmax", "cross_entropy", "per_neuron", 4),
    ],
)
def test_the_compiled_ensemble_equals_the_numpy_ensemble_and_solo_runs(
    activation, output, loss, bias, batch_size
) -> None:
    pytest.importorskip("numba")
    if output == "softmax":
        data = load_dataset("iris")
        data_x, data_y, sizes = data.inputs[::5], data.targets[::5], [4, 5, 3]
    else:
        data = load_dataset("circle", n_samples=24, noise=0.2, seed=1)
        data_x, data_y, sizes = data.inputs, data.targets, [2, 4, 1]
    seeds, rates = [1, 2, 3], [0.3, 0.1, 0.6]
    options = dict(
        activation=activation,
        output_activation=output,
        loss=loss,
        bias=bias,
        epochs=10,
        batch_size=batch_size,
        schedule=get_schedule("step", gamma=0.5, step_size=3),
    )
    fast = fit_ensemble(sizes, data_x, data_y, seeds=seeds, learning_rates=rates, **options)
    assert fast.training._ensemble_kernel() is not None
    one_at_a_time = fit_ensemble(
        sizes, data_x, data_y, seeds=seeds, learning_rates=rates, callbacks=[Recorder()], **options
    )
    slow = fit_ensemble(sizes, data_x, data_y, seeds=seeds, learning_rates=rates, use_compiled=False, **options)
    assert fast.training.updates == slow.training.updates == one_at_a_time.training.updates
    # how many epochs a compiled call runs does not change a bit
    for a, b in zip(fast.training.params.arrays(), one_at_a_time.training.params.arrays(), strict=True):
        np.testing.assert_array_equal(a, b)
    for a, b in zip(fast.training.params.arrays(), slow.training.params.arrays(), strict=True):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-12)
    np.testing.assert_allclose(
        [log.loss for log in fast.training.history], [log.loss for log in slow.training.history], rtol=0, atol=1e-12
    )
    for name in ("accuracy", "learning_rate", "diverged", "updates"):  # NaN where a member stopped
        np.testing.assert_array_equal(
            [getattr(log, name) for log in fast.training.history], [getattr(log, name) for log in slow.training.history]
        )
    np.testing.assert_allclose(fast.loss, slow.loss, rtol=1e-12)
    for index, (seed, rate) in enumerate(zip(seeds, rates, strict=True)):
        for use_compiled in (True, False):
            solo = fit(
                seeded_network(sizes, seed, activation, output, loss, bias),
                data_x,
                data_y,
                learning_rate=rate,
                seed=seed,
                use_compiled=use_compiled,
                **{k: v for k, v in options.items() if k in ("epochs", "batch_size", "schedule")},
            )
            for a, b in zip(fast.network(index).layers, solo.network.layers, strict=True):
                np.testing.assert_allclose(a.weights, b.weights, rtol=0, atol=1e-12)
                np.testing.assert_allclose(a.bias, b.bias, rtol=0, atol=1e-12)
            member = [log.loss[index] for log in fast.training.history]
            np.testing.assert_allclose(member[: len(solo.history.loss)], solo.history.loss, rtol=0, atol=1e-12)
            assert fast.training.kept.epoch[index] == solo.training.kept.epoch


def test_convergence_counts_on_xor() -> None:
    data = load_dataset("xor")
    result = fit_ensemble(
        [2, 2, 1], data.inputs, data.targets, seeds=50, learning_rates=1.0, epochs=500, batch_size=None
    )
    converged = result.converged()
    assert converged.dtype == bool and converged.shape == (50,)
    # those counted converged classify all four points; the others do not
    for index in range(50):
        out = result.network(index)
        from stepgrad.training import predict

        correct = bool(np.all(predict(out, data.inputs) == data.targets[:, 0]))
        assert correct == bool(converged[index])


def test_a_compiled_ensemble_with_validation_data_measures_it_after_every_epoch() -> None:
    pytest.importorskip("numba")
    data = load_dataset("circle", n_samples=40, noise=0.2, seed=1)
    held_out = load_dataset("circle", n_samples=20, noise=0.2, seed=2)
    runs = [
        fit_ensemble(
            [2, 4, 1],
            data.inputs,
            data.targets,
            seeds=3,
            learning_rates=[0.3, 0.5, 0.8],
            activation="tanh",
            epochs=6,
            batch_size=8,
            validation=(held_out.inputs, held_out.targets),
            use_compiled=use_compiled,
        )
        for use_compiled in (True, False)
    ]
    assert runs[0].training._ensemble_kernel() is not None
    fast, slow = ([log.val_loss for log in run.training.history] for run in runs)
    assert len(fast) == 6 and len(set(np.asarray(fast)[:, 0])) == 6  # measured anew after every epoch
    np.testing.assert_allclose(fast, slow, rtol=0, atol=1e-12)
