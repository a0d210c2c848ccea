"""Why a run blew up: the first value of a step, in the order of the derivation, that is not finite.

``find_divergence`` takes a network, a batch and a learning rate, runs ``train_step`` (for up to
``max_steps`` steps, each from the weights the one before left) and walks every value in the
order a person works the example (``stepgrad.core.named_values``: parameters, ``net``, ``out``,
``E``, chain-rule factors, deltas, gradients, ``w+``, the forward pass after the update). The
first value that is ``±∞`` or NaN is named, with the numbers its likely cause is read from:

* ``parameter``: a weight or bias is already not finite before the step;
* ``net_overflow``: ``net = Σ w·a_prev + b`` leaves float64's range (its largest term is named);
* ``error_overflow``: ``E_o`` overflows although ``out`` is finite (``(target − out)²`` of a huge ``out``);
* ``gradient_overflow``: a chain-rule factor, delta or gradient overflows;
* ``penalty_overflow``: the regularization term ``E_reg = λ₁·Σ|w| + ½·λ₂·Σw²`` (or its gradient
  ``dE_reg/dw = λ₁·sign(w) + λ₂·w``) overflows: its largest weight and the λ are named;
* ``update_overflow``: ``w+ = w − η·(dE/dw + dE_reg/dw)`` overflows (the update is compared with the weight);
* ``update_explodes``: ``w+`` is finite but the forward pass of the updated network is not.

A regularized step (``regularization``: the file's ``l1``/``l2``) is traced as it trains: ``E_reg``, every
``dE_reg/dw`` and the updates with the term are walked like every other value.

``naive_form_breaks`` says where the textbook forms a person (or a PyTorch script) computes by
hand break although stepgrad's stable ones do not: a sigmoid or softmax output that rounds to
exactly 0 or 1 (``log(0)`` in a cross-entropy), ``e^net`` that overflows in a softmax.
Presentation (the sentence) is ``stepgrad.render.divergence``.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from stepgrad.core.step import train_step
from stepgrad.core.trace import Trace
from stepgrad.functions import get_activation, get_loss
from stepgrad.network import value_names
from stepgrad.network.model import NO_REGULARIZATION, Network, Regularization
from stepgrad.network.naming import network_names

Array = NDArray[np.float64]
Cause = Literal[
    "parameter",
    "net_overflow",
    "error_overflow",
    "gradient_overflow",
    "penalty_overflow",
    "update_overflow",
    "update_explodes",
    "saturated_log",
    "exp_overflow",
]


@dataclass(frozen=True)
class Divergence:
    """The first value that is not finite (or breaks a naive form), and what its cause is read from.

    Attributes:
        name: the value's name in the derivation (``net_o1``, ``w5+``, ``E_total+`` …).
        value: its value (``inf``, ``-inf``, ``nan``, or the finite value a naive form breaks on).
        cause: one of ``Cause``.
        sample: the sample (0-based) the value is of.
        step: which step from the given weights (1 = the first).
        learning_rate: ``η`` of the step.
        loss: the network's loss.
        activation: the activation of the layer the value belongs to ("" for parameters and errors).
        facts: the named values the cause is read from, in the order to tell them
            (e.g. ``{"w3": 1e200, "out_h1": 5e150}`` for ``net_o1``'s largest term).
        regularization: ``λ₁``, ``λ₂`` of the step.
    """

    name: str
    value: float
    cause: Cause
    sample: int = 0
    step: int = 1
    learning_rate: float = 0.0
    loss: str = ""
    activation: str = ""
    facts: dict[str, float] = field(default_factory=dict)
    regularization: Regularization = NO_REGULARIZATION


def find_divergence(
    network: Network,
    inputs: ArrayLike,
    targets: ArrayLike,
    learning_rate: float,
    max_steps: int = 1,
    regularization: Regularization = NO_REGULARIZATION,
) -> Divergence | None:
    """The first non-finite value of up to ``max_steps`` training steps from ``network``, or None.

    Args:
        network: the network before the step (e.g. the last finite weights a run kept).
        inputs: ``(B, n_inputs)``, or one sample as a 1-D list.
        targets: ``(B, n_outputs)``, or one sample's.
        learning_rate: ``η``.
        max_steps: how many steps to take before concluding that nothing overflows.
        regularization: the ``λ₁``, ``λ₂`` the steps are trained with (a network file's ``l1``, ``l2``).
    """
    bad_parameter = _first_bad_parameter(network)
    if bad_parameter is not None:
        return bad_parameter
    current = network
    for step in range(1, max_steps + 1):
        trace = train_step(current, inputs, targets, learning_rate, regularization=regularization)
        found = first_non_finite(trace)
        if found is not None:
            return dataclasses.replace(found, step=step)
        current = trace.network_new
    return None


def _first_bad_parameter(network: Network) -> Divergence | None:
    names = network_names(network)
    for weight in names.all_weights():
        value = float(network.layers[weight.layer].weights[weight.neuron, weight.source])
        if not math.isfinite(value):
            return Divergence(weight.name, value, "parameter", loss=network.loss)
    for bias in names.all_biases():
        value = float(network.layers[bias.layer].bias[bias.index])
        if not math.isfinite(value):
            return Divergence(bias.name, value, "parameter", loss=network.loss)
    return None


def first_non_finite(trace: Trace) -> Divergence | None:
    """The first value of ``trace``, in the derivation's order, that is ``±∞`` or NaN, with its cause."""
    sample = _first_bad_sample(trace)
    if sample is None:
        return None
    values = trace.values(sample)
    name = next(name for name, value in values.items() if not math.isfinite(value))
    cause, layer, facts = _cause(trace, sample, name, values)
    activation = "" if layer is None else trace.network.layers[layer].activation
    return Divergence(
        name,
        values[name],
        cause,
        sample=sample,
        learning_rate=trace.learning_rate,
        loss=trace.network.loss,
        activation=activation,
        facts=facts,
        regularization=trace.regularization,
    )


def _first_bad_sample(trace: Trace) -> int | None:
    """The sample whose first non-finite value comes earliest (by stage), or None when all are finite."""
    batch = trace.batch_size
    for stage in _stages(trace):
        rows = stage.reshape(batch, -1)
        bad = ~np.all(np.isfinite(rows), axis=1)
        if np.any(bad):
            return int(np.flatnonzero(bad)[0])
    return None


def _stages(trace: Trace) -> list[Array]:
    """The trace's arrays in the derivation's order, each with the batch first (``w+``, ``b+`` repeated)."""
    batch = trace.batch_size
    stages: list[Array] = []
    for forward_layer in trace.forward.layers:
        stages += [forward_layer.net, forward_layer.out]
    stages += [trace.error_terms, trace.error_total[:, None]]
    if trace.regularization:  # E_reg, of the whole step
        stages.append(np.full((batch, 1), trace.penalty))
    for layer in reversed(trace.layers):
        if layer.contributions is not None:
            stages.append(layer.contributions)
        stages += [layer.dE_dout, layer.dout_dnet, layer.delta, layer.grad_w_per_sample, layer.grad_b_per_sample]
        if layer.penalty_w is not None:  # dE_reg/dw, of the whole step
            stages.append(np.broadcast_to(layer.penalty_w.ravel(), (batch, layer.penalty_w.size)))
    for layer in trace.layers:  # w+, b+: of the whole step, so of every sample
        parameters_new = np.append(layer.weights_new.ravel(), layer.bias_new.ravel())
        stages.append(np.broadcast_to(parameters_new, (batch, parameters_new.size)))
    for forward_layer in trace.after.layers:
        stages += [forward_layer.net, forward_layer.out]
    return [*stages, trace.error_terms_new, trace.error_total_new[:, None]]


def _cause(
    trace: Trace, sample: int, name: str, values: dict[str, float]
) -> tuple[Cause, int | None, dict[str, float]]:
    """The likely cause of ``name`` being the first non-finite value, its layer, and the facts it is read from."""
    names = trace.names
    neuron_layer = {neuron: k for k, layer in enumerate(names.neurons) for neuron in layer}
    updated = name.endswith("+")
    base = name.removesuffix("+")
    parameter = _parameter_layer(trace, base)
    if parameter is not None:
        if not updated:
            return "parameter", parameter, {}
        return "update_overflow", parameter, _update_facts(trace, values)
    if updated:
        layer = neuron_layer.get(base.partition("_")[2])
        return "update_explodes", layer, _update_facts(trace, values)
    if base == value_names.penalty() or base.startswith(value_names.penalty_gradient("")):
        return "penalty_overflow", None, _penalty_facts(trace, base)
    if base.startswith("net_"):
        layer = neuron_layer[base.removeprefix("net_")]
        return "net_overflow", layer, _largest_term(trace, sample, layer, names.neurons[layer].index(base[4:]))
    if base.startswith("E_"):
        facts = {f"out_{neuron}": values[f"out_{neuron}"] for neuron in names.neurons[-1]}
        return "error_overflow", len(names.neurons) - 1, facts
    facts = {key: value for key, value in values.items() if key.startswith("out_") and "+" not in key}
    largest = max(facts, key=lambda key: abs(facts[key]))
    return "gradient_overflow", None, {largest: facts[largest]}


def _parameter_layer(trace: Trace, name: str) -> int | None:
    for weight in trace.names.all_weights():
        if weight.name == name:
            return weight.layer
    for bias in trace.names.all_biases():
        if bias.name == name:
            return bias.layer
    return None


def _largest_term(trace: Trace, sample: int, layer: int, neuron: int) -> dict[str, float]:
    """``w·a_prev`` of ``net``'s largest term: the weight and what it multiplies."""
    names = trace.names
    a_prev = trace.forward.a_prev(layer)[sample]
    weights = trace.network.layers[layer].weights[neuron]
    with np.errstate(over="ignore", invalid="ignore"):
        terms = np.abs(weights * a_prev)
    source = int(np.nanargmax(np.where(np.isnan(terms), -1.0, terms)))
    feeding = names.inputs[source] if layer == 0 else f"out_{names.neurons[layer - 1][source]}"
    return {names.weights[layer][neuron][source]: float(weights[source]), feeding: float(a_prev[source])}


def _penalty_facts(trace: Trace, name: str) -> dict[str, float]:
    """The weight of largest size (the one ``E_reg`` or ``dE_reg/dw`` overflows on; the named one for a
    ``dE_reg/dw``), and the ``λ`` that multiply it."""
    weights = {
        w.name: float(trace.network.layers[w.layer].weights[w.neuron, w.source]) for w in trace.names.all_weights()
    }
    weight = name.removeprefix(value_names.penalty_gradient(""))
    if weight not in weights:
        weight = max(weights, key=lambda key: abs(weights[key]) if math.isfinite(weights[key]) else math.inf)
    facts = {weight: weights[weight]}
    if trace.regularization.l1:
        facts["λ1"] = trace.regularization.l1
    if trace.regularization.l2:
        facts["λ2"] = trace.regularization.l2
    return facts


def _update_facts(trace: Trace, values: dict[str, float]) -> dict[str, float]:
    """The parameter whose update ``η·dE/dp`` is largest compared with the parameter itself: ``p``,
    ``dE/dp`` (and ``dE_reg/dp`` when the step is regularized), ``p+`` and the ratio ``|η·(dE/dp + dE_reg/dp)| / |p|``
    (∞ for an update that overflows or a zero ``p``)."""
    rows: list[tuple[str, float, float, float, float]] = []  # name, p, dE/dp, p+, dE_reg/dp
    for layer, (before, after, names) in enumerate(
        zip(trace.network.layers, trace.layers, trace.names.weights, strict=True)
    ):
        penalty = np.zeros_like(after.grad_w) if after.penalty_w is None else after.penalty_w
        for j, row in enumerate(names):
            rows += [
                (name, before.weights[j, i], after.grad_w[j, i], after.weights_new[j, i], penalty[j, i])
                for i, name in enumerate(row)
            ]
        if before.trains_bias:
            rows += [
                (name, before.bias[k], after.grad_b[k], after.bias_new[k], 0.0)
                for k, name in enumerate(trace.names.biases[layer])
            ]

    def ratio(row: tuple[str, float, float, float, float]) -> float:
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            step = np.float64(row[2]) + np.float64(row[4])  # dE/dp + dE_reg/dp, as the update adds them
            value = float(np.abs(np.float64(trace.learning_rate) * step) / np.abs(row[1]))
        return math.inf if math.isnan(value) else value

    largest = max(rows, key=ratio)
    label, parameter, gradient, parameter_new, term = largest
    facts = {label: float(parameter), value_names.gradient(label): float(gradient)}
    if trace.regularization and term:
        facts[value_names.penalty_gradient(label)] = float(term)
    return {**facts, f"{label}+": float(parameter_new), "update / parameter": ratio(largest)}


@dataclass(frozen=True)
class NaiveBreak:
    """Where a textbook form computed by hand breaks although stepgrad's stable form does not.

    Attributes:
        name: the value that breaks it (``out_o1`` rounds to 1, or ``net_o1`` whose ``e^net`` overflows).
        value: its value.
        cause: ``saturated_log`` (``log(0)`` in a cross-entropy) or ``exp_overflow``.
        net: the ``net`` of the same neuron.
        rounded: what the value rounds to in the dtype (``1.0``, ``0.0``, or ``inf`` for ``e^net``).
        sample: the sample (0-based).
        net_max: the largest ``net`` of the layer for that sample (a softmax saturates by the gap to it).
    """

    name: str
    value: float
    cause: Cause
    net: float
    rounded: float
    sample: int
    net_max: float


def naive_form_breaks(trace: Trace, dtype: type = np.float64) -> NaiveBreak | None:
    """The first output at which a hand-written loss or softmax in ``dtype`` meets ``log(0)`` or ``e^∞``.

    * sigmoid or softmax output that rounds to exactly 0 or 1 in ``dtype`` where the target needs
      the log of the other side: ``log(out)`` with ``target > 0`` or ``log(1 − out)`` with ``target < 1``
      (binary cross-entropy) is ``−∞``;
    * softmax computed as ``e^net / Σ e^net`` without the max shift: ``e^net`` overflows ``dtype``.
    """
    output = trace.output
    activation = get_activation(trace.network.layers[-1].activation).name
    loss = get_loss(trace.network.loss).name
    neurons = trace.names.neurons[-1]
    rounded: Array = output.out.astype(dtype)
    target = trace.targets
    if activation in ("sigmoid", "softmax") and loss in ("binary_cross_entropy", "cross_entropy"):
        # log(out) where the target needs it, log(1 − out) for binary cross-entropy
        zero = (rounded == 0.0) & (target > 0)
        if loss == "binary_cross_entropy":
            zero |= (rounded == 1.0) & (target < 1)
        if np.any(zero):
            sample, j = (int(index) for index in np.argwhere(zero)[0])
            net = float(output.net[sample, j])
            return NaiveBreak(
                f"out_{neurons[j]}",
                float(output.out[sample, j]),
                "saturated_log",
                net,
                float(rounded[sample, j]),
                sample,
                float(np.max(output.net[sample])),
            )
    if activation == "softmax":
        over = output.net > float(np.log(np.finfo(dtype).max))
        if np.any(over):
            sample, j = (int(index) for index in np.argwhere(over)[0])
            net = float(output.net[sample, j])
            return NaiveBreak(f"net_{neurons[j]}", net, "exp_overflow", net, math.inf, sample, net)
    return None
