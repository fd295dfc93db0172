// Gemm (FC) -> one JOB per block of PO outputs: a 1x1 "conv" on a 1x1 input whose channel
// groups are the whole input tensor read as a flat NCHW16c vector (inCgStride = one entry).
// The weights are permuted into that order (zero for padded channels); they stream (hc = wc = 1).
// A concat of flattened tensors (DdrValue.parts) is read the same way, part after part.
import type { GemmNode } from '../ir/graph.ts';
import type { QuantizedModel } from '../golden/fixed/quantized-model.ts';
import { Flag, MAX_BATCH, PoolKind, weightHeaderBytes } from '../contracts/bundle-format.ts';
import { CnnaError } from '../errors/cnna-error.ts';
import type { BackendContext, DdrValue } from './context.ts';
import { emitSpatial, type Unit } from './emit-spatial.ts';
import { actFields } from './map-conv.ts';

export function mapGemm(ctx: BackendContext, qm: QuantizedModel, node: GemmNode, x: DdrValue, out: DdrValue, layerIndex: number): number {
  const where = `gemm node '${node.name}'`;
  const w = qm.weights.get(node.name);
  if (!w) throw new CnnaError('E_GRAPH', `${where} has no quantized weights`);
  if (node.transA) throw new CnnaError('E_UNSUPPORTED', `${where}: transA = 1 is not supported by the engine`);
  const bias = qm.biases.get(node.name)?.q ?? null;
  const { pi, po } = ctx;
  const t = x.t;
  const parts = x.parts ?? [{ c: t.c, h: t.h, w: t.w, group: 0 }];
  const K = parts.reduce((a, p) => a + p.c * p.h * p.w, 0);
  const N = out.t.c;
  const [wr, wc] = w.dims;
  const [wn, wk] = node.transB ? [wr, wc] : [wc, wr];
  if (wn !== N || wk !== K) throw new CnnaError('E_GRAPH', `${where}: weight [${w.dims}] does not map ${K} inputs to ${N} outputs`);
  if (K > 65536) throw new CnnaError('E_FIT', `layer '${node.name}': reduction length ${K} exceeds 65536 (48-bit accumulator rule)`);
  const shiftOf = (m: number): number => x.f + (w.wf.length === 1 ? w.wf[0] : w.wf[m]) - out.f;
  for (let m = 0; m < N; m++) if (shiftOf(m) < 0) throw new CnnaError('E_GRAPH', `${where}: output format f=${out.f} exceeds f_in + f_w (column ${m})`);
  if (bias && bias.length !== N) throw new CnnaError('E_UNSUPPORTED', `${where}: a bias of ${bias.length} values (not ${N}) is not supported`);
  const groups = x.parts ? t.cg : t.cg * t.h * t.w;
  const bank = ctx.config.buffers.inputBankEntries;
  const batched = gemmBatchable(ctx, x, out);
  if (groups > bank && !batched) throw ctx.fit(node.name, `an FC input of ${K} values (${groups} channel groups)`, groups, 'entries', 'input bank', 'inputBankEntries', bank);
  const nCb = Math.ceil(N / po);
  const lanesPerGroup = po / pi;
  const units: Unit[] = [];
  const blocks: (Uint8Array | number)[] = [];
  for (let cb = 0; cb < nCb; cb++) {
    const block = ctx.weightBlock({
      pi, po, kh: 1, kw: 1, cg: groups,
      bias: (m) => { const mo = cb * po + m; return mo < N && bias ? bias[mo] : 0; },
      shift: (m) => { const mo = cb * po + m; return mo < N ? shiftOf(mo) : 0; },
      fill: (words) => {
        const q = w.q;
        const step = po * pi;
        for (let m = 0; m < po; m++) {
          const mo = cb * po + m;
          if (mo >= N) break;
          let kBase = 0;
          for (const part of parts) {
            const hw = part.h * part.w;
            for (let c = 0; c < part.c; c++) {
              const plane = Math.floor(c / pi);
              let o = ((part.group + plane * hw) * po + m) * pi + (c % pi);
              const k0 = kBase + c * hw;
              if (node.transB) {
                const src = mo * K + k0;
                for (let yx = 0; yx < hw; yx++, o += step) words[o] = q[src + yx];
              } else {
                for (let yx = 0; yx < hw; yx++, o += step) words[o] = q[(k0 + yx) * N + mo];
              }
            }
            kBase += part.c * hw;
          }
        }
      },
    });
    if (batched) {
      blocks.push(block);
      continue;
    }
    units.push({
      inBase: t.offset,
      wAddr: ctx.params.add(block),
      outBase: out.t.offset + cb * lanesPerGroup * out.t.cgStride,
      outGroups: Math.min(lanesPerGroup, out.t.cg - cb * lanesPerGroup),
    });
  }
  if (batched) return emitGemmBatch(ctx, layerIndex, x, out, groups, blocks, actFields(node.activation, out.f, where));
  const one = { size: 1, k: 1, s: 1, d: 1, p: 0, out: 1, pk: 1, ps: 1, pp: 0, ppEnd: 0, pout: 1 };
  const vec = { offset: t.offset, c: K, h: 1, w: 1, cg: groups, cgStride: pi * 2, rowStride: pi * 2 };
  return emitSpatial(ctx, {
    name: node.name, layerIndex, input: vec, output: out.t, cg: groups, inCgStride: pi * 2,
    kh: 1, kw: 1, rows: one, cols: one, poolKind: PoolKind.NONE, countPad: false,
    ...actFields(node.activation, out.f, where), units, sharedInput: true, weightWords: groups,
  });
}

