// The layer list a zoo model is generated from, and the builder that turns it into ONNX with
// seeded weights. Parameter counts come from the list alone, so they can be checked without
// generating a single weight. They count what PyTorch counts as parameters: conv/FC weights
// and biases and BatchNorm's scale and shift (2 per channel), not BatchNorm's running mean
// and variance (buffers; they are written to the ONNX file but not counted).
//
// A list is a chain: each layer reads the previous layer's output. A layer with `save` also
// keeps its output under that tag, and a layer with `from` reads tagged outputs instead
// ('add' of two, 'concat' of several, or any layer starting a branch). That is enough for
// residual blocks (ResNet, MobileNetV2) and fire modules (SqueezeNet).
//
// Weights are He-normal, N(0, gain·2/fan_in), so the second moment of the activations stays
// roughly constant through conv/FC + ReLU. Max pooling raises it, so the first conv after a
// pool may carry gain < 1 (see vgg16.ts). Biases are N(0, 0.01²).
import { CnnaError } from '../../compiler/errors/cnna-error.ts';
import { OnnxBuilder, float, int, ints, type Dim } from '../onnx-writer.ts';
import { fillNormal, mulberry32 } from './random.ts';

/** Wiring of a layer: `from` names the tagged outputs it reads (default: the previous layer's), `save` tags its own. */
export interface Wiring { from?: string[]; save?: string }

export type Layer = Wiring & (
  | {
    kind: 'conv'; name: string; cin: number; cout: number; k: number; pad: number;
    /** Default 1. */ stride?: number;
    /** Default 1; cin for a depthwise conv. */ groups?: number;
    /** Default true; false for a conv followed by BatchNorm (torchvision's bias=False). */ bias?: boolean;
    gain?: number;
  }
  /** BatchNormalization (eval): scale 1 + N(0, 0.1²), shift N(0, 0.01²), running mean 0, variance 1. */
  | { kind: 'bn'; name: string; c: number }
  | { kind: 'relu' }
  /** ReLU6 = Clip(0, 6). */
  | { kind: 'relu6' }
  | { kind: 'maxpool'; k: number; stride: number; pad?: number; ceil?: boolean }
  | { kind: 'avgpool'; k: number; stride: number; ceil?: boolean }
  /** GlobalAveragePool (torchvision's AdaptiveAvgPool2d(1)). */
  | { kind: 'gap' }
  | { kind: 'add' }
  /** Channel concat (axis 1) of the `from` tensors, in order. */
  | { kind: 'concat' }
  | { kind: 'flatten' }
  | { kind: 'linear'; name: string; in: number; out: number; gain?: number }
  | { kind: 'dropout' }
);

export interface ZooModel {
  name: string;
  description: string;
  /** Input shape, batch first. */
  input: { name: string; shape: number[] };
  output: { name: string; shape: number[] };
  layers: Layer[];
}

