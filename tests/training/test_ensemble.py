"""Each network of an ensemble equals the same network trained alone (1e-12).

Alone, plain SGD would take the compiled path, whose arithmetic differs from NumPy's in the
last bit (libm vs NumPy's vectorised exp/tanh); ``test_compiled_path`` checks that those agree.
Here the single runs take the NumPy path, so both sides do the same arithmetic.
"""

import numpy as np
import pytest

from stepgrad.data import load_dataset
from stepgrad.training import fit, fit_ensemble, seeded_network
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
