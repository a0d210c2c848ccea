"""One step order: the trace's named values, the derivation and the checker all follow ``step_order``."""

from __future__ import annotations

from dataclasses import replace

import pytest

from stepgrad.check.compare import Checker, check_answers
from stepgrad.check.names import LEARNING_RATE
from stepgrad.check.recompute import Context, build_table
from stepgrad.core import train_step
from stepgrad.core.trace import Trace
from stepgrad.derivations.derivation import explain
from stepgrad.network import Layer, Network, Setup, classic_setup, value_names
from stepgrad.network.model import Regularization
from stepgrad.network.step_order import GIVEN_KINDS, TOTAL_ERROR, Slot, step_order

SETUPS = {
    "classic": classic_setup(),
    "tanh-2-hidden-per-neuron": Setup(
        network=Network(
            layers=(
                Layer(weights=[[0.3, -0.2], [0.1, 0.4], [-0.5, 0.2]], bias=[0.1, -0.2, 0.05], activation="tanh"),
                Layer(
                    weights=[[0.2, -0.3, 0.1], [0.4, 0.1, -0.2]], bias=[0.0, 0.1], activation="tanh", train_bias=False
                ),
                Layer(weights=[[0.5, -0.4], [-0.1, 0.3]], bias=[0.2, -0.1], activation="linear"),
            ),
            loss="mse",
        ),
        inputs=[[0.5, -1.0]],
        targets=[[0.25, -0.5]],
        learning_rate=0.3,
    ),
    "softmax": Setup(
        network=Network(
            layers=(
                Layer(weights=[[0.3, -0.6], [-0.1, 0.4]], bias=[0.1, 0.2], activation="sigmoid"),
                Layer(weights=[[0.7, -0.3], [0.2, 0.5], [-0.4, 0.1]], bias=[0.05], activation="softmax"),
            ),
            loss="cross_entropy",
        ),
        inputs=[[1.0, 2.0]],
        targets=[[0.0, 1.0, 0.0]],
        learning_rate=0.3,
    ),
    # L1 and L2 at once: E_reg after E_total, dE_reg/dw before each w+
    "classic-l1-l2": replace(classic_setup(), regularization=Regularization(l1=0.01, l2=0.02)),
}


def _trace(setup: Setup) -> Trace:
    return train_step(
        setup.network, setup.inputs, setup.targets, setup.learning_rate, regularization=setup.regularization
    )


def _order(setup: Setup) -> list[Slot]:
    return step_order(setup.network, regularized=bool(setup.regularization))


@pytest.mark.parametrize("net", list(SETUPS))
def test_the_trace_the_derivation_and_the_checker_follow_one_order(net: str) -> None:
    setup = SETUPS[net]
    order = _order(setup)
    names = [slot.name for slot in order]
    trace = _trace(setup)
    assert len(set(names)) == len(names)
    assert list(trace.values(0)) == names
    assert [step.name for step in explain(trace).steps] == [slot.name for slot in order if slot.shown]
    computed = [slot.name for slot in order if slot.kind not in GIVEN_KINDS]
    assert list(build_table(Context.from_trace(trace))) == computed
    checker = Checker(setup)
    ranked = sorted(checker.order, key=checker.order.__getitem__)
    assert ranked[0] == LEARNING_RATE
    assert [name for name in ranked if name in set(names)] == names
    # the earlier stages list their values in the same order
    for stage in (trace.forward.values(0), trace.backward.values(0)):
        assert list(stage) == [name for name in names if name in stage]


@pytest.mark.parametrize("net", list(SETUPS))
def test_each_value_is_worked_after_everything_it_reads(net: str) -> None:
    setup = SETUPS[net]
    trace = _trace(setup)
    place = {slot.name: index for index, slot in enumerate(_order(setup))}
    for step in explain(trace).steps:
        for operand in step.operands:
            assert operand in {"η", "λ1", "λ2"} or place[operand] < place[step.name], (step.name, operand)
    for name, rule in build_table(Context.from_trace(trace)).items():
        assert all(place[operand] < place[name] for operand in rule.inputs), name


