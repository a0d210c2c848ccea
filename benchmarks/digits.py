"""digits: scikit-learn's 8×8 digits scaled to [0, 1], 64-128-10, ReLU + softmax cross-entropy,
mini-batch 32, SGD η = 0.1, 20 epochs; accuracy on a held-out quarter."""

from __future__ import annotations

import warnings

import numpy as np

from benchmarks.common import Row, TaskResult, race

EPOCHS, BATCH, RATE, HIDDEN = 20, 32, 0.1, 128


def load() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Train and test split (75/25, seeded) of the digits, pixels / 16."""
    from sklearn.datasets import load_digits

    digits = load_digits()
    x, y = digits.data / 16.0, digits.target
    order = np.random.default_rng(0).permutation(len(y))
    cut = len(y) * 3 // 4
    return x[order[:cut]], y[order[:cut]], x[order[cut:]], y[order[cut:]]


def run_stepgrad(x, y, x_test, y_test) -> float:
    from stepgrad.training import create_network, fit, predict

    network = create_network([64, HIDDEN, 10], "relu", "softmax", "cross_entropy", rng=np.random.default_rng(0))
    result = fit(network, x, np.eye(10)[y], learning_rate=RATE, epochs=EPOCHS, batch_size=BATCH, seed=0)
    return float(np.mean(predict(result.network, x_test) == y_test))


def run_stepgrad_kernel(x, y, x_test, y_test) -> float:
    """The same training with one call of the compiled ``minibatch_sgd`` kernel per epoch."""
    from stepgrad.training import create_network, predict
    from stepgrad.training.compiled import minibatch_sgd

    network = create_network([64, HIDDEN, 10], "relu", "softmax", "cross_entropy", rng=np.random.default_rng(0))
    weights = [layer.weights for layer in network.layers]
    biases = [layer.bias for layer in network.layers]
    targets, shuffle = np.eye(10)[y], np.random.default_rng(0)
    for _ in range(EPOCHS):
        result = minibatch_sgd(weights, biases, ["relu", "softmax"], [True, True], "cross_entropy", x, targets,
                               shuffle.permutation(len(y)), RATE, BATCH)
        weights, biases = result.weights, result.biases
    return float(np.mean(predict(network.with_parameters(weights, biases), x_test) == y_test))


def run_torch(x, y, x_test, y_test) -> float:
    import torch

    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(64, HIDDEN), torch.nn.ReLU(), torch.nn.Linear(HIDDEN, 10)).double()
    optimizer = torch.optim.SGD(model.parameters(), lr=RATE)
    loss_fn = torch.nn.CrossEntropyLoss()
    inputs, labels = torch.from_numpy(x), torch.from_numpy(y)
    generator = torch.Generator().manual_seed(0)
    for _ in range(EPOCHS):
        order = torch.randperm(len(labels), generator=generator)
        for start in range(0, len(labels), BATCH):
            batch = order[start : start + BATCH]
            optimizer.zero_grad()
            loss_fn(model(inputs[batch]), labels[batch]).backward()
            optimizer.step()
    with torch.no_grad():
        return float((model(torch.from_numpy(x_test)).argmax(1).numpy() == y_test).mean())


def run_sklearn(x, y, x_test, y_test) -> float:
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    model = MLPClassifier(
        hidden_layer_sizes=(HIDDEN,), activation="relu", solver="sgd", learning_rate_init=RATE, batch_size=BATCH,
        max_iter=EPOCHS, momentum=0.0, nesterovs_momentum=False, alpha=0.0, tol=0.0, n_iter_no_change=EPOCHS + 1,
        random_state=0,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(x, y)
    return float(model.score(x_test, y_test))


def run(quick: bool) -> TaskResult:
    data = load()
    repeats = 2 if quick else 5
    runners = [
        ("stepgrad `fit` (NumPy loop)", run_stepgrad, None, True),
        ("stepgrad kernel (numba `minibatch_sgd`, one call per epoch)", run_stepgrad_kernel, None, True),
        ("PyTorch eager (float64)", run_torch, 0.4, False),
        ("scikit-learn MLPClassifier", run_sklearn, 0.4, False),
    ]
    timings = race([lambda runner=runner: runner(*data) for _, runner, _, _ in runners], repeats)
    rows = [
        Row(label, seconds, f"test accuracy {acc:.3f}", goal, stepgrad=variant)
        for (label, _, goal, variant), (seconds, acc) in zip(runners, timings, strict=True)
    ]
    result = TaskResult(
        task="digits",
        description=f"64-{HIDDEN}-10 ReLU + softmax cross-entropy, batch {BATCH}, SGD η = {RATE}, {EPOCHS} epochs "
        f"on {len(data[1])} training images; check: accuracy on the other {len(data[3])}.",
        unit="time to train",
        rows=rows,
    )
    return result
