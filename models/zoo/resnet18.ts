// ResNet-18 in torchvision's layout (BasicBlock, layers [2, 2, 2, 2]): conv1 7×7/2 → bn1 →
// ReLU → MaxPool 3×3/2 pad 1 → layer1..layer4 → AdaptiveAvgPool2d(1) (GlobalAveragePool) →
// flatten → fc 512→1000. Input 1×3×224×224; 11,689,512 parameters (torchvision's count:
// convs without bias, BatchNorm weight and bias). BatchNorm nodes are written as ONNX
// BatchNormalization with their running statistics, and the optimizer folds them into the
// convs. Initializer names follow torchvision's state_dict (layer2.0.downsample.0, …).
import type { Layer, ZooModel } from './layers.ts';

/** A BasicBlock: conv3×3/s → bn → ReLU → conv3×3 → bn, plus the identity (or a 1×1/s conv + bn), → ReLU. */
function basicBlock(p: string, cin: number, cout: number, stride: number, input: string, save: string): Layer[] {
  const layers: Layer[] = [
    { kind: 'conv', name: `${p}.conv1`, cin, cout, k: 3, pad: 1, stride, bias: false, from: [input] },
    { kind: 'bn', name: `${p}.bn1`, c: cout },
    { kind: 'relu' },
    // Half the branch's variance, so the sum with the shortcut stays near unit scale.
    { kind: 'conv', name: `${p}.conv2`, cin: cout, cout, k: 3, pad: 1, bias: false, gain: 0.5 },
    { kind: 'bn', name: `${p}.bn2`, c: cout, save: `${p}.branch` },
  ];
  let shortcut = input;
  if (stride !== 1 || cin !== cout) {
    layers.push(
      { kind: 'conv', name: `${p}.downsample.0`, cin, cout, k: 1, pad: 0, stride, bias: false, from: [input], gain: 0.5 },
      { kind: 'bn', name: `${p}.downsample.1`, c: cout, save: `${p}.shortcut` },
    );
    shortcut = `${p}.shortcut`;
  }
  layers.push({ kind: 'add', from: [`${p}.branch`, shortcut] }, { kind: 'relu', save });
  return layers;
}

export function resnet18(): ZooModel {
  const layers: Layer[] = [
    { kind: 'conv', name: 'conv1', cin: 3, cout: 64, k: 7, pad: 3, stride: 2, bias: false },
    { kind: 'bn', name: 'bn1', c: 64 },
    { kind: 'relu' },
    { kind: 'maxpool', k: 3, stride: 2, pad: 1, save: 'stem' },
  ];
  let input = 'stem';
  let cin = 64;
  [64, 128, 256, 512].forEach((cout, s) => {
    for (let j = 0; j < 2; j++) {
      const p = `layer${s + 1}.${j}`;
      layers.push(...basicBlock(p, cin, cout, j === 0 && s > 0 ? 2 : 1, input, p));
      input = p;
      cin = cout;
    }
  });
  layers.push({ kind: 'gap' }, { kind: 'flatten' }, { kind: 'linear', name: 'fc', in: 512, out: 1000, gain: 0.5 });
  return {
    name: 'resnet18',
    description: 'ResNet-18 (torchvision layout), 1×3×224×224 → 1000 logits, 11,689,512 parameters',
    input: { name: 'input', shape: [1, 3, 224, 224] },
    output: { name: 'logits', shape: [1, 1000] },
    layers,
  };
}
