"""Every step of a training step as a rule on named values: ``name ← f(inputs)``, once.

The expected values always come from the core's ``Trace``. This table exists for
the two things the trace cannot do: recompute a step from the *learner's own*
earlier values ("follows from your earlier error", rounding), and recompute it
under a *wrong* rule (the diagnosis). Both use the same rules: a mistake is
these rules with one ``Rules`` field swapped (see ``stepgrad.check.mistakes``).

A ``StepRule`` reads scalars by name, e.g. ``net_h1 ← w1·i1 + w2·i2 + b1`` has
inputs ``(w1, w2, i1, i2, b1)``. The functions and their derivatives come from
the registries of ``stepgrad.functions``. The forward pass after the update is the
same ``net``/``out`` rules on the updated parameters (``net_h1+``, ``out_o1+``).
``stepgrad.check.world`` evaluates a table on a learner's values.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from stepgrad.core.propagation import penalty, penalty_gradient
from stepgrad.core.trace import Trace
from stepgrad.functions import Activation, Loss, get_activation, get_loss
from stepgrad.functions.formula_text import fill
from stepgrad.network import value_names
from stepgrad.network.model import NO_REGULARIZATION, Network, Regularization
from stepgrad.network.naming import Names
from stepgrad.network.step_order import GIVEN_KINDS, step_order

Evaluate = Callable[[Sequence[float]], float]


@dataclass(frozen=True)
class StepRule:
    """How one named value is computed from others.

    Attributes:
        name: the value computed (``delta_o1``).
        kind: which ``Rules`` field built it (``output_delta``); mistakes swap kinds.
        inputs: the names it reads, in the order ``evaluate`` takes them.
        evaluate: the step itself, on the inputs' values.
        formula: the rule in words of the derivation (``dE_total/dout_o1 · dout_o1/dnet_o1``).
    """

    name: str
    kind: str
    inputs: tuple[str, ...]
    evaluate: Evaluate
    formula: str


@dataclass(frozen=True)
class Context:
    """What the rules need to know about the network besides the values.

    Attributes:
        network: the network before the step.
        names: its names.
        learning_rate: ``η``.
        leaves: the given numbers of the sample: inputs, targets, weights, biases.
        regularization: ``λ₁``, ``λ₂`` of the weights (none by default).
    """

    network: Network
    names: Names
    learning_rate: float
    leaves: dict[str, float]
    regularization: Regularization = NO_REGULARIZATION

    @classmethod
    def from_trace(cls, trace: Trace) -> Context:
        """The context of ``trace``, a batch of one (the sample ``stepgrad explain --sample`` trains alone)."""
        values = trace.values(0)
        names = trace.names
        leaf_names = [*names.inputs, *(value_names.target(o) for o in names.neurons[-1])]
        leaf_names += [w.name for w in names.all_weights()] + [b.name for b in names.all_biases()]
        leaves = {name: values[name] for name in leaf_names}
        return cls(trace.network, names, trace.learning_rate, leaves, trace.regularization)

    def activation(self, layer: int) -> Activation:
        """The activation of ``layer``."""
        return get_activation(self.network.layers[layer].activation)

    @property
    def loss(self) -> Loss:
        """The network's loss."""
        return get_loss(self.network.loss, self.network.reduction)

    def neuron(self, layer: int, j: int) -> str:
        """Name of neuron ``j`` of ``layer`` (``h1``, ``o2``)."""
        return self.names.neurons[layer][j]

    def source(self, layer: int, i: int, after: str = "") -> str:
        """The value name of input ``i`` of ``layer``: ``i1`` or the previous layer's ``out_h1`` (``out_h1+``)."""
        return self.names.inputs[i] if layer == 0 else value_names.out(self.names.neurons[layer - 1][i], after)

    def bias_input(self, layer: int, j: int, after: str = "") -> str | None:
        """The bias name neuron ``j`` of ``layer`` adds, if any (``b1+`` after the update when it trains)."""
        bias = self.names.bias_of(layer, j)
        if bias is None or not (after and self.network.layers[layer].trains_bias):
            return bias
        return f"{bias}{after}"

    @property
    def outputs(self) -> list[str]:
        """The output neurons' names."""
        return self.names.neurons[-1]

    @property
    def targets(self) -> tuple[str, ...]:
        """``target_o1, target_o2, …``."""
        return tuple(value_names.target(o) for o in self.outputs)

    def out_names(self, after: str = "") -> tuple[str, ...]:
        """``out_o1, out_o2, …`` (``out_o1+, …`` after the update)."""
        return tuple(value_names.out(o, after) for o in self.outputs)


