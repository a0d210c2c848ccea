"""Per-data-set defaults that learn, and numbers written as people write them."""

from __future__ import annotations

import pytest

from stepgrad.web.config import ConfigError, Limits, VizConfig, human_number, parse_config, parse_link
from stepgrad.web.session import Session

DATASETS = ("circle", "xor2d", "gauss", "spiral", "classic")


@pytest.mark.parametrize("data", ["circle", "xor2d", "gauss", "spiral"])
def test_each_data_sets_defaults_learn_within_100_frames(data: str) -> None:
    """The figures in config.DATASET_DEFAULTS' comment: test loss below 0.1 after 100 frames (seed 1)."""
    session = Session(Limits())
    config = parse_config({"data": data}, DATASETS, Limits())
    session.configure(config)
    for _ in range(100):
        frame = session.train_frame()
    assert frame["loss"]["test"] < 0.1, (config, frame["loss"])


def test_leaving_classic_brings_the_data_sets_defaults() -> None:
    classic = parse_config({"data": "classic", "lr": 0.5, "batch": 1, "layers": "2"}, DATASETS, Limits())
    xor2d = parse_config({"data": "xor2d"}, DATASETS, Limits(), base=classic)
    assert (xor2d.layers, xor2d.learning_rate, xor2d.batch_size) == ((4, 2), 0.3, 10)
    spiral = parse_config({"data": "spiral"}, DATASETS, Limits(), base=xor2d)  # untouched settings follow too
    assert (spiral.layers, spiral.activation, spiral.optimizer) == ((8, 8, 8), "relu", "adam")


def test_settings_a_person_chose_are_kept_across_data_sets() -> None:
    chosen = parse_config({"lr": 0.03}, DATASETS, Limits(), base=VizConfig())
    assert parse_config({"data": "xor2d"}, DATASETS, Limits(), base=chosen).learning_rate == 0.03
    config, dropped = parse_link({"lr": "0.03", "data": "spiral"}, DATASETS, Limits())  # a link's own fields win
    assert (config.layers, config.learning_rate, dropped) == ((8, 8, 8), 0.03, {})


def test_errors_name_the_real_caps_in_plain_numbers() -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config({"seed": 2147483648}, DATASETS, Limits())
    assert caught.value.message == "seed must be between 0 and 2147483647, got 2147483648"
    with pytest.raises(ConfigError) as caught:
        parse_config({"lr": 1e-9}, DATASETS, Limits())
    assert caught.value.message == "learning rate must be between 0.000001 and 10, got 0.000000001"
    assert [human_number(v) for v in (2**31 - 1, 1e-6, 0.3, 1000.0)] == ["2147483647", "0.000001", "0.3", "1000"]
