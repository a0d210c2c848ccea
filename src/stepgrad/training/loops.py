"""Training loops: online (batch size 1), mini-batch and full batch, for one network or many.

A ``Training`` holds everything that changes while a network learns (its parameters, the
optimizer's state, the epoch, the shuffling generator) and advances one epoch at a time, so a
CLI, a notebook or the web page can drive it step by step. ``fit`` runs it to the end.

Each update takes a batch of ``B`` samples, computes the batch-mean gradients with the
original weights (``stepgrad.training.gradients``) and lets the optimizer move the parameters.
Samples are visited in an order shuffled each epoch by a generator seeded from ``seed``
(full batch is never shuffled: the mean does not depend on the order).

Ensembles: pass several networks of the same shape (and one seed and/or learning rate per
network). Their parameters are stacked along a leading axis ``N`` and every update trains all
of them at once; each network's numbers are those it would have trained to alone.

Metrics per epoch: ``loss`` and ``accuracy`` are running means over the epoch's batches,
measured before each update (as Keras reports them); validation metrics use the weights at
the end of the epoch.

Divergence guard: when a batch's loss is NaN or infinite, the network stops (an ensemble's
other networks go on) and keeps the last weights whose loss was finite.
"""

from __future__ import annotations

import importlib
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
from numpy.typing import ArrayLike, NDArray

from stepgrad.core.propagation import sgd_step
from stepgrad.core.step import train_step
from stepgrad.errors import StepgradError
from stepgrad.network.model import Network, Setup
from stepgrad.training.gradients import Functions, batch_gradients, sample_losses
from stepgrad.training.gradients import forward as forward_params
from stepgrad.training.metrics import Task, accuracy, evaluate, infer_task
from stepgrad.training.optimizers import Optimizer, OptimizerState, get_optimizer
from stepgrad.training.params import Params, member, params_of, stack, with_params
from stepgrad.training.schedules import Schedule, get_schedule

Array = NDArray[np.float64]


def seed_streams(seed: int) -> tuple[np.random.Generator, np.random.Generator]:
    """Two independent generators from one seed: (initial weights, shuffling)."""
    init_seq, shuffle_seq = np.random.SeedSequence(seed).spawn(2)
    return np.random.default_rng(init_seq), np.random.default_rng(shuffle_seq)


@dataclass(frozen=True)
class EpochLog:
    """What one epoch measured. Values are floats, or ``(N,)`` arrays for an ensemble.

    Attributes:
        epoch: 1 for the first epoch.
        learning_rate: ``η`` used in the epoch (after the schedule).
        loss: running mean of the batch losses ``E_total``.
        accuracy: running accuracy (None for regression).
        val_loss: validation loss at the end of the epoch (None without validation data).
        val_accuracy: validation accuracy (None without validation data or for regression).
        diverged: whether the network has stopped on a NaN/inf loss.
        updates: number of updates so far.
    """

    epoch: int
    learning_rate: Any
    loss: Any
    accuracy: Any = None
    val_loss: Any = None
    val_accuracy: Any = None
    diverged: Any = False
    updates: int = 0


class Callback(Protocol):
    """Called once before training and after every epoch; return True to stop."""

    def on_train_begin(self, training: Training) -> None: ...

    def on_epoch_end(self, training: Training, log: EpochLog) -> bool: ...

    def on_train_end(self, training: Training) -> None: ...