def named_formula(formula: str, neuron: str, after: str = "") -> str:
    """A registry formula said of one neuron: ``out·(1 − out)`` → ``out_h1·(1 − out_h1)``.

    Only the right-hand side of ``E = …`` is kept; ``after="+"`` names the values after the update.
    """
    return fill(
        formula,
        {
            "out": value_names.out(neuron, after),
            "net": value_names.net(neuron, after),
            "target": value_names.target(neuron),
        },
    )


def _vector(values: Sequence[float]) -> np.ndarray:
    return np.asarray(values, dtype=np.float64)


# ---------------------------------------------------------------- the correct rules
def _net(ctx: Context, layer: int, j: int, after: str, kind: str) -> StepRule:
    """``net_j = Σ_i w_ji·a_i + b`` (before the update, or ``net_j+`` from ``w+``, ``out+`` and ``b+``)."""
    weights = tuple(f"{w}{after}" for w in ctx.names.weights[layer][j])
    sources = tuple(ctx.source(layer, i, after) for i in range(len(weights)))
    bias = ctx.bias_input(layer, j, after)
    n = len(weights)

    def evaluate(x: Sequence[float]) -> float:
        total = float(np.dot(x[:n], x[n : 2 * n]))
        return total + (x[2 * n] if bias else 0.0)

    terms = " + ".join(f"{w}·{s}" for w, s in zip(weights, sources, strict=True)) + (f" + {bias}" if bias else "")
    inputs = (*weights, *sources, *((bias,) if bias else ()))
    return StepRule(value_names.net(ctx.neuron(layer, j), after), kind, inputs, evaluate, terms)


def _out(ctx: Context, layer: int, j: int, after: str, kind: str) -> StepRule:
    """``out_j = f(net_j)``; softmax reads the whole layer's nets."""
    activation = ctx.activation(layer)
    neuron = ctx.neuron(layer, j)
    name, net = value_names.out(neuron, after), value_names.net(neuron, after)
    if activation.elementwise:
        return StepRule(
            name, kind, (net,), lambda x: float(activation.value(_vector(x))[0]), f"{activation.name}({net})"
        )
    nets = tuple(value_names.net(n, after) for n in ctx.names.neurons[layer])
    return StepRule(name, kind, nets, lambda x: float(activation.value(_vector(x))[j]), f"e^{net} / Σ_j e^net_j{after}")


def net_rule(ctx: Context, layer: int, j: int) -> StepRule:
    """``net_j = Σ_i w_ji·a_i + b``."""
    return _net(ctx, layer, j, "", "net")


def out_rule(ctx: Context, layer: int, j: int) -> StepRule:
    """``out_j = f(net_j)``."""
    return _out(ctx, layer, j, "", "out")


def _error(ctx: Context, k: int, after: str, kind: str) -> StepRule:
    loss, count = ctx.loss, len(ctx.outputs)
    return StepRule(
        value_names.error(ctx.outputs[k], after),
        kind,
        (*ctx.targets, *ctx.out_names(after)),
        lambda x: float(loss.terms(_vector(x[:count]), _vector(x[count:]))[k]),
        named_formula(loss.formula, ctx.outputs[k], after),
    )


def _error_total(ctx: Context, after: str, kind: str) -> StepRule:
    terms = tuple(value_names.error(o, after) for o in ctx.outputs)
    return StepRule(value_names.error_total(after), kind, terms, lambda x: float(sum(x)), " + ".join(terms))


def error_rule(ctx: Context, k: int) -> StepRule:
    """``E_o = loss(target, out)`` for output ``k``."""
    return _error(ctx, k, "", "error")


