// Network in Network (Lin et al., 2014) as its authors' CIFAR-10 model (the Caffe model zoo
// "NIN-CIFAR10"), at 1×3×32×32: three mlpconv blocks, each a k×k conv followed by two 1×1
// convs ("cccp"), all + ReLU: 5×5 192 (pad 2) → 160 → 96 → MaxPool 3×3/2 (ceil) → 5×5 192
// (pad 2) → 192 → 192 → AveragePool 3×3/2 (ceil) → 3×3 192 (pad 1) → 192 → 10 → global
// average pooling over 8×8 → flatten → 10 logits. Caffe's pools round up, so ceil_mode is
// set (32 → 16 → 8). The dropout layers are left out (identity at inference). torchvision
// has no NiN; 966,986 parameters by the layer list.
import type { Layer, ZooModel } from './layers.ts';

export function nin(): ZooModel {
  const conv = (name: string, cin: number, cout: number, k: number, gain?: number): Layer =>
    ({ kind: 'conv', name, cin, cout, k, pad: (k - 1) / 2, ...(gain ? { gain } : {}) });
  const layers: Layer[] = [
    conv('conv1', 3, 192, 5), { kind: 'relu' }, conv('cccp1', 192, 160, 1), { kind: 'relu' }, conv('cccp2', 160, 96, 1), { kind: 'relu' },
    { kind: 'maxpool', k: 3, stride: 2, ceil: true },
    conv('conv2', 96, 192, 5, 1 / 1.6), { kind: 'relu' }, conv('cccp3', 192, 192, 1), { kind: 'relu' }, conv('cccp4', 192, 192, 1), { kind: 'relu' },
    { kind: 'avgpool', k: 3, stride: 2, ceil: true },
    conv('conv3', 192, 192, 3), { kind: 'relu' }, conv('cccp5', 192, 192, 1), { kind: 'relu' }, conv('cccp6', 192, 10, 1), { kind: 'relu' },
    { kind: 'gap' }, { kind: 'flatten' },
  ];
  return {
    name: 'nin',
    description: 'Network in Network (Lin et al. 2014, CIFAR-10 model), 1×3×32×32 → 10 scores, 1×1 conv stacks, global average pooling',
    input: { name: 'input', shape: [1, 3, 32, 32] },
    output: { name: 'logits', shape: [1, 10] },
    layers,
  };
}
