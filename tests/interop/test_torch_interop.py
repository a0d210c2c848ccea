"""``to_torch`` / ``from_torch`` and ``verify_torch_step`` against real PyTorch."""

import numpy as np
import pytest

from stepgrad.core import predict_outputs
from stepgrad.errors import StepgradError
from stepgrad.network import Layer, Network, classic_network

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.torch

from stepgrad.interop.torch import from_torch, to_torch, verify_torch_step  # noqa: E402

CLASSIC_X = [[0.05, 0.10]]
CLASSIC_T = [[0.01, 0.99]]


def random_network(activations, bias_modes, sizes, loss="half_squared_error", seed=0) -> Network:
    rng = np.random.default_rng(seed)
    layers = []
    for n_in, n_out, activation, mode in zip(sizes[:-1], sizes[1:], activations, bias_modes, strict=True):
        count = {"shared": 1, "per_neuron": n_out, "none": 0}[mode]
        layers.append(Layer(rng.normal(0, 1, (n_out, n_in)), rng.normal(0, 1, count), activation))
    return Network(tuple(layers), loss)


@pytest.mark.parametrize(
    ("activations", "bias_modes"),
    [
        (["sigmoid", "sigmoid"], ["shared", "shared"]),
        (["tanh", "relu", "softmax"], ["per_neuron", "none", "per_neuron"]),
        (["leaky_relu", "linear", "sigmoid"], ["none", "shared", "per_neuron"]),
    ],
)
def test_to_torch_gives_identical_outputs(activations, bias_modes) -> None:
    sizes = [3, 5, 4, 3][: len(activations) + 1]
    loss = "cross_entropy" if activations[-1] == "softmax" else "half_squared_error"
    network = random_network(activations, bias_modes, sizes, loss=loss)
    x = np.random.default_rng(1).normal(0, 2, (7, 3))
    model = to_torch(network)
    with torch.no_grad():
        out = model(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(out, predict_outputs(network, x), rtol=0, atol=1e-14)


def test_from_torch_reads_back_the_network() -> None:
    network = random_network(["tanh", "sigmoid"], ["per_neuron", "shared"], [2, 3, 2], loss="mse")
    back = from_torch(to_torch(network), loss="mse")
    assert [layer.activation for layer in back.layers] == ["tanh", "sigmoid"]
    np.testing.assert_array_equal(back.layers[0].weights, network.layers[0].weights)
    np.testing.assert_array_equal(back.layers[0].bias, network.layers[0].bias)
    # to_torch marked the shared bias, so it comes back shared; shared_bias=False reads it per neuron
    np.testing.assert_array_equal(back.layers[1].bias, network.layers[1].bias)
    per_neuron = from_torch(to_torch(network), loss="mse", shared_bias=False)
    np.testing.assert_array_equal(per_neuron.layers[1].bias, np.repeat(network.layers[1].bias, 2))
    shared = from_torch(to_torch(network), loss="mse", shared_bias=[False, True])
    np.testing.assert_array_equal(shared.layers[1].bias, network.layers[1].bias)
    with pytest.raises(StepgradError, match="shared_bias=True but the bias entries differ"):
        from_torch(to_torch(network), shared_bias=True)


@pytest.mark.parametrize("train_bias", [True, False], ids=["trained", "frozen"])
@pytest.mark.parametrize("mode", ["shared", "per_neuron", "none"])
def test_every_bias_mode_round_trips_exactly(mode, train_bias) -> None:
    network = random_network(["tanh", "sigmoid", "linear"], [mode, "per_neuron", mode], [3, 4, 2, 3], loss="mse")
    network = Network(
        tuple(Layer(layer.weights, layer.bias, layer.activation, train_bias) for layer in network.layers), "mse"
    )
    assert [layer.bias_mode for layer in network.layers] == [mode, "per_neuron", mode]
    model = to_torch(network)
    assert [module.stepgrad_bias for module in model if isinstance(module, torch.nn.Linear)] == [
        mode,
        "per_neuron",
        mode,
    ]
    assert from_torch(model, loss="mse") == network  # weights, bias modes, train_bias, activations
    import copy

    assert from_torch(copy.deepcopy(model).to(torch.float64), loss="mse") == network  # the marks survive .to()
    # a plain PyTorch model (no marks) reads per neuron, with the bias trained as requires_grad says
    plain = torch.nn.Sequential(torch.nn.Linear(3, 4, dtype=torch.float64), torch.nn.Tanh())
    assert from_torch(plain).layers[0].bias_mode == "per_neuron"


def test_a_marked_shared_bias_that_torch_trained_apart_names_the_fix() -> None:
    model = to_torch(classic_network())
    with torch.no_grad():
        model[0].bias[1] += 0.5  # as a PyTorch optimizer does: each entry learns on its own
    with pytest.raises(
        StepgradError,
        match="to_torch marked the bias shared but the bias entries differ "
        r"\(trained in PyTorch\?\); pass shared_bias=False",
    ):
        from_torch(model)
    assert from_torch(model, shared_bias=False).layers[0].bias.tolist() == [0.35, 0.85]


def test_from_torch_frozen_bias_and_final_linear_layer() -> None:
    model = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.ReLU(), torch.nn.Linear(3, 4))
    model[0].bias.requires_grad_(False)
    network = from_torch(model, loss="cross_entropy", output_activation="softmax")
    assert network.layers[0].train_bias is False
    assert [layer.activation for layer in network.layers] == ["relu", "softmax"]


