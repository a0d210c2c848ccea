"""A network's trainable numbers as plain arrays, optionally for an ensemble of networks.

``Params`` holds one weight matrix and one bias vector per layer. A single network has
weights ``(n_out, n_in)`` and biases ``(n_bias,)``; an ensemble of ``N`` networks stacks them
along a leading "network" axis: ``(N, n_out, n_in)`` and ``(N, n_bias)``. The functions of
``stepgrad.core.propagation`` accept both, so one code path trains one network or many.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from stepgrad.network.model import Network

Array = NDArray[np.float64]


@dataclass(frozen=True)
class Params:
    """Weights and biases of every layer, first hidden layer first.

    Attributes:
        weights: per layer ``(..., n_out, n_in)``.
        biases: per layer ``(..., n_bias)`` with ``n_bias`` in ``{0, 1, n_out}``.
    """

    weights: tuple[Array, ...]
    biases: tuple[Array, ...]

    def arrays(self) -> list[Array]:
        """Every parameter array in a fixed order: ``W1, b1, W2, b2, …``."""
        return [array for pair in zip(self.weights, self.biases, strict=True) for array in pair]

    @classmethod
    def from_arrays(cls, arrays: list[Array]) -> Params:
        """The inverse of ``arrays``."""
        return cls(weights=tuple(arrays[0::2]), biases=tuple(arrays[1::2]))

    def is_finite(self) -> bool | NDArray[np.bool_]:
        """Whether every parameter is finite (per network for an ensemble: ``(N,)``)."""
        lead = self.weights[0].ndim - 2
        flags = [np.isfinite(a).reshape(*a.shape[:lead], -1).all(axis=-1) for a in self.arrays()]
        result = np.logical_and.reduce(flags)
        return bool(result) if lead == 0 else result


def params_of(network: Network) -> Params:
    """The network's weights and biases as fresh arrays."""
    return Params(
        weights=tuple(layer.weights.copy() for layer in network.layers),
        biases=tuple(layer.bias.copy() for layer in network.layers),
    )


def stack(params: list[Params]) -> Params:
    """An ensemble from single networks: each array gains a leading axis ``N``."""
    return Params(
        weights=tuple(np.stack(ws) for ws in zip(*(p.weights for p in params), strict=True)),
        biases=tuple(np.stack(bs) for bs in zip(*(p.biases for p in params), strict=True)),
    )


def member(params: Params, index: int) -> Params:
    """Network ``index`` of an ensemble, as a single network's arrays (copies)."""
    return Params(
        weights=tuple(w[index].copy() for w in params.weights),
        biases=tuple(b[index].copy() for b in params.biases),
    )


def with_params(network: Network, params: Params) -> Network:
    """``network`` (its activations, loss, bias modes) carrying ``params`` (single network)."""
    return network.with_parameters(list(params.weights), list(params.biases))
