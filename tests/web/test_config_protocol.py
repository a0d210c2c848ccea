"""The configuration the page may ask for, and the checks every WebSocket message passes."""

from __future__ import annotations

import itertools
import json

import pytest

from stepgrad.network import Layer, Network, Setup, classic_setup
from stepgrad.web.config import ConfigError, Limits, VizConfig, check_fixed_setup, parse_config, parse_link
from stepgrad.web.protocol import MAX_DEPTH, MAX_SEQ, RateLimiter, nesting_depth, parse_message

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
        (_raw(type="train", seq=MAX_SEQ + 1), "invalid"),
        (_raw(type="train", seq=10**40), "invalid"),
        (_raw(type="sample", seq=9, sample=-1), "invalid"),
        (_raw(type="sample", seq=9, sample=10**12), "invalid"),
        (_raw(type="config", seq=9, config={}, link="yes"), "invalid"),
    ],
)
def test_malformed_out_of_order_and_oversized_messages_are_refused(text: str | None, code: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_message(text, last_seq=2, limits=LIMITS)
    assert caught.value.code == code


def _nested(depth: int) -> object:
    value: object = 1
    for _ in range(depth):
        value = [value]
    return value


@pytest.mark.parametrize(
    "text",
    [
        "[" * 5000 + "]" * 5000,  # 10 KB, under the size cap, deeper than Python's recursion limit
        '{"type": "train", "seq": 9, "pad": ' + '{"a": ' * 1500 + "1" + "}" * 1500 + "}",
        _raw(type="config", seq=9, config={"data": _nested(MAX_DEPTH)}),  # 2 + 8 levels
    ],
)
def test_deeply_nested_messages_are_refused_with_a_clear_error(text: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_message(text, last_seq=2, limits=LIMITS)
    assert caught.value.code == "invalid"
    assert caught.value.message == f"message nests arrays or objects too deeply (at most {MAX_DEPTH} levels)"


def test_nesting_up_to_the_bound_is_accepted() -> None:
    assert nesting_depth(1) == 0 and nesting_depth([]) == 1 and nesting_depth({"a": [1, {"b": []}]}) == 4
    assert nesting_depth(_nested(5000)) == 5000  # counted without recursion
    message = parse_message(_raw(type="config", seq=3, config={"layers": _nested(MAX_DEPTH - 2)}), 2, LIMITS)
    assert message.fields["config"]["layers"] == _nested(MAX_DEPTH - 2)


def test_rate_limiter_allows_bursts_then_the_sustained_rate() -> None:
    now = [0.0]
    limiter = RateLimiter(10.0, clock=lambda: now[0])
    assert sum(limiter.allow() for _ in range(15)) == 10  # the bucket holds one second's worth
    now[0] += 0.5
    assert sum(limiter.allow() for _ in range(15)) == 5  # half a second refills half of it


def test_seq_may_count_up_to_the_largest_exact_javascript_integer() -> None:
    message = parse_message(_raw(type="train", seq=MAX_SEQ), last_seq=2, limits=LIMITS)
    assert message.seq == 2**53 - 1
    with pytest.raises(ConfigError):
        parse_message(_raw(type="train", seq=0), last_seq=-5, limits=LIMITS)


def test_a_link_keeps_its_valid_fields_and_names_the_dropped_ones() -> None:
    config, dropped = parse_link(
        {"data": "xor2d", "layers": "4,30", "noise": "abc", "lr": "0.1", "colour": "red"}, DATASETS, LIMITS
    )
    assert config == VizConfig(data="xor2d", learning_rate=0.1)
    assert set(dropped) == {"layers", "noise", "colour"}
    assert "at most 8 neurons" in dropped["layers"] and "must be a number" in dropped["noise"]


def _setup(sizes: list[int], samples: int = 1) -> Setup:
    layers = tuple(
        Layer(weights=[[0.1] * n_in for _ in range(n_out)], bias=[0.0]) for n_in, n_out in itertools.pairwise(sizes)
    )
    return Setup(
        network=Network(layers=layers, loss="half_squared_error"),
        inputs=[[0.5] * sizes[0]] * samples,
        targets=[[0.5] * sizes[-1]] * samples,
        learning_rate=0.1,
    )


@pytest.mark.parametrize(
    ("sizes", "samples", "words"),
    [
        ([3, 10, 1], 2, "10 neurons in layer 1"),
        ([9, 2, 1], 1, "9 inputs"),
        ([2, 2, 9], 1, "9 outputs"),
        ([2, 1, 1, 1, 1, 1, 1, 1, 1], 1, "7 hidden layers"),
        ([2, 2, 1], 1001, "1001 samples"),
    ],
)
def test_network_files_over_the_caps_are_refused(sizes: list[int], samples: int, words: str) -> None:
    with pytest.raises(ConfigError) as caught:
        check_fixed_setup(_setup(sizes, samples), LIMITS)
    assert caught.value.code == "cap" and words in caught.value.message


def test_network_files_within_the_caps_pass() -> None:
    check_fixed_setup(classic_setup(), LIMITS)
    check_fixed_setup(_setup([8, 8, 8, 8, 8, 8, 8, 8], 1000), LIMITS)
