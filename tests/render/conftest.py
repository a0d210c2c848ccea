"""The classic example's derivation for the renderer tests (``explain`` on one real training step)."""

from __future__ import annotations

import pytest

from stepgrad.core import Trace, train_step
from stepgrad.derivations.derivation import explain
from stepgrad.derivations.step import Derivation
from stepgrad.network import classic_setup


def classic_trace() -> Trace:
    """One training step of the classic example."""
    setup = classic_setup()
    return train_step(setup.network, setup.inputs, setup.targets, setup.learning_rate)


def classic_derivation() -> Derivation:
    """The classic example's derivation, sample 0."""
    return explain(classic_trace(), sample=0)


@pytest.fixture(scope="session")
def derivation() -> Derivation:
    """The classic derivation, built once per session."""
    return classic_derivation()
