"""The page's Playground controls on the server side: problem type, three classes, reset vs new
weights, a weight set by hand, the learner's own CSV (the upload route trusts nothing it receives)."""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pytest
from starlette.testclient import TestClient

from stepgrad.training.gradients import batch_gradients
from stepgrad.web.app import create_app
from stepgrad.web.config import ConfigError, Limits, VizConfig, config_query, parse_config
from stepgrad.web.protocol import parse_message
from stepgrad.web.session import Session
from stepgrad.web.upload import MAX_UPLOAD_BYTES, read_upload

HEADERS = {"host": "127.0.0.1:8000", "origin": "http://127.0.0.1:8000"}


def trained(session: Session, frames: int) -> list[np.ndarray]:
    for _ in range(frames):
        session.train_frame()
    return [w.copy() for w in session.training.params.arrays()]


def test_reset_gives_the_same_initial_weights_and_the_same_run() -> None:
    session = Session(Limits())
    session.configure(VizConfig(layers=(3, 2), batch_size=5))
    first = trained(session, 4)
    session.reset()
    second = trained(session, 4)
    assert all(np.array_equal(a, b) for a, b in zip(first, second, strict=True))


def test_new_weights_keep_the_data_and_are_kept_in_the_link() -> None:
    session = Session(Limits())
    ready = session.configure(VizConfig(layers=(3,)))
    other = session.configure(VizConfig(layers=(3,), init=7))
    assert other["points"] == ready["points"]
    assert other["frame"]["weights"] != ready["frame"]["weights"]
    assert "init=7" in other["query"] and "init" not in ready["query"]
    assert parse_config({"init": "7"}, ("circle",), Limits()).init == 7
    with pytest.raises(ConfigError, match="between 0 and 2147483647"):
        parse_config({"init": -1}, ("circle",), Limits())
    assert config_query(VizConfig(init=0)).count("init") == 0


def test_a_weight_set_by_hand_is_what_training_goes_on_from() -> None:
    session = Session(Limits())
    ready = session.configure(VizConfig(layers=(2,), batch_size=250, points=500, split=0.5))
    frame = session.set_parameter("w5", 1.5)  # h1 → o1
    assert frame["weights"][1][0][0] == 1.5
    output_bias = ready["network"]["biases"][1][0]
    frame = session.set_parameter(output_bias, -0.25)
    assert frame["biases"][1] == [-0.25]
    assert session.recording.changes[-1]["changes"][output_bias][1] == -0.25  # the export's timeline shows the edit
    before = session.training.params
    grads = batch_gradients(before, session.training.functions, session.split.train_inputs, session.split.train_targets)
    frame = session.train_frame()  # full batch: one SGD update from the edited weights
    expected = before.weights[1] - 0.3 * grads.grads.weights[1]
    assert np.allclose(np.array(frame["weights"][1]), expected, rtol=0, atol=1e-15)
    with pytest.raises(ConfigError, match="no weight or bias named 'w99'"):
        session.set_parameter("w99", 1.0)


@pytest.mark.parametrize("value", ["nan", "inf", 1e6, True, None])
def test_a_set_weight_message_needs_a_finite_number_of_sensible_size(value: object) -> None:
    text = json.dumps({"type": "set_weight", "seq": 1, "weight": "w1", "value": value})
    with pytest.raises(ConfigError):
        parse_message(text, 0, Limits())
    assert parse_message(text.replace(json.dumps(value), "0.5"), 0, Limits()).fields["value"] == 0.5


def test_regression_and_three_classes_name_their_output_and_loss() -> None:
    session = Session(Limits())
    plane = session.configure(VizConfig(data="plane"))
    assert (plane["problem"], plane["network"]["activations"][-1], plane["network"]["loss"]) == (
        "regression",
        "linear",
        "half_squared_error",
    )
    assert plane["loss_formula"] == "E = ½(target − out)²"
    blobs = session.configure(VizConfig(data="blobs3"))
    assert (blobs["problem"], blobs["n_classes"], blobs["network"]["activations"][-1]) == (
        "classification",
        3,
        "softmax",
    )
    assert blobs["problems"]["multigauss"] == "regression" and blobs["problems"]["blobs3"] == "classification"


