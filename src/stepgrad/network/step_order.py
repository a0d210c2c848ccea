"""The order a person works one training step by hand, defined once.

It follows the classic worked example: the given numbers, then

1. the forward pass, layer by layer: ``net`` then ``out`` of each neuron (a softmax layer
   needs all its nets before any out);
2. the total error: ``E_o`` of each output, then ``E_total`` (and ``E_reg``, the weights'
   L1/L2 term, when the step is regularized);
3. the backward pass, output layer first, neuron by neuron: ``dE_total/dout`` (for a hidden
   neuron, what each neuron of the next layer sends back, ``dE_o1/dout_h1``, then their sum),
   ``dout/dnet``, ``delta``, and for each weight ``dnet/dw``, ``dE_total/dw`` (``dE_reg/dw`` when
   regularized) and at once the new weight ``w+`` (as the classic text does: "we then subtract
   this value from the current weight"; every gradient still uses the original weights);
4. the biases: ``dE_total/db`` (a shared bias sums its layer's deltas) and ``b+`` when it trains;
5. the error after the update: the forward pass again (``net_h1+``, ``out_h1+``), then
   ``E_o1+`` and ``E_total+``.

``core.named_values`` (``trace.values()``), the derivation and ``check`` (its recompute table and
the order it reports values in) all read this list.
"""

from __future__ import annotations

from dataclasses import dataclass

from stepgrad.functions import get_activation, get_loss
from stepgrad.network import value_names
from stepgrad.network.model import Network
from stepgrad.network.naming import Names, network_names

GIVEN = "Given"
FORWARD = "Forward pass"
TOTAL_ERROR = "Total error"
OUTPUT_LAYER = "Backward pass: output layer"
BIASES = "Backward pass: biases"
AFTER = "Error after the update"

GIVEN_KINDS = frozenset({"input", "target", "weight", "bias"})


def hidden_layer_group(layer: int, n_layers: int) -> str:
    """``Backward pass: hidden layer`` (one hidden layer) or ``… hidden layer 2``."""
    return "Backward pass: hidden layer" if n_layers == 2 else f"Backward pass: hidden layer {layer + 1}"


@dataclass(frozen=True)
class Slot:
    """One value of the step, in its place.

    Attributes:
        kind: what it is: a given number (``input``, ``target``, ``weight``, ``bias``) or the
            ``check.recompute.Rules`` field that computes it (``net``, ``output_delta``, ``update_w`` …).
        at: its indices: ``(layer, neuron)``, ``(layer, neuron, source)`` for a weight's values,
            ``(output,)`` for an error, ``(layer, upper, neuron)`` for what ``upper`` sends back,
            ``(layer, index)`` for a bias, ``(input,)`` for an input.
        name: its value name (``net_h1``, ``dE_total/dw5``, ``w5+``).
        group: the part of the derivation it belongs to (``Forward pass`` …).
        shown: whether the derivation works it as a step (given numbers are not, nor ``dout/dnet``
            of a softmax output whose delta collapses to ``out − target``).
    """

    kind: str
    at: tuple[int, ...]
    name: str
    group: str
    shown: bool = True


def step_order(network: Network, names: Names | None = None, regularized: bool = False) -> list[Slot]:
    """Every value of one training step of ``network``, in the order a person works them.

    ``regularized``: the step's weights carry an L1/L2 term (``E_reg``, ``dE_reg/dw`` before each ``w+``).
    """
    names = names if names is not None else network_names(network)
    return [
        *_given(network, names),
        *_forward(network, names, ""),
        *_errors(names, ""),
        *([Slot("penalty", (), value_names.penalty(), TOTAL_ERROR)] if regularized else []),
        *(
            slot
            for layer in reversed(range(len(network.layers)))
            for slot in _backward(network, names, layer, regularized)
        ),
        *_biases(network, names),
        *_forward(network, names, value_names.AFTER),
        *_errors(names, value_names.AFTER),
    ]


def _given(network: Network, names: Names) -> list[Slot]:
    """Inputs, targets, weights and biases."""
    return [
        *(Slot("input", (i,), name, GIVEN, False) for i, name in enumerate(names.inputs)),
        *(Slot("target", (k,), value_names.target(o), GIVEN, False) for k, o in enumerate(names.neurons[-1])),
        *(Slot("weight", (w.layer, w.neuron, w.source), w.name, GIVEN, False) for w in names.all_weights()),
        *(Slot("bias", (b.layer, b.index), b.name, GIVEN, False) for b in names.all_biases()),
    ]