def error_total_rule(ctx: Context) -> StepRule:
    """``E_total = Σ_o E_o``."""
    return _error_total(ctx, "", "error_total")


def output_dE_dout_rule(ctx: Context, k: int) -> StepRule:
    """``dE_total/dout_o`` from the loss's gradient."""
    loss, count = ctx.loss, len(ctx.outputs)
    return StepRule(
        value_names.dE_dout(ctx.outputs[k]),
        "output_dE_dout",
        (*ctx.targets, *ctx.out_names()),
        lambda x: float(loss.gradient(_vector(x[:count]), _vector(x[count:]))[k]),
        named_formula(loss.gradient_formula, ctx.outputs[k]),
    )


def dout_dnet_rule(ctx: Context, layer: int, j: int) -> StepRule:
    """``dout/dnet`` in the activation's derivation form, from ``(net, out)``."""
    activation = ctx.activation(layer)
    neuron = ctx.neuron(layer, j)
    return StepRule(
        value_names.dout_dnet(neuron),
        "dout_dnet",
        (value_names.net(neuron), value_names.out(neuron)),
        lambda x: float(activation.derivative(_vector(x[:1]), _vector(x[1:]))[0]),
        named_formula(activation.derivative_formula, neuron),
    )


def output_delta_rule(ctx: Context, k: int) -> StepRule:
    """``delta_o = dE/dout_o · dout_o/dnet_o``; ``out − target`` for the paired losses; softmax's Jacobian."""
    activation, loss = ctx.activation(len(ctx.network.layers) - 1), ctx.loss
    neuron = ctx.outputs[k]
    name = value_names.delta(neuron)
    if activation.name in loss.paired:
        return StepRule(
            name,
            "output_delta",
            (value_names.out(neuron), value_names.target(neuron)),
            lambda x: x[0] - x[1],
            f"out_{neuron} − target_{neuron}",
        )
    if activation.elementwise:
        return StepRule(
            name,
            "output_delta",
            (value_names.dE_dout(neuron), value_names.dout_dnet(neuron)),
            lambda x: x[0] * x[1],
            f"{value_names.dE_dout(neuron)} · {value_names.dout_dnet(neuron)}",
        )
    count = len(ctx.outputs)
    gradients = tuple(value_names.dE_dout(o) for o in ctx.outputs)

    def softmax_delta(x: Sequence[float]) -> float:
        # delta_k = out_k·(g_k − Σ_j g_j·out_j)
        g, out = _vector(x[:count]), _vector(x[count:])
        return float(out[k] * (g[k] - np.dot(g, out)))

    formula = f"out_{neuron}·(dE_total/dout_{neuron} − Σ_j dE_total/dout_j·out_j)"
    return StepRule(name, "output_delta", (*gradients, *ctx.out_names()), softmax_delta, formula)


def contribution_rule(ctx: Context, layer: int, k: int, j: int) -> StepRule:
    """``dE_k/dout_j = delta_k · w_kj``, what neuron ``k`` of ``layer + 1`` sends back to ``j``."""
    upper, neuron = ctx.neuron(layer + 1, k), ctx.neuron(layer, j)
    weight = ctx.names.weights[layer + 1][k][j]
    return StepRule(
        value_names.sent_back(upper, neuron),
        "contribution",
        (value_names.delta(upper), weight),
        lambda x: x[0] * x[1],
        f"{value_names.delta(upper)} · {weight}",
    )


def hidden_dE_dout_rule(ctx: Context, layer: int, j: int) -> StepRule:
    """``dE_total/dout_j = Σ_k dE_k/dout_j``."""
    neuron = ctx.neuron(layer, j)
    terms = tuple(value_names.sent_back(upper, neuron) for upper in ctx.names.neurons[layer + 1])
    return StepRule(value_names.dE_dout(neuron), "hidden_dE_dout", terms, lambda x: float(sum(x)), " + ".join(terms))


