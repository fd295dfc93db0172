// SqueezeNet 1.1 in torchvision's layout: conv 3×3/2 3→64 + ReLU → MaxPool 3×3/2 (ceil) →
// Fire(64,16,64,64) Fire(128,16,64,64) → MaxPool → Fire(128,32,128,128) Fire(256,32,128,128)
// → MaxPool → Fire(256,48,192,192) Fire(384,48,192,192) Fire(384,64,256,256)
// Fire(512,64,256,256) → Dropout → conv 1×1 512→1000 + ReLU → AdaptiveAvgPool2d(1)
// (GlobalAveragePool) → flatten. A Fire module is a 1×1 squeeze conv + ReLU feeding a 1×1
// and a 3×3 (pad 1) expand conv, each + ReLU, concatenated on channels (1×1 first). Input
// 1×3×224×224 (111 → 55 → 27 → 13 pixels); 1,235,496 parameters. Names follow torchvision's
// state_dict (features.3.squeeze, features.3.expand1x1, …, classifier.1).
import type { Layer, ZooModel } from './layers.ts';

function fire(p: string, cin: number, squeeze: number, e1: number, e3: number): Layer[] {
  return [
    { kind: 'conv', name: `${p}.squeeze`, cin, cout: squeeze, k: 1, pad: 0 }, { kind: 'relu', save: `${p}.s` },
    { kind: 'conv', name: `${p}.expand1x1`, cin: squeeze, cout: e1, k: 1, pad: 0 }, { kind: 'relu', save: `${p}.e1` },
    { kind: 'conv', name: `${p}.expand3x3`, cin: squeeze, cout: e3, k: 3, pad: 1, from: [`${p}.s`] }, { kind: 'relu', save: `${p}.e3` },
    { kind: 'concat', from: [`${p}.e1`, `${p}.e3`] },
  ];
}

export function squeezenet(): ZooModel {
  const pool: Layer = { kind: 'maxpool', k: 3, stride: 2, ceil: true };
  const layers: Layer[] = [
    { kind: 'conv', name: 'features.0', cin: 3, cout: 64, k: 3, pad: 0, stride: 2 }, { kind: 'relu' },
    pool,
    ...fire('features.3', 64, 16, 64, 64), ...fire('features.4', 128, 16, 64, 64),
    pool,
    ...fire('features.6', 128, 32, 128, 128), ...fire('features.7', 256, 32, 128, 128),
    pool,
    ...fire('features.9', 256, 48, 192, 192), ...fire('features.10', 384, 48, 192, 192),
    ...fire('features.11', 384, 64, 256, 256), ...fire('features.12', 512, 64, 256, 256),
    { kind: 'dropout' },
    { kind: 'conv', name: 'classifier.1', cin: 512, cout: 1000, k: 1, pad: 0, gain: 0.5 }, { kind: 'relu' },
    { kind: 'gap' }, { kind: 'flatten' },
  ];
  return {
    name: 'squeezenet',
    description: 'SqueezeNet 1.1 (torchvision layout), 1×3×224×224 → 1000 scores, 1,235,496 parameters',
    input: { name: 'input', shape: [1, 3, 224, 224] },
    output: { name: 'logits', shape: [1, 1000] },
    layers,
  };
}
