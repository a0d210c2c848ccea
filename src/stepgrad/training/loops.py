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

Metrics per epoch, one definition for every path (NumPy, compiled, ensemble): the running means of
``stepgrad.training.metrics`` (as Keras and scikit-learn report them: no extra pass over the training
set); the validation set, when given, with the weights held after the epoch; the kept weights' own
training-set loss only when asked for (``measure_kept``).

Divergence guard (``stepgrad.training.guard``): when a batch's loss turns NaN/inf, or an epoch ends
with a non-finite running loss or parameter, the network stops (an ensemble's other networks go on)
and goes back to the best weights it holds. The candidates include the *best epoch* (the good epoch
with the lowest running loss, as Keras's ``ModelCheckpoint(save_best_only=True)`` picks it) because
the latest good epoch often holds weights already blowing up (a loss of 1e280 one epoch before the
overflow). That epoch logs NaN (and so do the later epochs of a stopped ensemble member);
``stop_reason`` says which epoch's weights were kept and their training loss.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from stepgrad.errors import StepgradError
from stepgrad.network.model import Network
from stepgrad.training.compiled import (
    CHUNK_MAX_ORDERS,
    ENSEMBLE_KERNEL_MAX_WEIGHTS,
    OnlineSGD,
    batch_sums,
    compiled_is_cached,
    compiled_pays,
    load_compiled,
    load_ensemble_compiled,
    sgd_on_kernel,
)
from stepgrad.training.gradients import Functions, batch_gradients
from stepgrad.training.guard import BEST, STOP, columns_of, epoch_outcomes, prefer
from stepgrad.training.inputs import as_samples, check_hyperparameters
from stepgrad.training.metrics import RunningTotals, Task, evaluate, infer_task
from stepgrad.training.optimizers import Optimizer, OptimizerState, get_optimizer
from stepgrad.training.params import Params, member, params_of, stack, with_params
from stepgrad.training.records import (
    BatchStep,
    EpochLog,
    Snapshot,
    check_seed,
    first_network,
    masked,
    nan_where,
    seed_stream,
    seed_streams,
)
from stepgrad.training.repeat import RepeatResult, repeat_steps
from stepgrad.training.schedules import Schedule, get_schedule

Array = NDArray[np.float64]

__all__ = [
    "BatchStep",
    "EpochLog",
    "RepeatResult",
    "Snapshot",
    "Training",
    "make_training",
    "repeat_steps",
    "seed_stream",
    "seed_streams",
    "split_validation",
]

# A compiled ensemble call runs as many epochs as fit in about this many seconds (Ctrl-C and the
# progress bar are seen between calls).
CHUNK_SECONDS = 0.1


@dataclass
class Training:
    """A training run in progress (see the module docstring): one network or an ensemble of ``N``.

    A single network is an ensemble of one: the run always holds stacked arrays ``(N, …)`` and per-network
    flags ``(N,)``, and one code path trains them. What it hands out (``params``, ``diverged``, ``kept``,
    ``learning_rate``, the ``history``, ``update``'s result) is unwrapped for a single network (``single``):
    floats and one network's arrays, never an ensemble of one.

    Attributes:
        network: the network (or one network of the ensemble) that gives activations, loss, bias modes.
        stacked: current parameters ``(N, …)``.
        inputs: ``(n_samples, n_inputs)``.
        targets: ``(n_samples, n_outputs)``.
        optimizer: the optimizer.
        rates: base ``η`` per network ``(N,)``.
        epochs: how many epochs ``run`` trains.
        batch_size: samples per update (``None`` or ≥ n_samples: full batch).
        schedule: learning-rate schedule over the epochs.
        seeds: one seed per network; its shuffling stream (``seed_streams``) orders the samples.
        validation: optional ``(inputs, targets)``.
        task: ``classification`` (accuracy reported) or ``regression``.
        use_compiled: allow the compiled SGD paths; ``"auto"``: for a single network only where the work
            pays for loading numba (``compiled.compiled_pays``), as ``stepgrad train`` does.
        single: the run trains one network (results are unwrapped).
        stopped: ``(N,)`` which networks the divergence guard stopped.
        totals: the running loss and accuracy of the epoch in progress.
        best_running: ``(N,)`` the lowest running loss of a good epoch so far (inf before any epoch).
    """

    network: Network
    stacked: Params
    inputs: Array
    targets: Array
    optimizer: Optimizer
    rates: Array
    epochs: int
    batch_size: int | None
    schedule: Schedule
    seeds: list[int]
    validation: tuple[Array, Array] | None = None
    task: Task = "classification"
    use_compiled: bool | Literal["auto"] = True
    callbacks: list[Any] = field(default_factory=list)
    single: bool = True
    epoch: int = 0
    updates: int = 0
    state: OptimizerState = field(default_factory=OptimizerState)
    stop_reason: str | None = None
    history: list[EpochLog] = field(default_factory=list)
    totals: RunningTotals = field(default_factory=RunningTotals)
    stopped: NDArray[np.bool_] = field(init=False)
    best_running: Array = field(init=False)
    functions: Functions = field(init=False)
    compile_seconds: float | None = field(default=None, init=False)  # numba's one-time compile, if this run paid it
    # the divergence guard's candidates (stacked): the latest good epoch, the initial weights, the best epoch
    _kept: Snapshot | None = field(default=None, init=False, repr=False)
    _initial: Snapshot | None = field(default=None, init=False, repr=False)
    _best: Snapshot | None = field(default=None, init=False, repr=False)
    _shuffle_rngs: list[np.random.Generator] | None = field(default=None, init=False, repr=False)
    _prepared: bool = field(default=False, init=False, repr=False)

    def __post_init__(self) -> None:
        self.functions = Functions.of(self.network)
        self.stopped = np.zeros(self.size, dtype=bool)
        self.best_running = np.full(self.size, np.inf)
        self.state = self.optimizer.init(self.stacked.arrays())
        self._is_weight = [index % 2 == 0 for index in range(2 * len(self.stacked.weights))]
        self._trains_bias = [layer.trains_bias for layer in self.network.layers]
        self.totals = RunningTotals(self.classifies)

    # ----------------------------------------------------------------- what the run hands out
    @property
    def size(self) -> int:
        """Number of networks ``N`` (1 for a single network)."""
        return int(self.stacked.weights[0].shape[0])

    @property
    def params(self) -> Params:
        """The current parameters: one network's arrays, or ``(N, …)`` for an ensemble."""
        return member(self.stacked, 0) if self.single else self.stacked

    @params.setter
    def params(self, value: Params) -> None:
        self.stacked = stack([value]) if self.single else value

    @property
    def diverged(self) -> Any:
        """Whether the network stopped on a NaN/inf loss (``(N,)`` for an ensemble)."""
        return unwrapped(self.stopped.copy(), self.single)

    @property
    def learning_rate(self) -> Any:
        """Base ``η`` (``(N,)`` for an ensemble)."""
        return unwrapped(self.rates, self.single)

    @property
    def kept(self) -> Snapshot | None:
        """The weights the run hands back: the end of the latest good epoch, the epoch a callback restored
        (early stopping's best epoch), or what the divergence guard chose; ``measure_kept`` adds their loss."""
        return self._public(self._kept)

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

    @property
    def classifies(self) -> bool:
        """Whether accuracy is measured (classification)."""
        return self.task == "classification"

    def current_network(self, index: int = 0) -> Network:
        """The network with the current weights (``index`` picks one of an ensemble)."""
        return with_params(self.network, member(self.stacked, index))

    def _rates_at(self, epoch: int) -> Array:
        factor = self.schedule.factor(epoch, self.epochs)
        return self.rates * factor if factor != 1.0 else self.rates

    def _public(self, snapshot: Snapshot | None) -> Snapshot | None:
        """A stacked snapshot as the caller sees it: one network's for a single network."""
        if snapshot is None or not self.single:
            return snapshot
        return Snapshot(
            int(snapshot.epoch[0]),
            member(snapshot.params, 0),
            unwrapped(snapshot.loss, True),
            unwrapped(snapshot.accuracy, True),
            earlier=self._public(snapshot.earlier),
        )

    def _stacked_snapshot(self, snapshot: Snapshot) -> Snapshot:
        """The inverse of ``_public``."""
        if not self.single:
            return snapshot
        return Snapshot(
            np.array([snapshot.epoch], dtype=np.int64),
            stack([snapshot.params]),
            None if snapshot.loss is None else np.array([snapshot.loss], dtype=np.float64),
            None if snapshot.accuracy is None else np.array([snapshot.accuracy], dtype=np.float64),
            earlier=None if snapshot.earlier is None else self._stacked_snapshot(snapshot.earlier),
        )

    # ----------------------------------------------------------------- the kept weights
    def _ensure_kept(self) -> Snapshot:
        if self._kept is None:
            self._kept = self._initial = self._best = Snapshot(np.zeros(self.size, dtype=np.int64), self.stacked)
        return self._kept

    def measure_kept(self) -> Snapshot:
        """The kept weights with their mean ``E_total`` and accuracy on the whole training set
        (one forward pass, the first time it is asked for)."""
        self._kept = self._measured(self._ensure_kept())
        kept = self._public(self._kept)
        assert kept is not None
        return kept

    def _measured(self, snapshot: Snapshot) -> Snapshot:
        """``snapshot`` with its training-set loss and accuracy ``(N,)`` (one forward pass when not yet measured)."""
        if snapshot.loss is not None:
            return snapshot
        loss, accuracy = evaluate(snapshot.params, self.functions, self.inputs, self.targets, self.task)
        return replace(snapshot, loss=loss, accuracy=accuracy)

    def _fall_back(self, members: NDArray[np.bool_]) -> Snapshot:
        """The divergence guard's choice for ``members`` ``(N,)`` (``guard.prefer``, in this order: the kept
        weights, the best epoch, the epoch before the latest, the initial weights). They become the kept weights;
        the other members' kept weights stay."""
        chosen = self._kept = self._measured(self._ensure_kept())
        earlier = chosen.earlier
        chosen, self._best = prefer(chosen, self._best, members, self._measured)
        chosen, _ = prefer(chosen, earlier, members, self._measured)
        chosen, self._initial = prefer(chosen, self._initial, members, self._measured)
        self._kept = chosen
        return chosen

    def _stop(self, newly: NDArray[np.bool_], where: str) -> None:
        """The networks ``newly`` ``(N,)`` go back to the weights the guard chooses and stop; when none is left,
        the run stops and says why."""
        kept = self._fall_back(newly)
        self.stacked = masked(newly, kept.params, self.stacked)
        self.stopped = self.stopped | newly
        if self.stopped.all() and self.stop_reason is None:
            self.stop_reason = self._divergence_reason(kept, where)

    def _divergence_reason(self, kept: Snapshot, where: str) -> str:
        if not self.single:
            return "every network's loss became NaN or infinite; each kept the best weights it had"
        epoch = int(kept.epoch[0])
        origin = "the initial weights" if epoch == 0 else f"the weights from the end of epoch {epoch}"
        return (
            f"the loss became NaN or infinite {where}; training stopped and kept {origin}, the best it had "
            f"(training loss {float(kept.loss[0]):.6g}); try a smaller learning rate"
        )

    def _in_this_update(self) -> str:
        """Where a batch loss turned NaN/inf, for ``stop_reason``."""
        return f"in epoch {self.epoch + 1} (update {self.updates + 1})"

    def restore(self, snapshot: Snapshot) -> None:
        """Go back to ``snapshot``'s weights (as ``kept`` hands them out); they become the kept weights."""
        self._kept = self._stacked_snapshot(snapshot)
        self.stacked = self._kept.params

    # ----------------------------------------------------------------- one update
    def update(self, x: Array, target: Array, learning_rate: Any) -> BatchStep:
        """One optimizer step on a batch ``x`` ``(B, n_inputs)`` (or ``(N, B, n_inputs)``); returns its loss and
        outputs (unwrapped for a single network).

        The batch's loss and correct count (before the update) join the epoch's running totals.
        A network whose batch loss is NaN/inf goes back to the best weights it holds and stops; the update
        counts when some network applied it.
        """
        self._ensure_kept()
        before = self.stacked
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
            self.totals.add(result.losses, result.output, target)
        after = Params.from_arrays(arrays)
        self.stacked = masked(self.stopped, before, after) if self.stopped.any() else after  # stopped: held
        newly = ~np.isfinite(result.loss) & ~self.stopped
        if newly.any():
            self._stop(newly, self._in_this_update())
        applied = not self.stopped.all()
        self.updates += int(applied)
        if self.single:
            return BatchStep(float(result.loss[0]), result.output[0], applied)
        return BatchStep(result.loss, result.output, applied)

    # ----------------------------------------------------------------- epochs
    def run_epochs(self, count: int) -> list[EpochLog]:
        """Train up to ``count`` epochs (fewer when training stops) and return their logs.

        A compiled ensemble runs them in one call and runs the callbacks afterwards (``run`` asks
        for several only when every callback just reports); other paths run them one by one.
        """
        if self.done:
            raise StepgradError("training is finished")
        self._ensure_kept()
        kernel = self._ensemble_kernel()
        if kernel is not None:
            return self._ensemble_epochs(kernel, count if self.validation is None else 1)
        logs = [self._one_epoch()]
        while len(logs) < count and not self.done:
            logs.append(self._one_epoch())
        return logs

    def _one_epoch(self) -> EpochLog:
        """One epoch of one network on its compiled kernel, or of any run on the NumPy loop, then its log."""
        rates = self._rates_at(self.epoch)
        self.totals = RunningTotals(self.classifies)
        kernel = self._compiled_kernel()
        if kernel is not None:
            self._epoch_on_kernel(kernel, float(rates[0]))
        else:
            self._epoch_numpy(rates)
        self._end_of_epoch()
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            loss, accuracy = self.totals.loss, self.totals.accuracy
        stopped = self.stopped.copy()
        return self._epoch_log(
            self.epoch, rates, nan_where(stopped, loss), nan_where(stopped, accuracy), stopped, self.updates
        )

    def _validation_metrics(self) -> tuple[Any, Any]:
        """The validation loss and accuracy ``(N,)`` of the weights held now, NaN for a stopped network
        (None, None without validation data)."""
        if self.validation is None:
            return None, None
        val_loss, val_acc = evaluate(self.stacked, self.functions, *self.validation, self.task)
        return nan_where(self.stopped, val_loss), nan_where(self.stopped, val_acc)

    def _epoch_log(self, epoch: int, rates: Array, loss: Any, accuracy: Any, diverged: Any, updates: int) -> EpochLog:
        """An epoch's log, with the validation figures of the weights held now, recorded (``_log``)."""
        val_loss, val_acc = self._validation_metrics()
        return self._log(EpochLog(epoch, rates, loss, accuracy, val_loss, val_acc, diverged, updates))

    def _log(self, log: EpochLog) -> EpochLog:
        """Record an epoch's log (unwrapped for a single network) and run the callbacks on it."""
        if self.single:
            names = ("learning_rate", "loss", "accuracy", "val_loss", "val_accuracy", "diverged")
            log = replace(log, **{name: unwrapped(getattr(log, name), True) for name in names})
        self.history.append(log)
        for callback in self.callbacks:
            if callback.on_epoch_end(self, log):
                self.stop_reason = self.stop_reason or getattr(callback, "reason", "stopped by a callback")
        return log

    def _end_of_epoch(self) -> None:
        """Count the epoch; keep its weights where the guard finds it good (``guard.epoch_outcomes``; noting them
        as the best epoch when their running loss is the lowest yet), else stop those networks."""
        kept = self._ensure_kept()
        self.epoch += 1
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            running = np.broadcast_to(np.asarray(self.totals.loss, dtype=np.float64), (self.size,))
        outcomes = epoch_outcomes(running, columns_of(self.stacked), self.best_running)
        newly = (outcomes == STOP) & ~self.stopped
        if newly.any():
            self._stop(newly, f"at the end of epoch {self.epoch}")
            kept = self._ensure_kept()
        fresh = ~self.stopped
        if not fresh.any():
            return
        params = self.stacked if fresh.all() else masked(fresh, self.stacked, kept.params)
        self._kept = kept.succeeded_by(np.where(fresh, self.epoch, kept.epoch), params)
        improved = fresh & (outcomes == BEST)
        if improved.any():
            assert self._best is not None
            best = params if improved.all() else masked(improved, self.stacked, self._best.params)
            self._best = Snapshot(np.where(improved, self.epoch, self._best.epoch), best)
            self.best_running = np.where(improved, running, self.best_running)

    def close_epoch(self) -> None:
        """End an epoch trained by calling ``update`` directly (as the web page does): its weights become
        the kept weights when they and its running loss are finite, and the running totals start again."""
        self._end_of_epoch()
        self.totals = RunningTotals(self.classifies)

    def _orders(self) -> NDArray[np.int64]:
        """The sample order of this epoch: ``(n,)`` for the full batch (never shuffled), else ``(N, n)``."""
        n = self.n_samples
        if self.effective_batch == n:
            return np.arange(n)
        if self._shuffle_rngs is None:  # made on first use: a full batch is never shuffled
            self._shuffle_rngs = [seed_stream(seed, 1) for seed in self.seeds]
        return np.stack([rng.permutation(n) for rng in self._shuffle_rngs])

    def _epoch_numpy(self, rates: Array) -> None:
        order = self._orders()
        size = self.effective_batch
        full = size == self.n_samples
        for start in range(0, self.n_samples, size):
            index = order[..., start : start + size]
            x = self.inputs if full else self.inputs[index]  # (B, n_inputs) or (N, B, n_inputs)
            target = self.targets if full else self.targets[index]
            self.update(x, target, rates)
            if self.stop_reason is not None:
                break

    # ----------------------------------------------------------------- compiled paths
    def _plain_sgd(self) -> bool:
        # regularized runs (L2 or L1) and summed losses take the NumPy path: the kernels compute the plain
        # gradient of the batch mean only
        plain = self.optimizer.weight_decay == 0.0 and self.optimizer.l1 == 0.0
        mean = self.network.reduction == "mean"
        return bool(self.use_compiled) and self.optimizer.name == "sgd" and plain and mean

    def _compiled_kernel(self) -> OnlineSGD | None:
        """The compiled epoch of one network (``compiled.load_compiled``) when it applies, else None."""
        if not (self._plain_sgd() and self.single):  # an ensemble of one trains as any ensemble
            return None
        if self.use_compiled == "auto":
            batches = -(-self.n_samples // self.effective_batch)
            weights = sum(int(w.size) for w in self.stacked.weights)
            if not compiled_pays(self.epochs * batches, self.effective_batch, weights):
                return None
        return load_compiled(self.functions.activation_names, self.functions.loss.name, self.effective_batch)

    def _ensemble_kernel(self) -> Any:
        """The compiled ensemble (``compiled.load_ensemble_compiled``) when it applies, else None."""
        if not (
            self._plain_sgd()
            and not self.single
            and max(w[0].size for w in self.stacked.weights) <= ENSEMBLE_KERNEL_MAX_WEIGHTS
        ):
            return None
        return load_ensemble_compiled(self.functions.activation_names, self.functions.loss.name)

    def _epoch_on_kernel(self, kernel: OnlineSGD, rate: float) -> None:
        """One epoch of one network on a compiled kernel (``compiled.OnlineSGD``): the kernel returns the new
        parameters and each sample's loss and hit; the first batch whose loss is NaN/inf stops the run."""
        order = self._orders().reshape(-1).astype(np.int64)
        params, result = sgd_on_kernel(
            kernel, member(self.stacked, 0), self.functions, self._trains_bias, self.inputs, self.targets, order, rate
        )
        batch_losses, total = batch_sums(result.losses, self.effective_batch)  # Σ E_total, in the kernels' order
        bad = np.flatnonzero(~np.isfinite(batch_losses))
        if bad.size:
            self.updates += int(bad[0])  # the updates before the one whose batch loss was NaN/inf
            self._stop(np.ones(1, dtype=bool), self._in_this_update())
            return
        hits = np.sum(result.hits) if self.classifies else 0
        self.totals.add_sums(np.array([total]), np.array([hits]), len(order))
        self.stacked = stack([params])
        self.updates += len(batch_losses)

    def _ensemble_epochs(self, kernel: Any, count: int) -> list[EpochLog]:
        """Up to ``count`` epochs of the whole ensemble in one compiled call, then their logs."""
        count = self._epochs_per_call(count)
        first, before = self.epoch, self.stopped.copy()
        rates = np.stack([self._rates_at(first + e) for e in range(count)])  # (E, N)
        result = self._call_ensemble_kernel(kernel, rates)
        newly = result.diverged_at >= 0
        # every epoch of the call ran, unless every network stopped before its end
        ran = count if (~before & ~newly).any() else int(result.diverged_at.max()) + 1
        self.stacked = _params(result.weights, result.biases)
        self._keep_kernel_snapshots(result, first, count, before)
        updates = self.updates + np.cumsum(result.updates[:ran].max(axis=1))  # after each epoch
        if newly.any():
            self._stop(newly, "")
        self.epoch = first + ran
        self.updates = int(updates[-1])
        losses = np.where(before, np.nan, result.losses[:ran])  # (ran, N)
        accuracies = np.where(before, np.nan, result.hits[:ran] / self.n_samples) if self.classifies else [None] * ran
        diverged = before | (newly & (result.diverged_at <= np.arange(ran)[:, None]))
        # with validation data the call ran one epoch, so each log's validation figures are its epoch's
        return [
            self._epoch_log(first + e + 1, rates[e], losses[e], accuracies[e], diverged[e], int(u))
            for e, u in enumerate(updates)
        ]

    def _epochs_per_call(self, count: int) -> int:
        """How many of ``count`` epochs one ensemble call runs: those left, and no more shuffled orders
        ``(E, N, n)`` than ``CHUNK_MAX_ORDERS``."""
        most = CHUNK_MAX_ORDERS // (self.size * self.n_samples) if self.effective_batch < self.n_samples else count
        return max(1, min(count, self.epochs - self.epoch, most))

    def _call_ensemble_kernel(self, kernel: Any, rates: Array) -> Any:
        """Run ``len(rates)`` epochs ``(E, N)`` on the compiled ensemble, starting from the current weights and the
        guard's snapshots (kept, earlier, best); the networks stopped already sit out."""
        kept = self._ensure_kept()
        earlier, best = kept.earlier or kept, self._best or kept
        shuffled = self.effective_batch < self.n_samples
        orders = np.stack([self._orders() for _ in rates]) if shuffled else None  # (E, N, n)
        return kernel(
            self.stacked.weights,
            self.stacked.biases,
            kept.params.weights,
            kept.params.biases,
            earlier.params.weights,
            earlier.params.biases,
            best.params.weights,
            best.params.biases,
            self.best_running,
            self.functions.activation_names,
            self._trains_bias,
            self.functions.loss.name,
            self.inputs,
            self.targets,
            orders,
            rates,
            self.effective_batch,
            ~self.stopped,
        )

    def _keep_kernel_snapshots(self, result: Any, first: int, count: int, before: NDArray[np.bool_]) -> None:
        """The kept, earlier and best snapshots the kernel's guard chose over epochs ``first + 1 … first + count``,
        as ``_end_of_epoch`` keeps them; the networks stopped ``before`` the call keep theirs."""
        kept = self._ensure_kept()
        earlier, best = kept.earlier or kept, self._best or kept
        last_good = np.where(result.diverged_at >= 0, first + result.diverged_at, first + count)
        kept_epoch = np.where(before, kept.epoch, last_good)
        advanced = kept_epoch > kept.epoch  # then the snapshot before is the epoch before
        self._kept = Snapshot(
            kept_epoch,
            _params(result.kept_weights, result.kept_biases),
            earlier=Snapshot(
                np.where(advanced, kept_epoch - 1, earlier.epoch),
                _params(result.earlier_weights, result.earlier_biases),
            ),
        )
        improved = result.best_epoch >= 0
        self._best = Snapshot(
            np.where(improved, first + result.best_epoch + 1, best.epoch),
            masked(result.best_is_kept, self._kept.params, _params(result.best_weights, result.best_biases)),
        )
        self.best_running = result.best_loss

    def prepare(self, on_compile: Callable[[], None] | None = None) -> None:
        """Load the compiled kernel of a single network before training, so that numba's one-time compile
        (an empty cache: seconds, once per installation) is kept out of the training time and recorded in
        ``compile_seconds``. ``on_compile()`` is called first when numba must compile. ``run`` calls it."""
        kernel = None if self._prepared else self._compiled_kernel()
        self._prepared = True
        if kernel is None:
            return
        cached = compiled_is_cached(self.effective_batch)
        if cached is False and on_compile is not None:
            on_compile()
        started = time.perf_counter()
        empty = np.zeros(0, dtype=np.int64)  # no update: numba compiles (or loads) for these argument types
        params = member(self.stacked, 0)
        sgd_on_kernel(kernel, params, self.functions, self._trains_bias, self.inputs, self.targets, empty, 0.0)
        seconds = time.perf_counter() - started
        if cached is False or (cached is None and seconds > 1.0):
            self.compile_seconds = seconds

    # ----------------------------------------------------------------- run to the end
    def run(self) -> Training:
        """Train until the last epoch or until a callback or the divergence guard stops it.

        A compiled ensemble whose callbacks only report (``reports_only``) runs many epochs per
        call (about ``CHUNK_SECONDS`` each); its results do not depend on how they are grouped.
        """
        self.prepare()
        for callback in self.callbacks:
            callback.on_train_begin(self)
        grouped = all(getattr(callback, "reports_only", False) for callback in self.callbacks)
        count = 1
        try:
            while not self.done:
                started = time.perf_counter()
                self.run_epochs(count)
                if grouped:
                    elapsed = max(time.perf_counter() - started, 1e-6)
                    count = max(1, min(8 * count, int(count * CHUNK_SECONDS / elapsed)))
        except KeyboardInterrupt:
            # Ctrl-C lands mid-epoch: hand back the weights of the last complete epoch, and count its
            # epochs and updates only (not the updates of the epoch that was cut short). An epoch that ended
            # but whose log was cut short (between the guard's end of epoch and the history) is not complete:
            # the weights kept before it go back.
            kept = self._kept
            while kept is not None and kept.earlier is not None and int(np.max(kept.epoch)) > len(self.history):
                kept = kept.earlier
            if kept is not None:
                self._kept = kept
                self.stacked = kept.params
            self.epoch = len(self.history)
            self.updates = self.history[-1].updates if self.history else 0
            self.stop_reason = self.stop_reason or "interrupted"
            raise
        finally:
            for callback in self.callbacks:
                callback.on_train_end(self)
        return self


def _params(weights: Sequence[Array], biases: Sequence[Array]) -> Params:
    """``Params`` from a kernel's lists of weights and biases."""
    return Params(tuple(weights), tuple(biases))


def unwrapped(value: Any, single: bool) -> Any:
    """A per-network ``(N,)`` value as a Python number for a single network (None stays None)."""
    return value if value is None or not single else first_network(value)


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
    l1: float = 0.0,
    callbacks: Sequence[Any] = (),
    use_compiled: bool | Literal["auto"] = True,
) -> Training:
    """A ``Training`` ready to run; the arguments ``fit`` (``stepgrad.training.api``) takes, and:

    Args:
        network: one network, or a list of same-shaped networks (an ensemble).
        optimizer: a name (``optimizer_names()``) or an ``Optimizer``.
        learning_rate: ``η`` > 0, or one per network of an ensemble (as is ``seed``, each 0 … 2**32 − 1).
        momentum: ``μ`` in [0, 1) for momentum/nesterov (default 0.9); an error for other optimizers.
        validation: ``(inputs, targets)`` measured after each epoch.
        task: classification or regression (default: classification when targets are all 0/1).
        callbacks: objects with ``on_train_begin``/``on_epoch_end``/``on_train_end``.
        use_compiled: allow the compiled SGD path (``"auto"``: only where it pays, see ``Training``).
    """
    networks, seeds, rates = _members(network, seed, learning_rate)
    check_hyperparameters(learning_rate, epochs, batch_size)
    if isinstance(optimizer, str):
        options = {"weight_decay": weight_decay, "l1": l1} | ({} if momentum is None else {"momentum": momentum})
        optimizer = get_optimizer(optimizer, **options)  # checks μ, λ … (one rule for every caller)
    first = networks[0]
    x, y = as_samples(first, inputs, targets, first.loss)
    if x.shape[0] == 0:
        raise StepgradError("there are no training samples")
    return Training(
        network=first,
        stacked=stack([params_of(n) for n in networks]),  # a single network is an ensemble of one
        inputs=x,
        targets=y,
        optimizer=optimizer,
        rates=rates,
        epochs=int(epochs),
        batch_size=batch_size,
        schedule=get_schedule(schedule) if isinstance(schedule, str) else schedule,
        seeds=seeds,
        validation=None if validation is None else as_samples(first, *validation, first.loss, "validation targets"),
        task=task or infer_task(y),
        use_compiled=use_compiled,
        callbacks=list(callbacks),
        single=isinstance(network, Network),
    )


def _members(
    network: Network | Sequence[Network], seed: int | Sequence[int], learning_rate: float | Sequence[float]
) -> tuple[list[Network], list[int], Array]:
    """One network, seed and ``η`` ``(N,)`` per member of a run: a single network is an ensemble of one, one
    network given with several seeds or rates is copied for each, and one seed or rate is shared by all."""
    networks = [network] if isinstance(network, Network) else list(network)
    one_seed = isinstance(seed, str) or not isinstance(seed, Sequence | np.ndarray)
    seeds = [seed] * len(networks) if one_seed else list(seed)  # type: ignore[arg-type]
    rates = list(np.atleast_1d(np.asarray(learning_rate, dtype=np.float64)))
    if not isinstance(network, Network) and len(networks) == 1 and (len(seeds) > 1 or len(rates) > 1):
        networks = networks * max(len(seeds), len(rates))
    seeds = seeds * len(networks) if len(seeds) == 1 else seeds
    rates = rates * len(networks) if len(rates) == 1 else rates
    if not (len(seeds) == len(networks) == len(rates)):
        raise StepgradError("an ensemble needs one seed and one learning rate per network (or one for all)")
    return networks, [check_seed(s) for s in seeds], np.asarray(rates, dtype=np.float64)


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
    order = seed_stream(seed, 2).permutation(n)
    train, valid = order[n_val:], order[:n_val]
    return inputs[train], targets[train], inputs[valid], targets[valid]
