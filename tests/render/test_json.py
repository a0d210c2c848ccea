"""The JSON renderer: parses, every DESIGN.md name at full float64 precision, steps as data."""

from __future__ import annotations

import json

import pytest

from stepgrad.derivations.derivation import explain_setup
from stepgrad.derivations.step import Derivation
from stepgrad.network import classic_setup
from stepgrad.render.json_format import render_json

# The vocabulary of ../shared/DESIGN.md, as the classic example names it.
DESIGN_NAMES = [
    "i1",
    "i2",
    "w1",
    "w2",
    "w3",
    "w4",
    "w5",
    "w6",
    "w7",
    "w8",
    "b1",
    "b2",
    "net_h1",
    "out_h1",
    "net_o1",
    "out_o1",
    "E_o1",
    "E_o2",
    "E_total",
    "dE_total/dout_o1",
    "dout_o1/dnet_o1",
    "dnet_o1/dw5",
    "dE_total/dw5",
    "delta_o1",
    "dE_o1/dout_h1",
    "dE_total/dout_h1",
    "dout_h1/dnet_h1",
    "dnet_h1/dw1",
    "delta_h1",
    "dE_total/dw1",
    "dE_total/db1",
    "w5+",
    "w1+",
    "E_total+",
]


@pytest.fixture(scope="module")
def classic() -> Derivation:
    return explain_setup(classic_setup())


def test_parses_with_every_design_name_exactly(classic: Derivation) -> None:
    document = json.loads(render_json(classic))
    values = classic.trace.values(0)
    for name in DESIGN_NAMES:
        assert document["values"][name] == values[name], name  # repr round-trips float64 exactly
    assert document["values"]["E_total+"] == pytest.approx(0.291027774, abs=1e-9)
    assert set(document["values"]) == set(values)


def test_steps_in_order_with_their_fields(classic: Derivation) -> None:
    document = json.loads(render_json(classic, precision=6))
    assert [step["name"] for step in document["steps"]] == [step.name for step in classic.steps]
    first = document["steps"][0]
    assert first["name"] == "net_h1"
    assert first["section"] == "Forward pass"
    assert first["formula"] == "net_h1 = w1·i1 + w2·i2 + b1·1"
    assert first["substituted"] == "0.15·0.05 + 0.2·0.1 + 0.35·1"
    assert first["value"] == classic.values["net_h1"]
    w5 = next(step for step in document["steps"] if step["name"] == "dE_total/dw5")
    assert w5["substituted"] == "0.741365 · 0.186816 · 0.59327"
    assert "w5" in w5["involves"]


def test_network_and_settings(classic: Derivation) -> None:
    document = json.loads(render_json(classic))
    assert document["network"]["layer"][1]["weights"] == [[0.4, 0.45], [0.5, 0.55]]
    assert document["learning_rate"] == 0.5
    assert document["hidden_deltas_from"] == "original"
