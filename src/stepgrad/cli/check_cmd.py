"""``stepgrad check [NETWORK] ANSWERS``: check a learner's own numbers and diagnose the mistake."""

from __future__ import annotations

import sys

import click

from stepgrad.errors import StepgradError


@click.command("check")
@click.argument("files", nargs=-1, required=True, metavar="[NETWORK] ANSWERS")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "markdown", "html"]),
    default="text",
    show_default=True,
    help="How to show the report.",
)
@click.option(
    "--sample",
    type=click.IntRange(1),
    default=1,
    show_default=True,
    help="Which sample of the network file (1 = the first), trained alone, as `stepgrad explain --sample` works it.",
)
@click.option("-o", "--out", "out", type=click.Path(dir_okay=False), help="Write the report to this file.")
def check(files: tuple[str, ...], fmt: str, sample: int, out: str | None) -> None:
    """Check the values in ANSWERS (TOML, JSON, CSV or `name = value` lines; `-` reads standard input)
    against NETWORK (default: the classic example). A value counts when it has at least 3 significant
    digits or 4 decimals and rounds the exact value, or follows from your own rounded earlier values.
    Exit code 0 when everything is right, 1 when something is not, 2 when the input cannot be used."""
    from stepgrad.check import check_answers
    from stepgrad.network.files import write_atomic

    if len(files) > 2:
        raise StepgradError(f"expected [NETWORK] ANSWERS, got {len(files)} files")
    network = files[0] if len(files) == 2 else None
    report = check_answers(files[-1], network, sample=sample - 1)
    if out is not None:
        write_atomic(out, report.render(fmt))
    elif fmt == "text":
        from rich.console import Console

        from stepgrad.check.formats.text import report_renderable

        console = Console(highlight=False, width=min(Console().width, 100)) if sys.stdout.isatty() else None
        (console or Console(highlight=False, width=80)).print(report_renderable(report))
    else:
        click.echo(report.render(fmt), nl=False)
    sys.exit(0 if report.ok else 1)
