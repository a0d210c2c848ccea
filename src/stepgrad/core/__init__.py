"""The math core: forward, backward and update of a network, each recorded as a trace.

The names below are imported on first use (PEP 562): the training loops need only the array
functions of ``stepgrad.core.propagation``, not the traces.
"""

from typing import TYPE_CHECKING

from stepgrad.lazy import lazy_names

if TYPE_CHECKING:
    from stepgrad.core.gradcheck import GradientCheck, check_gradients, numerical_gradients
    from stepgrad.core.step import backward, errors, forward, predict_outputs, total_error, train_step, update
    from stepgrad.core.trace import BackwardTrace, ForwardTrace, HiddenDeltasFrom, LayerBackward, LayerTrace, Trace

_LAZY: dict[str, str] = {
    **dict.fromkeys(["GradientCheck", "check_gradients", "numerical_gradients"], "stepgrad.core.gradcheck"),
    **dict.fromkeys(
        ["backward", "errors", "forward", "predict_outputs", "total_error", "train_step", "update"],
        "stepgrad.core.step",
    ),
    **dict.fromkeys(
        ["BackwardTrace", "ForwardTrace", "HiddenDeltasFrom", "LayerBackward", "LayerTrace", "Trace"],
        "stepgrad.core.trace",
    ),
}

__all__ = [
    "BackwardTrace",
    "ForwardTrace",
    "GradientCheck",
    "HiddenDeltasFrom",
    "LayerBackward",
    "LayerTrace",
    "Trace",
    "backward",
    "check_gradients",
    "errors",
    "forward",
    "numerical_gradients",
    "predict_outputs",
    "total_error",
    "train_step",
    "update",
]


__getattr__, __dir__ = lazy_names(__name__, _LAZY, __all__)