@pytest.mark.parametrize("net", list(SETUPS))
def test_the_classic_texts_order(net: str) -> None:
    """Each ``w+`` right after its gradient (and its ``dE_reg/dw``), biases after the backward pass, the new
    errors after the new pass."""
    setup = SETUPS[net]
    names = [slot.name for slot in _order(setup)]
    for weight in _trace(setup).names.all_weights():
        terms = [value_names.gradient(weight.name)]
        terms += [value_names.penalty_gradient(weight.name)] if setup.regularization else []
        updated = names.index(value_names.updated(weight.name))
        assert names[updated - len(terms) : updated] == terms
    groups = [slot.group for slot in _order(setup)]
    assert groups == sorted(groups, key=groups.index)  # each group in one run
    outs_after = [i for i, n in enumerate(names) if n.startswith("out_") and n.endswith("+")]
    errors_after = [i for i, n in enumerate(names) if n.startswith("E_") and n.endswith("+")]
    assert max(outs_after) < min(errors_after)
    gradients_b = [i for i, n in enumerate(names) if n.startswith("dE_total/db")]
    deltas = [i for i, n in enumerate(names) if n.startswith("delta_")]
    assert max(deltas) < min(gradients_b)


def test_softmax_outputs_skip_the_jacobian_factor_the_derivation_never_needs() -> None:
    order = {slot.name: slot for slot in step_order(SETUPS["softmax"].network)}
    assert not order["dout_o1/dnet_o1"].shown
    assert order["dout_h1/dnet_h1"].shown
    assert all(slot.shown for slot in step_order(SETUPS["classic"].network) if slot.kind not in GIVEN_KINDS)


def test_answers_are_matched_by_name_whatever_order_they_are_written_in() -> None:
    """Answer files written by versions that listed every update at the end still check the same."""
    setup = SETUPS["classic"]
    checker = Checker(setup)
    answers = {name: checker.expected[name] for name in checker.asked()}
    answers["w1+"] += 0.01  # one wrong value, so the order of the report matters
    updates_last = {
        **{n: v for n, v in answers.items() if not n.endswith("+")},
        **{n: v for n, v in answers.items() if n.endswith("+")},
    }
    reports = [check_answers(dict(order), setup) for order in (answers, updates_last, reversed(answers.items()))]
    verdicts = [[(value.name, value.status) for value in report.values] for report in reports]
    assert verdicts[0] == verdicts[1] == verdicts[2]
    assert [name for name, _ in verdicts[0]] == checker.asked()
    assert {report.first_wrong for report in reports} == {"w1+"}


def test_regularization_adds_e_reg_to_the_error_and_a_term_before_each_update_and_nothing_else() -> None:
    plain, regularized = _order(SETUPS["classic"]), _order(SETUPS["classic-l1-l2"])
    added = [slot for slot in regularized if slot not in plain]
    assert [slot for slot in regularized if slot in plain] == plain
    assert added[0] == Slot("penalty", (), value_names.penalty(), TOTAL_ERROR)
    assert [regularized[regularized.index(slot) - 1].name for slot in added[:1]] == [value_names.error_total()]
    assert [slot.kind for slot in added[1:]] == ["penalty_w"] * 8
    assert {slot.name for slot in added[1:]} == {value_names.penalty_gradient(f"w{i}") for i in range(1, 9)}
    # the values: E_reg = λ1·Σ|w| + ½·λ2·Σw², dE_reg/dw5 = λ1·sign(w5) + λ2·w5
    values = _trace(SETUPS["classic-l1-l2"]).values(0)
    weights = {f"w{i}": values[f"w{i}"] for i in range(1, 9)}
    expected_penalty = 0.01 * sum(abs(w) for w in weights.values()) + 0.5 * 0.02 * sum(w * w for w in weights.values())
    assert values[value_names.penalty()] == pytest.approx(expected_penalty, rel=1e-12)
    assert values[value_names.penalty_gradient("w5")] == pytest.approx(0.01 + 0.02 * weights["w5"], rel=1e-12)
    assert value_names.penalty() not in _trace(SETUPS["classic"]).values(0)
