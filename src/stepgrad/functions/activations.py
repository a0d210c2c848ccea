"""Activation functions, each with its value, its derivative and its formula.

Every activation maps a net input ``net`` to an output ``out``. The derivative
is given in the form a derivation shows it: for the logistic function
``dout/dnet = out·(1−out)``, written with ``out`` rather than ``net``.

All functions work elementwise on arrays of any shape, except softmax, which
normalises over the last axis (the neurons of a layer). All are numerically
stable for net inputs of ±1000 and emit no NumPy warnings.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike, NDArray

Array = NDArray[np.float64]

LEAKY_SLOPE = 0.01


@dataclass(frozen=True)
class Activation:
    """One activation function.

    Attributes:
        name: registry key, also the name used in network files and the CLI.
        value: ``out = f(net)``.
        derivative: ``dout/dnet`` as a function of ``(net, out)``; for softmax
            it is the diagonal of the Jacobian, ``out·(1−out)``.
        formula: ``out = f(net)`` as plain text.
        formula_latex: the same in LaTeX.
        derivative_formula: ``dout/dnet`` as plain text, in the derivation's form.
        derivative_latex: the same in LaTeX.
        kernel_code: the branch of the compiled training kernels (``stepgrad.training.compiled``) that computes
            it, or None: trained on the NumPy path only.
        elementwise: False only for softmax, whose outputs depend on the whole layer.
        derivative_mistakes: the wrong derivatives people write for this activation, as
            ``(mistake name, formula, dout/dnet from (net, out))``; the checker's diagnosis tries them
            (besides the mistakes every activation shares: of net, omitted, twice, another neuron's).
        parameters: the fixed numbers of its formula, by name (leaky ReLU's ``negative_slope``);
            formulas, messages and the PyTorch module all read them from here.
        hidden: whether a hidden layer may use it (softmax is for the output layer only).
        kinked: whether the derivative jumps at ``net = 0`` (ReLUs): gradient checks skip
            differences that cross it, generated exercises keep net inputs away from it.
        output_range: the interval the outputs lie in, for saturating functions (sigmoid, tanh).
        torch_module: the ``torch.nn`` module that computes it, called with ``torch_arguments``;
            None when PyTorch has none.
        torch_arguments: keyword arguments of that module (``negative_slope``, ``dim``).

    The formulas are written in the symbols ``net`` and ``out`` of one neuron (softmax:
    ``net_k``, ``out_k`` and a sum ``Σ_j`` over its layer); ``stepgrad.functions.formula_text``
    says them of particular values.
    """

    name: str
    value: Callable[[Array], Array]
    derivative: Callable[[Array, Array], Array]
    formula: str
    formula_latex: str
    derivative_formula: str
    derivative_latex: str
    torch_module: str | None  # required: an entry without a PyTorch module says so with None
    kernel_code: int | None
    elementwise: bool = True
    derivative_mistakes: tuple[tuple[str, str, Callable[[float, float], float]], ...] = ()
    parameters: Mapping[str, float] = field(default_factory=dict)
    hidden: bool = True
    kinked: bool = False
    output_range: tuple[float, float] | None = None
    torch_arguments: Mapping[str, float | int] = field(default_factory=dict)


def floats(net: ArrayLike) -> Array:
    """``net`` as a float array: float64, or the wider ``longdouble`` when given one (gradient checks)."""
    array = np.asarray(net)
    if array.dtype.kind == "f" and array.dtype.itemsize >= 8:
        return array
    return array.astype(np.float64)


def sigmoid(net: Array) -> Array:
    """Logistic function ``1 / (1 + e^(−net))``, stable for any sign of ``net``."""
    net = floats(net)
    # e^(−|net|) never overflows; pick the algebraically equal form for each sign.
    exp_neg_abs = np.exp(-np.abs(net))
    return np.where(net >= 0, 1.0 / (1.0 + exp_neg_abs), exp_neg_abs / (1.0 + exp_neg_abs))


def softmax(net: Array) -> Array:
    """``out_k = e^(net_k) / Σ_j e^(net_j)`` over the last axis, shifted by the max for stability."""
    net = floats(net)
    shifted = net - np.max(net, axis=-1, keepdims=True)
    exp_shifted = np.exp(shifted)
    return exp_shifted / np.sum(exp_shifted, axis=-1, keepdims=True)


def log_softmax(net: Array) -> Array:
    """``log out_k = net_k − log Σ_j e^(net_j)`` (log-sum-exp), stable for any net input."""
    net = floats(net)
    shifted = net - np.max(net, axis=-1, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=-1, keepdims=True))


def log_sigmoid(net: Array) -> Array:
    """``log σ(net) = −log(1 + e^(−net))``, stable: ``min(net, 0) − log1p(e^(−|net|))``."""
    net = floats(net)
    return np.minimum(net, 0.0) - np.log1p(np.exp(-np.abs(net)))


def _relu(net: Array) -> Array:
    return np.maximum(net, 0.0)


def _relu_derivative(net: Array, out: Array) -> Array:
    # The derivative at exactly 0 is taken as 0, as PyTorch does.
    return (net > 0).astype(np.float64)


def _leaky_relu(net: Array) -> Array:
    return np.where(net > 0, net, LEAKY_SLOPE * net)


def _leaky_relu_derivative(net: Array, out: Array) -> Array:
    return np.where(net > 0, 1.0, LEAKY_SLOPE)


ACTIVATIONS: dict[str, Activation] = {
    "sigmoid": Activation(
        name="sigmoid",
        value=sigmoid,
        derivative=lambda net, out: out * (1.0 - out),
        formula="out = 1 / (1 + e^(−net))",
        formula_latex=r"out = \frac{1}{1 + e^{-net}}",
        derivative_formula="out·(1 − out)",
        derivative_latex=r"out(1 - out)",
        output_range=(0.0, 1.0),
        torch_module="Sigmoid",
        kernel_code=0,
        derivative_mistakes=(
            ("derivative_mixup", "1 − out²", lambda net, out: 1.0 - out * out),
            ("derivative_mixup", "1 − out", lambda net, out: 1.0 - out),
        ),
    ),
    "tanh": Activation(
        name="tanh",
        value=lambda net: np.tanh(floats(net)),
        derivative=lambda net, out: 1.0 - out * out,
        formula="out = tanh(net)",
        formula_latex=r"out = \tanh(net)",
        derivative_formula="1 − out²",
        derivative_latex=r"1 - out^{2}",
        output_range=(-1.0, 1.0),
        torch_module="Tanh",
        kernel_code=1,
        derivative_mistakes=(
            ("tanh_derivative_mixup", "out·(1 − out)", lambda net, out: out * (1.0 - out)),
            ("tanh_derivative_mixup", "1 − out", lambda net, out: 1.0 - out),
            ("tanh_derivative_mixup", "1 + out²", lambda net, out: 1.0 + out * out),
        ),
    ),
    "relu": Activation(
        name="relu",
        value=_relu,
        derivative=_relu_derivative,
        formula="out = max(0, net)",
        formula_latex=r"out = \max(0, net)",
        derivative_formula="1 if net > 0 else 0",
        derivative_latex=r"1 \text{ if } net > 0 \text{ else } 0",
        kinked=True,
        torch_module="ReLU",
        kernel_code=2,
        derivative_mistakes=(
            ("relu_derivative_mixup", "1", lambda net, out: 1.0),
            ("relu_derivative_mixup", "out", lambda net, out: out),
        ),
    ),
    "leaky_relu": Activation(
        name="leaky_relu",
        value=_leaky_relu,
        derivative=_leaky_relu_derivative,
        formula=f"out = net if net > 0 else {LEAKY_SLOPE:g}·net",
        formula_latex=rf"out = net \text{{ if }} net > 0 \text{{ else }} {LEAKY_SLOPE:g} \cdot net",
        derivative_formula=f"1 if net > 0 else {LEAKY_SLOPE:g}",
        derivative_latex=rf"1 \text{{ if }} net > 0 \text{{ else }} {LEAKY_SLOPE:g}",
        parameters={"negative_slope": LEAKY_SLOPE},
        kinked=True,
        torch_module="LeakyReLU",
        torch_arguments={"negative_slope": LEAKY_SLOPE},
        kernel_code=3,
        derivative_mistakes=(
            ("relu_derivative_mixup", "1 if net > 0 else 0", lambda net, out: 1.0 if net > 0 else 0.0),
            ("relu_derivative_mixup", "1", lambda net, out: 1.0),
            ("relu_derivative_mixup", "out", lambda net, out: out),
        ),
    ),
    "linear": Activation(
        name="linear",
        value=lambda net: floats(net).copy(),
        derivative=lambda net, out: np.ones_like(out),
        formula="out = net",
        formula_latex=r"out = net",
        derivative_formula="1",
        derivative_latex="1",
        torch_module="Identity",
        kernel_code=4,
    ),
    "softmax": Activation(
        name="softmax",
        value=softmax,
        derivative=lambda net, out: out * (1.0 - out),
        formula="out_k = e^(net_k) / Σ_j e^(net_j)",
        formula_latex=r"out_k = \frac{e^{net_k}}{\sum_j e^{net_j}}",
        # The Jacobian's diagonal, the factor a derivation shows per neuron; off the diagonal
        # dout_k/dnet_j = −out_k·out_j, which the core's delta includes.
        derivative_formula="out_k·(1 − out_k)",
        derivative_latex=r"out_k(1 - out_k)",
        kernel_code=5,
        elementwise=False,
        hidden=False,
        output_range=(0.0, 1.0),
        torch_module="Softmax",
        torch_arguments={"dim": -1},
    ),
}

ALIASES: dict[str, str] = {"logistic": "sigmoid", "identity": "linear", "leakyrelu": "leaky_relu"}


def get_activation(name: str) -> Activation:
    """Look up an activation by name or alias; raise ``KeyError`` for an unknown one."""
    key = ALIASES.get(name.lower(), name.lower())
    return ACTIVATIONS[key]


def hidden_activation_names() -> list[str]:
    """The registry names a hidden layer may use, in registry order (web page and CLI choices)."""
    return [name for name, activation in ACTIVATIONS.items() if activation.hidden]


def activation_names() -> list[str]:
    """Every accepted activation name, aliases included (for CLI choices and messages)."""
    return sorted([*ACTIVATIONS, *ALIASES])
