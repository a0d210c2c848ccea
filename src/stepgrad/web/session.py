"""One browser tab's training run: its data, network, optimizer state and what the page draws.

A ``Session`` trains with the engine's own update (``stepgrad.training.loops.Training.update``:
the batch-mean gradients, frozen biases left alone, the optimizer, the divergence guard) and
describes its state as plain JSON-ready dicts: ``ready`` (structure, points, options),
``frame`` (weights, losses, heat-maps) and, through ``stepgrad.web.stepthrough``, the explain
layer's steps. It never does math of its own, so the page shows exactly what the core computed.

Heat-maps are the outputs of every neuron over a grid of the input plane,
``(rows, cols)`` each, sent as bytes ``round(255·(v − lo)/(hi − lo))`` in base64 with ``lo, hi``.
"""

from __future__ import annotations

import base64
import math
import secrets
from collections.abc import Iterable
from dataclasses import replace
from typing import Any

import numpy as np
from numpy.typing import NDArray

from stepgrad.functions import get_activation
from stepgrad.functions.losses import LOSSES, get_loss
from stepgrad.network import Network, Setup, classic_setup, network_names
from stepgrad.network.naming import Names
from stepgrad.training.gradients import forward, sample_losses
from stepgrad.training.init import create_network
from stepgrad.training.loops import Training, make_training, seed_streams
from stepgrad.training.params import Params, with_params
from stepgrad.web.config import (
    CLASSIC,
    FILE,
    HIDDEN_ACTIVATIONS,
    SAMPLE_FIELDS,
    UPLOAD,
    ConfigError,
    Limits,
    Options,
    VizConfig,
    check_fixed_setup,
    config_query,
    field_name,
    url_value,
)
from stepgrad.web.datasets import DataSplit, dataset_names, dataset_problems, make_split
from stepgrad.web.features import FEATURES, feature_inputs
from stepgrad.web.recording import Recording

Array = NDArray[np.float64]

BOUNDARY_SIZE = 50  # the decision boundary's grid: 50 × 50 points of the input plane
NEURON_STRIDE = 2  # neuron heat-maps use every second grid point: 25 × 25
MAX_STEPS_PER_FRAME = 25  # updates between two frames (one epoch when it has fewer batches)


def encode_map(values: Array, lo: float | None = None, hi: float | None = None) -> dict[str, Any]:
    """A heat-map ``(rows, cols)`` as ``{rows, cols, lo, hi, data}`` with one byte per value."""
    with np.errstate(all="ignore"):
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


def plain_numbers(values: Array) -> Any:
    """An array as nested lists for JSON; a non-finite number becomes ``None`` (never a made-up 0)."""
    array = np.asarray(values, dtype=np.float64)
    if bool(np.all(np.isfinite(array))):
        return array.tolist()
    cleaned = array.astype(object)
    cleaned[~np.isfinite(array)] = None
    return cleaned.tolist()


def parameter_index(names: Names, name: str) -> tuple[bool, int, tuple[int, ...]] | None:
    """Where weight or bias ``name`` sits: ``(is a weight, layer, index in that layer's array)``, or None."""
    for layer, rows in enumerate(names.weights):
        for row, columns in enumerate(rows):
            if name in columns:
                return True, layer, (row, columns.index(name))
    for layer, columns in enumerate(names.biases):
        if name in columns:
            return False, layer, (columns.index(name),)
    return None


def _range_of(activation: str) -> tuple[float | None, float | None]:
    bounds = get_activation(activation).output_range
    return bounds if bounds is not None else (None, None)


