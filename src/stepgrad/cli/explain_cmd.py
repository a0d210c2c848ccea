"""``stepgrad explain`` and ``stepgrad classic``: one training step worked out number by number."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from stepgrad.cli.choices import OPTIMIZER_NAMES, RegistryChoice
from stepgrad.errors import StepgradError
from stepgrad.limits import (
    MAX_EXPLAIN_LAYERS,
    MAX_EXPLAIN_PARAMETERS,
    MAX_EXPLAIN_STEP,
    check_network_depth,
    check_network_size,
)
from stepgrad.render import FILE_SUFFIXES, format_names

if TYPE_CHECKING:
    from stepgrad.network.model import Setup


def _options(function: click.decorators.FC) -> click.decorators.FC:
    decorators = [
        click.option(
            "--format",
            "fmt",
            type=click.Choice(format_names()),
            default=None,
            help="Output format (default: text, or from -o's suffix).",
        ),
        click.option(
            "--precision",
            type=click.IntRange(1, 17),
            default=9,
            show_default=True,
            help="Significant digits of the numbers in formulas.",
        ),
        click.option(
            "--sample",
            type=click.IntRange(1),
            default=1,
            show_default=True,
            help="Which sample of the file to work through (1 = the first).",
        ),
        click.option(
            "--hidden-deltas-from",
            type=click.Choice(["original", "updated"]),
            default="original",
            show_default=True,
            help="'updated' reproduces the classic mistake (and the published errata).",
        ),
        click.option(
            "--optimizer",
            type=RegistryChoice(OPTIMIZER_NAMES),
            default=None,
            help="Explain one update of this optimizer (buffers, moments, bias correction).",
        ),
        click.option(
            "--step",
            "update_number",
            type=click.IntRange(1, MAX_EXPLAIN_STEP),
            default=2,
            show_default=True,
            help="With --optimizer: which update to explain (earlier ones fill the buffers).",
        ),
        click.option("--momentum", type=float, default=None, help="With --optimizer momentum|nesterov: μ."),
        click.option(
            "--weight-decay",
            type=float,
            default=None,
            help="With --optimizer: weight decay λ (L2; decoupled for adamw).",
        ),
        click.option(
            "--lr",
            "learning_rate",
            type=float,
            default=None,
            help="With --optimizer: learning rate η (default: the file's).",
        ),
        click.option("--beta1", type=float, default=None, help="With --optimizer adam|adamw: β₁ (default 0.9)."),
        click.option("--beta2", type=float, default=None, help="With --optimizer adam|adamw: β₂ (default 0.999)."),
        click.option("--eps", type=float, default=None, help="With --optimizer adam|adamw: ε (default 1e-8)."),
        click.option(
            "-o",
            "--output",
            type=click.Path(dir_okay=False),
            default=None,
            help="Write to this file (atomically) instead of the terminal; never over the network file.",
        ),
        click.option(
            "--diagram-file",
            is_flag=True,
            help="Markdown with -o (the default there): the diagram in OUT.svg, linked from the page "
            "(GitHub drops embedded data: images).",
        ),
        click.option(
            "--embed-diagram",
            is_flag=True,
            help="Markdown with -o: embed the diagram in the page as a data: image instead of OUT.svg.",
        ),
        click.option(
            "--force",
            is_flag=True,
            help="Markdown with -o: replace an OUT.svg that is not the diagram stepgrad wrote for OUT.md "
            "(its own earlier diagram is replaced without asking; any other OUT.svg is refused). "
            "Also: explain a network over the size limits (5,000 weights and biases, 50 layers).",
        ),
    ]
    for decorator in reversed(decorators):
        function = decorator(function)
    return function


def _run(
    path: str | None,
    fmt: str | None,
    precision: int,
    sample: int,
    hidden_deltas_from: str,
    optimizer: str | None,
    update_number: int,
    momentum: float | None,
    weight_decay: float | None,
    output: str | None,
    diagram_file: bool = False,
    learning_rate: float | None = None,
    beta1: float | None = None,
    beta2: float | None = None,
    eps: float | None = None,
    embed_diagram: bool = False,
    force: bool = False,
) -> None:
    from stepgrad.derivations.derivation import explain_setup
    from stepgrad.render import render

    fmt = fmt or format_from_suffix(output)
    sidecar = _diagram_sidecar(fmt, output, diagram_file, embed_diagram)
    _check_outputs(path, output, sidecar, force)
    setup = load_setup_or_classic(path)
    check_sample_option(setup, sample)
    if not force:
        check_network_size(n_parameters(setup), MAX_EXPLAIN_PARAMETERS, "explain", force_hint=True)
        check_network_depth(len(setup.network.layers), MAX_EXPLAIN_LAYERS, "explain", force_hint=True)
    given = {"momentum": momentum, "weight_decay": weight_decay, "beta1": beta1, "beta2": beta2, "eps": eps}
    hyper = {key: value for key, value in given.items() if value is not None}
    if optimizer is None and (hyper or learning_rate is not None):
        raise StepgradError("--lr, --momentum, --weight-decay, --beta1, --beta2 and --eps need --optimizer")
    import numpy as np

    # A value that leaves float64's range is shown as ∞ or NaN and reported once, in words, below
    # (_warn_if_overflowed): NumPy's own RuntimeWarning would be a second, less helpful report.
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        if optimizer is not None:
            from stepgrad.derivations.optimizer_steps import optimizer_derivation

            hyper = _file_regularization(setup, optimizer, hyper)
            derivation = optimizer_derivation(
                optimizer, setup=setup, step=update_number, learning_rate=learning_rate, sample=sample - 1, **hyper
            )
        else:
            derivation = explain_setup(setup, sample=sample - 1, hidden_deltas_from=hidden_deltas_from)  # type: ignore[arg-type]
    _warn_if_overflowed(derivation.values, setup, sample - 1)
    if fmt == "text" and output is None and sys.stdout.isatty():
        from rich.console import Console

        from stepgrad.render.text import print_derivation

        # Colour and the terminal's width (up to 100) on a TTY; plain 80 columns otherwise (render_text).
        print_derivation(derivation, Console(highlight=False, width=min(Console().width, 100)), precision)
        return
    if sidecar is not None:
        from stepgrad.cli.sidecar import marked_svg
        from stepgrad.render.markdown import diagram_svg

        emit(marked_svg(diagram_svg(derivation), Path(str(output))), str(sidecar))
        emit(render(derivation, fmt, precision=precision, diagram_src=sidecar.name), output)
        return
    emit(render(derivation, fmt, precision=precision), output)


def _file_regularization(setup: Setup, optimizer: str, hyper: dict[str, float]) -> dict[str, float]:
    """The optimizer's options with the file's ``l1`` and ``l2`` (the L2 term of the gradient, the optimizers'
    ``weight_decay``) unless given on the command line; adamw's decay is decoupled, so a file's ``l2`` is refused."""
    l1, l2 = setup.regularization.l1, setup.regularization.l2
    if l2 and optimizer == "adamw":
        raise StepgradError(
            f"the file has l2 = {l2:g}, an L2 term of the gradient, which adamw does not apply (its weight decay "
            "is decoupled): explain the file with --optimizer adam, or remove l2 from the file to explain adamw",
            setup.source,
        )
    if l2 and "weight_decay" not in hyper:
        hyper = {**hyper, "weight_decay": l2}
    return {**hyper, "l1": l1} if l1 else hyper


def n_parameters(setup: Setup) -> int:
    """The network's weights and biases: what the work of explaining or checking it grows with."""
    return sum(layer.weights.size + layer.bias.size for layer in setup.network.layers)


