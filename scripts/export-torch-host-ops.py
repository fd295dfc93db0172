#!/usr/bin/python3
"""Exports small PyTorch models with ops the engine cannot run between conv layers, at ONNX opsets 13
and 17, into test/fixtures/torch-host-ops/<name>-opset<N>.onnx (committed; CI does not need torch).
cnna partitions them into engine and host segments (docs/bundle-format.md "Segments").

Run: /usr/bin/python3 scripts/export-torch-host-ops.py   (Debian: apt-get install python3-torch python3-onnx)
Weights are seeded. Every model takes one 1x3x16x16 image and ends in class scores (logits).
"""
import torch
import torch.nn as nn
import torch.nn.functional as F

from torch_export import CLASSES, export_all, fixture_dir

OUT = fixture_dir('torch-host-ops')


class SigmoidTanh(nn.Module):
    """conv-ReLU, conv, Sigmoid, conv, Tanh, MaxPool, FC: two host ops between engine layers."""
    def __init__(self):
        super().__init__()
        self.c1, self.c2, self.c3 = nn.Conv2d(3, 16, 3, padding=1), nn.Conv2d(16, 16, 3, padding=1), nn.Conv2d(16, 16, 3, padding=1)
        self.fc = nn.Linear(16 * 8 * 8, CLASSES)

    def forward(self, x):
        y = torch.sigmoid(self.c2(F.relu(self.c1(x))))
        y = torch.tanh(self.c3(y))
        return self.fc(torch.flatten(F.max_pool2d(y, 2), 1))


class ChannelSoftmax(nn.Module):
    """conv, Softmax over channels, conv-ReLU, GAP, FC: a softmax between layers (not a tail)."""
    def __init__(self):
        super().__init__()
        self.c1, self.c2 = nn.Conv2d(3, 16, 3, padding=1), nn.Conv2d(16, 32, 3, stride=2, padding=1)
        self.fc = nn.Linear(32, CLASSES)

    def forward(self, x):
        y = F.softmax(self.c1(x), dim=1)
        y = F.relu(self.c2(y))
        return self.fc(torch.flatten(F.adaptive_avg_pool2d(y, 1), 1))


class LpPool(nn.Module):
    """LPPool2d (Sermanet et al.) with p = 2 and p = 1 after conv-ReLU layers, then FC. torch exports it as
    Pow, AveragePool, Sign, Abs, Relu, Mul, Mul (by kw*kh), Pow."""
    def __init__(self):
        super().__init__()
        self.c1, self.c2 = nn.Conv2d(3, 16, 3, padding=1), nn.Conv2d(16, 16, 3, padding=1)
        self.p2, self.p1 = nn.LPPool2d(2, 2), nn.LPPool2d(1, 2)
        self.fc = nn.Linear(16 * 4 * 4, CLASSES)

    def forward(self, x):
        y = self.p2(F.relu(self.c1(x)))
        y = self.p1(F.relu(self.c2(y)))
        return self.fc(torch.flatten(y, 1))


def soft_pool2d(y, k):
    """SoftPool (Stergiou et al.): each window's values weighted by their softmax, sum(x e^x) / sum(e^x)."""
    e = torch.exp(y)
    return F.avg_pool2d(y * e, k) / F.avg_pool2d(e, k)


class SoftPool(nn.Module):
    """conv, SoftPool 2x2, conv-ReLU, SoftPool 2x2, FC: exported as Exp, Mul, two AveragePools, Div."""
    def __init__(self):
        super().__init__()
        self.c1, self.c2 = nn.Conv2d(3, 16, 3, padding=1), nn.Conv2d(16, 16, 3, padding=1)
        self.fc = nn.Linear(16 * 4 * 4, CLASSES)

    def forward(self, x):
        y = soft_pool2d(self.c1(x), 2)
        y = soft_pool2d(F.relu(self.c2(y)), 2)
        return self.fc(torch.flatten(y, 1))


MODELS = {'sigmoid-tanh': SigmoidTanh, 'channel-softmax': ChannelSoftmax, 'lppool': LpPool, 'softpool': SoftPool}


def main():
    export_all(MODELS, OUT, seed=2000)


if __name__ == '__main__':
    main()