export function layerParameters(l: Layer): number {
  if (l.kind === 'conv') return l.cout * (l.cin / (l.groups ?? 1)) * l.k * l.k + (l.bias === false ? 0 : l.cout);
  if (l.kind === 'bn') return 2 * l.c;
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
  const tags = new Map<string, string>();
  const read = (name: string, i: number): string => {
    const t = tags.get(name);
    if (!t) throw new CnnaError('E_GRAPH', `zoo model '${model.name}' layer ${i} reads '${name}', which no earlier layer saved`);
    return t;
  };
  let x = model.input.name;
  let done = 0;
  let clipBounds = false;
  model.layers.forEach((l, i) => {
    const last = i === model.layers.length - 1;
    const y = last ? model.output.name : `t${i}`;
    const ins = l.from ? l.from.map((f) => read(f, i)) : [x];
    const x0 = ins[0];
    const rng = mulberry32((seed * 0x9e3779b1 + i * 0x85ebca6b) >>> 0);
    switch (l.kind) {
      case 'conv': {
        const groups = l.groups ?? 1;
        const stride = l.stride ?? 1;
        const fanIn = (l.cin / groups) * l.k * l.k;
        const w = fillNormal(new Float32Array(l.cout * fanIn), Math.sqrt((l.gain ?? 1) * 2 / fanIn), rng);
        b.initializer(`${l.name}.weight`, [l.cout, l.cin / groups, l.k, l.k], w);
        const inputs = [x0, `${l.name}.weight`];
        if (l.bias !== false) {
          b.initializer(`${l.name}.bias`, [l.cout], fillNormal(new Float32Array(l.cout), 0.01, rng));
          inputs.push(`${l.name}.bias`);
        }
        b.node('Conv', inputs, [y], {
          kernel_shape: ints([l.k, l.k]), pads: ints([l.pad, l.pad, l.pad, l.pad]), strides: ints([stride, stride]),
          ...(groups !== 1 ? { group: int(groups) } : {}),
        }, l.name);
        break;
      }
      case 'bn': {
        const scale = fillNormal(new Float32Array(l.c), 0.1, rng).map((v) => 1 + v);
        b.initializer(`${l.name}.weight`, [l.c], scale)
          .initializer(`${l.name}.bias`, [l.c], fillNormal(new Float32Array(l.c), 0.01, rng))
          .initializer(`${l.name}.running_mean`, [l.c], new Float32Array(l.c))
          .initializer(`${l.name}.running_var`, [l.c], new Float32Array(l.c).fill(1));
        b.node('BatchNormalization', [x0, `${l.name}.weight`, `${l.name}.bias`, `${l.name}.running_mean`, `${l.name}.running_var`], [y], { epsilon: float(1e-5) }, l.name);
        break;
      }
      case 'linear': {
        const w = fillNormal(new Float32Array(l.out * l.in), Math.sqrt((l.gain ?? 1) * 2 / l.in), rng);
        const bias = fillNormal(new Float32Array(l.out), 0.01, rng);
        b.initializer(`${l.name}.weight`, [l.out, l.in], w).initializer(`${l.name}.bias`, [l.out], bias);
        b.node('Gemm', [x0, `${l.name}.weight`, `${l.name}.bias`], [y], { transB: int(1) }, l.name);
        break;
      }
      case 'relu': b.node('Relu', [x0], [y], {}, `relu_${i}`); break;
      case 'relu6': {
        if (!clipBounds) b.initializer('relu6.min', [], new Float32Array([0])).initializer('relu6.max', [], new Float32Array([6]));
        clipBounds = true;
        b.node('Clip', [x0, 'relu6.min', 'relu6.max'], [y], {}, `relu6_${i}`);
        break;
      }
      case 'maxpool': {
        const p = l.pad ?? 0;
        b.node('MaxPool', [x0], [y], {
          kernel_shape: ints([l.k, l.k]), strides: ints([l.stride, l.stride]),
          ...(p ? { pads: ints([p, p, p, p]) } : {}), ...(l.ceil ? { ceil_mode: int(1) } : {}),
        }, `pool_${i}`);
        break;
      }
      case 'avgpool':
        b.node('AveragePool', [x0], [y], { kernel_shape: ints([l.k, l.k]), strides: ints([l.stride, l.stride]), ...(l.ceil ? { ceil_mode: int(1) } : {}) }, `pool_${i}`);
        break;
      case 'gap': b.node('GlobalAveragePool', [x0], [y], {}, `gap_${i}`); break;
      case 'add': b.node('Add', ins, [y], {}, `add_${i}`); break;
      case 'concat': b.node('Concat', ins, [y], { axis: int(1) }, `concat_${i}`); break;
      case 'flatten': b.node('Flatten', [x0], [y], { axis: int(1) }, `flatten_${i}`); break;
      case 'dropout': b.node('Dropout', [x0], [y], {}, `dropout_${i}`); break;
    }
    done += layerParameters(l);
    if (layerParameters(l) > 0) onLayer?.(done, total);
    if (l.save) tags.set(l.save, y);
    x = y;
  });
  return b;
}
