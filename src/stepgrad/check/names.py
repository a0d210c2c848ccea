"""Matching the names a learner writes to the derivation's names.

A written name is read as the derivation reads it, not looked up in a list of spellings:
it is cut into words (``outH1`` → out h 1, ``dEtotal/dw5`` → d E total / d w 5), and the
words are read as tokens: a *kind* (``net``, ``out``, ``delta``/``δ``, ``E``/``error``/``loss``,
``target``), a *unit* (a neuron ``h1``, ``o1``, ``h2_1``; a weight ``w5``; a bias ``b1``; an input
``i1``), ``total``/``Σ``, a *derivative* ``d``/``∂`` (the first opens the numerator, the second the
denominator, with or without a ``/``), and "after the update" (``+``, ``'``, ``new``, ``updated``,
``after``, ``next``) or "before it" (``old``, ``before``). So ``o1_out``, ``out o1``, ``outO1`` and
``out_{o1}`` are all ``out_o1``; ``dE/dnet_o1`` is ``delta_o1`` (the delta *is* dE_total/dnet);
``∂E/∂w5``, ``dEtotal_dw5`` and ``\\frac{\\partial E}{\\partial w_5}`` are ``dE_total/dw5``;
``w₅⁺``, ``w5'``, ``new w5`` and ``w5 (new)`` are ``w5+``; ``eta``, ``learning rate`` and ``lr``
are ``η``. Case, spaces, underscores, braces, subscripts and superscripts do not matter
(``canonical_name``).

A name the reading does not understand still matches a known name with the same compact key
(``name_key``: lower case, no spaces, underscores or braces), and an unknown name gets the known
names closest to it, word order aside (``o1_outt`` → ``out_o1`` first).
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable
from functools import cache

from stepgrad.network import value_names

# Each word of a name, and the token it stands for.
_KINDS = {
    "net": "net",
    "z": "net",
    "out": "out",
    "output": "out",
    "a": "out",
    "delta": "delta",
    "δ": "delta",
    "e": "E",
    "error": "E",
    "err": "E",
    "loss": "E",
    "cost": "E",
    "target": "target",
}
_TOTAL = {"total", "tot", "σ", "sum"}
_UNITS = {"h", "o", "i", "w", "b"}
_DERIVATIVE = {"d", "∂"}
_UPDATED = {"new", "updated", "update", "after", "next", "+", "'", "′", "*"}
_BEFORE = {"old", "before", "original", "orig"}
_LONGEST_WORD = 32
_WORDS = {*_KINDS, *_TOTAL, *_UNITS, *_DERIVATIVE, *_UPDATED, *_BEFORE, "/"}

#: The learning rate's name, and how people write it.
LEARNING_RATE = "η"
_LEARNING_RATE_SPELLINGS = {"η", "eta", "learningrate", "lr", "α", "alpha"}

_LATEX = {
    r"\eta": "η",
    r"\alpha": "α",
    r"\partial": "∂",
    r"\delta": "δ",
    r"\Delta": "δ",
    r"\Sigma": "Σ",
    r"\sum": "Σ",
    r"\prime": "'",
}
# Letters, digits and marks of a name; everything else (space, _, -, ., brackets) only separates.
_PIECES = re.compile(r"[a-zδσ∂]+|\d+|[+'′*/]|[^\W\d_]+")


def _cleaned(name: str) -> str:
    """``name`` without quotes, LaTeX, subscripts, superscripts or full-width letters, in lower case."""
    text = unicodedata.normalize("NFKC", name.strip())  # h₁ → h1, ⁺ → +, ｗ → w
    if len(text) > 1 and text[0] == text[-1] and text[0] in "\"'`":
        text = text[1:-1]
    text = text.replace("`", "").replace("Δ", "δ")
    for command, symbol in _LATEX.items():
        text = text.replace(command, symbol)
    if text.startswith("\\frac"):
        text = text[len("\\frac") :].replace("}{", "/", 1)
    return text.replace("\\", "").replace("^", "").lower()


@cache
def _split_word(word: str) -> tuple[str, ...] | None:
    """``word`` cut into the fewest known words (``douth`` → d out h), None when it cannot be (or is longer
    than any name: a run of prose letters)."""
    if not word:
        return ()
    if len(word) > _LONGEST_WORD:
        return None
    best: tuple[str, ...] | None = None
    for end in range(len(word), 0, -1):
        head = word[:end]
        if head not in _WORDS:
            continue
        rest = _split_word(word[end:])
        if rest is not None and (best is None or len(rest) + 1 < len(best)):
            best = (head, *rest)
    return best


def _tokens(name: str) -> list[str] | None:
    """The words of a written name; digits stay their own token, ``_`` between two digit groups is kept
    (``h2_1``); None when a word is not one the derivation uses."""
    text = _cleaned(name)
    tokens: list[str] = []
    end = 0
    for match in _PIECES.finditer(text):
        piece = match.group()
        gap = text[end : match.start()]
        end = match.end()
        if piece.isdigit():
            if tokens and tokens[-1][-1].isdigit() and gap:  # h2_1: layer 2, neuron 1
                tokens[-1] += f"_{piece}"
            elif tokens and tokens[-1] in _UNITS:
                tokens[-1] += piece
            else:
                return None
            continue
        words = _split_word(piece)
        if words is None:
            return None
        tokens += words
    return tokens


def _quantity(tokens: list[str]) -> str | None:
    """A value's name from its tokens in any order: ``o1 out`` → ``out_o1``, ``E total`` → ``E_total``."""
    kinds = {_KINDS[token] for token in tokens if token in _KINDS}
    units = [token for token in tokens if token[0] in _UNITS and token[1:2].isdigit()]
    total = any(token in _TOTAL for token in tokens)
    if len(kinds) > 1 or len(units) > 1 or len(kinds) + len(units) + total != len(tokens):
        return None
    kind = next(iter(kinds), None)
    unit = units[0] if units else None
    if kind == "E":
        if unit is None or total:
            return "E_total" if unit is None else None
        return value_names.error(unit) if unit[0] == "o" else None
    if total:
        return "E_total" if kind is None and unit is None else None
    if unit is None:
        return None
    if kind is None:
        return unit if unit[0] in "iwb" else None
    return f"{kind}_{unit}" if unit[0] in "ho" else None


