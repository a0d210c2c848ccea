"""Sequential classifier with BatchNorm1d (unsupported: BatchNorm1d)."""

import torch
import torch.nn as nn

torch.manual_seed(33)

model = nn.Sequential(
    nn.Linear(10, 32),
    nn.BatchNorm1d(32),
    nn.ReLU(),
    nn.Linear(32, 4),
)
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
loss_fn = nn.CrossEntropyLoss()

inputs = torch.randn(32, 10)
targets = torch.randint(0, 4, (32,))
