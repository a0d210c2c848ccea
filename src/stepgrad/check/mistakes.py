"""Known wrong rules, each the correct ``Rules`` with one step swapped.

A ``Mistake`` gives one or more ``Rules`` variants for a network (e.g. "hidden
error from one output neuron only" has one variant per output neuron); the
diagnosis recomputes a wrong value under each variant from the learner's own
earlier values and names the mistakes that reproduce it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import numpy as np

from stepgrad.check.recompute import (
    CORRECT,
    Context,
    Rules,
    StepRule,
    contribution_rule,
    dout_dnet_rule,
    error_new_rule,
    error_rule,
    hidden_dE_dout_rule,
    named_formula,
    net_new_rule,
    net_rule,
    output_dE_dout_rule,
    output_delta_rule,
    update_b_rule,
    update_w_rule,
)
from stepgrad.functions.activations import LEAKY_SLOPE


@dataclass(frozen=True)
class Mistake:
    """One known wrong rule.

    Attributes:
        name: registry key (``gradient_added``).
        title: a short sentence naming the mistake.
        explanation: one paragraph: what was done, what is right, and why.
        step: the derivation step where it happens, in the derivation's vocabulary.
        kinds: the ``Rules`` fields it swaps (to point at the concrete step).
        variants: the mistaken rules for a network; empty when it cannot happen there.
    """

    name: str
    title: str
    explanation: str
    step: str
    kinds: tuple[str, ...]
    variants: Callable[[Context], list[Rules]]


def _layers_with(ctx: Context, activations: Sequence[str]) -> list[int]:
    return [index for index, layer in enumerate(ctx.network.layers) if layer.activation in activations]


def _per_layer(
    layers: list[int], field: str, wrong: Callable[..., StepRule], correct: Callable[..., StepRule]
) -> list[Rules]:
    """The wrong rule in all ``layers`` at once, then in each one alone."""
    groups = [layers] + ([[layer] for layer in layers] if len(layers) > 1 else [])
    variants = []
    for group in groups:
        chosen = frozenset(group)

        def builder(ctx: Context, layer: int, *rest: int, chosen: frozenset[int] = chosen) -> StepRule:
            return (wrong if layer in chosen else correct)(ctx, layer, *rest)

        variants.append(replace(CORRECT, **{field: builder}))  # type: ignore[arg-type]
    return variants


def _scaled(rule: StepRule, factor: float, word: str) -> StepRule:
    return replace(rule, evaluate=lambda x: factor * rule.evaluate(x), formula=f"{word}·({rule.formula})")


def _negated(rule: StepRule) -> StepRule:
    text = rule.formula
    flipped = text[2:-1] if text.startswith("−(") and text.endswith(")") and text.count("(") == 1 else f"−({text})"
    return replace(rule, evaluate=lambda x: -rule.evaluate(x), formula=flipped)


# ------------------------------------------------------------------ the variants
def _sign_flipped(ctx: Context) -> list[Rules]:
    def delta(ctx: Context, k: int) -> StepRule:
        rule = output_delta_rule(ctx, k)
        return _negated(rule) if rule.inputs[0].startswith("out_") else rule

    return [replace(CORRECT, output_dE_dout=lambda c, k: _negated(output_dE_dout_rule(c, k)), output_delta=delta)]


def _update_variants(wrong: Callable[[float, float, float], float], formula: str) -> Callable[[Context], list[Rules]]:
    """``formula`` is said of ``{p}`` (the parameter): ``{p} + η·dE_total/d{p}``."""

    def variants(ctx: Context) -> list[Rules]:
        eta = ctx.learning_rate

        def swap(rule: StepRule) -> StepRule:
            parameter = rule.inputs[0]
            return replace(rule, evaluate=lambda x: wrong(x[0], x[1], eta), formula=formula.format(p=parameter))

        return [
            replace(
                CORRECT,
                update_w=lambda c, layer, j, i: swap(update_w_rule(c, layer, j, i)),
                update_b=lambda c, layer, index: swap(update_b_rule(c, layer, index)),
            )
        ]

    return variants


def _learning_rate_forgotten(ctx: Context) -> list[Rules]:
    if ctx.learning_rate == 1.0:
        return []
    return _update_variants(lambda w, g, eta: w - g, "{p} − dE_total/d{p}")(ctx)


def _updated_output_weights(ctx: Context) -> list[Rules]:
    if len(ctx.network.layers) < 2:
        return []

    def contribution(ctx: Context, layer: int, k: int, j: int) -> StepRule:
        rule = contribution_rule(ctx, layer, k, j)
        weight = rule.inputs[1]
        return replace(rule, inputs=(rule.inputs[0], f"{weight}+"), formula=f"{rule.inputs[0]} · {weight}+")

    return [replace(CORRECT, contribution=contribution)]


def _logistic_of_net(ctx: Context) -> list[Rules]:
    def wrong(ctx: Context, layer: int, j: int) -> StepRule:
        rule = dout_dnet_rule(ctx, layer, j)
        return replace(
            rule, evaluate=lambda x: x[0] * (1.0 - x[0]), formula=named_formula("net·(1 − net)", ctx.neuron(layer, j))
        )

    return _per_layer(_layers_with(ctx, ["sigmoid"]), "dout_dnet", wrong, dout_dnet_rule)


def _scaled_loss(factor: float, word: str) -> Callable[[Context], list[Rules]]:
    def variants(ctx: Context) -> list[Rules]:
        if ctx.loss.name not in ("half_squared_error", "mse"):
            return []
        return [
            replace(
                CORRECT,
                error=lambda c, k: _scaled(error_rule(c, k), factor, word),
                error_new=lambda c, k: _scaled(error_new_rule(c, k), factor, word),
                output_dE_dout=lambda c, k: _scaled(output_dE_dout_rule(c, k), factor, word),
            )
        ]

    return variants


def _without_bias(rule: StepRule) -> StepRule:
    n = (len(rule.inputs) - 1) // 2
    terms = rule.formula.rsplit(" + ", 1)[0]
    return replace(
        rule, inputs=rule.inputs[: 2 * n], evaluate=lambda x: float(np.dot(x[:n], x[n : 2 * n])), formula=terms
    )


def _bias_left_out(ctx: Context) -> list[Rules]:
    layers = [index for index, layer in enumerate(ctx.network.layers) if np.any(layer.bias != 0)]

    def wrong(ctx: Context, layer: int, j: int) -> StepRule:
        return _without_bias(net_rule(ctx, layer, j))

    def wrong_new(ctx: Context, layer: int, j: int) -> StepRule:
        return _without_bias(net_new_rule(ctx, layer, j))

    if not layers:
        return []
    before = _per_layer(layers, "net", wrong, net_rule)
    after = _per_layer(layers, "net_new", wrong_new, net_new_rule)
    # left out in both forward passes, before and after the update, in every layer
    return [*before, *after, replace(before[0], net_new=after[0].net_new)]


def _one_output_only(ctx: Context) -> list[Rules]:
    variants = []
    widest = max((len(ctx.names.neurons[layer + 1]) for layer in range(len(ctx.network.layers) - 1)), default=0)
    for chosen in range(widest if widest > 1 else 0):

        def hidden(ctx: Context, layer: int, j: int, chosen: int = chosen) -> StepRule:
            rule = hidden_dE_dout_rule(ctx, layer, j)
            if len(rule.inputs) < 2:
                return rule
            term = rule.inputs[min(chosen, len(rule.inputs) - 1)]
            return replace(rule, inputs=(term,), evaluate=lambda x: x[0], formula=term)

        variants.append(replace(CORRECT, hidden_dE_dout=hidden))
    return variants


def _wrong_weight_index(ctx: Context) -> list[Rules]:
    if len(ctx.network.layers) < 2:
        return []
    weights = ctx.names.weights

    def backward(pick: Callable[[int, int, int, int], tuple[int, int] | None]) -> Rules:
        def contribution(ctx: Context, layer: int, k: int, j: int) -> StepRule:
            rule = contribution_rule(ctx, layer, k, j)
            rows = weights[layer + 1]
            chosen = pick(k, j, len(rows), len(rows[0]))
            if chosen is None or chosen == (k, j):
                return rule
            weight = rows[chosen[0]][chosen[1]]
            return replace(rule, inputs=(rule.inputs[0], weight), formula=f"{rule.inputs[0]} · {weight}")

        return replace(CORRECT, contribution=contribution)

    return [
        # the transposed weight: w_jk (e.g. w6, h2→o1) where w_kj (w7, h1→o2) belongs
        backward(lambda k, j, rows, cols: (j, k) if j < rows and k < cols else None),
        # the weight into the same upper neuron from the neighbouring lower neuron (w8 for w7)
        backward(lambda k, j, rows, cols: (k, (j + 1) % cols)),
        # the weight from the same lower neuron into the neighbouring upper neuron (w5 for w7)
        backward(lambda k, j, rows, cols: ((k + 1) % rows, j)),
    ]


def _derivative_mixup(
    activation: str, forms: list[tuple[str, Callable[[float, float], float]]]
) -> Callable[[Context], list[Rules]]:
    def variants(ctx: Context) -> list[Rules]:
        layers = _layers_with(ctx, [activation])
        result = []
        for formula, form in forms:

            def wrong(
                ctx: Context, layer: int, j: int, form: Callable[[float, float], float] = form, formula: str = formula
            ) -> StepRule:
                rule = dout_dnet_rule(ctx, layer, j)
                return replace(
                    rule, evaluate=lambda x: form(x[0], x[1]), formula=named_formula(formula, ctx.neuron(layer, j))
                )

            result += _per_layer(layers, "dout_dnet", wrong, dout_dnet_rule) if layers else []
        return result

    return variants


def _relu_mixups(ctx: Context) -> list[Rules]:
    """ReLU: 1 everywhere, or out; leaky ReLU: the plain ReLU's step (0 below 0), 1 everywhere, or out."""
    relu = _derivative_mixup("relu", [("1", lambda net, out: 1.0), ("out", lambda net, out: out)])
    leaky = _derivative_mixup(
        "leaky_relu",
        [
            ("1 if net > 0 else 0", lambda net, out: 1.0 if net > 0 else 0.0),
            ("1", lambda net, out: 1.0),
            ("out", lambda net, out: out),
        ],
    )
    return relu(ctx) + leaky(ctx)