def hidden_delta_rule(ctx: Context, layer: int, j: int) -> StepRule:
    """``delta_j = dE_total/dout_j · dout_j/dnet_j``."""
    neuron = ctx.neuron(layer, j)
    inputs = (value_names.dE_dout(neuron), value_names.dout_dnet(neuron))
    return StepRule(value_names.delta(neuron), "hidden_delta", inputs, lambda x: x[0] * x[1], " · ".join(inputs))


def dnet_dw_rule(ctx: Context, layer: int, j: int, i: int) -> StepRule:
    """``dnet_j/dw_ji = a_i``, the input the weight multiplies."""
    weight, source = ctx.names.weights[layer][j][i], ctx.source(layer, i)
    return StepRule(value_names.dnet_dw(ctx.neuron(layer, j), weight), "dnet_dw", (source,), lambda x: x[0], source)


def grad_w_rule(ctx: Context, layer: int, j: int, i: int) -> StepRule:
    """``dE_total/dw = delta_j · dnet_j/dw``."""
    neuron, weight = ctx.neuron(layer, j), ctx.names.weights[layer][j][i]
    inputs = (value_names.delta(neuron), value_names.dnet_dw(neuron, weight))
    return StepRule(value_names.gradient(weight), "grad_w", inputs, lambda x: x[0] * x[1], " · ".join(inputs))


def grad_b_rule(ctx: Context, layer: int, index: int) -> StepRule:
    """``dE_total/db = delta_j``; a shared bias sums its layer's deltas."""
    bias = ctx.names.biases[layer][index]
    neurons = ctx.names.neurons[layer]
    deltas = (
        tuple(value_names.delta(n) for n in neurons)
        if len(ctx.names.biases[layer]) == 1
        else (value_names.delta(neurons[index]),)
    )
    return StepRule(value_names.gradient(bias), "grad_b", deltas, lambda x: float(sum(x)), " + ".join(deltas))


def update_rule(ctx: Context, parameter: str, penalty_gradient: str | None = None) -> StepRule:
    """``p+ = p − η·dE_total/dp`` for a weight or a bias; ``p+ = p − η·(dE_total/dp + dE_reg/dp)`` with the
    regularization term ``penalty_gradient`` (weights of a regularized step)."""
    eta = ctx.learning_rate
    grad = value_names.gradient(parameter)
    if penalty_gradient is None:
        return StepRule(
            f"{parameter}+", "update", (parameter, grad), lambda x: x[0] - eta * x[1], f"{parameter} − η·{grad}"
        )
    return StepRule(
        f"{parameter}+",
        "update",
        (parameter, grad, penalty_gradient),
        lambda x: x[0] - eta * (x[1] + x[2]),
        f"{parameter} − η·({grad} + {penalty_gradient})",
    )


def penalty_rule(ctx: Context) -> StepRule:
    """``E_reg = λ₁·Σ|w| + ½·λ₂·Σw²`` over the weights (``stepgrad.core.propagation.penalty``)."""
    weights = tuple(w.name for w in ctx.names.all_weights())
    l1, l2 = ctx.regularization.l1, ctx.regularization.l2
    text = " + ".join(([f"λ1·Σ|w| (λ1 = {l1:g})"] if l1 else []) + ([f"½·λ2·Σw² (λ2 = {l2:g})"] if l2 else []))
    return StepRule(
        value_names.penalty(), "penalty", weights, lambda x: penalty([np.asarray(x, dtype=np.float64)], l1, l2), text
    )


def penalty_w_rule(ctx: Context, layer: int, j: int, i: int) -> StepRule:
    """``dE_reg/dw = λ₁·sign(w) + λ₂·w`` (``stepgrad.core.propagation.penalty_gradient``)."""
    weight = ctx.names.weights[layer][j][i]
    l1, l2 = ctx.regularization.l1, ctx.regularization.l2
    text = " + ".join(([f"{l1:g}·sign({weight})"] if l1 else []) + ([f"{l2:g}·{weight}"] if l2 else []))
    return StepRule(
        value_names.penalty_gradient(weight),
        "penalty_w",
        (weight,),
        lambda x: float(penalty_gradient(np.array([x[0]]), l1, l2)[0]),
        text,
    )


