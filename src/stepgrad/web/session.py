"""One browser tab's training run: its data, network, optimizer state and what the page draws.

A ``Session`` trains with the engine (``stepgrad.training``: ``create_network``,
``batch_gradients``, the optimizers by name) and describes its state as plain JSON-ready
dicts: ``ready`` (structure, points, options), ``frame`` (weights, losses, heat-maps) and
``derivation`` (the explain layer's steps). It never touches the network; it only connects
pieces, so the page shows exactly what the core computed.

Heat-maps are the outputs of every neuron over a grid of the input plane,
``(rows, cols)`` each, sent as bytes ``round(255·(v − lo)/(hi − lo))`` in base64 with ``lo, hi``.
"""

from __future__ import annotations

import base64
import math
from dataclasses import replace
from typing import Any

import numpy as np
from numpy.typing import NDArray

from stepgrad.network import Network, Setup, classic_setup, network_names
from stepgrad.training.gradients import Functions, batch_gradients, forward, sample_losses
from stepgrad.training.init import create_network
from stepgrad.training.optimizers import Optimizer, OptimizerState, get_optimizer
from stepgrad.training.params import Params, params_of, with_params
from stepgrad.web.config import CLASSIC, FILE, ConfigError, Limits, Options, VizConfig
from stepgrad.web.datasets import DataSplit, dataset_names, make_split

Array = NDArray[np.float64]

BOUNDARY_SIZE = 50  # the decision boundary's grid: 50 × 50 points of the input plane
NEURON_STRIDE = 2  # neuron heat-maps use every second grid point: 25 × 25
MAX_STEPS_PER_FRAME = 25  # updates between two frames (one epoch when it has fewer batches)
DIGITS = 8  # significant digits of the numbers in step-through mode
BOUNDED = {"sigmoid": (0.0, 1.0), "softmax": (0.0, 1.0), "tanh": (-1.0, 1.0)}


def encode_map(values: Array, lo: float | None = None, hi: float | None = None) -> dict[str, Any]:
    """A heat-map ``(rows, cols)`` as ``{rows, cols, lo, hi, data}`` with one byte per value."""
    low = float(np.min(values)) if lo is None else lo
    high = float(np.max(values)) if hi is None else hi
    if not math.isfinite(low) or not math.isfinite(high):
        low, high = -1.0, 1.0
    if high - low < 1e-12:
        low, high = low - 0.5, high + 0.5
    scaled = np.clip(np.nan_to_num((values - low) / (high - low), nan=0.5), 0.0, 1.0)
    data = np.round(scaled * 255.0).astype(np.uint8)
    return {
        "rows": int(values.shape[0]),
        "cols": int(values.shape[1]),
        "lo": low,
        "hi": high,
        "data": base64.b64encode(data.tobytes()).decode("ascii"),
    }


def _range_of(activation: str) -> tuple[float | None, float | None]:
    return BOUNDED.get(activation, (None, None))


