"""A trace's numbers under the derivation's names (``out_h1``, ``dE_total/dw5``, ``w5+`` …).

This only looks values up in the trace; it computes nothing. The names are
the public vocabulary of ../shared/DESIGN.md:

* ``i1``, ``target_o1``, ``w1``, ``b1`` (the inputs, targets and parameters);
* ``net_h1``, ``out_h1``, ``E_o1``, ``E_total``;
* ``dE_total/dout_o1``, ``dout_o1/dnet_o1``, ``delta_o1``;
* ``dE_o1/dout_h1`` (what output o1 sends back to h1) and ``dE_total/dout_h1``;
* for each weight ``dnet_o1/dw5``, ``dE_total/dw5``, ``w5+``;
* for each bias ``dE_total/db1`` and, when it trains, ``b1+``;
* after the update, the forward pass again: ``net_h1+``, ``out_h1+`` of every
  neuron, ``E_o1+`` and ``E_total+``.

Each stage has the names known so far: ``forward_values`` (up to ``E_total``),
``backward_values`` (up to the gradients), ``named_values`` (everything).
Per-sample names (everything up to the gradients) are those of the chosen
sample; ``w5+``, ``b1+`` and the ``+`` values are those of the whole step.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from stepgrad.network import value_names

if TYPE_CHECKING:
    from stepgrad.core.trace import BackwardTrace, ForwardTrace, Trace


def forward_values(trace: ForwardTrace, sample: int = 0, suffix: str = "") -> dict[str, float]:
    """Inputs, targets, parameters, then ``net``/``out`` of every neuron and the errors.

    With ``suffix="+"`` only the pass's own values (``net_h1+``, ``out_h1+``, ``E_o1+``,
    ``E_total+``): how the derivation names the forward pass of the updated network.
    """
    names = trace.names
    outputs = names.neurons[-1]
    values: dict[str, float] = {}
    if not suffix:
        for i, name in enumerate(names.inputs):
            values[name] = float(trace.inputs[sample, i])
        if trace.targets is not None:
            for k, name in enumerate(outputs):
                values[value_names.target(name)] = float(trace.targets[sample, k])
        for weight in names.all_weights():
            values[weight.name] = float(trace.network.layers[weight.layer].weights[weight.neuron, weight.source])
        for bias in names.all_biases():
            values[bias.name] = float(trace.network.layers[bias.layer].bias[bias.index])
    for layer_index, layer in enumerate(trace.layers):
        for j, neuron in enumerate(names.neurons[layer_index]):
            values[value_names.net(neuron, suffix)] = float(layer.net[sample, j])
            values[value_names.out(neuron, suffix)] = float(layer.out[sample, j])
            if suffix and trace.error_terms is not None and layer_index == len(trace.layers) - 1:
                # The "+" names keep each output's error right after its net and out; the derivation
                # itself works all the errors after the whole pass.
                values[value_names.error(neuron, suffix)] = float(trace.error_terms[sample, j])
    if trace.error_terms is not None:
        if not suffix:  # with the suffix they are written above, next to their outputs
            for k, name in enumerate(outputs):
                values[value_names.error(name)] = float(trace.error_terms[sample, k])
        values[value_names.error_total(suffix)] = float(trace.error_total[sample])
    return values


def backward_values(trace: BackwardTrace, sample: int = 0) -> dict[str, float]:
    """The forward values, then every layer's chain-rule factors, deltas and gradients, output layer first."""
    values = forward_values(trace.forward, sample)
    names = trace.forward.names
    for layer_index in reversed(range(len(trace.gradients))):
        layer = trace.gradients[layer_index]
        a_prev = trace.forward.a_prev(layer_index)
        for j, neuron in enumerate(names.neurons[layer_index]):
            if layer.contributions is not None:
                for k, next_neuron in enumerate(names.neurons[layer_index + 1]):
                    values[value_names.sent_back(next_neuron, neuron)] = float(layer.contributions[sample, k, j])
            values[value_names.dE_dout(neuron)] = float(layer.dE_dout[sample, j])
            values[value_names.dout_dnet(neuron)] = float(layer.dout_dnet[sample, j])
            values[value_names.delta(neuron)] = float(layer.delta[sample, j])
            for i, weight_name in enumerate(names.weights[layer_index][j]):
                values[value_names.dnet_dw(neuron, weight_name)] = float(a_prev[sample, i])
                values[value_names.gradient(weight_name)] = float(layer.grad_w_per_sample[sample, j, i])
        for k, bias_name in enumerate(names.biases[layer_index]):
            values[value_names.gradient(bias_name)] = float(layer.grad_b_per_sample[sample, k])
    return values


def named_values(trace: Trace, sample: int = 0) -> dict[str, float]:
    """Every named value of ``sample`` in ``trace``, in the order a person works the example."""
    values = backward_values(trace.backward, sample)
    names = trace.names
    if trace.regularization:  # E_reg and each weight's dE_reg/dw, the term its update adds
        values[value_names.penalty()] = trace.penalty
        for weight in names.all_weights():
            penalty_w = trace.layers[weight.layer].penalty_w
            assert penalty_w is not None
            values[value_names.penalty_gradient(weight.name)] = float(penalty_w[weight.neuron, weight.source])
    for weight in names.all_weights():
        values[f"{weight.name}+"] = float(trace.layers[weight.layer].weights_new[weight.neuron, weight.source])
    for bias in names.all_biases():
        if trace.network.layers[bias.layer].trains_bias:
            values[f"{bias.name}+"] = float(trace.layers[bias.layer].bias_new[bias.index])
    values.update(forward_values(trace.after, sample, suffix="+"))
    return values
