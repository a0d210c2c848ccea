"""Activations and losses, each with value, derivative and formula, in registries by name.

The names below are imported on first use (PEP 562), and ``activations`` imports NumPy only when an array is
computed: the plain lines of ``stepgrad train`` read an activation's line forms without NumPy.
"""

from typing import TYPE_CHECKING

from stepgrad.lazy import lazy_names

if TYPE_CHECKING:
    from stepgrad.functions.activations import (
        ACTIVATIONS,
        Activation,
        activation_names,
        get_activation,
        log_sigmoid,
        log_softmax,
        sigmoid,
        softmax,
    )
    from stepgrad.functions.losses import LOSSES, REDUCTIONS, Loss, PairedForm, Reduction, get_loss, loss_names

_ACTIVATIONS = "stepgrad.functions.activations"
_LOSSES = "stepgrad.functions.losses"
_LAZY: dict[str, str] = {
    **dict.fromkeys(
        [
            "ACTIVATIONS",
            "Activation",
            "activation_names",
            "get_activation",
            "log_sigmoid",
            "log_softmax",
            "sigmoid",
            "softmax",
        ],
        _ACTIVATIONS,
    ),
    **dict.fromkeys(["LOSSES", "REDUCTIONS", "Loss", "PairedForm", "Reduction", "get_loss", "loss_names"], _LOSSES),
}

__all__ = [
    "ACTIVATIONS",
    "LOSSES",
    "REDUCTIONS",
    "Activation",
    "Loss",
    "PairedForm",
    "Reduction",
    "activation_names",
    "get_activation",
    "get_loss",
    "log_sigmoid",
    "log_softmax",
    "loss_names",
    "sigmoid",
    "softmax",
]

__getattr__, __dir__ = lazy_names(__name__, _LAZY, __all__)
