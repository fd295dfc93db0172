// A synthetic engine for protocol, fault and fuzz tests: NOT the accelerator. Its "bundle"
// is the text "CNNA-SYNTHETIC\n" followed by JSON {inputs, outputs, clockHz, cycles}; it
// computes a fixed integer function so results can be checked bit for bit by a test:
//   out_j[k] = sat16( Σ_i in[i] · w(i, k) ), w(i, k) = ((i · 31 + k · 17) mod 7) − 3,
// over the concatenation `in` of all inputs, for each output j and its element k.
import { CnnaError } from '../../../compiler/errors/cnna-error.ts';
import { elementCount, type EngineBackend, type LoadedProgram, type TensorSpec } from '../engine-backend.ts';

export const SYNTHETIC_MAGIC = 'CNNA-SYNTHETIC\n';

export function syntheticBundle(spec: { inputs: TensorSpec[]; outputs: TensorSpec[]; clockHz: number; cycles: number; delayMs?: number }): Uint8Array {
  return new TextEncoder().encode(SYNTHETIC_MAGIC + JSON.stringify(spec));
}

export const syntheticBackend: EngineBackend = {
  name: 'synthetic',
  async load(bundle: Uint8Array, _path?: string): Promise<LoadedProgram> {
    const text = new TextDecoder().decode(bundle);
    if (!text.startsWith(SYNTHETIC_MAGIC)) throw new CnnaError('E_BUNDLE', 'not a synthetic test bundle (missing the CNNA-SYNTHETIC header)');
    let spec: { inputs: TensorSpec[]; outputs: TensorSpec[]; clockHz: number; cycles: number; delayMs?: number };
    try {
      spec = JSON.parse(text.slice(SYNTHETIC_MAGIC.length));
    } catch (e) {
      throw new CnnaError('E_BUNDLE', `synthetic bundle JSON: ${(e as Error).message}`);
    }
    return {
      inputs: spec.inputs, outputs: spec.outputs, clockHz: spec.clockHz,
      async run(inputs, signal) {
        if (spec.delayMs) {
          await new Promise<void>((done, reject) => {
            const t = setTimeout(done, spec.delayMs);
            signal.addEventListener('abort', () => { clearTimeout(t); reject(signal.reason); }, { once: true });
          });
        }
        const all = inputs.flatMap((t) => Array.from(t.data));
        const outputs = spec.outputs.map((o) => {
          const data = new Int16Array(elementCount(o.shape));
          for (let k = 0; k < data.length; k++) {
            let acc = 0;
            for (let i = 0; i < all.length; i++) acc += all[i] * (((i * 31 + k * 17) % 7) - 3);
            data[k] = Math.max(-32768, Math.min(32767, acc));
          }
          return { name: o.name, shape: [...o.shape], data };
        });
        return { outputs, cycles: spec.cycles };
      },
    };
  },
};
