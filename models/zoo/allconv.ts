// All-CNN-C (Springenberg et al., "Striving for Simplicity: The All Convolutional Net", 2015,
// table 2) at the paper's CIFAR-10 shape 1×3×32×32: conv 3×3 96, conv 3×3 96, conv 3×3 96
// stride 2 (in place of a max pool), conv 3×3 192 ×2, conv 3×3 192 stride 2, conv 3×3 192
// (valid), conv 1×1 192, conv 1×1 10, each + ReLU except the last, then global average
// pooling over 6×6 → flatten → 10 logits. Pads 1 where the paper keeps the size. The paper's
// dropout and final softmax are left out (identity at inference; logits are the output).
// torchvision has no All-CNN; 1,369,738 parameters by the layer list.
import type { Layer, ZooModel } from './layers.ts';

export function allconv(): ZooModel {
  const spec: [number, number, number, number][] = [
    // cout, k, stride, pad
    [96, 3, 1, 1], [96, 3, 1, 1], [96, 3, 2, 1], [192, 3, 1, 1], [192, 3, 1, 1], [192, 3, 2, 1], [192, 3, 1, 0], [192, 1, 1, 0], [10, 1, 1, 0],
  ];
  const layers: Layer[] = [];
  let cin = 3;
  spec.forEach(([cout, k, stride, pad], i) => {
    layers.push({ kind: 'conv', name: `conv${i + 1}`, cin, cout, k, pad, stride, ...(i === spec.length - 1 ? { gain: 0.5 } : {}) });
    if (i < spec.length - 1) layers.push({ kind: 'relu' });
    cin = cout;
  });
  layers.push({ kind: 'gap' }, { kind: 'flatten' });
  return {
    name: 'allconv',
    description: 'All-CNN-C (Springenberg et al. 2015), CIFAR-shaped 1×3×32×32 → 10 logits, strided convs instead of pooling, global average pooling',
    input: { name: 'input', shape: [1, 3, 32, 32] },
    output: { name: 'logits', shape: [1, 10] },
    layers,
  };
}