def update_w_rule(ctx: Context, layer: int, j: int, i: int) -> StepRule:
    """``w+ = w − η·dE_total/dw`` (``− η·(dE_total/dw + dE_reg/dw)`` when the step is regularized)."""
    weight = ctx.names.weights[layer][j][i]
    return update_rule(ctx, weight, value_names.penalty_gradient(weight) if ctx.regularization else None)


def update_b_rule(ctx: Context, layer: int, index: int) -> StepRule:
    """``b+ = b − η·dE_total/db``."""
    return update_rule(ctx, ctx.names.biases[layer][index])


def net_new_rule(ctx: Context, layer: int, j: int) -> StepRule:
    """``net_j+``: the forward pass again, with ``w+`` (and ``b+`` when biases train)."""
    return _net(ctx, layer, j, "+", "net_new")


def out_new_rule(ctx: Context, layer: int, j: int) -> StepRule:
    """``out_j+ = f(net_j+)``."""
    return _out(ctx, layer, j, "+", "out_new")


def error_new_rule(ctx: Context, k: int) -> StepRule:
    """``E_o+ = loss(target, out_o+)``."""
    return _error(ctx, k, "+", "error_new")


def error_total_new_rule(ctx: Context) -> StepRule:
    """``E_total+ = Σ_o E_o+``."""
    return _error_total(ctx, "+", "error_total_new")


@dataclass(frozen=True)
class Rules:
    """The rule builders of every kind of step; a mistake replaces one field."""

    net: Callable[[Context, int, int], StepRule] = net_rule
    out: Callable[[Context, int, int], StepRule] = out_rule
    error: Callable[[Context, int], StepRule] = error_rule
    error_total: Callable[[Context], StepRule] = error_total_rule
    output_dE_dout: Callable[[Context, int], StepRule] = output_dE_dout_rule
    dout_dnet: Callable[[Context, int, int], StepRule] = dout_dnet_rule
    output_delta: Callable[[Context, int], StepRule] = output_delta_rule
    contribution: Callable[[Context, int, int, int], StepRule] = contribution_rule
    hidden_dE_dout: Callable[[Context, int, int], StepRule] = hidden_dE_dout_rule
    hidden_delta: Callable[[Context, int, int], StepRule] = hidden_delta_rule
    dnet_dw: Callable[[Context, int, int, int], StepRule] = dnet_dw_rule
    grad_w: Callable[[Context, int, int, int], StepRule] = grad_w_rule
    grad_b: Callable[[Context, int, int], StepRule] = grad_b_rule
    update_w: Callable[[Context, int, int, int], StepRule] = update_w_rule
    penalty: Callable[[Context], StepRule] = penalty_rule
    penalty_w: Callable[[Context, int, int, int], StepRule] = penalty_w_rule
    update_b: Callable[[Context, int, int], StepRule] = update_b_rule
    net_new: Callable[[Context, int, int], StepRule] = net_new_rule
    out_new: Callable[[Context, int, int], StepRule] = out_new_rule
    error_new: Callable[[Context, int], StepRule] = error_new_rule
    error_total_new: Callable[[Context], StepRule] = error_total_new_rule


CORRECT = Rules()

Table = dict[str, StepRule]


Slot = tuple[str, tuple[int, ...]]


def slots(ctx: Context) -> list[Slot]:
    """Every computed step as ``(Rules field, indices)``, in the order a person works them (``step_order``)."""
    order = step_order(ctx.network, ctx.names, bool(ctx.regularization))
    return [(slot.kind, slot.at) for slot in order if slot.kind not in GIVEN_KINDS]


def build_table(ctx: Context, rules: Rules = CORRECT, correct: Table | None = None) -> Table:
    """Every computed name of the step with its rule (the leaves, inputs/targets/parameters, have none).

    ``correct``: the table of ``CORRECT``, whose rules are reused for every field ``rules`` keeps.
    """
    table: Table = {}
    reused = list(correct.values()) if correct is not None else []
    for position, (field, indices) in enumerate(slots(ctx)):
        builder = getattr(rules, field)
        kept = reused and builder is getattr(CORRECT, field)
        rule = reused[position] if kept else builder(ctx, *indices)
        table[rule.name] = rule
    return table