CSV = "x1,x2,label\n" + "".join(f"{0.1 * k},{-0.05 * k},{k % 2}\n" for k in range(10))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("x1,x2,label\n0.1,0.2,1\n0.3,abc,0\n", "your CSV: line 3: column 'x2': 'abc' is not a finite number"),
        (
            "x1,x2,x3,label\n" + "1,2,3,0\n" * 5,
            "your CSV: needs exactly 2 input columns and a label, found 3 (x1, x2, x3)",
        ),
        ("x1,x2,label\n1,2,0\n3,4,1\n", "your CSV: needs 4 to 1000 data rows, found 2"),
        ("1,2,3\n4,5,6\n", "your CSV: line 1: the first row holds numbers; a header row with column names is required"),
    ],
)
def test_a_bad_csv_is_one_line_naming_where(text: str, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        read_upload(text.encode(), Limits())
    assert caught.value.message == message


def test_a_csv_too_large_or_not_utf8_is_refused() -> None:
    with pytest.raises(ConfigError, match="larger than 64 KB"):
        read_upload(b"x1,x2,label\n" + b"1,2,0\n" * (MAX_UPLOAD_BYTES // 6), Limits())
    with pytest.raises(ConfigError, match="your CSV") as caught:
        read_upload("x1,x2,label\n1,2,\xe9\n".encode("latin-1"), Limits())
    assert "\n" not in caught.value.message


def test_the_upload_route_needs_the_tabs_token_a_size_cap_and_a_good_file() -> None:
    client = TestClient(create_app(), headers=HEADERS)
    with client.websocket_connect("/ws") as ws:
        ws.send_text(json.dumps({"type": "config", "seq": 1, "config": {}}))
        token = json.loads(ws.receive_text())["export_token"]
        assert client.post("/upload?token=wrong", content=CSV).status_code == 403
        assert client.post(f"/upload?token={token}", content=b"x" * (MAX_UPLOAD_BYTES + 1)).status_code == 413
        refused = client.post(f"/upload?token={token}", content="x1,x2,label\n1,oops,0\n")
        assert refused.status_code == 400 and refused.json()["message"].startswith("your CSV: line 2:")
        ws.send_text(json.dumps({"type": "config", "seq": 2, "config": {"data": "upload"}}))
        assert json.loads(ws.receive_text())["type"] == "error"  # nothing uploaded yet: no such data set
        accepted = client.post(f"/upload?token={token}", content=CSV)
        assert accepted.status_code == 200 and accepted.json()["message"] == "Your CSV: 10 samples, 2 classes."
        ws.send_text(json.dumps({"type": "config", "seq": 3, "config": {"data": "upload", "split": 0.5}}))
        ready = json.loads(ws.receive_text())
        points = sorted(ready["points"]["train"] + ready["points"]["test"])
        assert points == sorted([[0.1 * k, -0.05 * k, float(k % 2)] for k in range(10)])
        assert ready["network"]["activations"][-1] == "sigmoid"


def test_l2_adds_lambda_w_to_each_weights_gradient_and_makes_the_weights_smaller() -> None:
    plain, decayed = Session(Limits()), Session(Limits())
    config = VizConfig(layers=(3,), batch_size=250, points=500, split=0.5)
    plain.configure(config)
    ready = decayed.configure(replace(config, l2=0.1))
    assert "l2=0.1" in ready["query"]
    before = decayed.training.params
    grads = batch_gradients(before, decayed.training.functions, decayed.split.train_inputs, decayed.split.train_targets)
    frame = decayed.train_frame()  # full batch, SGD: w − η·(dE/dw + λ·w); biases without λ
    for sent, w, grad in zip(frame["weights"], before.weights, grads.grads.weights, strict=True):
        assert np.allclose(np.array(sent), w - 0.3 * (grad + 0.1 * w), rtol=0, atol=1e-15)
    for _ in range(30):
        plain.train_frame()
        decayed.train_frame()
    size = lambda session: sum(float(np.sum(w**2)) for w in session.training.params.weights)  # noqa: E731
    assert size(decayed) < size(plain)
    with pytest.raises(ConfigError, match="L2 regularization rate must be between 0 and 10"):
        parse_config({"l2": 11}, ("circle",), Limits())


def test_l1_adds_lambda_sign_w_to_each_weights_gradient_and_makes_the_weights_smaller() -> None:
    plain, sparse = Session(Limits()), Session(Limits())
    config = VizConfig(layers=(3,), batch_size=250, points=500, split=0.5)
    plain.configure(config)
    ready = sparse.configure(replace(config, l1=0.01))
    assert "l1=0.01" in ready["query"] and "l1" not in plain.configure(config)["query"]
    before = sparse.training.params
    grads = batch_gradients(before, sparse.training.functions, sparse.split.train_inputs, sparse.split.train_targets)
    frame = sparse.train_frame()  # full batch, SGD: w − η·(dE/dw + λ₁·sign(w)); biases without λ₁
    for sent, w, grad in zip(frame["weights"], before.weights, grads.grads.weights, strict=True):
        assert np.allclose(np.array(sent), w - 0.3 * (grad + 0.01 * np.sign(w)), rtol=0, atol=1e-15)
    for sent, b, grad in zip(frame["biases"], before.biases, grads.grads.biases, strict=True):
        assert np.allclose(np.array(sent), b - 0.3 * grad, rtol=0, atol=1e-15)
    for _ in range(30):
        plain.train_frame()
        sparse.train_frame()
    size = lambda session: sum(float(np.sum(np.abs(w))) for w in session.training.params.weights)  # noqa: E731
    assert size(sparse) < size(plain)
    assert "adds the L1 term λ₁·sign(w) (λ₁ = 0.01)" in sparse.explain(0)["notes"][0]
    with pytest.raises(ConfigError, match="L1 regularization rate must be between 0 and 10"):
        parse_config({"l1": 11}, ("circle",), Limits())
