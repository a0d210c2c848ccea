"""float64 regressor; the step logs a held-out loss (no no_grad, but no backward through it)."""

import torch
import torch.nn as nn

torch.manual_seed(21)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.layers = nn.Sequential(
            nn.Linear(3, 16),
            nn.Tanh(),
            nn.Linear(16, 16),
            nn.Tanh(),
            nn.Linear(16, 1),
        )

    def forward(self, x):
        return self.layers(x)


model = Net().double()
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
loss_fn = nn.MSELoss()

inputs = torch.randn(64, 3, dtype=torch.float64)
targets = torch.sin(inputs).sum(dim=1, keepdim=True)
holdout_x = torch.randn(16, 3, dtype=torch.float64)
holdout_y = torch.sin(holdout_x).sum(dim=1, keepdim=True)
log = []


def step():
    optimizer.zero_grad()
    loss = loss_fn(model(inputs), targets)
    holdout_loss = loss_fn(model(holdout_x), holdout_y)  # just for the log
    loss.backward()
    optimizer.step()
    log.append((loss.item(), holdout_loss.item()))
    return loss.item()
