"""MLP with a pre-head LayerNorm (unsupported: LayerNorm)."""

import torch
import torch.nn as nn

torch.manual_seed(32)


class NormMLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(12, 32)
        self.norm = nn.LayerNorm(32)
        self.fc2 = nn.Linear(32, 3)

    def forward(self, x):
        return self.fc2(torch.relu(self.norm(self.fc1(x))))


model = NormMLP()
optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.01)
loss_fn = nn.MSELoss()

inputs = torch.randn(20, 12)
targets = torch.randn(20, 3)


def step():
    optimizer.zero_grad()
    loss = loss_fn(model(inputs), targets)
    loss.backward()
    optimizer.step()
    return loss.item()
