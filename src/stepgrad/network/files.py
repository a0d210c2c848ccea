"""Network files: read, validate and write the TOML/JSON network schema.

```toml
inputs = [0.05, 0.10]          # one sample; or samples = [[..], ..] with targets = [[..], ..]
targets = [0.01, 0.99]
learning_rate = 0.5
loss = "half_squared_error"
reduction = "mean"             # optional: how a batch's losses combine, "mean" (default) or "sum" (PyTorch's)
l1 = 0.01                      # optional: L1 regularization λ₁ of the weights (dE_total/dw gains λ₁·sign(w))
l2 = 0.01                      # optional: L2 regularization λ₂ of the weights (dE_total/dw gains λ₂·w)
[[layer]]
activation = "sigmoid"
weights = [[0.15, 0.20], [0.25, 0.30]]   # one row per neuron, one column per input
bias = 0.35                    # number: shared by the layer; list: one per neuron; absent: none
train_bias = false             # default true
negative_slope = 0.1           # a configurable activation's numbers (leaky_relu; default 0.01)
```

Layer sizes are read off ``weights``. Every mistake raises ``StepgradError``
naming the file, the line where it can be found, and the field. Files are
written atomically (temporary file, then rename), so a crash never leaves a
half-written file; floats are written with ``repr`` and read back exactly.
"""

from __future__ import annotations

import difflib
import json
import math
import os
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from stepgrad.errors import StepgradError, quantity
from stepgrad.functions import REDUCTIONS, get_activation, get_loss, loss_names
from stepgrad.functions.activations import ACTIVATIONS, activation_names, split_name
from stepgrad.functions.losses import DEFAULT_REDUCTION
from stepgrad.limits import MAX_NETWORK_BYTES, check_text, decode_utf8, read_bounded
from stepgrad.network.atomic import write_atomic
from stepgrad.network.model import (
    Layer,
    Network,
    Regularization,
    Setup,
    network_problem,
    reduction_problem,
    target_problem,
)

TOP_LEVEL_KEYS = (
    "inputs",
    "samples",
    "targets",
    "learning_rate",
    "l1",
    "l2",
    "loss",
    "reduction",
    "layer",
    "layers",
    "meta",
)
# the numbers of configurable activations a layer may set (negative_slope)
ACTIVATION_NUMBERS = tuple(
    dict.fromkeys(key for entry in ACTIVATIONS.values() if entry.configure is not None for key in entry.parameters)
)
LAYER_KEYS = ("activation", "weights", "bias", "train_bias", *ACTIVATION_NUMBERS)
DEFAULT_LEARNING_RATE = 0.5
DEFAULT_LOSS = "half_squared_error"


class _Locator:
    """Finds the line of a field in the file's text, for messages (best effort)."""

    def __init__(self, text: str, is_toml: bool) -> None:
        self.lines = text.splitlines()
        self.is_toml = is_toml

    def top(self, key: str) -> str | None:
        pattern = re.compile(rf"^\s*{re.escape(key)}\s*=" if self.is_toml else rf'"{re.escape(key)}"\s*:')
        for number, line in enumerate(self.lines, start=1):
            if pattern.search(line):
                if self.is_toml and self._in_layer_section(number):
                    continue
                return f"line {number}"
        return None

    def layer(self, index: int, key: str | None) -> str | None:
        if not self.is_toml:
            return self._json_layer(index, key)
        header = re.compile(r"^\s*\[\[\s*layers?\s*\]\]")
        seen = -1
        for number, line in enumerate(self.lines, start=1):
            if header.match(line):
                seen += 1
                if seen == index and key is None:
                    return f"line {number}"
            elif seen == index and key is not None and re.match(rf"^\s*{re.escape(key)}\s*=", line):
                return f"line {number}"
            elif seen > index:
                break
        return None

    def _json_layer(self, index: int, key: str | None) -> str | None:
        # Every layer has "weights"; the index-th occurrence of the key is usually the index-th layer's.
        pattern = re.compile(rf'"{re.escape(key or "weights")}"\s*:')
        seen = -1
        for number, line in enumerate(self.lines, start=1):
            for _ in pattern.finditer(line):
                seen += 1
                if seen == index:
                    return f"line {number}"
        return None

    def _in_layer_section(self, number: int) -> bool:
        return any(re.match(r"^\s*\[", line) for line in self.lines[: number - 1])


