"""Input features of the plane (X1², X1·X2, sin X1, …): the network's inputs, chosen by name."""

from __future__ import annotations

import numpy as np
import pytest

from stepgrad.web.config import ConfigError, Limits, VizConfig, parse_config
from stepgrad.web.features import FEATURES, feature_inputs
from stepgrad.web.session import Session


def test_features_are_functions_of_the_point() -> None:
    points = np.array([[0.5, -2.0], [1.0, 3.0]])
    values = feature_inputs(points, tuple(FEATURES))
    expected = [
        [0.5, -2.0, 0.25, 4.0, -1.0, np.sin(0.5), np.sin(-2.0)],
        [1.0, 3.0, 1.0, 9.0, 3.0, np.sin(1.0), np.sin(3.0)],
    ]
    assert np.allclose(values, expected)


def test_features_parse_in_the_registrys_order_and_refuse_nonsense() -> None:
    datasets = ("circle",)
    assert parse_config({"features": "sinx1,x1"}, datasets, Limits()).features == ("x1", "sinx1")
    for bad in ("", "x3", [1], "x1," * 100):
        with pytest.raises(ConfigError):
            parse_config({"features": bad}, datasets, Limits())


def test_a_feature_is_an_input_neuron_whose_weights_train() -> None:
    session = Session(Limits())
    ready = session.configure(VizConfig(data="circle", layers=(3,), features=("x1", "x2", "x1sq", "x2sq")))
    assert ready["network"]["sizes"] == [4, 3, 1]
    assert ready["input_labels"] == ["X1", "X2", "X1²", "X2²"] and len(ready["input_maps"]) == 4
    first = np.array(ready["frame"]["weights"][0])  # (3, 4)
    for _ in range(20):
        frame = session.train_frame()
    assert not np.allclose(np.array(frame["weights"][0])[:, 2:], first[:, 2:])  # X1², X2² weights moved
    assert frame["loss"]["test"] < ready["frame"]["loss"]["test"]
    points = ready["points"]["train"][0]
    assert len(points) == 3  # the plot still shows (x1, x2, label)
