"""Callbacks run after every epoch: history, early stopping, checkpoints, a progress bar.

A callback has ``on_train_begin(training)``, ``on_epoch_end(training, log) -> bool`` (True
stops training; the callback's ``reason`` says why) and ``on_train_end(training)``.
The divergence guard is not a callback: it must act inside an epoch, after the very batch
whose loss turned NaN/inf, so ``Training.update`` does it (see ``stepgrad.training.loops``).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from stepgrad.errors import StepgradError
from stepgrad.training.loops import EpochLog, Training


class Callback:
    """Base class: every hook does nothing."""

    reason: str = "stopped by a callback"

    def on_train_begin(self, training: Training) -> None:
        """Before the first epoch."""

    def on_epoch_end(self, training: Training, log: EpochLog) -> bool:
        """After each epoch; return True to stop."""
        return False

    def on_train_end(self, training: Training) -> None:
        """After the last epoch (also when stopped or interrupted)."""


@dataclass
class History(Callback):
    """Loss and accuracy per epoch, train and validation, as lists (arrays for an ensemble)."""

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

    Monitors ``val_loss`` when there is validation data, ``loss`` otherwise; with
    ``restore_best`` the network goes back to the weights of the best epoch. Single networks only.
    """

    patience: int = 10
    min_delta: float = 0.0
    restore_best: bool = True
    best: float = float("inf")
    best_epoch: int = 0
    wait: int = 0
    _best_params: Any = None

    def on_train_begin(self, training: Training) -> None:
        if training.ensemble_size is not None:
            raise StepgradError("early stopping works on a single network, not an ensemble")

    def on_epoch_end(self, training: Training, log: EpochLog) -> bool:
        value = log.val_loss if log.val_loss is not None else log.loss
        if np.isfinite(value) and value < self.best - self.min_delta:
            self.best, self.best_epoch, self.wait = float(value), log.epoch, 0
            self._best_params = training.params
            return False
        self.wait += 1
        if self.wait >= self.patience:
            monitored = "validation loss" if log.val_loss is not None else "loss"
            self.reason = (
                f"early stopping: the {monitored} has not improved for {self.patience} epochs "
                f"(best at epoch {self.best_epoch})"
            )
            if self.restore_best and self._best_params is not None:
                training.params = self._best_params
            return True
        return False


@dataclass
class Checkpoint(Callback):
    """Save the network to ``path`` (TOML/JSON, atomically) every ``every`` epochs and at the end."""

    path: str | Path
    every: int = 1

    def save(self, training: Training) -> None:
        from stepgrad.training.model_files import save_model

        save_model(training, self.path)

    def on_epoch_end(self, training: Training, log: EpochLog) -> bool:
        if log.epoch % self.every == 0:
            self.save(training)
        return False

    def on_train_end(self, training: Training) -> None:
        self.save(training)


@dataclass
class Progress(Callback):
    """A rich progress bar: epoch, loss, accuracy, ETA (on stderr by default)."""

    console: Any = None
    transient: bool = False
    _progress: Any = None
    _task: Any = None
    started: float = 0.0

    def on_train_begin(self, training: Training) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeRemainingColumn
        from rich.progress import Progress as RichProgress

        console = self.console or Console(stderr=True)
        self._progress = RichProgress(
            TextColumn("epoch"),
            MofNCompleteColumn(),
            BarColumn(),
            TextColumn("{task.fields[metrics]}"),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            console=console,
            # Off a terminal (logs, pipes) the bar is not left behind in the output.
            transient=self.transient or not console.is_terminal,
        )
        self._progress.start()
        self._task = self._progress.add_task("train", total=training.epochs, completed=training.epoch, metrics="")
        self.started = time.perf_counter()

    def on_epoch_end(self, training: Training, log: EpochLog) -> bool:
        if self._progress is not None:
            self._progress.update(self._task, completed=log.epoch, metrics=describe(log))
        return False

    def on_train_end(self, training: Training) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None


def describe(log: EpochLog) -> str:
    """``loss 0.1234 acc 95.0% val_loss …`` (means for an ensemble)."""
    parts = []
    for label, value, percent in (
        ("loss", log.loss, False),
        ("acc", log.accuracy, True),
        ("val_loss", log.val_loss, False),
        ("val_acc", log.val_accuracy, True),
    ):
        if value is None:
            continue
        if np.ndim(value):
            finite = np.asarray(value, dtype=np.float64)[np.isfinite(value)]
            number = float(np.mean(finite)) if finite.size else float("nan")
        else:
            number = float(value)
        parts.append(f"{label} {number:.1%}" if percent else f"{label} {number:.4g}")
    return "  ".join(parts)
