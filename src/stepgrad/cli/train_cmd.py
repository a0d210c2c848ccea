"""``stepgrad train``: repeat the classic update on a network file, or train on a data set.

Two forms:

* ``stepgrad train [FILE] --steps N`` repeats the gradient step N times on the file's
  sample(s) (the classic example without FILE) and prints the error every so often and the
  final outputs. ``--hidden-deltas-from updated`` runs the classic mistake (the published errata).
* ``stepgrad train --data NAME|file.csv …`` builds a network from ``--layers`` and trains it
  with a progress bar, then prints a summary table; ``--save`` writes a model file that
  ``stepgrad explain`` reads, ``--plot`` a figure. Ctrl-C stops cleanly and still saves.
"""

from __future__ import annotations

import contextlib
import sys
from typing import TYPE_CHECKING, Any

import click

from stepgrad.cli.choices import OPTIMIZER_NAMES, SCALING_NAMES, SCHEDULE_NAMES, TASK_NAMES, RegistryChoice
from stepgrad.errors import StepgradError, quantity
from stepgrad.limits import MAX_EPOCHS, MAX_LAYER_SIZE, MAX_LAYERS, MAX_NOISE, MAX_SAMPLES, MAX_STEPS

if TYPE_CHECKING:
    from rich.console import Console
    from rich.progress import Progress

    from stepgrad.network.model import Setup

# shared with ``stepgrad sweep``
SCALE_OPTION = click.option(
    "--scale",
    type=RegistryChoice(SCALING_NAMES),
    default=None,
    help="Scale the input columns (fitted on the training samples): default standard for a CSV file, none for "
    "the named sets (already scaled).",
)
TASK_OPTION = click.option(
    "--task",
    type=RegistryChoice(TASK_NAMES, default="auto"),
    default="auto",
    show_default=True,
    help="CSV files: classes or numbers to predict (auto: 0/1, text, or 2-10 whole numbers are classes).",
)
SAMPLES_OPTION = click.option(
    "--samples",
    "n_samples",
    type=click.IntRange(max=MAX_SAMPLES),
    default=None,
    help="Number of points of a generated data set (at most 100,000).",
)
NOISE_OPTION = click.option(
    "--noise",
    type=click.FloatRange(max=MAX_NOISE),
    default=None,
    help="Noise of a generated data set (≥ 0, about 0 … 1; default 0).",
)


def parse_layers(text: str) -> list[int]:
    """``"2,8,8,1"`` → ``[2, 8, 8, 1]`` (an empty size, as in ``2,,1``, is an error, not skipped)."""
    parts = text.replace(" ", "").split(",")
    if "" in parts:
        raise StepgradError(
            f"--layers has an empty size between commas; give one number per layer, like 2,8,1; got {text!r}"
        )
    try:
        sizes = [int(part) for part in parts]
    except ValueError as error:
        raise StepgradError(
            f"--layers takes whole numbers separated by commas, like 2,8,1; got {text[:80]!r}"
        ) from error
    if len(sizes) < 2 or min(sizes) < 1:
        raise StepgradError(f"--layers needs at least an input and an output size, all positive; got {text!r}")
    if len(sizes) > MAX_LAYERS + 1 or max(sizes) > MAX_LAYER_SIZE:
        raise StepgradError(
            f"--layers allows at most {MAX_LAYERS} layers of at most {MAX_LAYER_SIZE:,} neurons; got {text[:80]!r}"
        )
    return sizes


def known_loss(ctx: click.Context, param: click.Parameter, name: str | None) -> str | None:
    """A click callback: ``--loss`` must name a loss of the registry (checked before any work)."""
    if name is None:
        return None
    from stepgrad.functions import loss_names

    if name not in loss_names():
        raise StepgradError(f"unknown loss {name[:80]!r}; choose one of {', '.join(loss_names())}")
    return name


