"""stepgrad: backpropagation you can check by hand.

The core turns a network and a sample into a ``Trace`` holding every number of
the forward pass, the backward pass and the update; everything else is a view
of traces. Imports are kept light so ``import stepgrad`` is fast.
"""

from stepgrad.core import Trace, check_gradients, forward, predict, total_error, train_step
from stepgrad.errors import StepgradError
from stepgrad.network import Layer, Network, Setup, classic_network, classic_setup, network_names

__version__ = "0.1.0"

__all__ = [
    "Layer",
    "Network",
    "Setup",
    "StepgradError",
    "Trace",
    "check_gradients",
    "classic_network",
    "classic_setup",
    "forward",
    "network_names",
    "predict",
    "total_error",
    "train_step",
]
