"""A learner working one training step on paper, written independently of ``stepgrad.check``.

Plain Python and NumPy: the forward pass, the errors, the backward pass and the updates
with the names of the derivation, every value rounded to ``decimals`` and used rounded in the
steps after it, as a person with a calculator does. ``slip`` applies one known wrong rule by
hand, the way the mistakes of the issue describe it. Nothing here reads the checker's rule
tables or mistake registry, so the property test can fail for the reasons a learner would.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from stepgrad.network import Layer, Network, Setup

#: Each mistake of the issue, with the forms a learner writes it in.
SLIPS: dict[str, tuple[str, ...]] = {
    "sign_flipped": ("",),
    "gradient_added": ("",),
    "learning_rate_forgotten": ("",),
    "updated_output_weights": ("",),
    "derivative_of_net": ("",),
    "factor_two": ("",),
    "spurious_half": ("",),
    "bias_left_out": ("",),
    "one_output_only": ("",),
    "wrong_weight_index": ("transposed", "next input", "next neuron"),
    "tanh_derivative_mixup": ("out(1-out)", "1-net^2", "1-out"),
    "relu_derivative_mixup": ("1", "out", "leaky as relu"),
    "softmax_as_logistic": ("chain", "squared"),
}


@dataclass(frozen=True)
class Slip:
    """One wrong rule: ``mistake`` in one of its ``form``s (``SLIPS``)."""

    mistake: str
    form: str = ""


@dataclass
class Paper:
    """A network as written on the sheet: plain lists, the derivation's names."""

    inputs: list[float]
    targets: list[float]
    eta: float
    loss: str
    activations: list[str]
    weights: list[list[list[float]]]  # [layer][neuron][input]
    biases: list[list[float]]  # [layer][] one (shared), one per neuron, or none
    train_bias: bool

    @property
    def sizes(self) -> list[int]:
        return [len(self.inputs), *(len(layer) for layer in self.weights)]

    def neurons(self, layer: int) -> list[str]:
        count, n_layers = self.sizes[layer + 1], len(self.weights)
        if layer == n_layers - 1:
            return [f"o{j + 1}" for j in range(count)]
        if n_layers == 2:
            return [f"h{j + 1}" for j in range(count)]
        return [f"h{layer + 1}_{j + 1}" for j in range(count)]

    def weight_names(self) -> list[list[list[str]]]:
        number, names = 0, []
        for layer in self.weights:
            rows = []
            for row in layer:
                rows.append([f"w{number + i + 1}" for i in range(len(row))])
                number += len(row)
            names.append(rows)
        return names

    def bias_names(self) -> list[list[str]]:
        number, names = 0, []
        for layer in self.biases:
            names.append([f"b{number + k + 1}" for k in range(len(layer))])
            number += len(layer)
        return names

    @classmethod
    def of(cls, setup: Setup) -> Paper:
        """The paper of a one-sample ``setup`` (e.g. a generated exercise)."""
        layers = setup.network.layers
        return cls(
            inputs=[float(x) for x in setup.inputs[0]],
            targets=[float(x) for x in setup.targets[0]],
            eta=float(setup.learning_rate),
            loss=setup.network.loss,
            activations=[layer.activation for layer in layers],
            weights=[layer.weights.tolist() for layer in layers],
            biases=[layer.bias.tolist() for layer in layers],
            train_bias=layers[0].trains_bias,
        )

    def setup(self) -> Setup:
        layers = tuple(
            Layer(np.array(w), np.array(b), activation, train_bias=self.train_bias)
            for w, b, activation in zip(self.weights, self.biases, self.activations, strict=True)
        )
        return Setup(Network(layers, self.loss), [self.inputs], [self.targets], self.eta)


