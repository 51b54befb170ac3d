"""Every activation the graph format has, in module, functional, method and operator forms
(import round-trip model): Sigmoid, Tanh, LeakyReLU (also in place), GELU (both forms), pow."""
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(7)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(6, 8)
        self.act1 = nn.Sigmoid()
        self.fc2 = nn.Linear(8, 8)
        self.act2 = nn.Tanh()
        self.act3 = nn.LeakyReLU(0.2)
        self.act4 = nn.GELU(approximate="tanh")
        self.fc3 = nn.Linear(8, 3)

    def forward(self, x):
        h = self.act1(self.fc1(x))
        h = torch.pow(h, 0.5) + h ** 2 - torch.sigmoid(h).pow(3)
        h = self.act2(self.fc2(h))
        h = self.act3(h) + F.leaky_relu(h * 2, negative_slope=0.1, inplace=True)
        h = self.act4(h) - F.gelu(h) + torch.tanh(h) * h.tanh()
        return self.fc3(h)


def example_inputs():
    g = torch.Generator().manual_seed(11)
    return [torch.randn(4, 6, generator=g)]
