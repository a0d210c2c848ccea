"""Classifier with a custom (Xavier) initialisation pass."""

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(18)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(8, 32)
        self.fc2 = nn.Linear(32, 16)
        self.fc3 = nn.Linear(16, 3)

    def forward(self, x):
        x = torch.tanh(self.fc1(x))
        x = F.relu(self.fc2(x))
        return self.fc3(x)


def init_weights(m):
    if isinstance(m, nn.Linear):
        m.weight = nn.Parameter(nn.init.xavier_uniform_(torch.empty_like(m.weight)))
        m.bias = nn.Parameter(torch.zeros_like(m.bias))


model = Net()
optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
model.apply(init_weights)

loss_fn = nn.CrossEntropyLoss()
inputs = torch.randn(36, 8)
targets = torch.randint(0, 3, (36,))


def step():
    optimizer.zero_grad()
    loss = loss_fn(model(inputs), targets)
    loss.backward()
    optimizer.step()
    return loss.item()