def random_paper(
    rng: np.random.Generator, hidden: str, output: str, loss: str, min_width: int = 1, with_bias: bool = False
) -> Paper:
    """1–3 hidden layers of 1–4 neurons, two-decimal numbers; ``min_width`` for the layers after the first."""
    n_hidden = int(rng.integers(1, 4))
    n_out = int(rng.integers(max(2 if output == "softmax" else 1, min_width), 5))
    sizes = [int(rng.integers(1, 5))] + [int(rng.integers(min_width, 5)) for _ in range(n_hidden)] + [n_out]
    bias_mode = rng.choice(["shared", "per_neuron"] if with_bias else ["shared", "per_neuron", "none"])
    weights, biases = [], []
    for index in range(1, len(sizes)):
        weights.append(np.round(rng.uniform(-0.9, 0.9, (sizes[index], sizes[index - 1])), 2).tolist())
        count = {"shared": 1, "per_neuron": sizes[index], "none": 0}[str(bias_mode)]
        biases.append(np.round(rng.uniform(-0.5, 0.5, count), 2).tolist())
    if output == "softmax":
        targets = np.eye(n_out)[rng.integers(n_out)].tolist()
    elif output == "tanh":
        targets = np.round(rng.uniform(-0.8, 0.8, n_out), 2).tolist()
    else:
        targets = np.round(rng.uniform(0.05, 0.95, n_out), 2).tolist()
    return Paper(
        inputs=np.round(rng.uniform(0.05, 0.95, sizes[0]), 2).tolist(),
        targets=targets,
        eta=float(rng.choice([0.1, 0.25, 0.5])),
        loss=loss,
        activations=[hidden] * n_hidden + [output],
        weights=weights,
        biases=biases,
        train_bias=bool(rng.integers(2)),
    )


def _activate(kind: str, nets: list[float]) -> list[float]:
    if kind == "softmax":
        top = max(nets)
        exps = [math.exp(net - top) for net in nets]
        return [e / sum(exps) for e in exps]
    functions = {
        "sigmoid": lambda x: 1 / (1 + math.exp(-x)),
        "tanh": math.tanh,
        "relu": lambda x: max(0.0, x),
        "leaky_relu": lambda x: x if x > 0 else 0.01 * x,
        "linear": lambda x: x,
    }
    return [functions[kind](net) for net in nets]


def _derivative(kind: str, net: float, out: float, slip: Slip) -> float:
    if kind == "sigmoid":
        return net * (1 - net) if slip.mistake == "derivative_of_net" else out * (1 - out)
    if kind == "tanh":
        if slip.mistake == "tanh_derivative_mixup":
            return {"out(1-out)": out * (1 - out), "1-net^2": 1 - net * net, "1-out": 1 - out}[slip.form]
        return 1 - out * out
    if kind == "relu":
        if slip.mistake == "relu_derivative_mixup":
            return 1.0 if slip.form == "1" else out
        return 1.0 if net > 0 else 0.0
    if kind == "leaky_relu":
        if slip.mistake == "relu_derivative_mixup":
            return 1.0 if net > 0 else 0.0  # the plain ReLU's step: no slope below 0
        return 1.0 if net > 0 else 0.01
    if kind == "softmax":
        return out * (1 - out)
    return 1.0


def _error(loss: str, target: float, out: float, n: int, slip: Slip) -> float:
    scale = {"factor_two": 2.0, "spurious_half": 0.5}.get(slip.mistake, 1.0)
    if loss == "half_squared_error":
        return scale * 0.5 * (target - out) ** 2
    if loss == "mse":
        return scale * (target - out) ** 2 / n
    if loss == "binary_cross_entropy":
        return -(target * math.log(out) + (1 - target) * math.log(1 - out))
    return -target * math.log(out)


def _dE_dout(loss: str, target: float, out: float, n: int, slip: Slip) -> float:
    scale = {"factor_two": 2.0, "spurious_half": 0.5}.get(slip.mistake, 1.0)
    sign = -1.0 if slip.mistake == "sign_flipped" else 1.0
    if loss == "half_squared_error":
        return sign * scale * -(target - out)
    if loss == "mse":
        return sign * scale * -2 * (target - out) / n
    if loss == "binary_cross_entropy":
        return sign * (out - target) / (out * (1 - out))
    return sign * -target / out


