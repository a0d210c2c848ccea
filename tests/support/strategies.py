"""Hypothesis strategies for random small networks with data that suits their loss."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from stepgrad.functions import LOSSES
from stepgrad.network import Layer, Network

HIDDEN_ACTIVATIONS = ["sigmoid", "tanh", "relu", "leaky_relu", "linear"]
# Output activation choices per loss of the registry (a loss added there is drawn too): the one a loss pairs
# with (``Loss.paired_output``: cross-entropy softmax, binary cross-entropy sigmoid), else any of the above.
OUTPUTS_FOR_LOSS = {
    name: [entry.paired_output] if entry.paired_output else HIDDEN_ACTIVATIONS for name, entry in LOSSES.items()
}
BIAS_MODES = ["shared", "per_neuron", "none"]


@st.composite
def network_problems(draw: st.DrawFn, max_layers: int = 4, max_neurons: int = 6, max_batch: int = 3):
    """(network, inputs, targets) with 1–4 layers, 1–6 neurons, every activation, loss and bias mode."""
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    loss = draw(st.sampled_from(sorted(OUTPUTS_FOR_LOSS)))
    n_layers = draw(st.integers(1, max_layers))
    sizes = [draw(st.integers(1, max_neurons)) for _ in range(n_layers + 1)]
    output_activation = draw(st.sampled_from(OUTPUTS_FOR_LOSS[loss]))
    if output_activation == "softmax" and sizes[-1] == 1:
        sizes[-1] = 2
    layers = []
    for index in range(n_layers):
        n_in, n_out = sizes[index], sizes[index + 1]
        activation = output_activation if index == n_layers - 1 else draw(st.sampled_from(HIDDEN_ACTIVATIONS))
        mode = draw(st.sampled_from(BIAS_MODES))
        bias = {"shared": rng.normal(size=1), "per_neuron": rng.normal(size=n_out), "none": np.zeros(0)}[mode]
        layers.append(
            Layer(
                weights=rng.normal(scale=0.8, size=(n_out, n_in)),
                bias=bias,
                activation=activation,
                train_bias=draw(st.booleans()),
            )
        )
    network = Network(layers=tuple(layers), loss=loss)
    batch = draw(st.integers(1, max_batch))
    inputs = rng.normal(size=(batch, sizes[0]))
    if loss == "cross_entropy":
        # A distribution over the outputs per sample (non-negative, summing to 1).
        targets = rng.dirichlet(np.ones(sizes[-1]), size=batch)
    elif loss == "binary_cross_entropy" or output_activation == "sigmoid":
        # Probabilities, as binary cross-entropy requires (and reachable by sigmoid outputs).
        targets = rng.uniform(0.05, 0.95, size=(batch, sizes[-1]))
    else:
        targets = rng.normal(size=(batch, sizes[-1]))
    return network, inputs, targets
