// Seeded random single-layer programs for the engine: one bundle = one layer of 1..3 jobs: one input
// tile and PO blocks of output channels (PO / PI lane groups each) that reuse it; or a second, SYNCed
// job that reads the first job's output; or a twin job that reruns the layer into a second output
// keeping the weight block (REUSE_WEIGHTS, sometimes the input tile too). Random shapes, strides,
// dilations, pads, pooling, activation, channel counts that are not multiples of the array, and
// FC-style streamed jobs. Expected results come from the executable spec (sim/ref), never from the RTL.
import {
  Act, DESC_BYTES, FORMAT_NAME, FORMAT_VERSION, Flag, PoolKind, emptyDescriptor, encodeDescriptor, encodeHeader,
  weightHeaderBytes, type Bundle, type Descriptor, type Manifest, type TensorIo,
} from '../../compiler/contracts/bundle-format.ts';
import { configHash, type HwConfig } from '../../compiler/contracts/hw-config.ts';
import { avgPoolMultiplier, quant } from '../../compiler/golden/fixed/fixed-point.ts';
import { mulberry32 } from '../../compiler/util/prng.ts';

export { mulberry32 } from '../../compiler/util/prng.ts';

export interface RandomCase {
  bundle: Bundle;
  input: Int16Array;
  summary: string;
}

const align = (n: number, a: number) => Math.ceil(n / a) * a;

