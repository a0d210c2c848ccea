"""A click choice whose names stay in their registry: read on first use, so a command starts fast.

The optimizers, CSV tasks and scalings are named in modules that import NumPy. A ``click.Choice``
built from them at import would make every ``stepgrad train`` pay for NumPy before it knows whether
it needs it (the classic example does not). ``RegistryChoice("stepgrad.training.optimizers:optimizer_names")``
reads the names when a value must be checked, help is shown or a shell completes, and lets the
option's own default through without reading them (tests check the default is one of the names).
"""

from __future__ import annotations

import importlib
from typing import Any

import click


def registry_names(target: str) -> tuple[str, ...]:
    """The names at ``"module:attribute"``: a sequence, or a function that returns one."""
    module_name, _, attribute = target.partition(":")
    names: Any = getattr(importlib.import_module(module_name), attribute)
    return tuple(names() if callable(names) else names)


class RegistryChoice(click.Choice[str]):
    """``click.Choice`` over the names at ``target`` (``"module:attribute"``), read on first use."""

    def __init__(self, target: str, default: str | None = None) -> None:
        self.target = target
        self.default = default
        self.case_sensitive = True
        self._names: tuple[str, ...] | None = None

    @property  # click declares a plain attribute; here it is read on first use
    def choices(self) -> tuple[str, ...]:  # type: ignore[override]
        if self._names is None:
            self._names = registry_names(self.target)
        return self._names

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if value is not None and value == self.default:  # the option's default: a name of the registry
            return value
        return super().convert(value, param, ctx)


# Where each registry's names live (for ``RegistryChoice``).
OPTIMIZER_NAMES = "stepgrad.training.optimizers:optimizer_names"
SCHEDULE_NAMES = "stepgrad.training.schedules:schedule_names"
TASK_NAMES = "stepgrad.data.csv_file:TASKS"
SCALING_NAMES = "stepgrad.data.scaling:SCALINGS"
