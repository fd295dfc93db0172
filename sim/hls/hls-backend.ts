// The `hls` entry of `cnna simulate`'s backend table: the bundle runs on the HLS engine's C++ in its
// SystemC system model (sim/hls/run-hls.ts), all inferences in one process, in clocked mode, so the
// reported cycles are the model's own counters. The trace receives one JSON line per layer and inference.
import type { Bundle } from '../../compiler/contracts/bundle-format.ts';
import type { HwConfig } from '../../compiler/contracts/hw-config.ts';
import type { Tensor } from '../../compiler/ir/graph.ts';
import type { LayerStats } from '../ref/run-bundle.ts';
import { runBundleHls, type HlsMode, type HlsRunResult } from './run-hls.ts';

export interface HlsBackendRun {
  raw: Record<string, { q: Int16Array; f: number; dims: number[] }>;
  cycles: number;
  perLayer: LayerStats[];
  hls: Omit<HlsRunResult, 'raw' | 'outputs' | 'perLayer'>;
}

type Opts = { config: HwConfig; trace?: (line: string) => void; onDone?: () => void; mode?: HlsMode };

async function runMany(bundle: Bundle, inputs: Record<string, Tensor>[], opts: Opts): Promise<HlsBackendRun[]> {
  const r = await runBundleHls(bundle, inputs.map((t) => ({ tensors: t })), { config: opts.config, mode: opts.mode ?? 'clocked', onRun: () => opts.onDone?.() });
  return r.runs.map((x, i) => {
    if (opts.trace) for (const l of x.perLayer) opts.trace(JSON.stringify({ inference: i, ...l }));
    const { raw, outputs: _o, perLayer, ...rest } = x;
    return { raw, cycles: x.cycles, perLayer, hls: rest };
  });
}

export const hlsBackend = {
  async run(bundle: Bundle, inputs: Record<string, Tensor>, opts: Opts): Promise<HlsBackendRun> {
    return (await runMany(bundle, [inputs], opts))[0];
  },
  runMany,
};