@dataclass
class Training:
    """A training run in progress (see the module docstring).

    Attributes:
        network: the network (or one network of the ensemble) that gives activations, loss, bias modes.
        params: current parameters, single or stacked ``(N, …)``.
        inputs: ``(n_samples, n_inputs)``.
        targets: ``(n_samples, n_outputs)``.
        optimizer: the optimizer.
        learning_rate: base ``η``, a number or ``(N,)``.
        epochs: how many epochs ``run`` trains.
        batch_size: samples per update (``None`` or ≥ n_samples: full batch).
        schedule: learning-rate schedule over the epochs.
        shuffle_rngs: one generator per network.
        validation: optional ``(inputs, targets)``.
        task: ``classification`` (accuracy reported) or ``regression``.
        use_compiled: allow the compiled online-SGD path.
    """

    network: Network
    params: Params
    inputs: Array
    targets: Array
    optimizer: Optimizer
    learning_rate: Any
    epochs: int
    batch_size: int | None
    schedule: Schedule
    shuffle_rngs: list[np.random.Generator]
    validation: tuple[Array, Array] | None = None
    task: Task = "classification"
    use_compiled: bool = True
    callbacks: list[Any] = field(default_factory=list)
    epoch: int = 0
    updates: int = 0
    state: OptimizerState = field(default_factory=OptimizerState)
    diverged: Any = False
    stop_reason: str | None = None
    history: list[EpochLog] = field(default_factory=list)
    functions: Functions = field(init=False)
    _previous: Params | None = field(default=None, init=False, repr=False)
    ensemble_size: int | None = field(init=False)

    def __post_init__(self) -> None:
        self.functions = Functions.of(self.network)
        self.ensemble_size = None if self.params.weights[0].ndim == 2 else int(self.params.weights[0].shape[0])
        if self.ensemble_size is not None:
            self.diverged = np.zeros(self.ensemble_size, dtype=bool)
        self.state = self.optimizer.init(self.params.arrays())
        self._is_weight = [index % 2 == 0 for index in range(2 * len(self.params.weights))]
        self._trains_bias = [layer.trains_bias for layer in self.network.layers]

    # ----------------------------------------------------------------- properties
    @property
    def n_samples(self) -> int:
        """Number of training samples."""
        return int(self.inputs.shape[0])

    @property
    def effective_batch(self) -> int:
        """Samples per update."""
        if self.batch_size is None or self.batch_size >= self.n_samples:
            return self.n_samples
        return self.batch_size

    @property
    def done(self) -> bool:
        """True when all epochs ran or training stopped."""
        return self.epoch >= self.epochs or self.stop_reason is not None

    def current_network(self, index: int | None = None) -> Network:
        """The network with the current weights (``index`` picks one of an ensemble)."""
        if self.ensemble_size is None:
            return with_params(self.network, self.params)
        return with_params(self.network, member(self.params, 0 if index is None else index))

    def learning_rate_at(self, epoch: int) -> Any:
        """``η`` of ``epoch`` (0-based) after the schedule."""
        factor = self.schedule.factor(epoch, self.epochs)
        return self.learning_rate * factor if factor != 1.0 else self.learning_rate

    # ----------------------------------------------------------------- one update
    def update(self, x: Array, target: Array, learning_rate: Any) -> BatchStep:
        """One optimizer step on a batch ``x`` ``(…, B, n_inputs)``; returns its loss and outputs."""
        before = self.params
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            result = batch_gradients(before, self.functions, x, target)
            grads = result.grads
            if not all(self._trains_bias):
                grads = Params(
                    grads.weights,
                    tuple(g if t else np.zeros_like(g) for g, t in zip(grads.biases, self._trains_bias, strict=True)),
                )
            arrays, self.state = self.optimizer.update(
                before.arrays(), grads.arrays(), self.state, learning_rate, self._is_weight
            )
        after = Params.from_arrays(arrays)
        finite = np.isfinite(result.loss)
        previous = self._previous if self._previous is not None else before
        if self.ensemble_size is None:
            if not finite:
                # ``before`` already gives a NaN/inf loss: go back to the weights before it.
                self._stop_diverged(previous, rolled_back=self._previous is not None)
                return BatchStep(result.loss, result.output, False)
        else:
            newly = ~finite & ~self.diverged
            if newly.any() or self.diverged.any():
                # A diverged network keeps the last weights whose loss was finite.
                after = _masked(self.diverged, before, after)
                after = _masked(newly, previous, after)
                self.diverged = self.diverged | newly
                if bool(np.all(self.diverged)) and self.stop_reason is None:
                    self.stop_reason = "every network's loss became NaN or infinite"
        self._previous = before
        self.params = after
        self.updates += 1
        return BatchStep(result.loss, result.output, True)

    def _stop_diverged(self, last_good: Params, rolled_back: bool) -> None:
        self.params = last_good
        self.diverged = True
        self.stop_reason = (
            f"the loss became NaN or infinite at epoch {self.epoch + 1} (update {self.updates + 1}); "
            "training stopped and kept the last weights with a finite loss; try a smaller learning rate"
        )
        if rolled_back:
            self.updates -= 1

    # ----------------------------------------------------------------- one epoch
    def run_epoch(self) -> EpochLog:
        """Train one epoch, run the callbacks, and return what it measured."""
        if self.done:
            raise StepgradError("training is finished")
        rate = self.learning_rate_at(self.epoch)
        compiled = self._compiled_kernel()
        if compiled is not None:
            loss, acc = self._epoch_compiled(compiled, rate)
        else:
            loss, acc = self._epoch_numpy(rate)
        self.epoch += 1
        val_loss = val_acc = None
        if self.validation is not None:
            val_loss, val_acc = evaluate(self.params, self.functions, *self.validation, self.task)
        log = EpochLog(
            epoch=self.epoch,
            learning_rate=rate,
            loss=_plain(loss),
            accuracy=_plain(acc),
            val_loss=_plain(val_loss),
            val_accuracy=_plain(val_acc),
            diverged=_plain(self.diverged),
            updates=self.updates,
        )
        self.history.append(log)
        for callback in self.callbacks:
            if callback.on_epoch_end(self, log):
                self.stop_reason = self.stop_reason or getattr(callback, "reason", "stopped by a callback")
        return log

    def _orders(self) -> NDArray[np.int64]:
        """The sample order of this epoch: ``(n,)`` or ``(N, n)``."""
        n = self.n_samples
        if self.effective_batch == n:
            return np.arange(n)
        orders = [rng.permutation(n) for rng in self.shuffle_rngs]
        return orders[0] if self.ensemble_size is None else np.stack(orders)

    def _epoch_numpy(self, rate: Any) -> tuple[Any, Any]:
        order = self._orders()
        size = self.effective_batch
        lead = () if self.ensemble_size is None else (self.ensemble_size,)
        loss_sum = np.zeros(lead)
        correct_sum = np.zeros(lead)
        seen = 0
        full = size == self.n_samples
        for start in range(0, self.n_samples, size):
            index = order[..., start : start + size]
            x = self.inputs if full else self.inputs[index]  # (…, B, n_inputs)
            target = self.targets if full else self.targets[index]
            step = self.update(x, target, rate)
            count = index.shape[-1]
            with np.errstate(over="ignore", invalid="ignore"):
                loss_sum = loss_sum + step.loss * count
                if self.task == "classification":
                    correct_sum = correct_sum + accuracy(step.output, target) * count
            seen += count
            if self.stop_reason is not None:
                break
        acc = correct_sum / seen if self.task == "classification" else None
        return loss_sum / seen, acc

    # ----------------------------------------------------------------- compiled path
    def _compiled_kernel(self) -> Callable[..., Any] | None:
        """``stepgrad.training.compiled.online_sgd`` when it applies (see ``compiled_api``)."""
        if not (
            self.use_compiled
            and self.ensemble_size is None
            and self.optimizer.name == "sgd"
            and self.optimizer.weight_decay == 0.0
            and self.effective_batch == 1
        ):
            return None
        return load_compiled(self.functions)

    def _epoch_compiled(self, kernel: Callable[..., Any], rate: Any) -> tuple[Any, Any]:
        order = self._orders().astype(np.int64)
        result = kernel(
            [np.ascontiguousarray(w) for w in self.params.weights],
            [np.ascontiguousarray(b) for b in self.params.biases],
            [a.name for a in self.functions.activations],
            self._trains_bias,
            self.functions.loss.name,
            self.inputs,
            self.targets,
            order,
            float(rate),
        )
        losses = np.asarray(result.losses)
        bad = np.flatnonzero(~np.isfinite(losses))
        if bad.size:
            # Replay on the NumPy path up to the first bad update, to keep the last good weights.
            for position in order[: bad[0] + 1]:
                self.update(self.inputs[position : position + 1], self.targets[position : position + 1], rate)
                if self.stop_reason is not None:
                    break
            return float(np.mean(losses[: bad[0]])) if bad[0] else math.nan, None
        self._previous = None
        self.params = Params(tuple(result.weights), tuple(result.biases))
        self.updates += len(order)
        acc = None
        if self.task == "classification":
            acc = evaluate(self.params, self.functions, self.inputs, self.targets, self.task)[1]
        return float(np.mean(losses)), acc

    # ----------------------------------------------------------------- run to the end
    def run(self) -> Training:
        """Train until the last epoch or until a callback or the divergence guard stops it."""
        for callback in self.callbacks:
            callback.on_train_begin(self)
        try:
            while not self.done:
                self.run_epoch()
        finally:
            for callback in self.callbacks:
                callback.on_train_end(self)
        return self


