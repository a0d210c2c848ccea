"""float64 multi-output probabilities: Sigmoid head scored with BCELoss(reduction='sum'), Adam."""

import torch
import torch.nn as nn

torch.manual_seed(37)

model = nn.Sequential(
    nn.Linear(5, 12),
    nn.Tanh(),
    nn.Linear(12, 3),
    nn.Sigmoid(),
).to(torch.float64)
optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
loss_fn = nn.BCELoss(reduction="sum")

inputs = torch.randn(10, 5, dtype=torch.float64)
targets = torch.rand(10, 3, dtype=torch.float64).round()


def step():
    optimizer.zero_grad()
    loss = loss_fn(model(inputs), targets)
    loss.backward()
    optimizer.step()
    return loss