class Session:
    """A tab's run. Call ``configure`` first; then ``train_frame``, ``reset``, ``select_sample``.

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
        self.training: Training | None = None
        self.derivation: Any = None
        self.sample = 0  # the training sample the diagram's values and step-through explain
        self.frame_index = 0
        self.samples_seen = 0
        self.stopped: str | None = None  # why training stopped (divergence), until a reset
        self.stopped_why: str | None = None  # the first value that is not finite from the kept weights, and its cause
        self._order: NDArray[np.int64] = np.zeros(0, dtype=np.int64)
        self._position = 0
        self._rng = np.random.default_rng(0)
        self._grid: Array | None = None
        self.recording = Recording()  # the run since its last reset, for export
        self.export_token = secrets.token_urlsafe(18)  # only this tab's page learns it (in ``ready``)
        self._last_ready: dict[str, Any] | None = None  # what the page was last sent, for export
        self._last_frame: dict[str, Any] | None = None
        self.uploaded: tuple[Array, Array] | None = None  # this tab's CSV file: inputs (n, 2), targets
        self.upload_version = 0  # counts uploads: a new file is new data even under the same settings
        self._split_upload = 0  # the upload the current samples come from

    # ----------------------------------------------------------------- set-up
    def datasets(self) -> tuple[str, ...]:
        """The dataset choices of this session (``file`` only with a network file)."""
        names = (*dataset_names(), CLASSIC)
        names = (*names, FILE) if self.file_setup is not None else names
        return (*names, UPLOAD) if self.uploaded is not None else names

    def use_upload(self, inputs: Array, targets: Array) -> None:
        """Offer ``(inputs (n, 2), targets (n, n_outputs))``, a checked CSV file, as dataset ``upload``."""
        self.uploaded = (inputs, targets)
        self.upload_version += 1

    def fixed_setup(self, data: str) -> Setup | None:
        """The setup a fixed-network dataset stands for, or None for generated data."""
        if data == CLASSIC:
            return classic_setup()
        if data == FILE:
            return self.file_setup
        return None

    def normalise(self, config: VizConfig, given: set[str]) -> VizConfig:
        """Fields a fixed network decides (its layers, its rate unless given) set from its setup.

        ``given`` holds field names (``learning_rate``, not the URL's ``lr``).
        """
        setup = self.fixed_setup(config.data)
        if setup is None:
            return config
        hidden = tuple(layer.n_out for layer in setup.network.layers[:-1])
        activation = setup.network.layers[0].activation if len(setup.network.layers) > 1 else config.activation
        changes: dict[str, Any] = {"layers": hidden}
        if activation in HIDDEN_ACTIVATIONS:
            changes["activation"] = activation
        new_data = self.config is None or self.config.data != config.data
        if "learning_rate" not in given and new_data:
            changes["learning_rate"] = setup.learning_rate
        changes["batch_size"] = min(config.batch_size, setup.n_samples)
        if "batch_size" not in given and new_data:
            changes["batch_size"] = setup.n_samples
        return replace(config, **changes)

    def unused_fields(self, keys: Iterable[str], asked: VizConfig) -> dict[str, str]:
        """The fields among ``keys`` (URL or field names) that the fixed network now run does not use.

        A fixed network brings its own samples (points, noise and split do not apply) and its own
        shape: layers and activation asked for (in ``asked``, before ``normalise``) that differ
        from its own are not used, nor a batch larger than its samples. Empty for generated data.

        Returns:
            ``{key: why}``, e.g. ``{"layers": "not used with the classic network, which has layers=2"}``.
        """
        assert self.config is not None
        if self.fixed_setup(self.config.data) is None:
            return {}
        network = "the classic network" if self.config.data == CLASSIC else "the network file"
        unused: dict[str, str] = {}
        for key in keys:
            name = field_name(key)
            if name in SAMPLE_FIELDS:
                unused[key] = f"not used with {network}, which brings its own samples"
            elif name in ("layers", "activation", "batch_size"):
                runs = getattr(self.config, name)
                if getattr(asked, name) != runs:
                    unused[key] = f"not used with {network}, which has {key}={url_value(runs)}"
        return unused

    def configure(self, config: VizConfig, given: set[str] | None = None) -> dict[str, Any]:
        """Apply ``config``: new data or network only when the fields deciding them changed.

        Returns:
            the ``ready`` message describing the session.
        """
        config = self.normalise(config, given or set())
        setup = self.fixed_setup(config.data)
        if setup is not None:
            check_fixed_setup(setup, self.limits)
        previous = self.config
        new_data = previous is None or previous.data_key() != config.data_key()
        new_data = new_data or (config.data == UPLOAD and self._split_upload != self.upload_version)
        new_network = new_data or previous is None or previous.network_key() != config.network_key()
        new_optimizer = (
            new_network
            or previous is None
            or (previous.optimizer, previous.l2, previous.l1) != (config.optimizer, config.l2, config.l1)
        )
        self.config = config
        if new_data:
            self.split = make_split(config, setup, self.uploaded if config.data == UPLOAD else None)
            self._split_upload = self.upload_version
            self._grid = None
            self.sample = 0
        if new_network:
            self._build_network()
        elif new_optimizer:
            self._build_training(self.current_network(), keep_updates=True)
        ready = self.ready()
        if new_network or previous is None:
            self.recording.start(config.to_dict(), ready["frame"])
        else:
            self.recording.note_change(ready["frame"], previous.to_dict(), config.to_dict())
        return ready

    def reset(self) -> dict[str, Any]:
        """Start the run again: the seeded initial weights, fresh optimizer state, epoch 0."""
        self._require()
        assert self.config is not None
        self._build_network()
        ready = self.ready()
        self.recording.start(self.config.to_dict(), ready["frame"])
        return ready

    def _require(self) -> None:
        if self.config is None:
            raise ConfigError("send a config message first", "order")

    def _build_network(self) -> None:
        assert self.config is not None and self.split is not None
        config, split = self.config, self.split
        setup = self.fixed_setup(config.data)
        weights_rng, self._rng = seed_streams(config.seed, config.init)  # as ``stepgrad train`` and ``fit``
        if setup is not None:
            network = setup.network
        else:
            sizes = [split.n_inputs, *config.layers, split.n_outputs]
            network = create_network(
                sizes,
                activation=config.activation,
                output_activation=split.output_activation,
                loss=split.loss,
                rng=weights_rng,
            )
        self.network = network
        self.frame_index = 0
        self.samples_seen = 0
        self.stopped = self.stopped_why = None
        self.derivation = None
        self._order = np.zeros(0, dtype=np.int64)
        self._position = 0
        self._build_training(network)

    def _build_training(self, network: Network, keep_updates: bool = False) -> None:
        """The engine's training run from ``network``'s weights with fresh optimizer state."""
        assert self.config is not None and self.split is not None
        updates = self.updates if keep_updates else 0
        self.training = make_training(
            network,
            self.split.train_inputs,
            self.split.train_targets,
            optimizer=self.config.optimizer,
            learning_rate=self.config.learning_rate,
            epochs=1,  # the page decides when to stop; only ``Training.update`` is used
            batch_size=self.config.batch_size,
            seed=self.config.seed,
            weight_decay=self.config.l2,
            l1=self.config.l1,
            use_compiled=False,
        )
        self.training.updates = updates

    def set_parameter(self, name: str, value: float) -> dict[str, Any]:
        """Give weight or bias ``name`` (``w5``, ``b2``) the value ``value``; returns the frame.

        Training goes on from the edited weights with fresh optimizer state; the export's timeline
        notes the edit like a change of settings.
        """
        self._require()
        assert self.network is not None and self.training is not None
        where = parameter_index(network_names(self.network), name)
        if where is None:
            raise ConfigError(f"no weight or bias named {name[:20]!r} in this network")
        is_weight, layer, index = where
        weights = [w.copy() for w in self.training.params.weights]
        biases = [b.copy() for b in self.training.params.biases]
        edited_array = (weights if is_weight else biases)[layer]
        old = float(edited_array[index])
        edited_array[index] = value
        edited = with_params(self.network, Params(weights=tuple(weights), biases=tuple(biases)))
        self._build_training(edited, keep_updates=True)
        self.stopped = self.stopped_why = None
        self.derivation = None
        frame = self.frame()
        self.recording.note_change(frame, {name: old}, {name: value})
        return frame

    # ----------------------------------------------------------------- training
    @property
    def updates(self) -> int:
        """Optimizer updates since the last reset."""
        return self.training.updates if self.training is not None else 0

    def _next_batch(self) -> NDArray[np.int64]:
        """The next ``batch_size`` training samples of a pass over the training set, in the order ``fit`` takes
        them: shuffled by the seed's shuffling stream each pass (the full batch is never shuffled), the last
        batch of a pass holding what is left."""
        assert self.config is not None and self.split is not None
        n_train = self.split.train_inputs.shape[0]
        batch = min(self.config.batch_size, n_train)
        if self._position >= self._order.size:
            if self._order.size and self.training is not None:
                self.training.close_epoch()  # the divergence guard may now fall back to this pass's weights
            self._order = np.arange(n_train) if batch == n_train else self._rng.permutation(n_train)
            self._position = 0
        indices = self._order[self._position : self._position + batch]
        self._position += batch
        return indices

    def train_frame(self) -> dict[str, Any]:
        """Train up to one epoch (at most ``MAX_STEPS_PER_FRAME`` updates) and return the frame.

        Each update is the engine's ``Training.update`` and each pass over the training set ends with
        ``Training.close_epoch``. When the loss becomes NaN or infinite the engine's divergence guard goes
        back to the best weights it holds (the end of a good pass, or the initial weights) and the session
        stops until a reset.
        """
        self._require()
        assert self.split is not None and self.config is not None and self.training is not None
        if self.stopped is None:
            n_train = self.split.train_inputs.shape[0]
            steps = min(MAX_STEPS_PER_FRAME, math.ceil(n_train / min(self.config.batch_size, n_train)))
            for _ in range(steps):
                indices = self._next_batch()  # ending a pass may already stop training (non-finite weights)
                if self.training.stop_reason is None:
                    x = self.split.train_inputs[indices]
                    target = self.split.train_targets[indices]
                    self.training.update(x, target, self.config.learning_rate)
                reason = self.training.stop_reason
                if reason is not None:
                    self.stopped = f"{reason[0].upper()}{reason[1:]}, then press reset."
                    self.stopped_why = self._why_stopped()
                    break
                self.samples_seen += indices.size
            self.derivation = None
        self.frame_index += 1
        frame = self.frame()
        self.recording.add(frame)
        return frame

    def _why_stopped(self) -> str:
        """The divergence forensics' sentence for the kept weights (``explain_run_divergence``)."""
        from stepgrad.render.divergence import explain_run_divergence

        assert self.split is not None and self.config is not None and self.training is not None
        return explain_run_divergence(
            self.current_network(),
            self.split.train_inputs,
            self.split.train_targets,
            self.config.learning_rate,
            self.training.optimizer.name,
            regularization=self.training.optimizer.regularization,
        )

    def select_sample(self, sample: int) -> dict[str, Any]:
        """Show training ``sample``'s values in the diagram (and explain it); returns the frame."""
        self._require()
        assert self.split is not None
        n_train = self.split.train_inputs.shape[0]
        if not 0 <= sample < n_train:
            raise ConfigError(f"sample must be between 0 and {n_train - 1}")
        self.sample = sample
        return self.frame()

    # ----------------------------------------------------------------- what the page draws
    def current_network(self) -> Network:
        """The network with the session's current weights."""
        assert self.training is not None
        return self.training.current_network()

    def _mean_loss(self, x: Array, target: Array) -> float | None:
        assert self.training is not None
        if x.shape[0] == 0:
            return None
        with np.errstate(all="ignore"):
            value = float(np.mean(sample_losses(self.training.params, self.training.functions, x, target)))
        return value if math.isfinite(value) else None

    def grid(self) -> Array:
        """The ``(50·50, 2)`` points of the input plane the heat-maps are drawn from, row by row."""
        assert self.split is not None
        x_lo, x_hi, y_lo, y_hi = self.split.domain
        xs = np.linspace(x_lo, x_hi, BOUNDARY_SIZE)
        ys = np.linspace(y_hi, y_lo, BOUNDARY_SIZE)  # top row first: y grows upwards on screen
        gx, gy = np.meshgrid(xs, ys)
        return np.stack([gx.ravel(), gy.ravel()], axis=1)

    def grid_inputs(self) -> Array:
        """The network's inputs at the grid's points ``(50·50, n_inputs)``: their features (computed once)."""
        assert self.split is not None
        if self._grid is None:
            self._grid = feature_inputs(self.grid(), self.split.features) if self.split.features else self.grid()
        return self._grid

    def frame(self) -> dict[str, Any]:
        """The current state: epoch, losses, weights, the chosen sample's values and heat-maps."""
        assert self.split is not None and self.training is not None
        split, params = self.split, self.training.params
        frame: dict[str, Any] = {
            "type": "frame",
            "frame": self.frame_index,
            "updates": self.updates,
            "epoch": self.samples_seen / max(1, split.train_inputs.shape[0]),
            "loss": {
                "train": self._mean_loss(split.train_inputs, split.train_targets),
                "test": self._mean_loss(split.test_inputs, split.test_targets),
            },
            "weights": [plain_numbers(w) for w in params.weights],
            "biases": [plain_numbers(b) for b in params.biases],
            "sample": self.sample,
            "stopped": self.stopped,
            "why": self.stopped_why,
        }
        x = split.train_inputs[self.sample : self.sample + 1]
        with np.errstate(all="ignore"):
            sample_forward = forward(params, self.training.functions, x)
        frame["values"] = [plain_numbers(x[0]), *(plain_numbers(layer.out[0]) for layer in sample_forward)]
        if split.is_plane:
            frame["maps"] = self._maps()
        self._last_frame = frame
        return frame

    def _maps(self) -> dict[str, Any]:
        """Heat-maps of every neuron (25 × 25) and the output over the plane (50 × 50)."""
        assert self.training is not None and self.network is not None
        size = BOUNDARY_SIZE
        with np.errstate(all="ignore"):
            layers = forward(self.training.params, self.training.functions, self.grid_inputs())
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
            "query": config_query(self.config),  # the page's URL: a link to this setup
            "network": {
                "sizes": self.network.sizes,
                "activations": [layer.activation for layer in self.network.layers],
                "loss": self.network.loss,
                "inputs": names.inputs,
                "neurons": names.neurons,
                "weights": names.weights,
                "biases": names.biases,
                "bias_modes": [layer.bias_mode for layer in self.network.layers],
                "bias_trained": [layer.trains_bias for layer in self.network.layers],
            },
            "step_through": self.can_step_through(),
            "plane": split.is_plane,
            "domain": list(split.domain),
            "n_train": int(split.train_inputs.shape[0]),
            "n_test": int(split.test_inputs.shape[0]),
            "points": {"train": split.points(train=True), "test": split.points(train=False)},
            "label_range": list(split.label_range),
            "n_classes": split.n_outputs if split.n_outputs > 1 else 0,
            # a loss that takes any output (Loss.outputs empty) solves a regression problem
            "problem": "classification" if get_loss(split.loss).outputs else "regression",
            "problems": dataset_problems(),  # the page lists the data sets of the chosen problem type
            # the loss under the network's reduction: a summed mse adds its outputs
            "loss_formula": get_loss(self.network.loss, self.network.reduction).formula
            if self.network.loss in LOSSES
            else "",
            "options": Options(self.datasets(), limits=self.limits).to_dict(),
        }
        if split.is_plane:
            size = BOUNDARY_SIZE
            inputs = self.grid_inputs()
            grid = inputs.reshape(size, size, inputs.shape[1])[::NEURON_STRIDE, ::NEURON_STRIDE]
            # Each input's heat-map on a scale symmetric around 0, as Playground draws its features.
            message["input_maps"] = [
                encode_map(grid[:, :, k], -float(np.max(np.abs(grid[:, :, k]))), float(np.max(np.abs(grid[:, :, k]))))
                for k in range(grid.shape[2])
            ]
            message["input_labels"] = [FEATURES[name].label for name in split.features]
        message["frame"] = self.frame()
        self._last_ready = message
        return {**message, "export_token": self.export_token}

    def export_run(self) -> dict[str, Any]:
        """The run since the last reset as the replay page shows it (see ``Recording.run``).

        Reads only what the page was already sent: no engine work, safe beside a training thread.
        """
        if self._last_ready is None or self._last_frame is None:
            raise ConfigError("nothing to export yet: the page has not started a run", "order")
        return self.recording.run(self._last_ready, self._last_frame)

    # ----------------------------------------------------------------- step-through
    def can_step_through(self) -> bool:
        """Step-through is offered for networks with at most 4 neurons per layer."""
        return self.network is not None and max(self.network.sizes) <= self.limits.step_through_neurons

    def explain(self, sample: int) -> dict[str, Any]:
        """The explain layer's derivation of one gradient-descent step on training ``sample``.

        The sample becomes the one the diagram shows, so its values and the steps agree.
        """
        from stepgrad.web.stepthrough import derivation_message

        self._require()
        assert self.split is not None and self.config is not None
        if not self.can_step_through():
            raise ConfigError(
                f"step-through mode is for networks with at most {self.limits.step_through_neurons} "
                "neurons per layer (inputs and outputs included)",
                "cap",
            )
        frame = self.select_sample(sample)
        self.derivation, message = derivation_message(
            self.current_network(),
            self.split.train_inputs[sample],
            self.split.train_targets[sample],
            self.config,
        )
        message["sample"] = sample
        message["frame"] = frame
        return message

    def chain(self, weight: str) -> dict[str, Any]:
        """The chain rule for ``weight`` in the current derivation (see ``stepthrough.chain_message``)."""
        from stepgrad.web.stepthrough import chain_message

        if self.derivation is None:
            raise ConfigError("ask for a derivation (explain) before a weight's chain rule", "order")
        return chain_message(self.derivation, weight)