def test_from_torch_rejects_what_stepgrad_cannot_read() -> None:
    with pytest.raises(StepgradError) as error:
        from_torch(torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.Dropout(), torch.nn.Linear(2, 1)))
    assert str(error.value) == (
        "module 1: Dropout is not a Linear layer where one was expected; "
        "stepgrad reads Linear layers each followed by at most one activation"
    )
    with pytest.raises(StepgradError) as error:
        from_torch(torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.ELU(alpha=0.2)))
    assert str(error.value) == (
        "ELU(0.2) is not supported: stepgrad's elu has a fixed alpha of 1, "
        "so only ELU(1) (PyTorch's default) can be read"
    )
    assert from_torch(torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.LeakyReLU(0.2))).layers[0].activation == (
        "leaky_relu(negative_slope=0.2)"
    )
    assert from_torch(torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.LeakyReLU())).layers[0].activation == (
        "leaky_relu"
    )


def classic_step_parts(lr=0.5):
    model = to_torch(classic_network())
    optimizer = torch.optim.SGD([p for p in model.parameters() if p.requires_grad], lr=lr)
    x = torch.tensor(CLASSIC_X, dtype=torch.float64)
    t = torch.tensor(CLASSIC_T, dtype=torch.float64)
    return model, x, t, optimizer


def test_classic_step_in_torch_agrees_with_stepgrad_value_by_value() -> None:
    model, x, t, optimizer = classic_step_parts()
    report = verify_torch_step(model, x, t, "half_squared_error", optimizer)
    assert report.ok, report.to_text()
    values = {c.name: c for c in report.comparisons}
    # every named value of the derivation that PyTorch can record is compared
    for name in [
        "net_h1",
        "out_o2",
        "E_total",
        "dE_total/dout_o1",
        "delta_o1",
        "delta_h2",
        "dE_total/dw5",
        "dE_total/dw1",
        "w5+",
        "w1+",
        "E_total+",
    ]:
        assert name in values
    assert len(report.comparisons) == 34
    # the classic tutorial's numbers, as PyTorch computed them
    assert values["out_o1"].torch == pytest.approx(0.75136507, abs=1e-8)
    assert values["w5+"].torch == pytest.approx(0.35891648, abs=1e-8)
    assert values["w1+"].torch == pytest.approx(0.149780716, abs=1e-9)
    assert report.to_text().endswith("all 34 values agree\n")
    # the step really ran: the model's weights are the updated ones
    assert float(model[2].weight.detach()[0, 0]) == pytest.approx(0.35891648, abs=1e-8)


def test_batch_with_cross_entropy_class_indices() -> None:
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(4, 6), torch.nn.ReLU(), torch.nn.Linear(6, 3)).double()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.2)
    x = torch.randn(5, 4, dtype=torch.float64)
    labels = torch.tensor([0, 2, 1, 2, 0])
    report = verify_torch_step(model, x, labels, torch.nn.CrossEntropyLoss(), optimizer)
    assert report.ok, report.to_text()
    names = [c.name for c in report.comparisons]
    assert "delta_o3 [4]" in names and "b1+" in names and "E_total (batch mean)" in names


def test_float32_model_with_logits_loss() -> None:
    torch.manual_seed(1)
    model = torch.nn.Sequential(torch.nn.Linear(2, 4), torch.nn.Tanh(), torch.nn.Linear(4, 1))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.5)
    x = torch.randn(8, 2)
    t = (x[:, :1] * x[:, 1:] > 0).float()
    report = verify_torch_step(model, x, t, torch.nn.BCEWithLogitsLoss(), optimizer)
    assert report.ok, report.to_text()
    assert report.rtol == 1e-4


