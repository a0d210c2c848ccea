"""``stepgrad sweep --grid …`` (or ``--out``, ``--workers``, ``--scheduler``): a grid sweep with a
progress bar counting networks, a summary per grid point, the tidy table and the figures."""

from __future__ import annotations

import sys
import time
from typing import Any

from stepgrad.cli.train_cmd import parse_batch_size
from stepgrad.errors import StepgradError
from stepgrad.sweeps.spec import SweepSpec

#: The options that turn ``sweep`` into a grid sweep (a grid of one point without ``--grid``).
GRID_OPTIONS = ("grid", "out", "workers", "scheduler", "hist")


def wants_grid(options: dict[str, Any]) -> bool:
    return any(options[name] for name in GRID_OPTIONS)


def grid_settings(options: dict[str, Any], rates: list[float]) -> dict[str, Any]:
    """The settings every point shares (a ``--grid`` axis overrides its own)."""
    if len(rates) > 1:
        raise StepgradError("--lr with several rates cycles them over one ensemble; in a grid sweep use --grid lr=…")
    return {
        "lr": rates[0],
        "activation": options["activation"],
        "batch-size": parse_batch_size(options["batch_size"]) or "full",
        "momentum": options["momentum"],
        "weight-decay": options["weight_decay"],
    }


def run_grid_sweep(spec: SweepSpec, options: dict[str, Any], description: str) -> None:
    """Run ``spec`` (resuming from ``--out``'s parts), print the summary, write the table and figures."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from stepgrad.sweeps.execute import run_grid
    from stepgrad.sweeps.plots import check_figures
    from stepgrad.sweeps.store import parts_folder
    from stepgrad.sweeps.summary import summarise, summary_table

    check_figures(spec, options["plot"], options["hist"])
    console = Console(highlight=False, soft_wrap=True)
    bar = Progress(
        TextColumn("networks"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        disable=options["no_progress"],
        transient=True,
    )
    task = bar.add_task("sweep", total=spec.size)
    done = 0

    def progress(count: int, total: int) -> None:
        nonlocal done
        done = count
        bar.update(task, completed=count, total=total)

    started = time.perf_counter()
    try:
        with bar:
            table = run_grid(
                spec, options["out"], workers=options["workers"], scheduler=options["scheduler"], progress=progress
            )
    except KeyboardInterrupt:
        kept = (
            f"; kept in {parts_folder(options['out'])}/, rerun the same command to continue" if options["out"] else ""
        )
        Console(stderr=True, soft_wrap=True).print(f"stepgrad: interrupted after {done} of {spec.size} networks{kept}")
        sys.exit(130)
    elapsed = time.perf_counter() - started
    console.print(summary_table(spec, summarise(spec, table), description))
    console.print(f"{spec.size} networks in {elapsed:.2f} s")
    if options["out"]:
        console.print(f"wrote {spec.size} rows to {options['out']}")
    if options["plot"]:
        from stepgrad.sweeps.plots import convergence_heatmap

        convergence_heatmap(options["plot"], spec, table, f"Share converged: {description}")
        console.print(f"wrote the heat-map {options['plot']}")
    if options["hist"]:
        from stepgrad.sweeps.plots import loss_histograms

        loss_histograms(options["hist"], spec, table, f"Final losses: {description}")
        console.print(f"wrote the histograms {options['hist']}")
