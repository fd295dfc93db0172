// Pad (constant mode, spatial axes of a 4-D tensor) -> PadNode with pads [top, left, bottom, right].
// Pads and value are attributes before opset 11 and constant inputs from 11 on (axes from 18).

import type { ConvertResult, OpContext } from '../op-context.ts';
import { MAX_WINDOW } from '../limits.ts';

export function convertPad(ctx: OpContext): ConvertResult {
  const x = ctx.needShape(0);
  const r = x.length;
  const mode = ctx.attrs.string('mode', 'constant');
  if (mode !== 'constant') ctx.unsupported(`attribute mode='${mode}' is not supported; supported: constant`);
  let pads: number[];
  let value = 0;
  if (ctx.opset < 11) {
    pads = ctx.attrs.ints(ctx.opset < 2 ? 'paddings' : 'pads') ?? ctx.invalid('attribute pads is required');
    value = ctx.attrs.float('value', 0);
  } else {
    pads = ctx.constInts(1, 'pads');
    if (ctx.inputs[2]) {
      const v = ctx.constant(2);
      if (!v) ctx.unsupported('a non-constant constant_value input is not supported');
      value = v.data[0] ?? 0;
    }
    if (ctx.inputs[3]) {
      const axes = ctx.constInts(3, 'axes').map((a) => (a < 0 ? a + r : a));
      const full = new Array<number>(2 * r).fill(0);
      if (pads.length !== 2 * axes.length) ctx.invalid(`pads has ${pads.length} values for ${axes.length} axes`);
      axes.forEach((a, i) => {
        if (a < 0 || a >= r) ctx.invalid(`axis ${a} is out of range`);
        full[a] = pads[i];
        full[a + r] = pads[i + axes.length];
      });
      pads = full;
    }
  }
  if (pads.length !== 2 * r) ctx.invalid(`pads has ${pads.length} values, a rank-${r} input needs ${2 * r}`);
  if (r !== 4 || pads[0] || pads[1] || pads[4] || pads[5]) {
    ctx.unsupported(`pads [${pads.join(', ')}] are not supported; supported: padding the H and W axes of a 4-D tensor`);
  }
  const p: [number, number, number, number] = [pads[2], pads[3], pads[6], pads[7]];
  if (p.some((v) => v < 0 || v > MAX_WINDOW)) ctx.unsupported(`pads [${pads.join(', ')}] are not supported; supported: values in [0, ${MAX_WINDOW}]`);
  return { node: { op: 'pad', name: ctx.name, inputs: [ctx.inputs[0]], outputs: [ctx.outputs[0]], pads: p, value } };
}
