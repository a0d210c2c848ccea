"""``verify_torch_step`` on models as engineers write them: their own ``forward``, functional
activations, in-place ReLU, extra forward passes, cut graphs, and modules stepgrad refuses."""

import json

import pytest

from stepgrad.errors import StepgradError

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.torch

from stepgrad.interop.torch_step import verify_torch_step  # noqa: E402

nn = torch.nn
F = torch.nn.functional


class MLP(nn.Module):
    def __init__(self, inplace=False, functional=False, cut=None):
        super().__init__()
        self.fc1 = nn.Linear(4, 6)
        self.act = nn.ReLU(inplace=inplace)
        self.fc2 = nn.Linear(6, 5)
        self.fc3 = nn.Linear(5, 3)
        self.functional, self.cut = functional, cut

    def forward(self, x):
        h = self.fc1(x)
        if self.cut == "detach":
            h = h.detach()
        h = self.act(h)
        if self.cut == "no_grad":
            with torch.no_grad():
                h = self.fc2(h)
        else:
            h = self.fc2(h)
        h = torch.tanh(h) if self.functional else F.leaky_relu(h)
        return self.fc3(h)


def batch(n=8, seed=0):
    generator = torch.Generator().manual_seed(seed)
    return torch.randn(n, 4, generator=generator, dtype=torch.float64), torch.randint(0, 3, (n,), generator=generator)


def check(model, step=None, loss=None, optimizer=None, x=None, t=None):
    model = model.double()
    optimizer = optimizer or torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    if x is None:
        x, t = batch()
    return verify_torch_step(model, x, t, loss or nn.CrossEntropyLoss(), optimizer, step=step)


@pytest.mark.parametrize(
    "options", [{}, {"inplace": True}, {"functional": True}, {"inplace": True, "functional": True}]
)
def test_a_custom_module_with_functional_and_in_place_activations_agrees(options) -> None:
    torch.manual_seed(0)
    report = check(MLP(**options))
    assert report.ok, report.to_text()
    assert report.chain.startswith("model.fc1 → relu (model.act) → model.fc2 → ")
    assert report.chain.endswith("model.fc3 → softmax (in CrossEntropyLoss)")
    names = {c.name: c.torch_name for c in report.comparisons}
    assert names["dE_total/dw13"] == "model.fc1.weight.grad[3, 0]"
    assert names["w25+"] == "model.fc2.weight[0, 0]"
    assert names["v_w26+"] == "optimizer.state[model.fc2.weight]['momentum_buffer'][0, 1]"


def test_sequential_inside_a_module_with_pass_through_modules_agrees() -> None:
    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.body = nn.Sequential(
                nn.Flatten(), nn.Identity(), nn.Linear(4, 5), nn.Sigmoid(), nn.Dropout(0.5), nn.Linear(5, 1)
            )

        def forward(self, x):
            return self.body(x).squeeze(-1)

    torch.manual_seed(1)
    model = Net().double().eval()
    x, _ = batch(16)
    t = (x[:, 0] > 0).double()
    report = check(
        model,
        loss=nn.BCEWithLogitsLoss(reduction="sum"),
        x=x,
        t=t,
        optimizer=torch.optim.AdamW(model.parameters(), lr=0.01, weight_decay=0.1),
    )
    assert report.ok, report.to_text()
    assert report.chain == "model.body.2 → sigmoid (model.body.3) → model.body.5 → sigmoid (in BCEWithLogitsLoss)"


def test_only_the_forward_pass_of_the_backward_is_compared() -> None:
    def step(model, x, t, loss, optimizer):
        with torch.no_grad():
            model(x)  # a validation pass before
        optimizer.zero_grad()
        value = loss(model(x), t)
        value.backward()
        optimizer.step()
        model(x)  # a logging pass after, with autograd on
        return value

    torch.manual_seed(2)
    report = check(MLP(inplace=True), step=step)
    assert report.ok, report.to_text()
    assert report.ignored == ("forward pass 1 (under torch.no_grad)", "forward pass 3 (no backward went through it)")
    assert "ignored: forward pass 1 (under torch.no_grad)" in report.to_text()


@pytest.mark.parametrize(
    ("cut", "message"),
    [
        ("detach", "no gradient reaches model.fc1: the graph is cut after model.fc1 (detach in forward?)"),
        (
            "no_grad",
            "no gradient reaches model.fc2: it ran without autograd (torch.no_grad around part of the "
            "forward, or requires_grad=False?)",
        ),
    ],
)
def test_a_cut_graph_is_reported_as_such_not_as_wrong_numbers(cut, message) -> None:
    torch.manual_seed(3)
    report = check(MLP(cut=cut))
    assert not report.ok
    assert report.first_problem.message == message and report.first_stage == "backward"
    assert f"verdict: {message} (backward)" in report.to_text()
    assert all(c.torch == c.torch for c in report.comparisons)  # no nan standing in for a missing gradient


def test_requires_grad_false_in_the_middle_is_a_cut() -> None:
    class Net(MLP):
        def forward(self, x):
            h = self.act(self.fc1(x)).detach().requires_grad_(False)
            return self.fc3(F.leaky_relu(self.fc2(h)))

    torch.manual_seed(4)
    report = check(Net())
    assert report.first_problem.message == (
        "no gradient reaches model.fc1: the graph is cut after model.act (detach in forward?)"
    )


