"""The configuration the page may ask for, and the checks every WebSocket message passes."""

from __future__ import annotations

import json

import pytest

from stepgrad.web.config import ConfigError, Limits, VizConfig, parse_config
from stepgrad.web.protocol import RateLimiter, parse_message

DATASETS = ("circle", "xor2d", "classic")
LIMITS = Limits()


def test_url_aliases_and_strings_are_parsed() -> None:
    config = parse_config(
        {"data": "xor2d", "layers": "3,2,1", "act": "relu", "opt": "adam", "lr": "0.01", "batch": "20", "seed": "7"},
        DATASETS,
        LIMITS,
    )
    assert config == VizConfig(
        data="xor2d", layers=(3, 2, 1), activation="relu", optimizer="adam", learning_rate=0.01, batch_size=20, seed=7
    )


def test_fields_not_given_keep_the_base() -> None:
    base = VizConfig(learning_rate=0.1, layers=(5,))
    assert parse_config({"noise": 0.2}, DATASETS, LIMITS, base=base) == VizConfig(
        learning_rate=0.1, layers=(5,), noise=0.2
    )


def test_empty_layers_means_no_hidden_layer() -> None:
    assert parse_config({"layers": ""}, DATASETS, LIMITS).layers == ()


@pytest.mark.parametrize(
    ("values", "code", "words"),
    [
        ({"layers": "9"}, "cap", "at most 8 neurons"),
        ({"layers": [1] * 7}, "cap", "at most 6 hidden layers"),
        ({"points": 5000}, "cap", "points must be between"),
        ({"lr": "nan"}, "invalid", "finite"),
        ({"lr": True}, "invalid", "must be a number"),
        ({"batch": 2.5}, "invalid", "whole number"),
        ({"layers": "2,x"}, "invalid", "must be a number"),
        ({"data": "mnist"}, "invalid", "unknown dataset"),
        ({"act": "softmax"}, "invalid", "unknown activation"),
        ({"colour": "red"}, "invalid", "unknown setting"),
    ],
)
def test_bad_or_oversized_configs_are_refused(values: dict[str, object], code: str, words: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config(values, DATASETS, LIMITS)
    assert caught.value.code == code
    assert words in caught.value.message


def _raw(**fields: object) -> str:
    return json.dumps(fields)


def test_a_good_message_is_parsed() -> None:
    message = parse_message(_raw(type="explain", seq=3, sample=1), last_seq=2, limits=LIMITS)
    assert (message.type, message.seq, message.fields) == ("explain", 3, {"sample": 1})


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("{not json", "invalid"),
        ("[1, 2]", "invalid"),
        (None, "invalid"),
        (_raw(type="launch", seq=5), "invalid"),
        (_raw(type="train"), "invalid"),
        (_raw(type="train", seq=True), "invalid"),
        (_raw(type="train", seq=2), "order"),
        (_raw(type="train", seq=1), "order"),
        (_raw(type="config", seq=9, config=[1]), "invalid"),
        (_raw(type="explain", seq=9, sample="0"), "invalid"),
        (_raw(type="chain", seq=9, weight="w" * 50), "invalid"),
        (_raw(type="train", seq=9, pad="x" * 20_000), "too_large"),
    ],
)
def test_malformed_out_of_order_and_oversized_messages_are_refused(text: str | None, code: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_message(text, last_seq=2, limits=LIMITS)
    assert caught.value.code == code


def test_rate_limiter_allows_bursts_then_the_sustained_rate() -> None:
    now = [0.0]
    limiter = RateLimiter(10.0, clock=lambda: now[0])
    assert sum(limiter.allow() for _ in range(15)) == 10  # the bucket holds one second's worth
    now[0] += 0.5
    assert sum(limiter.allow() for _ in range(15)) == 5  # half a second refills half of it
