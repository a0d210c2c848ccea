"""``stepgrad grade CLASS_DIR ANSWERS…``: check a class's answer files, each against its own exercise."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, cast

import click

from stepgrad.exercise.gradebooks import GRADEBOOKS

if TYPE_CHECKING:
    from stepgrad.exercise.grade import ClassGrades, Credit

#: What ``grade`` writes, as one unit (with the ``feedback/`` folder).
RESULT_FILES = ("grades.csv", "details.csv", "steps.csv", "grades.md")

_HELP = """Check every ANSWERS file against its exercise and write the class's grades.

CLASS_DIR is a class folder (written by `stepgrad exercise --count N --out CLASS_DIR`), one exercise folder
or a network file (also given as --exercise). Each file is routed to its exercise by --roster, else by the
first line the answers template writes (`# Exercise 2 (seed 7): …`).

\b
Written into --out (default CLASS_DIR), replaced together:
  grades.csv   the gradebook: Student, ID, Email, Score (percent), Problem
  details.csv  per learner: strict and ECF scores, first wrong step, mistake
  steps.csv    per step: how many got it wrong, carried an error, left it blank
  grades.md    all of it, and the most common mistakes
  feedback/    per learner, the check report as NAME.md and NAME.html
  grades-canvas.csv, grades-moodle.csv   with --gradebook: the platform's import file

A file that cannot be graded (unreadable, no or a wrong exercise, two files of one student, a roster
student without a file) gets a BLANK score and its reason in Problem, never 0: a gradebook records 0.

\b
--credit ecf (default): a value right from the learner's own earlier, wrong values counts (error carried
  forward: one slip costs one mark); --credit strict: only values right themselves count.

\b
Importing the grades (--gradebook canvas, --gradebook moodle; learners who could not be graded are left out,
so an import never clears a grade):
  Canvas: Grades > Import, choose grades-canvas.csv (Student, ID, SIS User ID, SIS Login ID, Section, then
    the assignment, out of 100 points). Rows match by ID: give the roster's id column the Canvas user ID.
  Moodle: Grades > Import > CSV file, choose grades-moodle.csv; map "Email address" to email address and the
    assignment's column to the grade item (maximum 100). Learners without an email are left out.
