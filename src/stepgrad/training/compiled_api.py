"""The contract between the NumPy training loop and the compiled (numba) online-SGD path.

``stepgrad.training.loops`` calls ``stepgrad.training.compiled.online_sgd`` (engineer E's module)
when all of these hold, and otherwise runs the NumPy reference path:

* the optimizer is plain SGD (no momentum, no weight decay), batch size 1 (online),
* no callback needs to run between single updates (callbacks run once per epoch),
* ``stepgrad.training.compiled`` and numba import, and ``supports(activations, loss)`` is True.

One call runs one epoch (``order`` lists the sample of each update in turn), so the
learning-rate schedule, shuffling (a seeded ``numpy.random.Generator`` in the loop),
callbacks and the divergence guard stay in Python, between calls.

The compiled path must equal the NumPy path (``stepgrad.core.propagation``) to 1e-12:
for each ``k`` in ``range(len(order))`` with ``s = order[k]``:

    forward:  net_l = a_{l-1} · W_lᵀ + b_l,  out_l = f_l(net_l)        (a_0 = inputs[s])
    loss:     losses[k] = E_total of sample s before the update = Σ_o E_o
              (from ``net`` for the paired forms: sigmoid + binary_cross_entropy,
              softmax + cross_entropy, as ``stepgrad.core.propagation.error_terms``)
    output:   delta_L = dE/dout · dout/dnet   (``out − target`` for the paired forms)
    hidden:   delta_l = (delta_{l+1} · W_{l+1}) · f_l'(net_l, out_l)   with the ORIGINAL W_{l+1}
    update:   W_l+ = W_l − η · delta_lᵀ a_{l-1};
              b_l+ = b_l − η · delta_l            (per neuron, bias shape (n_out,))
              b_l+ = b_l − η · Σ_j delta_l,j      (shared, bias shape (1,) with n_out > 1)
              bias shape (0,): no bias; ``train_bias[l]`` False: the bias is not changed.

Arrays are float64 and C-contiguous; the function must not modify its inputs.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple, Protocol

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.float64]


class OnlineSGDResult(NamedTuple):
    """What one compiled epoch returns.

    Attributes:
        weights: the new weights, one ``(n_out, n_in)`` array per layer (new arrays).
        biases: the new bias parameters, one ``(n_bias,)`` array per layer (new arrays).
        losses: ``(len(order),)`` ``E_total`` of each update's sample, before that update.
    """

    weights: list[Array]
    biases: list[Array]
    losses: Array


class OnlineSGD(Protocol):
    """``stepgrad.training.compiled.online_sgd``: one epoch of online SGD, compiled."""

    def __call__(
        self,
        weights: Sequence[Array],
        biases: Sequence[Array],
        activations: Sequence[str],
        train_bias: Sequence[bool],
        loss: str,
        inputs: Array,
        targets: Array,
        order: NDArray[np.int64],
        learning_rate: float,
    ) -> OnlineSGDResult:
        """Run ``len(order)`` online updates.

        Args:
            weights: one ``(n_out, n_in)`` array per layer, first hidden layer first.
            biases: one ``(n_bias,)`` array per layer, ``n_bias`` in ``{0, 1, n_out}``.
            activations: canonical activation names per layer (``sigmoid``, ``tanh``, ``relu``,
                ``leaky_relu``, ``linear``, ``softmax``), as ``get_activation(name).name``.
            train_bias: per layer, whether the bias is updated.
            loss: canonical loss name (``get_loss(name).name``).
            inputs: ``(n_samples, n_inputs)``.
            targets: ``(n_samples, n_outputs)``.
            order: ``(n_updates,)`` int64 sample index of each update, in order.
            learning_rate: ``η``, constant over the call.
        """
        ...


class Supports(Protocol):
    """``stepgrad.training.compiled.supports``: whether the kernel handles this network."""

    def __call__(self, activations: Sequence[str], loss: str) -> bool:
        """True when ``online_sgd`` implements every activation and the loss (canonical names)."""
        ...
