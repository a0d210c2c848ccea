"""Which exercise each answers file is for: the class's exercises, the roster, the template's header.

A class folder (``stepgrad exercise --count N --out DIR``) holds ``exercise-NN/network.toml`` whose
``[meta]`` keeps ``seed``, ``variant`` and ``ask``. An answers file is routed to its exercise by

1. the roster (``--roster roster.csv``: columns ``student``, ``variant`` and optionally ``email`` and
   ``id``; the variant is the exercise's number, ``2``, or folder name, ``exercise-02``), matched by
   the file's name without suffix, or else
2. the first line the answers template writes, ``# Exercise 2 (seed 7): your answers, …``.

When both say something and they disagree, the file is not graded (a learner who worked a classmate's
variant): the teacher decides. Every problem is one line, and the rest of the class is still graded.
"""

from __future__ import annotations

import csv
import os
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from stepgrad.errors import StepgradError
from stepgrad.exercise.ask import ask_of
from stepgrad.network.files import parse_setup, read_document
from stepgrad.network.model import Setup

#: The header the answers template writes: ``# Exercise 2 (seed 7): …``.
HEADER = re.compile(r"^\s*#\s*Exercise\s+(\d+)\s*\(seed\s+(\d+)\)", re.IGNORECASE)
_HEADER_LINES = 5


@dataclass(frozen=True)
class ClassExercise:
    """One exercise of a class.

    Attributes:
        number: its number in the class (``exercise-02`` is 2; 1 for a lone exercise).
        name: its folder's name.
        setup: its network and sample.
        seed: the class's seed (None for a network file without one).
        ask: what its sheet asks (``stepgrad.exercise.ask``).
    """

    number: int
    name: str
    setup: Setup
    seed: int | None
    ask: str


@dataclass(frozen=True)
class Submission:
    """One student's row: the file to grade against one exercise, or why it cannot be graded.

    Attributes:
        student: the roster's name, else the file's name without suffix.
        path: the answers file ('' when the roster lists a student without one).
        exercise: the exercise to grade against (None when it cannot be graded).
        student_id: the roster's ``id``.
        email: the roster's ``email``.
        problem: why the file is not graded (one line).
    """

    student: str
    path: str
    exercise: ClassExercise | None
    student_id: str = ""
    email: str = ""
    problem: str = ""


@dataclass(frozen=True)
class RosterEntry:
    """A roster row: who works which exercise."""

    student: str
    variant: int
    student_id: str = ""
    email: str = ""


@dataclass
class Roster:
    """The roster's usable rows by student, and one line per row it could not use."""

    entries: dict[str, RosterEntry] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


def _exercise(folder: Path, number: int, network_file: Path) -> ClassExercise:
    document, text = read_document(network_file)
    meta = document.get("meta", {}) if isinstance(document.get("meta"), dict) else {}
    seed = meta.get("seed")
    return ClassExercise(
        number,
        folder.name,
        parse_setup(document, str(network_file), text),
        seed if isinstance(seed, int) else None,
        ask_of(meta),
    )


def load_class(path: Path) -> list[ClassExercise]:
    """The exercises of a class folder, of one exercise folder, or of a network file."""
    if not path.exists():
        raise StepgradError("no such folder" if not path.suffix else "no such file", str(path))
    if not path.is_dir():
        return [_exercise(path.parent, 1, path)]
    if (path / "network.toml").is_file():
        match = re.fullmatch(r"exercise-(\d+)", path.name)
        return [_exercise(path, int(match.group(1)) if match else 1, path / "network.toml")]
    folders = sorted(
        folder for folder in path.iterdir() if re.fullmatch(r"exercise-\d+", folder.name) and folder.is_dir()
    )
    exercises = [
        _exercise(folder, int(folder.name.split("-")[1]), folder / "network.toml")
        for folder in folders
        if (folder / "network.toml").is_file()
    ]
    if not exercises:
        raise StepgradError(
            "has no network.toml and no exercise-NN folders: give a class or exercise folder", str(path)
        )
    return exercises


def read_header(path: str | Path) -> tuple[int, int] | None:
    """``(exercise number, seed)`` from an answers file's first lines, None when it has no such header."""
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            lines = [handle.readline() for _ in range(_HEADER_LINES)]
    except OSError:
        return None
    for line in lines:
        match = HEADER.match(line)
        if match:
            return int(match.group(1)), int(match.group(2))
    return None


