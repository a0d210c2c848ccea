"""nn.Sequential classifier, in-place ReLUs, Adam with L2 weight decay."""

import torch
from torch import nn

torch.manual_seed(3)

model = nn.Sequential(
    nn.Linear(20, 64),
    nn.ReLU(inplace=True),
    nn.Linear(64, 32),
    nn.ReLU(inplace=True),
    nn.Linear(32, 10),
)
optimizer = torch.optim.Adam(model.parameters(), lr=3e-3, weight_decay=1e-4)
loss_fn = nn.CrossEntropyLoss()

inputs = torch.randn(64, 20)
targets = torch.randint(0, 10, (64,))


def step():
    model.train()
    optimizer.zero_grad()
    logits = model(inputs)
    loss = loss_fn(logits, targets)
    loss.backward()
    optimizer.step()
    return loss.item()
