"""Large batch, float64, LeakyReLU, sum-reduced cross entropy, SGD momentum."""

import torch
import torch.nn as nn

torch.manual_seed(13)

model = nn.Sequential(
    nn.Linear(32, 64),
    nn.LeakyReLU(0.1),
    nn.Linear(64, 32),
    nn.LeakyReLU(0.1),
    nn.Linear(32, 8),
).to(torch.float64)
optimizer = torch.optim.SGD(model.parameters(), lr=1e-3, momentum=0.9)
loss_fn = nn.CrossEntropyLoss(reduction="sum")

inputs = torch.randn(256, 32, dtype=torch.float64)
targets = torch.randint(0, 8, (256,))


def step():
    optimizer.zero_grad()
    logits = model(inputs)
    loss = loss_fn(logits, targets)
    loss.backward()
    optimizer.step()
    return loss
