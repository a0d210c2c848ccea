"""System programs some tests need (pdflatex, Chromium): a missing one FAILS its tests, with the fix.

``make test`` installs them (Debian's texlive-latex-base and chromium; as root it runs apt-get).
A test that silently skipped would hide that the LaTeX or browser output was never checked.

Opt-out: ``STEPGRAD_ALLOW_MISSING_TOOLS=1`` turns these failures into skips, for a machine where
the programs cannot be installed; the skip reasons then say what was not checked.
"""

from __future__ import annotations

import os
import shutil

import pytest

OPT_OUT = "STEPGRAD_ALLOW_MISSING_TOOLS"


def require(program: str, debian_package: str) -> str:
    """The path of ``program``; the test fails (or skips, with the opt-out) when it is missing."""
    path = shutil.which(program)
    if path is not None:
        return path
    message = (
        f"{program} is missing: run `make test` (as root it installs it), or `apt-get install {debian_package}`; "
        f"set {OPT_OUT}=1 to skip these tests instead"
    )
    if os.environ.get(OPT_OUT) == "1":
        pytest.skip(message)
    pytest.fail(message)
