"""How the derivation writes names and function applications, as text and as LaTeX.

Value names are the public vocabulary (``net_h1``, ``dE_total/dw5``, ``w5+``);
``latex_name`` turns them into ``net_{h1}``, ``\\frac{\\partial E_{total}}{\\partial w_{5}}``,
``w_{5}^{+}``. The ``*_template`` functions give an activation's or a loss's
right-hand side with ``{name}`` placeholders, the form ``Step.substitution`` uses,
read from the registries of ``stepgrad.functions`` (each formula is written there once).
"""

from __future__ import annotations

import re

from stepgrad.functions import get_activation, get_loss
from stepgrad.functions.formula_text import fill, symbols

_INDEXED = re.compile(r"^([a-z])(\d+)(\+?)$")  # i1, w5, b1, w5+
_NEURON = re.compile(r"^([hio])(\d+)(?:_(\d+))?$")  # h1, o2, h1_2


def latex_neuron(neuron: str) -> str:
    """``h1`` → ``h1``; ``h1_2`` (layer 1, neuron 2) → ``h_{1,2}``."""
    match = _NEURON.match(neuron)
    if match and match.group(3):
        return f"{match.group(1)}_{{{match.group(2)},{match.group(3)}}}"
    return neuron


def latex_name(name: str) -> str:
    """A value name in LaTeX: ``dE_total/dw5`` → ``\\frac{\\partial E_{total}}{\\partial w_{5}}``."""
    if name == "η":
        return r"\eta"
    if name in ("λ1", "λ2"):
        return rf"\lambda_{{{name[1]}}}"
    if name.startswith("⟨") and name.endswith("⟩"):
        return rf"\langle {latex_name(name[1:-1])} \rangle"
    if name.startswith("Σ"):
        return rf"\sum_{{b}} {latex_name(name[1:])}"
    if name.endswith("+") and not _INDEXED.match(name):
        return rf"{latex_name(name[:-1])}^{{+}}"
    if "/" in name and name.startswith("d"):
        top, bottom = name.split("/", 1)
        return rf"\frac{{\partial {latex_name(top[1:])}}}{{\partial {latex_name(bottom[1:])}}}"
    match = _INDEXED.match(name)
    if match:
        letter, number, plus = match.groups()
        return f"{letter}_{{{number}}}" + ("^{+}" if plus else "")
    if "_" in name:
        head, _, neuron = name.partition("_")
        head_latex = r"\delta" if head == "delta" else head
        subscript = "total" if neuron == "total" else latex_neuron(neuron)
        return f"{head_latex}_{{{subscript}}}"
    return name


_NAME_TOKEN = re.compile(r"[A-Za-z][A-Za-z0-9_]*(?:/d[A-Za-z][A-Za-z0-9_]*)?\+?")


def math_latex(text: str) -> str:
    """A formula written in the derivation's plain text as LaTeX: ``delta_o1 · w5`` → ``\\delta_{o1} \\cdot w_{5}``."""
    latex = _NAME_TOKEN.sub(lambda match: latex_name(match.group(0)), text)
    return latex.replace("·", r" \cdot ").replace("−", "-").replace("  ", " ")


def text_sum(terms: list[str]) -> str:
    """``a + b + c`` (plain text)."""
    return " + ".join(terms)


def _placeholder(name: str) -> str:
    return "{" + name + "}"


def activation_template(activation: str, net: str, out: str, layer_nets: list[str]) -> tuple[str, str]:
    """The right-hand side of ``out = f(net)`` with ``{net}`` placeholders: (text, LaTeX), from the registry.

    ``layer_nets``: the layer's net inputs, which a softmax sums over.
    """
    entry = get_activation(activation)
    names = {"net": _placeholder(net), "out": _placeholder(out)}
    layer = [_placeholder(other) for other in layer_nets]
    return fill(entry.formula, names, layer), fill(entry.formula_latex, names, layer)


def derivative_template(activation: str, net: str, out: str) -> tuple[str, str]:
    """The right-hand side of ``dout/dnet`` with placeholders, in the derivation's form: (text, LaTeX)."""
    entry = get_activation(activation)
    names = {"net": _placeholder(net), "out": _placeholder(out)}
    return fill(entry.derivative_formula, names), fill(entry.derivative_latex, names)


def _loss_names(target: str, out: str, n_outputs: int) -> dict[str, str]:
    return {"target": _placeholder(target), "out": _placeholder(out), "n": str(n_outputs)}


def error_template(loss: str, target: str, out: str, n_outputs: int, reduction: str = "mean") -> tuple[str, str]:
    """The right-hand side of ``E_o`` with placeholders: (text, LaTeX), from the registry (the loss's form
    under ``reduction``)."""
    entry, names = get_loss(loss, reduction), _loss_names(target, out, n_outputs)
    return fill(entry.formula, names), fill(entry.formula_latex, names)


def error_gradient_template(
    loss: str, target: str, out: str, n_outputs: int, reduction: str = "mean"
) -> tuple[str, str]:
    """The right-hand side of ``dE_total/dout_o`` with placeholders: (text, LaTeX), from the registry."""
    entry, names = get_loss(loss, reduction), _loss_names(target, out, n_outputs)
    return fill(entry.gradient_formula, names), fill(entry.gradient_latex, names)


def paired_delta_template(loss: str, activation: str, target: str, out: str) -> tuple[str, str]:
    """``delta_o`` of a loss with its paired output activation (``{out} − {target}``): (text, LaTeX)."""
    paired = get_loss(loss).paired[get_activation(activation).name]
    names = {"target": _placeholder(target), "out": _placeholder(out)}
    return fill(paired.delta_formula, names), fill(paired.delta_latex, names)


def derivative_operands(activation: str, net: str, out: str) -> list[str]:
    """What ``dout/dnet`` is written in, read off its formula: ``out`` (sigmoid, tanh), ``net`` (ReLUs), nothing."""
    used = symbols(get_activation(activation).derivative_formula)
    return [name for symbol, name in (("out", out), ("net", net)) if symbol in used]
