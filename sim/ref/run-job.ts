// Executes one JOB descriptor on a DDR byte image exactly as docs/bundle-format.md
// ("Semantics") says; this is the executable specification the RTL matches. Numerics come
// from compiler/golden/fixed/fixed-point.ts. Conv outputs of the job region are computed once and
// then pooled; the hardware recomputes overlapping windows, with identical results.
import { Act, Flag, PoolKind, jobWeightBlockBytes, winogradJobError, weightHeaderBytes, winoHighWord, winoLowWord, winoUnpack, type Descriptor } from '../../compiler/contracts/bundle-format.ts';
import { winoInput, winoOutput, winoUnscale } from '../../compiler/golden/fixed/winograd.ts';
import { rshr, sat16, wrap48 } from '../../compiler/golden/fixed/fixed-point.ts';
import { CnnaError } from '../../compiler/errors/cnna-error.ts';

export interface Ddr {
  bytes: Uint8Array;
  view: DataView;
  i16: Int16Array;
}

export function makeDdr(size: number): Ddr {
  const bytes = new Uint8Array(size + (size & 1));
  return { bytes, view: new DataView(bytes.buffer), i16: new Int16Array(bytes.buffer) };
}

function applyAct(y: number, kind: number, a: number, b: number): number {
  switch (kind) {
    case Act.NONE: return y;
    case Act.RELU: return y > 0 ? y : 0;
    case Act.LEAKY: return y >= 0 ? y : rshr(y * a, 15);
    case Act.CLIP: return y < a ? a : y > b ? b : y;
    default: throw new CnnaError('E_BUNDLE', `descriptor has activation kind ${kind}, which the engine does not know`);
  }
}

function checkRange(ddr: Ddr, what: string, lo: number, hi: number, job: number): void {
  if (lo < 0 || hi > ddr.bytes.length || (lo & 1)) {
    throw new CnnaError('E_BUNDLE', `job ${job}: ${what} [${lo}, ${hi}) is outside the bundle's DDR (${ddr.bytes.length} bytes) or misaligned`);
  }
}

/** The sums a BATCH job with ACC_OUT holds for the next job (ACC_IN): [row][lane], 48-bit values. */
export interface HeldSums { sums: Float64Array | null }

/**
 * Run one job. `held` carries the sums between BATCH jobs: ACC_IN starts from held.sums instead of the
 * bias, ACC_OUT stores its sums there and writes nothing (the caller checks the flag rules first,
 * batchFlagError in compiler/contracts/bundle-format.ts).
 */
