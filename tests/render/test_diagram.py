"""The SVG network diagram: one line per weight, every name and value labelled, sane for big nets."""

from __future__ import annotations

import os
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np

from stepgrad.core import train_step
from stepgrad.network import Layer, Network, classic_network, classic_setup
from stepgrad.render.diagram import HIGHLIGHT, NEGATIVE, POSITIVE, diagram_layout, network_svg

SVG = "{http://www.w3.org/2000/svg}"
GOLDEN = Path(__file__).parent / "golden" / "classic_diagram.svg"


def classic_svg() -> str:
    setup = classic_setup()
    trace = train_step(setup.network, setup.inputs, setup.targets, setup.learning_rate)
    return network_svg(setup.network, trace.values(0))


def weight_lines(svg: str) -> list[ET.Element]:
    root = ET.fromstring(svg)
    return [line for line in root.iter(f"{SVG}line") if "weight" in line.get("class", "").split()]


def texts(svg: str) -> list[str]:
    return [element.text or "" for element in ET.fromstring(svg).iter(f"{SVG}text")]


def test_classic_has_one_line_per_weight_labelled_with_name_and_value() -> None:
    svg = classic_svg()
    lines = weight_lines(svg)
    assert [line.get("data-name") for line in lines] == [f"w{k}" for k in range(1, 9)]
    published = {
        "w1": "0.15",
        "w2": "0.2",
        "w3": "0.25",
        "w4": "0.3",
        "w5": "0.4",
        "w6": "0.45",
        "w7": "0.5",
        "w8": "0.55",
    }
    labels = texts(svg)
    for name, value in published.items():
        assert f"{name} = {value}" in labels


def test_classic_labels_neurons_biases_and_values() -> None:
    labels = texts(classic_svg())
    for name in ["i1", "i2", "h1", "h2", "o1", "o2", "b1", "b2"]:
        assert name in labels
    # net/out at 4 significant digits: net_h1 0.3775, out_h1 0.593269992, out_o1 0.75136507 (published).
    assert "net = 0.3775" in labels
    assert "out = 0.5933" in labels
    assert "out = 0.7514" in labels
    assert "b1 = 0.35 (frozen)" in labels
    assert "b2 = 0.6 (frozen)" in labels
    assert "target = 0.99" in labels


def test_shared_bias_is_one_node_per_layer_with_an_edge_to_each_neuron() -> None:
    root = ET.fromstring(classic_svg())
    bias_nodes = [g.get("data-name") for g in root.iter(f"{SVG}g") if g.get("class") == "bias"]
    assert bias_nodes == ["b1", "b2"]
    bias_edges = [line.get("data-name") for line in root.iter(f"{SVG}line") if line.get("class") == "bias-edge"]
    assert bias_edges == ["b1", "b1", "b2", "b2"]


def test_colour_by_sign_and_width_by_magnitude() -> None:
    network = Network(
        (
            Layer(
                [[0.5, -2.0]],
                [
                    0.1,
                ],
                "sigmoid",
            ),
        )
    )
    lines = {line.get("data-name"): line for line in weight_lines(network_svg(network))}
    assert lines["w1"].get("stroke") == POSITIVE
    assert lines["w2"].get("stroke") == NEGATIVE
    assert float(lines["w2"].get("stroke-width", 0)) > float(lines["w1"].get("stroke-width", 0))


def test_per_neuron_biases_are_written_at_their_neuron() -> None:
    network = Network((Layer([[0.1, 0.2], [0.3, 0.4]], [0.5, -0.25]), Layer([[1.0, 2.0]], [0.75])))
    svg = network_svg(network)
    labels = texts(svg)
    assert "+ b1 = 0.5" in labels
    assert "+ b2 = −0.25" in labels
    assert "+ b3 = 0.75" in labels
    assert 'class="bias"' not in svg


def test_highlight_colours_the_named_weight_and_neuron() -> None:
    svg = network_svg(classic_network(), highlight={"w5", "o1"})
    lines = {line.get("data-name"): line for line in weight_lines(svg)}
    assert lines["w5"].get("stroke") == HIGHLIGHT
    assert lines["w6"].get("stroke") == POSITIVE
    assert 'class="output highlight" data-name="o1"' in svg


def _boxes(svg: str) -> list[tuple[float, float, float, float]]:
    root = ET.fromstring(svg)
    return [
        (
            float(r.get("x", 0)),
            float(r.get("y", 0)),
            float(r.get("x", 0)) + float(r.get("width", 0)),
            float(r.get("y", 0)) + float(r.get("height", 0)),
        )
        for r in root.iter(f"{SVG}rect")
        if r.get("class") == "label-box"
    ]


