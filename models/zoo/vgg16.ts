// VGG16 in torchvision's layout (configuration "D", no batch norm): 13 convs 3×3 pad 1 each
// followed by ReLU, 5 max pools 2×2/2, then the classifier Linear 25088→4096→4096→1000
// with ReLU and Dropout. Input 1×3×224×224; 138,357,544 parameters. torchvision's
// AdaptiveAvgPool2d(7) is the identity at 224×224 and is left out. Initializer names follow
// torchvision's state_dict (features.N / classifier.N).
import type { Layer, ZooModel } from './layers.ts';

const CFG: (number | 'M')[] = [64, 64, 'M', 128, 128, 'M', 256, 256, 256, 'M', 512, 512, 512, 'M', 512, 512, 512, 'M'];

/**
 * Gain of the first conv after each pool. A 2×2 max of ReLU outputs has about 1.6× the
 * second moment of its inputs (measured with scripts/vgg16-activations.ts); scaling the
 * next conv's variance by 1/1.6 keeps activations near unit scale through all 16 layers.
 */
export const POST_POOL_GAIN = 1 / 1.6;

export function vgg16(): ZooModel {
  const layers: Layer[] = [];
  let cin = 3;
  let afterPool = false;
  CFG.forEach((v, i) => {
    if (v === 'M') {
      layers.push({ kind: 'maxpool', k: 2, stride: 2 });
      afterPool = true;
    } else {
      layers.push({ kind: 'conv', name: `features.${i + layers.filter((l) => l.kind === 'relu').length}`, cin, cout: v, k: 3, pad: 1, ...(afterPool ? { gain: POST_POOL_GAIN } : {}) });
      layers.push({ kind: 'relu' });
      cin = v;
      afterPool = false;
    }
  });
  layers.push(
    { kind: 'flatten' },
    { kind: 'linear', name: 'classifier.0', in: 512 * 7 * 7, out: 4096, gain: POST_POOL_GAIN }, { kind: 'relu' }, { kind: 'dropout' },
    { kind: 'linear', name: 'classifier.3', in: 4096, out: 4096 }, { kind: 'relu' }, { kind: 'dropout' },
    { kind: 'linear', name: 'classifier.6', in: 4096, out: 1000, gain: 0.5 },
  );
  return {
    name: 'vgg16',
    description: 'VGG16 (torchvision layout), 1×3×224×224 → 1000 logits, 138,357,544 parameters',
    input: { name: 'input', shape: [1, 3, 224, 224] },
    output: { name: 'logits', shape: [1, 1000] },
    layers,
  };
}
