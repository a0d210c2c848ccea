"""Classifier whose step turns logits into probabilities (also used for accuracy)."""

import torch
import torch.nn as nn

torch.manual_seed(22)

model = nn.Sequential(
    nn.Linear(16, 32),
    nn.ReLU(),
    nn.Linear(32, 6),
)
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
loss_fn = nn.CrossEntropyLoss()

inputs = torch.randn(32, 16)
targets = torch.randint(0, 6, (32,))


def step():
    optimizer.zero_grad()
    probs = torch.softmax(model(inputs), dim=1)
    loss = loss_fn(probs, targets)
    loss.backward()
    optimizer.step()
    acc = (probs.argmax(dim=1) == targets).float().mean()
    return loss.item()
