"""Which files of a class folder stepgrad wrote: ``.stepgrad-manifest.json``.

``stepgrad exercise`` lists every file it writes, with its SHA-256, in ``OUT/.stepgrad-manifest.json``.
``--force`` replaces exactly those files: grades, a learner's file, a folder that only looks like an
exercise (``exercise-2024``) are not stepgrad's and stay. A listed file whose bytes changed since
(a teacher fixed a typo in ``key.md``) is not replaced silently either: ``changed_files`` finds it.
Folders written before manifests existed are read by their names (``legacy_files``).
"""

from __future__ import annotations

import hashlib
import json
import re
import tomllib
from pathlib import Path

from stepgrad.errors import StepgradError

MANIFEST = ".stepgrad-manifest.json"
#: What each exercise folder held before manifests (``--lms moodle`` adds ``quiz.xml``).
LEGACY_EXERCISE_FILES = (
    "network.toml",
    "network.svg",
    "questions.md",
    "questions.html",
    "answers.txt",
    "key.txt",
    "key.md",
    "key.svg",
    "key.html",
    "quiz.xml",
)
_EXERCISE_FOLDER = re.compile(r"exercise-\d+")


def file_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def write_manifest(folder: Path) -> None:
    """List every file under ``folder`` (just written by stepgrad) in ``folder/.stepgrad-manifest.json``."""
    from stepgrad.network.atomic import write_atomic

    files = {
        path.relative_to(folder).as_posix(): file_hash(path) for path in sorted(folder.rglob("*")) if path.is_file()
    }
    document = {"written_by": "stepgrad exercise", "files": files}
    write_atomic(folder / MANIFEST, json.dumps(document, indent=1, sort_keys=True) + "\n")


def stepgrad_files(folder: Path) -> dict[str, str | None]:
    """The files under ``folder`` stepgrad wrote (relative paths → SHA-256 when known), present or not."""
    path = folder / MANIFEST
    if not path.exists():
        return legacy_files(folder)
    try:
        files = json.loads(path.read_text(encoding="utf-8"))["files"]
        return {str(name): str(digest) for name, digest in files.items() if ".." not in Path(name).parts}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        raise StepgradError(
            "is damaged: stepgrad cannot tell which files it wrote; delete it to treat the folder as foreign",
            str(path),
        ) from None


def legacy_files(folder: Path) -> dict[str, str | None]:
    """Without a manifest: the known files of each ``exercise-NN`` folder whose ``network.toml`` has the
    ``seed`` and ``variant`` stepgrad writes, and the class ``quiz.xml`` beside such folders."""
    found: dict[str, str | None] = {}
    if not folder.is_dir():
        return found
    for sub in sorted(folder.iterdir()):
        if sub.is_dir() and _EXERCISE_FOLDER.fullmatch(sub.name) and _is_stepgrad_network(sub / "network.toml"):
            found.update({f"{sub.name}/{name}": None for name in LEGACY_EXERCISE_FILES if (sub / name).is_file()})
    if found and (folder / "quiz.xml").is_file():
        found["quiz.xml"] = None
    return found


def _is_stepgrad_network(path: Path) -> bool:
    try:
        meta = tomllib.loads(path.read_text(encoding="utf-8")).get("meta", {})
    except (OSError, ValueError):
        return False
    return isinstance(meta, dict) and "seed" in meta and "variant" in meta


def changed_files(folder: Path, files: dict[str, str | None]) -> list[str]:
    """The listed files that are there but no longer hold the bytes stepgrad wrote."""
    return [
        name
        for name, digest in sorted(files.items())
        if digest is not None and (folder / name).is_file() and file_hash(folder / name) != digest
    ]
