"""A peer: the classic example trained the way the classic tutorial script does it.

Plain Python objects, one neuron at a time, ``math.exp``, no NumPy; the hidden deltas use
the output weights from before the update (as stepgrad does), so the numbers are the same.
"""

from __future__ import annotations

import math


class Neuron:
    """A logistic neuron with its incoming weights and its layer's (frozen, shared) bias."""

    def __init__(self, weights: list[float], bias: float) -> None:
        self.weights = list(weights)
        self.bias = bias
        self.inputs: list[float] = []
        self.output = 0.0

    def calculate_output(self, inputs: list[float]) -> float:
        self.inputs = inputs
        net = self.bias
        for x, w in zip(inputs, self.weights, strict=True):
            net += x * w
        self.output = 1.0 / (1.0 + math.exp(-net))
        return self.output

    def pd_error_wrt_net(self, target: float) -> float:
        # delta_o = −(target − out) · out·(1 − out)
        return -(target - self.output) * self.output * (1.0 - self.output)

    def error(self, target: float) -> float:
        return 0.5 * (target - self.output) ** 2


class Layer:
    def __init__(self, weights: list[list[float]], bias: float) -> None:
        self.neurons = [Neuron(row, bias) for row in weights]

    def feed_forward(self, inputs: list[float]) -> list[float]:
        return [neuron.calculate_output(inputs) for neuron in self.neurons]


class ClassicNetwork:
    """2 inputs, 2 hidden and 2 output logistic neurons, trained one sample at a time."""

    def __init__(
        self,
        hidden: list[list[float]],
        hidden_bias: float,
        output: list[list[float]],
        output_bias: float,
        learning_rate: float,
    ) -> None:
        self.hidden = Layer(hidden, hidden_bias)
        self.output = Layer(output, output_bias)
        self.learning_rate = learning_rate

    def feed_forward(self, inputs: list[float]) -> list[float]:
        return self.output.feed_forward(self.hidden.feed_forward(inputs))

    def train(self, inputs: list[float], targets: list[float]) -> None:
        self.feed_forward(inputs)
        output_deltas = [n.pd_error_wrt_net(t) for n, t in zip(self.output.neurons, targets, strict=True)]
        hidden_deltas = []
        for h, hidden_neuron in enumerate(self.hidden.neurons):
            dE_dout = sum(delta * o.weights[h] for delta, o in zip(output_deltas, self.output.neurons, strict=True))
            hidden_deltas.append(dE_dout * hidden_neuron.output * (1.0 - hidden_neuron.output))
        for delta, neuron in zip(output_deltas, self.output.neurons, strict=True):
            for i, x in enumerate(neuron.inputs):
                neuron.weights[i] -= self.learning_rate * delta * x
        for delta, neuron in zip(hidden_deltas, self.hidden.neurons, strict=True):
            for i, x in enumerate(neuron.inputs):
                neuron.weights[i] -= self.learning_rate * delta * x

    def total_error(self, inputs: list[float], targets: list[float]) -> float:
        self.feed_forward(inputs)
        return sum(n.error(t) for n, t in zip(self.output.neurons, targets, strict=True))


def train_classic(steps: int) -> float:
    """``steps`` online updates of the classic network; returns ``E_total`` afterwards."""
    network = ClassicNetwork([[0.15, 0.20], [0.25, 0.30]], 0.35, [[0.40, 0.45], [0.50, 0.55]], 0.60, 0.5)
    for _ in range(steps):
        network.train([0.05, 0.10], [0.01, 0.99])
    return network.total_error([0.05, 0.10], [0.01, 0.99])
