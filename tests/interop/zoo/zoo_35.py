"""Sequence regressor: Elman RNN over 5 steps, linear head (unsupported: nn.RNN)."""

import torch
import torch.nn as nn

torch.manual_seed(35)


class SeqRegressor(nn.Module):
    def __init__(self):
        super().__init__()
        self.rnn = nn.RNN(input_size=4, hidden_size=16, batch_first=True)
        self.head = nn.Linear(16, 1)

    def forward(self, x):
        out, _ = self.rnn(x)
        return self.head(out[:, -1])


model = SeqRegressor()
optimizer = torch.optim.SGD(model.parameters(), lr=0.05)
loss_fn = nn.MSELoss()

inputs = torch.randn(8, 5, 4)
targets = torch.randn(8, 1)
