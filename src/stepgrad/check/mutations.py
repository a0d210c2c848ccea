"""The search space of the diagnosis: small changes to one step's formula, by the kind of step.

Every step of the derivation is a ``StepRule`` (``stepgrad.check.recompute``). A mistake is a
small change to one of them: a factor left out or taken twice, a neighbouring weight, the net
input where the output belongs, a sign. ``mutations(ctx, slot, rule)`` lists the changes that
make sense for one step of any network, each a ``Mutation`` named by its mistake
(``stepgrad.check.mistakes``) and a ``label`` that is the same for the same change on every
neuron ("net·(1 − net)"), so that a mistake made consistently through a layer can be applied to
the whole layer at once (``stepgrad.check.search``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace

import numpy as np

from stepgrad.check.recompute import Context, Slot, StepRule, named_formula
from stepgrad.network import value_names

Indices = tuple[int, ...]
#: ``(mistake, label, changed rule)`` of each change a step can undergo.
Changes = Iterator[tuple[str, str, StepRule]]


@dataclass(frozen=True)
class Mutation:
    """One step's formula, changed by one mistake.

    Attributes:
        mistake: the mistake's name in ``stepgrad.check.mistakes.MISTAKES``.
        label: the change, said the same way for every neuron (``net·(1 − net)``, ``w_kj+``).
        rule: the changed step.
        layer: the layer the step belongs to (None for steps of the whole network, e.g. ``E_total``).
    """

    mistake: str
    label: str
    rule: StepRule
    layer: int | None


def changed(rule: StepRule, evaluate: Callable[[Sequence[float]], float], formula: str, inputs=None) -> StepRule:
    """``rule`` with a new formula (and inputs)."""
    return replace(rule, evaluate=evaluate, formula=formula, inputs=rule.inputs if inputs is None else inputs)


def _negated(rule: StepRule) -> StepRule:
    text = rule.formula
    flipped = text[2:-1] if text.startswith("−(") and text.endswith(")") and text.count("(") == 1 else f"−({text})"
    return changed(rule, lambda x: -rule.evaluate(x), flipped)


def _scaled(rule: StepRule, factor: float, word: str) -> StepRule:
    return changed(rule, lambda x: factor * rule.evaluate(x), f"{word}·({rule.formula})")


# ---------------------------------------------------------------- forward pass
def _net(ctx: Context, at: Indices, rule: StepRule) -> Changes:
    """``net_j = Σ_i w_ji·a_i + b``: the bias left out or added twice; the weight matrix read transposed."""
    layer, j = at
    after = "+" if rule.name.endswith("+") else ""
    n = len(ctx.names.weights[layer][j])
    weights, sources = rule.inputs[:n], rule.inputs[n : 2 * n]
    bias = rule.inputs[2 * n] if len(rule.inputs) > 2 * n else None
    terms = " + ".join(f"{w}·{s}" for w, s in zip(weights, sources, strict=True))
    if bias is not None:
        yield "bias_left_out", "no bias", changed(rule, lambda x: float(np.dot(x[:n], x[n : 2 * n])), terms)
        yield (
            "bias_added_twice",
            "bias twice",
            changed(rule, lambda x: rule.evaluate(x) + x[2 * n], f"{terms} + 2·{bias}"),
        )
    rows = ctx.names.weights[layer]
    if len(rows) >= n and j < len(rows[0]) and len(rows) > 1:
        # W read as (n_in, n_out): net_j = Σ_i w_ij·a_i (w3 where w2 belongs in the classic net_h1)
        mirrored = tuple(f"{rows[i][j]}{after}" for i in range(n))
        if mirrored != weights:
            text = " + ".join(f"{w}·{s}" for w, s in zip(mirrored, sources, strict=True)) + (
                f" + {bias}" if bias else ""
            )
            inputs = (*mirrored, *sources, *((bias,) if bias else ()))
            yield "weights_transposed", "W transposed", changed(rule, rule.evaluate, text, inputs)


def _out(ctx: Context, at: Indices, rule: StepRule) -> Changes:
    """``out_j = f(net_j)``: the sigmoid with e^(+net); the activation forgotten (out = net)."""
    layer = at[0]
    activation = ctx.activation(layer)
    if not activation.elementwise:
        return
    net = rule.inputs[0]
    if activation.name == "sigmoid":
        flipped = changed(rule, lambda x: rule.evaluate([-x[0]]), f"1 / (1 + e^(+{net}))")
        yield "sigmoid_exponent_sign", "e^(+net)", flipped
    if activation.name != "linear":
        yield "activation_forgotten", "out = net", changed(rule, lambda x: x[0], net)


# ---------------------------------------------------------------- errors
def _error(ctx: Context, at: Indices, rule: StepRule) -> Changes:
    """The wrong scalings of ``E`` people write for this loss (``Loss.error_mistakes``: 2·E, ½·E)."""
    for mistake, written, factor in ctx.loss.error_mistakes:
        yield mistake, f"{written}·E", _scaled(rule, factor, written)


def _error_total(ctx: Context, at: Indices, rule: StepRule) -> Changes:
    count = len(rule.inputs)
    if count > 1:
        text = f"({rule.formula}) / {count}"
        yield "error_mean", "mean", changed(rule, lambda x: float(sum(x)) / count, text)


def _output_dE_dout(ctx: Context, at: Indices, rule: StepRule) -> Changes:
    yield "sign_flipped", "−dE/dout", _negated(rule)
    yield from _error(ctx, at, rule)


# ---------------------------------------------------------------- activation derivatives
def _dout_dnet(ctx: Context, at: Indices, rule: StepRule) -> Changes:
    """``dout/dnet`` from (net, out): at net instead of out, at out again, another activation's, another
    neuron's."""
    layer, j = at
    activation = ctx.activation(layer)
    neuron = ctx.neuron(layer, j)
    derivative = activation.derivative

    def slope(net: float, out: float) -> float:
        return float(derivative(np.array([net]), np.array([out]))[0])

    form = activation.derivative_formula
    if activation.elementwise:
        yield (
            "derivative_of_net",
            "f'(out → net)",
            changed(rule, lambda x: slope(x[0], x[0]), named_formula(form.replace("out", "net"), neuron)),
        )
        again = f"f'(f({rule.inputs[1]}))"
        yield (
            "derivative_of_out_again",
            "f'(out)",
            changed(rule, lambda x: slope(x[1], float(activation.value(np.array([x[1]]))[0])), again),
        )
        for mistake, formula, wrong in activation.derivative_mistakes:
            yield mistake, formula, changed(rule, _of_net_and_out(wrong), named_formula(formula, neuron))
    # labels say where the other neuron is from this one, so the same habit reads the same on every neuron
    above = ctx.names.neurons[layer + 1] if layer + 1 < len(ctx.names.neurons) else []
    others = [(f"neuron {index - j:+d}", other) for index, other in enumerate(ctx.names.neurons[layer])]
    others += [(f"next layer's neuron {index + 1}", other) for index, other in enumerate(above)]
    for label, other in others:
        if other != neuron:
            inputs = (value_names.net(other), value_names.out(other))
            yield "derivative_wrong_neuron", label, changed(rule, rule.evaluate, named_formula(form, other), inputs)