def parse_batch_size(text: str) -> int | None:
    """A positive integer, or ``full`` for the whole data set (None)."""
    if text.lower() in ("full", "all"):
        return None
    try:
        size = int(text)
    except ValueError as error:
        raise StepgradError(f"--batch-size takes a positive integer or 'full'; got {text[:80]!r}") from error
    if size < 1:
        raise StepgradError(f"--batch-size must be at least 1; got {size}")
    if size > MAX_SAMPLES:
        raise StepgradError(f"--batch-size must be at most {MAX_SAMPLES:,}; got {text[:80]}")
    return size


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("file", required=False, type=click.Path(dir_okay=False))
@click.option(
    "--steps",
    type=click.IntRange(max=MAX_STEPS),
    default=None,
    help="Repeat the update N times on FILE's sample(s) (default 10000).",
)
@click.option(
    "--every",
    type=click.IntRange(max=MAX_STEPS),
    default=None,
    help="With --steps: print the error every K steps (default N/10).",
)
@click.option(
    "--hidden-deltas-from",
    type=click.Choice(["original", "updated"]),
    default="original",
    show_default=True,
    help="With --steps: 'updated' runs the classic mistake that produced the published errata.",
)
@click.option(
    "--data",
    help="Data set name (classic, xor, circle, xor2d, gauss, spiral, plane, multigauss, iris, digits) or a .csv file.",
)
@click.option("--target", help="The CSV column to predict (default: the last column).")
@TASK_OPTION
@SCALE_OPTION
@SAMPLES_OPTION
@NOISE_OPTION
@click.option("--layers", help="Layer sizes, inputs first, e.g. 2,8,8,1 (default: inputs,8,outputs).")
@click.option("--activation", default="tanh", show_default=True, help="Hidden layers' activation.")
@click.option(
    "--output-activation", default=None, help="Output activation (default: the one that pairs with the loss)."
)
@click.option(
    "--loss",
    default=None,
    callback=known_loss,
    help="Loss (default suits the data; the output activation follows it unless given).",
)
@click.option("--bias", type=click.Choice(["per_neuron", "shared", "none"]), default="per_neuron", show_default=True)
@click.option("--optimizer", type=RegistryChoice(OPTIMIZER_NAMES, default="sgd"), default="sgd", show_default=True)
@click.option("--lr", "learning_rate", type=float, default=0.1, show_default=True, help="Learning rate η (> 0).")
@click.option("--momentum", type=float, default=None, help="μ in [0, 1) for momentum and nesterov (default 0.9).")
@click.option("--epochs", type=click.IntRange(max=MAX_EPOCHS), default=100, show_default=True)
@click.option(
    "--batch-size", default="32", show_default=True, help="Samples per update: 1 online, N mini-batch, 'full'."
)
@click.option(
    "--seed",
    type=int,
    default=0,
    show_default=True,
    help="Seeds the weights, the shuffling and the data (0 … 2**32 − 1).",
)
@click.option(
    "--weight-decay",
    "--l2",
    "weight_decay",
    type=float,
    default=0.0,
    show_default=True,
    help="L2 regularization λ ≥ 0 on the weights: dE_total/dw gains λ·w.",
)
@click.option(
    "--l1", type=float, default=0.0, show_default=True, help="L1 regularization λ₁ ≥ 0 on the weights: + λ₁·sign(w)."
)
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
@click.option("--validation-split", type=float, default=None, help="Hold out this share of the data for validation.")
@click.option("--early-stopping", type=int, default=None, help="Stop after N epochs without improvement.")
@click.option("--save", default=None, help="Write the trained model: a .toml or .json file (not the data file).")
@click.option("--checkpoint-every", type=int, default=None, help="With --save: also save every N epochs.")
@click.option("--plot", default=None, help="Write loss curves (and the decision boundary): .png, .svg, .pdf …")
@click.option("--no-progress", is_flag=True, help="No progress bar.")
@click.option("--no-compiled", is_flag=True, help="Always use the NumPy path (no numba).")
def train(
    file: str | None, steps: int | None, every: int | None, hidden_deltas_from: str, data: str | None, **options: Any
) -> None:
    """Train a network and print its progress."""
    if data is None:
        if options["save"] is None and options["plot"] is None:
            repeat_file(file, 10_000 if steps is None else steps, every, hidden_deltas_from, options["no_progress"])
            return
        raise StepgradError("--save and --plot need --data (with FILE, use --steps)")
    if file is not None:
        raise StepgradError("give either FILE (with --steps) or --data, not both")
    if steps is not None:
        raise StepgradError("--steps repeats the update on a network file; with --data use --epochs")
    from stepgrad.cli.train_data import train_on_data

    train_on_data(data, **options)


