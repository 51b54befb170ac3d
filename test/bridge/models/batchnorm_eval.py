"""A Conv2d -> BatchNorm2d -> Linear model in eval mode (import round-trip model): the
document gets run.mode "eval", and BatchNorm2d normalises with the fresh running statistics."""
import torch
import torch.nn as nn

EXAMPLE_INPUTS = [torch.linspace(-2.0, 2.0, 72).reshape(2, 1, 6, 6)]


def build_model():
    torch.manual_seed(5)
    model = nn.Sequential(nn.Conv2d(1, 2, 3), nn.BatchNorm2d(2), nn.ReLU(), nn.Flatten(), nn.Linear(32, 2))
    return model.eval()
