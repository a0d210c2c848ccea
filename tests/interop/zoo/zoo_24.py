"""Manual static loss scaling (copied from a mixed-precision recipe) on CPU float32."""

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(24)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(10, 32)
        self.fc2 = nn.Linear(32, 5)

    def forward(self, x):
        return self.fc2(F.relu(self.fc1(x)))


model = Net()
optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
loss_fn = nn.CrossEntropyLoss()
LOSS_SCALE = 64.0

inputs = torch.randn(24, 10)
targets = torch.randint(0, 5, (24,))


def unscale_(params, scale):
    for p in params:
        if p.grad is not None:
            p.grad.div_(scale)


def step():
    optimizer.zero_grad()
    loss = loss_fn(model(inputs), targets)
    (loss * LOSS_SCALE).backward()
    unscale_(model.parameters(), LOSS_SCALE)
    # inf/nan check before stepping
    if not all(torch.isfinite(p.grad).all() for p in model.parameters()):
        return loss.item()
    unscale_(model.parameters(), LOSS_SCALE)  # unscale before the optimizer sees the grads
    optimizer.step()
    return loss.item()