def work(paper: Paper, decimals: int, slip: Slip = Slip("")) -> dict[str, float]:
    """Every value of the step as the learner writes it: rounded to ``decimals``, used rounded."""

    def r(value: float) -> float:
        return round(value, decimals)

    v: dict[str, float] = {}
    n_layers, n_out = len(paper.weights), len(paper.targets)
    w_names, b_names = paper.weight_names(), paper.bias_names()
    skip_bias = slip.mistake == "bias_left_out"

    def bias(layer: int, j: int, values: list[list[float]]) -> float:
        if not values[layer] or skip_bias:
            return 0.0
        return values[layer][0] if len(values[layer]) == 1 else values[layer][j]

    def forward(weights: list[list[list[float]]], biases: list[list[float]], after: str) -> list[float]:
        a = list(paper.inputs)
        for layer in range(n_layers):
            neurons = paper.neurons(layer)
            nets = [
                r(sum(w * x for w, x in zip(row, a, strict=True)) + bias(layer, j, biases))
                for j, row in enumerate(weights[layer])
            ]
            outs = [r(out) for out in _activate(paper.activations[layer], nets)]
            for name, net, out in zip(neurons, nets, outs, strict=True):
                v[f"net_{name}{after}"], v[f"out_{name}{after}"] = net, out
            a = outs
        return a

    def errors(outs: list[float], after: str) -> None:
        terms = [r(_error(paper.loss, t, o, n_out, slip)) for t, o in zip(paper.targets, outs, strict=True)]
        for name, term in zip(paper.neurons(n_layers - 1), terms, strict=True):
            v[f"E_{name}{after}"] = term
        v[f"E_total{after}"] = r(sum(terms))

    def update(value: float, gradient: float) -> float:
        if slip.mistake == "gradient_added":
            return r(value + paper.eta * gradient)
        if slip.mistake == "learning_rate_forgotten":
            return r(value - gradient)
        return r(value - paper.eta * gradient)

    outs = forward(paper.weights, paper.biases, "")
    errors(outs, "")
    new_w = [[list(row) for row in layer] for layer in paper.weights]
    new_b = [list(layer) for layer in paper.biases]
    paired = (paper.activations[-1], paper.loss) in (("sigmoid", "binary_cross_entropy"), ("softmax", "cross_entropy"))
    for layer in reversed(range(n_layers)):
        neurons, kind = paper.neurons(layer), paper.activations[layer]
        sources = paper.inputs if layer == 0 else [v[f"out_{s}"] for s in paper.neurons(layer - 1)]
        for j, name in enumerate(neurons):
            net, out = v[f"net_{name}"], v[f"out_{name}"]
            if layer == n_layers - 1:
                target = paper.targets[j]
                v[f"dE_total/dout_{name}"] = r(_dE_dout(paper.loss, target, out, n_out, slip))
            else:
                upper = paper.neurons(layer + 1)
                terms = []
                for k, above in enumerate(upper):
                    row, col = k, j
                    if slip.mistake == "wrong_weight_index":
                        rows, cols = len(paper.weights[layer + 1]), len(paper.weights[layer + 1][0])
                        row, col = {
                            "transposed": (j, k) if j < rows and k < cols else (k, j),
                            "next input": (k, (j + 1) % cols),
                            "next neuron": ((k + 1) % rows, j),
                        }[slip.form]
                    used = new_w if slip.mistake == "updated_output_weights" else paper.weights
                    term = r(v[f"delta_{above}"] * used[layer + 1][row][col])
                    v[f"dE_{above}/dout_{name}"] = term
                    terms.append(term)
                v[f"dE_total/dout_{name}"] = terms[0] if slip.mistake == "one_output_only" else r(sum(terms))
            v[f"dout_{name}/dnet_{name}"] = r(_derivative(kind, net, out, slip))
            if layer == n_layers - 1 and paired:
                target = paper.targets[j]
                if slip.mistake == "softmax_as_logistic":
                    if slip.form == "chain":  # dE/dout · dout/dnet, as for a logistic neuron
                        delta = v[f"dE_total/dout_{name}"] * v[f"dout_{name}/dnet_{name}"]
                    else:  # the squared error's logistic delta
                        delta = (out - target) * out * (1 - out)
                else:
                    delta = (target - out) if slip.mistake == "sign_flipped" else (out - target)
            else:
                delta = v[f"dE_total/dout_{name}"] * v[f"dout_{name}/dnet_{name}"]
            v[f"delta_{name}"] = r(delta)
            for i, weight in enumerate(w_names[layer][j]):
                v[f"dnet_{name}/d{weight}"] = sources[i]
                v[f"dE_total/d{weight}"] = r(v[f"delta_{name}"] * sources[i])
                new_w[layer][j][i] = v[f"{weight}+"] = update(paper.weights[layer][j][i], v[f"dE_total/d{weight}"])
        for k, bias_name in enumerate(b_names[layer]):
            fed = neurons if len(b_names[layer]) == 1 else [neurons[k]]
            v[f"dE_total/d{bias_name}"] = r(sum(v[f"delta_{n}"] for n in fed))
            if paper.train_bias:
                new_b[layer][k] = v[f"{bias_name}+"] = update(paper.biases[layer][k], v[f"dE_total/d{bias_name}"])
    errors(forward(new_w, new_b, "+"), "+")
    return v