def test_weight_labels_do_not_overlap_each_other() -> None:
    rng = np.random.default_rng(0)
    three_wide = Network(
        (
            Layer(rng.normal(size=(3, 2)), rng.normal(size=3)),
            Layer(rng.normal(size=(3, 3)), [0.1]),
            Layer(rng.normal(size=(2, 3)), []),
        )
    )
    for svg in [classic_svg(), network_svg(three_wide)]:
        boxes = _boxes(svg)
        assert boxes
        for k, a in enumerate(boxes):
            for b in boxes[k + 1 :]:
                assert not (a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]), (a, b)


def test_per_neuron_bias_labels_are_not_crossed_by_connections() -> None:
    rng = np.random.default_rng(3)
    network = Network(
        (
            Layer(rng.normal(size=(3, 2)), rng.normal(size=3), "tanh"),
            Layer(rng.normal(size=(3, 3)), rng.normal(size=3), "relu"),
            Layer(rng.normal(size=(2, 3)), rng.normal(size=2), "sigmoid"),
        )
    )
    trace = train_step(network, [[0.5, -0.3]], [[0.2, 0.8]], 0.5)
    svg = network_svg(network, trace.values(0))
    root = ET.fromstring(svg)
    bias_texts = [t for t in root.iter(f"{SVG}text") if t.get("class") == "bias-label"]
    assert len(bias_texts) == 8
    boxes = _boxes(svg)
    lines = [tuple(float(line.get(key, 0)) for key in ("x1", "y1", "x2", "y2")) for line in root.iter(f"{SVG}line")]
    for text in bias_texts:
        x, y = float(text.get("x", 0)), float(text.get("y", 0))
        box = next(b for b in boxes if b[0] < x < b[2] and b[1] < y < b[3])  # the label's white box
        for x1, y1, x2, y2 in lines:
            # Sample the segment densely: no point of a connection lies inside a bias label's box.
            for t in np.linspace(0, 1, 400):
                px, py = x1 + (x2 - x1) * t, y1 + (y2 - y1) * t
                assert not (box[0] < px < box[2] and box[1] < py < box[3]), (text.text, (x1, y1, x2, y2))
    for k, a in enumerate(boxes):
        for b in boxes[k + 1 :]:
            assert not (a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]), (a, b)


def test_big_network_drops_edge_labels_but_keeps_every_edge_and_tooltip() -> None:
    rng = np.random.default_rng(1)
    layers = [Layer(rng.normal(size=(6, 4)), [0.1])]
    layers += [Layer(rng.normal(size=(6, 6)), rng.normal(size=6)) for _ in range(2)]
    layers += [Layer(rng.normal(size=(3, 6)), [0.3])]
    network = Network(tuple(layers))
    svg = network_svg(network)
    lines = weight_lines(svg)
    assert len(lines) == 4 * 6 + 6 * 6 * 2 + 6 * 3
    assert not any(re.fullmatch(r"w\d+ = .*", text) for text in texts(svg))
    assert lines[0].find(f"{SVG}title") is not None
    assert lines[0].find(f"{SVG}title").text == f"w1 = {float(network.layers[0].weights[0, 0]):.4g}".replace("-", "−")
    layout = diagram_layout(network)
    assert not layout.edge_labels
    # Every node inside the drawing.
    for node in layout.nodes.values():
        assert 0 < node.x < layout.width and 0 < node.y < layout.height


def test_layout_puts_layers_left_to_right() -> None:
    layout = diagram_layout(classic_network())
    nodes = layout.nodes
    assert nodes["i1"].x < nodes["h1"].x < nodes["o1"].x
    assert nodes["i1"].y < nodes["i2"].y
    assert nodes["h1"].x == nodes["h2"].x
    assert nodes["b1"].kind == "bias" and nodes["b1"].column == 0
    assert layout.edge_labels


def test_output_is_deterministic_and_matches_the_golden_file() -> None:
    """The golden file is the drawing checked by eye; regenerate with STEPGRAD_UPDATE_GOLDEN=1."""
    svg = classic_svg()
    assert svg == classic_svg()
    if os.environ.get("STEPGRAD_UPDATE_GOLDEN"):
        GOLDEN.write_text(svg, encoding="utf-8")
    assert svg == GOLDEN.read_text(encoding="utf-8")


def test_inline_variant_has_no_namespace() -> None:
    svg = network_svg(classic_network(), standalone=False)
    assert "xmlns" not in svg and "http" not in svg
    assert svg.startswith("<svg ")
