"""Callbacks run after every epoch: history, early stopping, checkpoints, a progress bar.

A callback has ``on_train_begin(training)``, ``on_epoch_end(training, log) -> bool`` (True
stops training; the callback's ``reason`` says why) and ``on_train_end(training)``. One whose
``on_epoch_end`` only reads its ``log`` and never stops training sets ``reports_only = True``:
then a compiled ensemble may run many epochs per call and report them afterwards.
The divergence guard is not a callback: it must act inside an epoch, after the very batch
whose loss turned NaN/inf, so ``Training.update`` does it (see ``stepgrad.training.loops``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from stepgrad.errors import StepgradError
from stepgrad.training.loops import EpochLog, Training
from stepgrad.training.model_files import check_saveable, save_model


class Callback:
    """Base class: every hook does nothing."""

    reason: str = "stopped by a callback"
    reports_only: bool = False

    def on_train_begin(self, training: Training) -> None:
        """Before the first epoch."""

    def on_epoch_end(self, training: Training, log: EpochLog) -> bool:
        """After each epoch; return True to stop."""
        return False

    def on_train_end(self, training: Training) -> None:
        """After the last epoch (also when stopped or interrupted)."""


@dataclass
class History(Callback):
    """Loss and accuracy per epoch, train and validation, as lists (arrays for an ensemble).

    ``loss`` and ``accuracy`` are the epoch's running means over its batches (see
    ``stepgrad.training.loops``); ``val_loss`` and ``val_accuracy`` measure the weights after it.
    """

    reports_only = True

    loss: list[Any] = field(default_factory=list)
    accuracy: list[Any] = field(default_factory=list)
    val_loss: list[Any] = field(default_factory=list)
    val_accuracy: list[Any] = field(default_factory=list)
    learning_rate: list[Any] = field(default_factory=list)

    def on_epoch_end(self, training: Training, log: EpochLog) -> bool:
        self.loss.append(log.loss)
        self.accuracy.append(log.accuracy)
        self.val_loss.append(log.val_loss)
        self.val_accuracy.append(log.val_accuracy)
        self.learning_rate.append(log.learning_rate)
        return False

    def as_dict(self) -> dict[str, list[Any]]:
        """The columns that were measured (validation only when there was validation data)."""
        columns = {
            "loss": self.loss,
            "accuracy": self.accuracy,
            "val_loss": self.val_loss,
            "val_accuracy": self.val_accuracy,
        }
        return {name: values for name, values in columns.items() if values and values[0] is not None}


@dataclass
class EarlyStopping(Callback):
    """Stop when the monitored loss has not improved by ``min_delta`` for ``patience`` epochs.

    Monitors ``val_loss`` when there is validation data, the running training ``loss`` otherwise; with
    ``restore_best`` the network goes back to the weights of the best epoch, which become
    ``training.kept`` (so summaries and model files describe that epoch). Single networks only.
    """

    patience: int = 10
    min_delta: float = 0.0
    restore_best: bool = True
    best: float = float("inf")
    best_epoch: int = 0
    wait: int = 0
    _best: Any = None

    def on_train_begin(self, training: Training) -> None:
        if not training.single:
            raise StepgradError("early stopping works on a single network, not an ensemble")
        if self.patience < 1:
            raise StepgradError(f"early stopping needs a patience of at least 1 epoch, got {self.patience}")

    def on_epoch_end(self, training: Training, log: EpochLog) -> bool:
        value = log.val_loss if log.val_loss is not None else log.loss
        if np.isfinite(value) and value < self.best - self.min_delta:
            self.best, self.best_epoch, self.wait = float(value), log.epoch, 0
            self._best = training.kept
            return False
        self.wait += 1
        if self.wait >= self.patience:
            monitored = "validation loss" if log.val_loss is not None else "loss"
            self.reason = (
                f"early stopping: the {monitored} has not improved for {self.patience} epochs "
                f"(best epoch {self.best_epoch}, stopped at {log.epoch})"
            )
            if self.restore_best and self._best is not None:
                training.restore(self._best)
                self.reason += f"; restored the weights of epoch {self.best_epoch}"
            return True
        return False


@dataclass
class Checkpoint(Callback):
    """Save the network to ``path`` (TOML/JSON, atomically) every ``every`` epochs and at the end, with
    ``meta`` in the file's ``[meta]``."""

    path: str | Path
    every: int = 1
    meta: dict[str, Any] | None = None

    def on_train_begin(self, training: Training) -> None:
        check_saveable(training, self.path, self.meta)  # a wrong suffix fails now, not after the first epoch

    def save(self, training: Training) -> None:
        try:
            save_model(training, self.path, self.meta)
        except OSError as error:  # a full disk mid-run: one line, not a traceback
            raise StepgradError(f"cannot write the checkpoint: {error.strerror or error}", str(self.path)) from error

    def on_epoch_end(self, training: Training, log: EpochLog) -> bool:
        if log.epoch % self.every == 0:
            self.save(training)
        return False

    def on_train_end(self, training: Training) -> None:
        self.save(training)


@dataclass
class Progress(Callback):
    """A rich progress bar on two lines that fit 80 columns: epoch, bar and ETA; then the metrics
    (train and validation loss and accuracy). On stderr by default."""

    reports_only = True

    console: Any = None
    transient: bool = False
    _progress: Any = None
    _task: Any = None

    def on_train_begin(self, training: Training) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeRemainingColumn

        console = self.console or Console(stderr=True)
        self._progress = _two_line_progress()(
            TextColumn("epoch"),
            MofNCompleteColumn(),
            BarColumn(bar_width=30),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            console=console,
            # Off a terminal (logs, pipes) the bar is not left behind in the output.
            transient=self.transient or not console.is_terminal,
        )
        self._progress.start()
        self._task = self._progress.add_task("train", total=training.epochs, completed=training.epoch, metrics="")

    def on_epoch_end(self, training: Training, log: EpochLog) -> bool:
        if self._progress is not None:
            self._progress.update(self._task, completed=log.epoch, metrics=describe(log))
        return False

    def on_train_end(self, training: Training) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None


def _two_line_progress() -> Any:
    """``rich.progress.Progress`` that prints each task's ``metrics`` field on a line of its own."""
    from rich.progress import Progress as RichProgress
    from rich.text import Text

    class TwoLineProgress(RichProgress):
        def get_renderables(self) -> Any:
            yield self.make_tasks_table(self.tasks)
            for task in self.tasks:
                if task.fields.get("metrics"):
                    yield Text("  " + task.fields["metrics"], overflow="fold")

    return TwoLineProgress


def _mean_of_finite(value: Any) -> float:
    if np.ndim(value):
        finite = np.asarray(value, dtype=np.float64)[np.isfinite(value)]
        return float(np.mean(finite)) if finite.size else float("nan")
    return float(value)


def describe(log: EpochLog) -> str:
    """``train loss 0.1234 acc 95.0%   validation loss 0.15 acc 93.3%`` (means for an ensemble)."""
    parts = []
    for label, loss, acc in (("train", log.loss, log.accuracy), ("validation", log.val_loss, log.val_accuracy)):
        if loss is None:
            continue
        text = f"{label} loss {_mean_of_finite(loss):.4g}"
        if acc is not None:
            text += f" acc {_mean_of_finite(acc):.1%}"
        parts.append(text)
    return "   ".join(parts)
