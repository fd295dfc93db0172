// 2-D convolution on NCHW float32 without im2col: the input is copied once into a zero-padded
// plane per channel, so no tap needs a bounds check, and a register tile of 4 output channels
// x 4 output pixels accumulates over the whole reduction (channel, ky, kx) in float64, starting
// from the bias, in reduction order (8 loads per 16 multiply-adds). Invariant: xp holds every
// position any tap can read.
// The tile runs in the WebAssembly SIMD kernel of wasm-conv.ts when it is available (same
// operations in the same order, so bit-identical results), else in the plain loop below
// (CNNA_FLOAT_KERNEL=js forces the plain loop).
// When the padded copy would be much larger than the input (huge pads or strides), the direct
// loop with per-tap valid ranges runs instead.

import type { ConvNode } from '../../../ir/graph.ts';
import { CTL, CTL_BYTES, convKernel, type ConvKernel } from './wasm-conv.ts';

export interface ConvOptions {
  /** > 1: the WebAssembly kernel shares the work with helper threads (same results). */
  threads?: number;
  /** Other work this thread does meanwhile (RunFloatOptions.background). */
  background?: () => boolean;
  /** The output array of `n` elements, every one of which conv2d writes (default: a new one). */
  alloc?: (n: number) => Float32Array;
}

/** The conv's sizes (NCHW input, [M, C/group, KH, KW] weights), strides, dilations and top/left pads. */
function geometry(xs: number[], ws: number[], outShape: number[], node: ConvNode) {
  const [n, c, h, wd] = xs;
  const [m, cg, kh, kw] = ws;
  const [sh, sw] = node.strides;
  const [dh, dw] = node.dilations;
  const [pt, pl] = node.pads;
  const groups = node.group;
  return { n, c, h, wd, m, cg, kh, kw, oh: outShape[2], ow: outShape[3], sh, sw, dh, dw, pt, pl, groups, mg: m / groups };
}

