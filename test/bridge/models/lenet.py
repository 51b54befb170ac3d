"""A small LeNet-style CNN written with modules (import round-trip model)."""
import torch
import torch.nn as nn

torch.manual_seed(1)
EXAMPLE_INPUTS = [torch.randn(2, 1, 12, 12)]


class LeNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 4, 3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Conv2d(4, 6, 3, padding_mode="reflect", padding=1, stride=2),
            nn.ReLU(),
            nn.AvgPool2d(2, ceil_mode=True),
        )
        self.flatten = nn.Flatten()
        self.fc1 = nn.Linear(24, 10)
        self.fc2 = nn.Linear(10, 3)
        self.log_softmax = nn.LogSoftmax(dim=1)

    def forward(self, x):
        x = self.features(x)
        x = self.flatten(x)
        x = self.fc2(torch.relu(self.fc1(x)))
        return self.log_softmax(x)
