"""Trained models saved as network files (same TOML/JSON schema), so ``stepgrad explain`` reads them.

The file carries the trained weights, one training sample (so ``explain`` has a step to work)
and the learning rate; ``[meta]`` records how it was trained. Written atomically through
``stepgrad.network.files.save_setup``; floats are written with ``repr`` and read back exactly.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from stepgrad.errors import StepgradError
from stepgrad.network.model import NO_REGULARIZATION, Network, Regularization, Setup
from stepgrad.training.loops import Training
from stepgrad.training.records import first_network

MODEL_SUFFIXES = (".toml", ".json")
HEADER = "A network trained by stepgrad; `stepgrad explain` on this file works one step of it."


def check_model_path(path: str | os.PathLike[str]) -> None:
    """A model file is ``.toml`` or ``.json``, lower case as ``save_setup`` reads it (a device or pipe such as
    ``/dev/stdout`` gets TOML)."""
    target = Path(path)
    if target.suffix in MODEL_SUFFIXES or (target.exists() and not target.is_file()):
        return
    shown = f"not '{target.suffix}'" if target.suffix else "and this path has no suffix"
    raise StepgradError(f"a model file ends in .toml or .json, {shown}", str(path))


def model_setup(
    network: Network,
    inputs: Any,
    targets: Any,
    learning_rate: float,
    regularization: Regularization = NO_REGULARIZATION,
) -> Setup:
    """A ``Setup`` holding ``network`` and the first sample of ``inputs``/``targets``."""
    x = np.array(inputs, dtype=np.float64, ndmin=2)[:1]
    y = np.array(targets, dtype=np.float64, ndmin=2)[:1]
    return Setup(
        network=network, inputs=x, targets=y, learning_rate=float(learning_rate), regularization=regularization
    )


def save_network(
    network: Network,
    path: str | os.PathLike[str],
    inputs: Any,
    targets: Any,
    learning_rate: float,
    meta: Mapping[str, Any] | None = None,
    regularization: Regularization = NO_REGULARIZATION,
) -> None:
    """Save ``network`` with one sample to ``path`` (``.json`` → JSON, ``.toml`` → TOML)."""
    from stepgrad.network.files import save_setup

    check_model_path(path)
    setup = model_setup(network, inputs, targets, learning_rate, regularization)
    save_setup(setup, path, meta=meta, header=header_for(meta))


def header_for(meta: Mapping[str, Any] | None) -> str:
    """The file's comment: what it is, and how its inputs were scaled when they were."""
    if not meta or meta.get("scale", "none") == "none":
        return HEADER
    return (
        f"{HEADER}\nIts inputs are the data's columns scaled ({meta['scale']}): x' = (x − scale_shift) / "
        "scale_factor, as [meta] records; scale new inputs the same way."
    )


def check_saveable(training: Training, path: str | os.PathLike[str], meta: Mapping[str, Any] | None = None) -> None:
    """Everything ``save_model`` checks except the training's outcome, before training starts: the
    suffix, and a model file of the current weights built and rendered in memory (its sample's targets
    must suit the loss, every number must be finite)."""
    from stepgrad.network.files import setup_to_toml

    check_model_path(path)
    setup_to_toml(
        model_setup(training.current_network(), training.inputs, training.targets, 1.0), meta, header_for(meta)
    )


def save_model(training: Training, path: str | os.PathLike[str], meta: Mapping[str, Any] | None = None) -> None:
    """Save the network of a training run (the first network of an ensemble) with its state in ``meta``.

    ``final_loss`` / ``final_accuracy`` describe the saved weights (on the training set) and
    ``weights_from_epoch`` the epoch they are from, which is earlier than ``epochs_trained`` when
    early stopping restored its best epoch or the divergence guard kept the best weights it had.
    """
    rate = training.rates[0]  # the first network's, for an ensemble
    details: dict[str, Any] = {
        "optimizer": training.optimizer.name,
        "epochs_trained": training.epoch,
        "batch_size": training.effective_batch,
    }
    if training.kept is not None:
        kept = training.measure_kept()  # the saved weights' loss on the training set (one forward pass)
        details["weights_from_epoch"] = int(first_network(kept.epoch))
        if np.isfinite(loss := first_network(kept.loss)):
            details["final_loss"] = loss
        if kept.accuracy is not None:
            details["final_accuracy"] = first_network(kept.accuracy)
    details.update(meta or {})
    # the loss's L1/L2 terms, so `stepgrad explain` shows the step the run took
    regularization = Regularization(l1=training.optimizer.l1, l2=training.optimizer.l2)
    save_network(
        training.current_network(), path, training.inputs, training.targets, float(rate), details, regularization
    )
