"""The sweep figures: the heat-map's cells are the share converged of their rows; figures the grid
cannot give are refused before training."""

import numpy as np
import pytest

from stepgrad.errors import StepgradError
from stepgrad.sweeps import run_grid
from stepgrad.sweeps.plots import check_figures, convergence_heatmap, rate_matrix
from support.sweeps import xor_spec


def test_each_cell_is_the_share_converged_at_its_point_and_the_png_is_written(tmp_path) -> None:
    spec = xor_spec(["activation=sigmoid,tanh", "lr=0.5,4", "init-scale=0.5,2"], per_point=5)
    table = run_grid(spec)
    lr, scale = spec.grid.axes[1], spec.grid.axes[2]
    rates = rate_matrix(table, {"activation": "tanh"}, lr, scale)  # rows: init-scale, columns: lr
    assert rates.shape == (2, 2)
    for row, scale_value in enumerate(scale.values):
        for col, lr_value in enumerate(lr.values):
            rows = (table["activation"] == "tanh") & (table["lr"] == lr_value) & (table["init_scale"] == scale_value)
            assert rates[row, col] == table["converged"][rows].mean()
    assert not np.array_equal(rates, rate_matrix(table, {"activation": "sigmoid"}, lr, scale))
    # the heat-map spans the first two varied axes (activation × lr), one panel per init-scale
    convergence_heatmap(tmp_path / "map.png", spec, table, "test")
    assert (tmp_path / "map.png").read_bytes()[:4] == b"\x89PNG"


def test_figures_the_grid_cannot_give_are_refused() -> None:
    with pytest.raises(StepgradError, match="two --grid axes with several values"):
        check_figures(xor_spec(["lr=1,2", "hidden=2"]), "map.png", None)
    with pytest.raises(StepgradError, match="65 is more than 64"):
        check_figures(xor_spec(["lr=0.1:1:log65"]), None, "hist.png")
    check_figures(xor_spec(["lr=1,2", "hidden=2,3"]), "map.png", "hist.png")
