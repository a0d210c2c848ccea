"""SGD with momentum; the step warm-starts the momentum buffers so the first update isn't 'too small'."""

import torch
import torch.nn as nn

torch.manual_seed(26)

model = nn.Sequential(
    nn.Linear(6, 24),
    nn.ReLU(),
    nn.Linear(24, 24),
    nn.ReLU(),
    nn.Linear(24, 2),
)
optimizer = torch.optim.SGD(model.parameters(), lr=0.02, momentum=0.9)
loss_fn = nn.MSELoss()

inputs = torch.randn(32, 6)
targets = torch.randn(32, 2)


def step():
    optimizer.zero_grad()
    loss = loss_fn(model(inputs), targets)
    loss.backward()
    for group in optimizer.param_groups:
        for p in group["params"]:
            state = optimizer.state[p]
            if "momentum_buffer" not in state:
                state["momentum_buffer"] = p.grad.detach().clone()
    optimizer.step()
    return loss.item()
