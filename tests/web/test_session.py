"""A session trains with the engine and describes exactly what it computed."""

from __future__ import annotations

import base64
from dataclasses import replace

import numpy as np
import pytest

from stepgrad.core import forward, predict_outputs, train_step
from stepgrad.network import Layer, Network, Setup, classic_setup
from stepgrad.training.gradients import batch_gradients
from stepgrad.training.init import create_network
from stepgrad.training.loops import make_training, repeat_steps, seed_streams
from stepgrad.web.config import ConfigError, Limits, VizConfig
from stepgrad.web.session import BOUNDARY_SIZE, Session, encode_map

CLASSIC_E_TOTAL_AFTER_ONE_UPDATE = 0.291027774  # issue 2: exact arithmetic, frozen biases


def decode(map_: dict) -> np.ndarray:
    data = np.frombuffer(base64.b64decode(map_["data"]), dtype=np.uint8).reshape(map_["rows"], map_["cols"])
    return map_["lo"] + data / 255.0 * (map_["hi"] - map_["lo"])


def test_encode_map_round_trips_to_a_255th_of_the_range() -> None:
    values = np.random.default_rng(3).uniform(-2.0, 5.0, size=(7, 9))
    encoded = encode_map(values)
    assert (encoded["lo"], encoded["hi"]) == (values.min(), values.max())
    assert np.max(np.abs(decode(encoded) - values)) <= 7.0 / 255.0 / 2 + 1e-12


def test_new_session_starts_from_the_seeded_network_of_the_engine() -> None:
    session = Session(Limits())
    ready = session.configure(VizConfig(layers=(3,), activation="tanh", seed=5))
    expected = create_network(
        [2, 3, 1],
        activation="tanh",
        output_activation="sigmoid",
        loss="binary_cross_entropy",
        rng=seed_streams(5)[0],
    )
    assert ready["network"]["sizes"] == [2, 3, 1]
    assert ready["network"]["weights"][0][1] == ["w3", "w4"]
    for sent, layer in zip(ready["frame"]["weights"], expected.layers, strict=True):
        assert np.array_equal(np.array(sent), layer.weights)


@pytest.mark.parametrize(("batch_size", "optimizer"), [(7, "sgd"), (1, "adam"), (1000, "momentum")])
def test_a_session_trains_the_network_fit_trains_from_the_same_seed(batch_size, optimizer) -> None:
    # the same settings and seed: the page's network after 3 passes is the one ``make_training`` trains in 3
    # epochs (``stepgrad train --data … --seed …`` builds its run the same way) — weights, then shuffling
    config = VizConfig(
        data="spiral", points=40, layers=(5, 3), activation="tanh", learning_rate=0.05, seed=11,
        batch_size=batch_size, optimizer=optimizer,
    )  # fmt: skip
    session = Session(Limits())
    session.configure(config)
    split, n_train = session.split, session.split.train_inputs.shape[0]
    network = create_network(
        [split.n_inputs, 5, 3, split.n_outputs], "tanh", split.output_activation, split.loss, rng=seed_streams(11)[0]
    )
    training = make_training(
        network, split.train_inputs, split.train_targets, optimizer=optimizer, learning_rate=0.05, epochs=3,
        batch_size=batch_size, seed=11, use_compiled=False,
    ).run()  # fmt: skip
    while session.samples_seen < 3 * n_train:
        session.train_frame()
    assert session.samples_seen == 3 * n_train and session.updates == training.updates
    for ours, theirs in zip(session.training.params.arrays(), training.params.arrays(), strict=True):
        np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-12)
    assert not np.allclose(training.params.weights[0], network.layers[0].weights)  # it did train


