"""Five-layer float64 classifier built from a ModuleList with mixed activations."""

import torch
import torch.nn as nn

torch.manual_seed(29)


class DeepMLP(nn.Module):
    def __init__(self, sizes=(10, 40, 40, 30, 20, 5)):
        super().__init__()
        self.linears = nn.ModuleList(nn.Linear(a, b) for a, b in zip(sizes[:-1], sizes[1:]))
        self.acts = nn.ModuleList([nn.ReLU(), nn.Tanh(), nn.LeakyReLU(0.2), nn.Sigmoid(), nn.Identity()])

    def forward(self, x):
        for linear, act in zip(self.linears, self.acts):
            x = act(linear(x))
        return x


model = DeepMLP().double()
optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, nesterov=True, weight_decay=1e-4)
loss_fn = nn.CrossEntropyLoss()

inputs = torch.randn(200, 10, dtype=torch.float64)
targets = torch.randint(0, 5, (200,))