@dataclass(frozen=True)
class BatchStep:
    """One update's loss ``(…)`` and outputs ``(…, B, n_outputs)`` before the update."""

    loss: Any
    output: Array
    applied: bool


def _masked(mask: NDArray[np.bool_], kept: Params, new: Params) -> Params:
    """Per network: ``kept`` where ``mask`` is True, ``new`` elsewhere."""
    arrays = [
        np.where(mask.reshape(mask.shape + (1,) * (k.ndim - 1)), k, n)
        for k, n in zip(kept.arrays(), new.arrays(), strict=True)
    ]
    return Params.from_arrays(arrays)


def _plain(value: Any) -> Any:
    """A 0-d array as a Python number; other arrays unchanged."""
    if value is None:
        return None
    array = np.asarray(value)
    if array.ndim == 0:
        return bool(array) if array.dtype == bool else float(array)
    return array


_COMPILED_CACHE: dict[str, Any] = {}


def load_compiled(functions: Functions) -> Callable[..., Any] | None:
    """The compiled online-SGD kernel if numba and ``stepgrad.training.compiled`` import and support it."""
    if "module" not in _COMPILED_CACHE:
        try:
            _COMPILED_CACHE["module"] = importlib.import_module("stepgrad.training.compiled")
        except ImportError:
            _COMPILED_CACHE["module"] = None
    module = _COMPILED_CACHE["module"]
    if module is None:
        return None
    supports = getattr(module, "supports", None)
    names = [a.name for a in functions.activations]
    if supports is not None and not supports(names, functions.loss.name):
        return None
    kernel: Callable[..., Any] | None = getattr(module, "online_sgd", None)
    return kernel


