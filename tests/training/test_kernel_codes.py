"""Every activation and loss of the registries has a compiled kernel form or is NumPy-only, by its own entry.

Adding an activation is one registry entry: with ``kernel_code=None`` it trains on the NumPy path (the
compiled paths step aside); with a code it must be a branch the kernels implement.
"""

import pytest

from stepgrad.functions.activations import ACTIVATIONS
from stepgrad.functions.losses import LOSSES
from stepgrad.training.compiled import codes

# The branches ``stepgrad.training.compiled.lanes`` implements.
KERNEL_ACTIVATIONS = {codes.SIGMOID, codes.TANH, codes.RELU, codes.LEAKY_RELU, codes.LINEAR, codes.SOFTMAX}
KERNEL_LOSSES = {codes.HALF_SQUARED, codes.MSE, codes.BCE, codes.CE}


@pytest.mark.parametrize(("registry", "implemented"), [(ACTIVATIONS, KERNEL_ACTIVATIONS), (LOSSES, KERNEL_LOSSES)])
def test_every_registry_entry_has_a_kernel_form_or_is_numpy_only(registry, implemented) -> None:
    coded = {name: entry.kernel_code for name, entry in registry.items() if entry.kernel_code is not None}
    numpy_only = {name for name, entry in registry.items() if entry.kernel_code is None}
    assert set(coded) | numpy_only == set(registry)
    assert len(set(coded.values())) == len(coded)  # one branch per entry
    assert set(coded.values()) <= implemented  # no code the kernels do not implement
    assert len(implemented) == len(coded)  # no branch without its entry


def test_the_kernels_support_exactly_the_coded_entries() -> None:
    for name, activation in ACTIVATIONS.items():
        assert codes.supports([name], "mse") == (activation.kernel_code is not None)
    for name, loss in LOSSES.items():
        assert codes.supports(["sigmoid"], name) == (loss.kernel_code is not None)