def test_logits_loss_on_a_softmax_output_is_refused_in_one_line() -> None:
    """BCEWithLogitsLoss applies a sigmoid to what the model gives it: after a Softmax that is σ(softmax(net)),
    which no stepgrad network computes (its output layer has one activation)."""
    torch.manual_seed(2)
    model = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.Softmax(dim=-1)).double()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.5)
    x, t = torch.randn(4, 2, dtype=torch.float64), torch.rand(4, 3, dtype=torch.float64)
    with pytest.raises(StepgradError, match="BCEWithLogitsLoss applies sigmoid itself, on the model's softmax outputs"):
        verify_torch_step(model, x, t, torch.nn.BCEWithLogitsLoss(), optimizer)


def test_softmax_with_bce_is_one_rule_for_files_create_network_and_torch() -> None:
    """Softmax + BCELoss (each output a probability) is a network stepgrad holds, however it is built."""
    from stepgrad.training import create_network

    network = create_network([2, 3, 3], "tanh", "softmax", "binary_cross_entropy")
    assert (network.layers[-1].activation, network.loss) == ("softmax", "binary_cross_entropy")
    torch.manual_seed(3)
    model = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.Tanh(), torch.nn.Linear(3, 3), torch.nn.Softmax(dim=-1))
    model = model.double()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.5)
    x, t = torch.randn(4, 2, dtype=torch.float64), torch.rand(4, 3, dtype=torch.float64)
    report = verify_torch_step(model, x, t, torch.nn.BCELoss(), optimizer)
    assert report.ok, report.to_text()
    converted = from_torch(model, loss="binary_cross_entropy")
    assert converted.layers[-1].activation == "softmax"


class WrongSigmoidFunction(torch.autograd.Function):
    """A custom layer whose backward forgets the (1 − out) factor."""

    @staticmethod
    def forward(ctx, net):
        out = torch.sigmoid(net)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad_out):
        (out,) = ctx.saved_tensors
        return grad_out * out  # should be out * (1 − out)


class WrongSigmoid(torch.nn.Module):
    stepgrad_activation = "sigmoid"

    def forward(self, net):
        return WrongSigmoidFunction.apply(net)


def test_a_wrong_custom_backward_is_found_at_the_hidden_deltas() -> None:
    model, x, t, optimizer = classic_step_parts()
    model[1] = WrongSigmoid()
    report = verify_torch_step(model, x, t, "half_squared_error", optimizer)
    assert not report.ok
    assert report.first_mismatch.name == "delta_h1"
    assert report.first_mismatch.stage == "backward"
    assert all(c.agrees for c in report.comparisons if c.stage == "forward")
    assert {c.name for c in report.mismatches} >= {"delta_h1", "delta_h2", "dE_total/dw1", "w1+"}
    # the output layer is untouched by the bug
    assert {"delta_o1", "dE_total/dw5", "w5+"}.isdisjoint(c.name for c in report.mismatches)
    assert "custom autograd.Function" in report.to_text()


def test_a_loop_that_backpropagates_twice_is_found_at_the_gradients() -> None:
    def step(model, x, t, loss, optimizer):
        optimizer.zero_grad()
        loss(model(x), t).backward()
        value = loss(model(x), t)
        value.backward()  # accumulates: every gradient doubles
        optimizer.step()
        return value

    model, x, t, optimizer = classic_step_parts()
    report = verify_torch_step(model, x, t, "half_squared_error", optimizer, step=step)
    assert report.first_mismatch.name == "dE_total/dw5"
    grad = {c.name: c for c in report.comparisons}["dE_total/dw5"]
    assert grad.torch == pytest.approx(2 * grad.stepgrad, rel=1e-12)
    text = report.to_text()
    assert "17 disagree; the first is dE_total/dw5 (gradient)" in text
    assert "missing zero_grad" in text


def test_an_optimizer_that_steps_twice_is_found_at_the_update() -> None:
    def step(model, x, t, loss, optimizer):
        optimizer.zero_grad()
        value = loss(model(x), t)
        value.backward()
        optimizer.step()
        optimizer.step()
        return value

    model, x, t, optimizer = classic_step_parts()
    report = verify_torch_step(model, x, t, "half_squared_error", optimizer, step=step)
    assert report.first_mismatch.stage == "update"
    assert report.first_mismatch.name == "w1+"


