// Conv (+ fused activation, + fused pool) -> JOB descriptors: one unit per block of PO output
// channels, grouped / depthwise weights expanded to dense ones (zeros outside the group) over
// the input channel groups that block reads.
import type { ConvNode, PoolSpec } from '../ir/graph.ts';
import type { QuantizedModel } from '../golden/fixed/quantized-model.ts';
import { Act, DESC_BYTES, Flag, PoolKind, WINO_MAX_LANES, WINO_WORDS_PER_GROUP, jobWeightBlockBytes, reusesWeights, winoPackInto, type Descriptor } from '../contracts/bundle-format.ts';
import { jobComputeCycles } from '../contracts/job-cycles.ts';
import { maxBlockWords } from '../contracts/hw-config.ts';
import { winoWeight } from '../golden/fixed/winograd.ts';
import { clipBounds, leakyAq } from '../golden/fixed/fixed-point.ts';
import { CnnaError } from '../errors/cnna-error.ts';
import type { BackendContext, DdrValue } from './context.ts';
import { emitSpatial, planSpatial, type SpatialLayer, type Unit } from './emit-spatial.ts';
import type { AxisGeom } from './tile-spatial.ts';
import { layoutBytes, planeLayout } from './act-alloc.ts';
import { mapPoolOrAct } from './map-identity.ts';
import type { Activation } from '../ir/graph.ts';

export function convOut(size: number, k: number, s: number, d: number, p0: number, p1: number): number {
  return Math.floor((size + p0 + p1 - d * (k - 1) - 1) / s) + 1;
}

export function actFields(act: Activation | undefined, f: number, where: string): { act: number; actA: number; actB: number } {
  if (!act) return { act: Act.NONE, actA: 0, actB: 0 };
  if (act.kind === 'relu') return { act: Act.RELU, actA: 0, actB: 0 };
  if (act.kind === 'leaky') return { act: Act.LEAKY, actA: leakyAq(act.alpha, where), actB: 0 };
  const [lo, hi] = clipBounds(act.min, act.max, f);
  return { act: Act.CLIP, actA: lo, actB: hi };
}

/** Pool fields of both axes for a pool applied on a convOH x convOW plane giving PH x PW. */
export function poolAxes(pool: PoolSpec | undefined, OH: number, OW: number, PH: number, PW: number, where: string) {
  if (!pool) {
    return { kind: PoolKind.NONE, countPad: false, r: { pk: 1, ps: 1, pp: 0, ppEnd: 0, pout: OH }, c: { pk: 1, ps: 1, pp: 0, ppEnd: 0, pout: OW } };
  }
  if (pool.kind === 'globalavg' || pool.kind === 'globalmax') {
    return {
      kind: pool.kind === 'globalavg' ? PoolKind.AVG : PoolKind.MAX, countPad: false,
      r: { pk: OH, ps: 1, pp: 0, ppEnd: 0, pout: 1 }, c: { pk: OW, ps: 1, pp: 0, ppEnd: 0, pout: 1 },
    };
  }
  if (pool.dilations[0] !== 1 || pool.dilations[1] !== 1) {
    throw new CnnaError('E_UNSUPPORTED', `${where}: pooling with dilation ${pool.dilations.join('x')} is not supported by the engine`);
  }
  const [pt, pl, pb, pr] = pool.pads;
  return {
    kind: pool.kind === 'max' ? PoolKind.MAX : PoolKind.AVG,
    countPad: pool.kind === 'avg' && pool.countIncludePad,
    r: { pk: pool.kernel[0], ps: pool.strides[0], pp: pt, ppEnd: pb, pout: PH },
    c: { pk: pool.kernel[1], ps: pool.strides[1], pp: pl, ppEnd: pr, pout: PW },
  };
}

