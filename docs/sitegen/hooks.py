"""MkDocs hook: adds the generated pages (``sitegen``) to the site at build time.

Listed under ``hooks:`` in mkdocs.yml. Each page is made from the code when the site is built,
so the reference, the classic example and the notebook cannot drift from stepgrad itself.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import nbformat
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sitegen.classic import classic_page_markdown
from sitegen.cli_reference import cli_reference_markdown
from sitegen.functions import functions_markdown
from sitegen.mistakes import mistakes_markdown
from sitegen.named_values import named_values_markdown
from sitegen.notebook import executed_notebook, notebook_page

#: Generated Markdown pages: their place in the site and the function that writes each.
PAGES: dict[str, Callable[[], str]] = {
    "reference/cli.md": cli_reference_markdown,
    "reference/named-values.md": named_values_markdown,
    "reference/mistakes.md": mistakes_markdown,
    "reference/functions.md": functions_markdown,
    "examples/classic.md": classic_page_markdown,
}
NOTEBOOK = "examples/classic.ipynb"


def on_files(files: Files, config: MkDocsConfig) -> Files:
    for uri, write in PAGES.items():
        files.append(File.generated(config, uri, content=write()))
    notebook = executed_notebook()
    files.append(File.generated(config, NOTEBOOK, content=nbformat.writes(notebook)))
    page = notebook_page(notebook, download=Path(NOTEBOOK).name)
    files.append(File.generated(config, "examples/notebook.md", content=page))
    return files
