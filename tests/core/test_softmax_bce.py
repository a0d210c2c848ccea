"""A softmax output scored with binary cross-entropy (PyTorch's ``Softmax`` + ``BCELoss``): each output a
probability scored on its own, its deltas through the softmax's whole Jacobian."""

from __future__ import annotations

import numpy as np
import pytest

from stepgrad.core.gradcheck import check_gradients
from stepgrad.core.step import train_step
from stepgrad.derivations.derivation import explain
from stepgrad.errors import StepgradError
from stepgrad.network import Layer, Network
from stepgrad.training import fit


def network() -> Network:
    rng = np.random.default_rng(17)
    hidden = Layer(rng.normal(0, 1, (4, 3)), rng.normal(0, 0.5, 4), "relu")
    return Network((hidden, Layer(rng.normal(0, 1, (3, 4)), rng.normal(0, 0.5, 3), "softmax")), "binary_cross_entropy")


X = np.random.default_rng(1).normal(0, 1, (6, 3))
T = np.eye(3)[[0, 1, 2, 1, 0, 2]]


def test_its_loss_is_each_output_scored_and_its_gradients_are_the_finite_differences() -> None:
    trace = train_step(network(), X, T, 0.1)
    out = trace.layers[-1].out
    per_sample = -np.sum(T * np.log(out) + (1 - T) * np.log(1 - out), axis=-1)
    assert trace.loss == pytest.approx(float(np.mean(per_sample)), rel=1e-13)
    assert check_gradients(network(), X, T).max_relative_error < 1e-7


def test_the_derivation_works_the_delta_through_the_jacobian() -> None:
    trace = train_step(network(), X[:1], T[:1], 0.1)
    steps = {step.name: step for step in explain(trace).steps}
    assert "dout_o1/dnet_o1" not in steps  # no single factor: every output depends on net_o1
    delta = steps["delta_o2"]
    assert delta.formula == (
        "delta_o2 = out_o2 · (dE_total/dout_o2 − (dE_total/dout_o1 · out_o1 + dE_total/dout_o2 · out_o2 + "
        "dE_total/dout_o3 · out_o3))"
    )
    out, dE_dout = trace.layers[-1].out[0], trace.layers[-1].dE_dout[0]
    assert delta.value == pytest.approx(out[1] * (dE_dout[1] - dE_dout @ out), rel=1e-12)
    assert delta.value == trace.layers[-1].delta[0, 1]
    names = [step.name for step in explain(trace).steps]
    assert names.index("dE_total/dout_o3") < names.index("delta_o1")  # every dE/dout before the first delta
    assert steps["dE_total/dw13"].formula == "dE_total/dw13 = delta_o1 · dnet_o1/dw13"


def test_compiled_and_numpy_training_agree() -> None:
    pytest.importorskip("numba")
    runs = [fit(network(), X, T, learning_rate=0.2, epochs=5, batch_size=2, use_compiled=c) for c in (True, False)]
    for compiled, plain in zip(runs[0].network.layers, runs[1].network.layers, strict=True):
        np.testing.assert_allclose(compiled.weights, plain.weights, rtol=1e-10, atol=1e-12)


def test_one_softmax_output_is_still_refused() -> None:
    hidden = Layer(np.ones((2, 2)), [0.0], "tanh")
    with pytest.raises(StepgradError, match="softmax needs at least 2 outputs"):
        Network((hidden, Layer(np.ones((1, 2)), [0.0], "softmax")), "binary_cross_entropy")
