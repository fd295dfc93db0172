// Turns the named graph inputs into initializers (the ONNX conformance models pass weights as
// inputs), so the passes can fold and map convs and gemms that read them.

import { CnnaError } from '../errors/cnna-error.ts';
import type { Graph, Tensor } from '../ir/graph.ts';
import { cloneGraph } from './graph-utils.ts';

export function freezeInputs(graph: Graph, values: Record<string, Tensor>): Graph {
  const g = cloneGraph(graph);
  for (const [name, t] of Object.entries(values)) {
    const vi = g.inputs.find((i) => i.name === name);
    if (!vi) throw new CnnaError('E_USAGE', `freezeInputs: '${name}' is not a graph input; inputs: ${g.inputs.map((i) => i.name).join(', ')}`);
    if (vi.shape.length !== t.dims.length || vi.shape.some((d, i) => d !== t.dims[i])) {
      throw new CnnaError('E_USAGE', `freezeInputs: '${name}' is [${vi.shape.join(', ')}], the value is [${t.dims.join(', ')}]`);
    }
    g.initializers.set(name, t);
  }
  g.inputs = g.inputs.filter((i) => !(i.name in values));
  return g;
}
