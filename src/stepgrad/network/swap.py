"""Replacing several files in a folder as one unit: a reader sees all old files or all new ones.

Renaming one file is atomic, several renames are not: a kill between them leaves a mix. So the
whole folder is rebuilt beside itself and the two are exchanged with one system call:

1. ``PARENT/.stepgrad-PID-HASH.new`` gets the new files (``write_new``) and a hard link to every
   other file of the folder that is kept (``keep``), so a user's own files survive untouched
   (same inode; copied where a file system cannot link);
2. ``renameat2(RENAME_EXCHANGE)`` swaps the two folders atomically (Linux); elsewhere the folder
   is renamed aside to ``….old`` and the new one into place, a moment ``recover`` undoes;
3. the old folder, now at the temporary name, is deleted.

A kill at any point leaves the folder with the complete old or the complete new files, plus at most
one temporary folder beside it, which the next ``replace_folder`` there deletes (``recover``).
The folder is a new directory afterwards: a shell whose working directory was inside it sees
the old, deleted one until it changes directory again.
"""

from __future__ import annotations

import ctypes
import errno
import hashlib
import os
import shutil
from collections.abc import Callable
from pathlib import Path

from stepgrad.errors import StepgradError
from stepgrad.network.atomic import STALE_NAME, process_alive

#: More kept entries than this and rebuilding the folder would be slow: the caller should write elsewhere.
MAX_KEPT = 5000
_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _digest(target: Path) -> str:
    return hashlib.sha256(target.name.encode("utf-8", "surrogateescape")).hexdigest()[:8]


def _temporary_folder(target: Path, kind: str) -> Path:
    """``PARENT/.stepgrad-PID-HASH.KIND``: short, and names the folder it belongs to by a hash of its name."""
    return target.parent / f".stepgrad-{os.getpid()}-{_digest(target)}.{kind}"


def recover(target: Path) -> None:
    """Undo what a killed ``replace_folder`` of ``target`` left: put the old folder back if ``target`` is
    missing (killed between two renames), and delete the temporary folders of dead processes.

    Call it before reading ``target``: until then a killed run may have left it missing.
    """
    target = Path(os.path.realpath(target))
    try:
        names = sorted(os.listdir(target.parent))
    except OSError:
        return
    for name in names:
        match = STALE_NAME.fullmatch(name)
        if not match or match.group(2) == ".tmp" or not name.endswith(f"-{_digest(target)}{match.group(2)}"):
            continue
        if process_alive(int(match.group(1))):
            continue
        leftover = target.parent / name
        if match.group(2) == ".old" and not os.path.lexists(target):
            os.rename(leftover, target)  # the complete old set, back where it was
        else:
            shutil.rmtree(leftover, ignore_errors=True)


def _exchange(first: Path, second: Path) -> bool:
    """Swap two folders atomically; False where the system cannot (then nothing happened)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    result = renameat2(_AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), _RENAME_EXCHANGE)
    if result == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP):
        return False
    raise OSError(code, os.strerror(code), str(second))


def _put_in_place(staging: Path, target: Path) -> None:
    """``staging`` becomes ``target``; the old ``target`` ends up at ``staging``'s name (then deleted)."""
    if not os.path.lexists(target):
        os.rename(staging, target)
        return
    if _exchange(staging, target):
        return
    aside = _temporary_folder(target, "old")
    os.rename(target, aside)
    try:
        os.rename(staging, target)
    except OSError:
        os.rename(aside, target)
        raise
    os.rename(aside, staging)


def _link(source: Path, destination: Path) -> None:
    """``destination`` is ``source`` (a hard link; a copy where links are not possible; links stay links)."""
    if source.is_symlink():
        os.symlink(os.readlink(source), destination)
        return
    try:
        os.link(source, destination)
    except OSError:
        shutil.copy2(source, destination)


def kept_entries(folder: Path, keep: Callable[[str], bool]) -> list[str]:
    """The paths in ``folder`` (relative, ``/``-separated, folders before what they hold) that ``keep`` accepts."""
    found: list[str] = []
    for root, folders, files in os.walk(folder):
        base = Path(root).relative_to(folder)
        for name in sorted(folders) + sorted(files):
            relative = (base / name).as_posix()
            if keep(relative):
                found.append(relative)
        if len(found) > MAX_KEPT:
            raise StepgradError(
                f"holds more than {MAX_KEPT} other files; give a folder of their own to stepgrad's files", str(folder)
            )
    return found


def _copy_kept(folder: Path, staging: Path, kept: list[str]) -> None:
    for relative in kept:
        source, destination = folder / relative, staging / relative
        if os.path.lexists(destination):
            if destination.is_dir() and source.is_dir() and not source.is_symlink():
                continue
            raise StepgradError("would be replaced, and stepgrad did not write it: move it away first", str(source))
        destination.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir() and not source.is_symlink():
            destination.mkdir()
            shutil.copystat(source, destination)
        else:
            _link(source, destination)


def replace_folder(folder: Path, write_new: Callable[[Path], None], keep: Callable[[str], bool]) -> list[str]:
    """Make ``folder`` hold what ``write_new(staging)`` writes plus the old entries ``keep`` accepts, in one step.

    Returns the kept entries. Raises ``StepgradError`` (the folder unchanged) when a kept entry is
    in the way of a new one or the folder cannot be rebuilt.
    """
    target = Path(os.path.realpath(folder))
    recover(target)
    staging = _temporary_folder(target, "new")
    try:
        os.mkdir(staging)
        if target.is_dir():
            shutil.copymode(target, staging)
        write_new(staging)
        kept = kept_entries(target, keep) if target.is_dir() else []
        _copy_kept(target, staging, kept)
        _put_in_place(staging, target)
    except OSError as error:
        raise StepgradError(f"cannot write: {error.strerror or error}", str(folder)) from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return kept