def _derivative(numerator: str, denominator: str) -> str:
    """``dA/dB`` in the derivation's words; ``dE_total/dnet_o1`` is ``delta_o1``."""
    if numerator == "E_total" and denominator.startswith("net_"):
        return value_names.delta(denominator[4:])
    return f"d{numerator}/d{denominator}"


def canonical_name(written: str) -> str | None:
    """The derivation's name for ``written`` read token by token, or None when it cannot be read.

    ``o1_out`` → ``out_o1``, ``dE/dnet_o1`` → ``delta_o1``, ``∂E/∂w5`` → ``dE_total/dw5``,
    ``w5_new`` → ``w5+``, ``E total`` → ``E_total``, ``h₁ out`` → ``out_h1``.
    """
    if re.sub(r"[\s_\-]", "", _cleaned(written)) in _LEARNING_RATE_SPELLINGS:
        return LEARNING_RATE
    tokens = _tokens(written)
    if not tokens:
        return None
    updated = any(token in _UPDATED for token in tokens)
    tokens = [token for token in tokens if token not in _UPDATED and token not in _BEFORE and token != "/"]
    if tokens[0] in _DERIVATIVE:
        second = next((i for i in range(1, len(tokens)) if tokens[i] in _DERIVATIVE), None)
        if second is None:
            return None
        numerator, denominator = _quantity(tokens[1:second]), _quantity(tokens[second + 1 :])
        if numerator is None or denominator is None:
            return None
        name = _derivative(numerator, denominator)
    else:
        quantity = _quantity(tokens)
        if quantity is None:
            return None
        name = quantity
    return name + ("+" if updated else "")


# A net input's derivative with respect to one of its own parameters: the input the weight brings in, or 1.
_IDENTITY = re.compile(r"^dnet_[a-z]\d+(?:_\d+)?/d[wb]\d+$")


def is_identity(name: str) -> bool:
    """True for a value that is, by its kind, a number already known rather than a step a person works:
    ``dnet_h1/dw1 = i1``, ``dnet_o1/dw5 = out_h1`` (a net input's derivative with respect to its own weight).
    Such values are checked when written, but not missed when left out."""
    return _IDENTITY.match(name) is not None


def name_key(name: str) -> str:
    """A compact key of a name: lower case, without spaces, underscores, braces, slashes or quotes."""
    return re.sub(r"[\s_{}/\"`\\]", "", _cleaned(name))


def _bag(name: str) -> str:
    """The words of a name in sorted order, so that word order does not count (``o1_out`` ~ ``out_o1``)."""
    return " ".join(sorted(re.findall(r"[a-zδσ∂]+\d*(?:_\d+)?|\d+|[+'′*]", _cleaned(name))))


class NameIndex:
    """The known names of one network, looked up by any accepted spelling."""

    def __init__(self, names: Iterable[str]) -> None:
        self.names = list(names)
        self._known = set(self.names)
        self._by_key: dict[str, str] = {}
        clashes: set[str] = set()
        for name in self.names:
            key = name_key(name)
            if key in self._by_key and self._by_key[key] != name:
                clashes.add(key)
            self._by_key[key] = name
        for key in clashes:
            del self._by_key[key]

    def resolve(self, written: str) -> str | None:
        """The derivation's name for ``written``, or None when it names nothing known."""
        stripped = written.strip()
        if stripped in self._known:
            return stripped
        canonical = canonical_name(stripped)
        if canonical is not None and canonical in self._known:
            return canonical
        return self._by_key.get(name_key(stripped))

    def closest(self, written: str, count: int = 3) -> list[str]:
        """The known names closest to ``written``, best first: by spelling or by the same words in another
        order, whichever is closer (ties in derivation order)."""
        key, bag = name_key(written), _bag(written)

        def likeness(name: str) -> float:
            by_key = difflib.SequenceMatcher(None, key, name_key(name)).ratio()
            return max(by_key, difflib.SequenceMatcher(None, bag, _bag(name)).ratio())

        scored = sorted(((-likeness(name), rank, name) for rank, name in enumerate(self.names)))
        return [name for score, _, name in scored if -score >= 0.5][:count]
