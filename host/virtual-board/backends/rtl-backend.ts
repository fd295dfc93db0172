// The 'rtl' engine of the virtual board: the SystemVerilog engine under Verilator
// (sim/verilator/run-rtl.ts), one simulation per inference; cycles are the engine's own count.
// The harness's scratch files go to <cache>/rtl-work (inside the agent's cache directory); the
// Verilator model itself is built once into the simulator's build cache.
import { dirname, join } from 'node:path';
import { mkdirSync } from 'node:fs';
import { readBundle } from '../../../compiler/backend/bundle-io.ts';
import { validateConfig } from '../../../compiler/contracts/hw-config.ts';
import { runBundleRtl } from '../../../sim/verilator/run-rtl.ts';
import type { EngineBackend, LoadedProgram, TensorSpec } from '../engine-backend.ts';

export const rtlBackend: EngineBackend = {
  name: 'rtl',
  async load(_bytes, path): Promise<LoadedProgram> {
    const bundle = readBundle(path);
    const m = bundle.manifest;
    const config = validateConfig(m.hwConfig, `manifest of bundle '${m.model}'`);
    const workRoot = join(dirname(dirname(path)), 'rtl-work');
    mkdirSync(workRoot, { recursive: true });
    const spec = (io: { name: string; shape: number[]; f: number }): TensorSpec => ({ name: io.name, dtype: 'int16', shape: [...io.shape], f: io.f });
    let runs = 0;
    return {
      inputs: m.inputs.map(spec),
      outputs: m.outputs.map(spec),
      clockHz: config.clockMhz * 1e6,
      async run(inputs, signal) {
        if (signal.aborted) throw signal.reason;
        const raw = Object.fromEntries(inputs.map((t) => [t.name, t.data]));
        const r = await runBundleRtl(bundle, [{ raw }], { config, workDir: join(workRoot, String(runs++ % 4)) });
        const run = r.runs[0];
        return { outputs: m.outputs.map((io) => ({ name: io.name, shape: [...io.shape], data: run.raw[io.name].q })), cycles: run.cycles };
      },
    };
  },
};
