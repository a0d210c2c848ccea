"""Max-norm constrained first layer (Srivastava et al. 2014), enforced in forward."""

import torch
import torch.nn as nn

torch.manual_seed(28)


class MaxNormNet(nn.Module):
    def __init__(self, max_norm=0.3):
        super().__init__()
        self.max_norm = max_norm
        self.fc1 = nn.Linear(20, 32)
        self.fc2 = nn.Linear(32, 4)
        self.relu = nn.ReLU(inplace=True)

    def forward(self, x):
        with torch.no_grad():
            self.fc1.weight.renorm_(p=2, dim=0, maxnorm=self.max_norm)
        x = self.relu(self.fc1(x))
        return self.fc2(x)


model = MaxNormNet()
optimizer = torch.optim.SGD(model.parameters(), lr=0.05)
loss_fn = nn.CrossEntropyLoss()

inputs = torch.randn(28, 20)
targets = torch.randint(0, 4, (28,))


def step():
    optimizer.zero_grad()
    loss = loss_fn(model(inputs), targets)
    loss.backward()
    optimizer.step()
    return loss.item()
