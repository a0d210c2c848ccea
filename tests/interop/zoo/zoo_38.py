"""Regression with a summed loss: the config says MSELoss(reduction='sum'), the step calls F.mse_loss."""

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(38)

model = nn.Sequential(nn.Linear(4, 16), nn.Tanh(), nn.Linear(16, 2))
optimizer = torch.optim.SGD(model.parameters(), lr=0.002)
loss_fn = nn.MSELoss(reduction="sum")

inputs = torch.randn(20, 4)
targets = torch.randn(20, 2)


def step():
    optimizer.zero_grad()
    prediction = model(inputs)
    loss = F.mse_loss(prediction, targets)
    loss.backward()
    optimizer.step()
    return loss.item()
