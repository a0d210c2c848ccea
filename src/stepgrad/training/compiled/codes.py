"""The compiled kernels' codes, read from the registries (``kernel_code`` of each activation and loss).

An activation or loss whose ``kernel_code`` is None trains on the NumPy path only (``supports`` says no).
Importing this module does not import numba.
"""

from __future__ import annotations

from collections.abc import Sequence

from stepgrad.functions import losses
from stepgrad.functions.activations import ACTIVATIONS, LEAKY_SLOPE

ACTIVATION_CODES: dict[str, int] = {name: a.kernel_code for name, a in ACTIVATIONS.items() if a.kernel_code is not None}
LOSS_CODES: dict[str, int] = {
    name: loss.kernel_code for name, loss in losses.LOSSES.items() if loss.kernel_code is not None
}

# The branches of the kernels (``stepgrad.training.compiled.lanes``), as numba's compile-time constants.
SIGMOID = ACTIVATION_CODES["sigmoid"]
TANH = ACTIVATION_CODES["tanh"]
RELU = ACTIVATION_CODES["relu"]
LEAKY_RELU = ACTIVATION_CODES["leaky_relu"]
LINEAR = ACTIVATION_CODES["linear"]
SOFTMAX = ACTIVATION_CODES["softmax"]
HALF_SQUARED = LOSS_CODES["half_squared_error"]
MSE = LOSS_CODES["mse"]
BCE = LOSS_CODES["binary_cross_entropy"]
CE = LOSS_CODES["cross_entropy"]
LEAKY = float(LEAKY_SLOPE)
LOG_FLOOR = losses.LOG_FLOOR  # ln(max(x, LOG_FLOOR)), as the losses' array code


def supports(activations: Sequence[str], loss: str) -> bool:
    """True when the kernels implement every activation and the loss (canonical names)."""
    return all(name in ACTIVATION_CODES for name in activations) and loss in LOSS_CODES
