"""The compiled (numba) SGD paths: their contract, when they are used, and how they are loaded.

The compiled code lives in this package: ``lanes`` (the arithmetic every kernel shares), ``epochs`` (one
network's epoch executors), ``ensemble`` (many small networks, many epochs, one call) and ``codes`` (each
activation's and loss's branch, read from the registries' ``kernel_code``). Importing this package does not
import numba; ``load_compiled`` and ``load_ensemble_compiled`` import it on first use.

``stepgrad.training.loops`` hands whole epochs to ``stepgrad.training.compiled.epochs`` —
``online_sgd`` for batch size 1, ``minibatch_sgd`` for larger batches and the full batch —
when all of these hold, and otherwise runs the NumPy reference path:

* one network (an ensemble of one trains as any ensemble), plain SGD (no momentum, no weight decay),
  any batch size: on small networks the kernels save NumPy's per-call overhead
  (64-128-10 in batches of 32: 2.8× faster), on wide ones
  the matrix products dominate, BLAS in both, and the kernel's fused update saves passes over
  the weights (784-1024-10 in batches of 128: about as fast or faster),
* no callback needs to run between single updates (callbacks run once per epoch),
* numba imports, and ``codes.supports(activations, loss)`` is True
  (batches larger than one also need SciPy: numba multiplies matrices with SciPy's BLAS).

Ensembles of plain-SGD networks go to ``stepgrad.training.compiled.ensemble.ensemble_sgd``
(any batch size) when no weight matrix has more than ``ENSEMBLE_KERNEL_MAX_WEIGHTS`` entries:
it loops over the networks inside compiled code, on every core, and runs many epochs per call
(as many as no callback and no validation set needs to see one at a time).

``fit(..., use_compiled=False)`` always takes the NumPy path; both agree to 1e-12 (tested).

A batch of one, and any batch of a network with no weight matrix over ``LANE_MAX_WEIGHTS`` entries, trains on
``epochs._lane_kernel``: the ensemble kernel's arithmetic for one lane, so a member of a compiled ensemble
equals the same network trained alone to the last bit (tested with ``np.array_equal``), and a sweep's rows do
not depend on its chunks. Larger mini-batches multiply with BLAS (``epochs._minibatch_kernel``), whose sums
run in another order: there the ensemble member and the network alone agree to 1e-12.

One call runs one epoch (``order`` lists the sample of each update in turn), so the
learning-rate schedule, shuffling (a seeded ``numpy.random.Generator`` in the loop),
callbacks and the divergence guard stay in Python, between calls.

The compiled path must equal the NumPy path (``stepgrad.core.propagation``) to 1e-12:
for each ``k`` in ``range(len(order))`` with ``s = order[k]``:

    forward:  net_l = a_{l-1} · W_lᵀ + b_l,  out_l = f_l(net_l)        (a_0 = inputs[s])
    loss:     losses[k] = E_total of sample s before the update = Σ_o E_o
              (from ``net`` for the paired forms: sigmoid + binary_cross_entropy,
              softmax + cross_entropy, as ``stepgrad.core.propagation.error_terms``)
    accuracy: hits[k] = 1 when sample s is classified correctly before the update
              (``stepgrad.training.metrics.correct``), else 0
    output:   delta_L = dE/dout · dout/dnet   (``out − target`` for the paired forms)
    hidden:   delta_l = (delta_{l+1} · W_{l+1}) · f_l'(net_l, out_l)   with the ORIGINAL W_{l+1}
    update:   W_l+ = W_l − η · delta_lᵀ a_{l-1};
              b_l+ = b_l − η · delta_l            (per neuron, bias shape (n_out,))
              b_l+ = b_l − η · Σ_j delta_l,j      (shared, bias shape (1,) with n_out > 1)
              bias shape (0,): no bias; ``train_bias[l]`` False: the bias is not changed.

Arrays are float64 and C-contiguous; the function must not modify its inputs.
"""

from __future__ import annotations

