"""A model with an op the graph format lacks (import must fail naming it)."""
import torch
import torch.nn as nn

EXAMPLE_INPUTS = [torch.randn(2, 4)]


class WithDropout(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 4)
        self.drop = nn.Dropout(0.5)

    def forward(self, x):
        return torch.tanh(self.drop(self.fc(x)))
