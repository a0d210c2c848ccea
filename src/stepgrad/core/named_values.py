"""A trace's numbers under the derivation's names (``out_h1``, ``dE_total/dw5``, ``w5+`` …).

This only looks values up in the trace; it computes nothing. The names and their order are
``stepgrad.network.step_order``'s, the order a person works the example:

* ``i1``, ``target_o1``, ``w1``, ``b1`` (the inputs, targets and parameters);
* ``net_h1``, ``out_h1`` layer by layer, ``E_o1``, ``E_total`` (then ``E_reg`` when regularized);
* output layer first: ``dE_total/dout_o1`` (for a hidden neuron ``dE_o1/dout_h1``, what output o1
  sends back, then their sum ``dE_total/dout_h1``), ``dout_o1/dnet_o1``, ``delta_o1``, and for
  each weight ``dnet_o1/dw5``, ``dE_total/dw5`` (``dE_reg/dw5`` when regularized) and the new ``w5+``;
* for each bias ``dE_total/db1`` and, when it trains, ``b1+``;
* after the update, the forward pass again: ``net_h1+``, ``out_h1+`` of every neuron, then
  ``E_o1+`` and ``E_total+``.

Each stage has the names known so far: ``forward_values`` (up to ``E_total``),
``backward_values`` (up to the gradients), ``named_values`` (everything).
Per-sample names (everything up to the gradients) are those of the chosen
sample; ``w5+``, ``b1+`` and the ``+`` values are those of the whole step.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from stepgrad.network.step_order import Slot, step_order

if TYPE_CHECKING:
    from stepgrad.core.trace import BackwardTrace, ForwardTrace, Trace

FORWARD_KINDS = frozenset({"input", "target", "weight", "bias", "net", "out", "error", "error_total"})
UPDATE_KINDS = frozenset({"update_w", "update_b"})
AFTER_KINDS = frozenset({"net_new", "out_new", "error_new", "error_total_new"})
ERROR_KINDS = frozenset({"target", "error", "error_total", "error_new", "error_total_new"})


def _forward_value(trace: ForwardTrace, slot: Slot, sample: int) -> float:
    """A given number, ``net``/``out`` or an error of ``trace`` (``…_new``: of the pass after the update)."""
    kind, at = slot.kind.removesuffix("_new"), slot.at
    if kind == "input":
        return float(trace.inputs[sample, at[0]])
    if kind == "target":
        return float(trace.targets[sample, at[0]])  # type: ignore[index]  # only read with targets
    if kind == "weight":
        return float(trace.network.layers[at[0]].weights[at[1], at[2]])
    if kind == "bias":
        return float(trace.network.layers[at[0]].bias[at[1]])
    if kind in ("net", "out"):
        return float(getattr(trace.layers[at[0]], kind)[sample, at[1]])
    if kind == "error":
        return float(trace.error_terms[sample, at[0]])  # type: ignore[index]
    return float(trace.error_total[sample])


# the per-neuron array of a layer's backward trace that holds each kind of value
_NEURON_ARRAYS = {
    "output_dE_dout": "dE_dout",
    "hidden_dE_dout": "dE_dout",
    "dout_dnet": "dout_dnet",
    "output_delta": "delta",
    "hidden_delta": "delta",
    "grad_b": "grad_b_per_sample",
}


def _backward_value(trace: BackwardTrace, slot: Slot, sample: int) -> float:
    """A chain-rule factor, delta or gradient of ``trace``."""
    at = slot.at
    if slot.kind in ("output_dE_dout", "output_delta"):  # indexed by output alone
        at = (len(trace.gradients) - 1, *at)
    layer = trace.gradients[at[0]]
    if slot.kind == "contribution":
        return float(layer.contributions[sample, at[1], at[2]])  # type: ignore[index]  # a hidden layer's
    if slot.kind == "dnet_dw":
        return float(trace.forward.a_prev(at[0])[sample, at[2]])
    if slot.kind == "grad_w":
        return float(layer.grad_w_per_sample[sample, at[1], at[2]])
    return float(getattr(layer, _NEURON_ARRAYS[slot.kind])[sample, at[1]])


def _readable(trace: ForwardTrace, slot: Slot) -> bool:
    """Whether a pass has ``slot``'s value: without targets it has no errors."""
    return trace.targets is not None or slot.kind not in ERROR_KINDS


def forward_values(trace: ForwardTrace, sample: int = 0) -> dict[str, float]:
    """Inputs, targets, parameters, then ``net``/``out`` of every neuron and the errors."""
    return {
        slot.name: _forward_value(trace, slot, sample)
        for slot in step_order(trace.network, trace.names)
        if slot.kind in FORWARD_KINDS and _readable(trace, slot)
    }


def backward_values(trace: BackwardTrace, sample: int = 0) -> dict[str, float]:
    """The forward values, then every layer's chain-rule factors, deltas and gradients, output layer first."""
    forward = trace.forward
    return {
        slot.name: _forward_value(forward, slot, sample)
        if slot.kind in FORWARD_KINDS
        else _backward_value(trace, slot, sample)
        for slot in step_order(forward.network, forward.names)
        if slot.kind not in UPDATE_KINDS | AFTER_KINDS
    }


def named_values(trace: Trace, sample: int = 0) -> dict[str, float]:
    """Every named value of ``sample`` in ``trace``, in the order a person works the example."""
    values: dict[str, float] = {}
    for slot in step_order(trace.network, trace.names, bool(trace.regularization)):
        if slot.kind in FORWARD_KINDS:
            values[slot.name] = _forward_value(trace.forward, slot, sample)
        elif slot.kind in AFTER_KINDS:
            values[slot.name] = _forward_value(trace.after, slot, sample)
        elif slot.kind == "update_w":
            layer, j, i = slot.at
            values[slot.name] = float(trace.layers[layer].weights_new[j, i])
        elif slot.kind == "update_b":
            values[slot.name] = float(trace.layers[slot.at[0]].bias_new[slot.at[1]])
        elif slot.kind == "penalty":  # E_reg, the weights' L1/L2 term the step also lowers
            values[slot.name] = trace.penalty
        elif slot.kind == "penalty_w":  # dE_reg/dw, the term the weight's update adds
            layer, j, i = slot.at
            penalty_w = trace.layers[layer].penalty_w
            assert penalty_w is not None
            values[slot.name] = float(penalty_w[j, i])
        else:
            values[slot.name] = _backward_value(trace.backward, slot, sample)
    return values