def test_unsupported_optimizers_and_losses_are_user_errors() -> None:
    model, x, t, _ = classic_step_parts()
    params = [p for p in model.parameters() if p.requires_grad]
    with pytest.raises(StepgradError, match="got RMSprop"):
        verify_torch_step(model, x, t, "half_squared_error", torch.optim.RMSprop(params))
    with pytest.raises(StepgradError, match="amsgrad"):
        verify_torch_step(model, x, t, "half_squared_error", torch.optim.Adam(params, amsgrad=True))
    with pytest.raises(StepgradError, match="dampening"):
        verify_torch_step(
            model, x, t, "half_squared_error", torch.optim.SGD(params, lr=0.1, momentum=0.9, dampening=0.1)
        )
    report = verify_torch_step(model, x, t, "half_squared_error", torch.optim.SGD([model[0].weight], lr=0.1))
    assert report.problems[0].message.startswith("model.2.weight is not among the optimizer's parameters")
    assert report.first_stage == "update" and not report.ok
    with pytest.raises(StepgradError, match="reduction"):
        verify_torch_step(model, x, t, torch.nn.MSELoss(reduction="none"), torch.optim.SGD(params, lr=0.1))


@pytest.mark.parametrize(
    ("loss", "scale"),
    [
        (torch.nn.BCELoss(), 0.5),  # the mean over the 2 outputs too: E_total / 2
        (torch.nn.BCELoss(reduction="sum"), 1.0),  # checked against a network with reduction = "sum"
        (torch.nn.MSELoss(reduction="sum"), 1.0),  # Σ over outputs of (t − out)²: stepgrad's mse under "sum"
        (torch.nn.MSELoss(), 1.0),
    ],
    ids=["bce-mean", "bce-sum", "mse-sum", "mse-mean"],
)
def test_mean_and_sum_reductions_over_several_outputs_agree(loss, scale) -> None:
    model, x, t, _ = classic_step_parts()
    params = [p for p in model.parameters() if p.requires_grad]
    report = verify_torch_step(model, x, t, loss, torch.optim.SGD(params, lr=0.5))
    assert report.ok, report.to_text()
    loss_value = next(c for c in report.comparisons if c.name == "E_total")
    assert loss_value.stepgrad == pytest.approx(scale * report.trace.loss, rel=1e-12)
    assert report.trace.network.reduction == loss.reduction


OPTIMIZERS = {
    "momentum": lambda params: torch.optim.SGD(params, lr=0.1, momentum=0.9),
    "nesterov-decay": lambda params: torch.optim.SGD(params, lr=0.1, momentum=0.8, nesterov=True, weight_decay=0.01),
    "sgd-decay": lambda params: torch.optim.SGD(params, lr=0.1, weight_decay=0.05),
    "adam": lambda params: torch.optim.Adam(params, lr=0.01, weight_decay=0.01),
    "adamw": lambda params: torch.optim.AdamW(params, lr=0.01, weight_decay=0.1),
    "adam-decoupled": lambda params: torch.optim.Adam(params, lr=0.01, weight_decay=0.1, decoupled_weight_decay=True),
    "groups": lambda params: torch.optim.SGD(
        [{"params": params[:2], "lr": 0.05, "momentum": 0.5}, {"params": params[2:], "weight_decay": 0.1}], lr=0.2
    ),
}


@pytest.mark.parametrize("kind", list(OPTIMIZERS))
def test_optimizers_with_state_agree_value_by_value_over_several_steps(kind) -> None:
    torch.manual_seed(3)
    model = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Tanh(), torch.nn.Linear(4, 3)).double()
    optimizer = OPTIMIZERS[kind](list(model.parameters()))
    x = torch.randn(6, 3, dtype=torch.float64)
    labels = torch.tensor([0, 1, 2, 2, 1, 0])
    for _ in range(3):  # the later steps start from the buffers the earlier ones left
        report = verify_torch_step(model, x, labels, torch.nn.CrossEntropyLoss(), optimizer)
        assert report.ok, report.to_text()
    values = {c.name: c for c in report.comparisons}
    if kind.startswith("adam"):
        assert {"m_w1+", "v_w1+", "m_b7+", "v_b7+"} <= set(values)
        # torch's exp_avg after three steps, compared under the name explain --optimizer uses
        assert values["m_w1+"].torch == float(optimizer.state[model[0].weight]["exp_avg"][0, 0])
    elif kind in ("momentum", "nesterov-decay", "groups"):
        assert {"v_w1+", "v_b1+"} <= set(values)
    else:
        assert not any(name.startswith(("v_", "m_")) for name in values)
    assert kind.split("-")[0] in report.to_text().splitlines()[0] or kind == "groups"


