"""How the derivation writes names and function applications, as text and as LaTeX.

Value names are the public vocabulary (``net_h1``, ``dE_total/dw5``, ``w5+``);
``latex_name`` turns them into ``net_{h1}``, ``\\frac{\\partial E_{total}}{\\partial w_{5}}``,
``w_{5}^{+}``. The ``*_template`` functions give an activation's or a loss's
right-hand side with ``{name}`` placeholders, the form ``Step.substitution`` uses.
"""

from __future__ import annotations

import re

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
    if name.startswith("⟨") and name.endswith("⟩"):
        return rf"\langle {latex_name(name[1:-1])} \rangle"
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


def activation_template(activation: str, net: str, out: str, layer_nets: list[str]) -> tuple[str, str]:
    """The right-hand side of ``out = f(net)`` with ``{net}`` placeholders: (text, LaTeX)."""
    n = "{" + net + "}"
    if activation == "sigmoid":
        return f"1 / (1 + e^(−{n}))", rf"\frac{{1}}{{1 + e^{{-{n}}}}}"
    if activation == "tanh":
        return f"tanh({n})", rf"\tanh({n})"
    if activation == "relu":
        return f"max(0, {n})", rf"\max(0, {n})"
    if activation == "leaky_relu":
        return f"{n} if {n} > 0 else 0.01·{n}", rf"{n} \text{{ if }} {n} > 0 \text{{ else }} 0.01 \cdot {n}"
    if activation == "linear":
        return n, n
    if activation == "softmax":
        denominator = " + ".join(f"e^({{{other}}})" for other in layer_nets)
        denominator_latex = " + ".join(f"e^{{{{{other}}}}}" for other in layer_nets)
        return f"e^({n}) / ({denominator})", rf"\frac{{e^{{{n}}}}}{{{denominator_latex}}}"
    raise KeyError(activation)


def derivative_template(activation: str, net: str, out: str) -> tuple[str, str]:
    """The right-hand side of ``dout/dnet`` with placeholders, in the derivation's form: (text, LaTeX)."""
    o, n = "{" + out + "}", "{" + net + "}"
    if activation in ("sigmoid", "softmax"):
        return f"{o}·(1 − {o})", rf"{o}(1 - {o})"
    if activation == "tanh":
        return f"1 − {o}²", rf"1 - {o}^{{2}}"
    if activation == "relu":
        return f"1 if {n} > 0 else 0", rf"1 \text{{ if }} {n} > 0 \text{{ else }} 0"
    if activation == "leaky_relu":
        return f"1 if {n} > 0 else 0.01", rf"1 \text{{ if }} {n} > 0 \text{{ else }} 0.01"
    if activation == "linear":
        return "1", "1"
    raise KeyError(activation)


def error_template(loss: str, target: str, out: str, n_outputs: int) -> tuple[str, str]:
    """The right-hand side of ``E_o`` with placeholders: (text, LaTeX)."""
    t, o = "{" + target + "}", "{" + out + "}"
    if loss == "half_squared_error":
        return f"½({t} − {o})²", rf"\tfrac{{1}}{{2}}({t} - {o})^{{2}}"
    if loss == "mse":
        return f"({t} − {o})² / {n_outputs}", rf"\frac{{({t} - {o})^{{2}}}}{{{n_outputs}}}"
    if loss == "binary_cross_entropy":
        return (
            f"−[{t}·ln({o}) + (1 − {t})·ln(1 − {o})]",
            rf"-\left[{t} \ln({o}) + (1 - {t}) \ln(1 - {o})\right]",
        )
    if loss == "cross_entropy":
        return f"−{t}·ln({o})", rf"-{t} \ln({o})"
    raise KeyError(loss)


def error_gradient_template(loss: str, target: str, out: str, n_outputs: int) -> tuple[str, str]:
    """The right-hand side of ``dE_total/dout_o`` with placeholders: (text, LaTeX)."""
    t, o = "{" + target + "}", "{" + out + "}"
    if loss == "half_squared_error":
        return f"−({t} − {o})", rf"-({t} - {o})"
    if loss == "mse":
        return f"−2({t} − {o}) / {n_outputs}", rf"-\frac{{2({t} - {o})}}{{{n_outputs}}}"
    if loss == "binary_cross_entropy":
        return f"({o} − {t}) / ({o}·(1 − {o}))", rf"\frac{{{o} - {t}}}{{{o}(1 - {o})}}"
    if loss == "cross_entropy":
        return f"−{t} / {o}", rf"-\frac{{{t}}}{{{o}}}"
    raise KeyError(loss)