def test_the_short_report_has_at_most_15_rows_and_full_and_json_have_all() -> None:
    def step(model, x, t, loss, optimizer):
        optimizer.zero_grad()
        value = loss(model(x), t)
        value.backward()
        with torch.no_grad():
            for p in model.parameters():
                p += 0.1 * p.grad  # the sign of a manual SGD step
        return value

    torch.manual_seed(5)
    model = MLP().double()
    report = check(model, step=step, optimizer=torch.optim.SGD(model.parameters(), lr=0.1))
    assert report.first_mismatch.stage == "update" and report.first_mismatch.name == "w1+"
    assert "the update goes the wrong way" in report.diagnosis
    short, full = report.to_text(), report.to_text(full=True)
    assert len(short.splitlines()) <= 22 and "--full shows every value" in short
    assert len(full.splitlines()) > len(report.comparisons)
    data = json.loads(json.dumps(report.to_dict()))
    assert data["stage"] == "update" and data["first"]["torch_name"] == "model.fc1.weight[0, 0]"
    assert len(data["comparisons"]) == len(report.comparisons)


def test_a_double_softmax_is_found_at_the_loss() -> None:
    torch.manual_seed(6)
    model = nn.Sequential(nn.Linear(4, 5), nn.Tanh(), nn.Linear(5, 3), nn.Softmax(dim=-1))
    report = check(model)
    assert report.first_mismatch.stage == "error"
    assert "a double softmax" in report.diagnosis


def test_a_mean_loss_scaled_by_hand_is_found_at_the_loss() -> None:
    def step(model, x, t, loss, optimizer):
        optimizer.zero_grad()
        value = loss(model(x), t) * x.shape[0]
        value.backward()
        optimizer.step()
        return value

    torch.manual_seed(7)
    report = check(MLP(), step=step)
    assert report.first_mismatch.name == "E_total (batch mean)"


@pytest.mark.parametrize(
    ("module", "message"),
    [
        (
            lambda: nn.LayerNorm(6),
            "model.norm: LayerNorm is not supported; supported are Linear, Sigmoid, Tanh, ReLU, LeakyReLU",
        ),
        (lambda: nn.BatchNorm1d(6), "model.norm: BatchNorm1d is not supported; supported are Linear, Sigmoid"),
        (lambda: nn.Dropout(0.2), "model.norm: Dropout(p=0.2) in training mode is not supported: it drops values"),
        (lambda: nn.Mish(), "model.norm: Mish is not supported"),
    ],
)
def test_an_unsupported_module_is_refused_by_its_place(module, message) -> None:
    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc1, self.norm, self.act, self.fc2 = nn.Linear(4, 6), module(), nn.ReLU(), nn.Linear(6, 3)

        def forward(self, x):
            return self.fc2(self.act(self.norm(self.fc1(x))))

    with pytest.raises(StepgradError) as error:
        check(Net())
    assert str(error.value).startswith(message)


def test_conv2d_and_rnn_are_refused_by_their_place() -> None:
    conv = nn.Sequential(nn.Conv2d(1, 2, 3), nn.Flatten(), nn.Linear(8, 3))
    with pytest.raises(StepgradError, match=r"^model\.0: Conv2d is not supported"):
        check(conv)

    class Recurrent(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(4, 4)
            self.rnn = nn.RNN(4, 3, batch_first=True)

        def forward(self, x):
            out, _ = self.rnn(self.fc(x).unsqueeze(1))
            return out[:, -1]

    with pytest.raises(StepgradError, match=r"^model\.rnn: RNN is not supported"):
        check(Recurrent())


def test_a_call_that_is_no_activation_is_followed_by_the_modules_and_found_in_the_forward() -> None:
    class Net(MLP):
        def forward(self, x):
            return self.fc3(F.leaky_relu(self.fc2(self.act(self.fc1(x)) * 2)))

    torch.manual_seed(8)
    report = check(Net())
    assert report.first_mismatch.stage == "forward" and report.first_mismatch.name.startswith("out_h1")


def test_a_weight_frozen_by_mistake_is_reported_as_getting_no_gradient() -> None:
    torch.manual_seed(9)
    model = MLP().double()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    model.fc2.weight.requires_grad_(False)
    report = check(model, optimizer=optimizer)
    assert report.first_problem.message.startswith("no gradient reaches model.fc2.weight: it has requires_grad=False")
    assert all(c.agrees for c in report.comparisons if c.stage in ("forward", "error", "backward"))


class WrittenOut(torch.nn.Module):
    """A forward that never calls its Linear modules."""

    def __init__(self) -> None:
        super().__init__()
        self.fc1, self.fc2 = torch.nn.Linear(3, 4), torch.nn.Linear(4, 2)

    def forward(self, x):
        return torch.sigmoid(x @ self.fc1.weight.T + self.fc1.bias) @ self.fc2.weight.T + self.fc2.bias


def test_a_forward_written_out_over_linear_weights_is_followed_and_the_model_left_as_it_was() -> None:
    torch.manual_seed(0)
    model = WrittenOut()
    x, t = torch.randn(5, 3), torch.randn(5, 2)
    report = verify_torch_step(model, x, t, torch.nn.MSELoss(), torch.optim.SGD(model.parameters(), lr=0.1))
    assert report.ok, report.to_text()
    assert report.chain == "model.fc1 → sigmoid (sigmoid in model.forward) → model.fc2"
    assert "forward" not in vars(model)  # the probed forward was only for the step
    assert {c.torch_name for c in report.comparisons if c.name == "net_h1 [0]"} == {"model.fc1 output[0, 0]"}
