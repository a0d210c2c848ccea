"""``stepgrad grade --exercise DIR ANSWERS…``: check a class's answer files, write CSV and Markdown."""

from __future__ import annotations

from pathlib import Path

import click

#: What ``grade`` writes, as one unit.
RESULT_FILES = ("grades.csv", "steps.csv", "grades.md")


def exercise_network(path: Path) -> Path:
    """The network file of ``--exercise``: the folder's ``network.toml``, or the file itself.

    A class folder (``stepgrad exercise --count N`` writes one) or a missing folder is a one-line error.
    """
    from stepgrad.errors import StepgradError
    from stepgrad.exercise.write import existing_exercises

    if not path.exists():
        raise StepgradError("no such folder" if not path.suffix else "no such file", str(path))
    if not path.is_dir():
        return path
    if (path / "network.toml").is_file():
        return path / "network.toml"
    folders = [folder.name for folder in existing_exercises(path) if folder.is_dir()]
    if folders:
        shown = ", ".join(folders[:6]) + (", …" if len(folders) > 6 else "")
        raise StepgradError(
            f"is a class folder, not one exercise: grade each of its exercise folders ({shown}) with --exercise",
            str(path),
        )
    raise StepgradError("has no network.toml: give an exercise folder or a network file", str(path))


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
    help="Where to write grades.csv, steps.csv and grades.md [default: the exercise folder]. The three are "
    "replaced together (the folder is rebuilt beside itself and swapped in; its other files stay).",
)
def grade(exercise: str, answers: tuple[str, ...], out: str | None) -> None:
    """Check every ANSWERS file against the exercise; write grades.csv (per learner), steps.csv (per step)
    and grades.md (both)."""
    from stepgrad.cli.outputs import refuse_inputs
    from stepgrad.errors import StepgradError
    from stepgrad.exercise.grade import grade as grade_class
    from stepgrad.network.atomic import is_read_only, write_atomic
    from stepgrad.network.files import load_setup
    from stepgrad.network.swap import recover, replace_folder

    recover(Path(exercise))  # before reading it: a killed run may have left the old folder beside it
    network_file = exercise_network(Path(exercise))
    folder = Path(out) if out else network_file.parent
    recover(folder)
    inputs = [("the network file", str(network_file)), *(("an answers file", path) for path in answers)]
    for name in RESULT_FILES:
        refuse_inputs(folder / name, inputs)
        if (folder / name).is_file() and is_read_only(folder / name):
            raise StepgradError("is read-only: not replacing it (make it writable, or use --out)", str(folder / name))
    setup = load_setup(network_file)
    result = grade_class(setup, answers)
    texts = dict(
        zip(
            RESULT_FILES,
            [result.to_csv(), result.steps_csv(), result.to_markdown(f"Grades for {network_file}")],
            strict=True,
        )
    )
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise StepgradError(f"cannot write the grades: {error.strerror or error}", str(folder)) from None

    def write_new(staging: Path) -> None:
        for name, text in texts.items():
            write_atomic(staging / name, text)

    # The three files are one result: the folder is rebuilt with them and swapped in at once, so a
    # kill never leaves a new grades.csv beside an old steps.csv (stepgrad.network.swap).
    replace_folder(folder, write_new, keep=lambda name: name not in RESULT_FILES)
    for learner in result.learners:
        click.echo(f"{learner.learner}: {learner.summary()}")
    click.echo(f"wrote {folder / 'grades.csv'}, {folder / 'steps.csv'} and {folder / 'grades.md'}")
