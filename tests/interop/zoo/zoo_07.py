"""Classifier with a validation pass inside the training step; SGD + Nesterov + weight decay."""

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(7)


class Classifier(nn.Module):
    def __init__(self, n_in=16, n_hidden=48, n_classes=4):
        super().__init__()
        self.fc1 = nn.Linear(n_in, n_hidden)
        self.fc2 = nn.Linear(n_hidden, n_hidden)
        self.fc3 = nn.Linear(n_hidden, n_classes)

    def forward(self, x):
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        return self.fc3(x)


model = Classifier()
optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, nesterov=True, weight_decay=5e-4)
loss_fn = nn.CrossEntropyLoss()

inputs = torch.randn(128, 16)
targets = torch.randint(0, 4, (128,))
val_inputs = torch.randn(32, 16)
val_targets = torch.randint(0, 4, (32,))
history = []


def step():
    model.train()
    optimizer.zero_grad(set_to_none=True)
    logits = model(inputs)
    loss = loss_fn(logits, targets)
    loss.backward()
    optimizer.step()

    model.eval()
    with torch.no_grad():
        val_logits = model(val_inputs)
        val_loss = loss_fn(val_logits, val_targets).item()
        val_acc = (val_logits.argmax(dim=1) == val_targets).float().mean().item()
    history.append({"loss": loss.item(), "val_loss": val_loss, "val_acc": val_acc})
    return loss.item()
