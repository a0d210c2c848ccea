"""Network parameters, their names, the classic example, and network files."""

from stepgrad.network.classic import classic_network, classic_setup
from stepgrad.network.model import BIAS_MODES, BiasMode, Layer, Network, Setup
from stepgrad.network.naming import Names, network_names

__all__ = [
    "BIAS_MODES",
    "BiasMode",
    "Layer",
    "Names",
    "Network",
    "Setup",
    "classic_network",
    "classic_setup",
    "network_names",
]
