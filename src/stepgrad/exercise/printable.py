"""Printable handouts: a question sheet and an answer key per exercise as LaTeX, compiled by pdflatex.

The question sheet has the task, the network drawn in LaTeX's own ``picture`` environment (straight edges
as ``\\qbezier``, which base LaTeX draws at any slope, so nothing beyond texlive-latex-base is needed),
the given numbers and a line to fill in per asked value. The key is the derivation as
``stepgrad.render.latex`` writes it. Both carry the exercise's short variant code (``variant_code``), so a
key is found from the paper. ``compile_pdf`` runs pdflatex in a temporary folder and returns the PDF.
"""

from __future__ import annotations

import hashlib
import math
import shutil
import subprocess
import tempfile
from pathlib import Path

from stepgrad.errors import StepgradError
from stepgrad.exercise.sheets import Exercise
from stepgrad.render.latex import escape_text, name_tt

# The diagram's size in millimetres and the circles' diameter.
_WIDTH, _HEIGHT, _NODE = 120.0, 60.0, 8
# Where along an edge (from its source) its weight is written: away from the middle, where edges cross.
_LABEL_AT = 0.28
_PREAMBLE = [
    r"\documentclass[11pt]{article}",
    r"\usepackage[margin=2.2cm]{geometry}",
    r"\usepackage{amsmath}",
    r"\setlength{\parindent}{0pt}",
    r"\setlength{\parskip}{4pt}",
    r"\pagestyle{plain}",
]


def variant_code(exercise: Exercise) -> str:
    """A short code naming the exercise's numbers: ``3F2A-91C0`` (the same numbers, the same code)."""
    numbers = ",".join(f"{name}={value}" for name, value, _ in exercise.given_rows())
    digest = hashlib.sha256(f"{exercise.setup.learning_rate}|{numbers}".encode()).hexdigest().upper()
    return f"{digest[:4]}-{digest[4:8]}"


def _positions(exercise: Exercise) -> dict[str, tuple[float, float]]:
    """Each input's and neuron's centre in the picture, layer by layer from left to right."""
    names = exercise.checker.trace.names
    columns = [list(names.inputs), *[list(layer) for layer in names.neurons]]
    positions = {}
    for column, units in enumerate(columns):
        x = _WIDTH * column / (len(columns) - 1)
        for row, unit in enumerate(units):
            y = _HEIGHT / 2 if len(units) == 1 else _HEIGHT * (1 - row / (len(units) - 1))
            positions[unit] = (x, y)
    return positions


def diagram_picture(exercise: Exercise) -> str:
    """The network with its weights and biases as a LaTeX ``picture``."""
    names, values = exercise.checker.trace.names, exercise.checker.expected
    at = _positions(exercise)
    lines = [r"\setlength{\unitlength}{1mm}", rf"\begin{{picture}}({_WIDTH + 12:.0f},{_HEIGHT + 16:.0f})(-6,-10)"]
    for weight in names.all_weights():
        (x1, y1), (x2, y2) = (
            at[names.sources(weight.layer)[weight.source]],
            at[names.neurons[weight.layer][weight.neuron]],
        )
        (x1, y1), (x2, y2) = _trimmed((x1, y1), (x2, y2), _NODE / 2)
        lines.append(rf"\qbezier({x1:.1f},{y1:.1f})({(x1 + x2) / 2:.1f},{(y1 + y2) / 2:.1f})({x2:.1f},{y2:.1f})")
        lx, ly = x1 + _LABEL_AT * (x2 - x1), y1 + _LABEL_AT * (y2 - y1)
        label = (
            rf"\colorbox{{white}}{{\scriptsize {name_tt(weight.name)} = {escape_text(_number(values[weight.name]))}}}"
        )
        lines.append(rf"\put({lx:.1f},{ly:.1f}){{\makebox(0,0){{{label}}}}}")
    for unit, (x, y) in at.items():
        lines.append(rf"\put({x:.1f},{y:.1f}){{\circle{{{_NODE}}}}}")
        lines.append(rf"\put({x:.1f},{y:.1f}){{\makebox(0,0){{\small {name_tt(unit)}}}}}")
    for bias in names.all_biases():
        neurons = names.neurons[bias.layer]
        x = at[neurons[0]][0]
        shown = f"{bias.name} = {_number(values[bias.name])}"
        into = neurons[bias.index] if len(names.biases[bias.layer]) > 1 else ""
        y = -7.0 if not into else at[into][1] - 6.0
        lines.append(rf"\put({x:.1f},{y:.1f}){{\makebox(0,0){{\scriptsize {escape_text(shown)}}}}}")
    lines.append(r"\end{picture}")
    return "\n".join(lines)


