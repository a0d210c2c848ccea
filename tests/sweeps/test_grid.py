"""``--grid NAME=VALUES``: ranges, lists, the order of the points, and one-line refusals."""

import itertools

import numpy as np
import pytest

from stepgrad.errors import StepgradError
from stepgrad.sweeps import Grid, parse_axis, plan_chunks


def test_log_and_lin_ranges_are_numpys_geomspace_and_linspace() -> None:
    assert np.array_equal(parse_axis("lr=0.1:3:log20").values, np.geomspace(0.1, 3, 20))
    assert np.array_equal(parse_axis("init-scale=0.5:2:lin4").values, [0.5, 1.0, 1.5, 2.0])
    assert parse_axis("hidden=2,3, 8").values == (2, 3, 8)
    assert parse_axis("activation=sigmoid,tanh").values == ("sigmoid", "tanh")
    assert parse_axis("batch-size=1,full").values == (1, "full")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("lr", "--grid takes NAME=VALUES"),
        ("speed=1,2", "'speed' is not a setting a grid can vary"),
        ("lr=0.1,-1", "must be a positive finite number"),
        ("lr=0.1:1:log0", "needs 1 to 10,000 values"),
        ("activation=sigmoid,relux", "'relux' is not an activation"),
        ("activation=a:b:lin2", "takes a list of values, not a range"),
        ("lr=0.1,0.1", "a value appears twice"),
        ("hidden=1.5", "invalid literal"),
    ],
)
def test_bad_axes_are_refused_in_one_line(text: str, message: str) -> None:
    with pytest.raises(StepgradError, match=message.replace("(", r"\(")) as caught:
        parse_axis(text)
    assert "\n" not in str(caught.value)


def test_an_axis_given_twice_is_refused() -> None:
    with pytest.raises(StepgradError, match="--grid lr is given twice"):
        Grid.parse(["lr=1", "lr=2"])


def test_point_index_is_the_row_major_product_and_point_reads_it_back() -> None:
    grid = Grid.parse(["lr=0.5,1,2", "init-scale=1,2", "activation=sigmoid,tanh"])
    combos = list(itertools.product((0.5, 1.0, 2.0), (1.0, 2.0), ("sigmoid", "tanh")))
    assert grid.size == 12
    assert [tuple(point.values()) for point in grid.points()] == combos
    assert [grid.point(index) for index in range(grid.size)] == grid.points()
    assert Grid().size == 1 and Grid().point(0) == {}


def test_chunks_cover_each_point_once_and_never_span_two_points() -> None:
    chunks = plan_chunks(points=3, per_point=10, chunk_size=4)
    assert [(c.point, c.start, c.stop) for c in chunks[:4]] == [(0, 0, 4), (0, 4, 8), (0, 8, 10), (1, 0, 4)]
    assert [c.index for c in chunks] == list(range(9))
    assert sum(c.size for c in chunks) == 30


def test_a_chunk_may_hold_one_network() -> None:
    assert [c.size for c in plan_chunks(points=1, per_point=7, chunk_size=3)] == [3, 3, 1]
    assert [c.size for c in plan_chunks(points=1, per_point=3, chunk_size=1)] == [1, 1, 1]
    assert [c.size for c in plan_chunks(points=2, per_point=1, chunk_size=5)] == [1, 1]
