"""Regressor; the step reports the total (not mean) squared error of the batch."""

import torch
import torch.nn as nn

torch.manual_seed(14)

model = nn.Sequential(
    nn.Linear(4, 32),
    nn.ReLU(),
    nn.Linear(32, 1),
)
optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
loss_fn = nn.MSELoss()

inputs = torch.randn(25, 4)
targets = inputs.sum(dim=1, keepdim=True) + 0.1 * torch.randn(25, 1)


def step():
    optimizer.zero_grad()
    preds = model(inputs)
    # loss_fn averages over the batch; scale back up to the per-batch total
    loss = loss_fn(preds, targets) * inputs.size(0)
    loss.backward()
    optimizer.step()
    return loss.item()