def test_full_batch_sgd_frame_is_one_engine_update() -> None:
    session = Session(Limits())
    session.configure(VizConfig(points=100, split=0.5, layers=(2,), batch_size=50, learning_rate=0.7))
    split = session.split
    before = session.training.params
    result = batch_gradients(before, session.training.functions, split.train_inputs, split.train_targets)
    frame = session.train_frame()
    assert frame["updates"] == 1 and frame["epoch"] == 1.0
    for sent, w, grad in zip(frame["weights"], before.weights, result.grads.weights, strict=True):
        assert np.allclose(np.array(sent), w - 0.7 * grad, rtol=0, atol=1e-15)


def test_training_on_circle_makes_the_loss_fall() -> None:
    session = Session(Limits())
    first = session.configure(VizConfig(data="circle"))["frame"]["loss"]
    for _ in range(60):
        frame = session.train_frame()
    assert frame["loss"]["train"] < 0.5 * first["train"]
    assert frame["loss"]["test"] < 0.5 * first["test"]


def test_boundary_is_the_network_output_over_the_grid() -> None:
    session = Session(Limits())
    session.configure(VizConfig(data="xor2d", layers=(4,)))
    frame = session.train_frame()
    boundary = frame["maps"]["boundary"]
    assert (boundary["rows"], boundary["cols"]) == (BOUNDARY_SIZE, BOUNDARY_SIZE)
    outputs = predict_outputs(session.current_network(), session.grid())[:, 0].reshape(BOUNDARY_SIZE, BOUNDARY_SIZE)
    assert np.max(np.abs(decode(boundary) - outputs)) <= 0.5 / 255 + 1e-12
    x_lo, _, _, y_hi = session.split.domain
    assert np.array_equal(session.grid()[0], [x_lo, y_hi])  # top-left pixel: smallest x, largest y
    neurons = frame["maps"]["neurons"]
    assert [len(layer) for layer in neurons] == [4, 1]


def test_reset_restores_the_initial_weights_and_epoch() -> None:
    session = Session(Limits())
    start = session.configure(VizConfig())["frame"]
    session.train_frame()
    again = session.reset()["frame"]
    assert again["weights"] == start["weights"] and again["updates"] == 0


def test_changing_only_the_learning_rate_keeps_the_weights() -> None:
    session = Session(Limits())
    session.configure(VizConfig())
    trained = session.train_frame()
    ready = session.configure(VizConfig(learning_rate=0.01))
    assert ready["frame"]["weights"] == trained["weights"] and ready["frame"]["updates"] == trained["updates"]
    ready = session.configure(VizConfig(learning_rate=0.01, layers=(3,)))
    assert ready["frame"]["updates"] == 0


def test_classic_takes_its_network_rate_and_sample() -> None:
    session = Session(Limits())
    ready = session.configure(VizConfig(data="classic"), given={"data"})
    assert ready["config"]["learning_rate"] == 0.5 and ready["config"]["layers"] == [2]
    assert ready["step_through"] is True and ready["plane"] is False
    assert ready["frame"]["weights"] == [[[0.15, 0.2], [0.25, 0.3]], [[0.4, 0.45], [0.5, 0.55]]]
    assert ready["frame"]["values"][2][0] == pytest.approx(0.75136507, abs=5e-9)


def test_step_through_is_refused_for_wide_networks() -> None:
    session = Session(Limits())
    session.configure(VizConfig(layers=(5,)))
    with pytest.raises(ConfigError, match="at most 4 neurons"):
        session.explain(0)


def test_chain_before_explain_is_out_of_order() -> None:
    session = Session(Limits())
    session.configure(VizConfig(data="classic"), given={"data"})
    with pytest.raises(ConfigError) as caught:
        session.chain("w5")
    assert caught.value.code == "order"


