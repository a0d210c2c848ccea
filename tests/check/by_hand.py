"""A learner working one training step on paper, written independently of ``stepgrad.check``.

Plain Python and NumPy: the forward pass, the errors, the backward pass and the updates
with the names of the derivation, every value rounded to ``decimals`` and used rounded in the
steps after it, as a person with a calculator does. ``slip`` applies one known wrong rule by
hand, the way a learner makes it (at every neuron where it applies), written from the mistakes'
descriptions; ``SLIPS`` is keyed by the names the checker gives them. Nothing here reads the
checker's rule tables or mistake registry, so the property test can fail for the reasons a
learner would.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from stepgrad.network import Layer, Network, Setup

#: Each mistake the checker knows, by the name it gives it, with the forms a learner writes it in.
SLIPS: dict[str, tuple[str, ...]] = {
    # the activation's derivative
    "derivative_of_net": ("sigmoid", "tanh"),  # net(1 − net), 1 − net²
    "derivative_of_out_again": ("",),  # σ(out)(1 − σ(out))
    "derivative_omitted": ("",),  # delta = dE/dout
    "derivative_twice": ("",),  # delta = dE/dout · (dout/dnet)²
    "derivative_wrong_neuron": ("neighbour", "next layer"),
    "tanh_derivative_mixup": ("out(1-out)", "1-out"),
    "relu_derivative_mixup": ("1", "out", "leaky as relu"),
    "derivative_mixup": ("",),  # the logistic function's slope written as tanh's 1 − out²
    "softmax_as_logistic": ("chain", "squared"),
    # what flows back to a hidden neuron
    "weights_transposed": ("",),
    "wrong_weight_index": ("next input", "next neuron"),
    "updated_output_weights": ("",),
    "dE_dout_passed_back": ("",),
    "sum_without_weights": ("",),
    "one_output_only": ("",),
    # the input a weight multiplies
    "gradient_own_output": ("",),
    "wrong_layer_input": ("",),
    "net_instead_of_out": ("",),
    # the update
    "sign_flipped": ("",),
    "gradient_added": ("",),
    "learning_rate_forgotten": ("",),
    "learning_rate_wrong": ("0.05", "0.1", "0.5"),
    # the error
    "factor_two": ("",),
    "spurious_half": ("",),
    "error_mean": ("",),
    # the forward pass
    "sigmoid_exponent_sign": ("",),
    "bias_left_out": ("",),
    "bias_added_twice": ("",),
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


def _activate(kind: str, nets: list[float], slip: Slip) -> list[float]:
    if kind == "softmax":
        top = max(nets)
        exps = [math.exp(net - top) for net in nets]
        return [e / sum(exps) for e in exps]
    sign = 1.0 if slip.mistake == "sigmoid_exponent_sign" else -1.0  # 1 / (1 + e^(+net)) for the slip
    functions = {
        "sigmoid": lambda x: 1 / (1 + math.exp(sign * x)),
        "tanh": math.tanh,
        "relu": lambda x: max(0.0, x),
        "leaky_relu": lambda x: x if x > 0 else 0.01 * x,
        "linear": lambda x: x,
    }
    return [functions[kind](net) for net in nets]


def _sigmoid_slope(net: float, out: float, slip: Slip) -> float:
    if slip.mistake == "derivative_of_net" and slip.form == "sigmoid":
        return net * (1 - net)
    if slip.mistake == "derivative_of_out_again":  # σ applied to out once more
        again = 1 / (1 + math.exp(-out))
        return again * (1 - again)
    if slip.mistake == "derivative_mixup":  # tanh's form for the logistic function
        return 1 - out * out
    return out * (1 - out)


def _tanh_slope(net: float, out: float, slip: Slip) -> float:
    if slip.mistake == "derivative_of_net" and slip.form == "tanh":
        return 1 - net * net
    if slip.mistake == "tanh_derivative_mixup":
        return {"out(1-out)": out * (1 - out), "1-out": 1 - out}[slip.form]
    return 1 - out * out


def _derivative(kind: str, net: float, out: float, slip: Slip) -> float:
    """dout/dnet as the learner writes it, from the ``net`` and ``out`` they read it off."""
    if kind == "sigmoid":
        return _sigmoid_slope(net, out, slip)
    if kind == "tanh":
        return _tanh_slope(net, out, slip)
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


def _weight_index(slip: Slip, j: int, k: int, rows: int, cols: int) -> tuple[int, int]:
    """(row, column) of the weight the learner reads for what neuron k sends back to neuron j (right: w_kj)."""
    if slip.mistake == "weights_transposed":
        return (j, k) if j < rows and k < cols else (k, j)  # w_jk where the matrix has one
    if slip.mistake == "wrong_weight_index":
        return {"next input": (k, (j + 1) % cols), "next neuron": ((k + 1) % rows, j)}[slip.form]
    return k, j


def work(paper: Paper, decimals: int, slip: Slip = Slip("")) -> dict[str, float]:
    """Every value of the step as the learner writes it: rounded to ``decimals``, used rounded."""

    def r(value: float) -> float:
        return round(value, decimals)

    v: dict[str, float] = {}
    mistake, n_layers, n_out = slip.mistake, len(paper.weights), len(paper.targets)
    w_names, b_names = paper.weight_names(), paper.bias_names()

    def bias(layer: int, j: int, values: list[list[float]]) -> float:
        if not values[layer] or mistake == "bias_left_out":
            return 0.0
        b = values[layer][0] if len(values[layer]) == 1 else values[layer][j]
        return 2 * b if mistake == "bias_added_twice" else b

    def forward(weights: list[list[list[float]]], biases: list[list[float]], after: str) -> list[float]:
        a = list(paper.inputs)
        for layer in range(n_layers):
            neurons = paper.neurons(layer)
            nets = [
                r(sum(w * x for w, x in zip(row, a, strict=True)) + bias(layer, j, biases))
                for j, row in enumerate(weights[layer])
            ]
            outs = [r(out) for out in _activate(paper.activations[layer], nets, slip)]
            for name, net, out in zip(neurons, nets, outs, strict=True):
                v[f"net_{name}{after}"], v[f"out_{name}{after}"] = net, out
            a = outs
        return a

    def errors(outs: list[float], after: str) -> None:
        terms = [r(_error(paper.loss, t, o, n_out, slip)) for t, o in zip(paper.targets, outs, strict=True)]
        for name, term in zip(paper.neurons(n_layers - 1), terms, strict=True):
            v[f"E_{name}{after}"] = term
        v[f"E_total{after}"] = r(sum(terms) / len(terms) if mistake == "error_mean" else sum(terms))

    def update(value: float, gradient: float) -> float:
        eta = float(slip.form) if mistake == "learning_rate_wrong" else paper.eta
        if mistake == "gradient_added":
            return r(value + eta * gradient)
        if mistake == "learning_rate_forgotten":
            return r(value - gradient)
        return r(value - eta * gradient)

    def sent_back(layer: int, j: int, name: str) -> float:
        """dE_total/dout of hidden neuron ``j``: Σ_k delta_k · w_kj over the next layer."""
        upper, weights = paper.neurons(layer + 1), paper.weights[layer + 1]
        used = new_w[layer + 1] if mistake == "updated_output_weights" else weights
        terms = []
        for k, above in enumerate(upper):
            row, col = _weight_index(slip, j, k, len(weights), len(weights[0]))
            error = v[f"dE_total/dout_{above}"] if mistake == "dE_dout_passed_back" else v[f"delta_{above}"]
            term = r(error if mistake == "sum_without_weights" else error * used[row][col])
            v[f"dE_{above}/dout_{name}"] = term
            terms.append(term)
        return terms[0] if mistake == "one_output_only" else r(sum(terms))

    def slope(layer: int, j: int, name: str) -> float:
        """dout/dnet of neuron ``j``, read off its own out (or, for the slip, another neuron's)."""
        kind, neurons, out = paper.activations[layer], paper.neurons(layer), v[f"out_{name}"]
        if mistake == "derivative_wrong_neuron" and kind in ("sigmoid", "tanh"):
            if slip.form == "neighbour" and len(neurons) > 1:
                out = v[f"out_{neurons[(j + 1) % len(neurons)]}"]
            elif slip.form == "next layer" and layer < n_layers - 1:
                out = v[f"out_{paper.neurons(layer + 1)[0]}"]
        return r(_derivative(kind, v[f"net_{name}"], out, slip))

    def delta(layer: int, j: int, name: str) -> float:
        dE_dout, dout_dnet, out = v[f"dE_total/dout_{name}"], v[f"dout_{name}/dnet_{name}"], v[f"out_{name}"]
        if layer == n_layers - 1 and paired:
            target = paper.targets[j]
            if mistake != "softmax_as_logistic":
                return (target - out) if mistake == "sign_flipped" else (out - target)
            if slip.form == "chain":  # dE/dout · dout/dnet, as for a logistic neuron
                return dE_dout * dout_dnet
            return (out - target) * out * (1 - out)  # the squared error's logistic delta
        if mistake == "derivative_omitted":
            return dE_dout
        if mistake == "derivative_twice":
            return dE_dout * dout_dnet * dout_dnet
        return dE_dout * dout_dnet

    def multiplied(layer: int, j: int, name: str) -> list[float]:
        """dnet_j/dw_ji for each weight into neuron ``j``: the values its weights multiply."""
        right = list(paper.inputs) if layer == 0 else [v[f"out_{s}"] for s in paper.neurons(layer - 1)]
        if mistake == "gradient_own_output":
            return [v[f"out_{name}"]] * len(right)
        if mistake == "net_instead_of_out" and layer > 0:
            return [v[f"net_{s}"] for s in paper.neurons(layer - 1)]
        if mistake == "wrong_layer_input" and layer == 0:  # the hidden layer's out_i for input i
            hidden = [v[f"out_{h}"] for h in paper.neurons(0)]
            return [hidden[i] if i < len(hidden) else x for i, x in enumerate(right)]
        return right

    outs = forward(paper.weights, paper.biases, "")
    errors(outs, "")
    new_w = [[list(row) for row in layer] for layer in paper.weights]
    new_b = [list(layer) for layer in paper.biases]
    paired = (paper.activations[-1], paper.loss) in (("sigmoid", "binary_cross_entropy"), ("softmax", "cross_entropy"))
    for layer in reversed(range(n_layers)):
        neurons = paper.neurons(layer)
        for j, name in enumerate(neurons):
            if layer == n_layers - 1:
                v[f"dE_total/dout_{name}"] = r(_dE_dout(paper.loss, paper.targets[j], v[f"out_{name}"], n_out, slip))
            else:
                v[f"dE_total/dout_{name}"] = sent_back(layer, j, name)
            v[f"dout_{name}/dnet_{name}"] = slope(layer, j, name)
            v[f"delta_{name}"] = r(delta(layer, j, name))
            for i, (weight, source) in enumerate(zip(w_names[layer][j], multiplied(layer, j, name), strict=True)):
                v[f"dnet_{name}/d{weight}"] = source
                v[f"dE_total/d{weight}"] = r(v[f"delta_{name}"] * source)
                new_w[layer][j][i] = v[f"{weight}+"] = update(paper.weights[layer][j][i], v[f"dE_total/d{weight}"])
        for k, bias_name in enumerate(b_names[layer]):
            fed = neurons if len(b_names[layer]) == 1 else [neurons[k]]
            v[f"dE_total/d{bias_name}"] = r(sum(v[f"delta_{n}"] for n in fed))
            if paper.train_bias:
                new_b[layer][k] = v[f"{bias_name}+"] = update(paper.biases[layer][k], v[f"dE_total/d{bias_name}"])
    errors(forward(new_w, new_b, "+"), "+")
    return v
