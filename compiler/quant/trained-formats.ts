// The formats a model was trained in (`cnna train`), carried in the ONNX file's metadata_props
// under `cnna.formats`, so that `cnna compile`, `run`, `accuracy` and `simulate` quantize the
// model exactly as it was trained instead of auto-scaling it again. The value is JSON:
//   { "version": 1, "activations": { "<value name>": f, ... }, "weights": { "<conv/gemm node>": [f] | [f per channel] } }
// Names are those of the optimized graph (after import + optimize), which is what the exporter writes.
import { z } from 'zod';
import { CnnaError } from '../errors/cnna-error.ts';
import type { Graph } from '../ir/graph.ts';
import type { FixedFormats } from './quantize.ts';

export const TRAINED_FORMATS_KEY = 'cnna.formats';

const schema = z.object({
  version: z.literal(1),
  activations: z.record(z.string(), z.number().int()),
  weights: z.record(z.string(), z.array(z.number().int()).min(1)),
}).strict();

/** The trained formats recorded in the model, or undefined when it has none. Throws E_FORMAT when they are malformed. */
export function trainedFormats(g: Graph): FixedFormats | undefined {
  const text = g.metadata?.[TRAINED_FORMATS_KEY];
  if (text === undefined) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new CnnaError('E_FORMAT', `the model's '${TRAINED_FORMATS_KEY}' metadata is not JSON`, { hint: 're-export the model with cnna train, or remove the metadata entry and let cnna auto-scale' });
  }
  const r = schema.safeParse(raw);
  if (!r.success) {
    const lines = r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new CnnaError('E_FORMAT', `the model's '${TRAINED_FORMATS_KEY}' metadata is invalid: ${lines.join('; ')}`, { hint: 're-export the model with cnna train' });
  }
  return { activations: r.data.activations, weights: r.data.weights };
}

/** The metadata value for a set of formats. */
export function trainedFormatsText(f: Required<FixedFormats>): string {
  return JSON.stringify({ version: 1, activations: f.activations, weights: f.weights });
}
