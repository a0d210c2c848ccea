"""Online SGD in plain Python floats: the path for networks too small to pay for a compiler.

The classic 2-2-2 network does about 30 multiplications an update. numba runs them in
machine code, but importing numba and loading its cached kernel costs about 0.4 s in every
new process, and NumPy spends microseconds per call on arrays of two numbers. Written out as
straight Python lines over floats, one line per number of the derivation (as a person works
the example), 10,000 classic updates take about 15 ms. ``stepgrad.training.repeat`` picks this
path by the size of the work (``worth_compiling``); ``update_source`` shows the code it runs.

The lines do the arithmetic of the general kernel ``stepgrad.training.compiled.online_sgd`` in the
same order, so the two and the NumPy path agree to the last bit or nearly (tests: 1e-12, through
``stepgrad.training.plain_repeat``). Each activation's ``f`` and ``dout/dnet`` are its registry entry's
line forms (``stepgrad.functions.activations.Activation.line_value``). Per update, for sample ``s = order[k]``:

    forward:  net_j = Σ_i a_i · w_ji + b_j,  out_j = f(net_j)          (a = inputs[s])
    output:   delta_o = dE/dout_o · dout_o/dnet_o
    hidden:   delta_h = (Σ_o delta_o · w_oh) · dout_h/dnet_h            with the ORIGINAL w_oh
    update:   w_ji+ = w_ji − (η · delta_j) · a_i,  b_j+ = b_j − η · delta_j  (Σ_j delta_j when shared)
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from stepgrad.functions.activations import get_activation  # the registries without NumPy: their line forms
from stepgrad.functions.losses import get_loss

if TYPE_CHECKING:  # NumPy only where arrays come in or go out: the lines themselves run on floats
    import numpy as np
    from numpy.typing import NDArray

    Array = NDArray[np.float64]

# The plain loop writes one line per weight: networks up to this many weights (the classic has 8).
MAX_WEIGHTS = 256
# Below this many updates × weights the plain loop finishes before numba would have loaded its kernel:
# importing numba and loading a cached kernel takes about 0.4 s in a new process; the plain loop
# updates about 5 million weights a second (10,000 classic updates: 80,000 weight updates, 15 ms).
PLAIN_WORK_LIMIT = 2_000_000


# The math functions the lines may call by their bare names (an activation's line forms, see
# ``stepgrad.functions.activations.Activation.line_value``): all of ``math``'s (for ``compiled.shaped``'s module too).
MATH_NAMES = tuple(name for name in dir(math) if not name.startswith("_"))
_MATH = {name: getattr(math, name) for name in MATH_NAMES}


def supports(activations: Sequence[str], loss: str, weights: Sequence[Array] | int) -> bool:
    """True when every activation and the loss have line forms in their registry entries (a configured
    activation, such as ``leaky_relu(negative_slope=0.1)``, too) and the
    network is small enough (``MAX_WEIGHTS``; ``weights``: the layers' arrays or their number of weights)."""
    small = _count(weights) <= MAX_WEIGHTS
    lines = get_loss(loss).line_term is not None and all(
        get_activation(name).line_value is not None for name in activations
    )
    return small and lines


def worth_compiling(weights: Sequence[Array] | int, updates: int) -> bool:
    """Whether ``updates`` online updates of a network with these weights (arrays, or their number) are worth
    numba's start-up."""
    return updates * _count(weights) > PLAIN_WORK_LIMIT


def _count(weights: Sequence[Array] | int) -> int:
    return weights if isinstance(weights, int) else sum(int(w.size) for w in weights)


@dataclass(frozen=True)
class Shape:
    """What the written-out loop depends on: layer sizes (inputs first), each layer's number of bias
    parameters (0, 1 shared, or one per neuron), activations, whether each bias trains, and the loss."""

    sizes: tuple[int, ...]
    n_bias: tuple[int, ...]
    activations: tuple[str, ...]
    train_bias: tuple[bool, ...]
    loss: str

    @classmethod
    def of(
        cls,
        weights: Sequence[Array],
        biases: Sequence[Array],
        activations: Sequence[str],
        train_bias: Sequence[bool],
        loss: str,
    ) -> Shape:
        """The shape of a network given as the arguments of ``compiled.OnlineSGD``."""
        sizes = (weights[0].shape[1], *(w.shape[0] for w in weights))
        n_bias = tuple(b.size for b in biases)
        return cls(sizes, n_bias, tuple(activations), tuple(bool(t) for t in train_bias), loss)

    @property
    def layers(self) -> range:
        """Layer numbers ``1 … L`` (layer 0 is the inputs)."""
        return range(1, len(self.sizes))

    def bias(self, layer: int, j: int) -> str:
        """Neuron ``j``'s bias name (``b1`` when the layer shares one)."""
        return f"b{layer}" if self.n_bias[layer - 1] == 1 else f"b{layer}_{j}"

    def weight_names(self) -> list[str]:
        """Every weight's name (``w1_0_1``: layer 1, neuron 0, from input 1) in the flat order of ``w``."""
        sizes = self.sizes
        return [
            f"w{layer}_{j}_{i}" for layer in self.layers for j in range(sizes[layer]) for i in range(sizes[layer - 1])
        ]

    def bias_names(self) -> list[str]:
        """Every bias parameter's name in the flat order of ``b``."""
        return [self.bias(layer, j) for layer in self.layers for j in range(self.n_bias[layer - 1])]

    def unpack_lines(self) -> list[str]:
        """The lines that give every parameter its local name, from the flat ``w`` and ``b``."""
        biases = self.bias_names()
        return [f"{', '.join(self.weight_names())}, = w", *([f"{', '.join(biases)}, = b"] if biases else [])]


def update_source(shape: Shape, arrays: bool = False) -> str:
    """The Python source of ``train(order, x_rows, t_rows, w, b, rate)`` for this network, one line per number.

    Names follow the derivation, with the layer first: ``a0_1`` is input 1, ``net1_0`` and ``a1_0`` the net
    input and output of layer 1's first neuron, ``w1_0_1`` its weight from ``a0_1``, ``b1_0`` its bias
    (``b1`` when shared), ``d1_0`` its delta. ``w`` and ``b`` are flat lists, updated in place.

    ``arrays=True`` writes the same lines for numba (``stepgrad.training.compiled.shaped``): ``w``, ``b`` and
    the data are NumPy arrays. The error is not computed per update: ``plain_repeat`` evaluates it at each
    report (``evaluate_source``).
    """
    sizes = shape.sizes
    weights, biases = shape.weight_names(), shape.bias_names()
    body = [*_forward_lines(shape), "t = t_rows[s]", *_delta_lines(shape), *_update_lines(shape)]
    store = (
        [f"    w[{k}] = {name}" for k, name in enumerate(weights)] if arrays else [f"    w[:] = [{', '.join(weights)}]"]
    )
    if biases:
        store += (
            [f"    b[{k}] = {name}" for k, name in enumerate(biases)]
            if arrays
            else [f"    b[:] = [{', '.join(biases)}]"]
        )
    loop = ["    for k in range(len(order)):", "        s = order[k]"] if arrays else ["    for s in order:"]
    return (
        "\n".join(
            [
                "def train(order, x_rows, t_rows, w, b, rate):",
                *(f"    {line}" for line in shape.unpack_lines()),
                *loop,
                f"        {', '.join(f'a0_{i}' for i in range(sizes[0]))}, = x_rows[s]",
                *(f"        {line}" for line in body),
                *store,
            ]
        )
        + "\n"
    )


def _forward_lines(shape: Shape) -> list[str]:
    """``net_j = Σ_i a_i · w_ji + b_j`` and ``out_j = f(net_j)``, layer by layer."""
    lines = []
    for layer in shape.layers:
        for j in range(shape.sizes[layer]):
            products = " + ".join(f"a{layer - 1}_{i} * w{layer}_{j}_{i}" for i in range(shape.sizes[layer - 1]))
            bias = f" + {shape.bias(layer, j)}" if shape.n_bias[layer - 1] else ""
            lines.append(f"net{layer}_{j} = (0.0 + {products}){bias}")
            value, _ = get_activation(shape.activations[layer - 1]).written_out(f"net{layer}_{j}", f"a{layer}_{j}")
            lines.append(f"a{layer}_{j} = {value}")
    return lines


def _delta_lines(shape: Shape) -> list[str]:
    """``delta_o = dE/dout_o · dout_o/dnet_o``, then ``delta_h = (Σ_o delta_o · w_oh) · dout_h/dnet_h``
    layer by layer down, through the weights before this update."""
    last, n_out = len(shape.sizes) - 1, shape.sizes[-1]
    lines = []
    for k in range(n_out):
        _, gradient = get_loss(shape.loss).written_out(f"t[{k}]", f"a{last}_{k}", n_out)
        _, derivative = get_activation(shape.activations[-1]).written_out(f"net{last}_{k}", f"a{last}_{k}")
        lines.append(f"d{last}_{k} = ({gradient}) * ({derivative})")
    for layer in range(last - 1, 0, -1):
        for j in range(shape.sizes[layer]):
            through = " + ".join(f"d{layer + 1}_{k} * w{layer + 1}_{k}_{j}" for k in range(shape.sizes[layer + 1]))
            _, derivative = get_activation(shape.activations[layer - 1]).written_out(f"net{layer}_{j}", f"a{layer}_{j}")
            lines.append(f"d{layer}_{j} = (0.0 + {through}) * ({derivative})")
    return lines


def _update_lines(shape: Shape) -> list[str]:
    """``w_ji+ = w_ji − (η · delta_j) · a_i``; ``b_j+ = b_j − η · delta_j`` (``Σ_j delta_j`` when shared)."""
    lines = []
    for layer in shape.layers:
        n_in, n_out, n_bias = shape.sizes[layer - 1], shape.sizes[layer], shape.n_bias[layer - 1]
        lines += [
            f"w{layer}_{j}_{i} = w{layer}_{j}_{i} - (rate * d{layer}_{j}) * a{layer - 1}_{i}"
            for j in range(n_out)
            for i in range(n_in)
        ]
        if not shape.train_bias[layer - 1] or n_bias == 0:
            continue
        if n_bias == 1 and n_out > 1:
            shared = " + ".join(f"d{layer}_{j}" for j in range(n_out))
            lines.append(f"b{layer} = b{layer} - rate * (0.0 + {shared})")
        else:
            lines += [f"{shape.bias(layer, j)} = {shape.bias(layer, j)} - rate * d{layer}_{j}" for j in range(n_bias)]
    return lines


def evaluate_source(shape: Shape) -> str:
    """The Python source of ``evaluate(x, t, w, b)``: one sample's forward pass written out as in
    ``update_source``, returning ``(E_total, (out_1, …))`` of the parameters ``w`` and ``b`` (flat lists)."""
    last, n_out = len(shape.sizes) - 1, shape.sizes[-1]
    terms = " + ".join(get_loss(shape.loss).written_out(f"t[{k}]", f"a{last}_{k}", n_out)[0] for k in range(n_out))
    return (
        "\n".join(
            [
                "def evaluate(x, t, w, b):",
                *(f"    {line}" for line in shape.unpack_lines()),
                f"    {', '.join(f'a0_{i}' for i in range(shape.sizes[0]))}, = x",
                *(f"    {line}" for line in _forward_lines(shape)),
                f"    return 0.0 + {terms}, ({', '.join(f'a{last}_{k}' for k in range(n_out))},)",
            ]
        )
        + "\n"
    )


@functools.lru_cache(maxsize=32)
def compiled_update(shape: Shape) -> Callable[..., None]:
    """``update_source`` turned into a function (Python's own compiler, a millisecond)."""
    train: Callable[..., None] = _function(update_source(shape), "train")
    return train


@functools.lru_cache(maxsize=32)
def compiled_evaluate(shape: Shape) -> Callable[..., tuple[float, tuple[float, ...]]]:
    """``evaluate_source`` turned into a function."""
    evaluate: Callable[..., tuple[float, tuple[float, ...]]] = _function(evaluate_source(shape), "evaluate")
    return evaluate


def _function(source: str, name: str) -> Any:
    namespace: dict[str, Any] = dict(_MATH)
    exec(compile(source, f"<stepgrad plain_sgd {name}>", "exec"), namespace)
    return namespace[name]


def unflatten(
    w: Sequence[float], b: Sequence[float], weights: Sequence[Array], biases: Sequence[Array]
) -> tuple[list[Array], list[Array]]:
    """The flat parameters ``w`` and ``b`` (in ``update_source``'s order) as new arrays shaped like
    ``weights`` and ``biases``."""
    import numpy as np

    w_new, b_new, w_at, b_at = [], [], 0, 0
    for layer_w, layer_b in zip(weights, biases, strict=True):
        w_new.append(np.array(w[w_at : w_at + layer_w.size], dtype=np.float64).reshape(layer_w.shape))
        b_new.append(np.array(b[b_at : b_at + layer_b.size], dtype=np.float64).reshape(layer_b.shape))
        w_at, b_at = w_at + layer_w.size, b_at + layer_b.size
    return w_new, b_new
