"""A peer, run as a whole process: the classic worked example's own kind of script.

The classic text (Matt Mazur's "A Step by Step Backpropagation Example") ends with a plain-Python
script: neuron, layer and network classes, ``math.exp``, no NumPy, and a loop that trains the
2-2-2 network 10,000 times on its one sample. This is that script's structure written out again,
with one change for a like-for-like comparison: it prints the error every 1,000 steps and the final
outputs, as ``stepgrad train`` does (the original prints the error after every step). The hidden
deltas use the output weights from before the update, as the original and stepgrad do, so the
figures are stepgrad's: ``python benchmarks/classic_script.py`` ends with ``E_total = 3.510187783e-05``.
"""

from __future__ import annotations

import math

LEARNING_RATE = 0.5
STEPS = 10_000


class Neuron:
    """A logistic neuron: its incoming weights, its layer's bias, and what it saw and gave last."""

    def __init__(self, bias: float) -> None:
        self.bias = bias
        self.weights: list[float] = []
        self.inputs: list[float] = []
        self.output = 0.0

    def calculate_output(self, inputs: list[float]) -> float:
        self.inputs = inputs
        self.output = self.squash(self.calculate_total_net_input())
        return self.output

    def calculate_total_net_input(self) -> float:
        total = 0.0
        for i in range(len(self.inputs)):
            total += self.inputs[i] * self.weights[i]
        return total + self.bias

    @staticmethod
    def squash(total_net_input: float) -> float:
        return 1.0 / (1.0 + math.exp(-total_net_input))

    def calculate_pd_error_wrt_total_net_input(self, target_output: float) -> float:
        # delta = dE/dout · dout/dnet
        return self.calculate_pd_error_wrt_output(target_output) * self.calculate_pd_total_net_input_wrt_input()

    def calculate_error(self, target_output: float) -> float:
        return 0.5 * (target_output - self.output) ** 2

    def calculate_pd_error_wrt_output(self, target_output: float) -> float:
        return -(target_output - self.output)

    def calculate_pd_total_net_input_wrt_input(self) -> float:
        return self.output * (1.0 - self.output)

    def calculate_pd_total_net_input_wrt_weight(self, index: int) -> float:
        return self.inputs[index]


class NeuronLayer:
    """Neurons sharing one bias."""

    def __init__(self, num_neurons: int, bias: float) -> None:
        self.bias = bias
        self.neurons = [Neuron(bias) for _ in range(num_neurons)]

    def feed_forward(self, inputs: list[float]) -> list[float]:
        return [neuron.calculate_output(inputs) for neuron in self.neurons]

    def get_outputs(self) -> list[float]:
        return [neuron.output for neuron in self.neurons]


class NeuralNetwork:
    """Inputs, one hidden layer and one output layer, trained one sample at a time."""

    def __init__(
        self,
        num_inputs: int,
        num_hidden: int,
        num_outputs: int,
        hidden_layer_weights: list[float],
        hidden_layer_bias: float,
        output_layer_weights: list[float],
        output_layer_bias: float,
    ) -> None:
        self.num_inputs = num_inputs
        self.hidden_layer = NeuronLayer(num_hidden, hidden_layer_bias)
        self.output_layer = NeuronLayer(num_outputs, output_layer_bias)
        weight_num = 0
        for neuron in self.hidden_layer.neurons:
            for _ in range(num_inputs):
                neuron.weights.append(hidden_layer_weights[weight_num])
                weight_num += 1
        weight_num = 0
        for neuron in self.output_layer.neurons:
            for _ in range(num_hidden):
                neuron.weights.append(output_layer_weights[weight_num])
                weight_num += 1

    def feed_forward(self, inputs: list[float]) -> list[float]:
        return self.output_layer.feed_forward(self.hidden_layer.feed_forward(inputs))

    def train(self, training_inputs: list[float], training_outputs: list[float]) -> None:
        self.feed_forward(training_inputs)
        outputs, hidden = self.output_layer.neurons, self.hidden_layer.neurons
        # 1. output neuron deltas
        output_deltas = [
            outputs[o].calculate_pd_error_wrt_total_net_input(training_outputs[o]) for o in range(len(outputs))
        ]
        # 2. hidden neuron deltas, through the output weights before this step's update
        hidden_deltas = [0.0] * len(hidden)
        for h in range(len(hidden)):
            d_error_wrt_hidden_output = 0.0
            for o in range(len(outputs)):
                d_error_wrt_hidden_output += output_deltas[o] * outputs[o].weights[h]
            hidden_deltas[h] = d_error_wrt_hidden_output * hidden[h].calculate_pd_total_net_input_wrt_input()
        # 3. output weights
        for o in range(len(outputs)):
            for w_ho in range(len(outputs[o].weights)):
                pd_error_wrt_weight = output_deltas[o] * outputs[o].calculate_pd_total_net_input_wrt_weight(w_ho)
                outputs[o].weights[w_ho] -= LEARNING_RATE * pd_error_wrt_weight
        # 4. hidden weights
        for h in range(len(hidden)):
            for w_ih in range(len(hidden[h].weights)):
                pd_error_wrt_weight = hidden_deltas[h] * hidden[h].calculate_pd_total_net_input_wrt_weight(w_ih)
                hidden[h].weights[w_ih] -= LEARNING_RATE * pd_error_wrt_weight

    def calculate_total_error(self, training_sets: list[tuple[list[float], list[float]]]) -> float:
        total_error = 0.0
        for training_inputs, training_outputs in training_sets:
            self.feed_forward(training_inputs)
            for o in range(len(training_outputs)):
                total_error += self.output_layer.neurons[o].calculate_error(training_outputs[o])
        return total_error


def main() -> None:
    inputs, targets = [0.05, 0.10], [0.01, 0.99]
    nn = NeuralNetwork(
        2,
        2,
        2,
        hidden_layer_weights=[0.15, 0.20, 0.25, 0.30],
        hidden_layer_bias=0.35,
        output_layer_weights=[0.40, 0.45, 0.50, 0.55],
        output_layer_bias=0.60,
    )
    print(f"step {0:>5}  E_total = {nn.calculate_total_error([(inputs, targets)]):.10g}")
    for i in range(1, STEPS + 1):
        nn.train(inputs, targets)
        if i % 1000 == 0:
            print(f"step {i:>5}  E_total = {nn.calculate_total_error([(inputs, targets)]):.10g}")
    outputs = nn.output_layer.get_outputs()
    print(f"out_o1 = {outputs[0]:.9g} (target {targets[0]}), out_o2 = {outputs[1]:.9g} (target {targets[1]})")


if __name__ == "__main__":
    main()
