"""Activation functions, each with its value, its derivative and its formula.

Every activation maps a net input ``net`` to an output ``out``. The derivative
is given in the form a derivation shows it: for the logistic function
``dout/dnet = out·(1−out)``, written with ``out`` rather than ``net``.

All functions work elementwise on arrays of any shape, except softmax, which
normalises over the last axis (the neurons of a layer). All are numerically
stable for net inputs of ±1000 and emit no NumPy warnings.

Importing this module does not import NumPy (``np`` is bound on first use, ``stepgrad.lazy``): the plain lines of
``stepgrad train`` read an entry's line forms, and NumPy is imported when a function first computes an array.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from stepgrad.lazy import module_on_first_use

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import ArrayLike, NDArray

    Array = NDArray[np.float64]
else:
    np = module_on_first_use("numpy", globals(), "np")

LEAKY_SLOPE = 0.01
ELU_ALPHA = 1.0
# GELU's tanh form (Hendrycks & Gimpel 2016; PyTorch's approximate="tanh"): √(2/π) and the cubic's weight
GELU_SCALE = math.sqrt(2.0 / math.pi)
GELU_CUBIC = 0.044715
_LATEX_PHI = r"\frac{1}{2}\left(1 + \mathrm{erf}\left(\frac{net}{\sqrt{2}}\right)\right)"  # Φ(net)
_LATEX_GELU_U = rf"\sqrt{{2/\pi}}\left(net + {GELU_CUBIC:g} \cdot {{net}}^{{3}}\right)"  # tanh's argument
# Line forms shared by several entries (see ``Activation.line_value``), in the stable forms of the array code below.
_LINE_SIGMOID = "(1.0 / (1.0 + exp(-{net})) if {net} >= 0 else exp({net}) / (1.0 + exp({net})))"
_LINE_PHI = f"0.5 * erfc(-{{net}} / {math.sqrt(2.0)!r})"  # Φ(net) = ½·erfc(−net/√2)
_LINE_PDF = f"exp(-0.5 * min({{net}} * {{net}}, 1e4)) / {math.sqrt(2.0 * math.pi)!r}"  # φ(net), net² capped
_LINE_CLIPPED = "min(max({net}, -1e3), 1e3)"  # where tanh is ±1 already: no overflow of net³
_LINE_GELU_TANH_INNER = f"tanh({GELU_SCALE!r} * ({_LINE_CLIPPED} + {GELU_CUBIC!r} * {_LINE_CLIPPED} ** 3))"


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
        kernel_code: the branch of the general compiled training kernels (``stepgrad.training.compiled``) that
            computes it, or None: those kernels step aside (a small network's repeated step may still run it
            written out, from ``line_value`` and ``line_derivative``).
        line_value: ``out = f(net)`` as one Python float expression of the placeholder ``{net}`` and of the
            entry's ``parameters`` by name (``{negative_slope}``), calling ``math``'s functions by their bare
            names (``exp``, ``tanh``) and the builtins ``abs``, ``min``, ``max``; the same stable arithmetic as
            ``value``. ``stepgrad.training.plain_sgd`` writes a small network's training step as lines of these
            (run as plain Python, or compiled by numba in ``stepgrad.training.compiled.shaped``). None for an
            activation that is not elementwise (softmax): those networks train on the arrays.
        line_derivative: ``dout/dnet`` the same way, of ``{net}``, ``{out}`` and the parameters.
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
        configure: for an entry whose ``parameters`` a layer may set, the function that builds the
            entry with other numbers (``leaky_relu(negative_slope=0.1)``); its ``name`` then says them.

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
    line_value: str | None  # required, as torch_module: None says the activation has no line form
    line_derivative: str | None
    elementwise: bool = True
    derivative_mistakes: tuple[tuple[str, str, Callable[[float, float], float]], ...] = ()
    parameters: Mapping[str, float] = field(default_factory=dict)
    hidden: bool = True
    kinked: bool = False
    output_range: tuple[float, float] | None = None
    torch_arguments: Mapping[str, float | int | str] = field(default_factory=dict)
    configure: Callable[..., Activation] | None = None

    def written_out(self, net: str, out: str) -> tuple[str, str]:
        """``(line_value, line_derivative)`` said of the variables named ``net`` and ``out``, with the entry's
        parameters written in as literals (``leaky_relu(negative_slope=0.1)`` writes 0.1)."""
        if self.line_value is None or self.line_derivative is None:
            raise ValueError(f"{self.name} has no line form")
        numbers = {name: repr(float(number)) for name, number in self.parameters.items()}
        return (
            self.line_value.format(net=net, out=out, **numbers),
            self.line_derivative.format(net=net, out=out, **numbers),
        )


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


def leaky_relu(negative_slope: float = LEAKY_SLOPE) -> Activation:
    """Leaky ReLU with slope ``negative_slope`` below zero; named ``leaky_relu`` at PyTorch's default
    0.01 and ``leaky_relu(negative_slope=0.1)`` otherwise (the name a network file's layer is read as)."""
    slope = float(negative_slope)
    name = "leaky_relu" if slope == LEAKY_SLOPE else f"leaky_relu(negative_slope={slope!r})"
    return Activation(
        name=name,
        value=lambda net: np.where(net > 0, net, slope * floats(net)),
        derivative=lambda net, out: np.where(net > 0, 1.0, slope),
        formula=f"out = net if net > 0 else {slope:g}·net",
        formula_latex=rf"out = net \text{{ if }} net > 0 \text{{ else }} {slope:g} \cdot net",
        derivative_formula=f"1 if net > 0 else {slope:g}",
        derivative_latex=rf"1 \text{{ if }} net > 0 \text{{ else }} {slope:g}",
        parameters={"negative_slope": slope},
        kinked=True,
        torch_module="LeakyReLU",
        torch_arguments={"negative_slope": slope},
        kernel_code=3 if slope == LEAKY_SLOPE else None,  # other slopes: NumPy path (the kernels' slope is fixed)
        line_value="{net} if {net} > 0.0 else {negative_slope} * {net}",
        line_derivative="(1.0 if {net} > 0.0 else {negative_slope})",
        derivative_mistakes=(
            ("relu_derivative_mixup", "1 if net > 0 else 0", lambda net, out: 1.0 if net > 0 else 0.0),
            ("relu_derivative_mixup", "1", lambda net, out: 1.0),
            ("relu_derivative_mixup", "out", lambda net, out: out),
        ),
        configure=leaky_relu,
    )


def _softplus(net: Array) -> Array:
    """``log(1 + e^net)``, stable: ``log1p(e^(−|net|)) + max(net, 0)`` never overflows."""
    net = floats(net)
    return np.log1p(np.exp(-np.abs(net))) + np.maximum(net, 0.0)


@functools.cache
def _erfc() -> np.ufunc:
    """``math.erfc`` per element of an array (made on first use: it needs NumPy)."""
    return np.frompyfunc(math.erfc, 1, 1)


def normal_cdf(net: Array) -> Array:
    """``Φ(net) = ½(1 + erf(net/√2))``, the standard normal distribution function, computed as
    ``½·erfc(−net/√2)`` (``math.erfc`` per element), which keeps its digits far below zero."""
    net = floats(net)
    erfc = np.asarray(_erfc()(-net / math.sqrt(2.0)))  # an object array of Python floats
    return 0.5 * erfc.astype(net.dtype)


def normal_pdf(net: Array) -> Array:
    """``φ(net) = e^(−net²/2) / √(2π)``; ``net²`` is capped so ±1000 gives 0 without overflow."""
    net = floats(net)
    return np.exp(-0.5 * np.minimum(net * net, 1e4)) / math.sqrt(2.0 * math.pi)


def _gelu_tanh_inner(net: Array) -> Array:
    """``tanh(√(2/π)·(net + 0.044715·net³))``, with net clipped where tanh is ±1 already (no overflow of net³)."""
    net = np.clip(floats(net), -1e3, 1e3)
    return np.tanh(GELU_SCALE * (net + GELU_CUBIC * net**3))


def _gelu_tanh_derivative(net: Array, out: Array) -> Array:
    inner = _gelu_tanh_inner(net)
    net = np.clip(floats(net), -1e3, 1e3)
    return 0.5 * (1.0 + inner) + 0.5 * net * (1.0 - inner * inner) * GELU_SCALE * (1.0 + 3.0 * GELU_CUBIC * net * net)


def _elu(net: Array) -> Array:
    net = floats(net)
    return np.where(net > 0, net, ELU_ALPHA * np.expm1(np.minimum(net, 0.0)))


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
        line_value=_LINE_SIGMOID,
        line_derivative="{out} * (1.0 - {out})",
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
        line_value="tanh({net})",
        line_derivative="1.0 - {out} * {out}",
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
        line_value="{net} if {net} > 0.0 else 0.0",
        line_derivative="(1.0 if {net} > 0.0 else 0.0)",
        derivative_mistakes=(
            ("relu_derivative_mixup", "1", lambda net, out: 1.0),
            ("relu_derivative_mixup", "out", lambda net, out: out),
        ),
    ),
    "leaky_relu": leaky_relu(),
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
        line_value="{net}",
        line_derivative="1.0",
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
        line_value=None,  # not elementwise: out_k reads the whole layer
        line_derivative=None,
        elementwise=False,
        hidden=False,
        output_range=(0.0, 1.0),
        torch_module="Softmax",
        torch_arguments={"dim": -1},
    ),
    "softplus": Activation(
        name="softplus",
        value=_softplus,
        derivative=lambda net, out: sigmoid(net),
        formula="out = log(1 + e^(net))",
        formula_latex=r"out = \log(1 + e^{net})",
        derivative_formula="1 / (1 + e^(−net))",
        derivative_latex=r"\frac{1}{1 + e^{-net}}",
        torch_module="Softplus",
        torch_arguments={"beta": 1.0},
        kernel_code=None,
        line_value="log1p(exp(-abs({net}))) + max({net}, 0.0)",
        line_derivative=_LINE_SIGMOID,
        derivative_mistakes=(
            # the logistic derivative written with softplus's own output, as if out were σ(net)
            ("derivative_mixup", "out·(1 − out)", lambda net, out: out * (1.0 - out)),
            # the sign of the exponent lost: σ(−net) = 1 / (1 + e^(net))
            ("derivative_mixup", "1 / (1 + e^(net))", lambda net, out: float(sigmoid(np.array(-net)))),
        ),
    ),
    "gelu": Activation(
        name="gelu",
        value=lambda net: floats(net) * normal_cdf(net),
        derivative=lambda net, out: normal_cdf(net) + floats(net) * normal_pdf(net),
        formula="out = net·½(1 + erf(net/√2))",
        formula_latex=rf"out = net \cdot {_LATEX_PHI}",
        derivative_formula="½(1 + erf(net/√2)) + net·e^(−net²/2)/√(2π)",
        derivative_latex=rf"{_LATEX_PHI} + net \cdot \frac{{e^{{-{{net}}^{{2}}/2}}}}{{\sqrt{{2\pi}}}}",
        torch_module="GELU",
        torch_arguments={"approximate": "none"},
        kernel_code=None,
        line_value=f"{{net}} * ({_LINE_PHI})",
        line_derivative=f"({_LINE_PHI} + {{net}} * ({_LINE_PDF}))",
        derivative_mistakes=(
            # the product rule half done: d(net·Φ)/dnet = Φ + net·φ, the net·φ term forgotten
            ("product_rule_half", "½(1 + erf(net/√2))", lambda net, out: float(normal_cdf(np.array(net)))),
            # the other half: only net·φ(net)
            ("product_rule_half", "net·e^(−net²/2)/√(2π)", lambda net, out: float(net * normal_pdf(np.array(net)))),
        ),
    ),
    "gelu_tanh": Activation(
        name="gelu_tanh",
        value=lambda net: 0.5 * floats(net) * (1.0 + _gelu_tanh_inner(net)),
        derivative=_gelu_tanh_derivative,
        formula=f"out = ½·net·(1 + tanh(√(2/π)·(net + {GELU_CUBIC:g}·net³)))",
        formula_latex=rf"out = \frac{{1}}{{2}} \cdot net \cdot \left(1 + \tanh\left({_LATEX_GELU_U}\right)\right)",
        derivative_formula=(
            f"½(1 + tanh(√(2/π)·(net + {GELU_CUBIC:g}·net³))) + ½·net·(1 − tanh²(√(2/π)·(net + {GELU_CUBIC:g}·net³)))"
            f"·√(2/π)·(1 + {3 * GELU_CUBIC:g}·net²)"
        ),
        derivative_latex=(
            rf"\frac{{1}}{{2}}\left(1 + \tanh u\right) + \frac{{1}}{{2}} \cdot net \cdot \left(1 - \tanh^{{2}} u\right)"
            rf"\sqrt{{2/\pi}}\left(1 + {3 * GELU_CUBIC:g} \cdot {{net}}^{{2}}\right),\ u = {_LATEX_GELU_U}"
        ),
        torch_module="GELU",
        torch_arguments={"approximate": "tanh"},
        kernel_code=None,
        line_value=f"0.5 * {{net}} * (1.0 + {_LINE_GELU_TANH_INNER})",
        line_derivative=(
            f"(0.5 * (1.0 + {_LINE_GELU_TANH_INNER}) + 0.5 * {_LINE_CLIPPED}"
            f" * (1.0 - {_LINE_GELU_TANH_INNER} * {_LINE_GELU_TANH_INNER})"
            f" * {GELU_SCALE!r} * (1.0 + 3.0 * {GELU_CUBIC!r} * {_LINE_CLIPPED} * {_LINE_CLIPPED}))"
        ),
        derivative_mistakes=(
            # the product rule half done: only ½(1 + tanh(u)), the net·(1 − tanh²u)·u' term forgotten
            (
                "product_rule_half",
                f"½(1 + tanh(√(2/π)·(net + {GELU_CUBIC:g}·net³)))",
                lambda net, out: 0.5 * (1.0 + float(_gelu_tanh_inner(np.array(net)))),
            ),
        ),
    ),
    "silu": Activation(
        name="silu",
        value=lambda net: floats(net) * sigmoid(net),
        # d(net·σ)/dnet = σ + net·σ·(1 − σ) = σ·(1 − out) + out
        derivative=lambda net, out: out + sigmoid(net) * (1.0 - out),
        formula="out = net / (1 + e^(−net))",
        formula_latex=r"out = \frac{net}{1 + e^{-net}}",
        derivative_formula="out + (1 − out) / (1 + e^(−net))",
        derivative_latex=r"out + \frac{1 - out}{1 + e^{-net}}",
        torch_module="SiLU",
        kernel_code=None,
        line_value="{net} * " + _LINE_SIGMOID,
        line_derivative="{out} + " + _LINE_SIGMOID + " * (1.0 - {out})",
        derivative_mistakes=(
            # the product rule half done: σ(net) alone, the net·σ'(net) term forgotten
            ("product_rule_half", "1 / (1 + e^(−net))", lambda net, out: float(sigmoid(np.array(net)))),
            # the logistic derivative on the SiLU output
            ("derivative_mixup", "out·(1 − out)", lambda net, out: out * (1.0 - out)),
        ),
    ),
    "elu": Activation(
        name="elu",
        value=_elu,
        # for net ≤ 0: d(α(e^net − 1))/dnet = α·e^net (= out + α, which loses digits far below zero)
        derivative=lambda net, out: np.where(floats(net) > 0, 1.0, ELU_ALPHA * np.exp(np.minimum(floats(net), 0.0))),
        formula=f"out = net if net > 0 else {ELU_ALPHA:g}·(e^(net) − 1)",
        formula_latex=rf"out = net \text{{ if }} net > 0 \text{{ else }} {ELU_ALPHA:g} \cdot (e^{{net}} - 1)",
        derivative_formula=f"1 if net > 0 else {ELU_ALPHA:g}·e^(net)",
        derivative_latex=rf"1 \text{{ if }} net > 0 \text{{ else }} {ELU_ALPHA:g} \cdot e^{{net}}",
        parameters={"alpha": ELU_ALPHA},
        torch_module="ELU",
        torch_arguments={"alpha": ELU_ALPHA},
        kernel_code=None,
        line_value="{net} if {net} > 0 else {alpha} * expm1(min({net}, 0.0))",
        line_derivative="(1.0 if {net} > 0 else {alpha} * exp(min({net}, 0.0)))",
        derivative_mistakes=(
            # below 0 the output itself, the + α forgotten (α·(e^net − 1) differentiated as if it were α·e^net − … )
            ("elu_derivative_mixup", "1 if net > 0 else out", lambda net, out: 1.0 if net > 0 else out),
            # below 0 the ReLU's 0
            ("relu_derivative_mixup", "1 if net > 0 else 0", lambda net, out: 1.0 if net > 0 else 0.0),
            # below 0 the constant α, as for a leaky ReLU
            (
                "elu_derivative_mixup",
                f"1 if net > 0 else {ELU_ALPHA:g}",
                lambda net, out: 1.0 if net > 0 else ELU_ALPHA,
            ),
        ),
    ),
    "softsign": Activation(
        name="softsign",
        value=lambda net: floats(net) / (1.0 + np.abs(floats(net))),
        # (1 − |out|)² = 1 / (1 + |net|)², computed from net: 1 − |out| loses digits where |out| nears 1
        derivative=lambda net, out: 1.0 / ((1.0 + np.abs(floats(net))) * (1.0 + np.abs(floats(net)))),
        formula="out = net / (1 + |net|)",
        formula_latex=r"out = \frac{net}{1 + \left|net\right|}",
        derivative_formula="(1 − |out|)²",
        derivative_latex=r"\left(1 - \left|out\right|\right)^{2}",
        output_range=(-1.0, 1.0),
        torch_module="Softsign",
        kernel_code=None,
        line_value="{net} / (1.0 + abs({net}))",
        line_derivative="(1.0 / ((1.0 + abs({net})) * (1.0 + abs({net}))))",
        derivative_mistakes=(
            # tanh's derivative, for the function that looks like tanh
            ("derivative_mixup", "1 − out²", lambda net, out: 1.0 - out * out),
            # the logistic derivative on softsign's output
            ("derivative_mixup", "out·(1 − out)", lambda net, out: out * (1.0 - out)),
        ),
    ),
}

