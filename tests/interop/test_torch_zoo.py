"""The zoo: blind PyTorch training scripts written by someone else as engineers write them
(``zoo/zoo_*.py``, the answers in ``zoo/truth.toml``), checked with ``verify_script``.

Every correct script must agree; every buggy one must be caught at the stage the truth names, in
the module it names; every unsupported one must be refused naming the module. The scripts stepgrad
cannot check yet are listed in ``GAPS`` with the reason (strict: a fixed gap fails the test, so the
list stays honest), and ``test_zoo_counts`` prints the counts.
"""

import contextlib
import io
import tomllib
from pathlib import Path

import pytest

from stepgrad.errors import StepgradError

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.torch

from stepgrad.interop.torch_script import verify_script  # noqa: E402

ZOO = Path(__file__).parent / "zoo"
TRUTH = tomllib.loads((ZOO / "truth.toml").read_text())["script"]
# the truth's stage -> the report's stages (a wrong parameter gradient shows first in the deltas
# behind it, or in .grad itself)
STAGES = {"forward": {"forward"}, "loss": {"error"}, "backward": {"backward", "gradient"}, "update": {"update"}}
GAPS: dict[str, str] = {}  # scripts the tool is known to get wrong, with why (none today)


def outcome(entry: dict) -> tuple[bool, str]:
    """Whether the tool's answer on one script matches the truth, and what it said."""
    with contextlib.redirect_stdout(io.StringIO()):
        try:
            report = verify_script(ZOO / entry["file"])
        except StepgradError as error:
            said = str(error)
            module = entry["unsupported_module"]
            return bool(module) and f": {module}: " in f": {said}" and "not supported" in said, said
    if entry["kind"] == "correct":
        return report.ok, report.to_text()
    if entry["kind"] != "bug":
        return False, report.to_text()
    layer = entry["first_wrong"].removesuffix(".grad").removesuffix(".weight").removesuffix(".bias")
    layer = layer.removesuffix(" output")
    problem = report.first_problem
    if entry["stage"] == "graph_cut":
        right = problem is not None and problem.message.startswith(f"no gradient reaches {layer}")
    elif problem is not None:
        right = problem.stage in STAGES[entry["stage"]] and layer in problem.message
    else:
        first = report.first_mismatch
        right = (
            first is not None
            and first.stage in STAGES[entry["stage"]]
            and (entry["stage"] == "loss" or f"{layer} " in first.torch_name + " " or f"{layer}." in first.torch_name)
        )
    return right, report.to_text()


@pytest.mark.parametrize("entry", TRUTH, ids=[entry["file"] for entry in TRUTH])
def test_each_zoo_script(entry) -> None:
    right, said = outcome(entry)
    if entry["file"] in GAPS:
        assert not right, f"{entry['file']} works now: remove it from GAPS"
        pytest.xfail(GAPS[entry["file"]])
    assert right, f"{entry['file']} ({entry['kind']}, {entry['stage'] or entry['unsupported_module']}): {said}"


def test_zoo_counts(capsys) -> None:
    counts: dict[str, list[int]] = {}
    for entry in TRUTH:
        right, _ = outcome(entry)
        counts.setdefault(entry["kind"], [0, 0])[0] += right
        counts[entry["kind"]][1] += 1
    with capsys.disabled():
        print("\nzoo: " + ", ".join(f"{kind} {right}/{total}" for kind, (right, total) in counts.items()))
    assert sum(right for right, _ in counts.values()) == len(TRUTH) - len(GAPS)


@pytest.mark.parametrize(
    ("script", "said"),
    [
        ("zoo_38.py", "the loss the step returned is 1/40 of the declared loss's (40 = batch 20 × 2 outputs)"),
        ("zoo_39.py", "the gradient reaching the output is 1/32 of the returned loss's (32 = the batch size)"),
    ],
)
def test_a_loss_reduced_another_way_is_named_with_its_factor(script, said) -> None:
    with contextlib.redirect_stdout(io.StringIO()):
        report = verify_script(ZOO / script)
    assert report.diagnosis is not None and report.diagnosis.startswith(said), report.diagnosis
