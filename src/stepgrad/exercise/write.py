"""Writing exercises to a folder: one sub-folder per variant with every page.

``DIR/exercise-01/``: ``network.toml`` (its ``[meta]`` has the ``seed`` and ``variant`` that
``generate_setup`` rebuilds it from), ``network.svg``, ``questions.md``, ``questions.html``,
``answers.txt`` (blank template), ``key.md`` (linking ``key.svg``, the diagram with every
value), ``key.html``, ``key.txt`` (the template filled with exact values) and, with
``lms="moodle"``, ``quiz.xml``; with several exercises also ``DIR/quiz.xml``, one quiz for
the class with a category per exercise. Every file is written atomically, and a set of
exercises replaces an old one (``--force``) as a whole (``write_exercises``).
"""

from __future__ import annotations

import re
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from stepgrad.errors import StepgradError
from stepgrad.exercise.generate import ExerciseSpec, check_spec, generate_variants
from stepgrad.exercise.sheets import Exercise
from stepgrad.network.files import save_setup, write_atomic

LMS_FORMATS = ("moodle",)
#: Files a class folder holds beside its ``exercise-NN`` folders.
CLASS_FILES = ("quiz.xml",)
_EXERCISE_FOLDER = re.compile(r"exercise-\d+")


def _make_folder(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise StepgradError(f"cannot create the folder: {error.strerror or error}", str(folder)) from None


def write_exercise(
    exercise: Exercise, folder: Path, lms: str | None = None, meta: dict[str, object] | None = None
) -> list[Path]:
    """Write one exercise's files into ``folder`` (created); returns the paths written."""
    if lms is not None and lms not in LMS_FORMATS:
        raise StepgradError(f"unknown LMS format {lms!r}; known: {', '.join(LMS_FORMATS)}")
    _make_folder(folder)
    written: list[Path] = []

    def put(name: str, text: str) -> None:
        write_atomic(folder / name, text)
        written.append(folder / name)

    save_setup(exercise.setup, folder / "network.toml", meta=meta, header=exercise.title)
    written.append(folder / "network.toml")
    put("network.svg", exercise.diagram_svg())
    put("questions.md", exercise.question_markdown())
    put("questions.html", exercise.question_html())
    put("answers.txt", exercise.answers_template())
    put("key.txt", exercise.key_values())
    put("key.svg", exercise.key_diagram_svg())
    put("key.md", exercise.key("markdown"))
    put("key.html", exercise.key("html"))
    if lms == "moodle":
        put("quiz.xml", exercise.moodle())
    return written


def existing_exercises(out: Path) -> list[Path]:
    """The stepgrad exercise files already in ``out``: ``exercise-NN`` folders and the class ``quiz.xml``."""
    if not out.is_dir():
        return []
    found = [path for path in out.iterdir() if path.is_dir() and _EXERCISE_FOLDER.fullmatch(path.name)]
    found += [out / name for name in CLASS_FILES if (out / name).exists()]
    return sorted(found)


def write_exercises(
    out: Path,
    seed: int,
    spec: ExerciseSpec,
    count: int = 1,
    lms: str | None = None,
    progress: Callable[[Path], None] | None = None,
    force: bool = False,
) -> list[Path]:
    """Generate ``count`` distinct exercises from ``seed`` and write each to ``out/exercise-NN``.

    With ``lms`` and several exercises, ``out/quiz.xml`` holds them all, a category per exercise.
    ``out`` must not hold exercises already (``existing_exercises``: an old ``exercise-03`` or class quiz
    would mix with the new ones) unless ``force``: then they are replaced. Everything is written into a
    staging folder inside ``out`` first and moved into place only when all of it is written; the old
    exercises are moved aside first and back if the move fails, so a failure leaves the old set or the
    new one, never a mix. Other files in ``out`` are left alone.
    """
    check_spec(spec)
    if lms is not None and lms not in LMS_FORMATS:
        raise StepgradError(f"unknown LMS format {lms!r}; known: {', '.join(LMS_FORMATS)}")
    old = existing_exercises(out)
    if old and not force:
        shown = ", ".join(path.name for path in old[:4]) + (", …" if len(old) > 4 else "")
        raise StepgradError(
            f"already holds exercises ({shown}): give --force to replace them, or another folder", str(out)
        )
    _make_folder(out)
    staging = Path(tempfile.mkdtemp(prefix=".stepgrad-new-", dir=out))
    try:
        names = _write_all(staging, seed, spec, count, lms)
        _swap_in(out, staging, names, old)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    placed = [out / name for name in names]
    if progress is not None:
        for path in placed:
            progress(path)
    return [path for path in placed if path.is_dir()]


def _write_all(staging: Path, seed: int, spec: ExerciseSpec, count: int, lms: str | None) -> list[str]:
    """Every exercise (and the class quiz) into ``staging``; the names written there, in order."""
    exercises, names = [], []
    for number, (variant, setup) in enumerate(generate_variants(seed, spec, count), start=1):
        name = f"exercise-{number:02d}"
        exercise = Exercise(setup, f"Exercise {number} (seed {seed})")
        write_exercise(exercise, staging / name, lms, meta={"seed": seed, "variant": variant})
        exercises.append(exercise)
        names.append(name)
    if lms == "moodle" and len(exercises) > 1:
        from stepgrad.exercise.moodle import class_quiz

        parts = [exercise.moodle_questions() for exercise in exercises]
        write_atomic(staging / "quiz.xml", class_quiz(f"seed {seed}", parts))
        names.append("quiz.xml")
    return names


def _swap_in(out: Path, staging: Path, names: list[str], old: list[Path]) -> None:
    """Move ``old`` aside, ``staging``'s ``names`` into ``out``, then delete the old ones; undo on failure."""
    aside = Path(tempfile.mkdtemp(prefix=".stepgrad-old-", dir=out))
    moved_aside: list[Path] = []
    placed: list[Path] = []
    try:
        for path in old:
            path.rename(aside / path.name)
            moved_aside.append(path)
        for name in names:
            (staging / name).rename(out / name)
            placed.append(out / name)
    except OSError as error:
        for path in placed:
            path.rename(staging / path.name)
        for path in moved_aside:
            (aside / path.name).rename(path)
        shutil.rmtree(aside, ignore_errors=True)
        raise StepgradError(f"cannot move the exercises into place: {error.strerror or error}", str(out)) from None
    shutil.rmtree(aside, ignore_errors=True)
