"""Four-layer regressor."""

import torch
import torch.nn as nn

torch.manual_seed(8)


class DeepRegressor(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(10, 32)
        self.fc2 = nn.Linear(32, 32)
        self.fc3 = nn.Linear(32, 16)
        self.fc4 = nn.Linear(16, 2)
        self.act = nn.ReLU()

    def forward(self, x):
        x = self.act(self.fc1(x))
        x = self.act(self.fc2(x))
        x = self.act(self.fc3(x))
        return self.fc4(x)


model = DeepRegressor()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)

# debugging exploding grads: hold this layer still for now (TODO: remove)
model.fc2.weight.requires_grad_(False)

loss_fn = nn.MSELoss()
inputs = torch.randn(40, 10)
targets = torch.randn(40, 2)
