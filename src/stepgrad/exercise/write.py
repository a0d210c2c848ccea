"""Writing exercises to a folder: one sub-folder per variant with every page.

``DIR/exercise-01/``: ``network.toml`` (its ``[meta]`` has the ``seed`` and ``variant`` that
``generate_setup`` rebuilds it from), ``network.svg``, ``questions.md``, ``questions.html``,
``answers.txt`` (blank template), ``key.md`` (linking ``key.svg``, the diagram with every
value), ``key.html``, ``key.txt`` (the template filled with the values rounded as the sheet asks) and, with
``lms``, each platform's files (``stepgrad.exercise.lms``: ``quiz.xml``, ``quiz.gift``, ``quiz-canvas.zip``,
``prairielearn/``); with several exercises also the class's quiz files in ``DIR``. Every file is
written atomically, and a set of exercises replaces an old one (``--force``) as a whole
(``write_exercises``), keeping every file in ``DIR`` that stepgrad did not write
(``DIR/.stepgrad-manifest.json`` lists the ones it did).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from stepgrad.errors import StepgradError, quantity
from stepgrad.exercise.ask import DEFAULT_ASK
from stepgrad.exercise.generate import ExerciseSpec, check_spec, generate_setup, generate_variants
from stepgrad.exercise.lms import LMS_EXPORTS, check_lms
from stepgrad.exercise.manifest import MANIFEST, changed_files, stepgrad_files, write_manifest
from stepgrad.exercise.sheets import Exercise
from stepgrad.network.files import save_setup, write_atomic
from stepgrad.network.swap import recover, replace_folder

LmsChoice = str | Sequence[str] | None


def lms_names(lms: LmsChoice) -> tuple[str, ...]:
    """The platforms asked for: none, one name, or several; ``StepgradError`` for an unknown one."""
    names = () if lms is None else (lms,) if isinstance(lms, str) else tuple(lms)
    check_lms(names)
    return names


def _make_folder(folder: Path, named: Path | None = None) -> None:
    """Create ``folder`` (and its parents); a failure is said of ``named`` (default: ``folder``)."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise StepgradError(f"cannot create the folder: {error.strerror or error}", str(named or folder)) from None


def write_exercise(
    exercise: Exercise,
    folder: Path,
    lms: LmsChoice = None,
    meta: dict[str, object] | None = None,
    pdf: bool = False,
) -> list[Path]:
    """Write one exercise's files into ``folder`` (created); returns the paths written. With ``pdf`` also
    ``questions.pdf`` and ``key.pdf`` (``stepgrad.exercise.printable``, through pdflatex)."""
    platforms = lms_names(lms)
    _make_folder(folder)
    written: list[Path] = []

    def put(name: str, text: str | bytes) -> None:
        _make_folder((folder / name).parent)
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
    if pdf:
        from stepgrad.exercise.printable import compile_pdf, key_latex, question_latex

        put("questions.pdf", compile_pdf(question_latex(exercise), "questions"))
        put("key.pdf", compile_pdf(key_latex(exercise), "key"))
    if platforms:
        part = exercise.moodle_questions()
        tags = [f"seed-{meta['seed']}", f"variant-{meta['variant']}"] if meta and "seed" in meta else []
        for platform in platforms:
            for name, content in LMS_EXPORTS[platform].exercise(part, [*tags, folder.name]).items():
                put(name, content)
    return written


def existing_exercises(out: Path) -> list[Path]:
    """The exercises stepgrad wrote in ``out``: its ``exercise-NN`` folders and the class ``quiz.xml``
    (from ``out/.stepgrad-manifest.json``, or by their names in an older folder without one)."""
    if not out.is_dir():
        return []
    return sorted({out / name.split("/")[0] for name in stepgrad_files(out) if (out / name).exists()})


