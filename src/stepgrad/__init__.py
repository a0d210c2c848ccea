"""stepgrad: backpropagation you can check by hand.

The core turns a network and a sample into traces holding every number of the
forward pass (``forward``), the backward pass (``backward``) and the update
(``update``; ``train_step`` is all three); everything else is a view of traces.
``stepgrad.explain(…)`` works a step out number by number (the derivation itself lives in the
package ``stepgrad.derivations``). ``predict`` gives labels, ``predict_outputs`` the output
layer's values. Imports are kept
light so ``import stepgrad`` is fast.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from stepgrad.errors import StepgradError
from stepgrad.lazy import lazy_names

if TYPE_CHECKING:
    from numpy.typing import ArrayLike

    from stepgrad.core import (
        BackwardTrace,
        ForwardTrace,
        Trace,
        backward,
        check_gradients,
        forward,
        predict_outputs,
        total_error,
        train_step,
        update,
    )
    from stepgrad.core.trace import HiddenDeltasFrom
    from stepgrad.derivations.step import Derivation
    from stepgrad.network import Layer, Network, Setup, classic_network, classic_setup, network_names
    from stepgrad.training import predict
    from stepgrad.web.widget import widget

# The public names and the module each comes from, imported on first use (PEP 562), so that
# ``import stepgrad.errors`` (every CLI command) does not import NumPy and the whole core.
_LAZY: dict[str, str] = {
    **dict.fromkeys(
        [
            "BackwardTrace",
            "ForwardTrace",
            "Trace",
            "backward",
            "check_gradients",
            "forward",
            "predict_outputs",
            "total_error",
            "train_step",
            "update",
        ],
        "stepgrad.core",
    ),
    # predict gives labels (class indices, 0/1; regression: the outputs), as stepgrad.training.predict
    # and scikit-learn do; predict_outputs gives the output layer's values.
    "predict": "stepgrad.training",
    **dict.fromkeys(
        ["Layer", "Network", "Setup", "classic_network", "classic_setup", "network_names"], "stepgrad.network"
    ),
    "widget": "stepgrad.web.widget",  # the notebook widget: needs anywidget (pip install 'stepgrad[notebook]')
}

__version__ = "0.1.0"

__all__ = [
    "BackwardTrace",
    "ForwardTrace",
    "Layer",
    "Network",
    "Setup",
    "StepgradError",
    "Trace",
    "backward",
    "check_gradients",
    "classic_network",
    "classic_setup",
    "explain",
    "forward",
    "network_names",
    "predict",
    "predict_outputs",
    "total_error",
    "train_step",
    "update",
    "widget",
]


def explain(
    subject: str | os.PathLike[str] | Setup | Network | Trace | None = None,
    inputs: ArrayLike | None = None,
    targets: ArrayLike | None = None,
    learning_rate: float = 0.5,
    sample: int = 0,
    hidden_deltas_from: HiddenDeltasFrom = "original",
) -> Derivation:
    """One training step worked out number by number: a ``Derivation`` (see ``stepgrad.derivations.subject``).

    ``subject`` is a network file's path, a ``Setup``, a ``Network`` (with ``inputs`` and
    ``targets``), a ``Trace``, or None for the classic example. Renders with
    ``stepgrad.render.render(derivation, "markdown")``; in Jupyter it displays itself.
    """
    from stepgrad.derivations.subject import explain_subject

    return explain_subject(subject, inputs, targets, learning_rate, sample, hidden_deltas_from)


__getattr__, __dir__ = lazy_names(__name__, _LAZY, __all__)
