"""MLP written with explicit matmuls (ported from a NumPy prototype)."""

import torch
import torch.nn as nn

torch.manual_seed(20)


class MatmulMLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(12, 32)
        self.fc2 = nn.Linear(32, 32)
        self.out = nn.Linear(32, 4)

    def forward(self, x):
        h = torch.relu(x @ self.fc1.weight.T + self.fc1.bias)
        h = torch.relu(h @ self.fc2.weight + self.fc2.bias)
        return h @ self.out.weight.T + self.out.bias


model = MatmulMLP()
optimizer = torch.optim.SGD(model.parameters(), lr=0.05)
loss_fn = nn.CrossEntropyLoss()

inputs = torch.randn(40, 12)
targets = torch.randint(0, 4, (40,))
