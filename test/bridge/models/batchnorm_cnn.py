"""Conv2d -> BatchNorm2d blocks in train mode (import round-trip model): affine with a
changed eps and momentum, then affine=False with momentum=None."""
import torch
import torch.nn as nn

torch.manual_seed(3)
EXAMPLE_INPUTS = [torch.randn(4, 2, 6, 6)]


class BatchNormCNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(2, 3, 3, bias=False)
        self.bn1 = nn.BatchNorm2d(3, eps=1e-3, momentum=0.2)
        self.conv2 = nn.Conv2d(3, 2, 3)
        self.bn2 = nn.BatchNorm2d(2, affine=False, momentum=None)
        self.fc = nn.Linear(8, 3)
        with torch.no_grad():
            self.bn1.weight.uniform_(0.5, 1.5)
            self.bn1.bias.uniform_(-0.5, 0.5)

    def forward(self, x):
        x = torch.relu(self.bn1(self.conv1(x)))
        x = self.bn2(self.conv2(x))
        return self.fc(x.flatten(1))