export function randomCase(config: HwConfig, seed: number): RandomCase {
  const rnd = mulberry32(seed);
  const ri = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));
  const pick = <T>(xs: T[]): T => xs[Math.floor(rnd() * xs.length)];
  const { pi, po } = config.array;
  const group = pi * 2;
  const fc = rnd() < 0.15;
  // Some FC jobs stream more words than the weight ring holds (it wraps several times).
  // (An FC input is one tile: at most inputBankEntries channel groups.)
  const cin = fc ? Math.min(rnd() < 0.3 ? ri(700 * pi, 1100 * pi) : ri(1, 40 * pi), config.buffers.inputBankEntries * pi) : ri(1, 3 * pi + 5);
  const cg = Math.ceil(cin / pi);
  let hin: number, win: number, kh: number, kw: number, sH = 1, sW = 1, dH = 1, dW = 1, pT = 0, pL = 0, pB = 0, pR = 0;
  if (fc) {
    hin = win = kh = kw = 1;
  } else {
    for (;;) {
      hin = ri(1, 12); win = ri(1, 12);
      kh = ri(1, 5); kw = ri(1, 5);
      sH = ri(1, 3); sW = ri(1, 3); dH = ri(1, 2); dW = ri(1, 2);
      pT = ri(0, 2); pL = ri(0, 2); pB = ri(0, 2); pR = ri(0, 2);
      const eh = hin + pT + pB - dH * (kh - 1) - 1;
      const ew = win + pL + pR - dW * (kw - 1) - 1;
      if (eh >= 0 && ew >= 0 && hin * win * cg <= config.buffers.inputBankEntries && kh * kw * cg <= config.buffers.weightBankWords) break;
    }
  }
  const hc = fc ? 1 : Math.floor((hin + pT + pB - dH * (kh - 1) - 1) / sH) + 1;
  const wc = fc ? 1 : Math.floor((win + pL + pR - dW * (kw - 1) - 1) / sW) + 1;
  let pool: number = fc ? PoolKind.NONE : pick([PoolKind.NONE, PoolKind.MAX, PoolKind.AVG]);
  let pk = [1, 1], ps = [1, 1], pp = [0, 0];
  if (pool !== PoolKind.NONE) {
    pk = [ri(1, Math.min(3, hc + 1)), ri(1, Math.min(3, wc + 1))];
    ps = [ri(1, 3), ri(1, 3)];
    pp = [ri(0, pk[0] - 1), ri(0, pk[1] - 1)];
    if (hc + 2 * pp[0] < pk[0] || wc + 2 * pp[1] < pk[1]) { pool = PoolKind.NONE; pk = [1, 1]; ps = [1, 1]; pp = [0, 0]; }
  }
  const hp = Math.floor((hc + 2 * pp[0] - pk[0]) / ps[0]) + 1;
  const wp = Math.floor((wc + 2 * pp[1] - pk[1]) / ps[1]) + 1;
  const act = pick([Act.NONE, Act.RELU, Act.LEAKY, Act.CLIP]);
  const cout = fc ? ri(1, 2 * po + 3) : ri(1, 2 * po + 3);
  const blocks = Math.ceil(cout / po);
  const twoLayer = !fc && blocks === 1 && rnd() < 0.3;
  // A twin job: the same layer again into a second output, keeping the weight block (REUSE_WEIGHTS).
  const twin = !fc && blocks === 1 && !twoLayer && rnd() < 0.3;
  const twinKeepsInput = twin && rnd() < 0.5;

  // DDR layout: descriptors | params | input | output(s).
  const jobsN = twoLayer || twin ? 2 : blocks;
  const descBytes = (jobsN + 1) * DESC_BYTES;
  const wWords = kh * kw * cg;
  const wBlock = weightHeaderBytes(po) + wWords * pi * po * 2;
  const params = align(descBytes, 64);
  const wBlock2 = weightHeaderBytes(po) + 1 * pi * po * 2;
  const paramsSize = align(blocks * wBlock + (twoLayer ? wBlock2 : 0), 64);
  const inOff = params + paramsSize;
  const inRow = win * group, inCgStride = hin * inRow;
  const outOff = align(inOff + cg * inCgStride, 64);
  const outCg = Math.ceil(cout / pi);
  const outRow = wp * group, outCgStride = hp * outRow;
  const out2Off = align(outOff + outCg * outCgStride, 64);
  const ddrBytes = align(out2Off + (twoLayer ? outCgStride : twin ? outCg * outCgStride : 0), 64);

  const weights = new Uint8Array(paramsSize);
  const wv = new DataView(weights.buffer);
  const randBlock = (at: number, words: number, shiftLo: number, shiftHi: number, wAmp: number) => {
    for (let m = 0; m < po; m++) {
      const live = m < cout;
      wv.setBigInt64(at + m * 8, BigInt(live ? Math.floor((rnd() - 0.5) * 2 ** ri(20, 44)) : 0), true);
      wv.setUint8(at + po * 8 + m, live ? ri(shiftLo, shiftHi) : 0);
    }
    const w0 = at + weightHeaderBytes(po);
    for (let k = 0; k < words * pi * po; k++) wv.setInt16(w0 + 2 * k, Math.floor((rnd() - 0.5) * 2 * wAmp), true);
  };
  for (let b = 0; b < blocks; b++) randBlock(b * wBlock, wWords, 10, 22, pick([300, 3000, 32767]));
  if (twoLayer) randBlock(blocks * wBlock, 1, 12, 18, 3000);

  const aq = quant(rnd() * 0.9, 15);
  const lo = ri(-20000, 0), hi = ri(1, 20000);
  const base = (): Descriptor => {
    const d = emptyDescriptor();
    Object.assign(d, {
      hin, win, cg, hc, wc, hp, wp, kh, kw, strideH: sH, strideW: sW, dilH: dH, dilW: dW, padT: pT, padL: pL,
      poolKind: pool, outGroups: 1, poolKh: pk[0], poolKw: pk[1], poolStrideH: ps[0], poolStrideW: ps[1],
      poolPadT: pp[0], poolPadL: pp[1], act, actA: act === Act.LEAKY ? aq : act === Act.CLIP ? lo : 0,
      actB: act === Act.CLIP ? hi : 0, inAddr: inOff, inCgStride, inRowStride: inRow, outRowStride: outRow, outCgStride,
    });
    if (pool === PoolKind.AVG) {
      const am = avgPoolMultiplier(pk[0] * pk[1]);
      d.avgM = am.m;
      d.avgShift = am.shift;
    }
    return d;
  };
  const descs: Descriptor[] = [];
  const lanesPerGroup = po / pi;
  for (let b = 0; b < blocks; b++) {
    const d = base();
    d.wAddr = params + b * wBlock;
    // A block of PO output channels is PO / PI lane groups (planes); the last block may write fewer.
    d.outAddr = outOff + b * lanesPerGroup * outCgStride;
    d.outGroups = Math.min(lanesPerGroup, outCg - b * lanesPerGroup);
    d.flags = (b === 0 ? Flag.SYNC : Flag.REUSE_INPUT);
    descs.push(d);
  }
  if (twoLayer) {
    const d = emptyDescriptor();
    Object.assign(d, {
      hin: hp, win: wp, cg: 1, hc: hp, wc: wp, hp, wp, kh: 1, kw: 1, strideH: 1, strideW: 1, dilH: 1, dilW: 1,
      poolKind: PoolKind.NONE, outGroups: 1, poolKh: 1, poolKw: 1, poolStrideH: 1, poolStrideW: 1, act: Act.RELU,
      inAddr: outOff, inCgStride: outCgStride, inRowStride: outRow, outRowStride: outRow, outCgStride,
      wAddr: params + blocks * wBlock, outAddr: out2Off, flags: Flag.SYNC, layer: 1,
    });
    descs.push(d);
  }
  if (twin) {
    const d = { ...descs[0] };
    d.outAddr = out2Off;
    d.flags = Flag.REUSE_WEIGHTS | (twinKeepsInput ? Flag.REUSE_INPUT : 0);
    descs.push(d);
  }
  descs[descs.length - 1].flags |= Flag.LAST;
  const descriptors = new Uint8Array(descBytes);
  const dv = new DataView(descriptors.buffer);
  const hash = configHash(config);
  encodeHeader({ version: FORMAT_VERSION, count: descs.length, ddrBytes, configHash: hash }, dv, 0);
  descs.forEach((d, i) => encodeDescriptor(d, dv, (i + 1) * DESC_BYTES));

  const layout = (offset: number, c: number, h: number, w: number) => ({
    offset, c, h, w, cg: Math.ceil(c / pi), cgStride: h * w * group, rowStride: w * group,
  });
  const inputs: TensorIo[] = [{ name: 'x', shape: [1, cin, hin, win], f: 14, order: 'nchw', layout: layout(inOff, cin, hin, win) }];
  const outputs: TensorIo[] = [{ name: 'y', shape: [1, cout, hp, wp], f: 12, order: 'nchw', layout: layout(outOff, cout, hp, wp) }];
  if (twoLayer) outputs.push({ name: 'z', shape: [1, Math.min(cout, pi), hp, wp], f: 12, order: 'nchw', layout: layout(out2Off, Math.min(cout, pi), hp, wp) });
  if (twin) outputs.push({ name: 'z', shape: [1, cout, hp, wp], f: 12, order: 'nchw', layout: layout(out2Off, cout, hp, wp) });
  const macs = hc * wc * cout * cin * kh * kw;
  const manifest: Manifest = {
    format: FORMAT_NAME, version: FORMAT_VERSION, model: `random-${seed}`, configHash: hash, hwConfig: config,
    memoryMap: { ddrBytes, regions: [
      { name: 'descriptors', offset: 0, size: descBytes, file: 'descriptors.bin' },
      { name: 'params', offset: params, size: paramsSize, file: 'weights.bin' },
      { name: 'activations', offset: inOff, size: ddrBytes - inOff },
    ] },
    descriptors: { file: 'descriptors.bin', offset: 0, count: descs.length },
    params: { file: 'weights.bin', offset: params, size: paramsSize },
    inputs, outputs,
    layers: [{ name: 'layer0', op: fc ? 'gemm' : 'conv', jobs: [1, twin ? 2 : blocks], macs: twin ? 2 * macs : macs },
      ...(twoLayer ? [{ name: 'layer1', op: 'conv', jobs: [2, 2] as [number, number], macs: hp * wp * pi * pi }] : [])],
    files: {},
  };
  const n = cin * hin * win;
  const input = new Int16Array(n);
  for (let k = 0; k < n; k++) input[k] = Math.floor((rnd() - 0.5) * 65536);
  const summary = `seed ${seed}: ${fc ? 'fc' : 'conv'} cin ${cin} cout ${cout} in ${hin}x${win} k ${kh}x${kw} s ${sH},${sW} d ${dH},${dW} pad ${pT},${pL} ` +
    `pool ${pool} ${pk.join('x')}/${ps.join(',')}/${pp.join(',')} act ${act} jobs ${descs.length}${twoLayer ? ' (2 layers)' : ''}${twin ? ` (twin, reused weights${twinKeepsInput ? ' and input' : ''})` : ''}`;
  return { bundle: { manifest, descriptors, weights }, input, summary };
}
