"""Online learning: batch of one, sigmoid output with BCELoss."""

import torch
import torch.nn as nn

torch.manual_seed(11)

model = nn.Sequential(
    nn.Linear(3, 8),
    nn.ReLU(),
    nn.Linear(8, 1),
    nn.Sigmoid(),
)
optimizer = torch.optim.SGD(model.parameters(), lr=0.5)
loss_fn = nn.BCELoss()

inputs = torch.tensor([[0.5, -1.2, 2.0]])
targets = torch.tensor([[1.0]])
