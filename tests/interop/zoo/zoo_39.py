"""Classifier on a summed cross-entropy, with a leftover normalisation in the backward call."""

import torch
import torch.nn as nn

torch.manual_seed(39)

model = nn.Sequential(nn.Linear(7, 20), nn.ReLU(), nn.Linear(20, 3))
optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.5)
loss_fn = nn.CrossEntropyLoss(reduction="sum")

inputs = torch.randn(32, 7)
targets = torch.randint(0, 3, (32,))


def step():
    optimizer.zero_grad()
    loss = loss_fn(model(inputs), targets)
    (loss / len(inputs)).backward()  # per-sample scale, left from when the loss was a mean
    optimizer.step()
    return loss.item()
