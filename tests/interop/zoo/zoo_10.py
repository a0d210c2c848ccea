"""Regressor; the script checks that gradients flow before training starts."""

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(10)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(7, 24)
        self.fc2 = nn.Linear(24, 24)
        self.fc3 = nn.Linear(24, 1)

    def forward(self, x):
        x = F.leaky_relu(self.fc1(x), 0.01)
        x = F.leaky_relu(self.fc2(x), 0.01)
        return self.fc3(x)


model = Net()
optimizer = torch.optim.SGD(model.parameters(), lr=0.05)
loss_fn = nn.MSELoss()

inputs = torch.randn(30, 7)
targets = torch.randn(30, 1)

# sanity check: every parameter receives a non-zero gradient
loss_fn(model(inputs), targets).backward()
for name, p in model.named_parameters():
    assert p.grad is not None and p.grad.abs().sum() > 0, name


def step():
    out = model(inputs)
    loss = loss_fn(out, targets)
    loss.backward()
    optimizer.step()
    return loss.item()