def _of_net_and_out(form: Callable[[float, float], float]) -> Callable[[Sequence[float]], float]:
    """A derivative form of ``(net, out)`` as a step's ``evaluate`` of its inputs ``(net, out)``."""
    return lambda x: form(x[0], x[1])


def _delta(rule: StepRule, neuron: str) -> Iterator[tuple[str, str, StepRule]]:
    """``delta = dE/dout · dout/dnet``: the derivative factor left out, taken twice, or another neuron's."""
    if len(rule.inputs) != 2 or not rule.inputs[1].startswith("dout_"):
        return
    dE, d = rule.inputs
    yield "derivative_omitted", "no dout/dnet", changed(rule, lambda x: x[0], dE, (dE,))
    yield "derivative_twice", "dout/dnet twice", changed(rule, lambda x: x[0] * x[1] * x[1], f"{dE} · ({d})²")


def _output_delta(ctx: Context, at: Indices, rule: StepRule) -> Changes:
    """The output delta: the delta's own changes; the sign of the paired form; softmax taken as logistic."""
    (k,) = at
    neuron = ctx.outputs[k]
    yield from _delta(rule, neuron)
    if rule.inputs[0].startswith("out_"):
        # the paired form out − target (softmax + cross-entropy, sigmoid + binary cross-entropy)
        yield "sign_flipped", "−dE/dout", _negated(rule)
    if ctx.network.layers[-1].activation == "softmax" and ctx.loss.name == "cross_entropy":
        out, target, grad = value_names.out(neuron), value_names.target(neuron), value_names.dE_dout(neuron)
        yield (
            "softmax_as_logistic",
            "dE/dout·out(1 − out)",
            changed(rule, lambda x: x[0] * x[1] * (1.0 - x[1]), f"{grad} · {out}·(1 − {out})", (grad, out)),
        )
        yield (
            "softmax_as_logistic",
            "(out − t)·out(1 − out)",
            changed(
                rule,
                lambda x: (x[0] - x[1]) * x[0] * (1.0 - x[0]),
                f"({out} − {target})·{out}·(1 − {out})",
                (out, target),
            ),
        )