/**
 * A batch bundle's FC layer runs as BATCH jobs (rows = images) when both tensors' image strides fit the
 * descriptor's 16-bit row strides; otherwise it runs once per image like the other layers.
 */
export function gemmBatchable(ctx: BackendContext, x: DdrValue, out: DdrValue): boolean {
  return ctx.batch > 1 && (x.t.imageStride ?? 0) <= 0xffff && (out.t.imageStride ?? 0) <= 0xffff;
}

/**
 * The BATCH jobs of one FC layer: per group of up to MAX_BATCH images, per PO block, the input
 * vectors' channel groups in chunks whose rows (images) x groups fit one input bank. A chunk after
 * the first continues the sums of the one before (ACC_IN), a chunk before the last holds them
 * (ACC_OUT), so the sums stay exact in the engine's 48-bit accumulators; odd PO blocks walk the chunks
 * backwards and start on the chunk already in the bank (REUSE_INPUT). Each chunk has its own
 * weight block (the full block's header and its words), shared by every image group: with at most
 * MAX_BATCH images each weight word crosses DDR once per batch.
 */
function emitGemmBatch(ctx: BackendContext, layerIndex: number, x: DdrValue, out: DdrValue, groups: number,
  blocks: (Uint8Array | number)[], act: { act: number; actA: number; actB: number }): number {
  const { pi, po } = ctx;
  const bank = ctx.config.buffers.inputBankEntries;
  const N = ctx.batch;
  const wordBytes = pi * po * 2;
  const hdr = weightHeaderBytes(po);
  const lanesPerGroup = po / pi;
  const first = ctx.jobs.length;
  // Chunk sizes by the largest image group (the same chunks serve every group, so the blocks are shared).
  const nb0 = Math.min(MAX_BATCH, N);
  const nChunks = Math.ceil(groups / Math.floor(bank / nb0));
  const chunkCg = Math.ceil(groups / nChunks);
  const chunkAddr: number[][] = blocks.map((b) => {
    const addrs: number[] = [];
    for (let c = 0; c < nChunks; c++) {
      const g0 = c * chunkCg;
      const cg = Math.min(chunkCg, groups - g0);
      if (nChunks === 1) { addrs.push(ctx.params.add(b)); continue; }
      if (typeof b === 'number') { addrs.push(ctx.params.add(hdr + cg * wordBytes)); continue; }
      const part = new Uint8Array(hdr + cg * wordBytes);
      part.set(b.subarray(0, hdr), 0);
      part.set(b.subarray(hdr + g0 * wordBytes, hdr + (g0 + cg) * wordBytes), hdr);
      addrs.push(ctx.params.add(part));
    }
    return addrs;
  });
  const inStride = x.t.imageStride!;
  const outStride = out.t.imageStride!;
  for (let n0 = 0; n0 < N; n0 += MAX_BATCH) {
    const nb = Math.min(MAX_BATCH, N - n0);
    for (let cb = 0; cb < blocks.length; cb++) {
      // Odd blocks walk the chunks backwards, so each block starts on the chunk the block before ended
      // with (REUSE_INPUT: one chunk load less per block); the sum is the same exact integer in any order.
      for (let k = 0; k < nChunks; k++) {
        const c = cb % 2 ? nChunks - 1 - k : k;
        const g0 = c * chunkCg;
        const d = ctx.newJob();
        d.layer = layerIndex;
        d.flags = Flag.BATCH | (k > 0 ? Flag.ACC_IN : 0) | (k < nChunks - 1 ? Flag.ACC_OUT : 0);
        if (ctx.jobs.length === first) d.flags |= Flag.SYNC;
        else if (cb > 0 && k === 0) d.flags |= Flag.REUSE_INPUT;
        d.inAddr = x.t.offset + n0 * inStride + g0 * pi * 2;
        d.wAddr = chunkAddr[cb][c];
        d.outAddr = out.t.offset + n0 * outStride + cb * lanesPerGroup * out.t.cgStride;
        d.inCgStride = pi * 2;
        d.outCgStride = out.t.cgStride;
        d.inRowStride = inStride;
        d.outRowStride = outStride;
        d.hin = nb; d.win = 1; d.cg = Math.min(chunkCg, groups - g0);
        d.hc = nb; d.wc = 1; d.hp = nb; d.wp = 1;
        d.kh = 1; d.kw = 1; d.strideH = 1; d.strideW = 1; d.dilH = 1; d.dilW = 1;
        d.poolKind = PoolKind.NONE; d.poolKh = 1; d.poolKw = 1; d.poolStrideH = 1; d.poolStrideW = 1;
        d.outGroups = Math.min(lanesPerGroup, out.t.cg - cb * lanesPerGroup);
        d.act = act.act; d.actA = act.actA; d.actB = act.actB;
        ctx.jobs.push(d);
      }
    }
  }
  return first;
}
