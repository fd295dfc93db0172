// MobileNetV2 in torchvision's layout (width 1.0): features.0 = conv 3×3/2 3→32 + bn + ReLU6,
// features.1..17 = inverted residual blocks (t, c, n, s) = (1,16,1,1) (6,24,2,2) (6,32,3,2)
// (6,64,4,2) (6,96,3,1) (6,160,3,2) (6,320,1,1), features.18 = conv 1×1 320→1280 + bn +
// ReLU6, then AdaptiveAvgPool2d(1) (GlobalAveragePool) → flatten → Dropout → Linear 1280→1000
// (classifier.1). A block is [1×1 expand + bn + ReLU6] → depthwise 3×3/s (group = channels)
// + bn + ReLU6 → 1×1 project + bn (linear), with the input added when s = 1 and cin = cout.
// ReLU6 is Clip(0, 6). Input 1×3×224×224; 3,504,872 parameters. Names follow torchvision's
// state_dict (features.2.conv.1.0 is block 2's depthwise conv).
import type { Layer, ZooModel } from './layers.ts';

const SETTINGS: [number, number, number, number][] = [[1, 16, 1, 1], [6, 24, 2, 2], [6, 32, 3, 2], [6, 64, 4, 2], [6, 96, 3, 1], [6, 160, 3, 2], [6, 320, 1, 1]];

function convBnRelu6(p: string, cin: number, cout: number, k: number, stride: number, groups: number, from?: string): Layer[] {
  return [
    { kind: 'conv', name: `${p}.0`, cin, cout, k, pad: (k - 1) / 2, stride, groups, bias: false, ...(from ? { from: [from] } : {}) },
    { kind: 'bn', name: `${p}.1`, c: cout },
    { kind: 'relu6' },
  ];
}

export function mobilenetv2(): ZooModel {
  const layers: Layer[] = convBnRelu6('features.0', 3, 32, 3, 2, 1);
  layers[layers.length - 1].save = 'features.0';
  let input = 'features.0';
  let cin = 32;
  let f = 1;
  for (const [t, c, n, s] of SETTINGS) {
    for (let j = 0; j < n; j++) {
      const p = `features.${f}`;
      const stride = j === 0 ? s : 1;
      const hidden = cin * t;
      const block: Layer[] = [];
      let q = 0;
      if (t !== 1) block.push(...convBnRelu6(`${p}.conv.${q++}`, cin, hidden, 1, 1, 1));
      block.push(...convBnRelu6(`${p}.conv.${q++}`, hidden, hidden, 3, stride, hidden));
      block[0].from = [input];
      const residual = stride === 1 && cin === c;
      block.push(
        { kind: 'conv', name: `${p}.conv.${q}`, cin: hidden, cout: c, k: 1, pad: 0, bias: false, gain: residual ? 0.25 : 0.5 },
        { kind: 'bn', name: `${p}.conv.${q + 1}`, c, save: `${p}.proj` },
      );
      if (residual) block.push({ kind: 'add', from: [`${p}.proj`, input] });
      block[block.length - 1].save = p;
      layers.push(...block);
      input = p;
      cin = c;
      f++;
    }
  }
  layers.push(...convBnRelu6(`features.${f}`, cin, 1280, 1, 1, 1));
  layers.push({ kind: 'gap' }, { kind: 'flatten' }, { kind: 'dropout' }, { kind: 'linear', name: 'classifier.1', in: 1280, out: 1000, gain: 0.5 });
  return {
    name: 'mobilenetv2',
    description: 'MobileNetV2 (torchvision layout), 1×3×224×224 → 1000 logits, 3,504,872 parameters',
    input: { name: 'input', shape: [1, 3, 224, 224] },
    output: { name: 'logits', shape: [1, 1000] },
    layers,
  };
}