def _check_outputs(path: str | None, output: str | None, sidecar: Path | None, force: bool) -> None:
    """Before any work: neither the page nor its diagram may replace the network file, and an
    ``OUT.svg`` stepgrad did not write for this page is replaced only with ``--force``."""
    from stepgrad.cli.outputs import refuse_inputs

    inputs = [("the network file", path)]
    refuse_inputs(output, inputs)
    if sidecar is not None and output is not None:
        from stepgrad.cli.sidecar import check_sidecar

        refuse_inputs(sidecar, inputs)
        check_sidecar(sidecar, Path(output), force)


def _warn_if_overflowed(values: dict[str, float], setup: Setup, sample: int) -> None:
    """One line on stderr when a value left float64's range (the derivation shows it as ∞ or NaN): how many,
    and the first in the derivation's order with its likely cause (``stepgrad.core.forensics``)."""
    import math

    overflowed = [name for name, value in values.items() if not math.isfinite(value)]
    if not overflowed:
        return
    from stepgrad.core.forensics import find_divergence
    from stepgrad.render.divergence import divergence_message

    row = slice(sample, sample + 1)
    found = find_divergence(
        setup.network, setup.inputs[row], setup.targets[row], setup.learning_rate, regularization=setup.regularization
    )
    why = f"the first is {overflowed[0]}" if found is None else f"the first is {divergence_message(found)}"
    click.echo(f"stepgrad: warning: {len(overflowed)} values are infinite or NaN; {why}", err=True)