export function conv2d(x: Float32Array, xs: number[], w: Float32Array, ws: number[], bias: Float32Array | undefined, node: ConvNode, outShape: number[], opts: ConvOptions = {}): Float32Array {
  const { n, c, h, wd, m, cg, kh, kw, oh, ow, sh, sw, dh, dw, pt, pl, groups, mg } = geometry(xs, ws, outShape, node);
  if (oh <= 0 || ow <= 0) return new Float32Array(0);
  // Padded plane big enough for the last tap of the last (rounded-up to 4) output column.
  const hp = Math.max(h + pt, (oh - 1) * sh + (kh - 1) * dh + 1);
  const owr = Math.ceil(ow / 4) * 4;
  const wp = Math.max(wd + pl, (owr - 1) * sw + (kw - 1) * dw + 1);
  const plane = hp * wp;
  if (c * plane > 4 * (c * h * wd + m * oh * ow) + (1 << 20)) return conv2dDirect(x, xs, w, ws, bias, node, outShape);
  const red = cg * kh * kw;
  const kernel = convKernel();
  const fast = kernel ? conv2dWasm(kernel, x, xs, w, ws, bias, node, outShape, hp, wp, opts) : null;
  if (fast) return fast;
  const out = new Float32Array(n * m * oh * ow);
  const xp = new Float32Array(c * plane);
  const off = new Int32Array(red);
  for (let ic = 0, r = 0; ic < cg; ic++) for (let ky = 0; ky < kh; ky++) for (let kx = 0; kx < kw; kx++) off[r++] = ic * plane + ky * dh * wp + kx * dw;
  // Weights regrouped as [oc block][r][4] so the tile reads four consecutive values per tap.
  const blocks = Math.ceil(mg / 4);
  const wt = new Float64Array(groups * blocks * red * 4);
  for (let g = 0; g < groups; g++) {
    for (let j = 0; j < mg; j++) {
      const oc = g * mg + j;
      const base = ((g * blocks + (j >> 2)) * red) * 4 + (j & 3);
      for (let r = 0; r < red; r++) wt[base + r * 4] = w[oc * red + r];
    }
  }
  const ohw = oh * ow;
  for (let b = 0; b < n; b++) {
    xp.fill(0);
    for (let ch = 0; ch < c; ch++) {
      for (let y = 0; y < h; y++) {
        const src = ((b * c + ch) * h + y) * wd;
        xp.set(x.subarray(src, src + wd), ch * plane + (y + pt) * wp + pl);
      }
    }
    for (let g = 0; g < groups; g++) {
      const xg = g * cg * plane;
      for (let blk = 0; blk < blocks; blk++) {
        const oc0 = g * mg + blk * 4;
        const nb = Math.min(4, mg - blk * 4);
        const wb = (g * blocks + blk) * red * 4;
        const b0 = bias ? bias[oc0] : 0;
        const b1 = bias && nb > 1 ? bias[oc0 + 1] : 0;
        const b2 = bias && nb > 2 ? bias[oc0 + 2] : 0;
        const b3 = bias && nb > 3 ? bias[oc0 + 3] : 0;
        const o0 = (b * m + oc0) * ohw;
        for (let oy = 0; oy < oh; oy++) {
          const rowBase = xg + oy * sh * wp;
          for (let ox = 0; ox < ow; ox += 4) {
            const p = rowBase + ox * sw;
            let a00 = b0, a01 = b0, a02 = b0, a03 = b0;
            let a10 = b1, a11 = b1, a12 = b1, a13 = b1;
            let a20 = b2, a21 = b2, a22 = b2, a23 = b2;
            let a30 = b3, a31 = b3, a32 = b3, a33 = b3;
            for (let r = 0; r < red; r++) {
              const q = p + off[r];
              const x0 = xp[q], x1 = xp[q + sw], x2 = xp[q + 2 * sw], x3 = xp[q + 3 * sw];
              const wi = wb + r * 4;
              const w0 = wt[wi], w1 = wt[wi + 1], w2 = wt[wi + 2], w3 = wt[wi + 3];
              a00 += w0 * x0; a01 += w0 * x1; a02 += w0 * x2; a03 += w0 * x3;
              a10 += w1 * x0; a11 += w1 * x1; a12 += w1 * x2; a13 += w1 * x3;
              a20 += w2 * x0; a21 += w2 * x1; a22 += w2 * x2; a23 += w2 * x3;
              a30 += w3 * x0; a31 += w3 * x1; a32 += w3 * x2; a33 += w3 * x3;
            }
            const cols = Math.min(4, ow - ox);
            const o = o0 + oy * ow + ox;
            out[o] = a00; if (cols > 1) out[o + 1] = a01; if (cols > 2) out[o + 2] = a02; if (cols > 3) out[o + 3] = a03;
            if (nb > 1) { const o1 = o + ohw; out[o1] = a10; if (cols > 1) out[o1 + 1] = a11; if (cols > 2) out[o1 + 2] = a12; if (cols > 3) out[o1 + 3] = a13; }
            if (nb > 2) { const o2 = o + 2 * ohw; out[o2] = a20; if (cols > 1) out[o2 + 1] = a21; if (cols > 2) out[o2 + 2] = a22; if (cols > 3) out[o2 + 3] = a23; }
            if (nb > 3) { const o3 = o + 3 * ohw; out[o3] = a30; if (cols > 1) out[o3 + 1] = a31; if (cols > 2) out[o3 + 2] = a32; if (cols > 3) out[o3 + 3] = a33; }
          }
        }
      }
    }
  }
  return out;
}

/** Bytes of padded inputs and outputs per kernel job (images are processed in chunks of this). */
const CHUNK_BYTES = 64 * 2 ** 20;
/** Smallest job, in multiply-adds, that is shared with helper threads. */
const MIN_THREAD_MACS = 4_000_000;

/**
 * conv2d's tiled loop in the WebAssembly kernel on `threads` threads; hp × wp is the padded plane.
 * Null if the kernel's helper threads stalled (then the plain loop runs).
 */
