#!/usr/bin/python3
"""Trains a small early-exit (BranchyNet-style) CNN on Fashion-MNIST and exports it to
models/early-exit/fashion_early_exit.onnx (committed; CI does not need torch).

The trunk's first block (conv 1->8, ReLU, max pool) feeds a cheap exit head (max pool, FC 392->10,
output `exit1`); the rest of the network (two conv blocks, FC 288->64, ReLU, FC 64->10, output
`logits`) runs only when the exit is not confident enough (scripts/early-exit.ts evaluates the
cascade). Input `image` N x 1 x 28 x 28, pixel / 255. Seeded; 2 epochs of Adam on the 60,000
training images, loss = CE(exit1) + CE(logits), one thread.

Run: /usr/bin/python3 scripts/train-early-exit.py   (Debian: apt-get install python3-torch python3-onnx)
"""
import gzip
import os
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

DATA = '/usr/share/datasets/fashion-mnist'
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'models', 'early-exit', 'fashion_early_exit.onnx')


def idx(name):
    with gzip.open(os.path.join(DATA, name)) as f:
        b = f.read()
    n = int.from_bytes(b[4:8], 'big')
    if b[3] == 3:
        return np.frombuffer(b, np.uint8, offset=16).reshape(n, 1, 28, 28).astype(np.float32) / 255
    return np.frombuffer(b, np.uint8, offset=8).astype(np.int64)


class EarlyExit(nn.Module):
    def __init__(self):
        super().__init__()
        self.b1 = nn.Conv2d(1, 8, 3, padding=1)
        self.exit1 = nn.Linear(8 * 7 * 7, 10)
        self.b2, self.b3 = nn.Conv2d(8, 16, 3, padding=1), nn.Conv2d(16, 32, 3, padding=1)
        self.fc1, self.fc2 = nn.Linear(32 * 3 * 3, 64), nn.Linear(64, 10)

    def forward(self, x):
        y = F.max_pool2d(F.relu(self.b1(x)), 2)                     # 8 x 14 x 14
        e = self.exit1(torch.flatten(F.max_pool2d(y, 2), 1))        # exit head
        y = F.max_pool2d(F.relu(self.b2(y)), 2)                     # 16 x 7 x 7
        y = F.max_pool2d(F.relu(self.b3(y)), 2)                     # 32 x 3 x 3
        return e, self.fc2(F.relu(self.fc1(torch.flatten(y, 1))))


def main():
    torch.manual_seed(7)
    torch.set_num_threads(1)
    x, y = torch.from_numpy(idx('train-images-idx3-ubyte.gz')), torch.from_numpy(idx('train-labels-idx1-ubyte.gz'))
    xt, yt = torch.from_numpy(idx('t10k-images-idx3-ubyte.gz')), torch.from_numpy(idx('t10k-labels-idx1-ubyte.gz'))
    m = EarlyExit()
    opt = torch.optim.Adam(m.parameters(), 1e-3)
    for epoch in range(2):
        perm = torch.randperm(len(x))
        for i in range(0, len(x), 128):
            b = perm[i:i + 128]
            e, z = m(x[b])
            loss = F.cross_entropy(e, y[b]) + F.cross_entropy(z, y[b])
            opt.zero_grad()
            loss.backward()
            opt.step()
        m.eval()
        with torch.no_grad():
            e, z = m(xt)
        m.train()
        print(f'epoch {epoch + 1}: test top-1 exit1 {(e.argmax(1) == yt).float().mean():.4f}, final {(z.argmax(1) == yt).float().mean():.4f}', file=sys.stderr)
    m.eval()
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    torch.onnx.export(m, torch.zeros(1, 1, 28, 28), OUT, opset_version=13, input_names=['image'], output_names=['exit1', 'logits'],
                      dynamic_axes={'image': {0: 'batch'}, 'exit1': {0: 'batch'}, 'logits': {0: 'batch'}}, do_constant_folding=True)
    print(f'{OUT}: {os.path.getsize(OUT)} bytes', file=sys.stderr)


if __name__ == '__main__':
    main()