export function mapConv(ctx: BackendContext, qm: QuantizedModel, node: ConvNode, x: DdrValue, out: DdrValue, layerIndex: number): number {
  const where = `conv node '${node.name}'`;
  const w = qm.weights.get(node.name);
  if (!w) throw new CnnaError('E_GRAPH', `${where} has no quantized weights`);
  const bias = qm.biases.get(node.name)?.q ?? null;
  const [M, Cg, KH, KW] = w.dims;
  const { pi, po } = ctx;
  const C = x.t.c;
  const H = x.t.h;
  const W = x.t.w;
  if (Cg * node.group !== C) throw new CnnaError('E_GRAPH', `${where}: weight [${w.dims}] does not match ${C} input channels with group ${node.group}`);
  const [sh, sw] = node.strides;
  const [dh, dw] = node.dilations;
  const [pt, pl, pb, pr] = node.pads;
  const OH = convOut(H, KH, sh, dh, pt, pb);
  const OW = convOut(W, KW, sw, dw, pl, pr);
  const fIn = x.f;
  const fOut = out.f;
  const shiftOf = (m: number): number => fIn + (w.wf.length === 1 ? w.wf[0] : w.wf[m]) - fOut;
  for (let m = 0; m < M; m++) if (shiftOf(m) < 0) throw new CnnaError('E_GRAPH', `${where}: output format f=${fOut} exceeds f_in + f_w (channel ${m})`);
  const K = Cg * KH * KW;
  if (K > 65536) throw new CnnaError('E_FIT', `layer '${node.name}': reduction length ${K} exceeds 65536 (48-bit accumulator rule)`);
  const Mg = M / node.group;
  const nCb = Math.ceil(M / po);
  // A grouped (e.g. depthwise) conv: output block cb reads only its groups' input channels,
  // input groups g0[cb] .. g0[cb] + cg - 1. When that run is shorter than the whole input,
  // each unit reads from its run and its weight block holds just those groups (a depthwise
  // 3x3 conv: 9 weight words per block instead of 9 per input group).
  const g0 = new Array<number>(nCb).fill(0);
  let cg = x.t.cg;
  if (node.group > 1) {
    let local = 0;
    for (let cb = 0; cb < nCb; cb++) {
      const mo0 = cb * po;
      const mo1 = Math.min(M, mo0 + po);
      g0[cb] = Math.floor((Math.floor(mo0 / Mg) * Cg) / pi);
      local = Math.max(local, Math.ceil(((Math.floor((mo1 - 1) / Mg) + 1) * Cg) / pi) - g0[cb]);
    }
    if (local < cg && g0.every((g) => g + local <= x.t.cg)) cg = local;
    else g0.fill(0);
  }
  const lanesPerGroup = po / pi;
  const unitOf = (cb: number, wAddr: number): Unit => ({
    inBase: x.t.offset + g0[cb] * x.t.cgStride,
    wAddr,
    outBase: out.t.offset + cb * lanesPerGroup * out.t.cgStride,
    outGroups: Math.min(lanesPerGroup, out.t.cg - cb * lanesPerGroup),
  });
  const biasOf = (cb: number) => (m: number): number => { const mo = cb * po + m; return mo < M && bias ? bias[mo] : 0; };
  const shiftOfLane = (cb: number) => (m: number): number => { const mo = cb * po + m; return mo < M ? shiftOf(mo) : 0; };
  const makeUnits = (winograd: boolean): Unit[] => {
    const units: Unit[] = [];
    for (let cb = 0; cb < nCb; cb++) {
      const block = winograd ? ctx.weightBlock({
        pi, po, kh: KH, kw: KW, cg, words: WINO_WORDS_PER_GROUP * cg, bias: biasOf(cb), shift: shiftOfLane(cb),
        fill: (words) => {
          // U = (2G) g (2G)^T per (output, input) channel pair, packed as low halves and high nibbles.
          const word = pi * po;
          const u = new Int32Array(16);
          for (let m = 0; m < po; m++) {
            const mo = cb * po + m;
            if (mo >= M) break;
            const grp = Math.floor(mo / Mg);
            for (let cl = 0; cl < Cg; cl++) {
              const c = grp * Cg + cl;
              winoWeight(w.q, (mo * Cg + cl) * 9, u);
              winoPackInto(words, word, Math.floor(c / pi) - g0[cb], m * pi + (c % pi), u);
            }
          }
        },
      }) : ctx.weightBlock({
        pi, po, kh: KH, kw: KW, cg, bias: biasOf(cb), shift: shiftOfLane(cb),
        fill: (words) => {
          const word = pi * po;
          for (let m = 0; m < po; m++) {
            const mo = cb * po + m;
            if (mo >= M) break;
            const grp = Math.floor(mo / Mg);
            for (let cl = 0; cl < Cg; cl++) {
              const c = grp * Cg + cl;
              const g = Math.floor(c / pi) - g0[cb];
              const lane = m * pi + (c % pi);
              const src = (mo * Cg + cl) * KH * KW;
              for (let ky = 0; ky < KH; ky++) {
                for (let kx = 0; kx < KW; kx++) words[((ky * KW + kx) * cg + g) * word + lane] = w.q[src + ky * KW + kx];
              }
            }
          }
        },
      });
      units.push(unitOf(cb, ctx.params.add(block)));
    }
    return units;
  };
  // A config without Winograd builds its blocks here, as it always did; with Winograd the mode is chosen first.
  let units: Unit[] = ctx.config.array.winograd ? [] : makeUnits(false);
  const af = actFields(node.activation, fOut, where);
  const shared = g0.every((g) => g === 0);
  const winoEligible = !!ctx.config.array.winograd && ctx.winograd !== 'never' && KH === 3 && KW === 3 && sh === 1 && sw === 1
    && dh === 1 && dw === 1 && !(OH === 1 && OW === 1) && cg * pi <= WINO_MAX_LANES && WINO_WORDS_PER_GROUP * cg <= maxBlockWords(ctx.config, true);
  const packed = winoEligible && ctx.winograd === 'always' ? -1 : packTaps(ctx, node, x, out, layerIndex, { C, H, W, M, KH, KW, OH, OW, shiftOf, bias, wq: w.q, af });
  if (packed >= 0) return packed;
  const pa = poolAxes(node.pool, OH, OW, out.t.h, out.t.w, where);
  const rows: AxisGeom = { size: H, k: KH, s: sh, d: dh, p: pt, out: OH, ...pa.r };
  const cols: AxisGeom = { size: W, k: KW, s: sw, d: dw, p: pl, out: OW, ...pa.c };
  const spec = (us: Unit[], winograd: boolean): SpatialLayer => ({
    name: node.name, layerIndex, input: x.t, output: out.t, cg, inCgStride: x.t.cgStride,
    kh: KH, kw: KW, rows, cols, poolKind: pa.kind, countPad: pa.countPad, ...af,
    units: us, sharedInput: shared, weightWords: winograd ? WINO_WORDS_PER_GROUP * cg : KH * KW * cg, winograd,
  });
  let winograd = false;
  if (ctx.config.array.winograd) {
    const plan = (wino: boolean): Descriptor[] => planSpatial(ctx, spec(Array.from({ length: nCb }, (_, cb) => unitOf(cb, cb)), wino));
    if (winoEligible) winograd = ctx.winograd === 'always' ? canPlan(() => plan(true)) : chooseWinograd(ctx, plan);
    units = makeUnits(winograd);
  }
  const weightWords = KH * KW * cg;
  const fused = (): number => emitSpatial(ctx, spec(units, winograd));
  // A Winograd layer was planned whole (its block fits the weight ring): it never splits.
  let split = !winograd && node.pool !== undefined && weightWords > ctx.config.buffers.weightBankWords && !(OH === 1 && OW === 1);
  if (node.pool && !split) {
    // A fused pool whose window (e.g. a global pool over 13x13x512) does not fit the input
    // bank runs as conv + act, then pool jobs; emitSpatial refuses before it emits a job.
    const jobs = ctx.jobs.length;
    try {
      return fused();
    } catch (e) {
      if (!(e instanceof CnnaError) || e.code !== 'E_FIT' || ctx.jobs.length !== jobs || winograd) throw e;
      split = true;
    }
  }
  if (node.pool && split) {
    // Per-pixel (streamed) conv jobs cannot fuse the pool: conv + act into a temporary tensor, then pool jobs.
    const t = planeLayout(pi, M, OH, OW);
    const size = layoutBytes(t);
    t.offset = ctx.arena.alloc(size);
    const tmp: DdrValue = { t, f: fOut, shape: [1, M, OH, OW], order: 'nchw' };
    const first = emitSpatial(ctx, {
      name: node.name, layerIndex, input: x.t, output: t, cg, inCgStride: x.t.cgStride, kh: KH, kw: KW,
      rows: { size: H, k: KH, s: sh, d: dh, p: pt, out: OH, pk: 1, ps: 1, pp: 0, ppEnd: 0, pout: OH },
      cols: { size: W, k: KW, s: sw, d: dw, p: pl, out: OW, pk: 1, ps: 1, pp: 0, ppEnd: 0, pout: OW },
      poolKind: PoolKind.NONE, countPad: false, ...af,
      units: units.map((u, cb) => ({ ...u, outBase: t.offset + cb * lanesPerGroup * t.cgStride })), sharedInput: shared, weightWords,
    });
    mapPoolOrAct(ctx, { op: 'pool', name: node.name, inputs: [], outputs: [], pool: node.pool }, tmp, out, layerIndex);
    ctx.arena.release(t.offset, size);
    return first;
  }
  return fused();
}

