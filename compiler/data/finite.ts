// Non-finite values (NaN, ±Inf) in weights, biases, BatchNorm statistics or inputs: refused with
// E_NUMERIC naming the tensor and the first bad index (flat and per axis), or, when the user
// asks for it (--allow-nonfinite), mapped by the rule of docs/numerics.md ("Non-finite
// values"): NaN → 0, +Inf → +FLOAT32_MAX, −Inf → −FLOAT32_MAX (which quantization then
// saturates to the int16 extremes). Nothing else in cnna sees a non-finite value.
import { CnnaError } from '../errors/cnna-error.ts';
import type { Graph } from '../ir/graph.ts';

export const FLOAT32_MAX = 3.4028234663852886e38;

export type NonFinitePolicy = 'refuse' | 'map';

/** Index of the first non-finite value, or -1. */
export function firstNonFinite(data: ArrayLike<number>): number {
  for (let i = 0; i < data.length; i++) if (!Number.isFinite(data[i])) return i;
  return -1;
}

function unravel(i: number, dims: readonly number[]): number[] {
  const at: number[] = [];
  for (let k = dims.length - 1; k >= 0; k--) {
    const d = Math.max(1, dims[k]);
    at.unshift(i % d);
    i = Math.floor(i / d);
  }
  return at;
}

/**
 * Checks `data` (the tensor `what`, e.g. "weight 'conv.weight'") for NaN / ±Inf: throws E_NUMERIC
 * under 'refuse'; maps them in place under 'map' and returns how many it mapped.
 */
export function requireFinite(what: string, dims: readonly number[], data: { [i: number]: number; length: number }, policy: NonFinitePolicy): number {
  const first = firstNonFinite(data);
  if (first < 0) return 0;
  if (policy === 'refuse') {
    const v = data[first];
    throw new CnnaError('E_NUMERIC', `${what} has a non-finite value (${Number.isNaN(v) ? 'NaN' : v > 0 ? '+Inf' : '-Inf'}) at index ${first}${dims.length > 1 ? ` = [${unravel(first, dims).join(', ')}]` : ''}`, {
      hint: 'fix the tensor (a diverged training or a corrupted file), or pass --allow-nonfinite to map NaN to 0 and ±Inf to ±3.4e38 (the int16 extremes once quantized)',
    });
  }
  let n = 0;
  for (let i = first; i < data.length; i++) {
    const v = data[i];
    if (Number.isFinite(v)) continue;
    data[i] = Number.isNaN(v) ? 0 : v > 0 ? FLOAT32_MAX : -FLOAT32_MAX;
    n++;
  }
  return n;
}

const ROLES: Record<string, string[]> = {
  conv: ['input', 'weight', 'bias'],
  gemm: ['A', 'weight', 'bias'],
  batchnorm: ['input', 'scale', 'bias', 'mean', 'variance'],
};

/** Checks every initializer of an imported graph (weights, biases, BatchNorm statistics, constants); returns how many values were mapped. */
export function requireFiniteGraph(g: Graph, policy: NonFinitePolicy): number {
  let mapped = 0;
  for (const [name, t] of g.initializers) {
    const user = g.nodes.find((n) => n.inputs.includes(name));
    const role = user ? ROLES[user.op]?.[user.inputs.indexOf(name)] : undefined;
    const what = `tensor '${name}'${user ? ` (${role ? `${role} of ` : 'input of '}${user.op} '${user.name}')` : ''}`;
    mapped += requireFinite(what, t.dims, t.data, policy);
  }
  return mapped;
}
