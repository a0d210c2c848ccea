"""Network parameters, their names, the classic example, and network files.

The names below are imported on first use (PEP 562): ``stepgrad train`` on the classic example
reads the example's numbers and names without importing the array model (nor NumPy).
"""

from typing import TYPE_CHECKING

from stepgrad.lazy import lazy_names

if TYPE_CHECKING:
    from stepgrad.network.classic import classic_network, classic_setup
    from stepgrad.network.model import BIAS_MODES, BiasMode, Layer, Network, Setup
    from stepgrad.network.naming import Names, network_names

_LAZY: dict[str, str] = {
    "classic_network": "stepgrad.network.classic",
    "classic_setup": "stepgrad.network.classic",
    "BIAS_MODES": "stepgrad.network.model",
    "BiasMode": "stepgrad.network.model",
    "Layer": "stepgrad.network.model",
    "Network": "stepgrad.network.model",
    "Setup": "stepgrad.network.model",
    "Names": "stepgrad.network.naming",
    "network_names": "stepgrad.network.naming",
}

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


__getattr__, __dir__ = lazy_names(__name__, _LAZY, __all__)