def test_classic_derivation_and_chain_rule_come_from_the_explain_layer() -> None:
    derivation_module = pytest.importorskip("stepgrad.derivations.derivation")
    session = Session(Limits())
    session.configure(VizConfig(data="classic"), given={"data"})
    message = session.explain(0)
    steps = {step["name"]: step for step in message["steps"]}
    assert steps["out_o1"]["value"] == "0.75136507"
    assert steps["w5+"]["value"] == "0.35891648"
    assert "h1" in steps["out_h1"]["involves"]
    chain = session.chain("w5")
    names = [step["name"] for step in chain["steps"]]
    assert "dE_total/dw5" in names and names[-1] == "w5+"
    factors = {"dE_total/dout_o1", "dout_o1/dnet_o1", "dnet_o1/dw5"}
    assert factors <= set(names) or "delta_o1" in names
    assert all(name.startswith("d") for name in names[:-1])  # derivatives only, then the update
    assert derivation_module is not None


def test_a_network_file_is_offered_as_dataset_file(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from stepgrad.network import Layer, Network, Setup
    from stepgrad.network.files import load_setup, save_setup

    network = Network(
        layers=(Layer(weights=[[0.1, -0.2, 0.3]], bias=[0.0], activation="tanh"), Layer(weights=[[0.5]], bias=[0.1])),
        loss="half_squared_error",
    )
    path = tmp_path / "net.toml"
    save_setup(Setup(network=network, inputs=[[1, 2, 3], [0, 1, 0]], targets=[[0.2], [0.7]], learning_rate=0.25), path)
    session = Session(Limits(), file_setup=load_setup(path))
    assert "file" in session.datasets()
    ready = session.configure(VizConfig(data="file"), given={"data"})
    assert ready["network"]["sizes"] == [3, 1, 1] and ready["plane"] is False
    assert ready["config"]["learning_rate"] == 0.25 and ready["config"]["batch_size"] == 2
    frame = session.train_frame()
    assert frame["updates"] == 1 and frame["loss"]["test"] is None
    assert frame["values"][0] == [1.0, 2.0, 3.0]


def _classic_session() -> Session:
    session = Session(Limits())
    session.configure(VizConfig(data="classic"), given={"data"})
    return session


def test_classic_training_leaves_the_frozen_biases_alone() -> None:
    session = _classic_session()
    frame = session.train_frame()
    assert frame["updates"] == 1
    assert frame["biases"] == [[0.35], [0.6]]
    assert frame["loss"]["train"] == pytest.approx(CLASSIC_E_TOTAL_AFTER_ONE_UPDATE, abs=5e-10)


def test_classic_training_equals_stepgrad_train_after_100_updates() -> None:
    session = _classic_session()
    for _ in range(100):
        frame = session.train_frame()
    expected = repeat_steps(classic_setup(), 100, use_compiled=False)
    assert frame["updates"] == 100
    assert frame["loss"]["train"] == pytest.approx(expected.error, rel=1e-13)
    for sent, layer in zip(frame["weights"], expected.network.layers, strict=True):
        assert np.allclose(np.array(sent), layer.weights, rtol=0, atol=1e-14)
    assert frame["biases"] == [[0.35], [0.6]]


def _mixed_bias_setup() -> Setup:
    """Three samples; the hidden layer's per-neuron biases train, the output's shared bias is frozen."""
    hidden = Layer(weights=[[0.3, -0.2, 0.1], [0.5, 0.4, -0.6]], bias=[0.1, -0.2], activation="tanh")
    output = Layer(weights=[[0.7, -0.3], [0.2, 0.9]], bias=[0.25], activation="sigmoid", train_bias=False)
    return Setup(
        network=Network(layers=(hidden, output), loss="half_squared_error"),
        inputs=[[1.0, 0.5, -1.0], [0.2, -0.3, 0.8], [-0.5, 1.0, 0.3]],
        targets=[[0.1, 0.9], [0.8, 0.2], [0.5, 0.5]],
        learning_rate=0.4,
    )


def test_a_full_batch_frame_is_the_cores_update_with_a_frozen_bias() -> None:
    setup = _mixed_bias_setup()
    session = Session(Limits(), file_setup=setup)
    session.configure(VizConfig(data="file"), given={"data"})  # full batch: all 3 samples per update
    frame = session.train_frame()
    expected = train_step(setup.network, setup.inputs, setup.targets, setup.learning_rate).network_new
    for sent, layer in zip(frame["weights"], expected.layers, strict=True):
        assert np.allclose(np.array(sent), layer.weights, rtol=0, atol=1e-15)
    for sent, layer in zip(frame["biases"], expected.layers, strict=True):
        assert np.allclose(np.array(sent), layer.bias, rtol=0, atol=1e-15)
    assert frame["biases"][1] == [0.25]  # frozen
    assert frame["biases"][0] != [0.1, -0.2]  # trained


def test_a_summed_file_trains_on_the_batch_sum_and_shows_its_own_loss() -> None:
    from dataclasses import replace

    from stepgrad.functions.losses import get_loss

    base = _mixed_bias_setup()
    setup = replace(base, network=replace(base.network, loss="mse", reduction="sum"))
    session = Session(Limits(), file_setup=setup)
    ready = session.configure(VizConfig(data="file"), given={"data"})
    assert ready["loss_formula"] == get_loss("mse", "sum").formula != get_loss("mse").formula
    frame = session.train_frame()  # full batch: one step down the summed loss (B times the mean's gradient)
    expected = train_step(setup.network, setup.inputs, setup.targets, setup.learning_rate).network_new
    for sent, layer in zip(frame["weights"], expected.layers, strict=True):
        assert np.allclose(np.array(sent), layer.weights, rtol=0, atol=1e-15)


def test_divergence_stops_training_keeps_finite_weights_and_warns_nothing() -> None:
    # pytest turns every RuntimeWarning into an error here: the run must not emit one.
    session = Session(Limits())
    session.configure(VizConfig(data="plane", layers=(8, 8), activation="linear", learning_rate=10.0, batch_size=1))
    frame = session.train_frame()
    for _ in range(20):
        if frame["stopped"]:
            break
        frame = session.train_frame()
    assert frame["stopped"] is not None and "NaN or infinite" in frame["stopped"]
    assert "reset" in frame["stopped"]
    weights = [np.array(w, dtype=np.float64) for w in frame["weights"]]
    assert all(np.all(np.isfinite(w)) for w in weights)
    assert frame["loss"]["train"] is not None  # the kept weights have a finite loss
    again = session.train_frame()
    assert again["weights"] == frame["weights"] and again["updates"] == frame["updates"]
    restarted = session.reset()["frame"]
    assert restarted["stopped"] is None and restarted["updates"] == 0


def test_the_diagram_shows_the_chosen_sample() -> None:
    setup = _mixed_bias_setup()
    session = Session(Limits(), file_setup=setup)
    ready = session.configure(VizConfig(data="file"), given={"data"})
    assert ready["n_train"] == 3 and ready["frame"]["sample"] == 0
    frame = session.select_sample(2)
    layers = forward(setup.network, setup.inputs[2]).layers
    assert frame["sample"] == 2
    assert frame["values"][0] == [-0.5, 1.0, 0.3]
    assert np.allclose(frame["values"][1], layers[0].out[0], rtol=0, atol=1e-15)
    assert np.allclose(frame["values"][2], layers[1].out[0], rtol=0, atol=1e-15)
    with pytest.raises(ConfigError, match="between 0 and 2"):
        session.select_sample(3)


def test_explaining_a_sample_shows_that_sample_in_the_diagram() -> None:
    pytest.importorskip("stepgrad.derivations.derivation")
    setup = _mixed_bias_setup()
    session = Session(Limits(), file_setup=setup)
    session.configure(VizConfig(data="file"), given={"data"})
    message = session.explain(1)
    steps = {step["name"]: step for step in message["steps"]}
    assert message["sample"] == 1 and message["frame"]["sample"] == 1
    out_o2 = message["frame"]["values"][2][1]
    assert steps["out_o2"]["value"] == f"{out_o2:.9g}"
    assert session.frame()["sample"] == 1  # later frames keep showing it


def test_explaining_weights_near_divergence_warns_nothing() -> None:
    pytest.importorskip("stepgrad.derivations.derivation")
    session = Session(Limits())
    session.configure(VizConfig(data="plane", layers=(2,), activation="linear", learning_rate=10.0, batch_size=1))
    stopped = [session.train_frame()["stopped"] for _ in range(20)]
    assert stopped[-1] is not None
    steps = {step["name"]: step for step in session.explain(0)["steps"]}  # any RuntimeWarning fails the test
    assert steps["E_total"]["value"] != "NaN"


def test_divergence_after_good_passes_goes_back_to_a_good_pass_not_the_initial_weights() -> None:
    session = Session(Limits())
    config = VizConfig(data="plane", layers=(4,), activation="linear", learning_rate=0.01, batch_size=4)
    session.configure(config)
    initial = session.frame()["weights"]
    assert session.training is not None
    for _ in range(200):  # at least three full passes at a safe learning rate
        frame = session.train_frame()
        if session.training.epoch >= 3:
            break
    assert frame["stopped"] is None and session.training.epoch >= 3
    good_loss = frame["loss"]["train"]
    session.configure(replace(config, learning_rate=1e6))
    for _ in range(10):
        frame = session.train_frame()
        if frame["stopped"]:
            break
    assert frame["stopped"] is not None and "from the end of epoch" in frame["stopped"]
    assert frame["weights"] != initial
    assert frame["loss"]["train"] is not None and frame["loss"]["train"] <= 1.5 * good_loss


def test_weights_that_overflow_at_the_end_of_a_pass_stop_the_session() -> None:
    # The guard can also stop training when a pass closes (finite loss, non-finite weights).
    session = Session(Limits())
    session.configure(VizConfig(data="plane", layers=(4,), activation="linear", learning_rate=0.01, batch_size=4))
    assert session.training is not None
    while session.training.epoch < 1:
        session.train_frame()
    session._position = session._order.size  # the pass in progress ends with the next batch
    weights = list(session.training.params.weights)
    weights[0] = np.full_like(weights[0], np.inf)
    session.training.params = replace(session.training.params, weights=tuple(weights))
    frame = session.train_frame()
    assert frame["stopped"] is not None and "NaN or infinite" in frame["stopped"]
    assert all(np.all(np.isfinite(np.array(w, dtype=np.float64))) for w in frame["weights"])
    closed = f"at the end of epoch {session.training.epoch}; training stopped and kept the weights from the end of"
    assert closed in frame["stopped"]
    updates = frame["updates"]
    assert session.train_frame()["updates"] == updates


def _overflowing_setup() -> Setup:
    """out = 0.5·x at x = 1e100, target 0, η = 10: dE/dw1 = 1e200, so w1+ = 0.5 − 1e201 and E_o1+ overflows."""
    network = Network(layers=(Layer(weights=[[0.5]], bias=[], activation="linear"),), loss="mse")
    return Setup(network=network, inputs=[[1e100]], targets=[[0.0]], learning_rate=10.0)


def test_a_run_that_stops_on_overflow_sends_which_value_and_why() -> None:
    session = Session(Limits(), file_setup=_overflowing_setup())
    session.configure(VizConfig(data="file"), given={"data"})
    frames = [session.train_frame() for _ in range(3)]
    assert frames[0]["stopped"] is None and frames[0]["why"] is None
    frame = frames[-1]
    assert frame["stopped"] is not None and frame["weights"] == [[[0.5]]]  # kept the initial weights
    assert frame["why"] == (
        "at the kept weights, a plain gradient step (full-batch SGD, η = 10, on 1 sample): E_o1+ = inf: the update "
        "moved w1 = 0.5 by -1e+201 to -1e+201, 2e+201 times its own size: the learning rate (now 10) made the "
        "update explode; lower it"
    )
    assert session.reset()["frame"]["why"] is None
