"""A registry formula said of particular values: ``out·(1 − out)`` → ``out_h1·(1 − out_h1)``.

The registries write each formula once, in the symbols of one neuron: ``net``, ``out``,
``target`` and ``n`` (the number of outputs); softmax writes ``out_k``, ``net_k`` and a sum
over the layer, ``Σ_j e^(net_j)`` (LaTeX ``\\sum_j e^{net_j}``). ``fill`` puts names (or
``{name}`` placeholders, or numbers) in place of the symbols and writes the sum out term by
term; explain and check read every activation and loss formula through it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

SYMBOLS = ("out", "net", "target", "n")
_SYMBOL = re.compile(r"(?<![A-Za-z_\\])(out_k|net_k|out|net|target|n)(?![A-Za-z_0-9])")
# A sum over the layer's neurons: plain text keeps it in parentheses, LaTeX sits inside \frac{…}{…}.
_LAYER_SUMS = (("Σ_j ", "(", ")"), (r"\sum_j ", "", ""))
_OPENING, _CLOSING = "({[", ")}]"


def right_hand_side(formula: str) -> str:
    """``out = tanh(net)`` → ``tanh(net)``; a formula without ``=`` is already one."""
    return formula.split(" = ", 1)[-1]


def symbols(formula: str) -> set[str]:
    """The symbols a formula reads: ``{"out"}`` for ``out·(1 − out)``; ``out_k`` counts as ``out``."""
    return {match.group(1).removesuffix("_k") for match in _SYMBOL.finditer(formula)}


def _term_end(text: str, start: int) -> int:
    """Where the summand starting at ``start`` ends: an unmatched closing bracket, a space, or the end."""
    depth = 0
    for position in range(start, len(text)):
        char = text[position]
        if char in _OPENING:
            depth += 1
        elif char in _CLOSING:
            if depth == 0:
                return position
            depth -= 1
        elif char == " " and depth == 0:
            return position
    return len(text)


def _expand_layer_sum(text: str, layer: Sequence[str]) -> str:
    """``Σ_j e^(net_j)`` → ``(e^(net_h1) + e^(net_h2))`` over the layer's net inputs ``layer``."""
    for marker, opening, closing in _LAYER_SUMS:
        start = text.find(marker)
        if start < 0:
            continue
        body = start + len(marker)
        end = _term_end(text, body)
        summand = text[body:end]
        expanded = " + ".join(summand.replace("net_j", net) for net in layer)
        text = text[:start] + opening + expanded + closing + text[end:]
    return text


def fill(formula: str, names: Mapping[str, str], layer: Sequence[str] = ()) -> str:
    """The right-hand side of ``formula`` with each symbol in ``names`` replaced by its value there.

    ``names`` maps ``out``, ``net``, ``target``, ``n`` to what to write (``out_k``/``net_k`` read
    as ``out``/``net``); symbols not in ``names`` stay. ``layer``: the names the softmax sum
    ``Σ_j`` runs over.

    >>> fill("out = 1 / (1 + e^(−net))", {"net": "net_h1"})
    '1 / (1 + e^(−net_h1))'
    >>> fill("out_k = e^(net_k) / Σ_j e^(net_j)", {"net": "a"}, ["a", "b"])
    'e^(a) / (e^(a) + e^(b))'
    """
    text = _SYMBOL.sub(
        lambda match: names.get(match.group(1).removesuffix("_k"), match.group(1)), right_hand_side(formula)
    )
    return _expand_layer_sum(text, layer) if layer else text
