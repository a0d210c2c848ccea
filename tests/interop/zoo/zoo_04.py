"""Regressor that keeps its hidden features around for an embedding monitor."""

import torch
import torch.nn as nn

torch.manual_seed(4)


class Regressor(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(6, 32)
        self.act = nn.ReLU()
        self.fc2 = nn.Linear(32, 16)
        self.head = nn.Linear(16, 1)
        self.last_features = None

    def forward(self, x):
        h = self.act(self.fc1(x))
        # keep a copy for the embedding monitor (must not hold the graph)
        h = h.detach()
        self.last_features = h
        h = torch.tanh(self.fc2(h))
        return self.head(h)


model = Regressor()
optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
loss_fn = nn.MSELoss()

inputs = torch.randn(48, 6)
targets = torch.randn(48, 1)


def step():
    optimizer.zero_grad()
    pred = model(inputs)
    loss = loss_fn(pred, targets)
    loss.backward()
    optimizer.step()
    return loss
