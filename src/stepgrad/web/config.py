"""What a page may ask for: a run's configuration, its validation and the caps.

The same fields travel in the page's URL (``?data=circle&layers=4,2&lr=0.03``) and in
the ``config`` message, so a link reproduces a setup. ``parse_config`` checks every field
and raises ``ConfigError`` with a sentence the page shows as is.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, replace
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from stepgrad.errors import StepgradError
from stepgrad.functions.activations import hidden_activation_names
from stepgrad.network import Setup

# Datasets the page offers besides the 2-D generators of ``stepgrad.data``.
CLASSIC = "classic"  # the classic worked example: its network, its one training pair
FILE = "file"  # the network file given on the command line
UPLOAD = "upload"  # the CSV file this tab uploaded (x1, x2, label): offered only once uploaded
FIXED = (CLASSIC, FILE)  # datasets that bring their own network and samples
SAMPLE_FIELDS = ("points", "noise", "split", "features")  # shape generated samples; a fixed network has its own
# The page's default activation first, then every other one a hidden layer may use, from the registry.
HIDDEN_ACTIVATIONS = ("tanh", *(name for name in hidden_activation_names() if name != "tanh"))
PAGE_OPTIMIZERS = ("sgd", "momentum", "adam")


@dataclass(frozen=True)
class Limits:
    """Caps that keep one tab from exhausting the server.

    Attributes:
        max_neurons: neurons in one hidden layer.
        max_layers: hidden layers.
        max_points: samples in a dataset.
        max_message_bytes: size of one WebSocket message.
        messages_per_second: sustained rate of messages of one tab (a burst of as many is allowed).
        max_sessions: open tabs at once.
        step_through_neurons: the widest layer step-through mode explains.
    """

    max_neurons: int = 8
    max_layers: int = 6
    max_points: int = 1000
    max_message_bytes: int = 16_384
    messages_per_second: float = 120.0
    max_sessions: int = 64
    step_through_neurons: int = 4


class ConfigError(StepgradError):
    """A configuration the page asked for is invalid or over a cap."""

    def __init__(self, message: str, code: str = "invalid") -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class VizConfig:
    """One run's setup.

    Attributes:
        data: dataset name (``circle``, ``xor2d`` …), ``classic`` or ``file``.
        points: number of samples generated.
        noise: the dataset's noise level.
        split: fraction of the samples used for training (the rest is the test set).
        layers: neurons per hidden layer.
        activation: hidden layers' activation.
        optimizer: ``sgd``, ``momentum`` or ``adam``.
        learning_rate: ``η``.
        batch_size: samples per update.
        seed: seeds the data, the initial weights and the shuffling.
        features: the network's inputs, names of ``stepgrad.web.features.FEATURES`` in its order.
        l2: the L2 regularization rate ``λ``: each update adds ``λ·w`` to every weight's gradient
            (the engine's ``weight_decay``; biases are not decayed).
        l1: the L1 regularization rate ``λ₁``: each update adds ``λ₁·sign(w)`` to every weight's gradient
            (the engine's ``l1``; biases are not regularized).
        init: which initial weights: 0 draws them from ``seed``, another number from ``(seed, init)``
            ("new weights" on the same data; reset keeps them).
    """

    data: str = "circle"
    points: int = 500
    noise: float = 0.1
    split: float = 0.5
    layers: tuple[int, ...] = (4, 2)
    activation: str = "tanh"
    optimizer: str = "sgd"
    learning_rate: float = 0.3
    batch_size: int = 10
    seed: int = 1
    features: tuple[str, ...] = ("x1", "x2")
    init: int = 0
    l2: float = 0.0
    l1: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready values (``layers`` as a list)."""
        values = asdict(self)
        values["layers"] = list(self.layers)
        values["features"] = list(self.features)
        return values

    def data_key(self) -> tuple[Any, ...]:
        """The fields that decide the samples: a change regenerates the data."""
        return (self.data, self.points, self.noise, self.split, self.seed, self.features)

    def network_key(self) -> tuple[Any, ...]:
        """The fields that decide the network's shape and initial weights."""
        return (self.data, self.layers, self.activation, self.seed, self.features, self.init)


# What each data set starts with, where ``VizConfig``'s own defaults would not learn it well: with
# these, the test loss falls below 0.1 within 100 frames (spiral needs depth and ReLU). Measured with
# seed 1 (the initial weights and shuffling of ``training.records.seed_streams``, as ``stepgrad train``):
# circle 0.019, xor2d 0.074, gauss 0.001, spiral 0.093. (xor2d at lr 0.1, the default before the page
# took ``stepgrad train``'s seed streams, sits on a plateau at 0.38 for seed 1.)
LEARNING_FIELDS = ("layers", "activation", "optimizer", "learning_rate", "batch_size")
DATASET_DEFAULTS: dict[str, dict[str, Any]] = {
    "spiral": {"layers": (8, 8, 8), "activation": "relu", "optimizer": "adam", "learning_rate": 0.01},
}


def learning_settings(config: VizConfig) -> tuple[Any, ...]:
    """The fields a data set's defaults set (``LEARNING_FIELDS``)."""
    return tuple(getattr(config, name) for name in LEARNING_FIELDS)


def with_dataset_defaults(config: VizConfig, data: str) -> VizConfig:
    """``config`` with ``data`` and that data set's learning settings (``DATASET_DEFAULTS``)."""
    start = VizConfig()
    chosen = {name: getattr(start, name) for name in LEARNING_FIELDS}
    chosen.update(DATASET_DEFAULTS.get(data, {}))
    return replace(config, data=data, **chosen)


def follows_defaults(config: VizConfig | None) -> bool:
    """Whether a change of data set should bring the new one's defaults: at the start, when leaving a
    fixed network (its own shape and rate), and when the learning settings are still the current
    data set's defaults (settings a person chose are kept)."""
    if config is None or config.data in FIXED:
        return True
    return learning_settings(config) == learning_settings(with_dataset_defaults(config, config.data))


# URL-style short names accepted as aliases of the fields.
ALIASES = {"act": "activation", "opt": "optimizer", "lr": "learning_rate", "batch": "batch_size", "n": "points"}


SHORT_NAMES = {full: short for short, full in ALIASES.items() if short != "n"}  # the names a page's URL uses


def field_name(key: str) -> str:
    """The field a URL or message key stands for: ``lr`` → ``learning_rate``."""
    return ALIASES.get(key, key)


def url_value(value: Any) -> str:
    """A field's value as a URL writes it: ``4,2`` for layers, ``0.1`` (shortest exact form), ``500``."""
    if isinstance(value, list | tuple):
        return ",".join(str(v) for v in value)
    if isinstance(value, float):
        text = repr(value)
        return text[:-2] if text.endswith(".0") else text
    return str(value)


QUIET_AT_ZERO = ("init", "l2", "l1")  # left out of a link at 0: older links stay as they were


def config_query(config: VizConfig) -> str:
    """The URL query of ``config`` with the page's short names: ``data=circle&points=500&…&layers=4,2&…``.

    A fixed network's query leaves out the fields of generated samples (points, noise, split), and
    every query the fields of ``QUIET_AT_ZERO`` at 0 (the seed's own initial weights, no regularization).
    """
    pairs = [
        (SHORT_NAMES.get(name, name), url_value(value))
        for name, value in config.to_dict().items()
        if not (config.data in FIXED and name in SAMPLE_FIELDS) and not (name in QUIET_AT_ZERO and value == 0)
    ]
    return urlencode(pairs, safe=",")


MAX_NUMBER_TEXT = 32  # characters of a number written as text; no valid setting needs more


def human_number(value: float) -> str:
    """A number as a person writes it: ``2147483647``, ``0.000001``, ``0.3``; never ``2.14748e+09``."""
    if value == int(value) and abs(value) < 1e16:
        return str(int(value))
    return format(Decimal(repr(value)), "f")


def digits(value: int) -> str:
    """How many digits ``value`` has, counted without converting it to text (which Python limits)."""
    return str(math.floor(math.log10(abs(value))) + 1) if value else "1"


def _number(name: str, raw: Any, low: float, high: float, integer: bool = False) -> float:
    """``raw`` as a float in ``[low, high]``: its size is checked before any conversion.

    A 400-digit integer (JSON allows it) is refused as out of range, never converted, so it can
    neither overflow a float nor take the time of a huge ``int`` to text conversion.
    """
    between = f"{name} must be between {human_number(low)} and {human_number(high)}"
    if isinstance(raw, bool):
        raise ConfigError(f"{name} must be a number")
    if isinstance(raw, int) and not -(10**15) <= raw <= 10**15:
        raise ConfigError(f"{between}; got a number with {digits(raw)} digits", "cap")
    if isinstance(raw, str) and len(raw) > MAX_NUMBER_TEXT:
        raise ConfigError(f"{name} must be a number of at most {MAX_NUMBER_TEXT} characters")
    if not isinstance(raw, int | float | str):
        raise ConfigError(f"{name} must be a number, got {type(raw).__name__}")
    try:
        value = float(raw)
    except (TypeError, ValueError):
        raise ConfigError(f"{name} must be a number, got {str(raw)[:40]!r}") from None
    if not math.isfinite(value):
        raise ConfigError(f"{name} must be a finite number")
    if integer and value != int(value):
        raise ConfigError(f"{name} must be a whole number")
    if not low <= value <= high:
        shown = str(raw) if isinstance(raw, int | str) else human_number(value)
        raise ConfigError(f"{between}, got {shown}", "cap")
    return value


def _layers(raw: Any, limits: Limits) -> tuple[int, ...]:
    if isinstance(raw, str):
        if len(raw) > 4 * limits.max_layers * MAX_NUMBER_TEXT:
            raise ConfigError(f"at most {limits.max_layers} hidden layers", "cap")
        parts = [p for p in raw.replace(" ", "").split(",") if p != ""]
    elif isinstance(raw, list | tuple):
        parts = list(raw)
    else:
        raise ConfigError("layers must be a list of neuron counts")
    if len(parts) > limits.max_layers:
        raise ConfigError(f"at most {limits.max_layers} hidden layers", "cap")
    sizes = []
    for part in parts:
        size = int(_number("neurons per layer", part, -1e15, 1e15, integer=True))
        if size > limits.max_neurons:
            raise ConfigError(f"at most {limits.max_neurons} neurons per layer", "cap")
        if size < 1:
            raise ConfigError("a layer needs at least 1 neuron", "cap")
        sizes.append(size)
    return tuple(sizes)


def _features(raw: Any) -> tuple[str, ...]:
    """Feature names (``"x1,sinx1"`` or a list), known and at least one, in the registry's order."""
    from stepgrad.web.features import FEATURES

    if isinstance(raw, str):
        if len(raw) > 200:
            raise ConfigError("features: too long")
        names = [part for part in raw.replace(" ", "").split(",") if part]
    elif isinstance(raw, list | tuple) and len(raw) <= len(FEATURES):
        names = list(raw)
    else:
        raise ConfigError("features must be a list of feature names")
    unknown = [str(name)[:20] for name in names if not isinstance(name, str) or name not in FEATURES]
    if unknown:
        raise ConfigError(f"unknown feature {unknown[0]!r}; choose from {', '.join(FEATURES)}")
    if not names:
        raise ConfigError("choose at least one input feature")
    return tuple(name for name in FEATURES if name in names)


def parse_config(
    values: Mapping[str, Any], datasets: tuple[str, ...], limits: Limits, base: VizConfig | None = None
) -> VizConfig:
    """A validated config: ``values`` (fields or their URL aliases) over ``base``.

    Raises:
        ConfigError: unknown field, wrong type, value out of range or over a cap.
    """
    config = base or VizConfig()
    data = values.get("data")
    if isinstance(data, str) and data in datasets and data != config.data and follows_defaults(base):
        config = with_dataset_defaults(config, data)
    changes: dict[str, Any] = {}
    known = {f for f in VizConfig.__dataclass_fields__}
    for key, raw in values.items():
        name = field_name(key)
        if name not in known:
            raise ConfigError(f"unknown setting {str(key)[:40]!r}")
        if name == "data":
            if raw not in datasets:
                raise ConfigError(f"unknown dataset {str(raw)[:40]!r}; choose one of {', '.join(datasets)}")
            changes[name] = raw
        elif name == "activation":
            if raw not in HIDDEN_ACTIVATIONS:
                raise ConfigError(
                    f"unknown activation {str(raw)[:40]!r}; choose one of {', '.join(HIDDEN_ACTIVATIONS)}"
                )
            changes[name] = raw
        elif name == "optimizer":
            if raw not in PAGE_OPTIMIZERS:
                raise ConfigError(f"unknown optimizer {str(raw)[:40]!r}; choose one of {', '.join(PAGE_OPTIMIZERS)}")
            changes[name] = raw
        elif name == "layers":
            changes[name] = _layers(raw, limits)
        elif name == "features":
            changes[name] = _features(raw)
        elif name == "points":
            changes[name] = int(_number("points", raw, 10, limits.max_points, integer=True))
        elif name == "noise":
            changes[name] = _number("noise", raw, 0.0, 1.0)
        elif name == "split":
            changes[name] = _number("train/test split", raw, 0.1, 0.9)
        elif name == "learning_rate":
            changes[name] = _number("learning rate", raw, 1e-6, 10.0)
        elif name == "batch_size":
            changes[name] = int(_number("batch size", raw, 1, limits.max_points, integer=True))
        elif name == "seed":
            changes[name] = int(_number("seed", raw, 0, 2**31 - 1, integer=True))
        elif name == "l2":
            changes[name] = _number("L2 regularization rate", raw, 0.0, 10.0)
        elif name == "l1":
            changes[name] = _number("L1 regularization rate", raw, 0.0, 10.0)
        elif name == "init":
            changes[name] = int(_number("initial weights (init)", raw, 0, 2**31 - 1, integer=True))
    return replace(config, **changes)


def parse_link(
    values: Mapping[str, Any], datasets: tuple[str, ...], limits: Limits, base: VizConfig | None = None
) -> tuple[VizConfig, dict[str, str]]:
    """A link's config: like ``parse_config``, but a field that fails is dropped, not the whole link.

    Returns:
        the config of the valid fields over ``base``, and ``{key: why it was dropped}``.
    """
    config = base
    dropped: dict[str, str] = {}
    ordered = sorted(values.items(), key=lambda item: item[0] != "data")  # the data set (and its defaults) first
    for key, raw in ordered:
        try:
            config = parse_config({key: raw}, datasets, limits, base=config)
        except ConfigError as error:
            dropped[str(key)[:40]] = error.message
    return config or VizConfig(), dropped


def check_fixed_setup(setup: Setup, limits: Limits) -> None:
    """Refuse a network file the page cannot draw or train within the caps.

    Raises:
        ConfigError: (code ``cap``) too many layers, neurons (inputs and outputs included) or samples.
    """
    sizes = setup.network.sizes
    if len(sizes) - 2 > limits.max_layers:
        raise ConfigError(
            f"the network has {len(sizes) - 2} hidden layers; the page shows at most {limits.max_layers}", "cap"
        )
    for index, size in enumerate(sizes):
        if size > limits.max_neurons:
            what = "inputs" if index == 0 else "outputs" if index == len(sizes) - 1 else f"neurons in layer {index}"
            raise ConfigError(
                f"the network has {size} {what}; the page shows at most {limits.max_neurons} per layer", "cap"
            )
    if setup.n_samples > limits.max_points:
        raise ConfigError(
            f"the file has {setup.n_samples} samples; the page trains on at most {limits.max_points}", "cap"
        )


@dataclass(frozen=True)
class Options:
    """The choices the page's controls offer, sent with every ``ready`` message."""

    datasets: tuple[str, ...]
    activations: tuple[str, ...] = HIDDEN_ACTIVATIONS
    optimizers: tuple[str, ...] = PAGE_OPTIMIZERS
    limits: Limits = field(default_factory=Limits)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        from stepgrad.web.features import FEATURES

        return {
            "datasets": list(self.datasets),
            "activations": list(self.activations),
            "optimizers": list(self.optimizers),
            "features": [[name, feature.label] for name, feature in FEATURES.items()],
            "limits": asdict(self.limits),
        }
