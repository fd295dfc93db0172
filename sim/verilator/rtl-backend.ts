// The `rtl` entry of `cnna simulate`'s backend table: the bundle runs on the Verilator model of the
// engine (sim/verilator/run-rtl.ts), all inferences in one simulation process. The trace receives one
// JSON line per layer and inference with the engine's own cycle, MAC-busy, stall and DDR figures.
import type { Bundle } from '../../compiler/contracts/bundle-format.ts';
import type { HwConfig } from '../../compiler/contracts/hw-config.ts';
import type { Tensor } from '../../compiler/ir/graph.ts';
import type { LayerStats } from '../ref/run-bundle.ts';
import { runBundleRtl, type RtlRunResult } from './run-rtl.ts';

export interface RtlBackendRun {
  raw: Record<string, { q: Int16Array; f: number; dims: number[] }>;
  images: { raw: Record<string, { q: Int16Array; f: number; dims: number[] }> }[];
  cycles: number;
  perLayer: LayerStats[];
  rtl: Omit<RtlRunResult, 'raw' | 'outputs' | 'perLayer' | 'images'>;
}

type Opts = { config: HwConfig; trace?: (line: string) => void; onDone?: () => void };

/** One entry per start: an image's inputs, or (a batch bundle) one per image. */
async function runMany(bundle: Bundle, inputs: (Record<string, Tensor> | Record<string, Tensor>[])[], opts: Opts): Promise<RtlBackendRun[]> {
  const sets = inputs.map((t) => (Array.isArray(t) ? { images: t.map((x) => ({ tensors: x })) } : { tensors: t }));
  const r = await runBundleRtl(bundle, sets, { config: opts.config, onRun: () => opts.onDone?.() });
  return r.runs.map((x, i) => {
    if (opts.trace) for (const l of x.perLayer) opts.trace(JSON.stringify({ inference: i, ...l }));
    const { raw, outputs: _o, perLayer, images, ...rest } = x;
    return { raw, images, cycles: x.cycles, perLayer, rtl: rest };
  });
}

export const rtlBackend = {
  batch: true,
  async run(bundle: Bundle, inputs: Record<string, Tensor> | Record<string, Tensor>[], opts: Opts): Promise<RtlBackendRun> {
    return (await runMany(bundle, [inputs], opts))[0];
  },
  runMany,
};