def _variant_number(text: str) -> int | None:
    match = re.fullmatch(r"\s*(?:exercise-?\s*)?0*(\d+)\s*", text, re.IGNORECASE)
    return int(match.group(1)) if match else None


def read_roster(path: Path, numbers: Sequence[int]) -> Roster:
    """The roster's rows; a row without a student, with an unknown variant or a student listed before is one
    line in ``problems`` (that row is left out). A roster that cannot be read at all is a ``StepgradError``."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise StepgradError(f"cannot read the roster: {getattr(error, 'strerror', None) or error}", str(path)) from None
    reader = csv.DictReader(text.splitlines())
    columns = {name.strip().lower(): name for name in reader.fieldnames or []}
    if "student" not in columns or "variant" not in columns:
        raise StepgradError(
            "the roster needs the columns 'student' and 'variant' (and optionally email, id)", str(path)
        )
    roster = Roster()
    for line, row in enumerate(reader, start=2):
        cell = {key: (row.get(name) or "").strip() for key, name in columns.items()}
        student, variant = cell["student"], _variant_number(cell["variant"])
        where = f"{path}: line {line}"
        if not student:
            roster.problems.append(f"{where}: no student name")
        elif student in roster.entries:
            roster.problems.append(f"{where}: {student} is listed twice: this row is left out")
        elif variant is None or variant not in numbers:
            roster.problems.append(f"{where}: {student}: no exercise {cell['variant']!r} in this class")
        else:
            roster.entries[student] = RosterEntry(student, variant, cell.get("id", ""), cell.get("email", ""))
    return roster


def _by_header(path: str, exercises: dict[int, ClassExercise]) -> tuple[ClassExercise | None, str]:
    header = read_header(path)
    if header is None:
        return None, ""
    number, seed = header
    seeds = sorted({exercise.seed for exercise in exercises.values() if exercise.seed is not None})
    if seeds and seed not in seeds:
        return None, f"its header names seed {seed}, this class is seed {', '.join(map(str, seeds))}"
    exercise = exercises.get(number)
    if exercise is None:
        return None, f"its header names Exercise {number}, which this class does not have"
    return exercise, ""


def learner_names(paths: Sequence[str | Path]) -> list[str]:
    """A name per answer file: its stem, or its path from the files' common folder when stems repeat."""
    stems = [Path(path).stem for path in paths]
    if len(set(stems)) == len(stems):
        return stems
    resolved = [Path(path).resolve() for path in paths]
    common = Path(os.path.commonpath([str(path.parent) for path in resolved]))
    relative = [path.relative_to(common) for path in resolved]
    names = [str(path.with_suffix("")) for path in relative]
    return names if len(set(names)) == len(names) else [str(path) for path in relative]


def route(files: Sequence[str], exercises: Sequence[ClassExercise], roster: Roster | None) -> list[Submission]:
    """A submission per file, with its exercise or its problem, then the roster's students who handed in nothing.

    Without a roster a student is named by the file (``learner_names``); with one, by the file's stem, and two
    files of one student are both left ungraded (which one counts is the teacher's call).
    """
    by_number = {exercise.number: exercise for exercise in exercises}
    students = [Path(path).stem for path in files] if roster else learner_names(files)
    counts = Counter(students)
    submissions = []
    for path, student in zip(files, students, strict=True):
        if counts[student] > 1:
            others = ", ".join(other for other, name in zip(files, students, strict=True) if name == student)
            submissions.append(Submission(student, path, None, problem=f"{student} has several answer files: {others}"))
            continue
        entry = roster.entries.get(student) if roster else None
        from_header, problem = _by_header(path, by_number)
        chosen = by_number[entry.variant] if entry else from_header
        if entry and from_header and from_header is not chosen:
            problem = (
                f"its header names Exercise {from_header.number}, the roster gives {student} Exercise {entry.variant}"
            )
        elif entry and problem:
            problem = ""  # the roster decides; a header from another class is only a leftover
        elif chosen is None and not problem:
            if len(exercises) == 1:
                chosen = exercises[0]
            else:
                missing = "not in the roster, and " if roster else ""
                problem = f"{missing}no '# Exercise N (seed S)' header says which exercise it is"
        ids = (entry.student_id, entry.email) if entry else ("", "")
        submissions.append(Submission(student, path, None if problem else chosen, *ids, problem=problem))
    handed_in = set(students)
    for entry in roster.entries.values() if roster else ():
        if entry.student not in handed_in:
            submissions.append(
                Submission(entry.student, "", None, entry.student_id, entry.email, problem="no answers file")
            )
    return submissions
