"""The generated reference pages hold everything they are generated from."""

from __future__ import annotations

from html import escape

from sitegen.mistakes import CHECKED, examples
from sitegen.named_values import two_hidden_layers

import stepgrad
from stepgrad.check.mistakes import MISTAKES
from stepgrad.check.names import canonical_name
from stepgrad.functions import ACTIVATIONS, LOSSES
from support.docs_site import BuiltSite


def test_named_values_lists_every_value_of_both_networks(built_site: BuiltSite) -> None:
    page = (built_site.folder / "reference" / "named-values.html").read_text(encoding="utf-8")
    for derivation in (stepgrad.explain(), two_hidden_layers()):
        for name in derivation.values:
            assert f"<code>{escape(name)}</code>" in page, name
    assert "<code>w5+</code>" in page and "<code>delta_h2_1</code>" in page


def test_the_spellings_shown_are_read_as_shown(built_site: BuiltSite) -> None:
    page = (built_site.folder / "reference" / "named-values.html").read_text(encoding="utf-8")
    assert canonical_name("w5_new") == "w5+"
    assert "<code>w5_new</code></td>\n<td><code>w5+</code>" in page


def test_every_mistake_family_has_its_section_and_most_an_example(built_site: BuiltSite) -> None:
    page = (built_site.folder / "reference" / "mistakes.html").read_text(encoding="utf-8")
    for name, mistake in MISTAKES.items():
        assert f"<code>{name}</code>" in page and escape(mistake.title, quote=False) in page, name
    found = examples()
    assert set(found) | set(CHECKED) == set(MISTAKES)
    flipped = found["sign_flipped"]
    assert flipped.step == "dE_total/dout_o1" and flipped.wrong_value == -flipped.right_value


def test_every_activation_and_loss_of_the_registries_has_its_row(built_site: BuiltSite) -> None:
    """The reference is read from the registries: a new entry is listed with its formulas and where it trains."""
    page = (built_site.folder / "reference" / "functions.html").read_text(encoding="utf-8")
    for name, entry in [*ACTIVATIONS.items(), *LOSSES.items()]:
        assert f"<tr><td><code>{name}</code>" in page, name
        assert escape(entry.formula, quote=False) in page, name
    row = page[page.index("<tr><td><code>softmax</code>") :].split("</tr>")[0]
    assert "output only" in row and "torch.nn.Softmax(dim=-1)" in row and "written-out lines" not in row
    row = page[page.index("<tr><td><code>cross_entropy</code>") :].split("</tr>")[0]
    assert "<td>softmax</td>" in row and "delta = out − target" in row
