"""Hand-rolled forward over nn.Linear parameters: F.linear for the first layer, x @ W.T + b for the rest."""

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(40)


class Explicit(nn.Module):
    def __init__(self):
        super().__init__()
        self.inp = nn.Linear(6, 10)
        self.mid = nn.Linear(10, 10)
        self.head = nn.Linear(10, 1)

    def forward(self, x):
        h = torch.tanh(F.linear(x, self.inp.weight, self.inp.bias))
        h = F.relu(h @ self.mid.weight.T + self.mid.bias)
        return h @ self.head.weight.t() + self.head.bias


model = Explicit()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
loss_fn = nn.BCEWithLogitsLoss()

inputs = torch.randn(16, 6)
targets = (inputs.sum(dim=1, keepdim=True) > 0).float()
