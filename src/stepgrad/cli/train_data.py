"""``stepgrad train --data …`` (and what ``stepgrad sweep`` shares with it): choose the output layer
and loss, check the output paths before training, train with a progress bar, summarise, save, plot.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Any

from stepgrad.errors import StepgradError

# What numba takes to compile a kernel on an empty cache (README benchmarks: 3.5 to 6.4 s), said before it does.
COMPILE_SECONDS = 5
COMPILE_NOTICE = f"compiling training kernels once, about {COMPILE_SECONDS} s (cached for later runs) …"


def choose_head(task: str, n_outputs: int, loss: str | None, output_activation: str | None) -> tuple[str, str]:
    """The output activation and loss: both from the data when neither is given, else the one that
    pairs with the other.

    * data only: one 0/1 column → sigmoid + binary_cross_entropy; several classes → softmax +
      cross_entropy; regression → linear + mse;
    * ``--loss``: binary_cross_entropy → sigmoid, cross_entropy → softmax, mse/half_squared_error
      → sigmoid for classes (targets in [0, 1]), linear for regression;
    * ``--output-activation``: softmax → cross_entropy, sigmoid → binary_cross_entropy for
      classes, anything else → mse.

    An explicit pair is kept as given (``create_network`` rejects one that does not fit).
    """
    from stepgrad.functions import get_loss
    from stepgrad.training.init import default_output_activation

    classes = task == "classification"
    if loss is None and output_activation is None:
        if not classes:
            return "linear", "mse"
        return ("sigmoid", "binary_cross_entropy") if n_outputs == 1 else ("softmax", "cross_entropy")
    if output_activation is None:
        assert loss is not None
        return default_output_activation(loss, "sigmoid" if classes else "linear"), get_loss(loss).name
    if loss is None:
        if output_activation == "softmax":
            return output_activation, "cross_entropy"
        if output_activation in ("sigmoid", "logistic") and classes:
            return output_activation, "binary_cross_entropy"
        return output_activation, "mse"
    return output_activation, loss


def check_output(path: str | None, figure: bool = False, data: str | None = None) -> None:
    """Fail before training, not after: the folder must exist and take a new file, a figure's suffix
    must be one matplotlib writes and a model's ``.toml`` or ``.json``, and neither may be the ``data`` file."""
    if path is None:
        return
    if figure:
        from stepgrad.plots import check_figure_path

        check_figure_path(path)
    else:
        from stepgrad.training.model_files import check_model_path

        check_model_path(path)
    target = Path(path)
    if target.is_dir():
        raise StepgradError("is a directory", path)
    from stepgrad.cli.outputs import refuse_inputs
    from stepgrad.network.atomic import follow_links, is_read_only, temporary_name

    refuse_inputs(path, [(f"the training data (--data {data})", data)])
    folder = follow_links(target)[0].parent
    if not folder.is_dir():
        raise StepgradError("the folder does not exist", path)
    if target.exists() and not target.is_file():
        return  # /dev/null, a pipe: written into, not replaced
    if target.exists() and is_read_only(target):
        raise StepgradError("is read-only: not replacing it (make it writable, or write elsewhere)", path)
    probe = folder / temporary_name()  # short: a 255-byte target name still fits beside it
    try:
        os.close(os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except OSError as error:
        raise StepgradError(f"cannot write here: {error.strerror or error}", path) from error
    finally:  # also after a Ctrl-C raised just after the open returned
        probe.unlink(missing_ok=True)


def check_targets(dataset: Any, loss: str) -> None:
    """The data's targets must suit the loss (``stepgrad.network.model.target_problem``), said with the fix."""
    from stepgrad.network.model import target_problem

    problem = target_problem(loss, dataset.targets)
    if problem is not None:
        fix = "use --loss mse (or half_squared_error) for numbers" if dataset.task == "regression" else "choose --loss"
        raise StepgradError(f"{problem}: {fix}", dataset.name)


def make_schedule(name: str, gamma: float | None, step_size: int | None) -> Any:
    """The ``--schedule`` with ``--gamma`` / ``--step-size`` (step schedule only)."""
    from stepgrad.training.schedules import get_schedule

    options: dict[str, float] = {}
    if gamma is not None:
        options["gamma"] = gamma
    if step_size is not None:
        options["step_size"] = step_size
    if options and name != "step":
        raise StepgradError(f"--gamma and --step-size apply to --schedule step, not {name}")
    return get_schedule(name, **options)


def fit_scaling(option: str | None, data: str, dataset: Any, inputs: Any) -> Any:
    """``--scale`` fitted on ``inputs`` (default: standard for a CSV file, none for the named sets, which
    come scaled); a warning when an unscaled input column, or a regression's targets, span more than
    ``WIDE_RANGE`` (the targets are never scaled: the outputs would then need unscaling)."""
    from stepgrad.data import DATASETS
    from stepgrad.data.scaling import WIDE_RANGE, Scaling, widest_column

    kind = option or ("none" if data in DATASETS else "standard")
    scaling = Scaling.fit(kind, inputs)
    column, span = widest_column(inputs)
    if kind == "none" and span > WIDE_RANGE:
        name = dataset.feature_names[column] if len(dataset.feature_names) > column else f"x{column + 1}"
        warn(
            f"stepgrad: warning: input column {name!r} spans {span:.4g}; one learning rate suits inputs of "
            "similar size: try --scale standard"
        )
    _, target_span = widest_column(dataset.targets)
    if dataset.task == "regression" and target_span > WIDE_RANGE:
        warn(
            f"stepgrad: warning: the targets span {target_span:.4g}; a network's outputs start near 0, so "
            "numbers this large train slowly with a huge loss: divide the target column (e.g. into thousands)"
        )
    return scaling


def check_layers(sizes: list[int], dataset: Any) -> None:
    """``--layers`` must start with the data's inputs and end with its target columns."""
    if sizes[0] != dataset.n_inputs or sizes[-1] != dataset.n_outputs:
        raise StepgradError(
            f"--layers {','.join(map(str, sizes))} does not fit the data: {dataset.name} has "
            f"{dataset.n_inputs} inputs and {dataset.n_outputs} target column(s), so use "
            f"{dataset.n_inputs},…,{dataset.n_outputs}"
        )


def train_on_data(data: str, **options: Any) -> None:
    """``stepgrad train --data …``: build, train with a progress bar, summarise, save, plot."""
    from rich.console import Console

    from stepgrad.cli.train_cmd import parse_batch_size
    from stepgrad.data import load_dataset
    from stepgrad.training import History, make_training
    from stepgrad.training.loops import split_validation
    from stepgrad.training.model_files import check_saveable, save_model

    check_options(data, options)
    dataset = load_dataset(
        data, options["target"], options["n_samples"], options["noise"], options["seed"], options["task"]
    )
    sizes, network = build_network(dataset, options)
    batch_size = parse_batch_size(options["batch_size"])
    schedule = make_schedule(options["schedule"], options["gamma"], options["step_size"])
    x, y, validation = dataset.inputs, dataset.targets, None
    if options["validation_split"] is not None:
        x, y, x_val, y_val = split_validation(x, y, options["validation_split"], options["seed"])
        validation = (x_val, y_val)
    scaling = fit_scaling(options["scale"], data, dataset, x)  # from the training samples only
    meta = {"data": dataset.name, "seed": options["seed"], **scaling.as_meta(dataset.feature_names)}
    history = History()
    training = make_training(
        network,
        scaling.apply(x),
        y,
        optimizer=options["optimizer"],
        learning_rate=options["learning_rate"],
        epochs=options["epochs"],
        batch_size=batch_size,
        seed=options["seed"],
        schedule=schedule,
        weight_decay=options["weight_decay"],
        l1=options["l1"],
        momentum=options["momentum"],
        validation=None if validation is None else (scaling.apply(validation[0]), validation[1]),
        task=dataset.task,
        callbacks=[history, *reporting_callbacks(options, meta)],
        use_compiled=False if options["no_compiled"] else "auto",  # numba only where it pays for its import
    )
    if options["save"] and not options["checkpoint_every"]:  # a Checkpoint makes this check as training begins
        check_saveable(training, options["save"], meta)  # what saving checks, before the training it would keep
    elapsed, interrupted = timed_run(training)
    if training.diverged:
        warn_divergence(training, scaling.apply(x), y, options["learning_rate"])
    out = Console(highlight=False, soft_wrap=True)
    out.print(summary_table(dataset, sizes, training, elapsed, interrupted, scaling))
    if options["save"]:
        save_model(training, options["save"], meta=meta)
        out.print(f"saved the model to {options['save']} (try: stepgrad explain {options['save']})")
    if options["plot"] and training.history:
        from stepgrad.plots import training_figure

        training_figure(
            options["plot"],
            history.as_dict(),
            training.current_network(),
            x,  # in the data's own units: the figure scales them on the way into the network
            y,
            events=plot_events(training),
            class_names=dataset.class_names,
            feature_names=dataset.feature_names,
            validation=validation,
            classification=dataset.task == "classification",
            input_transform=scaling.apply,
        )
        out.print(f"wrote the figure {options['plot']}")
    if interrupted:
        warn("stepgrad: interrupted")
        sys.exit(130)


def build_network(dataset: Any, options: dict[str, Any]) -> tuple[list[int], Any]:
    """The layer sizes (``--layers``, default one hidden layer of 8) and the network with the seed's initial weights,
    its output layer and loss chosen by ``choose_head``, checked against the data."""
    from stepgrad.cli.train_cmd import parse_layers
    from stepgrad.training import create_network
    from stepgrad.training.records import seed_streams

    sizes = parse_layers(options["layers"]) if options["layers"] else [dataset.n_inputs, 8, dataset.n_outputs]
    check_layers(sizes, dataset)
    output_activation, loss = choose_head(
        dataset.task, dataset.n_outputs, options["loss"], options["output_activation"]
    )
    network = create_network(
        sizes, options["activation"], output_activation, loss, options["bias"], rng=seed_streams(options["seed"])[0]
    )
    check_targets(dataset, loss)  # after the output layer and loss were checked as a pair
    return sizes, network


def warn(text: str) -> None:
    """One message on stderr, as written (no rich markup: a column name or a reason may hold brackets)."""
    from rich.console import Console

    Console(stderr=True, highlight=False, soft_wrap=True, markup=False).print(text)


def check_options(data: str, options: dict[str, Any]) -> None:
    """The options that need no data: the seed, the counts, and the output paths (before any training)."""
    from stepgrad.training.records import check_seed

    check_seed(options["seed"], "--seed")
    for name in ("early_stopping", "checkpoint_every"):
        if options[name] is not None and options[name] < 1:
            raise StepgradError(f"--{name.replace('_', '-')} must be at least 1")
    if options["checkpoint_every"] and not options["save"]:
        raise StepgradError("--checkpoint-every needs --save")
    check_output(options["save"], data=data)
    check_output(options["plot"], figure=True, data=data)


def reporting_callbacks(options: dict[str, Any], meta: dict[str, Any]) -> list[Any]:
    """Early stopping, checkpoints and the progress bar, as the options ask."""
    from stepgrad.training import Checkpoint, EarlyStopping, Progress

    callbacks: list[Any] = []
    if options["early_stopping"]:
        callbacks.append(EarlyStopping(patience=options["early_stopping"]))
    if options["save"] and options["checkpoint_every"]:
        callbacks.append(Checkpoint(options["save"], every=options["checkpoint_every"], meta=meta))
    if not options["no_progress"]:
        callbacks.append(Progress())
    return callbacks


def timed_run(training: Any) -> tuple[float, bool]:
    """Run ``training`` to its end or to Ctrl-C: the training time (numba's one-time compile, said as it starts,
    kept out of it) and whether it was interrupted."""
    started = time.perf_counter()
    try:
        training.prepare(on_compile=lambda: warn(COMPILE_NOTICE))
        started = time.perf_counter()
        training.run()
    except KeyboardInterrupt:
        return time.perf_counter() - started, True
    return time.perf_counter() - started, False


def warn_divergence(training: Any, inputs: Any, targets: Any, learning_rate: float) -> None:
    """The guard's stop reason, and why the run blew up (``stepgrad.render.divergence``), on stderr."""
    from stepgrad.render.divergence import explain_run_divergence

    warn(f"stepgrad: warning: {training.stop_reason}")
    why = explain_run_divergence(
        training.current_network(),
        inputs,
        targets,
        learning_rate,
        training.optimizer.name,
        regularization=training.optimizer.regularization,
    )
    warn(f"stepgrad: why: {why}")


def plot_events(training: Any) -> list[tuple[int, str]]:
    """Epochs worth marking on the loss curve: where training diverged, the epoch early stopping restored."""
    kept = training.kept
    if training.diverged:
        return [(training.epoch, f"diverged (kept epoch {kept.epoch})")]
    if kept is not None and kept.epoch != training.epoch and kept.epoch > 0:
        return [(int(kept.epoch), f"best epoch {kept.epoch} (restored)")]
    return []


def weights_note(training: Any) -> str:
    """Which epoch's weights the run hands back, when that is not simply the last epoch."""
    kept = training.kept
    if kept is None or kept.epoch == training.epoch:
        return ""
    origin = "the initial weights" if kept.epoch == 0 else f"epoch {kept.epoch}"
    if training.diverged:
        return f"{origin} (the best the run had; diverged in epoch {training.epoch})"
    return f"{origin} (best epoch {kept.epoch}, stopped at {training.epoch})"


def regularization_note(optimizer: Any) -> str:
    """``  L2 λ = 0.01  L1 λ₁ = 0.001`` for the regularization a run used ("" for none)."""
    note = f"  L2 λ = {optimizer.weight_decay:g}" if optimizer.weight_decay else ""
    return note + (f"  L1 λ₁ = {optimizer.l1:g}" if optimizer.l1 else "")


def add_scaling_row(table: Any, scaling: Any) -> None:
    """The summary's "inputs" row, saying how the input columns were scaled (none when they were not)."""
    from stepgrad.data.scaling import DESCRIPTIONS

    if scaling.kind != "none":
        table.add_row("inputs", f"{DESCRIPTIONS[scaling.kind]} (--scale {scaling.kind})")


def summary_table(
    dataset: Any, sizes: list[int], training: Any, elapsed: float, interrupted: bool, scaling: Any
) -> Any:
    """A rich table: data, network, optimizer, epochs, the running loss/accuracy of the kept weights' epoch
    and those weights measured on the whole training set, validation figures, time, why it stopped."""
    from rich.table import Table

    table = Table(title="Training summary", show_header=False)
    table.add_column("what", style="bold")
    table.add_column("value")
    layers = training.network.layers
    table.add_row("data", f"{dataset.name} ({training.n_samples} training samples)")
    task = dataset.task + (f" ({dataset.task_reason})" if dataset.task_reason else "")
    table.add_row("task", task)
    add_scaling_row(table, scaling)
    table.add_row(
        "network",
        f"{'-'.join(map(str, sizes))}  {layers[0].activation} → {layers[-1].activation}, {training.network.loss}",
    )
    table.add_row(
        "optimizer",
        f"{training.optimizer.name}  η = {training.learning_rate:g}  batch {training.effective_batch}"
        + regularization_note(training.optimizer),
    )
    table.add_row("epochs", f"{training.epoch} of {training.epochs}  ({training.updates} updates)")
    note = weights_note(training)
    if note:
        table.add_row("weights from", note)
    if training.kept is not None and training.history:
        add_kept_rows(table, training)
    table.add_row("time", f"{elapsed:.2f} s")
    if training.compile_seconds is not None:
        table.add_row("compiling (once)", f"{training.compile_seconds:.2f} s, before training; now cached")
    if interrupted:
        table.add_row("stopped", "interrupted (Ctrl-C); kept the weights of the last complete epoch")
    elif training.stop_reason:
        table.add_row("stopped", training.stop_reason)
    return table


def add_kept_rows(table: Any, training: Any) -> None:
    """The figures of the weights the run hands back: the running loss/accuracy of their epoch (its batches, each
    before its update), the weights measured on the whole training set, and their validation figures."""
    epoch = training.kept.epoch
    log = training.history[epoch - 1] if epoch > 0 else None
    if log is not None:
        table.add_row("loss, running mean", f"{log.loss:.6g} (epoch {epoch})")
        if log.accuracy is not None:
            table.add_row("accuracy, running mean", f"{log.accuracy:.2%} (epoch {epoch})")
    kept = training.measure_kept()  # one forward pass of the weights handed back
    table.add_row("final training loss", f"{float(kept.loss):.6g}")
    if kept.accuracy is not None:
        table.add_row("final training accuracy", f"{float(kept.accuracy):.2%}")
    if log is not None and log.val_loss is not None:
        table.add_row("validation loss", f"{log.val_loss:.6g}")
    if log is not None and log.val_accuracy is not None:
        table.add_row("validation accuracy", f"{log.val_accuracy:.2%}")