Point = tuple[float, float]


def _trimmed(start: Point, end: Point, radius: float) -> tuple[Point, Point]:
    """The edge from ``start`` to ``end`` without the parts inside the two circles."""
    length = math.dist(start, end)
    dx, dy = (end[0] - start[0]) / length * radius, (end[1] - start[1]) / length * radius
    return (start[0] + dx, start[1] + dy), (end[0] - dx, end[1] - dy)


def _number(value: float) -> str:
    return f"{value:g}".replace("-", "−")


def _sheet_body(exercise: Exercise, code: str) -> list[str]:
    given = "\n".join(
        rf"{name_tt(name)} & {escape_text(value)} & {escape_text(what)} \\"
        for name, value, what in exercise.given_rows()
    )
    body = [
        rf"\section*{{{escape_text(exercise.title)} \hfill \normalsize variant {code}}}",
        *(escape_text(sentence) + "\n" for sentence in exercise.description()),
        r"\begin{center}",
        diagram_picture(exercise),
        r"\end{center}",
        r"\subsection*{Given}",
        r"\begin{tabular}{lrl}",
        given,
        r"\end{tabular}",
        r"\subsection*{Compute}",
    ]
    for section, names in exercise.sections():
        body.append(rf"\subsubsection*{{{escape_text(section)}}}")
        blanks = [
            rf"\makebox[0.5\linewidth][l]{{\makebox[36mm][l]{{{name_tt(name)}}} = \rule{{34mm}}{{0.4pt}}}}"
            for name in names
        ]
        # two blanks a line, each line its own paragraph, so a long list breaks across pages
        body += ["".join(blanks[start : start + 2]) + r"\par\vspace{2mm}" for start in range(0, len(blanks), 2)]
    return body


def _document(body: list[str], footer: str) -> str:
    return "\n".join(
        [
            *_PREAMBLE,
            r"\usepackage{color}",
            r"\makeatletter",
            rf"\renewcommand{{\@oddfoot}}{{\hfil\footnotesize {escape_text(footer)}\hfil}}",
            r"\makeatother",
            r"\begin{document}",
            *body,
            r"\end{document}",
            "",
        ]
    )


def question_latex(exercise: Exercise) -> str:
    """One question sheet as a LaTeX document."""
    code = variant_code(exercise)
    return _document(_sheet_body(exercise, code), f"{exercise.title} · variant {code} · stepgrad")


def booklet_latex(exercises: list[Exercise]) -> str:
    """Every question sheet of a class, one after another, each on a new page."""
    body: list[str] = []
    for index, exercise in enumerate(exercises):
        if index:
            body.append(r"\clearpage")
        body += _sheet_body(exercise, variant_code(exercise))
    return _document(body, "stepgrad: the variant code on each sheet names its answer key")


def key_latex(exercise: Exercise) -> str:
    """The answer key (the derivation, ``stepgrad.render.latex``) with the variant code in its title."""
    from stepgrad.render.latex import render_latex

    text = render_latex(exercise.derivation)
    title = escape_text(exercise.derivation.title)
    return text.replace(rf"\title{{{title}}}", rf"\title{{{title} \\ \large variant {variant_code(exercise)}}}", 1)


def compile_pdf(latex: str, name: str = "sheet") -> bytes:
    """The PDF pdflatex makes of ``latex``; ``StepgradError`` (one line) when pdflatex is missing or fails."""
    pdflatex = shutil.which("pdflatex")
    if pdflatex is None:
        raise StepgradError("--pdf needs pdflatex (Debian/Ubuntu: apt install texlive-latex-base)")
    with tempfile.TemporaryDirectory(prefix="stepgrad-pdf-") as folder:
        source = Path(folder) / f"{name}.tex"
        source.write_text(latex, encoding="utf-8")
        result = subprocess.run(
            [pdflatex, "-interaction=nonstopmode", "-halt-on-error", source.name],
            cwd=folder,
            capture_output=True,
            text=True,
            errors="replace",
        )
        pdf = source.with_suffix(".pdf")
        if result.returncode != 0 or not pdf.is_file():
            errors = [line for line in result.stdout.splitlines() if line.startswith("!")]
            raise StepgradError(f"pdflatex failed on {name}: {errors[0] if errors else 'no PDF written'}")
        return pdf.read_bytes()
