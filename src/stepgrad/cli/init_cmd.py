"""``stepgrad init``: write the classic example's network file as a starting point."""

from __future__ import annotations

from pathlib import Path

import click

from stepgrad.errors import StepgradError

HEADER = """stepgrad network file: the classic worked example of backpropagation.
Edit the numbers, then run: stepgrad explain {name}

inputs/targets: one training sample (or `samples = [[..], ..]` with `targets = [[..], ..]`).
[[layer]]: one table per layer, first hidden layer first; sizes are read off `weights`
  (one row per neuron, one column per input).
bias: a number is shared by the layer, a list gives one per neuron, no `bias` means none.
train_bias: false keeps the biases frozen (the classic example); the default is true.
activation: {activations}.
loss: {losses}."""


def activation_choices() -> str:
    """Every activation of the registry with its aliases, fixed numbers and where it may be used:
    ``sigmoid (logistic), …, softmax (output layer, with cross_entropy)``."""
    from stepgrad.functions.activations import ACTIVATIONS, ALIASES
    from stepgrad.functions.losses import LOSSES

    choices = []
    for name, activation in ACTIVATIONS.items():
        notes = [alias for alias, canonical in ALIASES.items() if canonical == name]
        notes += [
            f"{parameter} {value:g}"
            if activation.configure is None
            else f"{parameter} = {value:g} unless the layer sets it"
            for parameter, value in activation.parameters.items()
        ]
        if not activation.hidden:
            paired = [loss.name for loss in LOSSES.values() if name in loss.paired]
            notes.append("output layer" + "".join(f", with {loss}" for loss in paired))
        choices.append(f"{name} ({', '.join(notes)})" if notes else name)
    return ", ".join(choices)


def loss_choices() -> str:
    """Every loss of the registry with its aliases and the output layer it needs:
    ``half_squared_error (squared_error, sse), …, cross_entropy (ce, …; softmax output)``."""
    from stepgrad.functions.losses import ALIASES, LOSSES

    choices = []
    for name, loss in LOSSES.items():
        notes = ", ".join(alias for alias, canonical in ALIASES.items() if canonical == name)
        needs = f"{' or '.join(loss.outputs)} output" if loss.outputs else ""
        notes = "; ".join(note for note in (notes, needs) if note)
        choices.append(f"{name} ({notes})" if notes else name)
    return ", ".join(choices)


@click.command()
@click.argument("path", required=False, default="network.toml", type=click.Path(dir_okay=False))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["toml", "json"]),
    default=None,
    help="File format (default: from the suffix, else TOML).",
)
@click.option("--force", is_flag=True, help="Overwrite PATH if it exists.")
def init(path: str, fmt: str | None, force: bool) -> None:
    """Write the classic example's network file to PATH (default: network.toml)."""
    from stepgrad.network.classic import classic_setup
    from stepgrad.network.files import save_setup

    if fmt == "json" and not path.endswith(".json"):
        path = str(Path(path).with_suffix(".json"))
    if Path(path).exists() and not force:
        raise StepgradError("already exists; use --force to overwrite it", path)
    save_setup(
        classic_setup(), path, header=HEADER.format(name=path, activations=activation_choices(), losses=loss_choices())
    )
    click.echo(f"wrote {path}: the classic example. Next: stepgrad explain {path}")
