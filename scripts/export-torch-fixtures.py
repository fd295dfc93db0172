#!/usr/bin/python3
"""Exports small PyTorch models of each network family cnna must run, at ONNX opsets 13 and 17,
into test/fixtures/torch-exports/<family>-opset<N>.onnx (committed; CI does not need torch).

Run: /usr/bin/python3 scripts/export-torch-fixtures.py   (Debian: apt-get install python3-torch python3-onnx)
Weights are seeded; BatchNorm layers get seeded running statistics and run in eval mode.
Every model takes one 1x3x16x16 image and ends in class scores (logits, no softmax).
"""
import torch
import torch.nn as nn
import torch.nn.functional as F

from torch_export import CLASSES, export_all, fixture_dir

OUT = fixture_dir('torch-exports')


def bn(c):
    b = nn.BatchNorm2d(c)
    b.running_mean.uniform_(-0.2, 0.2)
    b.running_var.uniform_(0.5, 1.5)
    b.weight.data.uniform_(0.5, 1.5)
    b.bias.data.uniform_(-0.2, 0.2)
    return b


class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.c1, self.b1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False), bn(cout)
        self.c2, self.b2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False), bn(cout)
        self.down = None if stride == 1 and cin == cout else nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), bn(cout))

    def forward(self, x):
        y = F.relu(self.b1(self.c1(x)))
        y = self.b2(self.c2(y))
        return F.relu(y + (x if self.down is None else self.down(x)))


class ResNet(nn.Module):
    """ResNet-style: conv-BN-ReLU stem, MaxPool 3x3/2 pad 1, basic blocks, GAP, FC."""
    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, 16, 3, 1, 1, bias=False), bn(16), nn.ReLU(inplace=True), nn.MaxPool2d(3, 2, 1))
        self.l1, self.l2 = BasicBlock(16, 16, 1), BasicBlock(16, 32, 2)
        self.pool, self.fc = nn.AdaptiveAvgPool2d(1), nn.Linear(32, CLASSES)

    def forward(self, x):
        return self.fc(torch.flatten(self.pool(self.l2(self.l1(self.stem(x)))), 1))


class PreActBlock(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.b1, self.c1, self.b2, self.c2 = bn(c), nn.Conv2d(c, c, 3, 1, 1, bias=False), bn(c), nn.Conv2d(c, c, 3, 1, 1, bias=False)

    def forward(self, x):
        y = self.c1(F.relu(self.b1(x)))
        return x + self.c2(F.relu(self.b2(y)))


class PreActResNet(nn.Module):
    """Pre-activation ResNet: BN-ReLU before each conv, identity shortcuts, a final BN-ReLU."""
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 16, 3, 1, 1, bias=False)
        self.blocks = nn.Sequential(PreActBlock(16), PreActBlock(16))
        self.bn, self.fc = bn(16), nn.Linear(16, CLASSES)

    def forward(self, x):
        y = F.relu(self.bn(self.blocks(self.conv(x))))
        return self.fc(F.adaptive_avg_pool2d(y, 1).view(y.size(0), -1))


class InvertedResidual(nn.Module):
    def __init__(self, cin, cout, stride, expand):
        super().__init__()
        h = cin * expand
        self.use_res = stride == 1 and cin == cout
        self.conv = nn.Sequential(
            nn.Conv2d(cin, h, 1, bias=False), bn(h), nn.ReLU6(inplace=True),
            nn.Conv2d(h, h, 3, stride, 1, groups=h, bias=False), bn(h), nn.ReLU6(inplace=True),
            nn.Conv2d(h, cout, 1, bias=False), bn(cout))

    def forward(self, x):
        return x + self.conv(x) if self.use_res else self.conv(x)


class MobileNetV2(nn.Module):
    """MobileNetV2-style: inverted residuals with depthwise 3x3 and ReLU6, GAP, dropout, FC."""
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 16, 3, 2, 1, bias=False), bn(16), nn.ReLU6(inplace=True),
            InvertedResidual(16, 16, 1, 2), InvertedResidual(16, 24, 2, 2), InvertedResidual(24, 24, 1, 2))
        self.classifier = nn.Sequential(nn.Dropout(0.2), nn.Linear(24, CLASSES))

    def forward(self, x):
        return self.classifier(nn.functional.adaptive_avg_pool2d(self.features(x), 1).flatten(1))


class Fire(nn.Module):
    def __init__(self, cin, s, e):
        super().__init__()
        self.squeeze, self.e1, self.e3 = nn.Conv2d(cin, s, 1), nn.Conv2d(s, e, 1), nn.Conv2d(s, e, 3, padding=1)

    def forward(self, x):
        x = F.relu(self.squeeze(x))
        return torch.cat([F.relu(self.e1(x)), F.relu(self.e3(x))], 1)


class SqueezeNet(nn.Module):
    """SqueezeNet-style: fire modules (channel concat), MaxPool ceil_mode, conv classifier + GAP."""
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(nn.Conv2d(3, 16, 3, 2), nn.ReLU(inplace=True), nn.MaxPool2d(3, 2, ceil_mode=True), Fire(16, 8, 16), Fire(32, 8, 16))
        self.classifier = nn.Sequential(nn.Dropout(0.5), nn.Conv2d(32, CLASSES, 1), nn.ReLU(inplace=True), nn.AdaptiveAvgPool2d(1))

    def forward(self, x):
        return torch.flatten(self.classifier(self.features(x)), 1)


