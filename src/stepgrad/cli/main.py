"""``stepgrad`` entry point: a click group whose commands are imported only when run.

Each command lives in its own module under ``stepgrad.cli``; ``COMMANDS`` maps a
command name to ``module:function`` so ``stepgrad --help`` and a command start
fast (no NumPy-heavy or optional imports until a command needs them).
User mistakes (``StepgradError``, usage errors, failed writes) become one line on stderr and exit code 2.
"""

from __future__ import annotations

import importlib
import os
import sys
from typing import Any, NoReturn

import click

from stepgrad.errors import StepgradError

COMMANDS: dict[str, tuple[str, str]] = {
    # name: (module under stepgrad.cli, one-line help shown by `stepgrad --help`)
    "check": ("check_cmd:check", "Check your own numbers against the exact step and diagnose the mistake."),
    "classic": ("explain_cmd:classic", "Work the classic example step by step."),
    "exercise": ("exercise_cmd:exercise", "Generate hand-friendly exercises with question sheets and answer keys."),
    "explain": ("explain_cmd:explain", "Explain one training step of a network, number by number."),
    "grade": ("grade_cmd:grade", "Check a class's answer files against an exercise; write CSV and Markdown."),
    "init": ("init_cmd:init", "Write the classic example's network file as a starting point."),
    "train": ("train_cmd:train", "Train a network and print its progress."),
    "viz": ("viz_cmd:viz", "Watch a network learn in an interactive page on localhost."),
    "sweep": ("sweep_cmd:sweep", "Train many networks at once and report how many converge."),
    "verify-torch": ("torch_cmd:verify_torch", "Run a step in PyTorch and report each value that differs from ours."),
}


class LazyGroup(click.Group):
    """A group that imports a command's module only when that command is used."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in COMMANDS:
            return None
        target = COMMANDS[name][0]
        module_name, _, attribute = target.partition(":")
        module = importlib.import_module(f"stepgrad.cli.{module_name}")
        command: click.Command = getattr(module, attribute)
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        # Short help comes from COMMANDS, so `stepgrad --help` imports no command module.
        rows = [(name, COMMANDS[name][1]) for name in self.list_commands(ctx)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="stepgrad")
def cli() -> None:
    """stepgrad: backpropagation you can check by hand."""


def main(argv: list[str] | None = None) -> Any:
    """Run the CLI. Every failure a user can cause is one line on stderr, never a traceback.

    * a ``StepgradError`` or a usage mistake (``--precision 0``): ``stepgrad: error: …``, exit code 2;
    * a write that fails (``> /dev/full``): the reason, exit code 2;
    * a closed pipe (``stepgrad classic | head``): nothing more is written, exit code 0, as other tools;
    * Ctrl-C: ``stepgrad: interrupted``, exit code 130.
    """
    try:
        result = cli.main(args=argv, prog_name="stepgrad", standalone_mode=False)
        sys.stdout.flush()  # surface a failed write here, not at interpreter exit
        return result
    except StepgradError as error:
        _fail(error.one_line())
    except click.exceptions.Abort:
        click.echo("stepgrad: interrupted", err=True)
        sys.exit(130)
    except click.ClickException as error:  # usage mistakes (click.UsageError) included
        _fail(error.format_message(), error.exit_code)
    except KeyboardInterrupt:
        click.echo("stepgrad: interrupted", err=True)
        sys.exit(130)
    except BrokenPipeError:
        _silence_stdout()
        sys.exit(0)
    except RecursionError:
        _fail("the input is nested or chained too deeply to work with")
    except MemoryError:
        _fail("the input is too large to work with in the memory available")
    except OSError as error:
        _silence_stdout()
        where = f"{error.filename}: " if error.filename else "cannot write the output: "
        _fail(where + (error.strerror or str(error)))


def _fail(message: str, code: int = 2) -> NoReturn:
    """``stepgrad: error: message`` on stderr (one line), then exit with ``code``."""
    line = f"stepgrad: error: {' '.join(message.split())}"
    encoding = getattr(sys.stderr, "encoding", None) or "utf-8"
    # A lone surrogate or a character the terminal cannot show is escaped, never a second error.
    click.echo(line.encode(encoding, "backslashreplace").decode(encoding, "replace"), err=True)
    sys.exit(code)


def _silence_stdout() -> None:
    """Point stdout at /dev/null, so the interpreter's final flush does not fail a second time."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
