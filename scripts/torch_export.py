"""What the PyTorch fixture exporters share (scripts/export-torch-fixtures.py,
scripts/export-torch-host-ops.py): the fixture folder, the class count, and the export of every model
at ONNX opsets 13 and 17 with seeded weights and a seeded 1x3x16x16 example input.

Invariant: model i of `models` is built right after torch.manual_seed(seed + i), once per opset, so a
model's weights do not depend on the opset or on the models before it; same seed, same bytes.
"""
import os
import sys

import torch

CLASSES = 10
OPSETS = (13, 17)


def fixture_dir(name):
    """test/fixtures/<name> of this repository."""
    return os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'test', 'fixtures', name)


def export_all(models, out, seed):
    """Writes out/<name>-opset<N>.onnx for each (name, class) of `models` (an ordered dict) and each opset."""
    os.makedirs(out, exist_ok=True)
    for i, (name, cls) in enumerate(models.items()):
        for opset in OPSETS:
            torch.manual_seed(seed + i)
            m = cls().eval()
            x = torch.rand(1, 3, 16, 16) * 2 - 1
            path = os.path.join(out, f'{name}-opset{opset}.onnx')
            torch.onnx.export(m, x, path, opset_version=opset, input_names=['input'], output_names=['logits'], do_constant_folding=True)
            print(f'{path}: {os.path.getsize(path)} bytes', file=sys.stderr)
