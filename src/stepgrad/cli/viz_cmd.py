"""``stepgrad viz``: watch a network learn in the browser, or export a replay page."""

from __future__ import annotations

import os
import sys
import webbrowser
from pathlib import Path

import click

from stepgrad.errors import StepgradError
from stepgrad.web.config import HIDDEN_ACTIVATIONS


def _initial_config(network: str | None, data: str | None, values: dict[str, object]) -> tuple[object, object]:
    """The file's setup (or None) and the starting ``VizConfig``, validated like the page's."""
    from stepgrad.web.config import CLASSIC, FILE, ConfigError, Limits, check_fixed_setup, parse_config
    from stepgrad.web.session import Session

    setup = None
    if network is not None:
        if network == CLASSIC and not Path(network).exists():
            data = CLASSIC
        else:
            from stepgrad.network.files import load_setup

            setup = load_setup(network)
            data = FILE
            try:
                check_fixed_setup(setup, Limits())
            except ConfigError as error:
                raise StepgradError(error.message, source=network) from None
    given = {key: value for key, value in values.items() if value is not None}
    if data is not None:
        given["data"] = data
    session = Session(Limits(), setup)
    try:
        config = parse_config(given, session.datasets(), Limits())
        config = session.normalise(config, set(given))
    except ConfigError as error:
        raise StepgradError(error.message, location="options") from None
    return setup, config


def _has_display() -> bool:
    """Whether a graphical browser can open here (always on macOS and Windows; X11 or Wayland elsewhere)."""
    if sys.platform in ("darwin", "win32"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def _open_page(page: str) -> None:
    """Open ``page`` in the default browser, or say why not (without a display a text browser would take over)."""
    if not _has_display():
        click.echo("note: --open: no display here (DISPLAY is not set); open the URL above in a browser", err=True)
    elif not webbrowser.open(page):
        click.echo("note: --open: no browser could be started; open the URL above yourself", err=True)


@click.command(name="viz")
@click.argument("network", required=False)
@click.option("--data", "data", help="Dataset: circle, xor2d, gauss, spiral, blobs3, plane, multigauss or classic.")
@click.option("--layers", help="Neurons per hidden layer, e.g. 4,2.")
@click.option("--activation", help=f"Hidden activation: {', '.join(HIDDEN_ACTIVATIONS)}.")
@click.option("--optimizer", help="sgd, momentum or adam.")
@click.option("--lr", "learning_rate", type=float, help="Learning rate.")
@click.option("--batch-size", type=click.IntRange(max=1000), help="Samples per update.")
@click.option("--noise", type=float, help="Noise of the generated data, 0 to 1.")
@click.option("--split", type=float, help="Fraction of the samples used for training.")
@click.option("--points", type=click.IntRange(max=1000), help="Number of samples generated.")
@click.option("--seed", type=click.IntRange(max=2**31 - 1), help="Seed of the data, initial weights and shuffling.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=0, show_default=True, type=int, help="Port (0: any free port).")
@click.option("--open", "open_browser", is_flag=True, help="Open the page in the default browser.")
@click.option(
    "--export", "export_path", type=click.Path(dir_okay=False), help="Write a replay page instead of serving."
)
@click.option(
    "--frames",
    default=100,
    show_default=True,
    type=click.IntRange(max=1000),
    help="Frames recorded by --export after the starting network (the replay shows frames 0 to N).",
)
def viz(
    network: str | None,
    data: str | None,
    layers: str | None,
    activation: str | None,
    optimizer: str | None,
    learning_rate: float | None,
    batch_size: int | None,
    noise: float | None,
    split: float | None,
    points: int | None,
    seed: int | None,
    host: str,
    port: int,
    open_browser: bool,
    export_path: str | None,
    frames: int,
) -> None:
    """Watch a network learn in an interactive page served on localhost.

    NETWORK is a network file (TOML/JSON) or `classic`; without it, --data and --layers
    choose a generated dataset and a new network. Stop the server with Ctrl-C.
    """
    values: dict[str, object] = {
        "layers": layers,
        "activation": activation,
        "optimizer": optimizer,
        "learning_rate": learning_rate,
        "batch_size": batch_size,
        "noise": noise,
        "split": split,
        "points": points,
        "seed": seed,
    }
    if not 0 <= port <= 65535:
        raise StepgradError(f"--port must be between 0 and 65535, got {port}", location="options")
    if export_path is not None:
        from stepgrad.cli.outputs import refuse_inputs

        refuse_inputs(export_path, [("the network file", network), (f"the data (--data {data})", data)])
    setup, config = _initial_config(network, data, values)
    if export_path is not None:
        from stepgrad.web.export import write_export

        size = write_export(Path(export_path), config, frames, setup)  # type: ignore[arg-type]
        click.echo(f"wrote {export_path} ({size / 1024:.0f} KiB, {frames} frames): open it in any browser, offline")
        return

    from urllib.parse import urlsplit

    from stepgrad.web.config import config_query
    from stepgrad.web.server import UNSPECIFIED, network_address, serve

    def listening(url: str) -> None:
        query = "?" + config_query(config)  # type: ignore[arg-type]
        click.echo(f"stepgrad viz: serving {url}{query}")
        if host in UNSPECIFIED:
            address = network_address()
            if address is not None:
                click.echo(f"on your network: http://{address}:{urlsplit(url).port}/{query}")
            click.echo("listening on every interface: anyone who can reach this machine can use the page")
        click.echo("press Ctrl-C to stop")
        if open_browser:
            _open_page(url + query)

    serve(host=host, port=port, file_setup=setup, initial=config, on_listening=listening)  # type: ignore[arg-type]
    click.echo("stepgrad viz: stopped")
