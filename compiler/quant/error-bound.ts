// A worst-case bound on the error of the fixed-point model against the exact real-valued
// network, per value (max over elements), derived in docs/numerics.md "Error bound used by
// the conformance tests". It uses the weights and the magnitudes of the fixed-point values of
// one run, and holds when no value saturates (saturation that only clips a rounding excess
// moves a value toward its float counterpart and keeps the bound).
import type { Node } from '../ir/graph.ts';
import type { FixedValue } from '../golden/fixed/interpret.ts';
import type { QuantizedModel } from '../golden/fixed/quantized-model.ts';
import { LEAKY_F, leakyAq } from '../golden/fixed/fixed-point.ts';

const half = (f: number) => 2 ** -(f + 1);

function maxAbs(v: FixedValue | undefined): number {
  if (!v) return 0;
  let m = 0;
  for (const q of v.q) if (Math.abs(q) > m) m = Math.abs(q);
  return m * 2 ** -v.f;
}

/** Added by a fused or standalone activation at format f (|y| <= 2^(15-f)). */
function activationError(n: Node, f: number): number {
  const a = 'activation' in n ? n.activation : undefined;
  if (!a || a.kind === 'relu') return 0;
  if (a.kind === 'clip') return half(f);
  return Math.abs(a.alpha - leakyAq(a.alpha) * 2 ** -LEAKY_F) * 2 ** (15 - f) + half(f);
}

/** Added by an average over a window: divisor multiplier (relative 2^-17 of |mean| <= xmax) and the rounding shift. */
function avgError(xmax: number, f: number): number {
  return 2 ** -17 * xmax + half(f);
}

/** Error bound per value name, given the raw values of a keepAll fixed-point run. */
export function errorBounds(qm: QuantizedModel, raw: Record<string, FixedValue>): Map<string, number> {
  const g = qm.graph;
  const E = new Map<string, number>();
  for (const vi of g.inputs) E.set(vi.name, half(qm.formats.get(vi.name)!));
  const e = (name: string, n: Node): number => {
    const v = E.get(name);
    if (v !== undefined) return v;
    const c = qm.constants.get(n.name);
    return c ? half(c.f) : 0;
  };
  for (const n of g.nodes) {
    const out = n.outputs[0];
    const fOut = qm.formats.get(out) ?? 0;
    const Ex = e(n.inputs[0], n);
    const X = maxAbs(raw[n.inputs[0]]);
    let err: number;
    switch (n.op) {
      case 'conv': case 'gemm': {
        const w = g.initializers.get(n.inputs[1])!;
        const wq = qm.weights.get(n.name)!;
        const alpha = n.op === 'gemm' ? n.alpha : 1;
        const M = n.op === 'conv' || n.transB ? w.dims[0] : w.dims[1];
        const K = w.data.length / M;
        const sumAbs = new Float64Array(M);
        for (let i = 0; i < w.data.length; i++) {
          const m = n.op === 'gemm' && !n.transB ? i % M : Math.floor(i / K);
          sumAbs[m] += Math.abs(w.data[i] * alpha);
        }
        const fw = Math.min(...wq.wf);
        const fIn = qm.formats.get(n.inputs[0])!;
        err = Ex * Math.max(...sumAbs) + K * half(fw) * X + (n.inputs[2] ? half(fIn + fw) : 0) + half(fOut) + activationError(n, fOut);
        if (n.op === 'conv' && n.pool && (n.pool.kind === 'avg' || n.pool.kind === 'globalavg')) err += avgError(2 ** (15 - fOut), fOut);
        break;
      }
      case 'pool':
        err = Ex + (n.pool.kind === 'avg' || n.pool.kind === 'globalavg' ? avgError(X, fOut) : 0);
        break;
      case 'activation':
        err = Ex + activationError(n, qm.formats.get(n.inputs[0])!);
        break;
      case 'add': {
        const sc = qm.addScales?.get(n.name);
        if (n.scales && sc) {
          // |s_i|·E_i plus the weight rounding (at most 2^-(g_i+1) per unit of |x_i| <= X_i).
          const ws = [0, 1].map((i) => {
            const g = sc.fAcc - qm.formats.get(n.inputs[i])!;
            return Math.abs(n.scales![i]) * e(n.inputs[i], n) + 2 ** -(g + 1) * (maxAbs(raw[n.inputs[i]]) + e(n.inputs[i], n));
          });
          err = ws[0] + ws[1] + half(fOut) + activationError(n, fOut);
        } else {
          err = Ex + e(n.inputs[1], n) + half(fOut) + activationError(n, fOut);
        }
        break;
      }
      case 'concat':
        err = Math.max(...n.inputs.map((i) => e(i, n))) + half(fOut);
        break;
      case 'softmax':
        err = Math.exp(2 * Ex) - 1;
        break;
      default:
        err = Ex;
    }
    E.set(out, err);
  }
  return E;
}
