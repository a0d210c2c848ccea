"""Keystroke slips: a written number that is the right number, mistyped.

``slip_of(text, target, tolerance)`` undoes each slip a person makes when writing a number
down (two neighbouring digits swapped, a digit dropped or doubled, the decimal point moved,
the sign lost) and says which one gives back ``target`` within ``tolerance``.
"""

from __future__ import annotations

import math
import re

from stepgrad.check.tolerance import half_unit, within

_NUMBER = re.compile(r"^([+\-−]?)(\d*)\.?(\d*)$")


def _value(sign: str, whole: str, fraction: str) -> float:
    text = f"{whole or '0'}.{fraction or '0'}"
    return -float(text) if sign in ("-", "−") else float(text)


def _repairs(sign: str, whole: str, fraction: str) -> list[tuple[str, float, int]]:
    """Each way to undo one slip in ``whole.fraction``: ``(what happened, the number meant, its decimals)``."""
    digits = whole + fraction
    point = len(whole)
    found: list[tuple[str, float, int]] = []

    def number(text: str, at: int) -> tuple[float, int]:
        return _value(sign, text[:at], text[at:]), len(text) - at

    for index in range(len(digits) - 1):
        if digits[index] != digits[index + 1]:
            swapped = digits[:index] + digits[index + 1] + digits[index] + digits[index + 2 :]
            value, decimals = number(swapped, point)
            found.append((f"the digits {digits[index]}{digits[index + 1]} swapped", value, decimals))
    for index in range(len(digits) + 1):
        points = {point + 1} if index < point else {point} if index > point else {point, point + 1}
        for digit in "0123456789":
            longer = digits[:index] + digit + digits[index:]
            for at in points:
                value, decimals = number(longer, at)
                found.append((f"a digit {digit} dropped", value, decimals))
    for index in range(len(digits) - 1):
        if digits[index] == digits[index + 1]:
            shorter = digits[:index] + digits[index + 1 :]
            at = point - 1 if index < point else point
            value, decimals = number(shorter, max(at, 0))
            found.append((f"a digit {digits[index]} doubled", value, decimals))
    for shift in (-3, -2, -1, 1, 2, 3):
        value = _value(sign, whole, fraction) * 10.0**shift
        decimals = max(len(fraction) - shift, 0)
        where = "left" if shift > 0 else "right"
        found.append(
            (f"the decimal point moved {abs(shift)} place{'s' if abs(shift) > 1 else ''} {where}", value, decimals)
        )
    flipped = "" if sign in ("-", "−") else "−"
    found.append(("the sign lost", _value(flipped, whole, fraction), len(fraction)))
    return found


def slip_of(text: str, target: float, spread: float) -> str | None:
    """The slip that turns the intended ``target`` into the written ``text``, if one does.

    ``spread``: how far ``target`` may be off because of the learner's rounding of earlier values.
    """
    match = _NUMBER.match(text.strip().strip("\"'").replace(",", "."))
    if match is None or not math.isfinite(target) or target == 0:
        return None
    sign, whole, fraction = match.groups()
    if not (whole or fraction):
        return None
    for what, meant, decimals in _repairs(sign, whole, fraction):
        slack = half_unit(decimals) + spread
        if within(meant, target, slack) and not within(meant, _value(sign, whole, fraction), slack):
            return what
    return None
