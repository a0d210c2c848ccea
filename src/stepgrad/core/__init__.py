"""The math core: forward, backward and update of a network, recorded as a ``Trace``."""

from stepgrad.core.gradcheck import GradientCheck, check_gradients, numerical_gradients
from stepgrad.core.step import errors, forward, predict, total_error, train_step
from stepgrad.core.trace import HiddenDeltasFrom, LayerTrace, Trace

__all__ = [
    "GradientCheck",
    "HiddenDeltasFrom",
    "LayerTrace",
    "Trace",
    "check_gradients",
    "errors",
    "forward",
    "numerical_gradients",
    "predict",
    "total_error",
    "train_step",
]
