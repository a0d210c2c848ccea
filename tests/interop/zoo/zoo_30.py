"""Gradient accumulation over two micro-batches (memory-limited box)."""

import torch
import torch.nn as nn

torch.manual_seed(30)

model = nn.Sequential(
    nn.Linear(8, 32),
    nn.ReLU(),
    nn.Linear(32, 32),
    nn.ReLU(),
    nn.Linear(32, 1),
)
optimizer = torch.optim.SGD(model.parameters(), lr=0.05)
loss_fn = nn.MSELoss()
ACCUM_STEPS = 2

inputs = torch.randn(64, 8)
targets = torch.randn(64, 1)


def step():
    optimizer.zero_grad()
    total = 0.0
    for x, y in zip(inputs.chunk(ACCUM_STEPS), targets.chunk(ACCUM_STEPS)):
        loss = loss_fn(model(x), y)
        loss.backward()
        total += loss.item()
    optimizer.step()
    return total / ACCUM_STEPS
