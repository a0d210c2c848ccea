"""LaTeX: a complete document that pdflatex compiles, names escaped, long sums broken into lines."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import numpy as np

from stepgrad.core import train_step
from stepgrad.derivations.step import Derivation, Step
from stepgrad.network import Layer, Network
from stepgrad.render.latex import escape_text, name_tt, render_latex
from stepgrad.render.math_text import break_sum, split_equation, visible_length
from support.system import require

MUTOOL = shutil.which("mutool")
# Packages Debian's texlive-latex-base brings (with texlive-base, which it depends on).
BASE_PACKAGES = {"texlive-latex-base", "texlive-base"}


def compile_pdf(source: str, directory: Path) -> tuple[subprocess.CompletedProcess[str], Path]:
    pdflatex = require("pdflatex", "texlive-latex-base")
    tex = directory / "derivation.tex"
    tex.write_text(source, encoding="utf-8")
    result = subprocess.run(
        [pdflatex, "-interaction=nonstopmode", "-halt-on-error", tex.name],
        cwd=directory,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return result, directory / "derivation.pdf"


def test_escape_text_handles_names_and_symbols() -> None:
    assert escape_text("dE_total/dw5") == r"dE\_total/\allowbreak{}dw5"
    assert escape_text("w5+") == "w5+"
    assert escape_text("50% & $x#") == r"50\% \& \$x\#"
    escaped = escape_text("E = ½(t − o)², η·δ → ∂E/∂w, snow☃")
    assert escaped.isascii()
    assert r"\tfrac{1}{2}" in escaped and r"\eta" in escaped and "?" in escaped
    assert name_tt("dE_total/dout_h1") == r"\texttt{dE\_total/\allowbreak{}dout\_h1}"


def test_split_equation_at_the_first_top_level_equals() -> None:
    assert split_equation(r"net_{h1} = w_{1} i_{1}") == ("net_{h1}", "w_{1} i_{1}")
    assert split_equation(r"a_{x=1} = b = c") == ("a_{x=1}", "b = c")
    assert split_equation("w1") == ("", "w1")


def test_break_sum_cuts_only_at_top_level_signs() -> None:
    terms = [rf"\frac{{a_{k} - b_{k}}}{{c}} \cdot (-0.12345678{k})" for k in range(8)]
    latex = " + ".join(terms)
    lines = break_sum(latex, width=40)
    assert len(lines) > 1
    assert " ".join(lines) == latex
    assert all(visible_length(line) <= 40 for line in lines)
    assert all(line.count("{") == line.count("}") and line.count("(") == line.count(")") for line in lines)
    assert break_sum("a + b", width=40) == ["a + b"]


def test_document_structure(derivation: Derivation) -> None:
    source = render_latex(derivation)
    assert source.startswith(r"\documentclass")
    assert r"\usepackage{amsmath}" in source
    assert source.rstrip().endswith(r"\end{document}")
    assert source.isascii()
    assert source.count(r"\begin{align*}") == len(derivation.steps)
    for section, _ in derivation.sections():
        assert rf"\section{{{escape_text(section)}}}" in source
    for figure in ["0.75136507", "0.35891648"]:
        assert figure in source


def test_classic_derivation_compiles_with_pdflatex(derivation: Derivation, tmp_path: Path) -> None:
    result, pdf = compile_pdf(render_latex(derivation), tmp_path)
    assert result.returncode == 0, result.stdout[-3000:]
    assert pdf.exists() and pdf.stat().st_size > 1000
    log = (tmp_path / "derivation.log").read_text(encoding="latin-1")
    assert "Overfull \\hbox" not in log
    if MUTOOL:
        text = subprocess.run([MUTOOL, "draw", "-F", "txt", str(pdf)], capture_output=True, text=True).stdout
        assert "0.75136507" in text
        assert "0.35891648" in text


def test_every_package_comes_with_texlive_latex_base(derivation: Derivation) -> None:
    """The document needs nothing beyond Debian's texlive-latex-base (no booktabs, no lmodern)."""
    source = render_latex(derivation)
    files = [f"{name}.sty" for name in re.findall(r"\\usepackage(?:\[[^]]*\])?\{([^}]+)\}", source)]
    files += [f"{name}.cls" for name in re.findall(r"\\documentclass(?:\[[^]]*\])?\{([^}]+)\}", source)]
    assert "amsmath.sty" in files and "booktabs.sty" not in files
    kpsewhich = require("kpsewhich", "texlive-base")
    dpkg = shutil.which("dpkg")
    for name in files:
        path = subprocess.run([kpsewhich, name], capture_output=True, text=True).stdout.strip()
        assert path, f"{name} is not installed"
        if dpkg:
            owner = subprocess.run([dpkg, "-S", path], capture_output=True, text=True).stdout.split(":")[0]
            assert owner in BASE_PACKAGES, (name, owner)


def _wide_derivation() -> Derivation:
    """A 6-neuron layer's hidden-sum step with six long terms: the kind of line that overflows."""
    rng = np.random.default_rng(3)
    network = Network((Layer(rng.normal(size=(6, 3)), rng.normal(size=6)), Layer(rng.normal(size=(6, 6)), [0.2])))
    trace = train_step(network, [[0.3, -0.2, 0.7]], [rng.uniform(size=6)], 0.5)
    values = trace.values(0)
    names = [f"dE_o{k}/dout_h1" for k in range(1, 7)]
    step = Step(
        name="dE_total/dout_h1",
        section="Hidden_layer #1 & more",
        title="Sum over the six outputs h1 feeds: 100% of them",
        formula="dE_total/dout_h1 = " + " + ".join(names),
        formula_latex=r"\frac{\partial E_{total}}{\partial out_{h1}} = "
        + " + ".join(rf"\frac{{\partial E_{{o{k}}}}}{{\partial out_{{h1}}}}" for k in range(1, 7)),
        substitution=" + ".join(f"{{{name}}}" for name in names),
        substitution_latex=" + ".join(f"{{{name}}}" for name in names),
        value=values["dE_total/dout_h1"],
        operands={name: values[name] for name in names},
    )
    return Derivation(trace=trace, sample=0, steps=(step,), values=values, title="A wide_net: 3–6–6")


def test_long_formulas_and_odd_names_compile_without_overflow(tmp_path: Path) -> None:
    derivation = _wide_derivation()
    source = render_latex(derivation, precision=12)
    assert re.search(r"\\quad \+", source), "the long sum was not broken into lines"
    result, pdf = compile_pdf(source, tmp_path)
    assert result.returncode == 0, result.stdout[-3000:]
    assert pdf.exists()
    log = (tmp_path / "derivation.log").read_text(encoding="latin-1")
    assert "Overfull \\hbox" not in log


def test_notes_follow_the_formula_with_their_formulas_as_math(derivation: Derivation) -> None:
    source = render_latex(derivation)
    block = source.split(r"\paragraph{Gradient of w5 (chain rule)}")[1].split(r"\paragraph")[0]
    assert block.index(r"\end{align*}") < block.index(r"Delta rule: $\frac{\partial E_{total}}{\partial w_{5}}")
