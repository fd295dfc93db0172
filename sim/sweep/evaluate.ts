// One sweep point: a candidate config against the board and every model. Validation (refused with
// the schema's reason), a layout-only compile per model (cached by what the back end reads: PI, PO
// and the two bank depths), the performance model per layer with the board's DDR, the resource
// model, the board fit and the timing estimate.
import { validateConfig, configHash, type HwConfig } from '../../compiler/contracts/hw-config.ts';
import { checkBatch, compileBundle } from '../../compiler/backend/compile-bundle.ts';
import type { QuantizedModel } from '../../compiler/golden/fixed/quantized-model.ts';
import { isCnnaError } from '../../compiler/errors/cnna-error.ts';
import type { BoardSpec } from '../../boards/board-spec.ts';
import { LayerAccumulator, perfCompileOptions } from '../perf/model-bundle.ts';
import { DESC_BYTES, Flag, Opcode, decodeDescriptor, decodeHeader, type Descriptor } from '../../compiler/contracts/bundle-format.ts';
import { estimateResources, type ResourceEstimate } from '../synth/resource-model.ts';
import { LUT_BUDGET } from '../synth/yosys.ts';
import { timingEstimate, type TimingEstimate } from './timing-estimate.ts';

export interface LayerResult {
  name: string; op: string; macs: number; cycles: number; ddrBytes: number; utilization: number; rooflineCycles: number; minDdrBytes: number;
}

export interface ModelResult {
  model: string;
  /** Set when the compiler refused the model on this config (E_FIT, E_UNSUPPORTED ...). */
  refused?: string;
  cycles?: number;
  /** One start (batch images with SweepEvaluator's batch > 1); throughputIps = batch / latency. */
  latencyMs?: number;
  throughputIps?: number;
  jobs?: number;
  macs?: number;
  utilization?: number;
  layers?: LayerResult[];
}

export interface FitResult {
  dsp: { used: number; limit: number; ok: boolean };
  bram36: { used: number; limit: number; ok: boolean };
  lut: { used: number; limit: number; ok: boolean };
  ff: { used: number; limit: number; ok: boolean };
  ok: boolean;
}

export interface SweepEntry {
  /** Position in the space's expansion order (shards keep it, so a merge restores one run's order). */
  index: number;
  configHash: string;
  config: Record<string, unknown>;
  status: 'ok' | 'refused';
  /** Why the config or a model was refused. */
  reason?: string;
  models: ModelResult[];
  resources?: ResourceEstimate & { source: 'model' | 'yosys' };
  fit?: FitResult;
  timing?: TimingEstimate;
  /** Sum over the models (ms), and images per second of the slowest. */
  latencyMs?: number;
  throughputIps?: number;
  pareto: boolean;
}

export interface LoadedSweepModel { name: string; qm: QuantizedModel }

/** Hash of a raw config (not validated): canonical JSON, so refused configs get one too. */
export function rawConfigHash(raw: Record<string, unknown>): string {
  try {
    return configHash(validateConfig(raw));
  } catch {
    return configHash(raw as HwConfig);
  }
}

export function boardFit(r: ResourceEstimate, b: BoardSpec): FitResult {
  const lutLimit = Math.floor(b.lut * LUT_BUDGET);
  const dsp = { used: r.dsp, limit: b.dsp, ok: r.dsp <= b.dsp };
  const bram36 = { used: r.bram36, limit: b.bram36, ok: r.bram36 <= b.bram36 };
  const lut = { used: r.lut, limit: lutLimit, ok: r.lut <= lutLimit };
  const ff = { used: r.ff, limit: b.ff, ok: r.ff <= b.ff };
  return { dsp, bram36, lut, ff, ok: dsp.ok && bram36.ok && lut.ok && ff.ok };
}

/** Compiles a SweepEvaluator keeps per model (least recently used out). */
const COMPILES_KEPT = 4;

type Compiled = { descriptors: Descriptor[]; layers: { name: string; op: string; macs: number; minDdrBytes?: number }[] } | { refused: string };

export class SweepEvaluator {
  private tilings = new Map<string, Compiled>();
  compiles = 0;

  /** batch: images per start the models are compiled for (throughput counts all of them). */
  constructor(readonly board: BoardSpec, readonly models: LoadedSweepModel[], readonly batch = 1) {
    checkBatch(batch);
  }

