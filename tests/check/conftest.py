"""Helpers for the check tests: answer files written the way a learner writes them."""

from __future__ import annotations

from pathlib import Path

import pytest


def lines(values: dict[str, str | float], decimals: int = 4) -> str:
    """``name = value`` lines; floats rounded to ``decimals``, strings written as they are."""
    out = []
    for name, value in values.items():
        text = value if isinstance(value, str) else f"{value:.{decimals}f}"
        out.append(f"{name} = {text}")
    return "\n".join(out) + "\n"


@pytest.fixture
def write(tmp_path: Path):
    """``write(name, text) -> path`` in a temporary folder."""

    def _write(name: str, text: str) -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return _write
