"""scaling: one epoch of 784-H-10 (ReLU + softmax cross-entropy, batch 128, SGD) on 10,000 synthetic
samples, H = 32 … 1024; time per epoch and the FLOP rate of the matrix products."""

from __future__ import annotations

import numpy as np

from benchmarks.common import Row, TaskResult, format_seconds, race

SAMPLES, INPUTS, OUTPUTS, BATCH, RATE = 10_000, 784, 10, 128, 0.01


def flops_per_epoch(hidden: int) -> float:
    """Multiply-adds ×2 of forward (a·Wᵀ), weight gradients (deltaᵀ·a) and the hidden layer's dE/dout."""
    per_sample = 2 * (INPUTS * hidden + hidden * OUTPUTS) * 2 + 2 * hidden * OUTPUTS
    return float(SAMPLES * per_sample)


def data() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    return rng.normal(0, 1, (SAMPLES, INPUTS)), rng.integers(0, OUTPUTS, SAMPLES)


def run_stepgrad(hidden: int, x: np.ndarray, labels: np.ndarray) -> float:
    from stepgrad.training import create_network, fit

    network = create_network([INPUTS, hidden, OUTPUTS], "relu", "softmax", "cross_entropy",
                             rng=np.random.default_rng(0))
    result = fit(network, x, np.eye(OUTPUTS)[labels], learning_rate=RATE, epochs=1, batch_size=BATCH, seed=0)
    return float(result.history.loss[-1])


def run_stepgrad_kernel(hidden: int, x: np.ndarray, labels: np.ndarray) -> float:
    """The same epoch as one call of the compiled ``minibatch_sgd`` kernel."""
    from stepgrad.training import create_network
    from stepgrad.training.compiled import minibatch_sgd

    network = create_network([INPUTS, hidden, OUTPUTS], "relu", "softmax", "cross_entropy",
                             rng=np.random.default_rng(0))
    result = minibatch_sgd([layer.weights for layer in network.layers], [layer.bias for layer in network.layers],
                           ["relu", "softmax"], [True, True], "cross_entropy", x, np.eye(OUTPUTS)[labels],
                           np.random.default_rng(0).permutation(len(labels)), RATE, BATCH)
    return float(np.mean(result.losses))


def run_torch(hidden: int, x: np.ndarray, labels: np.ndarray) -> float:
    import torch

    torch.manual_seed(0)
    model = torch.nn.Sequential(
        torch.nn.Linear(INPUTS, hidden), torch.nn.ReLU(), torch.nn.Linear(hidden, OUTPUTS)
    ).double()
    optimizer = torch.optim.SGD(model.parameters(), lr=RATE)
    loss_fn = torch.nn.CrossEntropyLoss()
    inputs, targets = torch.from_numpy(x), torch.from_numpy(labels)
    order = torch.randperm(SAMPLES, generator=torch.Generator().manual_seed(0))
    total = 0.0
    for start in range(0, SAMPLES, BATCH):
        batch = order[start : start + BATCH]
        optimizer.zero_grad()
        loss = loss_fn(model(inputs[batch]), targets[batch])
        loss.backward()
        optimizer.step()
        total += float(loss.detach()) * len(batch)
    return total / SAMPLES


def run(quick: bool) -> TaskResult:
    hiddens = [32, 256, 1024] if quick else [32, 64, 128, 256, 512, 1024]
    repeats = 1 if quick else 4
    x, labels = data()
    run_stepgrad_kernel(32, x[:256], labels[:256])  # load the compiled kernel before timing
    run_torch(32, x, labels)  # and warm PyTorch up
    lines = [
        "| H | stepgrad `fit` | stepgrad kernel | PyTorch | `fit` ÷ PyTorch | kernel ÷ PyTorch | goal | met "
        "(`fit` / kernel) | GFLOP/s `fit` / kernel / PyTorch |",
        "|---:|---:|---:|---:|---:|---:|---:|:---:|---:|",
    ]
    rows = []
    for hidden in hiddens:
        runs = [run_stepgrad, run_stepgrad_kernel, run_torch]
        timings = race([lambda run=run, hidden=hidden: run(hidden, x, labels) for run in runs], repeats)
        stepgrad_s, kernel_s, torch_s = (seconds for seconds, _ in timings)
        flops = flops_per_epoch(hidden)
        ratio, kernel_ratio = stepgrad_s / torch_s, kernel_s / torch_s
        met = " / ".join("yes" if r <= 1.1 else "**no**" for r in (ratio, kernel_ratio))
        rates = " / ".join(f"{flops / t / 1e9:.1f}" for t in (stepgrad_s, kernel_s, torch_s))
        lines.append(
            f"| {hidden} | {format_seconds(stepgrad_s)} | {format_seconds(kernel_s)} | {format_seconds(torch_s)} | "
            f"{ratio:.3g} | {kernel_ratio:.3g} | ≤ 1.1 | {met} | {rates} |"
        )
        rows.append(Row(f"H = {hidden}", stepgrad_s))
    result = TaskResult(
        task="scaling",
        description=f"One epoch of {INPUTS}-H-{OUTPUTS} (ReLU + softmax cross-entropy, batch {BATCH}, SGD) on "
        f"{SAMPLES:,} synthetic samples, float64 in both; GFLOP/s counts the matrix products only.",
        rows=rows,
    )
    result.table = "\n".join(lines)
    return result
