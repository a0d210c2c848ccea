"""Hand-rolled SGD update (we wanted per-step control over the learning rate)."""

import torch
import torch.nn as nn

torch.manual_seed(12)


class MLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(9, 20)
        self.fc2 = nn.Linear(20, 20)
        self.fc3 = nn.Linear(20, 3)
        self.relu = nn.ReLU()

    def forward(self, x):
        return self.fc3(self.relu(self.fc2(self.relu(self.fc1(x)))))


model = MLP()
optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
loss_fn = nn.CrossEntropyLoss()

inputs = torch.randn(50, 9)
targets = torch.randint(0, 3, (50,))


def step():
    optimizer.zero_grad()
    loss = loss_fn(model(inputs), targets)
    loss.backward()
    lr = optimizer.param_groups[0]["lr"]
    for p in model.parameters():
        if p.grad is not None:
            p.data += lr * p.grad
    return loss.item()
