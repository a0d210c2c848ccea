"""Writing one file so that a crash or a kill leaves the old file or the new one, never half of it.

The new text goes to a temporary file beside the target, is flushed to disk, and is renamed over
the target (one ``rename``: atomic on POSIX). The temporary name is short and recognisable,
``.stepgrad-PID-XXXXXXXX.tmp``, so it fits the file system's 255-byte name limit whatever the
target's name, and a later write into the same folder deletes the ones a killed stepgrad left
(those whose process is gone: ``clean_stale``).
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
from pathlib import Path

from stepgrad.errors import StepgradError

#: Names of stepgrad's temporary files and folders: ``.stepgrad-PID-RANDOM.tmp`` and the like.
STALE_NAME = re.compile(r"\.stepgrad-(\d+)-[0-9a-f]{8}(\.tmp|\.new|\.old)")


def temporary_name(kind: str = "tmp") -> str:
    """A fresh name for a temporary file (``kind`` ``tmp``) or folder (``new``, ``old``) of this process."""
    return f".stepgrad-{os.getpid()}-{secrets.token_hex(4)}.{kind}"


def process_alive(pid: int) -> bool:
    """Whether process ``pid`` still runs (then its temporary files are still in use)."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    return True


def stale_leftovers(directory: Path) -> list[Path]:
    """stepgrad's temporary files and folders in ``directory`` whose process is gone."""
    try:
        names = os.listdir(directory)
    except OSError:
        return []
    found = []
    for name in names:
        match = STALE_NAME.fullmatch(name)
        if match and not process_alive(int(match.group(1))):
            found.append(directory / name)
    return sorted(found)


def clean_stale(directory: Path) -> None:
    """Delete the temporary files (``*.tmp``) a killed stepgrad left in ``directory``.

    Temporary folders (``*.new``, ``*.old``) are left to ``stepgrad.network.swap.recover``, which
    knows which of them still holds the only copy of something.
    """
    for path in stale_leftovers(directory):
        if path.suffix == ".tmp":
            with contextlib.suppress(OSError):  # the write itself reports real problems
                path.unlink()


def follow_links(path: Path) -> tuple[Path, bool]:
    """The file ``path`` finally names, and whether the way there passed a kernel file system.

    ``/dev/stdout`` → ``/proc/self/fd/1`` → a pipe or a terminal: such paths are written
    into, never replaced.
    """
    special = False
    for _ in range(40):
        path = Path(os.path.abspath(path))
        special = special or path.parts[1:2] in (("proc",), ("dev",), ("sys",))
        if not path.is_symlink():
            break
        path = path.parent / os.readlink(path)
    return path, special


def is_read_only(path: Path) -> bool:
    """Whether the user marked ``path`` read-only (no write bit; ``root`` ignores the bits, stepgrad does not)."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return False
    return mode & 0o222 == 0 or not os.access(path, os.W_OK)


def write_atomic(path: str | os.PathLike[str], text: str | bytes) -> None:
    """Write ``text`` (or bytes, e.g. a PNG) to ``path`` atomically: a temporary file beside it, fsync, then rename.

    A symbolic link is followed, so the file it points to is replaced, not the link.
    A path that is not a regular file (``/dev/null``, ``/dev/stdout``, a pipe) is
    written straight into: renaming over it would replace the device with a file.
    A read-only file is refused, not replaced. Any failure (a full disk, no permission,
    a missing folder) raises ``StepgradError`` naming the file and the reason, and leaves
    no temporary file and the old file unchanged.
    """
    try:
        _write_atomic(path, text)
    except OSError as error:
        raise StepgradError(f"cannot write: {error.strerror or error}", str(path)) from None


def _write_atomic(path: str | os.PathLike[str], text: str | bytes) -> None:
    target, special = follow_links(Path(path))
    binary = isinstance(text, bytes)
    if target.is_dir():
        raise StepgradError("is a directory", str(path))
    if special or (target.exists() and not target.is_file()):
        # Append: a shell's `>> log` behind /dev/stdout must not be truncated.
        with open(path, "ab" if binary else "a", encoding=None if binary else "utf-8") as stream:
            stream.write(text)
        return
    if target.exists() and is_read_only(target):
        raise StepgradError("is read-only: not replacing it (make it writable, or write elsewhere)", str(path))
    directory = target.parent
    if not directory.is_dir():
        raise StepgradError("the folder does not exist", str(path))
    clean_stale(directory)
    temporary = directory / temporary_name()
    try:  # the open inside: Ctrl-C can be raised just after it returns, and the file must not be left
        handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(handle, "wb" if binary else "w", encoding=None if binary else "utf-8") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, target.stat().st_mode & 0o777 if target.exists() else 0o644)
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
