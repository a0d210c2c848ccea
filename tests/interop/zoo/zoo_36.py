"""Multi-label tagger: four independent yes/no heads on one MLP, BCEWithLogitsLoss averaged over every entry."""

import torch
import torch.nn as nn

torch.manual_seed(36)


class Tagger(nn.Module):
    def __init__(self, n_features=6, n_tags=4):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(n_features, 16), nn.ReLU())
        self.tags = nn.Linear(16, n_tags)

    def forward(self, x):
        return self.tags(self.body(x))


model = Tagger()
optimizer = torch.optim.SGD(model.parameters(), lr=0.2, momentum=0.9)
loss_fn = nn.BCEWithLogitsLoss()

inputs = torch.randn(24, 6)
targets = (torch.rand(24, 4) > 0.5).float()
