"""One step order: the trace's named values, the derivation and the checker all follow ``step_order``."""

from __future__ import annotations

import pytest

from stepgrad.check.compare import Checker, check_answers
from stepgrad.check.names import LEARNING_RATE
from stepgrad.check.recompute import Context, build_table
from stepgrad.core import train_step
from stepgrad.core.trace import Trace
from stepgrad.derivations.derivation import explain
from stepgrad.network import Layer, Network, Setup, classic_setup, value_names
from stepgrad.network.step_order import GIVEN_KINDS, step_order

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
}


def _trace(setup: Setup) -> Trace:
    return train_step(setup.network, setup.inputs, setup.targets, setup.learning_rate)


@pytest.mark.parametrize("net", list(SETUPS))
def test_the_trace_the_derivation_and_the_checker_follow_one_order(net: str) -> None:
    setup = SETUPS[net]
    order = step_order(setup.network)
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
    place = {slot.name: index for index, slot in enumerate(step_order(setup.network))}
    for step in explain(trace).steps:
        for operand in step.operands:
            assert operand == "η" or place[operand] < place[step.name], (step.name, operand)
    for name, rule in build_table(Context.from_trace(trace)).items():
        assert all(place[operand] < place[name] for operand in rule.inputs), name


@pytest.mark.parametrize("net", list(SETUPS))
def test_the_classic_texts_order(net: str) -> None:
    """Each ``w+`` right after its gradient, biases after the backward pass, the new errors after the new pass."""
    setup = SETUPS[net]
    names = [slot.name for slot in step_order(setup.network)]
    for weight in _trace(setup).names.all_weights():
        assert names.index(value_names.updated(weight.name)) == names.index(value_names.gradient(weight.name)) + 1
    groups = [slot.group for slot in step_order(setup.network)]
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