function conv2dWasm(kernel: ConvKernel, x: Float32Array, xs: number[], w: Float32Array, ws: number[], bias: Float32Array | undefined, node: ConvNode, outShape: number[], hp: number, wp: number, opts: ConvOptions): Float32Array | null {
  const { n, c, h, wd, m, cg, kh, kw, oh, ow, sh, sw, dh, dw, pt, pl, groups, mg } = geometry(xs, ws, outShape, node);
  const plane = hp * wp;
  const red = cg * kh * kw;
  const blocks = Math.ceil(mg / 4);
  const gb = groups * blocks;
  const nx4 = Math.ceil(ow / 4);
  const owr = nx4 * 4;
  const chPlane = oh * owr;
  // Memory: control block | tap offsets | weights [group][block][r][4] f64 | biases [group][block][4] f64
  //   | padded inputs [image][c][hp][wp] f32 | outputs [image][group][block][4][oh][owr] f32
  const al = (bytes: number) => (bytes + 15) & ~15;
  const imgBytes = c * plane * 4;
  const resBytes = gb * 4 * chPlane * 4;
  const chunk = Math.max(1, Math.min(n, Math.floor(CHUNK_BYTES / (imgBytes + resBytes))));
  const offAt = CTL_BYTES;
  const wtAt = al(offAt + red * 4);
  const biasAt = wtAt + gb * red * 32;
  const xpAt = al(biasAt + gb * 32);
  const outAt = al(xpAt + chunk * imgBytes);
  const buf = kernel.buffer(outAt + chunk * resBytes);
  const off = new Int32Array(buf, offAt, red);
  for (let ic = 0, r = 0; ic < cg; ic++) for (let ky = 0; ky < kh; ky++) for (let kx = 0; kx < kw; kx++) off[r++] = 4 * (ic * plane + ky * dh * wp + kx * dw);
  const wt = new Float64Array(buf, wtAt, gb * red * 4);
  const bt = new Float64Array(buf, biasAt, gb * 4);
  wt.fill(0);
  bt.fill(0);
  for (let g = 0; g < groups; g++) {
    for (let j = 0; j < mg; j++) {
      const oc = g * mg + j;
      const blk = g * blocks + (j >> 2);
      const base = blk * red * 4 + (j & 3);
      for (let r = 0; r < red; r++) wt[base + r * 4] = w[oc * red + r];
      if (bias) bt[blk * 4 + (j & 3)] = bias[oc];
    }
  }
  const ctl = new Int32Array(buf, 0, CTL_BYTES / 4);
  const params: [number, number][] = [
    [CTL.GB, gb], [CTL.BLOCKS, blocks], [CTL.IMG, imgBytes], [CTL.GRP, cg * plane * 4], [CTL.XP, xpAt], [CTL.OFF, offAt],
    [CTL.RED, red], [CTL.WT, wtAt], [CTL.BIAS, biasAt], [CTL.OUT, outAt], [CTL.OH, oh], [CTL.NX4, nx4],
    [CTL.ROWSTEP, 4 * sh * wp], [CTL.COLSTEP, 16 * sw], [CTL.SW, 4 * sw], [CTL.CHSTRIDE, 4 * chPlane],
  ];
  for (const [k, v] of params) ctl[k] = v;
  // Helper threads only pay off on big jobs (a hand-off costs tens of microseconds).
  const jobThreads = red * oh * ow * m * Math.min(n, chunk) >= MIN_THREAD_MACS ? opts.threads ?? 1 : 1;
  const xp = new Float32Array(buf, xpAt, chunk * c * plane);
  const res = new Float32Array(buf, outAt, chunk * gb * 4 * chPlane);
  const out = opts.alloc?.(n * m * oh * ow) ?? new Float32Array(n * m * oh * ow);
  const ohw = oh * ow;
  for (let b0 = 0; b0 < n; b0 += chunk) {
    const nb0 = Math.min(chunk, n - b0);
    xp.fill(0, 0, nb0 * c * plane);
    for (let i = 0; i < nb0; i++) {
      for (let ch = 0; ch < c; ch++) {
        for (let y = 0; y < h; y++) {
          const src = (((b0 + i) * c + ch) * h + y) * wd;
          const dst = (i * c + ch) * plane + (y + pt) * wp + pl;
          for (let k = 0; k < wd; k++) xp[dst + k] = x[src + k];
        }
      }
    }
    if (!kernel.runJob(nb0 * gb, jobThreads, opts.background)) return null;
    for (let i = 0; i < nb0; i++) {
      for (let g = 0; g < groups; g++) {
        for (let blk = 0; blk < blocks; blk++) {
          const nb = Math.min(4, mg - blk * 4);
          for (let j = 0; j < nb; j++) {
            const src = ((i * gb + g * blocks + blk) * 4 + j) * chPlane;
            const dst = ((b0 + i) * m + g * mg + blk * 4 + j) * ohw;
            if (owr === ow) for (let k = 0; k < ohw; k++) out[dst + k] = res[src + k];
            else for (let oy = 0; oy < oh; oy++) for (let k = 0; k < ow; k++) out[dst + oy * ow + k] = res[src + oy * owr + k];
          }
        }
      }
    }
  }
  return out;
}

