"""Tiny CNN on 8x8 single-channel images (unsupported: Conv2d)."""

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(31)


class TinyCNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 4, kernel_size=3, padding=1)
        self.flatten = nn.Flatten()
        self.fc = nn.Linear(4 * 8 * 8, 10)

    def forward(self, x):
        x = F.relu(self.conv(x))
        return self.fc(self.flatten(x))


model = TinyCNN()
optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
loss_fn = nn.CrossEntropyLoss()

inputs = torch.randn(16, 1, 8, 8)
targets = torch.randint(0, 10, (16,))
