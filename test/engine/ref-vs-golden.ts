// Shared helper: compile a QuantizedModel for a config, run the bundle on the engine model
// and the QuantizedModel on the golden model, and compare the int16 outputs.
import type { Tensor } from '../../compiler/ir/graph.ts';
import type { QuantizedModel } from '../../compiler/golden/fixed/quantized-model.ts';
import type { HwConfig } from '../../compiler/contracts/hw-config.ts';
import { compileBundle, type CompileOptions } from '../../compiler/backend/compile-bundle.ts';
import { runFixed } from '../../compiler/golden/fixed/run-fixed.ts';
import { runBundle } from '../../sim/ref/run-bundle.ts';

export function toTensors(inputs: Record<string, { q: Int16Array; f: number; dims: number[] }>): Record<string, Tensor> {
  const t: Record<string, Tensor> = {};
  for (const [k, v] of Object.entries(inputs)) t[k] = { dims: v.dims, data: Float32Array.from(v.q, (q) => q * 2 ** -v.f) };
  return t;
}

export interface Comparison { mismatches: number; total: number; first?: string; golden: Record<string, Int16Array> }

export function compareRefGolden(qm: QuantizedModel, inputs: Record<string, Tensor>, config: HwConfig, opts: CompileOptions = {}): Comparison {
  const bundle = compileBundle(qm, config, opts);
  const ref = runBundle(bundle, inputs, { config });
  const gold = runFixed(qm, inputs, { keepAll: true });
  let mismatches = 0;
  let total = 0;
  let first: string | undefined;
  const golden: Record<string, Int16Array> = {};
  for (const io of bundle.manifest.outputs) {
    const src = io.hostTail ? qm.graph.nodes.find((n) => n.outputs[0] === io.name)!.inputs[0] : io.name;
    const g = gold.raw[src];
    const r = ref.raw[io.name];
    golden[io.name] = g.q;
    total += g.q.length;
    for (let i = 0; i < g.q.length; i++) {
      if (g.q[i] !== r.q[i]) {
        mismatches++;
        first ??= `${io.name}[${i}]: ref ${r.q[i]}, golden ${g.q[i]}`;
      }
    }
    if (g.f !== r.f) { mismatches++; first ??= `${io.name}: format ref ${r.f}, golden ${g.f}`; }
  }
  return { mismatches, total, first, golden };
}
