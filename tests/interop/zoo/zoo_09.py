"""Regression with sum-reduced MSE and gradient-norm clipping (clip is active)."""

import torch
import torch.nn as nn

torch.manual_seed(9)

model = nn.Sequential(
    nn.Linear(5, 32),
    nn.Tanh(),
    nn.Linear(32, 32),
    nn.Tanh(),
    nn.Linear(32, 3),
)
optimizer = torch.optim.SGD(model.parameters(), lr=0.01, weight_decay=1e-3)
loss_fn = nn.MSELoss(reduction="sum")
max_grad_norm = 0.5

inputs = torch.randn(8, 5)
targets = 3.0 * torch.randn(8, 3)


def step():
    optimizer.zero_grad()
    loss = loss_fn(model(inputs), targets)
    loss.backward()
    grad_norm = torch.nn.utils.clip_grad_norm_(model.parameters(), max_grad_norm)
    optimizer.step()
    return loss.detach()