def _hidden_delta(ctx: Context, at: Indices, rule: StepRule) -> Changes:
    """A hidden delta: the delta's own changes; the derivative of a neuron of the next layer."""
    layer, j = at
    neuron = ctx.neuron(layer, j)
    yield from _delta(rule, neuron)
    # the derivative of a neuron of the next layer
    for upper in ctx.names.neurons[layer + 1]:
        d = value_names.dout_dnet(upper)
        inputs = (rule.inputs[0], d)
        yield (
            "derivative_wrong_neuron",
            f"of next {upper}",
            changed(rule, rule.evaluate, f"{rule.inputs[0]} · {d}", inputs),
        )


# ---------------------------------------------------------------- what a hidden neuron is sent back
def _contribution(ctx: Context, at: Indices, rule: StepRule) -> Changes:
    """``dE_k/dout_j = delta_k · w_kj``: another weight, the updated weight, dE/dout_k instead of delta_k, no
    weight at all."""
    layer, k, j = at
    delta, weight = rule.inputs
    upper = ctx.neuron(layer + 1, k)
    rows = ctx.names.weights[layer + 1]

    def along(other: str, mistake: str, label: str) -> tuple[str, str, StepRule]:
        return mistake, label, changed(rule, rule.evaluate, f"{delta} · {other}", (delta, other))

    if j < len(rows) and k < len(rows[0]) and rows[j][k] != weight:
        yield along(rows[j][k], "weights_transposed", "w_jk")
    for label, (row, column) in (("w_k,j+1", (k, (j + 1) % len(rows[0]))), ("w_k+1,j", ((k + 1) % len(rows), j))):
        if rows[row][column] != weight:
            yield along(rows[row][column], "wrong_weight_index", label)
    yield along(f"{weight}+", "updated_output_weights", "w+")
    grad = value_names.dE_dout(upper)
    yield "dE_dout_passed_back", "dE/dout_k·w", changed(rule, rule.evaluate, f"{grad} · {weight}", (grad, weight))
    yield "sum_without_weights", "delta_k", changed(rule, lambda x: x[0], delta, (delta,))


def _hidden_dE_dout(ctx: Context, at: Indices, rule: StepRule) -> Changes:
    """``dE_total/dout_j = Σ_k dE_k/dout_j``: one term alone, or one term left out."""
    terms = rule.inputs
    if len(terms) < 2:
        return
    for index, term in enumerate(terms):
        yield "one_output_only", f"term {index + 1} only", changed(rule, lambda x: x[0], term, (term,))
        if len(terms) > 2:
            rest = tuple(t for t in terms if t != term)
            yield (
                "one_output_only",
                f"term {index + 1} left out",
                changed(rule, lambda x: float(sum(x)), " + ".join(rest), rest),
            )


# ---------------------------------------------------------------- gradients and updates
def _dnet_dw(ctx: Context, at: Indices, rule: StepRule) -> Changes:
    """``dnet_j/dw_ji = a_i``: the neuron's own output, a value of the wrong layer, the net input."""
    layer, j, i = at
    own = value_names.out(ctx.neuron(layer, j))
    if not (layer == 0 and i == j and len(ctx.network.layers) > 1):  # then it is the wrong layer's value below
        yield "gradient_own_output", "out_j", changed(rule, lambda x: x[0], own, (own,))
    if layer == 0:
        hidden = ctx.names.neurons[0]
        if i < len(hidden) and len(ctx.network.layers) > 1:
            yield (
                "wrong_layer_input",
                "out of layer 1",
                changed(rule, lambda x: x[0], value_names.out(hidden[i]), (value_names.out(hidden[i]),)),
            )
    else:
        below = ctx.source(layer - 1, i) if i < len(ctx.names.sources(layer - 1)) else None
        if below is not None:
            yield "wrong_layer_input", "a of layer − 1", changed(rule, lambda x: x[0], below, (below,))
        net = value_names.net(ctx.names.neurons[layer - 1][i])
        yield "net_instead_of_out", "net_i", changed(rule, lambda x: x[0], net, (net,))


