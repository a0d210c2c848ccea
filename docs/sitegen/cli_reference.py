"""The command reference, generated from the click CLI itself so it cannot drift from ``--help``."""

from __future__ import annotations

from html import escape

import click

from stepgrad.cli.main import cli

#: The width ``--help`` wraps at in an 80-column terminal (click leaves two columns free).
HELP_WIDTH = 78


def command_names() -> list[str]:
    """Every command of ``stepgrad``, as ``stepgrad --help`` lists them."""
    with click.Context(cli, info_name="stepgrad") as context:
        return cli.list_commands(context)


def help_text(name: str | None = None) -> str:
    """What ``stepgrad [NAME] --help`` prints in an 80-column terminal (``COLUMNS=80``)."""
    root = click.Context(cli, info_name="stepgrad", terminal_width=HELP_WIDTH, **cli.context_settings)
    if name is None:
        return cli.get_help(root)
    command = cli.get_command(root, name)
    assert command is not None, name
    context = click.Context(command, info_name=name, parent=root, **command.context_settings)
    return command.get_help(context)


def _default(option: click.Option) -> str:
    if option.is_flag and not option.secondary_opts:
        return ""
    default = option.default
    if default is None or callable(default) or default == ():
        return ""
    if isinstance(default, bool) and option.secondary_opts:
        return option.opts[0] if default else option.secondary_opts[0]
    return str(default)


def options_table(command: click.Command) -> str:
    """One row per option (flags, what it takes, default, help) as an HTML table."""
    rows = []
    for param in command.params:
        if not isinstance(param, click.Option) or param.hidden:
            continue
        flags = ", ".join([*param.opts, *param.secondary_opts])
        takes = "" if param.is_flag else param.type.get_metavar(param, click.Context(command)) or param.type.name
        cells = [
            f"<code>{escape(flags)}</code>",
            escape(takes.upper()),
            escape(_default(param)),
            escape(param.help or ""),
        ]
        rows.append("<tr>" + "".join(f"<td>{cell}</td>" for cell in cells) + "</tr>")
    head = "<tr><th>option</th><th>takes</th><th>default</th><th>what it does</th></tr>"
    return f'<table class="options">\n<thead>{head}</thead>\n<tbody>\n' + "\n".join(rows) + "\n</tbody>\n</table>"


def arguments(command: click.Command) -> list[str]:
    """The command's positional arguments, as its usage line names them."""
    return [param.human_readable_name for param in command.params if isinstance(param, click.Argument)]


def _fence(text: str) -> str:
    return "```text\n" + text.rstrip("\n") + "\n```"


def cli_reference_markdown() -> str:
    """The whole page: ``stepgrad --help``, then each command's help and its options table."""
    parts = [
        "# Command line",
        "",
        "Generated from the CLI itself when the site is built (`docs/sitegen/cli_reference.py`); "
        "each block below is exactly what `COLUMNS=80 stepgrad COMMAND --help` prints, and "
        "`tests/docs/test_cli_reference.py` checks that it is.",
        "",
        "## stepgrad",
        "",
        _fence(help_text()),
    ]
    root = click.Context(cli, info_name="stepgrad")
    for name in command_names():
        command = cli.get_command(root, name)
        assert command is not None, name
        parts += ["", f"## stepgrad {name}", "", command.get_short_help_str(limit=200), "", _fence(help_text(name))]
        parts += ["", options_table(command)]
    return "\n".join(parts) + "\n"
