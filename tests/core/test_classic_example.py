"""The classic worked example: every published figure, and the published errata explained."""

import pytest

from stepgrad.core import train_step
from stepgrad.network import classic_setup

# Published figures; each must agree within one unit of its last digit.
PUBLISHED = {
    "net_h1": "0.3775",
    "out_h1": "0.593269992",
    "out_h2": "0.596884378",
    "net_o1": "1.105905967",
    "out_o1": "0.75136507",
    "out_o2": "0.772928465",
    "E_o1": "0.274811083",
    "E_o2": "0.023560026",
    "E_total": "0.298371109",
    "dE_total/dout_o1": "0.74136507",
    "dout_o1/dnet_o1": "0.186815602",
    "dE_total/dw5": "0.082167041",
    "w5+": "0.35891648",
    "w6+": "0.408666186",
    "w7+": "0.511301270",
    "w8+": "0.561370121",
    "dE_o1/dout_h1": "0.055399425",
    "dE_o2/dout_h1": "-0.019049119",
    "dE_total/dout_h1": "0.036350306",
    "dout_h1/dnet_h1": "0.241300709",
    "dE_total/dw1": "0.000438568",
    "w1+": "0.149780716",
    "w2+": "0.19956143",
    "w3+": "0.24975114",
    "w4+": "0.29950229",
}


def last_digit_unit(text: str) -> float:
    decimals = len(text.split(".")[1])
    return 10.0**-decimals


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