def _grad_w(ctx: Context, at: Indices, rule: StepRule) -> Changes:
    """``dE/dw = delta_j · a_i``: dE/dout_j in place of delta_j (the derivative left out)."""
    layer, j = at[:2]
    neuron = ctx.neuron(layer, j)
    grad, slope = value_names.dE_dout(neuron), value_names.dout_dnet(neuron)
    text = f"{grad} · {rule.inputs[1]}"
    yield "derivative_omitted", "dE/dout·a", changed(rule, rule.evaluate, text, (grad, rule.inputs[1]))
    # delta already holds dout/dnet: multiplying by it again in the chain rule
    inputs = (*rule.inputs, slope)
    text = f"{rule.inputs[0]} · {slope} · {rule.inputs[1]}"
    yield "derivative_twice", "delta·f'·a", changed(rule, lambda x: x[0] * x[1] * x[2], text, inputs)


def _grad_b(ctx: Context, at: Indices, rule: StepRule) -> Changes:
    """A shared bias: ``dE/db = Σ_j delta_j``; one delta alone."""
    if len(rule.inputs) < 2:
        return
    for index, delta in enumerate(rule.inputs):
        yield "one_output_only", f"delta {index + 1} only", changed(rule, lambda x: x[0], delta, (delta,))


NICE_RATES = (1.0, 0.1, 0.05, 0.25, 0.01, 2.0, 0.5, 0.2, 0.001)


def _update(ctx: Context, at: Indices, rule: StepRule) -> Changes:
    """``p+ = p − η·dE/dp``: the gradient added; another learning rate; a regularized weight's term
    ``dE_reg/dw`` left out (``p − η·dE/dp``)."""
    eta = ctx.learning_rate
    parameter, step = rule.inputs[0], _step_text(rule)
    added = changed(rule, lambda x: x[0] + eta * sum(x[1:]), f"{parameter} + η·{step}")
    yield "gradient_added", "+η·g", added
    for rate in NICE_RATES:
        if rate != eta:
            yield learning_rate_mutation(rule, rate)
    if len(rule.inputs) == 3:
        grad = rule.inputs[1]
        plain = changed(rule, lambda x: x[0] - eta * x[1], f"{parameter} − η·{grad}", (parameter, grad))
        yield "regularization_forgotten", "no dE_reg/dw", plain


def _step_text(rule: StepRule) -> str:
    """``dE_total/dw5``, or ``(dE_total/dw5 + dE_reg/dw5)`` for a regularized weight's update."""
    return rule.inputs[1] if len(rule.inputs) == 2 else f"({' + '.join(rule.inputs[1:])})"


def learning_rate_mutation(rule: StepRule, rate: float) -> tuple[str, str, StepRule]:
    """``p+ = p − rate·dE/dp``: the learning rate forgotten (rate 1) or another one."""
    parameter, step = rule.inputs[0], _step_text(rule)
    mistake = "learning_rate_forgotten" if rate == 1.0 else "learning_rate_wrong"
    text = f"{parameter} − {step}" if rate == 1.0 else f"{parameter} − {rate:g}·{step}"
    return mistake, f"η = {rate:g}", changed(rule, lambda x: x[0] - rate * sum(x[1:]), text)


def _unchanged(ctx: Context, at: Indices, rule: StepRule) -> Changes:
    """Steps with no known mistake of their own (the regularization terms)."""
    yield from ()


def mutations(ctx: Context, slot: Slot, rule: StepRule) -> list[Mutation]:
    """Every change of one step that a known mistake makes."""
    field, indices = slot
    layer: int | None = indices[0] if field in _LAYERED else None
    if field in ("output_dE_dout", "output_delta"):
        layer = len(ctx.network.layers) - 1
    return [Mutation(mistake, label, wrong, layer) for mistake, label, wrong in BY_KIND[field](ctx, indices, rule)]


_LAYERED: tuple[str, ...] = ("net", "out", "net_new", "out_new", "dout_dnet", "contribution", "hidden_dE_dout")
_LAYERED += ("hidden_delta", "dnet_dw", "grad_w", "grad_b", "update_w", "update_b")

#: The changes of each kind of step (a ``Rules`` field of ``stepgrad.check.recompute``).
BY_KIND: dict[str, Callable[[Context, Indices, StepRule], Changes]] = {
    "net": _net,
    "net_new": _net,
    "out": _out,
    "out_new": _out,
    "error": _error,
    "error_new": _error,
    "error_total": _error_total,
    "error_total_new": _error_total,
    "output_dE_dout": _output_dE_dout,
    "dout_dnet": _dout_dnet,
    "output_delta": _output_delta,
    "hidden_delta": _hidden_delta,
    "contribution": _contribution,
    "hidden_dE_dout": _hidden_dE_dout,
    "dnet_dw": _dnet_dw,
    "grad_w": _grad_w,
    "grad_b": _grad_b,
    "update_w": _update,
    "update_b": _update,
    "penalty": _unchanged,
    "penalty_w": _unchanged,
}
