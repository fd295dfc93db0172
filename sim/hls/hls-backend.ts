// The `hls` entry of `cnna simulate`'s backend table: the bundle runs on the HLS engine's C++ in its
// SystemC system model (sim/hls/run-hls.ts), all inferences in one process, in clocked mode, so the
// reported cycles are the model's own counters. Batch bundles run N images per start, as on the RTL. The trace receives one JSON line per layer and inference.
import type { Bundle } from '../../compiler/contracts/bundle-format.ts';
import type { HwConfig } from '../../compiler/contracts/hw-config.ts';
import type { Tensor } from '../../compiler/ir/graph.ts';
import type { LayerStats } from '../ref/run-bundle.ts';
import { runBundleHls, type HlsMode, type HlsRunResult } from './run-hls.ts';

export interface HlsBackendRun {
  raw: Record<string, { q: Int16Array; f: number; dims: number[] }>;
  images: { raw: Record<string, { q: Int16Array; f: number; dims: number[] }> }[];
  cycles: number;
  perLayer: LayerStats[];
  hls: Omit<HlsRunResult, 'raw' | 'outputs' | 'perLayer' | 'images'>;
}

type Opts = { config: HwConfig; trace?: (line: string) => void; onDone?: () => void; mode?: HlsMode };

/** One entry per start: an image's inputs, or (a batch bundle) one per image. */
async function runMany(bundle: Bundle, inputs: (Record<string, Tensor> | Record<string, Tensor>[])[], opts: Opts): Promise<HlsBackendRun[]> {
  const sets = inputs.map((t) => (Array.isArray(t) ? { images: t.map((x) => ({ tensors: x })) } : { tensors: t }));
  const r = await runBundleHls(bundle, sets, { config: opts.config, mode: opts.mode ?? 'clocked', onRun: () => opts.onDone?.() });
  return r.runs.map((x, i) => {
    if (opts.trace) for (const l of x.perLayer) opts.trace(JSON.stringify({ inference: i, ...l }));
    const { raw, outputs: _o, perLayer, images, ...rest } = x;
    return { raw, images, cycles: x.cycles, perLayer, hls: rest };
  });
}

export const hlsBackend = {
  batch: true,
  async run(bundle: Bundle, inputs: Record<string, Tensor> | Record<string, Tensor>[], opts: Opts): Promise<HlsBackendRun> {
    return (await runMany(bundle, [inputs], opts))[0];
  },
  runMany,
};