"""


@click.command("grade", help=_HELP)
@click.argument("class_dir", required=False, type=click.Path())
@click.argument("answers", nargs=-1, type=click.Path(dir_okay=False))
@click.option(
    "--exercise",
    "exercise",
    type=click.Path(),
    default=None,
    help="The class or exercise folder (or a network file), instead of CLASS_DIR.",
)
@click.option(
    "--roster",
    type=click.Path(dir_okay=False),
    default=None,
    help="CSV with the columns student (the answers file's name without suffix), variant (2 or exercise-02) "
    "and optionally email and id.",
)
@click.option(
    "--credit",
    type=click.Choice(["ecf", "strict"]),
    default="ecf",
    show_default=True,
    help="ecf: error carried forward counts; strict: only values right themselves.",
)
@click.option(
    "--gradebook",
    "gradebooks",
    type=click.Choice(list(GRADEBOOKS)),
    multiple=True,
    help="Also write the platform's gradebook import file (repeat for both): grades-canvas.csv, grades-moodle.csv.",
)
@click.option(
    "--assignment",
    default="Backpropagation exercise",
    show_default=True,
    help="The assignment's (grade item's) name in the --gradebook files.",
)
@click.option(
    "--out",
    "out",
    type=click.Path(file_okay=False),
    default=None,
    help="Where to write the grades [default: the class or exercise folder]. The folder is rebuilt beside "
    "itself and swapped in, so the files change together; its other files stay.",
)
def grade(
    class_dir: str | None,
    answers: tuple[str, ...],
    exercise: str | None,
    roster: str | None,
    credit: str,
    gradebooks: tuple[str, ...],
    assignment: str,
    out: str | None,
) -> None:
    from stepgrad.errors import StepgradError
    from stepgrad.exercise.grade import grade_submissions
    from stepgrad.exercise.route import load_class, read_roster, route
    from stepgrad.network.swap import recover

    if exercise is None and class_dir is None:
        raise StepgradError("give the class folder and the answers files: stepgrad grade CLASS_DIR ANSWERS…")
    if exercise is not None and class_dir is not None:
        answers = (class_dir, *answers)  # with --exercise every argument is an answers file
    source = Path(exercise if exercise is not None else str(class_dir))
    if not answers:
        raise StepgradError("no answers files to grade: stepgrad grade CLASS_DIR ANSWERS…")
    recover(source)  # before reading it: a killed run may have left the old folder beside it
    exercises = load_class(source)
    folder = Path(out) if out else (source if source.is_dir() else source.parent)
    recover(folder)
    inputs = [("the network file", str(source)), *(("an answers file", path) for path in answers)]
    _refuse_overwriting(folder, [*inputs, *([("the roster", roster)] if roster else [])])
    class_roster = read_roster(Path(roster), [e.number for e in exercises]) if roster else None
    submissions = route(list(answers), exercises, class_roster)
    problems = class_roster.problems if class_roster else []
    result = grade_submissions(submissions, cast("Credit", credit), problems)
    _write(folder, result, f"Grades for {source}", {name: assignment for name in gradebooks})
    for problem in problems:
        click.echo(f"roster: {problem}")
    for learner in result.learners:
        click.echo(f"{learner.learner}: {learner.summary()}")
    not_graded = result.not_graded()
    if not_graded:
        click.echo(f"not graded ({len(not_graded)}, blank in grades.csv):")
        for learner in not_graded:
            click.echo(f"  {learner.learner}: {learner.error}")
    click.echo(f"wrote grades.csv, details.csv, steps.csv, grades.md and feedback/ in {folder}")
    _report_gradebooks(result, gradebooks)


def _report_gradebooks(result: ClassGrades, gradebooks: tuple[str, ...]) -> None:
    """Which gradebook files were written, and how many learners each leaves out."""
    for name in dict.fromkeys(gradebooks):
        gradebook = GRADEBOOKS[name]
        left_out = len(result.learners) - len(gradebook.kept(result))
        click.echo(f"wrote {gradebook.filename} ({left_out} of {len(result.learners)} learners left out)")


def _result_files() -> tuple[str, ...]:
    """Every file ``grade`` may write: replaced or removed together (a gradebook file not asked for this time
    would be stale)."""
    return (*RESULT_FILES, *(gradebook.filename for gradebook in GRADEBOOKS.values()))


def _refuse_overwriting(folder: Path, inputs: list[tuple[str, str]]) -> None:
    """A one-line error when writing the results would replace an input or a read-only result."""
    from stepgrad.cli.outputs import refuse_inputs
    from stepgrad.errors import StepgradError
    from stepgrad.exercise.feedback import FEEDBACK_FOLDER
    from stepgrad.network.atomic import is_read_only

    for name in _result_files():
        refuse_inputs(folder / name, inputs)
        if (folder / name).is_file() and is_read_only(folder / name):
            raise StepgradError("is read-only: not replacing it (make it writable, or use --out)", str(folder / name))
    feedback = (folder / FEEDBACK_FOLDER).resolve()
    for _, path in inputs:
        if feedback in Path(path).resolve().parents:
            raise StepgradError(f"is in {FEEDBACK_FOLDER}/, which grade replaces: move it, or use --out", path)


def _write(folder: Path, result: ClassGrades, title: str, gradebooks: dict[str, str]) -> None:
    """grades.csv, details.csv, steps.csv, grades.md, feedback/ and the ``gradebooks`` (platform → assignment
    name) into ``folder``, as one unit."""
    from stepgrad.errors import StepgradError
    from stepgrad.exercise.feedback import FEEDBACK_FOLDER, feedback_files
    from stepgrad.network.atomic import write_atomic
    from stepgrad.network.swap import replace_folder

    texts = dict(
        zip(
            RESULT_FILES,
            [result.to_csv(), result.details_csv(), result.steps_csv(), result.to_markdown(title)],
            strict=True,
        )
    )
    texts.update(feedback_files(result))
    for name, assignment in gradebooks.items():
        texts[GRADEBOOKS[name].filename] = GRADEBOOKS[name].text(result, assignment)
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise StepgradError(f"cannot write the grades: {error.strerror or error}", str(folder)) from None

    def write_new(staging: Path) -> None:
        (staging / FEEDBACK_FOLDER).mkdir()
        for name, text in texts.items():
            write_atomic(staging / name, text)

    written = _result_files()

    def keep(name: str) -> bool:
        return name not in written and name.split("/")[0] != FEEDBACK_FOLDER

    # The results are one unit: the folder is rebuilt with them and swapped in at once, so a kill never
    # leaves a new grades.csv beside an old steps.csv (stepgrad.network.swap).
    replace_folder(folder, write_new, keep=keep)
