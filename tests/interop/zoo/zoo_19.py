"""Regressor re-initialised in place (Kaiming) after the optimizer exists; AdamW."""

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(19)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(5, 30)
        self.fc2 = nn.Linear(30, 30)
        self.fc3 = nn.Linear(30, 2)

    def forward(self, x):
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        return self.fc3(x)


model = Net()
optimizer = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=0.05)


@torch.no_grad()
def init_weights(m):
    if isinstance(m, nn.Linear):
        nn.init.kaiming_uniform_(m.weight, nonlinearity="relu")
        nn.init.zeros_(m.bias)


model.apply(init_weights)  # same Parameter objects, so the optimizer still owns them

loss_fn = nn.MSELoss()
inputs = torch.randn(22, 5)
targets = torch.randn(22, 2)


def step():
    optimizer.zero_grad()
    loss = loss_fn(model(inputs), targets)
    loss.backward()
    optimizer.step()
    return loss.item()
