"""``stepgrad check [NETWORK] ANSWERS``: check a learner's own numbers and diagnose the mistake."""

from __future__ import annotations

import sys

import click

from stepgrad.check.formats import REPORT_FORMATS
from stepgrad.cli.explain_cmd import check_sample_option, emit, format_from_suffix, n_parameters
from stepgrad.errors import StepgradError
from stepgrad.limits import MAX_CHECK_PARAMETERS, check_network_size
from stepgrad.render import FILE_SUFFIXES


def report_format(fmt: str | None, output: str | None) -> str:
    """``--format``, else the format ``-o``'s suffix names (as for ``stepgrad explain``); a format a
    report has no renderer for (``.tex``) is an error."""
    chosen = fmt or format_from_suffix(output)
    if chosen not in REPORT_FORMATS:
        suffixes = ", ".join(FILE_SUFFIXES[name] for name in REPORT_FORMATS)
        raise StepgradError(f"a check report cannot be {chosen}: use {suffixes}, or give --format", output)
    return chosen


@click.command("check")
@click.argument("files", nargs=-1, required=True, metavar="[NETWORK] ANSWERS")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(list(REPORT_FORMATS)),
    default=None,
    help="How to show the report (default: text, or from -o's suffix: .txt .md .html .json).",
)
@click.option(
    "--sample",
    type=click.IntRange(1),
    default=1,
    show_default=True,
    help="Which sample of the network file (1 = the first), trained alone, as `stepgrad explain --sample` works it.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False),
    default=None,
    help="Write the report to this file (atomically; never over NETWORK or ANSWERS).",
)
def check(files: tuple[str, ...], fmt: str | None, sample: int, output: str | None) -> None:
    """Check the values in ANSWERS (TOML, JSON, CSV or `name = value` lines; `-` reads standard input)
    against NETWORK (default: the classic example).

    \b
    A value given to k decimals is right when it rounds the exact value to k
    decimals, or follows from your own rounded earlier values (written down or
    not). It needs 3 decimals, or enough to show 2 significant digits of the
    value (0.59 for 0.593, 1.1 for 1.106); fewer is "too few digits to check".
    A bare 0 or 1 says the value is exactly 0 or 1: it is right only if it is.
    The network's own numbers (inputs, targets, weights, biases) carry no
    rounding, whatever you copied. A value right from your own earlier, wrong
    values is marked ↳: it follows from that error, and counts in the score
    with error carried forward. Notes, headings and working in the file are
    fine: prose lines are skipped, a working line gives its last number.

    Exit code 0 when everything is right, 1 when something is not, 2 when the input cannot be used."""
    from stepgrad.check import check_answers
    from stepgrad.check.compare import network_setup

    if len(files) > 2:
        raise StepgradError(f"expected [NETWORK] ANSWERS, got {len(files)} files")
    chosen = report_format(fmt, output)
    from stepgrad.cli.outputs import refuse_inputs

    network_file = files[0] if len(files) == 2 else None
    refuse_inputs(output, [("the network file", network_file), ("the answers file", files[-1])])
    setup = network_setup(network_file)
    check_network_size(n_parameters(setup), MAX_CHECK_PARAMETERS, "check")
    check_sample_option(setup, sample)
    report = check_answers(files[-1], setup, sample=sample - 1)
    if output is not None:
        emit(report.render(chosen), output)
    elif chosen == "text":
        from rich.console import Console

        from stepgrad.check.formats.text import report_renderable

        console = Console(highlight=False, width=min(Console().width, 100)) if sys.stdout.isatty() else None
        (console or Console(highlight=False, width=80)).print(report_renderable(report))
    else:
        click.echo(report.render(chosen), nl=False)
    sys.exit(0 if report.ok else 1)
