"""Reading the names people write: a token normaliser, not a list of spellings."""

from __future__ import annotations

import pytest

from stepgrad.check.names import NameIndex, canonical_name, is_identity
from stepgrad.core import train_step
from stepgrad.network import classic_setup


def classic_index() -> NameIndex:
    setup = classic_setup()
    return NameIndex(train_step(setup.network, setup.inputs, setup.targets, setup.learning_rate).values())


@pytest.mark.parametrize(
    ("written", "canonical"),
    [
        # kind and neuron in either order, any case, with or without separators
        ("o1_out", "out_o1"),
        ("h1_net", "net_h1"),
        ("outH1", "out_h1"),
        ("net h1", "net_h1"),
        ("h1 out", "out_h1"),
        ("OUT_O2", "out_o2"),
        ("output o1", "out_o1"),
        ("z_h1", "net_h1"),
        ("out_h2_1", "out_h2_1"),  # layer 2, neuron 1 of a deeper network
        # subscripts, full-width letters, LaTeX braces
        ("out_h₁", "out_h1"),
        ("ｏｕｔ_h1", "out_h1"),
        ("out_{h1}", "out_h1"),
        # the error
        ("Etotal", "E_total"),
        ("E total", "E_total"),
        ("E_{total}", "E_total"),
        ("ΣE", "E_total"),
        ("loss", "E_total"),
        ("Eo1", "E_o1"),
        ("error o2", "E_o2"),
        # deltas
        ("delta o1", "delta_o1"),
        ("δ_o1", "delta_o1"),
        ("δo1", "delta_o1"),
        ("\\delta_{h2}", "delta_h2"),
        # derivatives, with or without a slash; dE/dnet is the delta
        ("dE/dnet_o1", "delta_o1"),
        ("∂E/∂net_h1", "delta_h1"),
        ("dEtotal/dw5", "dE_total/dw5"),
        ("∂E/∂w5", "dE_total/dw5"),
        ("∂E_total/∂out_{h1}", "dE_total/dout_h1"),
        ("\\frac{\\partial E_{total}}{\\partial w_5}", "dE_total/dw5"),
        ("dE/db1", "dE_total/db1"),
        ("dEo1/douth1", "dE_o1/dout_h1"),
        ("dout_o1_dnet_o1", "dout_o1/dnet_o1"),
        ("dnet_h1/dw1", "dnet_h1/dw1"),
        # after and before the update
        ("w5_new", "w5+"),
        ("w5'", "w5+"),
        ("w5′", "w5+"),
        ("w₅⁺", "w5+"),
        ("new w5", "w5+"),
        ("w5 (new)", "w5+"),
        ("updated_b1", "b1+"),
        ("E total after", "E_total+"),
        ("out_o1_new", "out_o1+"),
        ("w5_old", "w5"),
        ("E_total (before)", "E_total"),
        # the network's numbers
        ("i1", "i1"),
        ("target o1", "target_o1"),
        ("W_5", "w5"),
    ],
)
def test_written_names_read_as_the_derivation_names_them(written: str, canonical: str) -> None:
    assert canonical_name(written) == canonical


@pytest.mark.parametrize("written", ["Forward pass", "Step 1", "Note", "h1", "o1", "detla_o1", "dout_o1", "E1", "ηw5"])
def test_what_is_not_a_value_name_reads_as_none(written: str) -> None:
    assert canonical_name(written) is None


@pytest.mark.parametrize(
    ("written", "name"),
    [("o1_out", "out_o1"), ("dE/dnet_o1", "delta_o1"), ("w5'", "w5+"), ("E total", "E_total"), ("h1out", "out_h1")],
)
def test_the_index_resolves_through_the_normaliser(written: str, name: str) -> None:
    assert classic_index().resolve(written) == name


def test_the_index_does_not_resolve_a_name_the_network_lacks() -> None:
    index = classic_index()
    assert index.resolve("out_o3") is None
    assert index.resolve("dE/dnet_i1") is None  # reads as a derivative, but not one of the derivation


@pytest.mark.parametrize(
    ("written", "first"),
    [("o1_out", "out_o1"), ("o1_outt", "out_o1"), ("h2_ot", "out_h2"), ("detla_o1", "delta_o1"), ("outt_h1", "out_h1")],
)
def test_suggestions_put_the_same_words_in_another_order_first(written: str, first: str) -> None:
    assert classic_index().closest(written)[0] == first


def test_identities_are_known_by_their_kind() -> None:
    setup = classic_setup()
    names = train_step(setup.network, setup.inputs, setup.targets, setup.learning_rate).values()
    identities = [name for name in names if is_identity(name)]
    # dnet/dw is the input the weight brings in (i1, out_h1 …): one per weight, nothing else
    assert identities == [
        f"dnet_{n}/dw{w}" for n, ws in (("o1", (5, 6)), ("o2", (7, 8)), ("h1", (1, 2)), ("h2", (3, 4))) for w in ws
    ]
    assert is_identity("dnet_h2_1/dw17") and not is_identity("dE_total/dw5") and not is_identity("dout_o1/dnet_o1")


def test_identities_are_not_missed_when_left_out() -> None:
    from stepgrad.check import check_answers

    report = check_answers({"out_h1": "0.5933"})
    assert not any(is_identity(name) for name in report.missing)
    assert "dE_total/dw5" in report.missing and "dout_o1/dnet_o1" in report.missing
    assert len(report.missing) == 62 - 8 - 1  # the 62 computed values, less the 8 dnet/dw and the one written
    written = check_answers({"dnet_o1/dw5": "0.5933"})  # written, it is checked like any value
    assert written.check("dnet_o1/dw5").status == "right"


@pytest.mark.parametrize("written", ["η", "eta", "Learning rate", "learning_rate", "lr", "\\eta", "α"])
def test_the_learning_rate_is_a_given_number_a_learner_may_copy(written: str) -> None:
    from stepgrad.check import check_answers

    assert canonical_name(written) == "η"
    right = check_answers({written: "0.5", "net_h1": "0.3775"})
    assert [(check.name, check.status) for check in right.values] == [("η", "right"), ("net_h1", "right")]
    wrong = check_answers({written: "0.05"})
    assert (wrong.first_wrong, wrong.check("η").note) == ("η", "the network's η is 0.5: copy it from the network file")


def test_a_long_run_of_letters_is_not_a_name_and_does_not_recurse_forever() -> None:
    assert canonical_name("a" * 5000) is None
    assert canonical_name("dd" * 3000 + "w5") is None
