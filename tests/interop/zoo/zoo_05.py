"""Binary classifier in float64: Sequential wrapped in a Module, Tanh, AdamW."""

import torch
import torch.nn as nn

torch.manual_seed(5)
torch.set_default_dtype(torch.float64)


class BinaryClassifier(nn.Module):
    def __init__(self, n_features=12):
        super().__init__()
        self.body = nn.Sequential(
            nn.Linear(n_features, 40),
            nn.Tanh(),
            nn.Linear(40, 20),
            nn.Tanh(),
        )
        self.out = nn.Linear(20, 1)

    def forward(self, x):
        return self.out(self.body(x))


model = BinaryClassifier()
torch.set_default_dtype(torch.float32)

optimizer = torch.optim.AdamW(model.parameters(), lr=1e-2, weight_decay=0.01)
loss_fn = nn.BCEWithLogitsLoss()

inputs = torch.randn(16, 12, dtype=torch.float64)
targets = torch.randint(0, 2, (16, 1)).to(torch.float64)