@pytest.mark.parametrize(
    ("change", "ok"),
    [
        (lambda params: torch.nn.utils.clip_grad_norm_(params, 1e-3), True),  # clipping: followed
        (lambda params: [p.grad.div_(7) for p in params], False),  # a stray scale of every gradient: found
        (lambda params: torch.nn.utils.clip_grad_value_(params, 1e-3), True),  # clipping by value: followed
    ],
)
def test_gradient_clipping_is_followed_and_other_changes_are_found(change, ok) -> None:
    def step(model, x, t, loss, optimizer):
        optimizer.zero_grad()
        value = loss(model(x), t)
        value.backward()
        change(list(model.parameters()))
        optimizer.step()
        return value

    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.Sigmoid(), torch.nn.Linear(3, 1)).double()
    optimizer = torch.optim.Adam(model.parameters(), lr=0.1)
    x, t = torch.randn(4, 2, dtype=torch.float64), torch.rand(4, 1, dtype=torch.float64)
    report = verify_torch_step(model, x, t, "mse", optimizer, step=step)
    assert report.ok == ok, report.to_text()
    if ok:
        assert "note: gradient clipping: " in report.to_text()
    else:
        assert report.first_mismatch.stage == "gradient"


class ScaledLinear(torch.nn.Linear):
    """A custom Linear layer with a bug: it scales its output."""

    def forward(self, x):
        return super().forward(x) * 1.01


def test_a_linear_subclass_is_read_and_its_odd_forward_is_found() -> None:
    torch.manual_seed(0)
    model = torch.nn.Sequential(ScaledLinear(4, 5), torch.nn.Sigmoid(), torch.nn.Linear(5, 3)).double()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    x = torch.randn(2, 4, dtype=torch.float64)
    report = verify_torch_step(model, x, torch.tensor([0, 2]), torch.nn.CrossEntropyLoss(), optimizer)
    assert report.first_mismatch.name == "net_h1 [0]" and report.first_mismatch.stage == "forward"
    assert report.first_mismatch.torch == pytest.approx(1.01 * report.first_mismatch.stepgrad, rel=1e-12)


def test_from_torch_refuses_logits_with_a_probability_loss_and_names_the_fix() -> None:
    model = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU(), torch.nn.Linear(4, 2))
    with pytest.raises(StepgradError, match="pass output_activation='softmax'"):
        from_torch(model, loss="cross_entropy")
    with pytest.raises(StepgradError, match="pass output_activation='sigmoid'"):
        from_torch(torch.nn.Sequential(torch.nn.Linear(3, 1)), loss="binary_cross_entropy")
    with pytest.raises(StepgradError, match='softmax needs loss = "cross_entropy"'):
        from_torch(torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.Softmax(dim=-1)), loss="mse")
    network = from_torch(model, loss="cross_entropy", output_activation="softmax")
    assert network.layers[-1].activation == "softmax" and network.loss == "cross_entropy"


@pytest.mark.parametrize(
    ("inputs", "targets", "loss", "message"),
    [
        (
            [[0.05, 0.10]],
            [[0.01, 0.99, 0.5]],
            "half_squared_error",
            r"the targets have shape \(1, 3\); for a batch of 1 and a model with 2 outputs give \(1, 2\)$",
        ),
        (
            [[0.05, 0.10], [0.2, 0.3]],
            [[0.01, 0.99]],
            "half_squared_error",
            r"the targets have shape \(1, 2\); for a batch of 2 and a model with 2 outputs give \(2, 2\)$",
        ),
        (
            [[0.05, 0.10, 0.2]],
            [[0.01, 0.99]],
            "half_squared_error",
            r"the inputs have shape \(1, 3\); the model takes 2 inputs, so give \(B, 2\)",
        ),
        ([[0.05, 0.10]], [[0.01]], torch.nn.CrossEntropyLoss(), r"give \(1, 2\) or class indices \(B,\)$"),
        ([[0.05, 0.10]], [2], torch.nn.CrossEntropyLoss(), r"1-D targets for 2 outputs are class indices 0 … 1"),
    ],
)
def test_a_batch_of_the_wrong_shape_is_one_clear_error(inputs, targets, loss, message) -> None:
    model, _, _, optimizer = classic_step_parts()
    if not isinstance(loss, str):
        model = torch.nn.Sequential(*list(model)[:-1])  # logits for CrossEntropyLoss
        optimizer = torch.optim.SGD([p for p in model.parameters() if p.requires_grad], lr=0.5)
    x = torch.tensor(inputs, dtype=torch.float64)
    t = torch.tensor(targets, dtype=torch.float64 if isinstance(loss, str) else torch.long)
    before = [p.detach().clone() for p in model.parameters()]
    with pytest.raises(StepgradError, match=message):
        verify_torch_step(model, x, t, loss, optimizer)
    assert all(torch.equal(a, b) for a, b in zip(before, model.parameters(), strict=True))  # no step was taken