# --------------------------------------------------------------------- building a run
def make_training(
    network: Network | Sequence[Network],
    inputs: ArrayLike,
    targets: ArrayLike,
    *,
    optimizer: str | Optimizer = "sgd",
    learning_rate: float | Sequence[float] = 0.1,
    epochs: int = 100,
    batch_size: int | None = 1,
    seed: int | Sequence[int] = 0,
    schedule: str | Schedule = "constant",
    weight_decay: float = 0.0,
    momentum: float | None = None,
    validation: tuple[ArrayLike, ArrayLike] | None = None,
    task: Task | None = None,
    callbacks: Sequence[Any] = (),
    use_compiled: bool = True,
) -> Training:
    """A ``Training`` ready to run; a list of networks (or of seeds/rates) makes an ensemble.

    Args:
        network: one network, or a list of same-shaped networks (an ensemble).
        inputs: ``(n_samples, n_inputs)``.
        targets: ``(n_samples, n_outputs)``.
        optimizer: ``sgd``, ``momentum``, ``nesterov``, ``adam`` or an ``Optimizer``.
        learning_rate: ``η``, or one per network of an ensemble.
        epochs: passes over the data.
        batch_size: 1 online, ``None`` full batch, anything else mini-batch.
        seed: seeds the shuffling (one per network of an ensemble).
        schedule: ``constant``, ``step``, ``cosine`` or a ``Schedule``.
        weight_decay: L2 ``λ`` on the weights.
        momentum: ``μ`` for momentum/nesterov (default 0.9).
        validation: ``(inputs, targets)`` measured after each epoch.
        task: classification or regression (default: classification when targets are all 0/1).
        callbacks: objects with ``on_train_begin``/``on_epoch_end``/``on_train_end``.
        use_compiled: allow the compiled online-SGD path.
    """
    x = np.array(inputs, dtype=np.float64, ndmin=2)
    y = np.array(targets, dtype=np.float64, ndmin=2)
    networks = [network] if isinstance(network, Network) else list(network)
    ensemble = not isinstance(network, Network)
    seeds = [seed] * len(networks) if isinstance(seed, int) else list(seed)
    rates = learning_rate if np.ndim(learning_rate) else [learning_rate] * len(networks)
    if ensemble and len(networks) == 1 and (len(seeds) > 1 or len(rates) > 1):  # type: ignore[arg-type]
        networks = networks * max(len(seeds), len(rates))  # type: ignore[arg-type]
    if len(seeds) == 1:
        seeds = seeds * len(networks)
    if len(rates) == 1:  # type: ignore[arg-type]
        rates = list(rates) * len(networks)  # type: ignore[arg-type]
    if not (len(seeds) == len(networks) == len(rates)):  # type: ignore[arg-type]
        raise StepgradError("an ensemble needs one seed and one learning rate per network (or one for all)")
    first = networks[0]
    if x.shape[0] != y.shape[0]:
        raise StepgradError(f"{x.shape[0]} input rows but {y.shape[0]} target rows")
    if x.shape[1] != first.n_inputs or y.shape[1] != first.n_outputs:
        raise StepgradError(
            f"the data has {x.shape[1]} inputs and {y.shape[1]} targets but the network has "
            f"{first.n_inputs} inputs and {first.n_outputs} outputs"
        )
    if epochs < 1:
        raise StepgradError("epochs must be at least 1")
    if batch_size is not None and batch_size < 1:
        raise StepgradError("batch size must be at least 1")
    if isinstance(optimizer, str):
        hyper: dict[str, float] = {"weight_decay": weight_decay}
        if momentum is not None and optimizer in ("momentum", "nesterov"):
            hyper["momentum"] = momentum
        optimizer = get_optimizer(optimizer, **hyper)
    params = params_of(first) if not ensemble else stack([params_of(n) for n in networks])
    rate: Any = float(rates[0]) if not ensemble else np.asarray(rates, dtype=np.float64)  # type: ignore[index, arg-type]
    valid = None
    if validation is not None:
        valid = (np.array(validation[0], dtype=np.float64, ndmin=2), np.array(validation[1], dtype=np.float64, ndmin=2))
    return Training(
        network=first,
        params=params,
        inputs=x,
        targets=y,
        optimizer=optimizer,
        learning_rate=rate,
        epochs=int(epochs),
        batch_size=batch_size,
        schedule=get_schedule(schedule) if isinstance(schedule, str) else schedule,
        shuffle_rngs=[seed_streams(s)[1] for s in seeds],
        validation=valid,
        task=task or infer_task(y),
        use_compiled=use_compiled,
        callbacks=list(callbacks),
    )