def _diagram_sidecar(fmt: str, output: str | None, diagram_file: bool, embed_diagram: bool) -> Path | None:
    """Where a Markdown page's diagram goes: ``OUT.svg`` beside ``-o OUT.md``, or None to embed it.

    GitHub drops ``data:`` images, so a Markdown file links its diagram by default; on stdout
    (or into a device such as /dev/stdout) only embedding is possible.
    """
    if diagram_file and embed_diagram:
        raise StepgradError("--diagram-file and --embed-diagram contradict each other; give one")
    if fmt != "markdown":
        for flag, given in (("--diagram-file", diagram_file), ("--embed-diagram", embed_diagram)):
            if given:
                raise StepgradError(f"{flag} is for Markdown (--format markdown or -o FILE.md), not {fmt}")
        return None
    if output is None:
        if diagram_file:
            raise StepgradError("--diagram-file needs -o FILE.md (the diagram goes to FILE.svg beside it)")
        return None
    target = Path(output)
    if embed_diagram or (target.exists() and not target.is_file()):
        return None
    return target.with_suffix(".svg")


def load_setup_or_classic(path: str | None) -> Setup:
    """The network file at ``path``, or the classic example when no path is given."""
    if path is None:
        from stepgrad.network.classic import classic_setup

        return classic_setup()
    from stepgrad.network.files import load_setup

    return load_setup(path)


def emit(text: str, output: str | None) -> None:
    """Print ``text``, or write it atomically to ``output`` and say so on stderr."""
    if output is None:
        click.echo(text, nl=not text.endswith("\n"))
        return
    from stepgrad.network.files import write_atomic

    write_atomic(output, text)
    if Path(output).is_file():  # not for /dev/stdout, a pipe, /dev/null
        click.echo(f"wrote {output}", err=True)


def check_sample_option(setup: Setup, sample: int) -> None:
    """``--sample`` counts from 1 (the Python API from 0): say so in its own numbering when it is too large."""
    from stepgrad.errors import quantity

    if sample > setup.n_samples:
        count = quantity(setup.n_samples, "sample")
        raise StepgradError(f"--sample {sample} does not exist: the file has {count}", setup.source)


def format_from_suffix(output: str | None) -> str:
    """The format ``-o``'s suffix names (``.md`` → markdown); text without ``-o``.

    An unknown suffix is an error: writing text into ``notes.pdf`` would surprise.
    """
    if output is None:
        return "text"
    suffixes = {**{suffix: name for name, suffix in FILE_SUFFIXES.items()}, ".markdown": "markdown", ".htm": "html"}
    suffix = Path(output).suffix.lower()
    if suffix in suffixes:
        return suffixes[suffix]
    if Path(output).exists() and not Path(output).is_file():
        return "text"  # /dev/stdout, a pipe: no suffix to go by
    known = ", ".join(sorted(suffixes))
    raise StepgradError(
        f"cannot tell the format from the suffix {suffix or '(none)'!s}: use one of {known}, or give --format", output
    )


@click.command()
@click.argument("network_file", required=False, type=click.Path(dir_okay=True))
@_options
def explain(network_file: str | None, **options: object) -> None:
    """Explain one training step of NETWORK_FILE (default: the classic example), number by number.

    The derivation follows the order a person works it: forward pass, errors, the output layer's
    chain rule for every weight, each hidden layer, the biases, and the error after the update.
    """
    _run(network_file, **options)  # type: ignore[arg-type]


@click.command()
@_options
def classic(**options: object) -> None:
    """Work the classic example (2-2-2 logistic network, one training pair) step by step."""
    _run(None, **options)  # type: ignore[arg-type]