def _where(line: str | None, field: str) -> str:
    return f"{line}: {field}" if line else field


def _shown(value: Any) -> str:
    """A value as the file spells it: ``true``, ``"yes"``, ``[1, 2]`` (not Python's ``True``)."""
    try:
        shown = json.dumps(value, ensure_ascii=False, allow_nan=True)
    except (TypeError, ValueError):
        shown = str(value)
    return shown if len(shown) <= 80 else shown[:77] + "..."


def _closest(word: str, choices: list[str]) -> str:
    matches = difflib.get_close_matches(word, choices, n=3, cutoff=0.5)
    return f" (did you mean {', '.join(repr(m) for m in matches)}?)" if matches else ""


def _number(value: Any, what: str, fail: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        fail(f"{what} must be a number, got {_shown(value)}")
    try:
        number = float(value)
    except OverflowError:
        number = math.inf
    if not math.isfinite(number):
        fail(f"{what} must be a finite number, got {_shown(value)}")
    return number


def _vector(value: Any, what: str, fail: Any) -> list[float]:
    if not isinstance(value, list) or not value:
        fail(f"{what} must be a non-empty list of numbers, got {_shown(value)}")
    return [_number(item, f"{what}[{i}]", fail) for i, item in enumerate(value)]


def _matrix(value: Any, what: str, fail: Any) -> list[list[float]]:
    if not isinstance(value, list) or not value:
        fail(f"{what} must be a non-empty list of rows, got {_shown(value)}")
    return [_vector(row, f"{what} row {r + 1}", fail) for r, row in enumerate(value)]


def parse_setup(data: Mapping[str, Any], source: str = "<network>", text: str | None = None) -> Setup:
    """Validate a parsed network file and build the ``Setup`` it describes.

    Args:
        data: the parsed TOML or JSON document.
        source: the file name, for messages.
        text: the file's text, so messages can give line numbers.
    """
    locator = _Locator(text or "", is_toml=not source.endswith(".json"))

    def fail_at(location: str | None, message: str) -> None:
        raise StepgradError(message, source, location)

    if not isinstance(data, Mapping):
        fail_at(None, "the file must hold a table/object of fields")
    for key in data:
        if key not in TOP_LEVEL_KEYS:
            fail_at(locator.top(key), f"unknown field {key!r}{_closest(key, list(TOP_LEVEL_KEYS))}")

    layer_key = "layer" if "layer" in data else "layers"
    raw_layers = data.get(layer_key)
    if not isinstance(raw_layers, list) or not raw_layers:
        fail_at(None, "no layers: add at least one [[layer]] with activation and weights")
    assert isinstance(raw_layers, list)

    loss_name = data.get("loss", DEFAULT_LOSS)
    if not isinstance(loss_name, str):
        fail_at(locator.top("loss"), f"loss must be a name, got {_shown(loss_name)}")
    try:
        loss = get_loss(loss_name)
    except KeyError:
        fail_at(locator.top("loss"), f"unknown loss {loss_name!r}{_closest(loss_name, loss_names())}")

    layers: list[Layer] = []
    n_in: int | None = None
    for index, raw in enumerate(raw_layers):
        layers.append(_parse_layer(raw, index, n_in, locator, source))
        n_in = layers[-1].n_out
    problem = network_problem([layer.activation for layer in layers], loss.name, layers[-1].n_out)
    if problem is not None:
        layer_index, message = problem
        if layer_index is None:
            fail_at(_where(locator.top("loss"), "loss"), message)
        else:
            label = f"layer {layer_index + 1}"
            fail_at(_where(locator.layer(layer_index, "activation"), label), message)
    reduction = data.get("reduction", DEFAULT_REDUCTION)
    if not isinstance(reduction, str) or reduction not in REDUCTIONS:
        fail_at(_where(locator.top("reduction"), "reduction"), reduction_problem(reduction))
    network = Network(layers=tuple(layers), loss=loss.name, reduction=reduction)

    rate_line = locator.top("learning_rate")
    learning_rate = _number(
        data.get("learning_rate", DEFAULT_LEARNING_RATE), "learning_rate", lambda m: fail_at(rate_line, m)
    )
    if learning_rate < 0:
        fail_at(rate_line, f"learning_rate must not be negative, got {learning_rate}")

    rates = {}
    for key in ("l1", "l2"):
        line = locator.top(key)
        rates[key] = _number(data.get(key, 0.0), key, lambda m, line=line: fail_at(line, m))  # type: ignore[misc]
        if rates[key] < 0:
            fail_at(line, f"{key} (the {key.upper()} regularization rate) must not be negative, got {rates[key]}")

    inputs, targets = _parse_samples(data, network, locator, source)
    target_error = target_problem(network.loss, targets)
    if target_error is not None:
        fail_at(_where(locator.top("targets"), "targets"), target_error)
    return Setup(
        network=network,
        inputs=inputs,
        targets=targets,
        learning_rate=learning_rate,
        source=source,
        regularization=Regularization(l1=rates["l1"], l2=rates["l2"]),
    )


def _parse_layer(raw: Any, index: int, n_in: int | None, locator: _Locator, source: str) -> Layer:
    label = f"layer {index + 1}"

    def fail(message: str, key: str | None = None) -> None:
        raise StepgradError(message, source, _where(locator.layer(index, key), label))

    if not isinstance(raw, Mapping):
        fail("must be a table with activation and weights")
    for key in raw:
        if key not in LAYER_KEYS:
            fail(f"unknown field {key!r}{_closest(key, list(LAYER_KEYS))}", key)

    activation_name = raw.get("activation", "sigmoid")
    if not isinstance(activation_name, str):
        fail(f"activation must be a name, got {_shown(activation_name)}", "activation")
    try:
        activation = get_activation(activation_name)
    except KeyError:
        fail(
            f"unknown activation {activation_name!r}{_closest(activation_name, activation_names())}",
            "activation",
        )
    numbers = {key: raw[key] for key in ACTIVATION_NUMBERS if key in raw}
    for key, number in numbers.items():
        if key not in activation.parameters or activation.configure is None:
            fail(f"{key} is not a number of {activation.name}", key)
        if isinstance(number, bool) or not isinstance(number, int | float) or not math.isfinite(number):
            fail(f"{key} must be a finite number, got {_shown(number)}", key)
    if numbers and activation.configure is not None:
        activation = activation.configure(**{**activation.parameters, **numbers})
    if "weights" not in raw:
        fail("weights missing: one row per neuron, one column per input")
    weights = _matrix(raw["weights"], "weights", lambda m: fail(m, "weights"))
    width = len(weights[0])
    for row_number, row in enumerate(weights, start=1):
        if len(row) != len(weights[0]):
            fail(f"weights row {row_number} has {quantity(len(row), 'number')}, row 1 has {width}", "weights")
    if n_in is not None and width != n_in:
        fail(
            f"weights rows have {quantity(width, 'number')} but the previous layer has {quantity(n_in, 'neuron')} "
            "(one column per input)",
            "weights",
        )

    bias: list[float] = []
    if "bias" in raw:
        raw_bias = raw["bias"]
        if isinstance(raw_bias, list):
            bias = _vector(raw_bias, "bias", lambda m: fail(m, "bias"))
            if len(bias) != len(weights):
                fail(
                    f"bias has {quantity(len(bias), 'number')} for {quantity(len(weights), 'neuron')} "
                    "(or give one shared number)",
                    "bias",
                )
        else:
            bias = [_number(raw_bias, "bias", lambda m: fail(m, "bias"))]

    train_bias = raw.get("train_bias", True)
    if not isinstance(train_bias, bool):
        fail(f"train_bias must be true or false, got {_shown(train_bias)}", "train_bias")
    return Layer(weights=np.array(weights), bias=np.array(bias), activation=activation.name, train_bias=train_bias)


def _parse_samples(
    data: Mapping[str, Any], network: Network, locator: _Locator, source: str
) -> tuple[np.ndarray, np.ndarray]:
    def fail(key: str, message: str) -> None:
        raise StepgradError(message, source, _where(locator.top(key), key))

    if "inputs" in data and "samples" in data:
        fail("samples", "give either inputs (one sample) or samples (several), not both")
    n_in, n_out = network.n_inputs, network.n_outputs
    if "inputs" not in data and "samples" not in data:
        if "targets" in data:
            fail("targets", "targets given without inputs or samples")
        return np.zeros((0, n_in)), np.zeros((0, n_out))
    if "targets" not in data:
        fail("inputs" if "inputs" in data else "samples", "targets missing: one per output neuron")

    if "inputs" in data:
        inputs = [_vector(data["inputs"], "inputs", lambda m: fail("inputs", m))]
        targets = [_vector(data["targets"], "targets", lambda m: fail("targets", m))]
        input_key = "inputs"
    else:
        inputs = _matrix(data["samples"], "samples", lambda m: fail("samples", m))
        targets = _matrix(data["targets"], "targets", lambda m: fail("targets", m))
        input_key = "samples"
        if len(targets) != len(inputs):
            fail("targets", f"{quantity(len(targets), 'target row')} for {quantity(len(inputs), 'sample')}")
    for number, row in enumerate(inputs, start=1):
        if len(row) != n_in:
            where = "inputs" if input_key == "inputs" else f"samples row {number}"
            fail(
                input_key,
                f"{where} has {quantity(len(row), 'number')} but the first layer's weights take "
                f"{quantity(n_in, 'input')}",
            )
    for number, row in enumerate(targets, start=1):
        if len(row) != n_out:
            where = "targets" if input_key == "inputs" else f"targets row {number}"
            fail(
                "targets", f"{where} has {quantity(len(row), 'number')} but the network has {quantity(n_out, 'output')}"
            )
    return np.array(inputs, dtype=np.float64), np.array(targets, dtype=np.float64)


def read_document(path: str | os.PathLike[str]) -> tuple[dict[str, Any], str]:
    """Parse a TOML or JSON file (by suffix; other suffixes are tried as TOML, then JSON)."""
    source = str(path)
    if Path(path).is_dir():
        raise StepgradError("is a directory, not a network file", source)
    text = decode_utf8(read_bounded(path, MAX_NETWORK_BYTES, "a network file"), source)
    check_text(text, source, "json" if source.endswith(".json") or text.lstrip().startswith("{") else "toml")
    if source.endswith(".json"):
        return _parse_json(text, source), text
    try:
        return tomllib.loads(text), text
    except ValueError as error:  # tomllib.TOMLDecodeError, or a number Python will not convert
        if not source.endswith(".toml") and text.lstrip().startswith(("{", "[")):
            return _parse_json(text, source), text
        raise StepgradError(f"invalid TOML: {error}", source, _toml_error_line(str(error), text)) from None


def _toml_error_line(message: str, text: str) -> str | None:
    match = re.search(r"line (\d+)", message)
    if match:
        return f"line {match.group(1)}"
    if "end of document" in message:
        return f"line {max(1, len(text.rstrip().splitlines()))}"
    return None


def _reject_constant(name: str) -> float:
    raise ValueError(f"{name} is not a number stepgrad accepts")


def _constant_line(text: str) -> str | None:
    """The line of the first ``NaN``/``Infinity`` outside a string in JSON ``text``."""
    unquoted = re.sub(r'"(?:[^"\\]|\\.)*"', lambda m: "_" * len(m.group(0)), text)
    match = re.search(r"\b(?:NaN|Infinity)\b", unquoted)
    return f"line {unquoted.count(chr(10), 0, match.start()) + 1}" if match else None


class _DuplicateKeyError(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(f"the field {key!r} is given twice")
        self.key = key


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object's pairs as a dict; a key given twice is refused, as TOML refuses it."""
    document: dict[str, Any] = {}
    for key, value in pairs:
        if key in document:
            raise _DuplicateKeyError(key)
        document[key] = value
    return document


def _second_line(text: str, key: str) -> str | None:
    """The line where ``"key":`` is written the second time (best effort: escapes are not read)."""
    found = list(re.finditer(rf'"{re.escape(key)}"\s*:', text))
    return f"line {text.count(chr(10), 0, found[1].start()) + 1}" if len(found) > 1 else None


def _parse_json(text: str, source: str) -> dict[str, Any]:
    try:
        document = json.loads(text, parse_constant=_reject_constant, object_pairs_hook=_unique_keys)
    except json.JSONDecodeError as error:
        raise StepgradError(
            f"invalid JSON: {error.msg} (column {error.colno})", source, f"line {error.lineno}"
        ) from None
    except _DuplicateKeyError as error:
        raise StepgradError(f"invalid JSON: {error}", source, _second_line(text, error.key)) from None
    except ValueError as error:
        where = _constant_line(text) if "accepts" in str(error) else None
        raise StepgradError(f"invalid JSON: {error}", source, where) from None
    if not isinstance(document, dict):
        raise StepgradError("the file must hold a JSON object of fields", source)
    return document


def load_setup(path: str | os.PathLike[str]) -> Setup:
    """Read and validate a network file (TOML or JSON)."""
    document, text = read_document(path)
    return parse_setup(document, str(path), text)


def network_to_dict(network: Network) -> dict[str, Any]:
    """The network's fields of the schema: ``loss`` and the ``layer`` list."""
    layers: list[dict[str, Any]] = []
    for layer in network.layers:
        activation, numbers = split_name(layer.activation)
        entry: dict[str, Any] = {"activation": activation, "weights": layer.weights.tolist(), **numbers}
        if layer.bias_mode == "shared":
            entry["bias"] = float(layer.bias[0])
        elif layer.bias_mode == "per_neuron":
            entry["bias"] = layer.bias.tolist()
        entry["train_bias"] = layer.train_bias
        layers.append(entry)
    fields: dict[str, Any] = {"loss": network.loss}
    if network.reduction != DEFAULT_REDUCTION:  # files of the default stay as they were
        fields["reduction"] = network.reduction
    return {**fields, "layer": layers}


def setup_to_dict(setup: Setup, meta: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The whole file as a dict: samples, targets, learning rate, loss, layers (and ``meta``)."""
    document: dict[str, Any] = {}
    if setup.n_samples == 1:
        document["inputs"] = setup.inputs[0].tolist()
        document["targets"] = setup.targets[0].tolist()
    elif setup.n_samples > 1:
        document["samples"] = setup.inputs.tolist()
        document["targets"] = setup.targets.tolist()
    document["learning_rate"] = setup.learning_rate
    for key in ("l1", "l2"):
        if getattr(setup.regularization, key):
            document[key] = getattr(setup.regularization, key)
    document.update(network_to_dict(setup.network))
    if meta:
        document["meta"] = dict(meta)
    return document


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        number = value
        if not math.isfinite(number):
            raise StepgradError(f"cannot save the non-finite number {number!r}")
        return repr(number)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(item) for item in value) + "]"
    raise TypeError(f"cannot write {type(value).__name__} to a network file")


def setup_to_toml(setup: Setup, meta: Mapping[str, Any] | None = None, header: str = "") -> str:
    """The network file as TOML text, one line per field, floats exact (``repr``)."""
    document = setup_to_dict(setup, meta)
    lines = [f"# {line}" if line else "#" for line in header.splitlines()]
    for key in ("inputs", "samples", "targets", "learning_rate", "l1", "l2", "loss", "reduction"):
        if key in document:
            if key in ("samples", "targets") and "samples" in document:
                rows = ",\n".join(f"    {_toml_value(row)}" for row in document[key])
                lines.append(f"{key} = [\n{rows},\n]")
            else:
                lines.append(f"{key} = {_toml_value(document[key])}")
    for layer in document["layer"]:
        lines.append("")
        lines.append("[[layer]]")
        for key, value in layer.items():
            lines.append(f"{key} = {_toml_value(value)}")
    if "meta" in document:
        lines.append("")
        lines.append("[meta]")
        for key, value in document["meta"].items():
            lines.append(f"{key} = {_toml_value(value)}")
    return "\n".join(lines) + "\n"


def save_setup(
    setup: Setup, path: str | os.PathLike[str], meta: Mapping[str, Any] | None = None, header: str = ""
) -> None:
    """Save a network file atomically: JSON for a ``.json`` path, TOML otherwise."""
    if str(path).endswith(".json"):
        text = json.dumps(setup_to_dict(setup, meta), indent=2, allow_nan=False) + "\n"
    else:
        text = setup_to_toml(setup, meta, header)
    write_atomic(path, text)