class Session:
    """A tab's run. Call ``configure`` first; then ``train_frame``, ``reset``, ``explain``, ``chain``.

    Args:
        limits: the caps.
        file_setup: the network file given on the command line (dataset ``file``), if any.
    """

    def __init__(self, limits: Limits, file_setup: Setup | None = None) -> None:
        self.limits = limits
        self.file_setup = file_setup
        self.config: VizConfig | None = None
        self.split: DataSplit | None = None
        self.network: Network | None = None
        self.params: Params | None = None
        self.functions: Functions | None = None
        self.optimizer: Optimizer | None = None
        self.opt_state: OptimizerState | None = None
        self.derivation: Any = None
        self.frame_index = 0
        self.updates = 0
        self.samples_seen = 0
        self._order: NDArray[np.int64] = np.zeros(0, dtype=np.int64)
        self._position = 0
        self._rng = np.random.default_rng(0)
        self._grid: Array | None = None

    # ----------------------------------------------------------------- set-up
    def datasets(self) -> tuple[str, ...]:
        """The dataset choices of this session (``file`` only with a network file)."""
        names = (*dataset_names(), CLASSIC)
        return (*names, FILE) if self.file_setup is not None else names

    def fixed_setup(self, data: str) -> Setup | None:
        """The setup a fixed-network dataset stands for, or None for generated data."""
        if data == CLASSIC:
            return classic_setup()
        if data == FILE:
            return self.file_setup
        return None

    def normalise(self, config: VizConfig, given: set[str]) -> VizConfig:
        """Fields a fixed network decides (its layers, its rate unless given) set from its setup."""
        setup = self.fixed_setup(config.data)
        if setup is None:
            return config
        hidden = tuple(layer.n_out for layer in setup.network.layers[:-1])
        activation = setup.network.layers[0].activation if len(setup.network.layers) > 1 else config.activation
        changes: dict[str, Any] = {"layers": hidden}
        if activation in ("tanh", "sigmoid", "relu", "leaky_relu", "linear"):
            changes["activation"] = activation
        if "learning_rate" not in given and (self.config is None or self.config.data != config.data):
            changes["learning_rate"] = setup.learning_rate
        changes["batch_size"] = min(config.batch_size, setup.n_samples)
        if "batch_size" not in given and (self.config is None or self.config.data != config.data):
            changes["batch_size"] = setup.n_samples
        return replace(config, **changes)

    def configure(self, config: VizConfig, given: set[str] | None = None) -> dict[str, Any]:
        """Apply ``config``: new data or network only when the fields deciding them changed.

        Returns:
            the ``ready`` message describing the session.
        """
        config = self.normalise(config, given or set())
        setup = self.fixed_setup(config.data)
        if setup is not None and max(setup.network.sizes[1:-1], default=0) > self.limits.max_neurons:
            raise ConfigError(f"this network has more than {self.limits.max_neurons} neurons in a layer", "cap")
        previous = self.config
        new_data = previous is None or previous.data_key() != config.data_key()
        new_network = new_data or previous is None or previous.network_key() != config.network_key()
        new_optimizer = new_network or previous is None or previous.optimizer != config.optimizer
        self.config = config
        if new_data:
            self.split = make_split(config, setup)
            self._grid = None
        if new_network:
            self._build_network()
        elif new_optimizer:
            self._build_optimizer()
        return self.ready()

    def reset(self) -> dict[str, Any]:
        """Start the run again: the seeded initial weights, fresh optimizer state, epoch 0."""
        self._require()
        self._build_network()
        return self.ready()

    def _require(self) -> None:
        if self.config is None:
            raise ConfigError("send a config message first", "order")

    def _build_network(self) -> None:
        assert self.config is not None and self.split is not None
        config, split = self.config, self.split
        setup = self.fixed_setup(config.data)
        if setup is not None:
            network = setup.network
        else:
            sizes = [split.n_inputs, *config.layers, split.n_outputs]
            network = create_network(
                sizes,
                activation=config.activation,
                output_activation=split.output_activation,
                loss=split.loss,
                rng=np.random.default_rng(config.seed),
            )
        self.network = network
        self.params = params_of(network)
        self.functions = Functions.of(network)
        self.frame_index = 0
        self.updates = 0
        self.samples_seen = 0
        self.derivation = None
        self._rng = np.random.default_rng(config.seed + 1)
        self._order = np.zeros(0, dtype=np.int64)
        self._position = 0
        self._build_optimizer()

    def _build_optimizer(self) -> None:
        assert self.config is not None and self.params is not None
        self.optimizer = get_optimizer(self.config.optimizer)
        self.opt_state = self.optimizer.init(self.params.arrays())

    # ----------------------------------------------------------------- training
    def _next_batch(self) -> NDArray[np.int64]:
        """The next ``batch_size`` training samples of a shuffled pass over the training set."""
        assert self.config is not None and self.split is not None
        n_train = self.split.train_inputs.shape[0]
        batch = min(self.config.batch_size, n_train)
        if self._position + batch > self._order.size:
            self._order = self._rng.permutation(n_train)
            self._position = 0
        indices = self._order[self._position : self._position + batch]
        self._position += batch
        return indices

    def train_frame(self) -> dict[str, Any]:
        """Train up to one epoch (at most ``MAX_STEPS_PER_FRAME`` updates) and return the frame."""
        self._require()
        assert self.split is not None and self.optimizer is not None and self.config is not None
        assert self.params is not None and self.functions is not None and self.opt_state is not None
        n_train = self.split.train_inputs.shape[0]
        steps = min(MAX_STEPS_PER_FRAME, math.ceil(n_train / min(self.config.batch_size, n_train)))
        params, state = self.params, self.opt_state
        is_weight = [True, False] * len(params.weights)
        for _ in range(steps):
            indices = self._next_batch()
            x = self.split.train_inputs[indices]
            target = self.split.train_targets[indices]
            result = batch_gradients(params, self.functions, x, target)
            arrays, state = self.optimizer.update(
                params.arrays(), result.grads.arrays(), state, self.config.learning_rate, is_weight
            )
            params = Params.from_arrays(arrays)
            self.updates += 1
            self.samples_seen += indices.size
        self.params, self.opt_state = params, state
        self.derivation = None
        self.frame_index += 1
        return self.frame()

    # ----------------------------------------------------------------- what the page draws
    def current_network(self) -> Network:
        """The network with the session's current weights."""
        assert self.network is not None and self.params is not None
        return with_params(self.network, self.params)

    def _mean_loss(self, x: Array, target: Array) -> float | None:
        assert self.params is not None and self.functions is not None
        if x.shape[0] == 0:
            return None
        with np.errstate(all="ignore"):
            value = float(np.mean(sample_losses(self.params, self.functions, x, target)))
        return value if math.isfinite(value) else None

    def grid(self) -> Array:
        """The ``(50·50, 2)`` points of the input plane the heat-maps are drawn from, row by row."""
        assert self.split is not None
        if self._grid is None:
            x_lo, x_hi, y_lo, y_hi = self.split.domain
            xs = np.linspace(x_lo, x_hi, BOUNDARY_SIZE)
            ys = np.linspace(y_hi, y_lo, BOUNDARY_SIZE)  # top row first: y grows upwards on screen
            gx, gy = np.meshgrid(xs, ys)
            self._grid = np.stack([gx.ravel(), gy.ravel()], axis=1)
        return self._grid

    def frame(self) -> dict[str, Any]:
        """The current state: epoch, losses, weights, neuron values and heat-maps."""
        assert self.split is not None and self.params is not None and self.network is not None
        assert self.functions is not None
        split = self.split
        frame: dict[str, Any] = {
            "type": "frame",
            "frame": self.frame_index,
            "updates": self.updates,
            "epoch": self.samples_seen / max(1, split.train_inputs.shape[0]),
            "loss": {
                "train": self._mean_loss(split.train_inputs, split.train_targets),
                "test": self._mean_loss(split.test_inputs, split.test_targets),
            },
            "weights": [np.nan_to_num(w).tolist() for w in self.params.weights],
            "biases": [np.nan_to_num(b).tolist() for b in self.params.biases],
        }
        with np.errstate(all="ignore"):
            sample_forward = forward(self.params, self.functions, split.train_inputs[:1])
        frame["values"] = [
            split.train_inputs[0].tolist(),
            *(np.nan_to_num(layer.out[0]).tolist() for layer in sample_forward),
        ]
        if split.is_plane:
            frame["maps"] = self._maps()
        return frame

    def _maps(self) -> dict[str, Any]:
        """Heat-maps of every neuron (25 × 25) and the output over the plane (50 × 50)."""
        assert self.params is not None and self.functions is not None and self.network is not None
        size = BOUNDARY_SIZE
        with np.errstate(all="ignore"):
            layers = forward(self.params, self.functions, self.grid())
        neurons = []
        for layer, result in zip(self.network.layers, layers, strict=True):
            lo, hi = _range_of(layer.activation)
            out = result.out.reshape(size, size, -1)[::NEURON_STRIDE, ::NEURON_STRIDE]
            neurons.append([encode_map(out[:, :, j], lo, hi) for j in range(out.shape[2])])
        output = layers[-1].out
        if output.shape[1] > 1:
            classes = np.argmax(output, axis=1).reshape(size, size).astype(np.float64)
            boundary = encode_map(classes, 0.0, float(output.shape[1] - 1))
            boundary["kind"] = "class"
        else:
            lo, hi = self.split.label_range if self.split is not None else (0.0, 1.0)
            boundary = encode_map(output[:, 0].reshape(size, size), lo, hi)
            boundary["kind"] = "value"
        return {"neurons": neurons, "boundary": boundary}

    def ready(self) -> dict[str, Any]:
        """The session's description: config, structure with names, points, input heat-maps."""
        assert self.config is not None and self.split is not None and self.network is not None
        names = network_names(self.network)
        split = self.split
        message: dict[str, Any] = {
            "type": "ready",
            "config": self.config.to_dict(),
            "network": {
                "sizes": self.network.sizes,
                "activations": [layer.activation for layer in self.network.layers],
                "loss": self.network.loss,
                "inputs": names.inputs,
                "neurons": names.neurons,
                "weights": names.weights,
                "biases": names.biases,
            },
            "step_through": self.can_step_through(),
            "plane": split.is_plane,
            "domain": list(split.domain),
            "points": {"train": split.points(train=True), "test": split.points(train=False)},
            "label_range": list(split.label_range),
            "n_classes": split.n_outputs if split.n_outputs > 1 else 0,
            "options": Options(self.datasets(), limits=self.limits).to_dict(),
        }
        if split.is_plane:
            size = BOUNDARY_SIZE
            grid = self.grid().reshape(size, size, 2)[::NEURON_STRIDE, ::NEURON_STRIDE]
            lo, hi = split.domain[0], split.domain[1]
            message["input_maps"] = [
                encode_map(grid[:, :, 0], lo, hi),
                encode_map(grid[:, :, 1], split.domain[2], split.domain[3]),
            ]
        message["frame"] = self.frame()
        return message

    # ----------------------------------------------------------------- step-through
    def can_step_through(self) -> bool:
        """Step-through is offered for networks with at most 4 neurons per layer."""
        return self.network is not None and max(self.network.sizes) <= self.limits.step_through_neurons

    def explain(self, sample: int) -> dict[str, Any]:
        """The explain layer's derivation of one gradient-descent step on training ``sample``."""
        self._require()
        assert self.split is not None and self.config is not None
        if not self.can_step_through():
            raise ConfigError(
                f"step-through mode is for networks with at most {self.limits.step_through_neurons} "
                "neurons per layer (inputs and outputs included)",
                "cap",
            )
        n_train = self.split.train_inputs.shape[0]
        if not 0 <= sample < n_train:
            raise ConfigError(f"sample must be between 0 and {n_train - 1}")
        from stepgrad.core import train_step
        from stepgrad.explain.derivation import explain
        from stepgrad.explain.step import format_number

        trace = train_step(
            self.current_network(),
            self.split.train_inputs[sample],
            self.split.train_targets[sample],
            self.config.learning_rate,
        )
        self.derivation = explain(trace, 0)
        return {
            "type": "derivation",
            "sample": sample,
            "learning_rate": self.config.learning_rate,
            "steps": [step_to_dict(step) for step in self.derivation.steps],
            "notes": [
                f"One gradient-descent step (η = {format_number(self.config.learning_rate)}) on training sample "
                f"{sample}, from the current weights."
                + (
                    ""
                    if self.config.optimizer == "sgd"
                    else f" (The run trains with {self.config.optimizer}, which uses these same gradients.)"
                ),
                *self.derivation.notes,
            ],
        }

    def chain(self, weight: str) -> dict[str, Any]:
        """The chain rule for ``weight``: ``dE_total/dw``, the derivatives it is made of, and ``w+``.

        The derivatives are followed back through each step's operands (names starting with
        ``d``: ``dE_total/dout_o1``, ``dout_o1/dnet_o1``, ``delta_h1`` …); forward values
        such as ``out_h1`` are shown as numbers inside the formulas, not as steps of their own.
        """
        if self.derivation is None:
            raise ConfigError("ask for a derivation (explain) before a weight's chain rule", "order")
        steps = list(self.derivation.steps)
        by_name = {step.name: step for step in steps}
        gradient = f"dE_total/d{weight}"
        if gradient not in by_name:
            raise ConfigError(f"no weight named {weight[:20]!r} in this derivation")
        wanted: set[str] = set()
        pending = [gradient, f"{weight}+"]
        while pending:
            name = pending.pop()
            if name in wanted or name not in by_name:
                continue
            wanted.add(name)
            pending.extend(operand for operand in by_name[name].operands if operand.startswith("d"))
        return {
            "type": "chain",
            "weight": weight,
            "steps": [step_to_dict(step) for step in steps if step.name in wanted],
        }


def step_to_dict(step: Any) -> dict[str, Any]:
    """A ``Step`` as the page shows it: its texts and numbers formatted to 8 significant digits."""
    from stepgrad.explain.step import format_number

    return {
        "name": step.name,
        "section": step.section,
        "title": step.title,
        "formula": step.formula,
        "substituted": step.substituted(DIGITS),
        "value": format_number(step.value, DIGITS),
        "involves": list(step.involves),
        "note": step.note,
    }
