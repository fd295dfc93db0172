// Gemm (FC) -> one JOB per block of PO outputs: a 1x1 "conv" on a 1x1 input whose channel
// groups are the whole input tensor read as a flat NCHW16c vector (inCgStride = one entry).
// The weights are permuted into that order (zero for padded channels); they stream (hc = wc = 1).
// A concat of flattened tensors (DdrValue.parts) is read the same way, part after part.
import type { GemmNode } from '../ir/graph.ts';
import type { QuantizedModel } from '../golden/fixed/quantized-model.ts';
import { PoolKind } from '../contracts/bundle-format.ts';
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
  if (groups > bank) throw ctx.fit(node.name, `an FC input of ${K} values (${groups} channel groups)`, groups, 'entries', 'input bank', 'inputBankEntries', bank);
  const nCb = Math.ceil(N / po);
  const lanesPerGroup = po / pi;
  const units: Unit[] = [];
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
    units.push({
      inBase: t.offset,
      wAddr: ctx.params.add(block),
      outBase: out.t.offset + cb * lanesPerGroup * out.t.cgStride,
      outGroups: Math.min(lanesPerGroup, out.t.cg - cb * lanesPerGroup),
    });
  }
  const one = { size: 1, k: 1, s: 1, d: 1, p: 0, out: 1, pk: 1, ps: 1, pp: 0, ppEnd: 0, pout: 1 };
  const vec = { offset: t.offset, c: K, h: 1, w: 1, cg: groups, cgStride: pi * 2, rowStride: pi * 2 };
  return emitSpatial(ctx, {
    name: node.name, layerIndex, input: vec, output: out.t, cg: groups, inCgStride: pi * 2,
    kh: 1, kw: 1, rows: one, cols: one, poolKind: PoolKind.NONE, countPad: false,
    ...actFields(node.activation, out.f, where), units, sharedInput: true, weightWords: groups,
  });
}
