"""A Linear layer under the pointwise losses, as modules and as F.* calls (import round-trip
model): MSELoss, L1Loss with sum, BCEWithLogitsLoss with weight and pos_weight buffers."""
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(7)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 3)
        self.mse = nn.MSELoss()
        self.bce = nn.BCEWithLogitsLoss(weight=torch.tensor([1.0, 0.5, 2.0]),
                                        pos_weight=torch.tensor([2.0, 1.0, 0.5]))

    def forward(self, x, y, z):
        h = self.fc(x)
        regression = self.mse(h, y) + F.l1_loss(h, y, reduction="sum") * 0.1
        return regression + self.bce(h, z) + F.binary_cross_entropy_with_logits(h * 3, z)


def example_inputs():
    g = torch.Generator().manual_seed(11)
    return [torch.randn(5, 4, generator=g), torch.randn(5, 3, generator=g),
            torch.randint(0, 2, (5, 3), generator=g).float()]
