"""Writing exercises to a folder: one sub-folder per variant with every page.

``DIR/exercise-01/``: ``network.toml``, ``network.svg``, ``questions.md``,
``questions.html``, ``answers.txt`` (blank template), ``key.md``, ``key.html``,
``key.txt`` (the template filled with exact values) and, with ``lms="moodle"``,
``quiz.xml``. Every file is written atomically.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from stepgrad.errors import StepgradError
from stepgrad.exercise.generate import ExerciseSpec, generate_setups
from stepgrad.exercise.sheets import Exercise
from stepgrad.network.files import save_setup, write_atomic

LMS_FORMATS = ("moodle",)


def write_exercise(
    exercise: Exercise, folder: Path, lms: str | None = None, meta: dict[str, object] | None = None
) -> list[Path]:
    """Write one exercise's files into ``folder`` (created); returns the paths written."""
    folder.mkdir(parents=True, exist_ok=True)
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
    put("key.md", exercise.key("markdown"))
    put("key.html", exercise.key("html"))
    if lms == "moodle":
        put("quiz.xml", exercise.moodle())
    elif lms is not None:
        raise StepgradError(f"unknown LMS format {lms!r}; known: {', '.join(LMS_FORMATS)}")
    return written


def write_exercises(
    out: Path,
    seed: int,
    spec: ExerciseSpec,
    count: int = 1,
    lms: str | None = None,
    progress: Callable[[Path], None] | None = None,
) -> list[Path]:
    """Generate ``count`` distinct exercises from ``seed`` and write each to ``out/exercise-NN``."""
    if count < 1:
        raise StepgradError(f"--count must be at least 1, got {count}")
    folders = []
    for number, setup in enumerate(generate_setups(seed, spec, count), start=1):
        folder = out / f"exercise-{number:02d}"
        title = f"Exercise {number} (seed {seed})"
        write_exercise(Exercise(setup, title), folder, lms, meta={"seed": seed, "variant": number})
        folders.append(folder)
        if progress is not None:
            progress(folder)
    return folders
