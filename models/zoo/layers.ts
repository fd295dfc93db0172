// The layer list a zoo model is generated from, and the builder that turns it into ONNX with
// seeded weights. Parameter counts come from the list alone, so they can be checked without
// generating a single weight.
//
// Weights are He-normal, N(0, gain·2/fan_in), so the second moment of the activations stays
// roughly constant through conv/FC + ReLU. Max pooling raises it, so the first conv after a
// pool may carry gain < 1 (see vgg16.ts). Biases are N(0, 0.01²).
import { CnnaError } from '../../compiler/errors/cnna-error.ts';
import { OnnxBuilder, int, ints, type Dim } from '../onnx-writer.ts';
import { fillNormal, mulberry32 } from './random.ts';

export type Layer =
  | { kind: 'conv'; name: string; cin: number; cout: number; k: number; pad: number; gain?: number }
  | { kind: 'relu' }
  | { kind: 'maxpool'; k: number; stride: number }
  | { kind: 'flatten' }
  | { kind: 'linear'; name: string; in: number; out: number; gain?: number }
  | { kind: 'dropout' };

export interface ZooModel {
  name: string;
  description: string;
  /** Input shape, batch first. */
  input: { name: string; shape: number[] };
  output: { name: string; shape: number[] };
  layers: Layer[];
}

export function layerParameters(l: Layer): number {
  if (l.kind === 'conv') return l.cout * l.cin * l.k * l.k + l.cout;
  if (l.kind === 'linear') return l.out * l.in + l.out;
  return 0;
}

export function parameterCount(model: ZooModel): number {
  return model.layers.reduce((s, l) => s + layerParameters(l), 0);
}

/**
 * Builds the ONNX graph with seeded weights. `onLayer(done, total)` reports generated
 * parameters. Each weighted layer draws from its own stream (seed, layer index), so
 * one layer's weights do not depend on the size of the others.
 */
export function buildZooModel(model: ZooModel, seed: number, onLayer?: (done: number, total: number) => void): OnnxBuilder {
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new CnnaError('E_USAGE', `seed ${seed} is not an integer in [0, 4294967295]`, { hint: 'pass --seed with a non-negative integer' });
  }
  const total = parameterCount(model);
  const b = new OnnxBuilder(model.name, 'cnna models/zoo');
  const batchDim = (shape: number[]): Dim[] => shape;
  b.input(model.input.name, batchDim(model.input.shape)).output(model.output.name, batchDim(model.output.shape));
  let x = model.input.name;
  let done = 0;
  model.layers.forEach((l, i) => {
    const last = i === model.layers.length - 1;
    const y = last ? model.output.name : `t${i}`;
    const rng = mulberry32((seed * 0x9e3779b1 + i * 0x85ebca6b) >>> 0);
    switch (l.kind) {
      case 'conv': {
        const fanIn = l.cin * l.k * l.k;
        const w = fillNormal(new Float32Array(l.cout * fanIn), Math.sqrt((l.gain ?? 1) * 2 / fanIn), rng);
        const bias = fillNormal(new Float32Array(l.cout), 0.01, rng);
        b.initializer(`${l.name}.weight`, [l.cout, l.cin, l.k, l.k], w).initializer(`${l.name}.bias`, [l.cout], bias);
        b.node('Conv', [x, `${l.name}.weight`, `${l.name}.bias`], [y], {
          kernel_shape: ints([l.k, l.k]), pads: ints([l.pad, l.pad, l.pad, l.pad]), strides: ints([1, 1]),
        }, l.name);
        break;
      }
      case 'linear': {
        const w = fillNormal(new Float32Array(l.out * l.in), Math.sqrt((l.gain ?? 1) * 2 / l.in), rng);
        const bias = fillNormal(new Float32Array(l.out), 0.01, rng);
        b.initializer(`${l.name}.weight`, [l.out, l.in], w).initializer(`${l.name}.bias`, [l.out], bias);
        b.node('Gemm', [x, `${l.name}.weight`, `${l.name}.bias`], [y], { transB: int(1) }, l.name);
        break;
      }
      case 'relu': b.node('Relu', [x], [y], {}, `relu_${i}`); break;
      case 'maxpool': b.node('MaxPool', [x], [y], { kernel_shape: ints([l.k, l.k]), strides: ints([l.stride, l.stride]) }, `pool_${i}`); break;
      case 'flatten': b.node('Flatten', [x], [y], { axis: int(1) }, `flatten_${i}`); break;
      case 'dropout': b.node('Dropout', [x], [y], {}, `dropout_${i}`); break;
    }
    done += layerParameters(l);
    if (layerParameters(l) > 0) onLayer?.(done, total);
    x = y;
  });
  return b;
}
