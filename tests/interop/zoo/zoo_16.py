"""Two-output regressor with a hand-written squared-error loss in the step."""

import torch
import torch.nn as nn

torch.manual_seed(16)


class TwoHead(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(6, 16),
            nn.Sigmoid(),
            nn.Linear(16, 2),
        )

    def forward(self, x):
        return self.net(x)


model = TwoHead()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
loss_fn = nn.MSELoss()

inputs = torch.randn(20, 6)
targets = torch.randn(20, 2)


def step():
    optimizer.zero_grad()
    outputs = model(inputs)
    loss = ((outputs - targets) ** 2).sum()  # mean squared error
    loss.backward()
    optimizer.step()
    return loss.item()
