// Spatial tiling of a conv(+pool) layer into job regions, in job-local coordinates
// (docs/bundle-format.md "Semantics"). Output (pooled) rows and columns are cut into
// segments of constant average-pool divisor, then into chunks whose input tile fits one input
// bank. For every chunk it derives the input window, the conv region and the local pads.
//
// Invariants: a region's conv range is the union of its outputs' pool windows clipped to the
// conv output; its input range is the union of the receptive fields clipped to the input, so
// the local pads re-create exactly the global zero padding.
import { CnnaError } from '../errors/cnna-error.ts';

/** One axis of a conv + pool layer, global coordinates. */
export interface AxisGeom {
  /** Input size, conv kernel, stride, dilation, pad at the start. */
  size: number; k: number; s: number; d: number; p: number;
  /** Conv output size. */
  out: number;
  /** Pool window, stride, pads (start, end); NONE is 1, 1, 0, 0. */
  pk: number; ps: number; pp: number; ppEnd: number;
  /** Pooled output size. */
  pout: number;
}

export interface AxisRange {
  /** Pooled outputs [p0, p1). */
  p0: number; p1: number;
  /** Conv outputs [c0, c1). */
  c0: number; c1: number;
  /** Input [i0, i1). */
  i0: number; i1: number;
  /** Local conv pad and local pool pad. */
  pad: number; poolPad: number;
  /** Average divisor factor of this axis (constant over the range). */
  count: number;
}

function convRange(a: AxisGeom, p0: number, p1: number): [number, number] {
  return [Math.max(0, p0 * a.ps - a.pp), Math.min(a.out, (p1 - 1) * a.ps - a.pp + a.pk)];
}

function inputRange(a: AxisGeom, c0: number, c1: number): [number, number] {
  return [Math.max(0, c0 * a.s - a.p), Math.min(a.size, (c1 - 1) * a.s - a.p + (a.k - 1) * a.d + 1)];
}

/** Per pooled output, the ONNX average divisor factor along this axis. */
export function axisCounts(a: AxisGeom, countPad: boolean): number[] {
  const r: number[] = [];
  for (let o = 0; o < a.pout; o++) {
    const start = o * a.ps - a.pp;
    let n = 0;
    for (let t = 0; t < a.pk; t++) {
      const i = start + t;
      if (countPad ? i >= -a.pp && i < a.out + a.ppEnd : i >= 0 && i < a.out) n++;
    }
    r.push(n);
  }
  return r;
}

export function makeRange(a: AxisGeom, p0: number, p1: number, count: number): AxisRange {
  const [c0, c1] = convRange(a, p0, p1);
  const [i0, i1] = inputRange(a, c0, c1);
  return { p0, p1, c0, c1, i0, i1, pad: i0 - (c0 * a.s - a.p), poolPad: c0 - (p0 * a.ps - a.pp), count };
}

/** Segments of equal divisor factor (one segment when `split` is false). */
export function segments(a: AxisGeom, split: boolean, countPad: boolean): { p0: number; p1: number; count: number }[] {
  const counts = axisCounts(a, countPad);
  if (!split) return [{ p0: 0, p1: a.pout, count: counts[0] ?? 0 }];
  const segs: { p0: number; p1: number; count: number }[] = [];
  for (let o = 0; o < a.pout; o++) {
    const last = segs[segs.length - 1];
    if (last && last.count === counts[o]) last.p1 = o + 1;
    else segs.push({ p0: o, p1: o + 1, count: counts[o] });
  }
  return segs;
}

/** Check that every pooled output has a candidate conv output. */
export function checkCandidates(a: AxisGeom, where: string, axisName: string): void {
  for (let o = 0; o < a.pout; o++) {
    const [c0, c1] = convRange(a, o, o + 1);
    if (c1 <= c0) {
      throw new CnnaError('E_UNSUPPORTED', `${where}: pooling output ${axisName} ${o} has a window that covers no conv output`);
    }
  }
}

/**
 * Cut [p0, p1) into chunks so that inputRows(chunk) · otherSpan · cg <= bank. Returns the chunks,
 * or null when one output of this axis alone does not fit. With `singleBank`, every chunk is one
 * output (checked against singleBank).
 */
export function chunkAxis(a: AxisGeom, p0: number, p1: number, perUnit: number, bank: number, count: number, singleBank?: number): AxisRange[] | null {
  const out: AxisRange[] = [];
  let s = p0;
  while (s < p1) {
    let e = s + 1;
    let r = makeRange(a, s, e, count);
    if (singleBank !== undefined) {
      if ((r.i1 - r.i0) * perUnit > singleBank) return null;
      out.push(r);
      s = e;
      continue;
    }
    if ((r.i1 - r.i0) * perUnit > bank) return null;
    while (e < p1) {
      const n = makeRange(a, s, e + 1, count);
      if ((n.i1 - n.i0) * perUnit > bank) break;
      e++;
      r = n;
    }
    out.push(r);
    s = e;
  }
  return out;
}
