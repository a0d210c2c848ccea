"""Hand-friendly exercise networks from a seed.

Every number has two decimals, and a candidate is kept only when the step is
pleasant to work by hand to ``DECIMALS`` decimals: net inputs of sigmoid/tanh
neurons stay in ``[−2.5, 2.5]`` (away from saturation, so ``out·(1 − out)`` is not
tiny), ReLU net inputs are clearly positive or negative (never at the kink), every
output is at least ``TARGET_GAP`` from its target (so the errors keep their digits),
every weight's gradient is visible at 4 decimals somewhere in the network, and no
non-zero value is so small that a learner rounding every step to 4 decimals could
land at 0 or at its opposite (its rounding bound, ``Checker.rounding_bounds``, stays
below half its size). The same ``(seed, variant)`` always gives the same exercise.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from stepgrad.core import train_step
from stepgrad.errors import StepgradError
from stepgrad.functions import Activation, get_activation, get_loss
from stepgrad.network.model import BiasMode, Layer, Network, Setup

#: The decimals an exercise asks for (question sheet, answers file, Moodle quiz).
DECIMALS = 4
#: The least distance of an output from its target.
TARGET_GAP = 0.05
# Targets an exercise draws for an output of each range (a saturating output never reaches its bounds);
# an unbounded output (linear, ReLUs) gets targets in UNBOUNDED_TARGETS.
RANGE_TARGETS = {(0.0, 1.0): (0.01, 0.99), (-1.0, 1.0): (-0.9, 0.9)}
UNBOUNDED_TARGETS = (0.05, 1.5)
_MAX_TRIES = 2000


@dataclass(frozen=True)
class ExerciseSpec:
    """What kind of exercise to make.

    Attributes:
        layers: ``[n_inputs, n_hidden…, n_outputs]``.
        activation: the hidden layers' activation.
        output_activation: the output layer's (None: softmax for cross_entropy, sigmoid for
            binary_cross_entropy, else ``activation``).
        loss: the loss.
        bias: ``shared``, ``per_neuron`` or ``none``.
        train_bias: whether biases are updated.
        learning_rate: ``η``.
    """

    layers: tuple[int, ...] = (2, 2, 2)
    activation: str = "sigmoid"
    output_activation: str | None = None
    loss: str = "half_squared_error"
    bias: BiasMode = "shared"
    train_bias: bool = False
    learning_rate: float = 0.5

    def describe(self) -> str:
        """``2-2-2 sigmoid/sigmoid network, half_squared_error, shared biases, η = 0.5``."""
        sizes = "-".join(str(size) for size in self.layers)
        activations = "/".join([self.activation] * (len(self.layers) - 2) + [self.output])
        biases = {"shared": "shared biases", "per_neuron": "a bias per neuron", "none": "no biases"}[self.bias]
        trained = ", trained" if self.train_bias and self.bias != "none" else ""
        return f"{sizes} {activations} network, {self.loss}, {biases}{trained}, η = {self.learning_rate:g}"

    @property
    def output(self) -> str:
        """The output layer's activation."""
        if self.output_activation:
            return self.output_activation
        return get_loss(self.loss).paired_output or self.activation


def _two_decimals(rng: np.random.Generator, low: float, high: float, shape: tuple[int, ...]) -> np.ndarray:
    """Uniform numbers with two decimals in ``[low, high]``, never 0."""
    values = np.round(rng.uniform(low, high, size=shape), 2)
    return np.where(values == 0.0, 0.05, values)


def _targets(rng: np.random.Generator, spec: ExerciseSpec, n_out: int) -> list[float]:
    output = get_activation(spec.output)
    if not output.elementwise:  # softmax: one class
        return list(np.eye(n_out)[rng.integers(n_out)])
    if output.output_range is None:
        low, high = UNBOUNDED_TARGETS
    else:
        bottom, top = output.output_range
        low, high = RANGE_TARGETS.get(output.output_range, (bottom + 0.1 * (top - bottom), top - 0.1 * (top - bottom)))
    return list(_two_decimals(rng, low, high, (n_out,)))


def _candidate(rng: np.random.Generator, spec: ExerciseSpec) -> Setup:
    sizes = spec.layers
    layers = []
    for index in range(1, len(sizes)):
        activation = spec.output if index == len(sizes) - 1 else spec.activation
        weights = _two_decimals(rng, -0.8, 0.8, (sizes[index], sizes[index - 1]))
        bias_count = {"shared": 1, "per_neuron": sizes[index], "none": 0}[spec.bias]
        bias = _two_decimals(rng, -0.5, 0.6, (bias_count,))
        layers.append(Layer(weights=weights, bias=bias, activation=activation, train_bias=spec.train_bias))
    network = Network(layers=tuple(layers), loss=spec.loss)
    inputs = list(_two_decimals(rng, 0.05, 0.95, (sizes[0],)))
    inputs_array, targets_array = np.array([inputs]), np.array([_targets(rng, spec, sizes[-1])])
    return Setup(network, inputs_array, targets_array, spec.learning_rate, source="exercise")


