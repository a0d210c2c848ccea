"""A derivation as a complete LaTeX document (``article`` + ``amsmath``) that compiles with pdflatex.

Each step is a paragraph headed by its title and name, then one ``align*``:
``lhs = formula``, ``= numbers``, ``= result``. Long right-hand sides are cut
into several lines at their top-level ``+``/``−`` signs so nothing runs into
the margin. Only LaTeX's own classes and Debian's texlive-latex-base packages are used
(``geometry``, ``amsmath``), with the default OT1 fonts: nothing else needs installing.
"""

from __future__ import annotations

from stepgrad.derivations.step import Derivation, Step
from stepgrad.network.naming import network_names
from stepgrad.render.math_text import break_sum, latex_number, step_lhs, step_rhs

# Visible characters per line of an align* row in an 11pt article with 2.2 cm margins.
LINE_WIDTH = 62
# Rows per table (a tabular never breaks across pages, so long tables are cut into several).
TABLE_ROWS = 40
# Characters of name + number beyond which two pairs no longer fit on a row of the values table.
PAIR_WIDTH = 34

_TEXT_ESCAPES = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "_": r"\_",
    "%": r"\%",
    "$": r"\$",
    "&": r"\&",
    "#": r"\#",
    "^": r"\^{}",
    "~": r"\~{}",
    "<": r"\ensuremath{<}",
    "/": r"/\allowbreak{}",
    ">": r"\ensuremath{>}",
    "−": r"\ensuremath{-}",
    "·": r"\ensuremath{\cdot}",
    "×": r"\ensuremath{\times}",
    "→": r"\ensuremath{\to}",
    "←": r"\ensuremath{\leftarrow}",
    "≈": r"\ensuremath{\approx}",
    "≠": r"\ensuremath{\neq}",
    "≤": r"\ensuremath{\leq}",
    "≥": r"\ensuremath{\geq}",
    "∂": r"\ensuremath{\partial}",
    "Σ": r"\ensuremath{\Sigma}",
    "∑": r"\ensuremath{\sum}",
    "η": r"\ensuremath{\eta}",
    "δ": r"\ensuremath{\delta}",
    "σ": r"\ensuremath{\sigma}",
    "½": r"\ensuremath{\tfrac{1}{2}}",
    "²": r"\textsuperscript{2}",
    "⁺": r"\textsuperscript{+}",
    "…": r"\ldots{}",
    "–": "--",
    "—": "---",
    "“": "``",
    "”": "''",
    "’": "'",
    "∞": r"\ensuremath{\infty}",
}


def escape_text(text: str) -> str:
    """``text`` for LaTeX's text mode: special characters escaped, known symbols as math.

    Other non-ASCII characters become ``?`` so the document always compiles.
    """
    escaped = []
    for char in text:
        if char in _TEXT_ESCAPES:
            escaped.append(_TEXT_ESCAPES[char])
        elif ord(char) < 128:
            escaped.append(char)
        else:
            escaped.append("?")
    return "".join(escaped)


def name_tt(name: str) -> str:
    """A value's name in typewriter type, breakable after ``/`` (``dE\\_total/\\allowbreak dw5``)."""
    return r"\texttt{" + escape_text(name) + "}"


def _rows(first: str, rhs: str) -> list[str]:
    """``first &= rhs`` as align rows, the rhs cut into lines of ``LINE_WIDTH`` visible characters."""
    pieces = break_sum(rhs, LINE_WIDTH)
    rows = [f"{first} &= {pieces[0]}"]
    rows.extend(rf"&\quad {piece}" for piece in pieces[1:])
    return rows


def _note(step: Step) -> str:
    """The step's note as LaTeX: words escaped, formulas as inline math."""
    return "".join(f"${content}$" if kind == "math" else escape_text(content) for kind, content in step.note_pieces())


def render_step(step: Step, precision: int = 9) -> str:
    """One step: a paragraph heading, lhs = formula = numbers = result in one ``align*``, then its note."""
    lhs = step_lhs(step)
    rows = _rows(lhs, step_rhs(step))
    if step.shows_numbers(precision):
        rows.extend(_rows("", step.substituted_latex(precision)))
    if step.shows_result(precision):
        rows.append(f"&= {latex_number(step.value, precision)}")
    align = "\\begin{align*}\n" + " \\\\\n".join(rows) + "\n\\end{align*}"
    heading = rf"\paragraph{{{escape_text(step.title)}}} ({name_tt(step.name)})"
    if not step.note:
        return f"{heading}\n{align}"
    # The note follows the display (as in the terminal), ragged right so long names break.
    return f"{heading}\n{align}\n{{\\raggedright\\small {_note(step)}\\par}}"


