"""The command reference is the CLI's own ``--help``, command by command, and lists every command."""

from __future__ import annotations

import html
import os
import re
import subprocess

import pytest
from sitegen.cli_reference import command_names, help_text

from stepgrad.cli.main import COMMANDS
from support.docs_site import BIN, BuiltSite


def help_blocks(page: str) -> list[str]:
    """The text of every ``<pre>`` block of the built page, as a reader sees it."""
    blocks = re.findall(r"<pre[^>]*>(.*?)</pre>", page, re.DOTALL)
    return [html.unescape(re.sub(r"<[^>]+>", "", block)).strip("\n") for block in blocks]


def real_help(*command: str) -> str:
    environment = {**os.environ, "COLUMNS": "80"}
    result = subprocess.run(
        [str(BIN / "stepgrad"), *command, "--help"], capture_output=True, text=True, env=environment, check=True
    )
    return result.stdout.rstrip("\n")


def test_the_reference_lists_every_command() -> None:
    assert command_names() == sorted(COMMANDS)


@pytest.mark.parametrize("command", [None, *sorted(COMMANDS)])
def test_each_block_of_the_built_reference_is_the_real_help(built_site: BuiltSite, command: str | None) -> None:
    page = (built_site.folder / "reference" / "cli.html").read_text(encoding="utf-8")
    real = real_help(*([command] if command else []))
    assert help_text(command).rstrip("\n") == real
    assert real in help_blocks(page)
    if command:
        assert f'id="stepgrad-{command}"' in page