def split_validation(
    inputs: Array, targets: Array, fraction: float, seed: int = 0
) -> tuple[Array, Array, Array, Array]:
    """Shuffle with ``seed`` and hold out ``fraction`` of the samples: ``x, y, x_val, y_val``."""
    if not 0.0 < fraction < 1.0:
        raise StepgradError(f"the validation split must be between 0 and 1, got {fraction}")
    n = inputs.shape[0]
    n_val = round(n * fraction)
    if n_val < 1 or n_val >= n:
        raise StepgradError(f"a validation split of {fraction} leaves no samples on one side ({n} samples)")
    order = np.random.default_rng(np.random.SeedSequence(seed).spawn(3)[2]).permutation(n)
    train, valid = order[n_val:], order[:n_val]
    return inputs[train], targets[train], inputs[valid], targets[valid]


# --------------------------------------------------------------------- the classic repetition
@dataclass(frozen=True)
class RepeatResult:
    """``stepgrad train FILE --steps N``: the trained network and the error along the way.

    Attributes:
        network: the network after the last step.
        steps: the step numbers at which the error was recorded (0 = before training).
        errors: ``E_total`` (batch mean) of the network after that many steps.
        outputs: the final network's outputs ``(n_samples, n_outputs)``.
        error: the final ``E_total``.
    """

    network: Network
    steps: tuple[int, ...]
    errors: tuple[float, ...]
    outputs: Array
    error: float


