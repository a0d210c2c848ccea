"""The math core: forward, backward and update of a network, each recorded as a trace."""

from stepgrad.core.gradcheck import GradientCheck, check_gradients, numerical_gradients
from stepgrad.core.step import backward, errors, forward, predict, total_error, train_step, update
from stepgrad.core.trace import BackwardTrace, ForwardTrace, HiddenDeltasFrom, LayerBackward, LayerTrace, Trace

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
    "predict",
    "total_error",
    "train_step",
    "update",
]