def _softmax_as_logistic(ctx: Context) -> list[Rules]:
    if ctx.network.layers[-1].activation != "softmax" or ctx.loss.name != "cross_entropy":
        return []

    def chained(ctx: Context, k: int) -> StepRule:
        # delta = dE/dout · out(1 − out), the logistic chain, with dE/dout = −t/out
        neuron = ctx.outputs[k]
        return StepRule(
            f"delta_{neuron}",
            "output_delta",
            (f"dE_total/dout_{neuron}", f"dout_{neuron}/dnet_{neuron}"),
            lambda x: x[0] * x[1],
            f"dE_total/dout_{neuron} · out_{neuron}·(1 − out_{neuron})",
        )

    def squared(ctx: Context, k: int) -> StepRule:
        # delta = (out − t)·out(1 − out), the logistic output delta of the squared error
        neuron = ctx.outputs[k]
        return StepRule(
            f"delta_{neuron}",
            "output_delta",
            (f"out_{neuron}", f"target_{neuron}"),
            lambda x: (x[0] - x[1]) * x[0] * (1.0 - x[0]),
            f"(out_{neuron} − target_{neuron})·out_{neuron}·(1 − out_{neuron})",
        )

    return [replace(CORRECT, output_delta=chained), replace(CORRECT, output_delta=squared)]


