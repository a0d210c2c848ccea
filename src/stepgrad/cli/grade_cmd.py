"""``stepgrad grade --exercise DIR ANSWERS…``: check a class's answer files, write CSV and Markdown."""

from __future__ import annotations

from pathlib import Path

import click


@click.command("grade")
@click.option(
    "--exercise",
    "exercise",
    type=click.Path(),
    required=True,
    help="The exercise folder (with network.toml) or a network file.",
)
@click.argument("answers", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option(
    "--out",
    "out",
    type=click.Path(file_okay=False),
    default=None,
    help="Where to write grades.csv, steps.csv and grades.md [default: the exercise folder].",
)
def grade(exercise: str, answers: tuple[str, ...], out: str | None) -> None:
    """Check every ANSWERS file against the exercise; write grades.csv (per learner), steps.csv (per step)
    and grades.md (both)."""
    from stepgrad.errors import StepgradError
    from stepgrad.exercise.grade import grade as grade_class
    from stepgrad.network.files import load_setup, write_atomic

    path = Path(exercise)
    network_file = path / "network.toml" if path.is_dir() else path
    setup = load_setup(network_file)
    result = grade_class(setup, answers)
    folder = Path(out) if out else network_file.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
        write_atomic(folder / "grades.csv", result.to_csv())
        write_atomic(folder / "steps.csv", result.steps_csv())
        write_atomic(folder / "grades.md", result.to_markdown(f"Grades for {network_file}"))
    except OSError as error:
        raise StepgradError(f"cannot write the grades: {error.strerror or error}", str(folder)) from None
    for learner in result.learners:
        click.echo(f"{learner.learner}: {learner.summary()}")
    click.echo(f"wrote {folder / 'grades.csv'}, {folder / 'steps.csv'} and {folder / 'grades.md'}")
