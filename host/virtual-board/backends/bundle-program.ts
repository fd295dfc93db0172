// What the bundle-executing backends ('ref', 'rtl') share: read and check the bundle archive,
// describe its inputs and outputs from the manifest, take the clock from its hardware config,
// and turn wire tensors into the executor's raw int16 inputs and its raw outputs back into wire
// tensors in manifest order. The executor itself is the only part a backend supplies. A partitioned
// bundle (manifest.segments) runs its engine segments on one executor each and its host ops between
// them, in the agent's process, as a board agent does on its CPU; given an exit threshold, the run stops
// at an early exit that is confident enough and answers with the outputs computed by then.
import { readBundle } from '../../../compiler/backend/bundle-io.ts';
import { bundleBatch, type Bundle } from '../../../compiler/contracts/bundle-format.ts';
import { validateConfig, type HwConfig } from '../../../compiler/contracts/hw-config.ts';
import type { LoadedProgram, TensorSpec } from '../engine-backend.ts';
import { engineViews } from '../../../compiler/backend/bundle-segments.ts';
import { exitOutputs, runSegmentsAsync } from '../../../sim/run-segments.ts';

/**
 * One start on raw int16 inputs (by input name), one set per image (one at batch 1; a batch bundle's
 * manifest.batch): every image's engine outputs (by name) and the start's cycles.
 */
export type RawExecutor = (raws: Record<string, Int16Array>[]) => Promise<{ images: { raw: Record<string, { q: Int16Array }> }[]; cycles: number }>;

/** Loads the bundle archive at `path`; `executor` is made once per loaded bundle. */
export function loadBundleProgram(path: string, executor: (bundle: Bundle, config: HwConfig) => RawExecutor): LoadedProgram {
  const bundle = readBundle(path);
  const m = bundle.manifest;
  const config = validateConfig(m.hwConfig, `manifest of bundle '${m.model}'`);
  // Graph outputs an `exit` host op names are early exits' (INFER's exitThreshold may stop there).
  const exits = new Set(exitOutputs(bundle));
  const spec = (io: { name: string; shape: number[]; f: number }): TensorSpec => ({ name: io.name, dtype: 'int16', shape: [...io.shape], f: io.f, ...(exits.has(io.name) ? { exit: true as const } : {}) });
  // A partitioned bundle: one executor per engine segment; host segments run here (sim/run-segments.ts).
  const execs = m.segments ? engineViews(bundle).map(({ view }) => executor(view, config)) : [];
  const whole = m.segments ? undefined : executor(bundle, config);
  const exec = async (raw: Record<string, Int16Array>, exitThreshold: number | undefined): Promise<{ values: Map<string, Int16Array>; cycles: number; exit?: string }> => {
    if (whole) {
      const r = await whole([raw]);
      return { values: new Map(m.outputs.map((io) => [io.name, r.images[0].raw[io.name].q])), cycles: r.cycles };
    }
    return runSegmentsAsync(bundle, raw, async (_view, segRaw, i) => {
      const r = await execs[i]([segRaw]);
      return { raw: r.images[0].raw, cycles: r.cycles };
    }, { exitThreshold });
  };
  const batch = bundleBatch(m);
  return {
    inputs: m.inputs.map(spec),
    outputs: m.outputs.map(spec),
    clockHz: config.clockMhz * 1e6,
    model: m.model,
    configHash: m.configHash,
    async run(inputs, signal, opts = {}) {
      if (signal.aborted) throw signal.reason;
      const r = await exec(Object.fromEntries(inputs.map((t) => [t.name, t.data])), opts.exitThreshold);
      // after an early exit, the graph outputs of the segments not run are absent
      const outputs = m.outputs.filter((io) => r.values.has(io.name)).map((io) => ({ name: io.name, shape: [...io.shape], data: r.values.get(io.name)! }));
      return { outputs, cycles: r.cycles, ...(r.exit ? { exit: r.exit } : {}) };
    },
    // A batch bundle (never partitioned: the compiler refuses a batch with host segments): one start on every image.
    ...(batch > 1 ? {
      batch,
      async runBatch(images, signal) {
        if (signal.aborted) throw signal.reason;
        const r = await whole!(images.map((inputs) => Object.fromEntries(inputs.map((t) => [t.name, t.data]))));
        return { images: r.images.map((img) => m.outputs.map((io) => ({ name: io.name, shape: [...io.shape], data: img.raw[io.name].q }))), cycles: r.cycles };
      },
    } : {}),
  };
}