  private compiled(m: LoadedSweepModel, c: HwConfig): Compiled {
    // The back end reads only these fields of the config (compiler/backend: array, bank depths); with
    // array.winograd its Winograd/direct choice runs the performance model, which reads the whole config
    // (clock, AXI, FIFO) and the board, so such a compile serves that config only.
    const key = c.array.winograd ? `${m.name}|${configHash(c)}` : `${m.name}|${c.array.pi}|${c.array.po}|${c.buffers.inputBankEntries}|${c.buffers.weightBankWords}`;
    let r = this.tilings.get(key);
    if (r) {
      // Most recently used last: the least recently used compile is the first to go.
      this.tilings.delete(key);
      this.tilings.set(key, r);
    } else {
      this.compiles++;
      try {
        const b = compileBundle(m.qm, c, { layoutOnly: true, batch: this.batch, ...perfCompileOptions(c, this.board) });
        const v = new DataView(b.descriptors.buffer, b.descriptors.byteOffset, b.descriptors.byteLength);
        const h = decodeHeader(v, 0);
        const descriptors: Descriptor[] = [];
        for (let j = 1; j <= h.count; j++) {
          const d = decodeDescriptor(v, j * DESC_BYTES);
          if (d.opcode !== Opcode.JOB) break;
          descriptors.push(d);
          if (d.flags & Flag.LAST) break;
        }
        r = { descriptors, layers: b.manifest.layers };
      } catch (e) {
        if (!isCnnaError(e)) throw e;
        r = { refused: `${m.name}: ${e.message}` };
      }
      this.tilings.set(key, r);
      // A VGG16 compile holds about 40,000 descriptors (some 15 MB): keeping every one made the worker's
      // heap grow to gigabytes and the collector a fifth of the CPU time. runSweep hands a worker the
      // configs that tile alike one after another, so a few recent compiles serve them all.
      while (this.tilings.size > COMPILES_KEPT * this.models.length) this.tilings.delete(this.tilings.keys().next().value!);
    }
    return r;
  }

  evaluate(raw: Record<string, unknown>, index: number): SweepEntry {
    const hash = rawConfigHash(raw);
    let c: HwConfig;
    try {
      c = validateConfig(raw, 'config');
    } catch (e) {
      if (!isCnnaError(e)) throw e;
      return { index, configHash: hash, config: raw, status: 'refused', reason: e.message.replace(/^config is invalid: /, ''), models: [], pareto: false };
    }
    const resources = { ...estimateResources(c), source: 'model' as const };
    const fit = boardFit(resources, this.board);
    const timing = timingEstimate(c);
    const models: ModelResult[] = [];
    for (const m of this.models) {
      const comp = this.compiled(m, c);
      if ('refused' in comp) { models.push({ model: m.name, refused: comp.refused }); continue; }
      const acc = new LayerAccumulator({ manifest: { layers: comp.layers } } as never, c, this.board);
      comp.descriptors.forEach((d, i) => acc.add(d, comp.descriptors[i + 1] ?? null));
      const perLayer = acc.finish();
      const macs = perLayer.reduce((a, l) => a + l.macs, 0);
      const latencyMs = (acc.cycles / (c.clockMhz * 1e6)) * 1e3;
      models.push({
        model: m.name, cycles: acc.cycles, latencyMs, throughputIps: (this.batch * 1e3) / latencyMs, jobs: comp.descriptors.length, macs,
        utilization: macs / (acc.cycles * c.array.pi * c.array.po),
        layers: perLayer.map((l, i) => ({
          name: l.name, op: l.op, macs: l.macs, cycles: l.cycles, ddrBytes: l.ddrBytes, utilization: l.utilization,
          rooflineCycles: l.rooflineCycles, minDdrBytes: comp.layers[i].minDdrBytes ?? 0,
        })),
      });
    }
    const refusedModel = models.find((m) => m.refused);
    if (refusedModel) {
      return { index, configHash: hash, config: c, status: 'refused', reason: refusedModel.refused, models, resources, fit, timing, pareto: false };
    }
    const latencyMs = models.reduce((a, m) => a + m.latencyMs!, 0);
    const throughputIps = Math.min(...models.map((m) => m.throughputIps!));
    return { index, configHash: hash, config: c, status: 'ok', models, resources, fit, timing, latencyMs, throughputIps, pareto: false };
  }
}