def write_exercises(
    out: Path,
    seed: int,
    spec: ExerciseSpec,
    count: int = 1,
    lms: LmsChoice = None,
    progress: Callable[[Path], None] | None = None,
    force: bool = False,
    note: Callable[[str], None] | None = None,
    ask: str = DEFAULT_ASK,
    pdf: bool = False,
) -> list[Path]:
    """Generate ``count`` distinct exercises from ``seed`` and write each to ``out/exercise-NN``.

    With ``lms`` and several exercises, the class's quiz files in ``out`` hold them all (``stepgrad.exercise.lms``).
    ``out`` must not hold exercises already (``existing_exercises``: an old ``exercise-03`` or class quiz
    would mix with the new ones) unless ``force``: then the files stepgrad wrote (its manifest,
    ``stepgrad.exercise.manifest``) are replaced and every other file stays, which ``note`` is told in one
    line. A file stepgrad wrote and someone changed since is refused, not replaced. The new set and the
    kept files are put together beside ``out`` and swapped in with one rename
    (``stepgrad.network.swap.replace_folder``): a failure or a kill leaves the old set or the new one.
    """
    check_spec(spec)
    platforms = lms_names(lms)
    Exercise(generate_setup(seed, spec), ask=ask).sections()  # an unknown --ask is one line before anything is written
    recover(out)  # a run killed between two renames left the old set beside ``out``: put it back first
    if out.exists() and not out.is_dir():
        raise StepgradError("is not a folder", str(out))
    old = existing_exercises(out)
    if old and not force:
        shown = ", ".join(path.name for path in old[:4]) + (", …" if len(old) > 4 else "")
        raise StepgradError(
            f"already holds exercises ({shown}): give --force to replace them, or another folder", str(out)
        )
    ours = stepgrad_files(out) if out.is_dir() else {}
    changed = changed_files(out, ours)
    if changed:
        message = "changed since stepgrad wrote it: not replacing it (move it away, then run again)"
        raise StepgradError(message, str(out / changed[0]))
    _make_folder(out.parent, named=out)
    names: list[str] = []

    def write_new(staging: Path) -> None:
        names.extend(_write_all(staging, seed, spec, count, platforms, ask, pdf))
        write_manifest(staging)

    not_foreign = set(ours) | {str(Path(name).parent) for name in ours} | {MANIFEST}
    kept = replace_folder(out, write_new, keep=lambda name: name not in not_foreign)
    placed = [out / name for name in names]
    if progress is not None:
        for path in placed:
            progress(path)
    kept_files = sorted(name for name in kept if not (out / name).is_dir())
    if note is not None and old and kept_files:
        shown = ", ".join(kept_files[:3]) + (", …" if len(kept_files) > 3 else "")
        note(f"kept {quantity(len(kept_files), 'file')} in {out} that stepgrad did not write ({shown})")
    return [path for path in placed if path.is_dir()]


def _write_all(
    staging: Path, seed: int, spec: ExerciseSpec, count: int, platforms: Sequence[str], ask: str, pdf: bool
) -> list[str]:
    """Every exercise (and the class quiz) into ``staging``; the names written there, in order."""
    exercises, names = [], []
    for number, (variant, setup) in enumerate(generate_variants(seed, spec, count), start=1):
        name = f"exercise-{number:02d}"
        exercise = Exercise(setup, f"Exercise {number} (seed {seed})", ask)
        meta: dict[str, object] = {"seed": seed, "variant": variant, "ask": ask}
        write_exercise(exercise, staging / name, platforms, meta=meta, pdf=pdf)
        exercises.append(exercise)
        names.append(name)
    if pdf and len(exercises) > 1:
        from stepgrad.exercise.printable import booklet_latex, compile_pdf

        write_atomic(staging / "booklet.pdf", compile_pdf(booklet_latex(exercises), "booklet"))
        names.append("booklet.pdf")
    if platforms and len(exercises) > 1:
        parts = [exercise.moodle_questions() for exercise in exercises]
        for platform in platforms:
            for file_name, content in LMS_EXPORTS[platform].klass(f"seed {seed}", parts).items():
                write_atomic(staging / file_name, content)
                names.append(file_name)
    return names
