// Reads the window attributes shared by Conv, MaxPool and AveragePool and normalizes them:
// default strides and dilations, auto_pad resolved to explicit [top, left, bottom, right] pads.

import type { Shape, Window } from '../../ir/graph.ts';
import { samePads } from '../../ir/window.ts';
import { MAX_WINDOW } from '../limits.ts';
import type { OpContext } from '../op-context.ts';

export const AUTO_PADS = ['NOTSET', 'SAME_UPPER', 'SAME_LOWER', 'VALID'];

export function readWindow(ctx: OpContext, x: Shape, kernel: [number, number]): Window {
  const a = ctx.attrs;
  if (x.length !== 4) ctx.unsupported(`only 2-D windows on 4-D NCHW inputs are supported, the input is [${x.join(', ')}]`);
  for (const k of kernel) if (!(k >= 1 && k <= MAX_WINDOW)) ctx.invalid(`kernel_shape [${kernel.join(', ')}] must hold values in [1, ${MAX_WINDOW}]`);
  const strides = a.windowInts('strides', 2, [1, 1], 1) as [number, number];
  const dilations = a.windowInts('dilations', 2, [1, 1], 1) as [number, number];
  const autoPad = a.string('auto_pad', 'NOTSET');
  if (!AUTO_PADS.includes(autoPad)) {
    ctx.unsupported(`attribute auto_pad='${autoPad}' is not supported; supported: ${AUTO_PADS.join(', ')}`);
  }
  let pads: [number, number, number, number];
  if (autoPad === 'NOTSET') {
    pads = a.windowInts('pads', 4, [0, 0, 0, 0], 0) as [number, number, number, number];
  } else if (autoPad === 'VALID') {
    pads = [0, 0, 0, 0];
  } else {
    const upper = autoPad === 'SAME_UPPER';
    const [t, b] = samePads(x[2], kernel[0], strides[0], dilations[0], upper);
    const [l, r] = samePads(x[3], kernel[1], strides[1], dilations[1], upper);
    pads = [t, l, b, r];
  }
  return { kernel, strides, pads, dilations };
}

/** kernel_shape from the attribute, checked against (or inferred from) the weight shape. */
export function kernelShape(ctx: OpContext, fromWeights?: Shape): [number, number] {
  const k = ctx.attrs.ints('kernel_shape');
  if (k && k.length !== 2) ctx.unsupported(`attribute kernel_shape=[${k.join(', ')}] is not supported; supported: 2-D kernels`);
  if (fromWeights) {
    if (fromWeights.length !== 4) ctx.unsupported(`only 2-D convolutions are supported, the weights are [${fromWeights.join(', ')}]`);
    const w: [number, number] = [fromWeights[2], fromWeights[3]];
    if (k && (k[0] !== w[0] || k[1] !== w[1])) ctx.invalid(`kernel_shape [${k.join(', ')}] does not match the weights [${fromWeights.join(', ')}]`);
    return w;
  }
  if (!k) ctx.invalid('attribute kernel_shape is required');
  return [k[0], k[1]];
}
