"""Sequential with Flatten, Dropout (model in eval mode) and Identity; Adam."""

import torch
import torch.nn as nn

torch.manual_seed(15)

model = nn.Sequential(
    nn.Flatten(),
    nn.Linear(12, 24),
    nn.ReLU(),
    nn.Dropout(p=0.3),
    nn.Linear(24, 24),
    nn.Tanh(),
    nn.Identity(),
    nn.Linear(24, 4),
)
model.eval()  # deterministic step: dropout disabled

optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, betas=(0.8, 0.99))
loss_fn = nn.MSELoss()

inputs = torch.randn(10, 12)
targets = torch.randn(10, 4)
