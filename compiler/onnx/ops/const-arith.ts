// Mul, Sub, Div. On two constants they fold (shape arithmetic in exported graphs). An NCHW
// activation with a per-channel or scalar constant (in-model normalization such as
// (x - mean) / std) becomes a depthwise 1x1 Conv, which the engine maps. Mul / Div of two
// activations of the same shape (SoftPool, LpPool) is a BinaryNode, a host op. Anything else is not
// supported.

import type { ConvertResult, ConstValue, OpContext } from '../op-context.ts';
import { foldBinary } from './const-math.ts';

type Kind = 'Mul' | 'Sub' | 'Div';

/** Per-channel values of a constant broadcast against [N, C, H, W], or undefined. */
function perChannel(c: ConstValue, channels: number): Float64Array | undefined {
  const d = c.dims;
  const n = c.data.length;
  const lead = d.length === 4 ? d[0] === 1 && d[2] === 1 && d[3] === 1 : d.length === 3 ? d[1] === 1 && d[2] === 1 : d.length <= 1 ? n === 1 : false;
  if (n === 1 && d.every((x) => x === 1)) return new Float64Array(channels).fill(c.data[0]);
  if (!lead || n !== channels || (d.length === 1 && channels !== 1)) return undefined;
  return Float64Array.from(c.data);
}

function toDepthwise(ctx: OpContext, kind: Kind): ConvertResult | undefined {
  const k0 = ctx.constant(0);
  const k1 = ctx.constant(1);
  const xi = k0 ? 1 : 0;
  const c = k0 ?? k1;
  const xs = ctx.shape(xi);
  if (!c || !xs || xs.length !== 4) return undefined;
  const ch = xs[1];
  const v = perChannel(c, ch);
  if (!v) return undefined;
  const w = new Float32Array(ch);
  const b = new Float32Array(ch);
  for (let i = 0; i < ch; i++) {
    if (kind === 'Mul') w[i] = v[i];
    else if (kind === 'Div') { if (xi !== 0) return undefined; w[i] = 1 / v[i]; }
    else if (xi === 0) { w[i] = 1; b[i] = -v[i]; } else { w[i] = -1; b[i] = v[i]; }
  }
  const wn = `${ctx.name}__cnna_dw_weight`;
  const bn = `${ctx.name}__cnna_dw_bias`;
  const hasBias = kind === 'Sub';
  return {
    node: {
      op: 'conv', name: ctx.name, inputs: [ctx.inputs[xi], wn, ...(hasBias ? [bn] : [])], outputs: [ctx.outputs[0]],
      kernel: [1, 1], strides: [1, 1], pads: [0, 0, 0, 0], dilations: [1, 1], group: ch,
    },
    newConsts: { [wn]: { dims: [ch, 1, 1, 1], data: w }, ...(hasBias ? { [bn]: { dims: [ch], data: b } } : {}) },
  };
}

/** Mul / Div of two activations of the same shape: a host op (BinaryNode). */
function twoActivations(ctx: OpContext, kind: Kind): ConvertResult | undefined {
  if (kind === 'Sub' || ctx.constant(0) || ctx.constant(1)) return undefined;
  const a = ctx.shape(0);
  const b = ctx.shape(1);
  if (!a || !b || a.length !== b.length || a.some((d, i) => d !== b[i])) return undefined;
  return { node: { op: 'binary', fn: kind === 'Mul' ? 'mul' : 'div', name: ctx.name, inputs: [ctx.inputs[0], ctx.inputs[1]], outputs: [ctx.outputs[0]] } };
}

function arith(ctx: OpContext, kind: Kind, f: (a: number, b: number) => number): ConvertResult {
  if (ctx.attrs.has('axis')) ctx.unsupported('attribute axis (legacy broadcasting) is not supported; supported: NumPy-style broadcasting');
  return foldBinary(ctx, f) ?? toDepthwise(ctx, kind) ?? twoActivations(ctx, kind)
    ?? ctx.unsupported(`${kind} is supported only on constants, between a 4-D NCHW activation and a per-channel or scalar constant, or (Mul, Div) between two activations of the same shape`);
}

export const convertMul = (ctx: OpContext): ConvertResult => arith(ctx, 'Mul', (a, b) => a * b);
export const convertSub = (ctx: OpContext): ConvertResult => arith(ctx, 'Sub', (a, b) => a - b);
export const convertDiv = (ctx: OpContext): ConvertResult => arith(ctx, 'Div', (a, b) => a / b);