/**
 * Cycles of a planned layer by the performance model's per-job formula: the MAC array's cycles
 * (compiler/contracts/job-cycles.ts) or the job's DDR bytes at one AXI beat per cycle per port (weights on
 * port 1 with axi.ports 2), whichever is longer. The back end does not know the board's DDR controller,
 * so this is the perf model (sim/perf) without the controller's shared limit and latency.
 */
export function planCycles(ctx: BackendContext, jobs: Descriptor[]): number {
  const beat = ctx.config.axi.dataBits / 8;
  let total = 0;
  let prev: Descriptor | null = null;
  for (const d of jobs) {
    const wBytes = reusesWeights(d, prev) ? 0 : jobWeightBlockBytes(ctx.pi, ctx.po, d);
    const other = (d.flags & Flag.REUSE_INPUT ? 0 : d.hin * d.win * d.cg * ctx.pi * 2) + d.hp * d.wp * d.outGroups * ctx.pi * 2 + DESC_BYTES;
    const transfer = ctx.config.axi.ports >= 2 ? Math.max(wBytes, other) / beat : (wBytes + other) / beat;
    total += Math.max(jobComputeCycles(d), transfer);
    prev = d;
  }
  return total;
}

/**
 * Winograd or direct for one eligible layer: plan both (plan(true) Winograd, plan(false) direct) and take
 * the fewer modeled cycles (the caller's cycle model, ctx.layerCycles, else planCycles's per-job formula). A mode the engine cannot hold (E_FIT, or a direct layer that would need
 * per-pixel jobs) loses; if Winograd cannot be planned, direct it is.
 */
