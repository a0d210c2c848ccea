"""The activations and losses reference: every registry entry, what it computes and where it trains.

Read from ``stepgrad.functions`` (``ACTIVATIONS``, ``LOSSES``, ``REDUCTIONS``) when the site is built, so an
entry added to a registry is listed here with nothing else to edit.
"""

from __future__ import annotations

from html import escape

from stepgrad.functions import ACTIVATIONS, LOSSES, REDUCTIONS, Activation, Loss
from stepgrad.functions.activations import ALIASES as ACTIVATION_ALIASES
from stepgrad.functions.losses import ALIASES as LOSS_ALIASES

INTRO = """\
Every activation and loss stepgrad knows, read from its registries (`stepgrad.functions`) when this site is
built. The names are the ones network files, `create_network`, the command line and the page accept; an alias
reads as the name beside it. Formulas are in the derivation's form: a derivative is written with `out` where a
person would write it so (`out·(1 − out)` for the logistic function).

*Trains on* says which engine runs a network built with it: the compiled kernels (numba, for mini-batches and
ensembles), the written-out lines (a small network's repeated step, as plain Python or compiled for its
shape) and the arrays (NumPy, every network). A network trains on the fastest engine all its layers and its
loss have.
"""


def _cell(text: str) -> str:
    return f"<td>{escape(text)}</td>"


def _code(text: str) -> str:
    return f"<td><code>{escape(text)}</code></td>"


def _name(name: str, aliases: dict[str, str], note: str = "") -> str:
    """The name cell: the name, the aliases that read as it, and a note (its numbers)."""
    others = sorted(alias for alias, target in aliases.items() if target == name)
    also = f" (also {', '.join(f'<code>{escape(alias)}</code>' for alias in others)})" if others else ""
    return f"<td><code>{escape(name)}</code>{also}{escape(note)}</td>"


def _engines(kernel_code: int | None, written: bool) -> str:
    engines = ["compiled kernels"] if kernel_code is not None else []
    engines += ["written-out lines"] if written else []
    return ", ".join([*engines, "arrays"])


def _torch(entry: Activation) -> str:
    if entry.torch_module is None:
        return "none"
    arguments = ", ".join(f"{key}={value!r}" for key, value in entry.torch_arguments.items())
    return f"torch.nn.{entry.torch_module}({arguments})"


def _activation_row(entry: Activation) -> str:
    where = "hidden and output" if entry.hidden else "output only"
    numbers = ", ".join(f"{key} = {value:g}" for key, value in entry.parameters.items())
    wrong = "; ".join(formula for _, formula, _ in entry.derivative_mistakes) or "—"
    cells = [
        _name(entry.name, ACTIVATION_ALIASES, f"; {numbers}" if numbers else ""),
        _code(entry.formula),
        _code(entry.derivative_formula),
        _cell(where),
        _code(_torch(entry)),
        _cell(_engines(entry.kernel_code, entry.line_value is not None)),
        _cell(wrong),
    ]
    return "<tr>" + "".join(cells) + "</tr>"


def _loss_row(entry: Loss) -> str:
    outputs = " or ".join(entry.outputs) if entry.outputs else "any elementwise"
    paired = "; ".join(f"{name}: delta = {form.delta_formula}" for name, form in entry.paired.items()) or "—"
    cells = [
        _name(entry.name, LOSS_ALIASES),
        _code(entry.formula),
        _code(entry.gradient_formula),
        _cell(outputs),
        _cell(paired),
        _cell(_engines(entry.kernel_code, entry.line_term is not None)),
    ]
    return "<tr>" + "".join(cells) + "</tr>"


def _table(header: list[str], rows: list[str]) -> list[str]:
    head = "<tr>" + "".join(f"<th>{escape(title)}</th>" for title in header) + "</tr>"
    return ["<table>", f"<thead>{head}</thead>", "<tbody>", *rows, "</tbody>", "</table>", ""]


def functions_markdown() -> str:
    """The page, as Markdown with HTML tables (a formula may hold ``|``, which a Markdown table would split)."""
    lines = ["# Activations and losses", "", INTRO, "## Activations", ""]
    lines += _table(
        ["name", "out = f(net)", "dout/dnet", "layers", "PyTorch", "trains on", "wrong derivatives the checker names"],
        [_activation_row(entry) for entry in ACTIVATIONS.values()],
    )
    lines += [
        "A configurable activation takes its numbers in its name, as a network file's layer or `--activation`",
        "writes it: `leaky_relu(negative_slope=0.1)` is PyTorch's `LeakyReLU(0.1)`.",
        "",
        "## Losses",
        "",
        "`E_total = Σ_k E_k` over one sample's outputs (`n` of them). A loss paired with its output activation",
        "has a combined form: its delta is computed directly, and its error from `net`, so saturated outputs",
        "stay finite.",
        "",
    ]
    lines += _table(
        ["name", "E_k", "dE_total/dout_k", "output layer", "paired form", "trains on"],
        [_loss_row(entry) for entry in LOSSES.values()],
    )
    lines += ["## Reductions", "", "How a batch's per-sample losses combine (a network file's `reduction`):", ""]
    lines += [f"- `{reduction.name}`: `{reduction.formula}`" for reduction in REDUCTIONS.values()]
    lines += [
        "",
        "Adding an activation or a loss is one entry in its registry: see [Development](../development.md).",
        "",
    ]
    return "\n".join(lines)