def _forward(network: Network, names: Names, after: str) -> list[Slot]:
    """``net`` and ``out`` of each neuron, layer by layer (``after="+"``: with the updated parameters)."""
    new = "_new" if after else ""
    group = AFTER if after else FORWARD
    found: list[Slot] = []
    for layer, neurons in enumerate(names.neurons):
        nets = [Slot(f"net{new}", (layer, j), value_names.net(n, after), group) for j, n in enumerate(neurons)]
        outs = [Slot(f"out{new}", (layer, j), value_names.out(n, after), group) for j, n in enumerate(neurons)]
        if get_activation(network.layers[layer].activation).elementwise:
            found += [slot for pair in zip(nets, outs, strict=True) for slot in pair]
        else:  # every out reads the whole layer's nets
            found += nets + outs
    return found


def _errors(names: Names, after: str) -> list[Slot]:
    """``E_o`` of each output, then ``E_total``."""
    new = "_new" if after else ""
    group = AFTER if after else TOTAL_ERROR
    outputs = names.neurons[-1]
    return [
        *(Slot(f"error{new}", (k,), value_names.error(o, after), group) for k, o in enumerate(outputs)),
        Slot(f"error_total{new}", (), value_names.error_total(after), group),
    ]


def _backward(network: Network, names: Names, layer: int, regularized: bool) -> list[Slot]:
    """One layer's chain rule, neuron by neuron: ``dE_total/dout``, ``dout/dnet``, ``delta``, then each weight."""
    n_layers = len(network.layers)
    is_output = layer == n_layers - 1
    group = OUTPUT_LAYER if is_output else hidden_layer_group(layer, n_layers)
    activation = get_activation(network.layers[layer].activation)
    # softmax: with its paired loss delta = out − target; with another (binary_cross_entropy) each delta reads
    # the whole Jacobian, out_k·(dE/dout_k − Σ_j dE/dout_j·out_j): no single dout/dnet factor is shown
    factor_shown = activation.elementwise
    jacobian = not activation.elementwise and activation.name not in get_loss(network.loss).paired
    found: list[Slot] = []
    if jacobian:  # every delta reads every dE_total/dout: they come first
        found += [
            Slot("output_dE_dout", (j,), value_names.dE_dout(n), group) for j, n in enumerate(names.neurons[layer])
        ]
    for j, neuron in enumerate(names.neurons[layer]):
        if is_output:
            if not jacobian:
                found.append(Slot("output_dE_dout", (j,), value_names.dE_dout(neuron), group))
        else:
            found += [
                Slot("contribution", (layer, k, j), value_names.sent_back(upper, neuron), group)
                for k, upper in enumerate(names.neurons[layer + 1])
            ]
            found.append(Slot("hidden_dE_dout", (layer, j), value_names.dE_dout(neuron), group))
        found.append(Slot("dout_dnet", (layer, j), value_names.dout_dnet(neuron), group, factor_shown))
        found.append(
            Slot("output_delta", (j,), value_names.delta(neuron), group)
            if is_output
            else Slot("hidden_delta", (layer, j), value_names.delta(neuron), group)
        )
        for i, weight in enumerate(names.weights[layer][j]):
            found += [
                Slot("dnet_dw", (layer, j, i), value_names.dnet_dw(neuron, weight), group),
                Slot("grad_w", (layer, j, i), value_names.gradient(weight), group),
                *(
                    [Slot("penalty_w", (layer, j, i), value_names.penalty_gradient(weight), group)]
                    if regularized
                    else []
                ),
                Slot("update_w", (layer, j, i), value_names.updated(weight), group),
            ]
    return found


def _biases(network: Network, names: Names) -> list[Slot]:
    """``dE_total/db`` of each bias and, when it trains, ``b+``."""
    found: list[Slot] = []
    for bias in names.all_biases():
        found.append(Slot("grad_b", (bias.layer, bias.index), value_names.gradient(bias.name), BIASES))
        if network.layers[bias.layer].trains_bias:
            found.append(Slot("update_b", (bias.layer, bias.index), value_names.updated(bias.name), BIASES))
    return found
