"""Matching the names a learner writes to the derivation's names.

Spellings are compared by a key that ignores case, spaces, underscores and
LaTeX braces, reads ``∂`` as ``d`` and ``δ`` as ``delta``, and reads every way
of saying "after the update" (``w5+``, ``w5'``, ``w5_new``, ``new_w5``,
``E_total_after``) as a trailing ``+``, and ``E_total_before``/``w5_old`` as the value
before it. ``dE/dw5``, ``dEtotal/dw5`` and the code spellings ``dE_total_dw5``,
``dEtotal_dw6``, ``dE_dw5`` all mean ``dE_total/dw5`` (the ``/`` of a derivative is
not part of the key); ``E``, ``Etotal`` and ``loss`` mean ``E_total``.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable

_UPDATED_SUFFIXES = ("(new)", "updated", "after", "new", "next", "^{+}", "^+", "+", "'", "′", "*")
_UPDATED_PREFIXES = ("updated", "new")
_BEFORE_SUFFIXES = ("(old)", "before", "original", "orig", "old")
_SPELLINGS = {"e": "etotal", "loss": "etotal", "error": "etotal", "etot": "etotal"}


def name_key(name: str) -> str:
    """The spelling-independent key of a value name (``dEtotal/dw5`` and ``dE_total/dw5`` share one)."""
    text = name.strip()
    if len(text) > 1 and text[0] == text[-1] and text[0] in "\"'":
        text = text[1:-1]
    text = text.replace("∂", "d").replace("δ", "delta").replace("Δ", "delta").replace("⁺", "+").replace("\\", "")
    text = re.sub(r"_\{([^{}]*)\}", r"\1", text)
    text = re.sub(r"[\s_{}]", "", text.lower())
    updated = False
    for prefix in _UPDATED_PREFIXES:
        if text.startswith(prefix) and len(text) > len(prefix) and text[len(prefix)] in "wbeo":
            text, updated = text[len(prefix) :], True
            break
    for suffix in _BEFORE_SUFFIXES:
        if text.endswith(suffix) and len(text) > len(suffix):
            text = text[: -len(suffix)]
            break
    changed = True
    while changed:
        changed = False
        for suffix in _UPDATED_SUFFIXES:
            if text.endswith(suffix) and len(text) > len(suffix):
                text, updated, changed = text[: -len(suffix)], True, True
                break
    text = re.sub(r"etot(?!al)", "etotal", text)
    text = _SPELLINGS.get(text, text)
    text = text.replace("/", "")
    text = re.sub(r"^ded(?=w|b|out|net)", "detotald", text)
    return text + ("+" if updated else "")


class NameIndex:
    """The known names of one network, looked up by any accepted spelling."""

    def __init__(self, names: Iterable[str]) -> None:
        self.names = list(names)
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
        if stripped in self.names:
            return stripped
        return self._by_key.get(name_key(stripped))

    def closest(self, written: str, count: int = 3) -> list[str]:
        """The known names closest to ``written`` (difflib), best first."""
        by_name = difflib.get_close_matches(written.strip(), self.names, n=count, cutoff=0.5)
        keys = difflib.get_close_matches(name_key(written), list(self._by_key), n=count, cutoff=0.5)
        merged = [*by_name]
        for key in keys:
            if self._by_key[key] not in merged:
                merged.append(self._by_key[key])
        return merged[:count]
