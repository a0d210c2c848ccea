"""``explain/optimizer_steps``: one momentum/Adam update as steps whose numbers are the optimizer's."""

import math

import numpy as np
import pytest

from stepgrad.core import train_step
from stepgrad.derivations.optimizer_steps import optimizer_derivation
from stepgrad.network import classic_setup


def test_momentum_second_update_by_hand() -> None:
    setup = classic_setup()
    first = train_step(setup.network, setup.inputs, setup.targets, 0.5)
    g1 = first.values()["dE_total/dw5"]
    # after update 1: v = g1, w5 = 0.40 − 0.5·g1 (= the plain SGD step, 0.35891648)
    w5_after_1 = 0.40 - 0.5 * g1
    network = first.network_new
    g2 = train_step(network, setup.inputs, setup.targets, 0.5).values()["dE_total/dw5"]
    derivation = optimizer_derivation("momentum", momentum=0.9)
    velocity = derivation.step("v_w5+")
    assert velocity.operands["v_w5"] == pytest.approx(g1, abs=1e-15)
    assert velocity.value == pytest.approx(0.9 * g1 + g2, abs=1e-15)
    update = derivation.step("w5+")
    assert update.operands["w5"] == pytest.approx(w5_after_1, abs=1e-15)
    assert update.value == pytest.approx(w5_after_1 - 0.5 * (0.9 * g1 + g2), abs=1e-15)
    assert update.substituted(6) == "0.358916 − 0.5·0.157076"  # v_w5+ = 0.9·0.082167041 + g2
    # frozen classic biases are not updated, so they get no steps
    assert not any(step.name.startswith("b") for step in derivation.steps)
    assert derivation.values["w5+"] == update.value


def test_adam_first_update_moves_each_weight_by_about_eta() -> None:
    derivation = optimizer_derivation("adam", step=1, learning_rate=0.01)
    assert derivation.step("bias_correction1").value == pytest.approx(0.1)
    assert derivation.step("bias_correction2").value == pytest.approx(0.001)
    values = derivation.values
    for name, start in (("w1", 0.15), ("w5", 0.40), ("w8", 0.55)):
        g = values[f"dE_total/d{name}"]
        # m̂ = g and v̂ = g² on the first step, so the move is η·g/(|g| + ε) ≈ ±η
        assert values[f"mhat_{name}"] == pytest.approx(g, rel=1e-12)
        assert values[f"vhat_{name}"] == pytest.approx(g * g, rel=1e-12)
        assert values[f"{name}+"] == pytest.approx(start - 0.01 * math.copysign(1.0, g), abs=1e-6)


def test_steps_have_the_json_names_and_nesterov_and_decay_forms() -> None:
    derivation = optimizer_derivation("nesterov", weight_decay=0.1)
    names = [step.name for step in derivation.steps]
    assert names[:3] == ["g_w1", "v_w1+", "w1+"]
    assert len(names) == 8 * 3
    g = derivation.step("g_w1")
    assert g.value == pytest.approx(g.operands["dE_total/dw1"] + 0.1 * g.operands["w1"], abs=1e-16)
    w = derivation.step("w1+")
    assert w.value == pytest.approx(
        w.operands["w1"] - 0.5 * (w.operands["g_w1"] + 0.9 * w.operands["v_w1+"]), abs=1e-15
    )
    assert np.isfinite([s.value for s in derivation.steps]).all()


def test_adamw_shrinks_the_weights_before_the_adam_step_as_torch_does() -> None:
    torch = pytest.importorskip("torch")
    from stepgrad.interop.torch import to_torch

    derivation = optimizer_derivation("adamw", step=2, learning_rate=0.01, weight_decay=0.1)
    decayed = derivation.step("decayed_w5")
    assert decayed.value == pytest.approx(decayed.operands["w5"] * (1 - 0.01 * 0.1), abs=1e-16)
    assert derivation.step("w5+").operands["decayed_w5"] == decayed.value
    assert "g_w5" not in derivation.values  # decoupled: the gradient itself is not changed
    # two torch.optim.AdamW steps from the classic network give the same w5+
    setup = classic_setup()
    model = to_torch(setup.network)
    optimizer = torch.optim.AdamW([model[0].weight, model[2].weight], lr=0.01, weight_decay=0.1)
    x, t = torch.tensor(setup.inputs), torch.tensor(setup.targets)
    for _ in range(2):
        optimizer.zero_grad()
        (0.5 * ((t - model(x)) ** 2).sum()).backward()
        optimizer.step()
    assert derivation.values["w5+"] == pytest.approx(float(model[2].weight.detach()[0, 0]), abs=1e-15)
    assert derivation.values["m_w5+"] == pytest.approx(
        float(optimizer.state[model[2].weight]["exp_avg"][0, 0]), abs=1e-16
    )


def test_the_file_learning_rate_gets_a_note_for_adam_and_the_sample_is_honoured() -> None:
    noted = optimizer_derivation("adam", step=1)
    note = next(n for n in noted.notes if "Adam's usual η is 0.001" in n)
    # on the classic example each first move is almost a whole η = 0.5: w1 0.15 → −0.35
    w1 = noted.values["w1+"]
    assert w1 == pytest.approx(0.15 - 0.5 * math.copysign(1.0, noted.values["dE_total/dw1"]), abs=1e-4)
    moved = note.split("per update (")[1].split(" here)")[0]  # e.g. "w6: 0.45 → -0.0499…"
    label, numbers = moved.split(": ")
    old, new = (float(v) for v in numbers.split(" → "))
    assert old == pytest.approx(
        classic_setup().network.layers[int(label[1:]) > 4].weights.ravel()[(int(label[1:]) - 1) % 4], abs=1e-6
    )
    assert abs(new - old) == pytest.approx(0.5, abs=1e-3)
    assert not any("usual η" in n for n in optimizer_derivation("adam", step=1, learning_rate=0.001).notes)
    from stepgrad.network import Setup

    classic = classic_setup()
    two = Setup(classic.network, np.array([[0.05, 0.10], [1.0, -1.0]]), np.array([[0.01, 0.99], [0.5, 0.5]]), 0.5)
    second = optimizer_derivation("momentum", setup=two, sample=1)
    alone = optimizer_derivation("momentum", setup=Setup(classic.network, two.inputs[1:], two.targets[1:], 0.5))
    assert second.values["w5+"] == alone.values["w5+"]
    assert second.values["w5+"] != optimizer_derivation("momentum", setup=two).values["w5+"]
    assert any("Sample 2 of 2" in n for n in second.notes)