ALIASES: dict[str, str] = {
    "logistic": "sigmoid",
    "identity": "linear",
    "leakyrelu": "leaky_relu",
    "swish": "silu",
}


_CONFIGURED = re.compile(r"^\s*([A-Za-z_]+)\s*\((.*)\)\s*$")


def split_name(name: str) -> tuple[str, dict[str, float]]:
    """``leaky_relu(negative_slope=0.1)`` → ``("leaky_relu", {"negative_slope": 0.1})``; a plain name
    has no numbers. Raises ``KeyError`` for numbers it cannot read."""
    match = _CONFIGURED.match(name)
    if match is None:
        return name, {}
    numbers: dict[str, float] = {}
    for part in filter(None, (piece.strip() for piece in match.group(2).split(","))):
        key, equals, number = part.partition("=")
        try:
            numbers[key.strip()] = float(number)
        except ValueError:
            raise KeyError(name) from None
        if not equals:
            raise KeyError(name)
    return match.group(1), numbers


def get_activation(name: str) -> Activation:
    """Look up an activation by name or alias, with numbers for a configurable one
    (``leaky_relu(negative_slope=0.1)``); raise ``KeyError`` for an unknown one or unknown numbers."""
    base, numbers = split_name(name)
    entry = ACTIVATIONS[ALIASES.get(base.lower(), base.lower())]
    if not numbers:
        return entry
    if entry.configure is None or not set(numbers) <= set(entry.parameters):
        raise KeyError(name)
    return entry.configure(**{**entry.parameters, **numbers})


def hidden_activation_names() -> list[str]:
    """The registry names a hidden layer may use, in registry order (web page and CLI choices)."""
    return [name for name, activation in ACTIVATIONS.items() if activation.hidden]


def activation_names() -> list[str]:
    """Every accepted activation name, aliases included (for CLI choices and messages)."""
    return sorted([*ACTIVATIONS, *ALIASES])
