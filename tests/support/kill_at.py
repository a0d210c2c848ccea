"""Run the stepgrad CLI and SIGKILL it at its N-th file system change: ``python kill_at.py N [--no-exchange] ARGS…``.

Counted: every call that changes the file system (``os.open`` for writing, ``os.fsync``, ``os.replace``,
``os.rename``, ``os.link``, ``os.symlink``, ``os.mkdir``, ``os.unlink``, ``os.rmdir``) and stepgrad's
folder exchange. N = 0 never kills and prints ``calls: TOTAL`` on stderr at exit, so a test knows how
many kill points there are. ``--no-exchange`` makes the exchange unavailable (the two-rename fallback).
The package has no test hook: this wrapper patches ``os`` before stepgrad runs.
"""

from __future__ import annotations

import atexit
import os
import shutil  # noqa: F401  (imported before the patch, so rmtree keeps its usual fd-based path)
import signal
import sys
from collections.abc import Callable
from typing import Any

kill_at = int(sys.argv[1])
arguments = sys.argv[2:]
calls = 0


def counted(function: Callable[..., Any]) -> Callable[..., Any]:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        global calls
        calls += 1
        if calls == kill_at:
            os.kill(os.getpid(), signal.SIGKILL)
        return function(*args, **kwargs)

    return wrapper


for name in ("fsync", "replace", "rename", "link", "symlink", "mkdir", "unlink", "rmdir"):
    setattr(os, name, counted(getattr(os, name)))
_open = os.open
_counted_open = counted(_open)


def open_counting_writes(path: Any, flags: int, *args: Any, **kwargs: Any) -> int:
    if flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT):
        return _counted_open(path, flags, *args, **kwargs)  # type: ignore[no-any-return]
    return _open(path, flags, *args, **kwargs)


os.open = open_counting_writes  # type: ignore[assignment]

import stepgrad.network.swap as swap  # noqa: E402

if arguments[:1] == ["--no-exchange"]:
    arguments = arguments[1:]
    swap._exchange = lambda first, second: False  # type: ignore[assignment]
else:
    swap._exchange = counted(swap._exchange)  # type: ignore[assignment]

if kill_at == 0:
    atexit.register(lambda: print(f"calls: {calls}", file=sys.stderr))

from stepgrad.cli.main import main  # noqa: E402

sys.argv = ["stepgrad", *arguments]
main()
