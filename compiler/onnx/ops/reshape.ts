// Reshape -> ReshapeNode with the target shape resolved (0 copies the input dim unless
// allowzero, -1 is inferred). The shape is an attribute before opset 5, a constant input after.
// A constant data input folds to a constant.

import { numel } from '../../ir/infer-shape.ts';
import type { Shape } from '../../ir/graph.ts';
import type { ConvertResult, OpContext } from '../op-context.ts';

export function resolveShape(ctx: OpContext, x: Shape, target: number[], allowZero: boolean): Shape {
  const out = target.map((d, i) => (d === 0 && !allowZero ? (i < x.length ? x[i] : ctx.invalid(`shape [${target.join(', ')}] copies axis ${i}, which the input [${x.join(', ')}] lacks`)) : d));
  const unknown = out.filter((d) => d === -1).length;
  if (unknown > 1 || out.some((d) => d < -1)) ctx.invalid(`shape [${target.join(', ')}] is not a valid Reshape target`);
  if (unknown === 1) {
    const known = numel(out.filter((d) => d !== -1));
    const total = numel(x);
    if (known === 0 || total % known !== 0) ctx.invalid(`cannot reshape [${x.join(', ')}] to [${target.join(', ')}]`);
    out[out.indexOf(-1)] = total / known;
  }
  if (numel(out) !== numel(x)) ctx.invalid(`cannot reshape [${x.join(', ')}] (${numel(x)} elements) to [${target.join(', ')}]`);
  return out;
}

export function convertReshape(ctx: OpContext): ConvertResult {
  const x = ctx.needShape(0);
  const target = ctx.opset < 5 ? (ctx.attrs.ints('shape') ?? ctx.invalid('attribute shape is required')) : ctx.constInts(1, 'shape');
  const shape = resolveShape(ctx, x, target, ctx.attrs.int('allowzero', 0) !== 0);
  const c = ctx.constant(0);
  if (c) return { consts: [{ dims: shape, data: c.data, ints: c.ints }] };
  return { node: { op: 'reshape', name: ctx.name, inputs: [ctx.inputs[0]], outputs: [ctx.outputs[0]], shape } };
}