def repeat_file(file: str | None, steps: int, every: int | None, hidden_deltas_from: str, no_progress: bool) -> None:
    """``stepgrad train [FILE] --steps N``: the error every so often, then the final outputs.

    Numbers are written as Python reads them (``8.653979466e-05``), to paste into code. On a
    terminal the progress bar and the log share one console, so lines print above the bar.
    The classic example (no FILE) is answered on plain floats without importing NumPy when the
    work is small (``stepgrad.training.plain_repeat``): the same figures, in a fraction of the time.
    """
    if steps < 1:
        raise StepgradError("--steps must be at least 1")
    interval = every if every is not None else max(steps // 10, 1)
    if interval < 1:
        raise StepgradError("--every must be at least 1")
    if file is None and hidden_deltas_from == "original" and _classic_on_floats(steps, interval):
        return
    from stepgrad.network import classic_setup, network_names
    from stepgrad.training.repeat import repeat_steps

    if file is None:
        setup = classic_setup()
    else:
        from stepgrad.network.files import load_setup

        setup = load_setup(file)
    if setup.n_samples == 0:
        raise StepgradError("the network file has no sample to train on: add inputs and targets", setup.source)
    out, progress = _step_output(no_progress, steps)
    source = setup.source or file or "network"
    out.print(_header(source, setup.n_samples, setup.learning_rate, steps, hidden_deltas_from))

    def report(step: int, error: float) -> None:
        if progress is not None:
            progress.update(progress.task_ids[0], completed=step, error=f"E_total {_number(error, 6)}")
        out.print(_step_line(step, error, steps))

    with progress if progress is not None else contextlib.nullcontext():
        result = repeat_steps(setup, steps, hidden_deltas_from, interval, report, on_compile=_announce_compile)
    if result.stop_reason:
        click.echo(f"stepgrad: warning: {result.stop_reason}", err=True)
        from stepgrad.render.divergence import explain_divergence

        # from the weights kept, the steps until the first value that is not finite (at most one report's worth)
        why = explain_divergence(
            result.network,
            setup.inputs,
            setup.targets,
            learning_rate=setup.learning_rate,
            max_steps=interval + 1,
            regularization=setup.regularization,
        )
        click.echo(f"stepgrad: why: {why}", err=True)
    outputs = [[float(v) for v in row] for row in result.outputs]
    targets = [[float(v) for v in row] for row in setup.targets]
    for line in _summary(result.steps[-1], result.error, network_names(result.network).neurons[-1], outputs, targets):
        out.print(line)
    _mistake_note(setup, steps, hidden_deltas_from, out)


def _classic_on_floats(steps: int, every: int) -> bool:
    """The classic example's steps on plain floats, printed as ``repeat_file`` prints them (False: the work is
    large enough for the compiled path, or a value overflowed; nothing is printed then)."""
    from stepgrad.network import classic
    from stepgrad.network.naming import neuron_names
    from stepgrad.training import plain_sgd
    from stepgrad.training.plain_repeat import classic_shape, repeat_classic

    shape = classic_shape()
    if plain_sgd.worth_compiling(len(shape.weight_names()), steps):
        return False
    run = repeat_classic(steps, every)
    if run is None:
        return False
    out, _ = _step_output(True, steps)
    out.print(_header(classic.CLASSIC_SOURCE, 1, classic.CLASSIC_LEARNING_RATE, steps, "original"))
    for step, error in zip(run.steps, run.errors, strict=True):
        out.print(_step_line(step, error, steps))
    names = neuron_names(list(shape.sizes))[-1]
    for line in _summary(run.steps[-1], run.error, names, [list(run.outputs)], [classic.CLASSIC_TARGETS]):
        out.print(line)
    return True


def _number(value: float, precision: int = 9) -> str:
    from stepgrad.derivations.step import format_number

    return format_number(value, precision, unicode_minus=False)


def _header(source: str, n_samples: int, learning_rate: float, steps: int, hidden_deltas_from: str) -> str:
    """``Training classic example: 1 sample, η = 0.5, 10000 steps`` (and the mistake's note)."""
    mistake = " — hidden deltas through the already-updated weights of the layer above (the classic mistake)"
    return (
        f"Training {source}: {quantity(n_samples, 'sample')}, η = {_number(learning_rate)}, {quantity(steps, 'step')}"
        + (mistake if hidden_deltas_from == "updated" else "")
    )


def _step_line(step: int, error: float, steps: int) -> str:
    """``step  1000  E_total = 0.001114349454``."""
    return f"step {step:>{len(str(steps))}}  E_total = {_number(error, 10)}"


def _summary(
    done: int, error: float, names: list[str], outputs: list[list[float]], targets: list[list[float]]
) -> list[str]:
    """``After 10000 steps: E_total = …`` and each sample's outputs beside their targets."""
    # The published summary writes small errors out in full (0.0000351085); so do we, while that shows digits.
    in_full = f" ({error:.13f})" if 1e-9 <= abs(error) < 1 else ""
    lines = [f"After {quantity(done, 'step')}: E_total = {error:.5g}{in_full}"]
    for sample, (row, target_row) in enumerate(zip(outputs, targets, strict=True)):
        prefix = f"sample {sample + 1}: " if len(outputs) > 1 else ""
        values = ", ".join(
            f"out_{name} = {_number(value)} (target {_number(target)})"
            for name, value, target in zip(names, row, target_row, strict=True)
        )
        lines.append(prefix + values)
    return lines


def _mistake_note(setup: Setup, steps: int, hidden_deltas_from: str, out: Console | _Lines) -> None:
    """What ``--hidden-deltas-from updated`` did here, after its summary."""
    from stepgrad.network.classic import is_classic

    if hidden_deltas_from == "updated" and len(setup.network.layers) == 1:
        out.print("--hidden-deltas-from updated changes nothing here: a one-layer network has no hidden layer.")
    elif hidden_deltas_from == "updated":
        if is_classic(setup.network, setup.inputs, setup.targets, setup.learning_rate):
            out.print(
                "These are the published summary's figures; the correct rule (the default) gives the exact values."
                if steps in (1, 10_000)
                else "The published summary's figures (after 1 and 10000 steps) come from this mistake; the correct "
                "rule (the default) gives the exact values."
            )
        else:
            out.print(
                "These figures come from the mistaken rule: the hidden layers learned from gradients backpropagated "
                "through weights that had already moved. The default (--hidden-deltas-from original) is correct."
            )


def _announce_compile() -> None:
    from stepgrad.cli.train_data import COMPILE_SECONDS

    click.echo(f"compiling training kernels once, about {COMPILE_SECONDS} s (cached for later runs) …", err=True)


class _Lines:
    """Whole lines on stdout (a file or a pipe, where no bar is drawn): the text as it is, no rich markup."""

    def print(self, text: str) -> None:
        click.echo(text)


def _step_output(no_progress: bool, steps: int) -> tuple[Console | _Lines, Progress | None]:
    """Where ``stepgrad train --steps`` writes its lines, and its progress bar (None: no bar).

    On a terminal the bar and the log share one rich console, so lines print above the bar (and words
    wrap); with stdout redirected the bar goes to stderr if that is a terminal. Where neither is a
    terminal there is no bar to draw, and the lines go out as they are, without importing rich.
    """
    if not (sys.stdout.isatty() or sys.stderr.isatty()):
        return _Lines(), None
    from rich.console import Console

    out = Console(highlight=False, markup=False, emoji=False)
    out.soft_wrap = not out.is_terminal  # words wrap on a terminal; a file or pipe gets whole lines
    bar_console = out if out.is_terminal else Console(stderr=True)
    if no_progress or not bar_console.is_terminal:
        return out, None
    return out, _step_progress(bar_console, steps)


def _step_progress(console: Console, steps: int) -> Progress:
    """The bar of ``stepgrad train --steps``: steps done of ``steps``, the latest error, time left."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    progress = Progress(
        TextColumn("step"),
        MofNCompleteColumn(),
        BarColumn(),
        TextColumn("{task.fields[error]}"),
        TimeRemainingColumn(),
        console=console,
        transient=True,
    )
    progress.add_task("steps", total=steps, error="")
    return progress
