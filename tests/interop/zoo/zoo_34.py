"""Regressor with dropout, trained in train mode (unsupported: Dropout in training mode)."""

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(34)


class DropNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(6, 32)
        self.drop = nn.Dropout(p=0.2)
        self.fc2 = nn.Linear(32, 1)

    def forward(self, x):
        return self.fc2(self.drop(F.relu(self.fc1(x))))


model = DropNet()
model.train()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
loss_fn = nn.MSELoss()

inputs = torch.randn(24, 6)
targets = torch.randn(24, 1)


def step():
    model.train()
    optimizer.zero_grad()
    loss = loss_fn(model(inputs), targets)
    loss.backward()
    optimizer.step()
    return loss.item()
