// Executes one JOB descriptor on a DDR byte image exactly as docs/bundle-format.md
// ("Semantics") says; this is the executable specification the RTL matches. Numerics come
// from compiler/quant/fixed-point.ts. Conv outputs of the job region are computed once and
// then pooled; the hardware recomputes overlapping windows, with identical results.
import { Act, PoolKind, weightHeaderBytes, type Descriptor } from '../../compiler/contracts/bundle-format.ts';
import { rshr, sat16 } from '../../compiler/quant/fixed-point.ts';
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

function act(y: number, d: Descriptor): number {
  switch (d.act) {
    case Act.NONE: return y;
    case Act.RELU: return y > 0 ? y : 0;
    case Act.LEAKY: return y >= 0 ? y : rshr(y * d.actA, 15);
    case Act.CLIP: return y < d.actA ? d.actA : y > d.actB ? d.actB : y;
    default: throw new CnnaError('E_BUNDLE', `descriptor has activation kind ${d.act}, which the engine does not know`);
  }
}

function checkRange(ddr: Ddr, what: string, lo: number, hi: number, job: number): void {
  if (lo < 0 || hi > ddr.bytes.length || (lo & 1)) {
    throw new CnnaError('E_BUNDLE', `job ${job}: ${what} [${lo}, ${hi}) is outside the bundle's DDR (${ddr.bytes.length} bytes) or misaligned`);
  }
}

export function runJob(ddr: Ddr, d: Descriptor, pi: number, po: number, job: number): void {
  const { view, i16 } = ddr;
  const nTap = d.kh * d.kw * d.cg;
  const wh = weightHeaderBytes(po);
  checkRange(ddr, 'weight block', d.wAddr, d.wAddr + wh + nTap * pi * po * 2, job);
  if (d.hin > 0 && d.win > 0 && d.cg > 0) {
    checkRange(ddr, 'input tile', d.inAddr, d.inAddr + (d.cg - 1) * d.inCgStride + (d.hin - 1) * d.inRowStride + d.win * pi * 2, job);
  }
  const groups = Math.min(d.outGroups, po / pi);
  if (d.hp > 0 && d.wp > 0) {
    checkRange(ddr, 'output', d.outAddr, d.outAddr + (groups - 1) * d.outCgStride + (d.hp - 1) * d.outRowStride + d.wp * pi * 2, job);
  }
  const bias = new Float64Array(po);
  const shift = new Int32Array(po);
  for (let m = 0; m < po; m++) {
    bias[m] = Number(view.getBigInt64(d.wAddr + m * 8, true));
    shift[m] = view.getUint8(d.wAddr + po * 8 + m);
  }
  const w0 = (d.wAddr + wh) >> 1;
  const word = pi * po;
  const { hc, wc } = d;
  // Activated conv outputs of the region, [cy][cx][m].
  const y = new Int16Array(hc * wc * po);
  const acc = new Float64Array(po);
  for (let cy = 0; cy < hc; cy++) {
    for (let cx = 0; cx < wc; cx++) {
      acc.set(bias);
      for (let ky = 0; ky < d.kh; ky++) {
        const iy = cy * d.strideH - d.padT + ky * d.dilH;
        if (iy < 0 || iy >= d.hin) continue;
        for (let kx = 0; kx < d.kw; kx++) {
          const ix = cx * d.strideW - d.padL + kx * d.dilW;
          if (ix < 0 || ix >= d.win) continue;
          const xRow = d.inAddr + iy * d.inRowStride + ix * pi * 2;
          for (let g = 0; g < d.cg; g++) {
            const xb = (xRow + g * d.inCgStride) >> 1;
            const wb = w0 + ((ky * d.kw + kx) * d.cg + g) * word;
            for (let m = 0; m < po; m++) {
              const wm = wb + m * pi;
              let s = 0;
              for (let ci = 0; ci < pi; ci++) s += i16[wm + ci] * i16[xb + ci];
              acc[m] += s;
            }
          }
        }
      }
      const o = (cy * wc + cx) * po;
      for (let m = 0; m < po; m++) y[o + m] = act(sat16(rshr(acc[m], shift[m])), d);
    }
  }
  const kind = d.poolKind;
  const pkh = kind === PoolKind.NONE ? 1 : d.poolKh;
  const pkw = kind === PoolKind.NONE ? 1 : d.poolKw;
  const psh = kind === PoolKind.NONE ? 1 : d.poolStrideH;
  const psw = kind === PoolKind.NONE ? 1 : d.poolStrideW;
  const ppt = kind === PoolKind.NONE ? 0 : d.poolPadT;
  const ppl = kind === PoolKind.NONE ? 0 : d.poolPadL;
  if (kind !== PoolKind.NONE && kind !== PoolKind.MAX && kind !== PoolKind.AVG) {
    throw new CnnaError('E_BUNDLE', `job ${job}: pool kind ${kind} is not defined`);
  }
  for (let py = 0; py < d.hp; py++) {
    for (let px = 0; px < d.wp; px++) {
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
        const out = kind === PoolKind.AVG ? sat16(rshr(S * d.avgM, d.avgShift)) : r;
        const g = Math.floor(m / pi);
        i16[(d.outAddr + g * d.outCgStride + py * d.outRowStride + px * pi * 2 + (m % pi) * 2) >> 1] = out;
      }
    }
  }
}
