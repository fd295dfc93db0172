// Performance of a whole bundle from its descriptors alone (no data): per-layer cycles,
// utilization, DDR bytes, stalls and roofline, as the engine model reports them. Used by the
// VGG16 benchmark and design-space sweeps where executing the data is not needed.
import { engineViews } from '../../compiler/backend/bundle-segments.ts';
import { DESC_BYTES, Flag, Opcode, decodeDescriptor, decodeHeader, type Bundle, type Descriptor } from '../../compiler/contracts/bundle-format.ts';
import type { HwConfig } from '../../compiler/contracts/hw-config.ts';
import { PerfModel, type PerfTimeline } from './perf-model.ts';
import { getBoard, type BoardLimits } from '../../boards/ultra96/board.ts';
import type { CompileOptions } from '../../compiler/backend/compile-bundle.ts';

export interface LayerPerf {
  name: string;
  op: string;
  jobs: number;
  cycles: number;
  macs: number;
  /** macs / (cycles · PI · PO). */
  utilization: number;
  ddrBytes: number;
  stallCycles: number;
  /** max(multiplies / (PI·PO), minimum DDR bytes / bandwidth), in cycles; a Winograd layer counts its 16 per tile. */
  rooflineCycles: number;
  /** rooflineCycles / cycles (1 = at the roofline). */
  rooflineRatio: number;
}

export class LayerAccumulator {
  readonly perf: PerfModel;
  readonly layers: LayerPerf[];
  /** Cycles of the run, start to done (after finish(); before it, up to the last job's done). */
  cycles = 0;
  private readonly timeline: PerfTimeline;

  constructor(bundle: Bundle, readonly config: HwConfig, board?: BoardLimits) {
    this.perf = new PerfModel(config, board);
    this.timeline = this.perf.timeline();
    this.layers = bundle.manifest.layers.map((l) => ({
      name: l.name, op: l.op, jobs: 0, cycles: 0, macs: l.macs, utilization: 0, ddrBytes: 0, stallCycles: 0,
      rooflineCycles: Math.ceil(this.perf.roofline(l.mults ?? l.macs, l.minDdrBytes ?? 0)), rooflineRatio: 0,
    }));
  }

  /** Adds the next JOB descriptor; returns its cycles (from the previous job's done to its own). */
  add(d: Descriptor, next: Descriptor | null = null): number {
    const c = this.timeline.add(d, next);
    this.cycles += c.cycles;
    const s = this.layers[d.layer];
    if (s) { s.jobs++; s.cycles += c.cycles; s.ddrBytes += c.ddrBytes; s.stallCycles += c.stallCycles; }
    return c.cycles;
  }

  /** Per-layer figures; sets `cycles` to the whole run (the tail after the last job's done included). */
  finish(): LayerPerf[] {
    const { pi, po } = this.config.array;
    this.cycles = this.timeline.finish();
    for (const s of this.layers) {
      s.utilization = s.cycles ? s.macs / (s.cycles * pi * po) : 0;
      s.rooflineRatio = s.cycles ? s.rooflineCycles / s.cycles : 0;
    }
    return this.layers;
  }
}

export function modelBundle(bundle: Bundle, config: HwConfig, board?: BoardLimits): { cycles: number; latencySeconds: number; rooflineCycles: number; perLayer: LayerPerf[] } {
  if (bundle.manifest.segments) {
    // A partitioned bundle: its engine segments one after another (host ops take no engine cycles).
    const parts = engineViews(bundle).map(({ view }) => modelBundle(view, config, board));
    const cycles = parts.reduce((a, p) => a + p.cycles, 0);
    return { cycles, latencySeconds: cycles / (config.clockMhz * 1e6), rooflineCycles: parts.reduce((a, p) => a + p.rooflineCycles, 0), perLayer: parts.flatMap((p) => p.perLayer) };
  }
  const v = new DataView(bundle.descriptors.buffer, bundle.descriptors.byteOffset, bundle.descriptors.byteLength);
  const h = decodeHeader(v, 0);
  const acc = new LayerAccumulator(bundle, config, board);
  const jobs: Descriptor[] = [];
  for (let j = 1; j <= h.count; j++) {
    const d = decodeDescriptor(v, j * DESC_BYTES);
    if (d.opcode !== Opcode.JOB) break;
    jobs.push(d);
    if (d.flags & Flag.LAST) break;
  }
  jobs.forEach((d, i) => acc.add(d, jobs[i + 1] ?? null));
  const perLayer = acc.finish();
  return {
    cycles: acc.cycles,
    latencySeconds: acc.cycles / (config.clockMhz * 1e6),
    rooflineCycles: perLayer.reduce((a, l) => a + l.rooflineCycles, 0),
    perLayer,
  };
}

/**
 * The performance model as the back end's cycle model (CompileOptions.layerCycles): a layer's planned
 * jobs on the timeline of an idle engine, start to done, on the config's board (its DDR bandwidth and
 * latency at the config's clock). The Winograd/direct choice then takes what the modeled latency rewards.
 */
export function perfLayerCycles(config: HwConfig, board: BoardLimits = getBoard(config.board.name)): (jobs: Descriptor[]) => number {
  const perf = new PerfModel(config, board);
  return (jobs) => {
    const t = perf.timeline();
    jobs.forEach((d, i) => t.add(d, jobs[i + 1] ?? null));
    return t.finish();
  };
}

/** The compile options that make the back end choose with the performance model (every CLI compile and the sweep use them). */
export function perfCompileOptions(config: HwConfig, board?: BoardLimits): Pick<CompileOptions, 'layerCycles'> {
  return config.array.winograd ? { layerCycles: perfLayerCycles(config, board) } : {};
}