import functools
import importlib
import importlib.util
from collections.abc import Sequence
from typing import Any, NamedTuple, Protocol

import numpy as np
from numpy.typing import NDArray

from stepgrad.training.compiled.codes import supports
from stepgrad.training.gradients import Functions
from stepgrad.training.params import Params

Array = NDArray[np.float64]


class OnlineSGDResult(NamedTuple):
    """What one compiled epoch returns.

    Attributes:
        weights: the new weights, one ``(n_out, n_in)`` array per layer (new arrays).
        biases: the new bias parameters, one ``(n_bias,)`` array per layer (new arrays).
        losses: ``(len(order),)`` ``E_total`` of each update's sample, before that update.
        hits: ``(len(order),)`` 1.0 where that sample was classified correctly before the update,
            else 0.0 (``stepgrad.training.metrics.correct``; meaningless for regression).
    """

    weights: list[Array]
    biases: list[Array]
    losses: Array
    hits: Array


class OnlineSGD(Protocol):
    """``stepgrad.training.compiled.epochs.online_sgd``: one epoch of online SGD, compiled."""

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
            activations: canonical activation names per layer (``get_activation(name).name``), each with a
                ``kernel_code`` in its registry entry (``codes.supports``).
            train_bias: per layer, whether the bias is updated.
            loss: canonical loss name (``get_loss(name).name``).
            inputs: ``(n_samples, n_inputs)``.
            targets: ``(n_samples, n_outputs)``.
            order: ``(n_updates,)`` int64 sample index of each update, in order.
            learning_rate: ``η``, constant over the call.
        """
        ...


class Supports(Protocol):
    """``stepgrad.training.compiled.codes.supports``: whether the kernel handles this network."""

    def __call__(self, activations: Sequence[str], loss: str) -> bool:
        """True when ``online_sgd`` implements every activation and the loss (canonical names)."""
        ...


# What the NumPy path spends on one update besides its arithmetic (the calls of a layer's forward and
# backward pass, the loop), and the arithmetic rate, both measured on the README's 2-core machine; and what
# a new process spends to import numba and SciPy and load a cached kernel. Used by ``compiled_pays``.
NUMPY_SECONDS_PER_UPDATE = 3e-4
NUMPY_FLOPS_PER_SECOND = 2e9
LOAD_SECONDS = 0.6


def compiled_pays(updates: int, batch_size: int, n_weights: int) -> bool:
    """Whether a run of ``updates`` updates of ``batch_size`` samples on ``n_weights`` weights would take the
    NumPy path longer than loading the compiled kernel takes (numba's import; the one-time compile aside).

    ``stepgrad train`` asks this, so a small run (the default spiral: 350 updates, about 0.1 s on the NumPy
    path) answers without importing numba at all; a library user who trains many times in one process
    pays the load once and can keep ``use_compiled=True``.
    """
    flops = 6.0 * batch_size * n_weights  # forward, backward and the update: about 6 per weight and sample
    return updates * (NUMPY_SECONDS_PER_UPDATE + flops / NUMPY_FLOPS_PER_SECOND) > LOAD_SECONDS


# The ensemble kernel multiplies sample by sample (no BLAS): meant for the many small networks of a sweep.
ENSEMBLE_KERNEL_MAX_WEIGHTS = 4096

# A single network none of whose weight matrices has more entries trains on the ensemble kernel's arithmetic
# (``epochs._lane_kernel``, sample by sample) at every batch size, so an ensemble member equals it to the last
# bit; a larger one multiplies its mini-batches with BLAS (``epochs._minibatch_kernel``), which is faster there.
LANE_MAX_WEIGHTS = 64

_MODULES: dict[str, Any] = {}


def _module(name: str) -> Any:
    """``stepgrad.training.compiled.<name>`` (importing numba), or None when numba is missing."""
    if name not in _MODULES:
        try:
            _MODULES[name] = importlib.import_module(f"stepgrad.training.compiled.{name}")
        except ImportError:
            _MODULES[name] = None
    return _MODULES[name]


def load_ensemble_compiled(activations: Sequence[str], loss: str) -> Any:
    """``stepgrad.training.compiled.ensemble.ensemble_sgd``, or None when numba is missing or the
    kernels do not support the network (canonical names). numba is imported here, on first use only."""
    if not supports(list(activations), loss):
        return None
    ensemble = _module("ensemble")
    return None if ensemble is None else ensemble.ensemble_sgd


def load_compiled(activations: Sequence[str], loss: str, batch_size: int = 1) -> OnlineSGD | None:
    """The compiled epoch for this network and batch size (``online_sgd`` for 1, else ``minibatch_sgd``
    with ``batch_size`` bound), or None when numba is missing or the kernels do not support it.

    ``activations`` and ``loss`` are canonical names. numba is imported here, on first use only.
    """
    if not supports(list(activations), loss):
        return None
    module = _module("epochs")
    if module is None:
        return None
    if batch_size == 1:
        online: OnlineSGD = module.online_sgd
        return online
    if importlib.util.find_spec("scipy") is None:  # numba multiplies matrices with SciPy's BLAS
        return None
    minibatch: OnlineSGD = functools.partial(module.minibatch_sgd, batch_size=batch_size)
    return minibatch


def load_shaped() -> Any:
    """The module of online SGD compiled for a network's shape (``compiled.shaped``: its ``advance`` takes
    networks ``plain_sgd.supports``), or None when numba is missing. Imports numba."""
    return _module("shaped")


def cache_holds(dispatcher: Any) -> bool | None:
    """Whether ``dispatcher`` (a ``numba.njit(cache=True)`` function) can run without compiling: this process
    holds its code already (no file read), or numba's on-disk cache holds code that matches its source; None
    when that cannot be told. The cache's index is not a public interface: any failure means "cannot tell",
    never an error."""
    if getattr(dispatcher, "signatures", None):
        return True
    try:
        return bool(dispatcher._cache._cache_file._load_index())
    except Exception:  # numba's internal layout changed, or the cache cannot be read
        return None


def compiled_is_cached(batch_size: int) -> bool | None:
    """Whether the compiled kernel for this batch size is in numba's cache (None: numba missing, or cannot tell).
    numba is imported here."""
    module = _module("epochs")
    return None if module is None else module.is_cached(batch_size)


# A compiled ensemble call's shuffled sample orders (epochs × networks × samples) stay below this many entries.
CHUNK_MAX_ORDERS = 4_000_000


def batch_sums(losses: Array, batch_size: int) -> tuple[Array, float]:
    """Each batch's ``Σ E_total`` (``losses`` per sample, in order) and the epoch's total, each added one term
    after another as the ensemble kernel adds them (NumPy's pairwise sum would differ in the last bit)."""
    padded = np.zeros(-(-len(losses) // batch_size) * batch_size)  # the last batch padded with 0.0: no change
    padded[: len(losses)] = losses
    with np.errstate(over="ignore", invalid="ignore"):
        per_batch = np.cumsum(padded.reshape(-1, batch_size), axis=1)[:, -1]  # cumsum adds in order
        return per_batch, float(np.cumsum(per_batch)[-1]) if len(per_batch) else 0.0


def sgd_on_kernel(
    kernel: OnlineSGD,
    params: Params,
    functions: Functions,
    trains_bias: Sequence[bool],
    inputs: Array,
    targets: Array,
    order: NDArray[np.int64],
    rate: Any,
) -> tuple[Params, OnlineSGDResult]:
    """``len(order)`` SGD updates of one network's ``params`` on a compiled kernel (``compiled.OnlineSGD``):
    the new parameters, and the kernel's result with each update's loss and hit."""
    result = kernel(
        [np.ascontiguousarray(w) for w in params.weights],
        [np.ascontiguousarray(b) for b in params.biases],
        [a.name for a in functions.activations],
        trains_bias,
        functions.loss.name,
        inputs,
        targets,
        order,
        float(rate),
    )
    return Params(tuple(result.weights), tuple(result.biases)), result
