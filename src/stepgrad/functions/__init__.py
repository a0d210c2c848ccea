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
from stepgrad.functions.losses import LOSSES, Loss, PairedForm, get_loss, loss_names

__all__ = [
    "ACTIVATIONS",
    "LOSSES",
    "Activation",
    "Loss",
    "PairedForm",
    "activation_names",
    "get_activation",
    "get_loss",
    "log_sigmoid",
    "log_softmax",
    "loss_names",
    "sigmoid",
    "softmax",
]
