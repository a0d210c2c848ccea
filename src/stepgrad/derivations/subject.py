"""``stepgrad.explain(…)``: a derivation of whatever names a training step.

A network file's path, a ``Setup``, a ``Network`` with inputs and targets, a ``Trace``,
or nothing (the classic example) all become a ``Derivation``.
"""

from __future__ import annotations

import os
from typing import Any

from numpy.typing import ArrayLike

from stepgrad.core.step import batch_arrays
from stepgrad.core.trace import HiddenDeltasFrom, Trace
from stepgrad.derivations.derivation import explain, explain_setup
from stepgrad.derivations.step import Derivation
from stepgrad.errors import StepgradError
from stepgrad.network.model import Network, Setup


def explain_subject(
    subject: str | os.PathLike[str] | Setup | Network | Trace | None = None,
    inputs: ArrayLike | None = None,
    targets: ArrayLike | None = None,
    learning_rate: float = 0.5,
    sample: int = 0,
    hidden_deltas_from: HiddenDeltasFrom = "original",
) -> Derivation:
    """The derivation of one training step of ``subject``, following sample ``sample`` (0 = the first).

    Args:
        subject: a network file's path, a ``Setup``, a ``Network`` (with ``inputs`` and
            ``targets``), a ``Trace`` (explained as it is), or None for the classic example.
        inputs: ``(B, n_inputs)`` samples, for a ``Network`` only.
        targets: ``(B, n_outputs)``, for a ``Network`` only.
        learning_rate: ``η``, for a ``Network`` only (a file or ``Setup`` has its own).
        sample: which sample to follow.
        hidden_deltas_from: ``updated`` reproduces the classic mistake.
    """
    if isinstance(subject, Trace):
        return explain(subject, sample=sample)
    if isinstance(subject, Network):
        if inputs is None or targets is None:
            raise StepgradError("explaining a Network needs inputs and targets")
        checked_inputs, checked_targets = batch_arrays(subject, inputs, targets)
        assert checked_targets is not None
        setup = Setup(subject, checked_inputs, checked_targets, learning_rate)
    else:
        if inputs is not None or targets is not None:
            raise StepgradError("inputs and targets are for a Network; a file or Setup has its own")
        setup = _setup_of(subject)
    return explain_setup(setup, sample=sample, hidden_deltas_from=hidden_deltas_from)


def _setup_of(subject: Any) -> Setup:
    if subject is None:
        from stepgrad.network.classic import classic_setup

        return classic_setup()
    if isinstance(subject, Setup):
        return subject
    if isinstance(subject, str | os.PathLike):
        from stepgrad.network.files import load_setup

        return load_setup(subject)
    raise StepgradError(
        f"cannot explain a {type(subject).__name__}: give a network file, a Setup, a Network or a Trace"
    )