/** Direct convolution with per-tap valid output ranges; four output channels per pass. */
function conv2dDirect(x: Float32Array, xs: number[], w: Float32Array, ws: number[], bias: Float32Array | undefined, node: ConvNode, outShape: number[]): Float32Array {
  const { n, c, h, wd, m, cg, kh, kw, oh, ow, sh, sw, dh, dw, pt, pl, mg } = geometry(xs, ws, outShape, node);
  const plane = oh * ow;
  const out = new Float32Array(n * m * plane);
  const acc0 = new Float64Array(plane), acc1 = new Float64Array(plane), acc2 = new Float64Array(plane), acc3 = new Float64Array(plane);
  const accs = [acc0, acc1, acc2, acc3];
  const ohLo = new Int32Array(kh), ohHi = new Int32Array(kh), owLo = new Int32Array(kw), owHi = new Int32Array(kw);
  for (let ky = 0; ky < kh; ky++) {
    const off = ky * dh - pt;
    ohLo[ky] = Math.max(0, Math.ceil(-off / sh));
    ohHi[ky] = Math.min(oh - 1, Math.floor((h - 1 - off) / sh));
  }
  for (let kx = 0; kx < kw; kx++) {
    const off = kx * dw - pl;
    owLo[kx] = Math.max(0, Math.ceil(-off / sw));
    owHi[kx] = Math.min(ow - 1, Math.floor((wd - 1 - off) / sw));
  }
  const kk = kh * kw;
  for (let b = 0; b < n; b++) {
    for (let g = 0; g < node.group; g++) {
      for (let oc0 = g * mg; oc0 < (g + 1) * mg; oc0 += 4) {
        const nb = Math.min(4, (g + 1) * mg - oc0);
        for (let j = 0; j < 4; j++) accs[j].fill(j < nb && bias ? bias[oc0 + j] : 0);
        for (let ic = 0; ic < cg; ic++) {
          const xBase = (b * c + g * cg + ic) * h * wd;
          const wb0 = ((oc0 * cg) + ic) * kk;
          const wstride = cg * kk;
          for (let ky = 0; ky < kh; ky++) {
            const yOff = ky * dh - pt;
            const yLo = ohLo[ky], yHi = ohHi[ky];
            for (let kx = 0; kx < kw; kx++) {
              const t = ky * kw + kx;
              const w0 = w[wb0 + t];
              const w1 = nb > 1 ? w[wb0 + wstride + t] : 0;
              const w2 = nb > 2 ? w[wb0 + 2 * wstride + t] : 0;
              const w3 = nb > 3 ? w[wb0 + 3 * wstride + t] : 0;
              const xOff = kx * dw - pl;
              const lo = owLo[kx], hi = owHi[kx];
              for (let y = yLo; y <= yHi; y++) {
                const row = xBase + (y * sh + yOff) * wd + xOff;
                const o = y * ow;
                if (nb === 1) {
                  for (let x2 = lo; x2 <= hi; x2++) acc0[o + x2] += w0 * x[row + x2 * sw];
                } else if (sw === 1) {
                  for (let x2 = lo; x2 <= hi; x2++) {
                    const v = x[row + x2];
                    acc0[o + x2] += w0 * v;
                    acc1[o + x2] += w1 * v;
                    acc2[o + x2] += w2 * v;
                    acc3[o + x2] += w3 * v;
                  }
                } else {
                  for (let x2 = lo; x2 <= hi; x2++) {
                    const v = x[row + x2 * sw];
                    acc0[o + x2] += w0 * v;
                    acc1[o + x2] += w1 * v;
                    acc2[o + x2] += w2 * v;
                    acc3[o + x2] += w3 * v;
                  }
                }
              }
            }
          }
        }
        for (let j = 0; j < nb; j++) out.set(accs[j], (b * m + oc0 + j) * plane);
      }
    }
  }
  return out;
}