def repeat_steps(
    setup: Setup,
    steps: int,
    hidden_deltas_from: str = "original",
    every: int = 1000,
    on_report: Callable[[int, float], None] | None = None,
    use_compiled: bool = True,
) -> RepeatResult:
    """Repeat the gradient step ``steps`` times on all of the setup's samples (full batch).

    The correct mode uses the array loop (equal to ``stepgrad.core.train_step`` to the last bit);
    ``hidden_deltas_from="updated"`` (the classic mistake, for the errata) calls ``train_step``.
    ``on_report(step, error)`` is called every ``every`` steps and at the end. With one sample
    (full batch = online) the compiled online-SGD kernel runs the steps between reports when
    it is available (equal to the NumPy path to 1e-12; ``use_compiled=False`` turns it off).
    """
    if steps < 0:
        raise StepgradError("the number of steps must not be negative")
    network = setup.network
    functions = Functions.of(network)
    x, target = setup.inputs, setup.targets
    trains_bias = [layer.trains_bias for layer in network.layers]
    params = params_of(network)

    def error_of(current: Params) -> float:
        return float(np.mean(sample_losses(current, functions, x, target)))

    recorded_steps, recorded = [0], [error_of(params)]
    if on_report is not None:
        on_report(0, recorded[0])
    kernel = None
    if use_compiled and hidden_deltas_from == "original" and setup.n_samples == 1:
        kernel = load_compiled(functions)
    if kernel is not None:
        done = 0
        while done < steps:
            chunk = min(every - done % every, steps - done)
            result = kernel(
                [np.ascontiguousarray(w) for w in params.weights],
                [np.ascontiguousarray(b) for b in params.biases],
                [a.name for a in functions.activations],
                trains_bias,
                functions.loss.name,
                x,
                target,
                np.zeros(chunk, dtype=np.int64),
                float(setup.learning_rate),
            )
            params = Params(tuple(result.weights), tuple(result.biases))
            done += chunk
            recorded_steps.append(done)
            recorded.append(error_of(params))
            if on_report is not None:
                on_report(done, recorded[-1])
    numpy_steps = 0 if kernel is not None else steps
    for step in range(1, numpy_steps + 1):
        if hidden_deltas_from == "updated":
            network = train_step(with_params(network, params), x, target, setup.learning_rate, "updated").network_new
            params = params_of(network)
        else:
            grads = batch_gradients(params, functions, x, target).grads
            params = Params(
                tuple(sgd_step(w, g, setup.learning_rate) for w, g in zip(params.weights, grads.weights, strict=True)),
                tuple(
                    sgd_step(b, g, setup.learning_rate) if t else b
                    for b, g, t in zip(params.biases, grads.biases, trains_bias, strict=True)
                ),
            )
        if step % every == 0 or step == steps:
            recorded_steps.append(step)
            recorded.append(error_of(params))
            if on_report is not None:
                on_report(step, recorded[-1])
    final = with_params(setup.network, params)
    outputs = forward_params(params, functions, x)[-1].out
    return RepeatResult(final, tuple(recorded_steps), tuple(recorded), outputs, recorded[-1])
