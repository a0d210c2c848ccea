"""``stepgrad sweep``: train many networks at once and report how many converge.

All networks train together along a leading "network" axis (one NumPy call per layer
per update for the whole ensemble; plain SGD on small networks in a compiled loop over the
networks instead). Each differs in its seed (initial weights and shuffling), and optionally
in its learning rate. ``--grid`` (and ``--out``, ``--workers``, ``--scheduler``) makes it a grid sweep:
an ensemble per grid point, kept chunk by chunk, on this process or a Dask cluster
(``stepgrad.sweeps``; presented by ``stepgrad.cli.sweep_grid``).
"""

from __future__ import annotations

import math
import sys
import time
from typing import Any

import click

from stepgrad.cli.choices import OPTIMIZER_NAMES, SCHEDULE_NAMES, RegistryChoice
from stepgrad.cli.train_cmd import (
    NOISE_OPTION,
    SAMPLES_OPTION,
    SCALE_OPTION,
    TASK_OPTION,
    known_loss,
    parse_batch_size,
    parse_layers,
)
from stepgrad.errors import StepgradError
from stepgrad.limits import MAX_EPOCHS, MAX_NETS


def parse_rates(text: str) -> list[float]:
    """``"0.5"`` or ``"0.1,0.5,1"``: one learning rate for all networks or a list cycled over them."""
    try:
        rates = [float(part) for part in text.replace(" ", "").split(",") if part]
    except ValueError as error:
        raise StepgradError(f"--lr takes numbers separated by commas; got {text!r}") from error
    if not rates or not all(math.isfinite(rate) and rate > 0 for rate in rates):
        raise StepgradError(f"--lr needs positive finite learning rates; got {text!r}")
    return rates


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--data", default="xor", show_default=True, help="Data set name or .csv file.")
@click.option("--target", help="The CSV column to predict.")
@TASK_OPTION
@SCALE_OPTION
@SAMPLES_OPTION
@NOISE_OPTION
@click.option("--layers", default=None, help="Layer sizes, e.g. 2,2,1 (default: inputs,2,outputs).")
@click.option("--activation", default="sigmoid", show_default=True)
@click.option("--output-activation", default=None)
@click.option(
    "--loss",
    default=None,
    callback=known_loss,
    help="Default: half_squared_error for 0/1 targets with a sigmoid output.",
)
@click.option(
    "--nets",
    "--seeds",
    "nets",
    type=click.IntRange(max=MAX_NETS),
    default=1000,
    show_default=True,
    help="Number of networks (per grid point with --grid).",
)
@click.option(
    "--seed",
    type=int,
    default=0,
    show_default=True,
    help="Network k uses seed SEED + k (each 0 … 2**32 − 1); with --grid the base of every network's seed.",
)
@click.option(
    "--lr", "rates", default="1.0", show_default=True, help="Learning rate, or a comma list cycled over the networks."
)
@click.option("--optimizer", type=RegistryChoice(OPTIMIZER_NAMES, default="sgd"), default="sgd", show_default=True)
@click.option("--momentum", type=float, default=None, help="μ in [0, 1) for momentum and nesterov (default 0.9).")
@click.option("--weight-decay", type=float, default=0.0, show_default=True, help="L2 decay λ ≥ 0 on the weights.")
@click.option(
    "--schedule", type=RegistryChoice(SCHEDULE_NAMES, default="constant"), default="constant", show_default=True
)
@click.option("--gamma", type=float, default=None, help="--schedule step: multiply η by γ every --step-size epochs.")
@click.option(
    "--step-size",
    type=click.IntRange(max=MAX_EPOCHS),
    default=None,
    help="--schedule step: epochs between decays (default 10).",
)
@click.option("--epochs", type=click.IntRange(max=MAX_EPOCHS), default=2000, show_default=True)
@click.option("--batch-size", default="full", show_default=True)
@click.option(
    "--converged-below",
    type=float,
    default=None,
    help="Count a network as converged when its loss is below this (default: 100% accuracy).",
)
@click.option(
    "--plot",
    default=None,
    help="Write a histogram of the final losses (.png, .svg, .pdf …); with --grid a heat-map of the share converged.",
)
@click.option(
    "--grid",
    multiple=True,
    help="NAME=VALUES, repeatable: lr=0.1:3:log20, init-scale=0.5:2:lin4, activation=sigmoid,tanh "
    "(also hidden, batch-size, momentum, weight-decay).",
)
@click.option("--out", default=None, help="Grid sweep: write one row per network to a .parquet or .csv file.")
@click.option("--hist", default=None, help="Grid sweep: write a histogram of final losses per grid point.")
@click.option("--workers", type=int, default=None, help="Grid sweep on a local Dask cluster of N processes.")
@click.option("--scheduler", default=None, help="Grid sweep on an existing Dask cluster (tcp://HOST:8786).")
@click.option(
    "--chunk-size",
    type=click.IntRange(min=1, max=MAX_NETS),
    default=1000,
    show_default=True,
    help="Grid sweep: networks per task (the unit kept and resumed).",
)
@click.option("--no-progress", is_flag=True)
def sweep(**options: Any) -> None:
    """Train many networks at once and report how many converge."""
    import numpy as np
    from rich.console import Console
    from rich.table import Table

    from stepgrad.cli.sweep_grid import wants_grid
    from stepgrad.cli.train_data import (
        add_scaling_row,
        check_layers,
        check_output,
        choose_head,
        fit_scaling,
        make_schedule,
    )
    from stepgrad.data import load_dataset
    from stepgrad.training import EnsembleResult, Progress, make_ensemble
    from stepgrad.training.records import MAX_SEED, check_seed

    grid_mode = wants_grid(options)
    if options["nets"] < 1:
        raise StepgradError("--nets must be at least 1")
    first = check_seed(options["seed"], "--seed")
    if not grid_mode and first + options["nets"] - 1 > MAX_SEED:
        raise StepgradError(
            f"--seed {first} with --nets {options['nets']} needs seeds up to "
            f"{first + options['nets'] - 1}, past the largest seed {MAX_SEED}"
        )
    check_output(options["plot"], figure=True, data=options["data"])
    check_output(options["hist"], figure=True, data=options["data"])
    rates = parse_rates(options["rates"])
    schedule = make_schedule(options["schedule"], options["gamma"], options["step_size"])
    dataset = load_dataset(
        options["data"], options["target"], options["n_samples"], options["noise"], options["seed"], options["task"]
    )
    sizes = parse_layers(options["layers"]) if options["layers"] else [dataset.n_inputs, 2, dataset.n_outputs]
    check_layers(sizes, dataset)
    seeds = [options["seed"] + k for k in range(options["nets"])]
    per_net = [rates[k % len(rates)] for k in range(options["nets"])]
    classic_head = dataset.task == "classification" and dataset.n_outputs == 1
    if classic_head and options["loss"] is None and options["output_activation"] is None:
        # The textbook XOR experiment: sigmoid output and the squared error.
        output_activation, loss = "sigmoid", "half_squared_error"
    else:
        output_activation, loss = choose_head(
            dataset.task, dataset.n_outputs, options["loss"], options["output_activation"]
        )
    scaling = fit_scaling(options["scale"], options["data"], dataset, dataset.inputs)
    if grid_mode:
        from stepgrad.cli.sweep_grid import grid_settings, run_grid_sweep
        from stepgrad.sweeps import Grid, SweepSpec

        spec = SweepSpec(
            sizes=tuple(sizes),
            inputs=scaling.apply(dataset.inputs),
            targets=dataset.targets,
            grid=Grid.parse(options["grid"]),
            per_point=options["nets"],
            seed=first,
            settings=grid_settings(options, rates),
            training={
                "optimizer": options["optimizer"],
                "schedule": schedule,
                "epochs": options["epochs"],
                "task": dataset.task,
            },
            output_activation=output_activation,
            loss=loss,
            converged_below=options["converged_below"],
            chunk_size=options["chunk_size"],
        )
        per_point = f"{options['nets']} networks {'-'.join(map(str, sizes))} per point on {dataset.name}"
        run_grid_sweep(spec, options, per_point)
        return
    callbacks = [] if options["no_progress"] else [Progress()]
    started = time.perf_counter()
    training = make_ensemble(
        sizes,
        scaling.apply(dataset.inputs),
        dataset.targets,
        seeds=seeds,
        learning_rates=per_net,
        activation=options["activation"],
        output_activation=output_activation,
        loss=loss,
        optimizer=options["optimizer"],
        momentum=options["momentum"],
        weight_decay=options["weight_decay"],
        schedule=schedule,
        epochs=options["epochs"],
        batch_size=parse_batch_size(options["batch_size"]),
        task=dataset.task,
        callbacks=callbacks,
    )
    interrupted = False
    try:
        training.run()
    except KeyboardInterrupt:  # the epochs that completed are summarised and plotted, as train does
        interrupted = True
    result = EnsembleResult.of(training)
    elapsed = time.perf_counter() - started
    converged = result.converged(options["converged_below"])
    criterion = (
        f"loss < {options['converged_below']:g}"
        if options["converged_below"] is not None
        else ("100% training accuracy" if result.accuracy is not None else "loss < 0.01")
    )
    table = Table(
        title=f"Sweep: {options['nets']} networks {'-'.join(map(str, sizes))} on {dataset.name}", show_header=False
    )
    table.add_column("what", style="bold")
    table.add_column("value")
    epochs = f"{training.epoch} of {options['epochs']} epochs" if interrupted else f"{options['epochs']} epochs"
    table.add_row("training", f"{options['optimizer']}, {epochs}, lr {options['rates']}, {loss}")
    add_scaling_row(table, scaling)
    table.add_row("converged", f"{converged.mean():.1%} ({int(converged.sum())} of {result.size}; {criterion})")
    if result.diverged.any():
        table.add_row("diverged", f"{int(result.diverged.sum())} (NaN/inf loss; each kept the best weights it had)")
    quantiles = np.quantile(result.loss, [0.0, 0.1, 0.5, 0.9, 1.0])
    for label, value in zip(("min", "10%", "median", "90%", "max"), quantiles, strict=True):
        table.add_row(f"final loss {label}", f"{value:.4g}")

    if len(rates) > 1:
        for rate in rates:
            chosen = np.asarray(per_net) == rate
            table.add_row(
                f"lr {rate:g}",
                f"converged {converged[chosen].mean():.1%}, median loss {np.median(result.loss[chosen]):.4g}",
            )
    table.add_row("time", f"{elapsed:.2f} s")
    if interrupted:
        table.add_row(
            "stopped",
            f"interrupted (Ctrl-C) after epoch {training.epoch}; each network's weights are "
            "those of its last complete epoch",
        )
    console = Console(highlight=False, soft_wrap=True)
    console.print(table)
    if options["plot"]:
        from stepgrad.plots import sweep_histogram

        sweep_histogram(
            options["plot"],
            result.loss,
            f"Final loss of {result.size} networks {'-'.join(map(str, sizes))} on {dataset.name}",
        )
        console.print(f"wrote the histogram {options['plot']}")
    if interrupted:
        Console(stderr=True).print("stepgrad: interrupted")
        sys.exit(130)
