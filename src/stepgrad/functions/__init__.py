"""Activations and losses, each with value, derivative and formula, in registries by name."""

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
