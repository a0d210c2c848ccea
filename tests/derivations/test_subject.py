"""``stepgrad.explain(…)``: a derivation from a file, a Setup, a Network, a Trace or nothing."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import stepgrad
from stepgrad.errors import StepgradError
from stepgrad.network import Layer, Network, classic_setup
from stepgrad.network.files import save_setup


def test_every_kind_of_subject_gives_the_same_classic_derivation(tmp_path: Path) -> None:
    setup = classic_setup()
    save_setup(setup, tmp_path / "classic.toml")
    trace = stepgrad.train_step(setup.network, setup.inputs, setup.targets, setup.learning_rate)
    derivations = [
        stepgrad.explain(),
        stepgrad.explain(setup),
        stepgrad.explain(tmp_path / "classic.toml"),
        stepgrad.explain(str(tmp_path / "classic.toml")),
        stepgrad.explain(setup.network, setup.inputs, setup.targets, learning_rate=0.5),
        stepgrad.explain(trace),
    ]
    for derivation in derivations:
        assert derivation.values == derivations[0].values
        assert derivation.step("w5+").substituted() == "0.4 − 0.5 · 0.0821670406"


def test_options_reach_the_derivation() -> None:
    mistaken = stepgrad.explain(hidden_deltas_from="updated")
    assert mistaken.values["E_total+"] == pytest.approx(0.291027924, abs=1e-9)
    network = Network((Layer([[0.5, -0.5]], [0.0]),))
    second = stepgrad.explain(network, [[0.0, 1.0], [1.0, 0.0]], [[1.0], [0.0]], learning_rate=1.0, sample=1)
    assert second.values["i1"] == 1.0 and second.trace.learning_rate == 1.0


def test_mistakes_are_stepgrad_errors() -> None:
    with pytest.raises(StepgradError, match="needs inputs and targets"):
        stepgrad.explain(classic_setup().network)
    with pytest.raises(StepgradError, match="inputs and targets are for a Network"):
        stepgrad.explain(classic_setup(), inputs=[[1.0, 2.0]])
    with pytest.raises(StepgradError, match="cannot explain a int"):
        stepgrad.explain(3)  # type: ignore[arg-type]


def test_explain_is_a_function_and_the_derivations_package_is_a_package() -> None:
    import types

    import stepgrad.derivations.derivation

    assert isinstance(stepgrad.explain, types.FunctionType)
    assert type(stepgrad.derivations) is types.ModuleType  # a plain package, not a callable one
    assert not callable(stepgrad.derivations)
    assert stepgrad.explain().step("net_h1").value == pytest.approx(0.3775)


def test_import_stepgrad_loads_no_explain_render_or_terminal_code() -> None:
    code = (
        "import sys, stepgrad\n"
        "print(' '.join(m for m in ('stepgrad.derivations', 'stepgrad.render', 'rich', 'click', 'latex2mathml', "
        "'torch', 'matplotlib') if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == ""


def test_a_network_with_more_target_rows_than_samples_is_refused() -> None:
    network = classic_setup().network
    with pytest.raises(StepgradError, match="1 input row but 2 target rows: give one row of targets per sample"):
        stepgrad.explain(network, [[0.05, 0.1]], [[0.01, 0.99], [0.2, 0.3]])
    with pytest.raises(StepgradError, match="inputs have shape"):
        stepgrad.explain(network, [[0.05, 0.1, 0.2]], [[0.01, 0.99]])


def test_a_setup_with_more_target_rows_than_samples_is_refused() -> None:
    from stepgrad.network.model import Setup

    network = classic_setup().network
    with pytest.raises(StepgradError, match="2 input rows but 1 target row") as error:
        Setup(network, [[0.05, 0.1], [0.1, 0.2]], [[0.01, 0.99]], source="net.toml")  # type: ignore[arg-type]
    assert str(error.value).startswith("net.toml")


def test_the_lazy_top_level_explain_has_the_signature_of_the_function_it_calls() -> None:
    # stepgrad.derivations is a light wrapper until stepgrad.derivations (the package) is imported: same parameters.
    code = (
        "import inspect, stepgrad; lazy = inspect.signature(stepgrad.explain); "
        "from stepgrad.derivations.subject import explain_subject; "
        "assert lazy == inspect.signature(explain_subject), (lazy, inspect.signature(explain_subject))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
