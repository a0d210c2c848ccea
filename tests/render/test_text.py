"""The text renderer: exact strings for a few steps at 80 columns (checked by eye), widths, colour."""

from __future__ import annotations

import pytest

from stepgrad.derivations.derivation import explain_setup
from stepgrad.derivations.step import Derivation
from stepgrad.network import classic_setup
from stepgrad.render import render
from stepgrad.render.text import render_text

NET_H1 = """\
Net input of h1
  net_h1 = w1·i1 + w2·i2 + b1·1
         = 0.15·0.05 + 0.2·0.1 + 0.35·1
         = 0.3775
"""

W5_UPDATE = """\
Updated w5
  w5+ = w5 − η · dE_total/dw5
      = 0.4 − 0.5 · 0.0821670406
      = 0.35891648
  The new weights are only used from the next step on: every gradient of this
  step, the hidden layers' included, is computed with the original weights.
"""

W7_GRADIENT_NARROW = """\
Gradient of w7 (chain rule)
  dE_total/dw7 = dE_total/dout_o2 · dout_o2/dnet_o2 ·
                 dnet_o2/dw7
               = (−0.217071535) · 0.175510053 · 0.593269992
               = −0.0226025405
  Delta rule: dE_total/dw7 = delta_o2 · out_h1.
"""


@pytest.fixture(scope="module")
def classic() -> Derivation:
    return explain_setup(classic_setup())


def test_golden_steps_at_80_columns(classic: Derivation) -> None:
    text = render_text(classic, precision=9, width=80)
    assert text.startswith("Backpropagation, step by step: classic example\n\nForward pass ─")
    assert NET_H1 in text
    assert W5_UPDATE in text


def test_golden_step_wraps_at_60_columns(classic: Derivation) -> None:
    assert W7_GRADIENT_NARROW in render_text(classic, width=60)


@pytest.mark.parametrize("width", [60, 80, 100])
def test_no_line_is_wider_than_the_console(classic: Derivation, width: int) -> None:
    lines = render_text(classic, width=width).splitlines()
    assert max(len(line) for line in lines) <= width
    assert all(line == line.rstrip() for line in lines)


def test_every_step_and_section_appears(classic: Derivation) -> None:
    text = render_text(classic)
    for section, steps in classic.sections():
        assert f"{section} ─" in text
        for step in steps:
            assert step.title in text


def test_precision_controls_the_digits(classic: Derivation) -> None:
    assert "= 0.593269992\n" in render_text(classic, precision=9)
    assert "= 0.5933\n" in render_text(classic, precision=4)


def test_colour_only_when_asked(classic: Derivation) -> None:
    assert "\x1b[" not in render_text(classic)
    assert "\x1b[" in render_text(classic, color=True)


def test_registry_dispatches_to_text(classic: Derivation) -> None:
    assert render(classic, "text") == render_text(classic)