class NiN(nn.Module):
    """Network in Network: mlpconv blocks (conv + two 1x1 convs), MaxPool, a 1x1 conv to the classes and GAP."""
    def __init__(self):
        super().__init__()
        def mlp(cin, cout, k, p):
            return [nn.Conv2d(cin, cout, k, padding=p), nn.ReLU(inplace=True), nn.Conv2d(cout, cout, 1), nn.ReLU(inplace=True), nn.Conv2d(cout, cout, 1), nn.ReLU(inplace=True)]
        self.net = nn.Sequential(*mlp(3, 16, 3, 1), nn.MaxPool2d(2, 2), *mlp(16, 16, 3, 1), nn.AvgPool2d(3, 2, 1), *mlp(16, CLASSES, 3, 1), nn.AdaptiveAvgPool2d((1, 1)), nn.Flatten())

    def forward(self, x):
        return self.net(x)


class AllConv(nn.Module):
    """All-Convolutional net (Springenberg et al.): strided 3x3 convs instead of pooling, AvgPool2d(padding=1), a global AvgPool2d."""
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(
            nn.Conv2d(3, 16, 3, padding=1), nn.ReLU(), nn.Conv2d(16, 16, 3, 2, 1), nn.ReLU(),
            nn.AvgPool2d(3, 1, 1), nn.Conv2d(16, 32, 3, 2, 1), nn.ReLU(), nn.Conv2d(32, CLASSES, 1), nn.ReLU(), nn.AvgPool2d(4))

    def forward(self, x):
        return self.net(x).view(x.size(0), CLASSES)


class SPP(nn.Module):
    """Spatial pyramid pooling head (He et al.): adaptive max pools to 4x4, 2x2 and 1x1, flattened, concatenated, FC."""
    def __init__(self):
        super().__init__()
        self.conv = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.ReLU(), nn.Conv2d(8, 12, 3, 2, 1), nn.ReLU())
        self.fc = nn.Linear(12 * (16 + 4 + 1), CLASSES)

    def forward(self, x):
        y = self.conv(x)
        return self.fc(torch.cat([F.adaptive_max_pool2d(y, s).flatten(1) for s in (4, 2, 1)], 1))


class PoolModes(nn.Module):
    """Pool modes: MaxPool ceil_mode, AvgPool padding with and without count_include_pad, AvgPool ceil_mode."""
    def __init__(self):
        super().__init__()
        self.c1, self.c2, self.c3 = nn.Conv2d(3, 16, 3, padding=1), nn.Conv2d(16, 16, 3, padding=1), nn.Conv2d(16, 16, 3)
        self.fc = nn.Linear(16 * 2 * 2, CLASSES)

    def forward(self, x):
        y = F.max_pool2d(F.relu(self.c1(x)), 3, 2, ceil_mode=True)                       # 16 -> 8
        y = F.avg_pool2d(y, 3, 1, 1, count_include_pad=False)                            # 8 -> 8
        y = F.avg_pool2d(F.relu(self.c2(y)), 3, 2, 1)                                    # 8 -> 4 (Pad + AveragePool)
        y = F.avg_pool2d(F.relu(self.c3(F.pad(y, (1, 1, 1, 1)))), 3, 2, ceil_mode=True)  # 4 -> 2
        return self.fc(y.reshape(y.shape[0], -1))


class Dilated(nn.Module):
    """Dilated convs (DeepLab-style context): dilation 2 and 3, then GAP and FC."""
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.Conv2d(3, 16, 3, padding=1), bn(16), nn.ReLU(), nn.Conv2d(16, 16, 3, padding=2, dilation=2), nn.ReLU(),
                                 nn.Conv2d(16, 16, 3, padding=3, dilation=3), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(16, CLASSES))

    def forward(self, x):
        return self.net(x)


class Grouped(nn.Module):
    """Grouped convs (ResNeXt / AlexNet style): groups 2 and 4, a residual add, MaxPool, FC."""
    def __init__(self):
        super().__init__()
        self.c0 = nn.Conv2d(3, 32, 3, padding=1)
        self.g1, self.g2 = nn.Conv2d(32, 32, 3, padding=1, groups=2), nn.Conv2d(32, 32, 3, padding=1, groups=4)
        self.fc = nn.Linear(32 * 4 * 4, CLASSES)

    def forward(self, x):
        y = F.relu(self.c0(x))
        y = F.relu(y + self.g2(F.relu(self.g1(y))))
        return self.fc(torch.flatten(F.max_pool2d(y, 4), 1))


class MixedPool(nn.Module):
    """Mixed pooling (Lee et al.): a*max + (1-a)*avg of the same windows, exported as both pools, two Muls and an Add."""
    def __init__(self, a=0.75):
        super().__init__()
        self.a = a
        self.c1, self.c2 = nn.Conv2d(3, 16, 3, padding=1), nn.Conv2d(16, 16, 3, padding=1)
        self.fc = nn.Linear(16 * 4 * 4, CLASSES)

    def mix(self, y):
        return self.a * F.max_pool2d(y, 2) + (1 - self.a) * F.avg_pool2d(y, 2)

    def forward(self, x):
        y = self.mix(F.relu(self.c1(x)))
        y = self.mix(F.relu(self.c2(y)))
        return self.fc(torch.flatten(y, 1))


FAMILIES = {
    'resnet': ResNet, 'preact-resnet': PreActResNet, 'mobilenetv2': MobileNetV2, 'squeezenet': SqueezeNet, 'nin': NiN,
    'allconv': AllConv, 'spp': SPP, 'pool-modes': PoolModes, 'dilated': Dilated, 'grouped': Grouped, 'mixed-pool': MixedPool,
}


def main():
    export_all(FAMILIES, OUT, seed=1000)


if __name__ == '__main__':
    main()
