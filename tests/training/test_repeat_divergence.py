"""``repeat_steps`` on a run that diverges: the step kept, its weights, its error and its outputs are one step.

A linear neuron under mse with η = 1 multiplies its error by about 49² a step, so float64 overflows after
about a hundred steps; the error goes infinite a few steps before the weights do.
"""

from __future__ import annotations

import re

import numpy as np
import pytest

from stepgrad.network import Layer, Network, Setup
from stepgrad.training.repeat import RepeatResult, repeat_steps

WEIGHTS, BIAS = [[0.5, -0.3]], [0.1]


def _line(samples: list[list[float]], targets: list[list[float]]) -> Setup:
    return Setup(Network((Layer(WEIGHTS, BIAS, "linear"),), "mse"), samples, targets, 1.0)


def _by_hand(network: Network, x: np.ndarray, target: np.ndarray) -> tuple[np.ndarray, float, Network]:
    """out = x·wᵀ + b, E = mean (target − out)², and the network after one more step (dE/dw = mean −2(t − out)·x)."""
    layer = network.layers[0]
    with np.errstate(all="ignore"):
        out = x @ layer.weights.T + layer.bias
        error = float(np.mean((target - out) ** 2))
        delta = -2 * (target - out) / len(x)  # (n_samples, 1)
        stepped = Layer(layer.weights - delta.T @ x, layer.bias - delta.sum(axis=0), "linear")
    return out, error, Network((stepped,), "mse")


def _assert_one_step_kept(result: RepeatResult, setup: Setup) -> int:
    match = re.fullmatch(
        r"diverged in step (\d+): (.+); kept the weights of step (\d+) \(try a smaller learning rate\)",
        result.stop_reason,
    )
    assert match, result.stop_reason
    kept = int(match[3])
    assert int(match[1]) == kept + 1
    assert result.steps[-1] == kept  # the summary names the step whose weights are kept
    out, error, stepped = _by_hand(result.network, setup.inputs, setup.targets)
    assert np.isfinite(error) and all(np.all(np.isfinite(layer.weights)) for layer in result.network.layers)
    np.testing.assert_allclose(result.error, error, rtol=1e-12)
    np.testing.assert_allclose(result.outputs, out, rtol=1e-12)
    # and it is the last such step: the step after it has an infinite error (or weights)
    assert not np.isfinite(_by_hand(stepped, setup.inputs, setup.targets)[1])
    return kept


def test_two_samples_keep_the_last_step_whose_error_is_finite_and_name_it() -> None:
    setup = _line([[3.0, 4.0], [1.0, -2.0]], [[1.0], [0.0]])
    result = repeat_steps(setup, 200, every=10)
    kept = _assert_one_step_kept(result, setup)
    assert "E_total became inf" in result.stop_reason
    assert kept % 10 != 0 and result.steps[-2] == kept // 10 * 10  # recorded between two reports


@pytest.mark.parametrize("use_compiled", [True, False])
def test_one_sample_keeps_the_same_step_with_or_without_the_kernel(use_compiled: bool) -> None:
    setup = _line([[3.0, 4.0]], [[1.0]])
    result = repeat_steps(setup, 500, every=25, use_compiled=use_compiled)
    kept = _assert_one_step_kept(result, setup)
    numpy_result = repeat_steps(setup, 500, every=25, use_compiled=False)
    assert numpy_result.steps[-1] == kept


def test_every_report_and_the_kept_step_reach_the_callback() -> None:
    setup = _line([[3.0, 4.0], [1.0, -2.0]], [[1.0], [0.0]])
    reported: list[tuple[int, float]] = []
    result = repeat_steps(setup, 200, every=10, on_report=lambda step, error: reported.append((step, error)))
    assert tuple(step for step, _ in reported) == result.steps
    assert reported[-1] == (result.steps[-1], result.error)


def test_a_run_that_does_not_diverge_records_only_the_reports() -> None:
    setup = Setup(Network((Layer(WEIGHTS, BIAS, "linear"),), "mse"), [[3.0, 4.0]], [[1.0]], 0.01)
    result = repeat_steps(setup, 35, every=10)
    assert result.stop_reason == "" and result.steps == (0, 10, 20, 30, 35)
