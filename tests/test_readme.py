"""The README's and the documentation site's Python examples are real: each page's ``>>>`` blocks run with
doctest from a fresh folder, in one interpreter session per page."""

from __future__ import annotations

import doctest
import io
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
# Every page of the site with a Python example (the generated pages are made from the code itself).
PAGES = [README, *(page for page in sorted((ROOT / "docs").rglob("*.md")) if "```python\n>>>" in page.read_text())]


@pytest.mark.parametrize("page", PAGES, ids=lambda page: str(page.relative_to(ROOT)))
def test_python_examples_run(page: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = page.read_text(encoding="utf-8")
    # A file the README shows with `$ cat NAME` is written first, as a reader following along would.
    for name, content in re.findall(r"^\$ cat (\S+)\n(.*?)(?=^\$ )", text, re.MULTILINE | re.DOTALL):
        (tmp_path / name).write_text(content, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    parser = doctest.DocTestParser()
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    report = io.StringIO()
    names: dict[str, object] = {}  # shared, as in one interpreter session
    for block in re.finditer(r"```python\n(.*?)```", text, re.DOTALL):
        line = text.count("\n", 0, block.start(1))
        test = parser.get_doctest(block.group(1), names, page.name, str(page), line)
        runner.run(test, out=report.write, clear_globs=False)
        names.update(test.globs)  # DocTest works on a copy of the names it is given
    assert runner.tries >= (8 if page == README else 1), f"{page.name}: its Python examples were not found"
    assert runner.failures == 0, report.getvalue()