function chooseWinograd(ctx: BackendContext, plan: (winograd: boolean) => Descriptor[]): boolean {
  let wj: Descriptor[];
  try { wj = plan(true); } catch { return false; }
  let dj: Descriptor[];
  try { dj = plan(false); } catch { return true; }
  const cycles = ctx.layerCycles ?? ((jobs: Descriptor[]) => planCycles(ctx, jobs));
  return cycles(wj) < cycles(dj);
}

function canPlan(plan: () => Descriptor[]): boolean {
  try { plan(); return true; } catch { return false; }
}

interface PackArgs {
  C: number; H: number; W: number; M: number; KH: number; KW: number; OH: number; OW: number;
  shiftOf: (m: number) => number;
  bias: Float64Array | null;
  wq: Int16Array;
  af: { act: number; actA: number; actB: number };
}

/**
 * Few input channels (C·kw <= PI, e.g. an RGB first layer): a 1 x kw repack job copies the kw
 * horizontal taps of every pixel into the channels of a temporary tensor P (channel kx·C + c of
 * column u is x[c][y][u - padL + kx·dilW], weights 1, shift 0: exact), then the conv runs as a
 * kh x 1 conv over P, using kw times fewer MAC steps. Returns the first job, or -1 when the
 * rewrite does not pay (or does not apply).
 */
