"""Writing exercises to a folder: one sub-folder per variant with every page.

``DIR/exercise-01/``: ``network.toml`` (its ``[meta]`` has the ``seed`` and ``variant`` that
``generate_setup`` rebuilds it from), ``network.svg``, ``questions.md``, ``questions.html``,
``answers.txt`` (blank template), ``key.md`` (linking ``key.svg``, the diagram with every
value), ``key.html``, ``key.txt`` (the template filled with exact values) and, with
``lms="moodle"``, ``quiz.xml``; with several exercises also ``DIR/quiz.xml``, one quiz for
the class with a category per exercise. Every file is written atomically.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from stepgrad.errors import StepgradError
from stepgrad.exercise.generate import ExerciseSpec, check_spec, generate_variants
from stepgrad.exercise.sheets import Exercise
from stepgrad.network.files import save_setup, write_atomic

LMS_FORMATS = ("moodle",)


def _make_folder(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise StepgradError(f"cannot create the folder: {error.strerror or error}", str(folder)) from None


def _write(path: Path, text: str) -> None:
    try:
        write_atomic(path, text)
    except OSError as error:
        raise StepgradError(f"cannot write it: {error.strerror or error}", str(path)) from None


def write_exercise(
    exercise: Exercise, folder: Path, lms: str | None = None, meta: dict[str, object] | None = None
) -> list[Path]:
    """Write one exercise's files into ``folder`` (created); returns the paths written."""
    if lms is not None and lms not in LMS_FORMATS:
        raise StepgradError(f"unknown LMS format {lms!r}; known: {', '.join(LMS_FORMATS)}")
    _make_folder(folder)
    written: list[Path] = []

    def put(name: str, text: str) -> None:
        _write(folder / name, text)
        written.append(folder / name)

    try:
        save_setup(exercise.setup, folder / "network.toml", meta=meta, header=exercise.title)
    except OSError as error:
        raise StepgradError(f"cannot write it: {error.strerror or error}", str(folder / "network.toml")) from None
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


def write_exercises(
    out: Path,
    seed: int,
    spec: ExerciseSpec,
    count: int = 1,
    lms: str | None = None,
    progress: Callable[[Path], None] | None = None,
) -> list[Path]:
    """Generate ``count`` distinct exercises from ``seed`` and write each to ``out/exercise-NN``.

    With ``lms`` and several exercises, ``out/quiz.xml`` holds them all, a category per exercise.
    """
    check_spec(spec)
    if lms is not None and lms not in LMS_FORMATS:
        raise StepgradError(f"unknown LMS format {lms!r}; known: {', '.join(LMS_FORMATS)}")
    exercises = []
    folders = []
    for number, (variant, setup) in enumerate(generate_variants(seed, spec, count), start=1):
        folder = out / f"exercise-{number:02d}"
        exercise = Exercise(setup, f"Exercise {number} (seed {seed})")
        write_exercise(exercise, folder, lms, meta={"seed": seed, "variant": variant})
        exercises.append(exercise)
        folders.append(folder)
        if progress is not None:
            progress(folder)
    if lms == "moodle" and len(exercises) > 1:
        from stepgrad.exercise.moodle import class_quiz

        parts = [exercise.moodle_questions() for exercise in exercises]
        _write(out / "quiz.xml", class_quiz(f"seed {seed}", parts))
        if progress is not None:
            progress(out / "quiz.xml")
    return folders
