"""The classic worked example: every published figure, and the published errata explained."""

import pytest

from stepgrad.core import train_step
from stepgrad.network import classic_setup
from support.published import PUBLISHED, last_digit_unit


@pytest.fixture(scope="module")
def values() -> dict[str, float]:
    setup = classic_setup()
    return train_step(setup.network, setup.inputs, setup.targets, setup.learning_rate).values()


@pytest.mark.parametrize("name", PUBLISHED)
def test_published_figure(values: dict[str, float], name: str) -> None:
    published = PUBLISHED[name]
    assert values[name] == pytest.approx(float(published), abs=last_digit_unit(published))


def test_error_after_one_update_is_exact_not_the_published_erratum(values: dict[str, float]) -> None:
    assert values["E_total+"] == pytest.approx(0.291027774, abs=1e-9)
    assert abs(values["E_total+"] - 0.291027924) > 1e-7


def test_published_error_comes_from_updated_output_weights() -> None:
    setup = classic_setup()
    trace = train_step(setup.network, setup.inputs, setup.targets, 0.5, hidden_deltas_from="updated")
    assert trace.values()["E_total+"] == pytest.approx(0.291027924, abs=1e-9)
    # The mistake changes only the hidden layer: the output weights' update is the same.
    assert trace.values()["w5+"] == pytest.approx(0.35891648, abs=1e-8)
    assert trace.values()["w1+"] != pytest.approx(0.149780716, abs=1e-9)


def test_update_uses_original_weights_for_hidden_deltas(values: dict[str, float]) -> None:
    # dE_o1/dout_h1 = delta_o1 · w5 with w5 = 0.40, not w5+.
    assert values["dE_o1/dout_h1"] == pytest.approx(values["delta_o1"] * 0.40, rel=1e-15)


def test_frozen_biases_do_not_move() -> None:
    setup = classic_setup()
    trace = train_step(setup.network, setup.inputs, setup.targets, 0.5)
    assert "b1+" not in trace.values()
    assert trace.network_new.layers[0].bias.tolist() == [0.35]
    assert trace.values()["dE_total/db1"] == pytest.approx(
        trace.values()["delta_h1"] + trace.values()["delta_h2"], rel=1e-15
    )


def test_ten_thousand_updates_exact_and_errata() -> None:
    setup = classic_setup()
    errors = {}
    for mode in ("original", "updated"):
        network = setup.network
        history = []
        for _ in range(10_000):
            trace = train_step(network, setup.inputs, setup.targets, 0.5, hidden_deltas_from=mode)
            history.append(trace)
            network = trace.network_new
        errors[mode] = history
    exact = errors["original"]
    assert exact[-1].loss_new == pytest.approx(3.5102e-05, abs=5e-10)
    assert exact[-1].loss_new == pytest.approx(0.0000351019, abs=1e-10)
    assert exact[-1].out_new[0].tolist() == pytest.approx([0.0159136, 0.9840643], abs=1e-7)
    # The published 0.0000351085 is the correct algorithm after 9,999 updates.
    assert exact[-2].loss_new == pytest.approx(0.0000351085, abs=1e-10)
    mistaken = errors["updated"]
    assert mistaken[-1].out_new[0].tolist() == pytest.approx([0.015912196, 0.984065734], abs=1e-9)
