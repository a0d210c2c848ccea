"""Feature scaling: fitted on the training samples, recorded in model files, on by default for CSV files."""

import numpy as np
import pytest

from stepgrad.data.scaling import Scaling, widest_column
from stepgrad.errors import StepgradError

X = np.array([[1000.0, 1.0, 7.0], [3000.0, 2.0, 7.0], [2000.0, 6.0, 7.0]])


def test_standard_scaling_gives_mean_0_and_variance_1_per_column() -> None:
    scaling = Scaling.fit("standard", X)
    scaled = scaling.apply(X)
    np.testing.assert_allclose(scaled[:, :2].mean(axis=0), 0.0, atol=1e-15)
    np.testing.assert_allclose(scaled[:, :2].std(axis=0), 1.0, rtol=1e-15)
    # a constant column keeps factor 1: it becomes 0, not NaN
    assert scaling.factor[2] == 1.0 and np.all(scaled[:, 2] == 0.0)
    np.testing.assert_allclose(scaled[:, 0], [-1.0, 1.0, 0.0] / np.sqrt(2 / 3), rtol=1e-15)


def test_minmax_scaling_maps_each_column_onto_0_to_1() -> None:
    scaled = Scaling.fit("minmax", X).apply(X)
    assert scaled[:, 0].tolist() == [0.0, 1.0, 0.5]
    assert scaled[:, 1].tolist() == [0.0, 0.2, 1.0]


def test_none_changes_nothing_and_records_nothing_but_its_name() -> None:
    scaling = Scaling.fit("none", X)
    assert scaling.apply(X).tolist() == X.tolist()
    assert scaling.as_meta(("a", "b", "c")) == {"scale": "none"}


def test_new_inputs_are_scaled_with_the_training_statistics() -> None:
    scaling = Scaling.fit("standard", X)
    assert scaling.apply(np.array([[2000.0, 3.0, 7.0]])).tolist() == [[0.0, 0.0, 0.0]]
    meta = scaling.as_meta(("sqft", "rooms", "floors"))
    assert meta["scale_features"] == ["sqft", "rooms", "floors"]
    assert meta["scale_shift"] == [2000.0, 3.0, 7.0]
    restored = (np.array([[2500.0, 1.0, 7.0]]) - meta["scale_shift"]) / meta["scale_factor"]
    np.testing.assert_array_equal(restored, scaling.apply(np.array([[2500.0, 1.0, 7.0]])))


def test_unknown_scaling_and_the_widest_column() -> None:
    with pytest.raises(StepgradError, match="unknown scaling 'log'"):
        Scaling.fit("log", X)
    assert widest_column(X) == (0, 2000.0)
    assert widest_column(np.zeros((0, 2))) == (0, 0.0)
