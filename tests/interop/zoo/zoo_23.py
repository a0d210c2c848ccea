"""float64 binary classifier: Sigmoid/Tanh hidden layers, AdamW, value clipping, sum-reduced BCE."""

import torch
import torch.nn as nn

torch.manual_seed(23)

model = nn.Sequential(
    nn.Linear(8, 24),
    nn.Sigmoid(),
    nn.Linear(24, 24),
    nn.Tanh(),
    nn.Linear(24, 1),
).double()
optimizer = torch.optim.AdamW(model.parameters(), lr=5e-3, weight_decay=0.1)
loss_fn = nn.BCEWithLogitsLoss(reduction="sum")

inputs = torch.randn(100, 8, dtype=torch.float64)
targets = (inputs[:, 0] * inputs[:, 1] > 0).to(torch.float64).unsqueeze(1)


def step():
    optimizer.zero_grad()
    logits = model(inputs)
    loss = loss_fn(logits, targets)
    loss.backward()
    nn.utils.clip_grad_value_(model.parameters(), clip_value=0.5)
    optimizer.step()
    return loss.item()
