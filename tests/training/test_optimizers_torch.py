"""Optimizers against PyTorch's ``torch.optim`` over several steps on seeded data (1e-10)."""

import numpy as np
import pytest

from stepgrad.training import create_network, make_training

torch = pytest.importorskip("torch")

pytestmark = pytest.mark.torch

CASES = [
    ("sgd", {}, lambda params, lr, wd: torch.optim.SGD(params, lr=lr, weight_decay=wd)),
    (
        "momentum",
        {"momentum": 0.8},
        lambda params, lr, wd: torch.optim.SGD(params, lr=lr, momentum=0.8, weight_decay=wd),
    ),
    (
        "nesterov",
        {"momentum": 0.8},
        lambda params, lr, wd: torch.optim.SGD(params, lr=lr, momentum=0.8, nesterov=True, weight_decay=wd),
    ),
    ("adam", {}, lambda params, lr, wd: torch.optim.Adam(params, lr=lr, weight_decay=wd)),
    ("adamw", {}, lambda params, lr, wd: torch.optim.AdamW(params, lr=lr, weight_decay=wd)),
]


def _torch_run(network, x, y, make_optimizer, lr, wd, steps, batches):
    layers = []
    for layer in network.layers:
        linear = torch.nn.Linear(layer.n_in, layer.n_out, dtype=torch.float64)
        with torch.no_grad():
            linear.weight.copy_(torch.tensor(layer.weights))
            linear.bias.copy_(torch.tensor(layer.bias))
        layers.append(linear)
    weights = [linear.weight for linear in layers]
    biases = [linear.bias for linear in layers]
    # stepgrad decays the weights only: biases go in a group without decay.
    optimizer = make_optimizer(
        [{"params": weights, "weight_decay": wd}, {"params": biases, "weight_decay": 0.0}], lr, wd
    )
    for step in range(steps):
        index = batches[step]
        a = torch.tensor(x[index])
        a = torch.tanh(layers[0](a))
        out = torch.sigmoid(layers[1](a))
        target = torch.tensor(y[index])
        loss = (0.5 * (target - out) ** 2).sum(dim=1).mean()  # batch mean of E_total
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return [w.detach().numpy() for w in weights], [b.detach().numpy() for b in biases]


@pytest.mark.parametrize("weight_decay", [0.0, 0.05])
@pytest.mark.parametrize(("name", "hyper", "make_optimizer"), CASES, ids=[case[0] for case in CASES])
def test_optimizer_matches_torch_over_several_mini_batch_steps(name, hyper, make_optimizer, weight_decay) -> None:
    rng = np.random.default_rng(5)
    network = create_network([3, 5, 2], activation="tanh", output_activation="sigmoid", rng=rng)
    x = rng.normal(size=(8, 3))
    y = rng.uniform(size=(8, 2))
    lr, epochs, batch = 0.05, 3, 4
    training = make_training(
        network,
        x,
        y,
        optimizer=name,
        learning_rate=lr,
        epochs=epochs,
        batch_size=batch,
        seed=2,
        weight_decay=weight_decay,
        momentum=hyper.get("momentum"),
    )
    training.run()
    # replay the same shuffled batches in torch
    from stepgrad.training.loops import seed_streams

    shuffle = seed_streams(2)[1]
    batches = []
    for _ in range(epochs):
        order = shuffle.permutation(8)
        batches += [order[i : i + batch] for i in range(0, 8, batch)]
    torch_weights, torch_biases = _torch_run(network, x, y, make_optimizer, lr, weight_decay, len(batches), batches)
    assert training.updates == len(batches) == 6
    trained = training.current_network()
    for layer, w, b in zip(trained.layers, torch_weights, torch_biases, strict=True):
        np.testing.assert_allclose(layer.weights, w, rtol=0, atol=1e-10)
        np.testing.assert_allclose(layer.bias, b, rtol=0, atol=1e-10)
    # the optimizer actually moved the weights away from the start
    assert np.abs(trained.layers[0].weights - network.layers[0].weights).max() > 1e-3
