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
@click.option("--sample", type=int, default=0, show_default=True, help="Which sample of the network file to check.")
@click.option("-o", "--out", "out", type=click.Path(dir_okay=False), help="Write the report to this file.")
def check(files: tuple[str, ...], fmt: str, sample: int, out: str | None) -> None:
    """Check the values in ANSWERS (TOML, JSON, CSV or `name = value` lines) against NETWORK
    (default: the classic example). Exit code 0 when everything is right, 1 when something is wrong."""
    from stepgrad.check import check_answers
    from stepgrad.network import classic_setup
    from stepgrad.network.files import load_setup, write_atomic

    if len(files) > 2:
        raise StepgradError(f"expected [NETWORK] ANSWERS, got {len(files)} files")
    setup = load_setup(files[0]) if len(files) == 2 else classic_setup()
    report = check_answers(files[-1], setup, sample=sample)
    if out is not None:
        write_atomic(out, report.render(fmt))
    elif fmt == "text":
        from rich.console import Console

        from stepgrad.check.formats.text import report_renderable

        Console().print(report_renderable(report))
    else:
        click.echo(report.render(fmt), nl=False)
    sys.exit(0 if report.ok else 1)