def _dies_below_zero(activation: Activation) -> bool:
    """Whether ``dout/dnet`` is 0 for every negative net input (ReLU), so a layer there passes nothing back."""
    net = np.array([-1.0])
    return bool(activation.derivative(net, activation.value(net))[0] == 0.0)


def hand_friendly(setup: Setup) -> bool:
    """True when every net input is in a pleasant range, the outputs keep ``TARGET_GAP`` from their targets,
    the update is visible at 4 decimals and every value keeps its size and sign at 4 decimals."""
    s = setup
    trace = train_step(s.network, s.inputs, s.targets, s.learning_rate)
    if np.any(np.abs(trace.layers[-1].out - s.targets) < TARGET_GAP):
        return False  # out − target would lose its digits at 4 decimals
    for layer, layer_trace in zip(s.network.layers, trace.layers, strict=True):
        net = layer_trace.net
        activation = get_activation(layer.activation)
        if activation.output_range is not None and np.any(np.abs(net) > 2.5):
            return False
        if activation.kinked and np.any(np.abs(net) < 0.05):
            return False
        if _dies_below_zero(activation) and np.all(net <= 0):
            return False  # a dead layer passes no gradient back
        if np.max(np.abs(layer_trace.grad_w)) < 5e-4:
            return False
    return trace.loss_new < trace.loss and keeps_its_digits(setup)  # the step should help, as in a textbook


def keeps_its_digits(setup: Setup) -> bool:
    """True when every non-zero value a learner computes is more than twice what rounding every step to
    ``DECIMALS`` decimals can move it by: such a learner never lands at 0 or at −v."""
    from stepgrad.check.compare import Checker

    checker = Checker(setup)
    bounds = checker.rounding_bounds(DECIMALS)
    values = checker.expected
    return all(values[name] == 0 or bounds[name] < abs(values[name]) / 2 for name in checker.computed())


def _known(name: str) -> Activation | None:
    """The registry entry of ``name``, or None when unknown (the network's own validation names it)."""
    try:
        return get_activation(name)
    except KeyError:
        return None


def check_spec(spec: ExerciseSpec) -> None:
    """``StepgradError`` (one line) when no exercise of this kind can exist."""
    if len(spec.layers) < 2 or min(spec.layers) < 1:
        raise StepgradError(f"layers must be at least 'inputs,outputs' with sizes ≥ 1, got {list(spec.layers)}")
    hidden, output = _known(spec.activation), _known(spec.output)
    if hidden is not None and not hidden.hidden and len(spec.layers) > 2:
        raise StepgradError(
            f"{hidden.name} is for the output layer only: choose another --activation for hidden layers"
        )
    if output is not None and not output.elementwise and spec.layers[-1] < 2:
        raise StepgradError(
            f"{spec.loss} with a {output.name} output needs at least 2 outputs ({output.name} of one output is "
            f"always 1): use --layers {','.join(str(size) for size in spec.layers[:-1])},2 or more"
        )
    if not spec.learning_rate > 0:
        raise StepgradError(f"--learning-rate must be greater than 0, got {spec.learning_rate:g}")


def generate_setup(seed: int, spec: ExerciseSpec | None = None, variant: int = 0) -> Setup:
    """The exercise for ``(seed, variant)``: same arguments, same numbers."""
    chosen = spec or ExerciseSpec()
    check_spec(chosen)
    if seed < 0 or variant < 0:
        raise StepgradError(f"--seed must be 0 or more, got {seed}" if seed < 0 else f"variant {variant} < 0")
    rng = np.random.default_rng([seed, variant])
    for _ in range(_MAX_TRIES):
        setup = _candidate(rng, chosen)
        if hand_friendly(setup):
            return setup
    raise StepgradError(f"found no hand-friendly {chosen.describe()} in {_MAX_TRIES} tries: try other options")


def generate_variants(seed: int, spec: ExerciseSpec | None = None, count: int = 1) -> list[tuple[int, Setup]]:
    """``count`` distinct exercises as ``(variant, setup)``: ``generate_setup(seed, spec, variant)`` rebuilds each.

    Variants whose numbers repeat an earlier one are skipped, so variant numbers can have gaps.
    """
    from stepgrad.network.files import setup_to_dict

    if count < 1:
        raise StepgradError(f"--count must be at least 1, got {count}")
    found: list[tuple[int, Setup]] = []
    seen: list[dict[str, object]] = []
    variant = 0
    while len(found) < count:
        setup = generate_setup(seed, spec, variant)
        data = setup_to_dict(setup)
        if data not in seen:
            seen.append(data)
            found.append((variant, setup))
        variant += 1
    return found


def generate_setups(seed: int, spec: ExerciseSpec | None = None, count: int = 1) -> list[Setup]:
    """``count`` distinct exercises; variant ``k`` is the same whatever ``count`` is."""
    return [setup for _, setup in generate_variants(seed, spec, count)]