export function runJob(ddr: Ddr, d: Descriptor, pi: number, po: number, job: number, held: HeldSums = { sums: null }): void {
  const { act, actA, actB, hc, wc, avgM, avgShift, cg, hin, hp, inAddr, inCgStride, inRowStride, outAddr, outCgStride, outGroups, outRowStride, poolKh, poolKind, poolKw, poolPadL, poolPadT, poolStrideH, poolStrideW, wAddr, win, wp } = d;
  const actOf = (v: number): number => applyAct(v, act, actA, actB);
  const { view, i16 } = ddr;
  const wh = weightHeaderBytes(po);
  checkRange(ddr, 'weight block', wAddr, wAddr + jobWeightBlockBytes(pi, po, d), job);
  if (hin > 0 && win > 0 && cg > 0) {
    checkRange(ddr, 'input tile', inAddr, inAddr + (cg - 1) * inCgStride + (hin - 1) * inRowStride + win * pi * 2, job);
  }
  if (outGroups === 0) throw new CnnaError('E_BUNDLE', `job ${job}: outGroups is 0 (the engine stops with status ZERO_DIM)`);
  const groups = Math.min(outGroups, po / pi);
  if (hp > 0 && wp > 0) {
    checkRange(ddr, 'output', outAddr, outAddr + (groups - 1) * outCgStride + (hp - 1) * outRowStride + wp * pi * 2, job);
  }
  const bias = new Float64Array(po);
  const shift = new Int32Array(po);
  for (let m = 0; m < po; m++) {
    // The engine keeps bits 47:0 of the int64 bias (a 48-bit accumulator register).
    bias[m] = Number(BigInt.asIntN(48, view.getBigInt64(wAddr + m * 8, true)));
    shift[m] = view.getUint8(wAddr + po * 8 + m);
  }
  const w0 = (wAddr + wh) >> 1;
  // Activated conv outputs of the region, [cy][cx][m].
  const y = new Int16Array(hc * wc * po);
  const accIn = (d.flags & Flag.ACC_IN) !== 0;
  const accOut = (d.flags & Flag.ACC_OUT) !== 0;
  if (accIn && (!held.sums || held.sums.length !== hc * wc * po)) throw new CnnaError('E_BUNDLE', `job ${job}: ACC_IN without sums held by the job before it`);
  const inSums = accIn ? held.sums! : null;
  const outSums = accOut ? new Float64Array(hc * wc * po) : null;
  // ACC_IN / ACC_OUT: the 48-bit sum of lane m at output o starts from the held sum, or is held (nothing written).
  const finish = accIn || accOut ? (o: number, m: number, sum: number): number => {
    const a = wrap48((inSums ? inSums[o + m] : bias[m]) + sum);
    if (outSums) { outSums[o + m] = a; return 0; }
    return actOf(sat16(rshr(a, shift[m])));
  } : undefined;
  if (d.flags & Flag.WINOGRAD) winogradRegion(ddr, d, pi, po, job, w0, bias, shift, actOf, y);
  else directRegion(ddr, d, pi, po, job, w0, bias, shift, actOf, y, finish);
  held.sums = outSums;
  if (outSums) return;
  const kind = poolKind;
  const pkh = kind === PoolKind.NONE ? 1 : poolKh;
  const pkw = kind === PoolKind.NONE ? 1 : poolKw;
  const psh = kind === PoolKind.NONE ? 1 : poolStrideH;
  const psw = kind === PoolKind.NONE ? 1 : poolStrideW;
  const ppt = kind === PoolKind.NONE ? 0 : poolPadT;
  const ppl = kind === PoolKind.NONE ? 0 : poolPadL;
  if (kind !== PoolKind.NONE && kind !== PoolKind.MAX && kind !== PoolKind.AVG) {
    throw new CnnaError('E_BUNDLE', `job ${job}: pool kind ${kind} is not defined`);
  }
  for (let py = 0; py < hp; py++) {
    for (let px = 0; px < wp; px++) {
      for (let m = 0; m < groups * pi; m++) {
        let r = -Infinity;
        let S = 0;
        let n = 0;
        for (let wy = 0; wy < pkh; wy++) {
          const cy = py * psh - ppt + wy;
          if (cy < 0 || cy >= hc) continue;
          for (let wx = 0; wx < pkw; wx++) {
            const cx = px * psw - ppl + wx;
            if (cx < 0 || cx >= wc) continue;
            const v = y[(cy * wc + cx) * po + m];
            if (v > r) r = v;
            S += v;
            n++;
          }
        }
        if (n === 0) throw new CnnaError('E_BUNDLE', `job ${job}: output (${py}, ${px}) has no pool candidate`);
        const out = kind === PoolKind.AVG ? sat16(rshr(S * avgM, avgShift)) : r;
        const g = Math.floor(m / pi);
        i16[(outAddr + g * outCgStride + py * outRowStride + px * pi * 2 + (m % pi) * 2) >> 1] = out;
      }
    }
  }
}

type ActOf = (v: number) => number;

/** The direct conv outputs of a job region (docs/bundle-format.md "Semantics"), activated, into y[cy][cx][m]. */
function directRegion(ddr: Ddr, d: Descriptor, pi: number, po: number, job: number, w0: number, bias: Float64Array, shift: Int32Array, actOf: ActOf, y: Int16Array,
  finish?: (o: number, m: number, sum: number) => number): void {
  const { cg, dilH, dilW, hc, hin, inAddr, inCgStride, inRowStride, kh, kw, padL, padT, strideH, strideW, wc, win } = d;
  const { i16 } = ddr;
  const nTap = kh * kw * cg;
  const word = pi * po;
  const K = nTap * pi;
  // Exact 48-bit accumulation: every partial sum is an integer of magnitude <= K·2^30 <= 2^52 and the
  // bias is below 2^47, so float64 holds each sum exactly; wrap48 then wraps it as the RTL's adder does.
  if (K > 2 ** 22) {
    throw new CnnaError('E_BUNDLE', `job ${job}: reduction length ${K} (kh·kw·cg·PI) exceeds 2^22, beyond the engine model's exact accumulation`, { hint: 'the compiler never emits K > 65536; check the descriptor' });
  }
  // Weights per lane, contiguous over (ky, kx, g, ci): the same numbers, reordered for speed.
  const wt = new Int16Array(po * K);
  for (let t = 0; t < nTap; t++) {
    for (let m = 0; m < po; m++) {
      const src = w0 + t * word + m * pi;
      const dst = m * K + t * pi;
      for (let ci = 0; ci < pi; ci++) wt[dst + ci] = i16[src + ci];
    }
  }
  // Taps whose weights are zero on every lane add exactly 0: the model skips them when that
  // saves work (padded channels); the hardware multiplies them anyway.
  const activeList: number[] = [];
  for (let k = 0; k < K; k++) {
    for (let m = 0; m < po; m++) if (wt[m * K + k] !== 0) { activeList.push(k); break; }
  }
  const Ka = activeList.length;
  const sparse = Ka < 0.75 * K;
  const active = Int32Array.from(activeList);
  const wc2 = new Int16Array(sparse ? po * Ka : 0);
  if (sparse) for (let m = 0; m < po; m++) for (let j = 0; j < Ka; j++) wc2[m * Ka + j] = wt[m * K + active[j]];
  const pc = new Int16Array(Ka);
  const patch = new Int16Array(K);
  for (let cy = 0; cy < hc; cy++) {
    for (let cx = 0; cx < wc; cx++) {
      patch.fill(0);
      for (let ky = 0; ky < kh; ky++) {
        const iy = cy * strideH - padT + ky * dilH;
        if (iy < 0 || iy >= hin) continue;
        for (let kx = 0; kx < kw; kx++) {
          const ix = cx * strideW - padL + kx * dilW;
          if (ix < 0 || ix >= win) continue;
          const xRow = inAddr + iy * inRowStride + ix * pi * 2;
          let p = ((ky * kw + kx) * cg) * pi;
          for (let g = 0; g < cg; g++, p += pi) {
            const xb = (xRow + g * inCgStride) >> 1;
            for (let ci = 0; ci < pi; ci++) patch[p + ci] = i16[xb + ci];
          }
        }
      }
      const o = (cy * wc + cx) * po;
      if (sparse) {
        for (let j = 0; j < Ka; j++) pc[j] = patch[active[j]];
        for (let m = 0; m < po; m++) {
          const wb = m * Ka;
          let s0 = 0;
          for (let j = 0; j < Ka; j++) s0 += wc2[wb + j] * pc[j];
          y[o + m] = finish ? finish(o, m, s0) : actOf(sat16(rshr(wrap48(bias[m] + s0), shift[m])));
        }
        continue;
      }
      for (let m = 0; m < po; m++) {
        const wb = m * K;
        let s0 = 0;
        let s1 = 0;
        for (let k = 0; k < K; k += 2) {
          s0 += wt[wb + k] * patch[k];
          s1 += wt[wb + k + 1] * patch[k + 1];
        }
        y[o + m] = finish ? finish(o, m, s0 + s1) : actOf(sat16(rshr(wrap48(bias[m] + s0 + s1), shift[m])));
      }
    }
  }
}

