// The 'ref' engine of the virtual board: H4a's TypeScript engine model (sim/ref/run-bundle.ts)
// executing a bundle archive (.cnnab) descriptor by descriptor on a simulated DDR image. Cycles
// come from its performance model; the clock from the bundle's hardware config.
import { readBundle } from '../../../compiler/backend/bundle-io.ts';
import { validateConfig } from '../../../compiler/contracts/hw-config.ts';
import { runBundle } from '../../../sim/ref/run-bundle.ts';
import type { EngineBackend, LoadedProgram, TensorSpec } from '../engine-backend.ts';

export const refBackend: EngineBackend = {
  name: 'ref',
  async load(_bytes, path): Promise<LoadedProgram> {
    const bundle = readBundle(path);
    const m = bundle.manifest;
    const config = validateConfig(m.hwConfig, `manifest of bundle '${m.model}'`);
    const spec = (io: { name: string; shape: number[]; f: number }): TensorSpec => ({ name: io.name, dtype: 'int16', shape: [...io.shape], f: io.f });
    return {
      inputs: m.inputs.map(spec),
      outputs: m.outputs.map(spec),
      clockHz: config.clockMhz * 1e6,
      async run(inputs, signal) {
        if (signal.aborted) throw signal.reason;
        const rawInputs = Object.fromEntries(inputs.map((t) => [t.name, t.data]));
        const r = runBundle(bundle, {}, { rawInputs });
        return {
          outputs: m.outputs.map((io) => ({ name: io.name, shape: [...io.shape], data: r.raw[io.name].q })),
          cycles: r.cycles,
        };
      },
    };
  },
};
