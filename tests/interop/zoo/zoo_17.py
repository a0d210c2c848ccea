"""Multi-label-style head: softmax probabilities scored with BCELoss against one-hot targets."""

import torch
import torch.nn as nn

torch.manual_seed(17)

model = nn.Sequential(
    nn.Linear(10, 32),
    nn.ReLU(),
    nn.Linear(32, 5),
    nn.Softmax(dim=1),
)
optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.5)
loss_fn = nn.BCELoss()

inputs = torch.randn(12, 10)
labels = torch.randint(0, 5, (12,))
targets = torch.nn.functional.one_hot(labels, num_classes=5).float()
