"""Classifier with a hand-written ReLU (we wanted to log activation sparsity)."""

import torch
import torch.nn as nn

torch.manual_seed(1)


class MyReLU(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x.clamp(min=0)

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        grad_input = grad_output.clone()
        grad_input[x > 0] = 0  # zero the gradient of the inactive units
        return grad_input


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(8, 24)
        self.fc2 = nn.Linear(24, 5)

    def forward(self, x):
        h = MyReLU.apply(self.fc1(x))
        return self.fc2(h)


model = Net()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
loss_fn = nn.CrossEntropyLoss()

inputs = torch.randn(16, 8)
targets = torch.randint(0, 5, (16,))


def step():
    optimizer.zero_grad()
    logits = model(inputs)
    loss = loss_fn(logits, targets)
    loss.backward()
    optimizer.step()
    return loss.item()
