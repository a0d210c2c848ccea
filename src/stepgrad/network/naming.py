"""The classic example's names for inputs, neurons, weights and biases.

* inputs ``i1, i2, …``;
* neurons ``h1, h2, …`` when there is one hidden layer, ``h1_1, h1_2, h2_1, …``
  (layer, neuron) when there are several; outputs ``o1, o2, …``;
* weights ``w1, w2, …`` in forward order: layer by layer, neuron by neuron,
  input by input (``w1`` is i1→h1, ``w2`` i2→h1, ``w3`` i1→h2, …);
* biases ``b1, b2, …`` in the same order: one per layer when shared, one per
  neuron otherwise, none for a layer without bias.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from stepgrad.network.model import Network


@dataclass(frozen=True)
class WeightName:
    """Where weight ``name`` sits: ``layer`` (0 = first hidden), into ``neuron`` from ``source``."""

    name: str
    layer: int
    neuron: int
    source: int


@dataclass(frozen=True)
class BiasName:
    """Bias parameter ``name`` of ``layer``; ``index`` into the layer's bias array."""

    name: str
    layer: int
    index: int


@dataclass(frozen=True)
class Names:
    """Every name of a network, indexed the way the arrays are.

    Attributes:
        inputs: ``["i1", "i2", …]``.
        neurons: per layer, the neuron names (``neurons[-1]`` are the outputs).
        weights: per layer, ``weights[l][j][i]`` names the weight into neuron j from input i.
        biases: per layer, the names of the bias parameters (empty when none).
    """

    inputs: list[str]
    neurons: list[list[str]]
    weights: list[list[list[str]]]
    biases: list[list[str]]

    def sources(self, layer: int) -> list[str]:
        """The names of what feeds ``layer``: the inputs or the previous layer's neurons."""
        return self.inputs if layer == 0 else self.neurons[layer - 1]

    def all_weights(self) -> list[WeightName]:
        """Every weight in forward order."""
        return [
            WeightName(name, layer, neuron, source)
            for layer, rows in enumerate(self.weights)
            for neuron, row in enumerate(rows)
            for source, name in enumerate(row)
        ]

    def all_biases(self) -> list[BiasName]:
        """Every bias parameter in forward order."""
        return [
            BiasName(name, layer, index) for layer, names in enumerate(self.biases) for index, name in enumerate(names)
        ]

    def bias_of(self, layer: int, neuron: int) -> str | None:
        """The name of the bias neuron ``neuron`` of ``layer`` adds, or None."""
        names = self.biases[layer]
        if not names:
            return None
        return names[0] if len(names) == 1 else names[neuron]


def neuron_names(sizes: list[int]) -> list[list[str]]:
    """Names of the neurons of each layer after the inputs, from ``[n_in, n1, …, n_out]``."""
    hidden_sizes = sizes[1:-1]
    names: list[list[str]] = []
    for layer, size in enumerate(hidden_sizes, start=1):
        if len(hidden_sizes) == 1:
            names.append([f"h{j}" for j in range(1, size + 1)])
        else:
            names.append([f"h{layer}_{j}" for j in range(1, size + 1)])
    names.append([f"o{j}" for j in range(1, sizes[-1] + 1)])
    return names


def network_names(network: Network) -> Names:
    """All names of ``network``."""
    sizes = network.sizes
    weights: list[list[list[str]]] = []
    biases: list[list[str]] = []
    weight_count = 0
    bias_count = 0
    for layer in network.layers:
        rows = []
        for _ in range(layer.n_out):
            rows.append([f"w{weight_count + i + 1}" for i in range(layer.n_in)])
            weight_count += layer.n_in
        weights.append(rows)
        biases.append([f"b{bias_count + k + 1}" for k in range(layer.bias.size)])
        bias_count += layer.bias.size
    return Names(
        inputs=[f"i{i}" for i in range(1, sizes[0] + 1)],
        neurons=neuron_names(sizes),
        weights=weights,
        biases=biases,
    )
