"""``stepgrad exercise``: generate exercises with question sheets, answer templates and keys."""

from __future__ import annotations

from pathlib import Path

import click

from stepgrad.exercise.lms import LMS_FORMATS
from stepgrad.functions import activation_names, loss_names
from stepgrad.limits import MAX_EXERCISES, MAX_SEED


def _layers(text: str) -> tuple[int, ...]:
    from stepgrad.errors import StepgradError

    try:
        sizes = tuple(int(part) for part in text.split(","))
    except ValueError:
        raise StepgradError(f"--layers must be sizes separated by commas, like 2,2,2; got {text!r}") from None
    if len(sizes) < 2 or min(sizes) < 1 or max(sizes) > 6:
        raise StepgradError(f"--layers needs at least inputs,outputs with sizes from 1 to 6; got {text!r}")
    return sizes


@click.command("exercise")
@click.option("--seed", type=click.IntRange(max=MAX_SEED), required=True, help="Same seed, same exercise.")
@click.option("--layers", default="2,2,2", show_default=True, help="Sizes: inputs, hidden…, outputs.")
@click.option(
    "--activation",
    type=click.Choice(activation_names()),
    default="sigmoid",
    show_default=True,
    help="Activation of the hidden layers.",
)
@click.option(
    "--output-activation",
    type=click.Choice(activation_names()),
    default=None,
    help="Activation of the output layer [default: softmax for cross_entropy, else --activation].",
)
@click.option("--loss", type=click.Choice(loss_names()), default="half_squared_error", show_default=True)
@click.option("--bias", type=click.Choice(["shared", "per_neuron", "none"]), default="shared", show_default=True)
@click.option("--train-bias", is_flag=True, help="Update the biases too.")
@click.option("--learning-rate", type=float, default=0.5, show_default=True)
@click.option(
    "--count",
    type=click.IntRange(max=MAX_EXERCISES),
    default=1,
    show_default=True,
    help="How many distinct variants.",
)
@click.option(
    "--ask",
    default="default",
    show_default=True,
    help="What the sheet asks, comma-separated: groups (forward, errors, output-deltas, hidden-deltas, gradients, "
    "updates, after), value names (w5+), 'default' (every group without identities like dnet_h1/dw1 = i1) or "
    "'all'. The template, key, quiz and grade follow it.",
)
@click.option(
    "--lms",
    type=click.Choice(LMS_FORMATS),
    multiple=True,
    help="Also write quizzes for a learning platform (repeat for several): moodle (XML, a Cloze question per "
    "variant), gift (Moodle's text format), canvas (QTI 1.2 zip), prairielearn (a question folder per exercise).",
)
@click.option(
    "--pdf",
    is_flag=True,
    help="Also print-ready PDFs through pdflatex: questions.pdf (with the diagram) and key.pdf per exercise, each "
    "with a short variant code, and booklet.pdf (every question sheet) for a class.",
)
@click.option("--out", "out", type=click.Path(file_okay=False), required=True, help="Folder to write into.")
@click.option(
    "--force",
    is_flag=True,
    help="Replace the exercises stepgrad wrote in --out (listed in its .stepgrad-manifest.json); every other "
    "file there stays (grades, your notes), and a file of stepgrad's you changed is refused. The folder is "
    "rebuilt beside itself and swapped in with one rename, so a crash leaves the old set or the new one.",
)
def exercise(
    seed: int,
    layers: str,
    activation: str,
    output_activation: str | None,
    loss: str,
    bias: str,
    train_bias: bool,
    learning_rate: float,
    count: int,
    ask: str,
    lms: tuple[str, ...],
    pdf: bool,
    out: str,
    force: bool,
) -> None:
    """Write exercises: network file, question sheet (Markdown, HTML), blank answers, answer key."""
    from stepgrad.exercise import ExerciseSpec, write_exercises
    from stepgrad.functions.activations import ALIASES as ACTIVATION_ALIASES
    from stepgrad.functions.losses import ALIASES as LOSS_ALIASES

    spec = ExerciseSpec(
        layers=_layers(layers),
        activation=ACTIVATION_ALIASES.get(activation, activation),
        output_activation=ACTIVATION_ALIASES.get(output_activation, output_activation) if output_activation else None,
        loss=LOSS_ALIASES.get(loss, loss),
        bias=bias,  # type: ignore[arg-type]
        train_bias=train_bias,
        learning_rate=learning_rate,
    )
    folders = write_exercises(
        Path(out),
        seed,
        spec,
        count,
        lms,
        progress=lambda f: click.echo(f"wrote {f}"),
        force=force,
        note=lambda line: click.echo(line, err=True),
        ask=ask,
        pdf=pdf,
    )
    click.echo(f"{len(folders)} exercise{'s' if len(folders) > 1 else ''} in {out}")