function packTaps(ctx: BackendContext, node: ConvNode, x: DdrValue, out: DdrValue, layerIndex: number, a: PackArgs): number {
  const { pi, po } = ctx;
  const { C, H, W, M, KH, KW, OH, OW } = a;
  const [sh, sw] = node.strides;
  const [dh, dw] = node.dilations;
  const [pt, pl] = node.pads;
  if (node.group !== 1 || KW < 2 || C * KW > pi || KH * KW > ctx.config.buffers.weightBankWords) return -1;
  const Wp = (OW - 1) * sw + 1;
  const nCb = Math.ceil(M / po);
  const pa = poolAxes(node.pool, OH, OW, out.t.h, out.t.w, `conv node '${node.name}'`);
  const candidates = (pa.kind === PoolKind.NONE ? OH * OW : OH * OW) * nCb;
  const saved = candidates * KH * (KW - 1);
  const cost = H * Wp * (KW + 4) + (H * Wp * pi * 2) / 8;
  if (saved < 2 * cost) return -1;
  const P = planeLayout(pi, C * KW, H, Wp);
  const size = layoutBytes(P);
  P.offset = ctx.arena.alloc(size);
  const repackW = ctx.params.add(ctx.weightBlock({
    pi, po, kh: 1, kw: KW, cg: 1,
    bias: () => 0,
    shift: () => 0,
    weight: (m, _g, ci, _ky, kx) => (ci < C && m === kx * C + ci ? 1 : 0),
  }));
  const first = emitSpatial(ctx, {
    name: node.name, layerIndex, input: x.t, output: P, cg: 1, inCgStride: x.t.cgStride, kh: 1, kw: KW,
    rows: { size: H, k: 1, s: 1, d: 1, p: 0, out: H, pk: 1, ps: 1, pp: 0, ppEnd: 0, pout: H },
    cols: { size: W, k: KW, s: 1, d: dw, p: pl, out: Wp, pk: 1, ps: 1, pp: 0, ppEnd: 0, pout: Wp },
    poolKind: PoolKind.NONE, countPad: false, act: 0, actA: 0, actB: 0,
    units: [{ inBase: x.t.offset, wAddr: repackW, outBase: P.offset, outGroups: 1 }], sharedInput: false, weightWords: KW,
  });
  const lanesPerGroup = po / pi;
  const units: Unit[] = [];
  for (let cb = 0; cb < nCb; cb++) {
    const block = ctx.weightBlock({
      pi, po, kh: KH, kw: 1, cg: 1,
      bias: (m) => { const mo = cb * po + m; return mo < M && a.bias ? a.bias[mo] : 0; },
      shift: (m) => { const mo = cb * po + m; return mo < M ? a.shiftOf(mo) : 0; },
      weight: (m, _g, ci, ky) => {
        const mo = cb * po + m;
        const kx = Math.floor(ci / C);
        const c = ci - kx * C;
        if (mo >= M || kx >= KW) return 0;
        return a.wq[((mo * C + c) * KH + ky) * KW + kx];
      },
    });
    units.push({
      inBase: P.offset, wAddr: ctx.params.add(block),
      outBase: out.t.offset + cb * lanesPerGroup * out.t.cgStride,
      outGroups: Math.min(lanesPerGroup, out.t.cg - cb * lanesPerGroup),
    });
  }
  emitSpatial(ctx, {
    name: node.name, layerIndex, input: P, output: out.t, cg: 1, inCgStride: P.cgStride, kh: KH, kw: 1,
    rows: { size: H, k: KH, s: sh, d: dh, p: pt, out: OH, ...pa.r },
    cols: { size: Wp, k: 1, s: sw, d: 1, p: 0, out: OW, ...pa.c },
    poolKind: pa.kind, countPad: pa.countPad, ...a.af, units, sharedInput: true, weightWords: KH,
  });
  ctx.arena.release(P.offset, size);
  return first;
}
