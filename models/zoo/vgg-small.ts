// A small VGG-style net for 1×1×28×28 inputs (Fashion-MNIST sized): two blocks of two
// 3×3 convs + ReLU and a 2×2 max pool, then Linear 1568→64 + ReLU + Dropout and
// Linear 64→10. Same layer kinds and naming scheme as vgg16.ts, 117,434 parameters.
import type { ZooModel } from './layers.ts';
import { POST_POOL_GAIN } from './vgg16.ts';

export function vggSmall(): ZooModel {
  return {
    name: 'vgg-small',
    description: 'small VGG-style net, 1×1×28×28 → 10 logits, 4 convs in 2 blocks + 2 FC',
    input: { name: 'image', shape: [1, 1, 28, 28] },
    output: { name: 'logits', shape: [1, 10] },
    layers: [
      { kind: 'conv', name: 'features.0', cin: 1, cout: 16, k: 3, pad: 1 }, { kind: 'relu' },
      { kind: 'conv', name: 'features.2', cin: 16, cout: 16, k: 3, pad: 1 }, { kind: 'relu' },
      { kind: 'maxpool', k: 2, stride: 2 },
      { kind: 'conv', name: 'features.5', cin: 16, cout: 32, k: 3, pad: 1, gain: POST_POOL_GAIN }, { kind: 'relu' },
      { kind: 'conv', name: 'features.7', cin: 32, cout: 32, k: 3, pad: 1 }, { kind: 'relu' },
      { kind: 'maxpool', k: 2, stride: 2 },
      { kind: 'flatten' },
      { kind: 'linear', name: 'classifier.0', in: 32 * 7 * 7, out: 64, gain: POST_POOL_GAIN }, { kind: 'relu' }, { kind: 'dropout' },
      { kind: 'linear', name: 'classifier.3', in: 64, out: 10, gain: 0.5 },
    ],
  };
}
