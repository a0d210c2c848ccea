"""The names of a step's values, built in one place: ``net_h1``, ``delta_o1``, ``dE_total/dw5``, ``w5+``.

These are the public vocabulary of ../shared/DESIGN.md. ``neuron`` is a neuron's name (``h1``,
``o2``, ``h1_2``), ``parameter`` a weight's or a bias's (``w5``, ``b1``); ``after="+"`` names a
value of the forward pass with the updated parameters (``net_h1+``, ``E_total+``).
"""

from __future__ import annotations

AFTER = "+"  # the suffix of every value after the update


def target(neuron: str) -> str:
    """``target_o1``."""
    return f"target_{neuron}"


def net(neuron: str, after: str = "") -> str:
    """``net_h1``: the net input, ``Σ w·input + b``."""
    return f"net_{neuron}{after}"


def out(neuron: str, after: str = "") -> str:
    """``out_h1 = f(net_h1)``."""
    return f"out_{neuron}{after}"


def error(neuron: str, after: str = "") -> str:
    """``E_o1``: one output's error term."""
    return f"E_{neuron}{after}"


def error_total(after: str = "") -> str:
    """``E_total = Σ_o E_o``."""
    return f"E_total{after}"


def dE_dout(neuron: str) -> str:
    """``dE_total/dout_h1``: how the total error changes with the neuron's output."""
    return f"dE_total/dout_{neuron}"


def sent_back(upper: str, neuron: str) -> str:
    """``dE_o1/dout_h1 = delta_o1 · w5``: what neuron ``upper`` of the next layer sends back to ``neuron``."""
    return f"dE_{upper}/dout_{neuron}"


def dout_dnet(neuron: str) -> str:
    """``dout_h1/dnet_h1``: the activation's derivative."""
    return f"dout_{neuron}/dnet_{neuron}"


def delta(neuron: str) -> str:
    """``delta_o1 = dE_total/dnet_o1``."""
    return f"delta_{neuron}"


def dnet_dw(neuron: str, weight: str) -> str:
    """``dnet_o1/dw5``: the input weight ``weight`` multiplies."""
    return f"dnet_{neuron}/d{weight}"


def gradient(parameter: str) -> str:
    """``dE_total/dw5``."""
    return f"dE_total/d{parameter}"


def batch_mean(name: str) -> str:
    """``⟨dE_total/dw5⟩``: the batch mean of a per-sample value."""
    return f"⟨{name}⟩"


def batch_sum(name: str) -> str:
    """``ΣdE_total/dw5``: the batch sum of a per-sample value (a network with ``reduction = "sum"``)."""
    return f"Σ{name}"


def batch_combined(name: str, reduction: str) -> str:
    """The batch's gradient the update uses: ``batch_mean`` for ``reduction = "mean"``, ``batch_sum`` for ``sum``."""
    return batch_sum(name) if reduction == "sum" else batch_mean(name)


def updated(parameter: str) -> str:
    """``w5+``: the parameter after the update."""
    return f"{parameter}{AFTER}"


def penalty() -> str:
    """``E_reg``: the regularization term ``λ₁·Σ|w| + ½·λ₂·Σw²`` of the objective."""
    return "E_reg"


def penalty_gradient(weight: str) -> str:
    """``dE_reg/dw5 = λ₁·sign(w5) + λ₂·w5``."""
    return f"dE_reg/d{weight}"
