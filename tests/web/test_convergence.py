"""The page's defaults learn: circle, xor2d, gauss and spiral reach the test losses the page guide states.

The bounds are read from the table in docs/student/page.md, so the guide states exactly what is checked.
Each run is the page's own (``Session``, as a tab with only ``data`` and ``seed`` in its link trains it);
"reach" means the test loss at the end of some epoch, within the stated number, is at most the bound.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from stepgrad.web.config import Limits, VizConfig, parse_config, url_value
from stepgrad.web.session import Session

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "student" / "page.md"
DATASETS = ("circle", "xor2d", "gauss", "spiral")
SEEDS = (1, 2, 3, 4, 5)
ROW = re.compile(r"^\| (\w+) \| `([^`]+)` \| (\d+) \| ([\d.]+) \| ([\d.]+) \|$", re.MULTILINE)


def stated_bounds() -> dict[str, tuple[str, int, float, float]]:
    """``{data: (defaults, epochs, bound for seed 1, bound for every seed)}`` from the guide's table."""
    rows = ROW.findall(GUIDE.read_text(encoding="utf-8"))
    return {data: (defaults, int(epochs), float(one), float(every)) for data, defaults, epochs, one, every in rows}


def defaults_text(config: VizConfig) -> str:
    """The settings the table's second column names, as a link writes them."""
    layers, rate = url_value(config.layers), url_value(config.learning_rate)
    return f"layers={layers} act={config.activation} opt={config.optimizer} lr={rate}"


def test_the_guide_states_a_bound_for_each_data_set() -> None:
    assert sorted(stated_bounds()) == sorted(DATASETS)


@pytest.mark.slow
@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("data", DATASETS)
def test_the_defaults_reach_the_stated_test_loss(data: str, seed: int) -> None:
    defaults, epochs, bound_seed_1, bound = stated_bounds()[data]
    session = Session(Limits())
    config = parse_config({"data": data, "seed": seed}, (*DATASETS, "classic"), Limits())
    session.configure(config, given={"data", "seed"})
    assert defaults_text(session.config) == defaults  # the table names the settings that are trained
    losses = []
    frame = session.frame()
    while frame["epoch"] < epochs:
        frame = session.train_frame()
        losses.append(frame["loss"]["test"])
    assert frame["epoch"] == epochs and frame["stopped"] is None  # whole epochs per frame here, no divergence
    assert min(losses) <= (bound_seed_1 if seed == 1 else bound), (data, seed, min(losses))