/**
 * The same outputs by exact-integer Winograd F(2x2, 3x3) (docs/numerics.md): 2x2 tiles from conv output (0, 0)
 * of the region, V = B^T d B per lane, M = Σ U ⊙ V over cg·PI lanes, Y = A^T M A = 4x the direct sum, so
 * acc = bias + Y / 4 is the direct accumulator bit for bit; a tile's outputs past hc / wc are dropped.
 */
function winogradRegion(ddr: Ddr, d: Descriptor, pi: number, po: number, job: number, w0: number, bias: Float64Array, shift: Int32Array, actOf: ActOf, y: Int16Array): void {
  const { cg, hc, hin, inAddr, inCgStride, inRowStride, kh, kw, padL, padT, wc, win } = d;
  const { i16 } = ddr;
  const err = winogradJobError(d, pi, `job ${job}`);
  if (err) throw new CnnaError('E_BUNDLE', err);
  const L = cg * pi;
  const word = pi * po;
  // U[m][lane][t], lane = g·PI + ci.
  const U = new Int32Array(po * L * 16);
  for (let g = 0; g < cg; g++) {
    for (let t = 0; t < 16; t++) {
      const lo = w0 + winoLowWord(g, t) * word;
      const hi = w0 + winoHighWord(g, t) * word;
      for (let m = 0; m < po; m++) {
        for (let ci = 0; ci < pi; ci++) U[(m * L + g * pi + ci) * 16 + t] = winoUnpack(i16[lo + m * pi + ci], i16[hi + m * pi + ci], t);
      }
    }
  }
  const V = new Int32Array(L * 16);
  const dt = new Int32Array(16);
  const v = new Int32Array(16);
  const acc = new Float64Array(16);
  const out = new Float64Array(4);
  for (let ty = 0; ty < hc; ty += 2) {
    for (let tx = 0; tx < wc; tx += 2) {
      for (let g = 0; g < cg; g++) {
        for (let ci = 0; ci < pi; ci++) {
          for (let r = 0; r < 4; r++) {
            const iy = ty - padT + r;
            for (let q = 0; q < 4; q++) {
              const ix = tx - padL + q;
              dt[r * 4 + q] = iy >= 0 && iy < hin && ix >= 0 && ix < win ? i16[(inAddr + g * inCgStride + iy * inRowStride + ix * pi * 2 + ci * 2) >> 1] : 0;
            }
          }
          winoInput(dt, v);
          V.set(v, (g * pi + ci) * 16);
        }
      }
      for (let m = 0; m < po; m++) {
        acc.fill(0);
        const ub = m * L * 16;
        for (let k = 0; k < L * 16; k += 16) {
          for (let t = 0; t < 16; t++) acc[t] += U[ub + k + t] * V[k + t];
        }
        winoOutput(acc, out);
        for (let dy = 0; dy < 2 && ty + dy < hc; dy++) {
          for (let dx = 0; dx < 2 && tx + dx < wc; dx++) {
            y[((ty + dy) * wc + tx + dx) * po + m] = actOf(sat16(rshr(wrap48(bias[m] + winoUnscale(out[dy * 2 + dx])), shift[m])));
          }
        }
      }
    }
  }
}