MISTAKES: dict[str, Mistake] = {
    mistake.name: mistake
    for mistake in [
        Mistake(
            "sign_flipped",
            "Sign flipped in dE/dout: (target − out) instead of (out − target)",
            "The derivative of E = ½(target − out)² with respect to out is −(target − out) = out − target: "
            "the chain rule brings out the −1 from the inner derivative of (target − out). Writing "
            "target − out flips the sign of the output error, and with it every delta, every gradient "
            "and the direction of every update, so the error grows instead of shrinking.",
            "dE_total/dout_o (output layer)",
            ("output_dE_dout", "output_delta"),
            _sign_flipped,
        ),
        Mistake(
            "gradient_added",
            "Gradient added instead of subtracted in the update",
            "Gradient descent moves each weight against its gradient: w+ = w − η·dE/dw. Adding η·dE/dw "
            "moves uphill, so the error after the update is larger than before. The gradient itself may "
            "be right; only the sign of the step is wrong.",
            "w+ (updates)",
            ("update",),
            _update_variants(lambda w, g, eta: w + eta * g, "{p} + η·dE_total/d{p}"),
        ),
        Mistake(
            "learning_rate_forgotten",
            "Learning rate forgotten in the update",
            "The update is w+ = w − η·dE/dw: the gradient is scaled by the learning rate η before it is "
            "subtracted. Subtracting the bare gradient takes a step 1/η times too large (twice as large "
            "for η = 0.5).",
            "w+ (updates)",
            ("update",),
            _learning_rate_forgotten,
        ),
        Mistake(
            "updated_output_weights",
            "Hidden deltas computed with the already-updated output weights",
            "Backpropagation computes every gradient with the weights as they were in the forward pass. "
            "If the output weights are updated first and the hidden layer then backpropagates through the "
            "new weights (dE_o/dout_h = delta_o · w+ instead of delta_o · w), every hidden gradient is "
            "slightly off. It is the mistake the well-known worked example warns against, and where its "
            "published error after the update came from.",
            "dE_o/dout_h (hidden layer)",
            ("contribution",),
            _updated_output_weights,
        ),
        Mistake(
            "logistic_derivative_of_net",
            "Logistic derivative taken of net instead of out",
            "For out = σ(net) the derivative is dout/dnet = out·(1 − out), written with the neuron's "
            "output. Putting the net input in its place, net·(1 − net), gives a different number (even a "
            "negative one when net > 1); σ'(net) = σ(net)·(1 − σ(net)) is the same thing as out·(1 − out).",
            "dout/dnet",
            ("dout_dnet",),
            _logistic_of_net,
        ),
        Mistake(
            "factor_two",
            "The ½ not cancelled: a factor 2 too many",
            "With E = ½(target − out)² the ½ is there so that it cancels the 2 of the power rule: "
            "dE/dout = −(target − out). Dropping the ½ (E = (target − out)²) or keeping the 2 of the "
            "derivative gives twice the error or twice the gradient; every delta and update downstream is "
            "then doubled too.",
            "E_o and dE_total/dout_o (errors, output layer)",
            ("error", "output_dE_dout", "error_new"),
            _scaled_loss(2.0, "2"),
        ),
        Mistake(
            "spurious_half",
            "A spurious ½ in the error or its derivative",
            "The derivative of ½(target − out)² is −(target − out): the 2 of the power rule cancels the ½. "
            "Keeping the ½ in the derivative (−½(target − out)), or adding another ½ to the error, halves "
            "the gradient; every delta and update downstream is halved too.",
            "E_o and dE_total/dout_o (errors, output layer)",
            ("error", "output_dE_dout", "error_new"),
            _scaled_loss(0.5, "½"),
        ),
        Mistake(
            "bias_left_out",
            "Bias left out of the net input",
            "A neuron's net input is the weighted sum of its inputs plus its bias: net = Σ w·a + b·1. "
            "Leaving out b shifts the net input, and every value after it (out, the error, the deltas) "
            "is computed from the wrong point.",
            "net (forward pass)",
            ("net", "net_new"),
            _bias_left_out,
        ),
        Mistake(
            "one_output_only",
            "Hidden error taken from one output neuron only",
            "A hidden neuron feeds every neuron of the next layer, so its output affects the error through "
            "all of them: dE_total/dout_h = Σ_o dE_o/dout_h = Σ_o delta_o · w_oh. Taking only one term "
            "leaves out the other neurons' share of the error.",
            "dE_total/dout_h (hidden layer)",
            ("hidden_dE_dout",),
            _one_output_only,
        ),
        Mistake(
            "wrong_weight_index",
            "A weight of the wrong index in the backward pass",
            "What a neuron k of the next layer sends back to neuron j goes along the weight that connects "
            "them: dE_k/dout_j = delta_k · w_kj, with w_kj the weight j→k. Reading the weight matrix the "
            "other way round (the weight k→j's mirror) or by a neighbouring index sends the error back "
            "along the wrong connection.",
            "dE_o/dout_h (hidden layer)",
            ("contribution",),
            _wrong_weight_index,
        ),
        Mistake(
            "tanh_derivative_mixup",
            "tanh derivative mixed up",
            "For out = tanh(net) the derivative is dout/dnet = 1 − out², written with the output. "
            "Common slips: the logistic form out·(1 − out), the net input in place of the output "
            "(1 − net²), or a forgotten square (1 − out).",
            "dout/dnet",
            ("dout_dnet",),
            _derivative_mixup(
                "tanh",
                [
                    ("out·(1 − out)", lambda net, out: out * (1.0 - out)),
                    ("1 − net²", lambda net, out: 1.0 - net * net),
                    ("1 − out", lambda net, out: 1.0 - out),
                ],
            ),
        ),
        Mistake(
            "relu_derivative_mixup",
            "ReLU (or leaky ReLU) derivative mixed up",
            "For out = max(0, net) the derivative is a step: 1 where net > 0 and 0 where net ≤ 0; for a "
            f"leaky ReLU (out = {LEAKY_SLOPE}·net where net ≤ 0) it is 1 and {LEAKY_SLOPE}, not 0. Common "
            "slips: taking it as 1 everywhere (forgetting that a neuron with net ≤ 0 passes no gradient, or "
            "only the leaky slope's share), using the output itself (out) as the derivative, or taking a "
            "leaky ReLU's slope below 0 as the plain ReLU's 0.",
            "dout/dnet",
            ("dout_dnet",),
            _relu_mixups,
        ),
        Mistake(
            "softmax_as_logistic",
            "Softmax + cross-entropy delta written as if it were the logistic case",
            "With a softmax output and cross-entropy the chain-rule factors combine to delta_k = out_k − "
            "target_k, because each output depends on every net input (the Jacobian has off-diagonal "
            "terms −out_k·out_j). Multiplying dE/dout_k by out_k·(1 − out_k), as one would for a logistic "
            "neuron, keeps only the diagonal and gives −target_k·(1 − out_k); using the squared-error "
            "logistic delta (out − target)·out·(1 − out) is wrong for the same reason.",
            "delta_o (output layer)",
            ("output_delta",),
            _softmax_as_logistic,
        ),
    ]
}


def mistake_names() -> list[str]:
    """Every known mistake's name."""
    return list(MISTAKES)