def _network_table(derivation: Derivation, precision: int) -> str:
    """The weights and biases with where they sit (``w1``: i1 → h1)."""
    network = derivation.trace.network
    names = network_names(network)
    rows = []
    for weight in names.all_weights():
        source = names.sources(weight.layer)[weight.source]
        target = names.neurons[weight.layer][weight.neuron]
        value = float(network.layers[weight.layer].weights[weight.neuron, weight.source])
        rows.append(
            f"{name_tt(weight.name)} & {escape_text(source)} $\\to$ {escape_text(target)} & "
            f"${latex_number(value, precision)}$ \\\\"
        )
    for bias in names.all_biases():
        layer = network.layers[bias.layer]
        neurons = names.neurons[bias.layer]
        feeds = ", ".join(neurons) if layer.bias_mode == "shared" else neurons[bias.index]
        frozen = "" if layer.trains_bias else " (frozen)"
        value = float(layer.bias[bias.index])
        rows.append(
            f"{name_tt(bias.name)} & bias of {escape_text(feeds)}{frozen} & ${latex_number(value, precision)}$ \\\\"
        )
    return "\n".join(
        _tabular("llr", "parameter & connects & value", rows[start : start + TABLE_ROWS])
        for start in range(0, len(rows), TABLE_ROWS)
    )


def _tabular(columns: str, header: str, rows: list[str]) -> str:
    """A centred table with plain ``\\hline`` rules (LaTeX's own: no booktabs; single-pass, no longtable)."""
    return (
        f"\\begin{{center}}\n\\begin{{tabular}}{{{columns}}}\n\\hline\n{header} \\\\\n\\hline\n"
        + "\n".join(rows)
        + "\n\\hline\n\\end{tabular}\n\\end{center}"
    )


def _values_table(derivation: Derivation, precision: int) -> str:
    """Every named value in tables of ``TABLE_ROWS`` rows: two name/value pairs per row when they fit."""
    numbers = {name: latex_number(value, precision) for name, value in derivation.values.items()}
    widest = max((len(name) + len(number) for name, number in numbers.items()), default=0)
    cells = [f"{name_tt(name)} & ${number}$" for name, number in numbers.items()]
    if widest > PAIR_WIDTH:
        return "\n".join(
            _tabular("lr", "name & value", [f"{cell} \\\\" for cell in cells[start : start + TABLE_ROWS]])
            for start in range(0, len(cells), TABLE_ROWS)
        )
    tables = []
    for start in range(0, len(cells), 2 * TABLE_ROWS):
        chunk = cells[start : start + 2 * TABLE_ROWS]
        half = (len(chunk) + 1) // 2
        left, right = chunk[:half], chunk[half:]
        rows = [f"{a} & \\quad & {b} \\\\" for a, b in zip(left, [*right, " & "], strict=False)]
        tables.append(_tabular("lrclr", "name & value & & name & value", rows))
    return "\n".join(tables)


def render_latex(derivation: Derivation, precision: int = 9) -> str:
    """The whole derivation as a LaTeX document, numbers to ``precision`` significant digits."""
    body = [
        r"\documentclass[11pt]{article}",
        r"\usepackage[margin=2.2cm]{geometry}",
        r"\usepackage{amsmath}",
        r"\allowdisplaybreaks",
        r"\setlength{\parindent}{0pt}",
        r"\setlength{\parskip}{4pt}",
        rf"\title{{{escape_text(derivation.title)}}}",
        r"\author{stepgrad}",
        r"\date{}",
        r"\begin{document}",
        r"\maketitle",
        "",
    ]
    body.extend(f"{escape_text(note)}\n" for note in derivation.notes)
    body.extend([r"\section*{The network}", _network_table(derivation, precision), ""])
    for section, steps in derivation.sections():
        body.extend([rf"\section{{{escape_text(section)}}}", ""])
        for step in steps:
            body.extend([render_step(step, precision), ""])
    body.extend([r"\section*{All values}", _values_table(derivation, precision), "", r"\end{document}", ""])
    return "\n".join(body)
