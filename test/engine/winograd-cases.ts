// Seeded Winograd test layers shared by the executors' tests (engine model, HLS, RTL): single 3x3 stride-1
// conv layers with random channel counts, sizes, pads, activations and pools, and a config with
// array.winograd. The expected outputs come from the golden model (direct sums), never from an executor.
import type { Activation, PoolSpec } from '../../compiler/ir/graph.ts';
import type { QuantizedModel } from '../../compiler/golden/fixed/quantized-model.ts';
import type { HwConfig } from '../../compiler/contracts/hw-config.ts';
import { defaultConfig } from '../../boards/ultra96/board.ts';
import { rng } from './random-layer.ts';

export function winoConfig(over: Partial<HwConfig['buffers']> = {}): HwConfig {
  const c = defaultConfig();
  return { ...c, array: { ...c.array, winograd: true }, buffers: { ...c.buffers, ...over } };
}

export interface WinoCase { qm: QuantizedModel; inputs: Record<string, { q: Int16Array; f: number; dims: number[] }>; desc: string }

/** Sizes that replace a case's random ones (without overrides a seed gives the same layer as before). */
export interface WinoShape { C?: number; M?: number; H?: number; W?: number; pool?: 'none' | 'max' | 'avg' }

/** A seeded 3x3 stride-1 conv layer with the given pads (top, left, bottom, right). */
export function winoCase(seed: number, pads: [number, number, number, number], shape: WinoShape = {}): WinoCase {
  const r = rng(seed);
  const int = (lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1));
  const [pt, pl, pb, pr] = pads;
  const C = shape.C ?? int(1, 40);
  const M = shape.M ?? int(1, 36);
  const H = shape.H ?? Math.max(1, 3 - pt - pb) + int(0, 9);
  const W = shape.W ?? Math.max(1, 3 - pl - pr) + int(0, 9);
  const OH = H + pt + pb - 2;
  const OW = W + pl + pr - 2;
  const acts: (Activation | undefined)[] = [undefined, { kind: 'relu' }, { kind: 'leaky', alpha: 0.1 }];
  const activation = acts[int(0, 2)];
  const drawn = OH >= 2 && OW >= 2 ? int(0, 2) : 0;
  const poolKind = shape.pool ? ['none', 'max', 'avg'].indexOf(shape.pool) : drawn;
  const pool: PoolSpec | undefined = poolKind === 1 ? { kind: 'max', ceilMode: false, kernel: [2, 2], strides: [2, 2], pads: [0, 0, 0, 0], dilations: [1, 1] }
    : poolKind === 2 ? { kind: 'avg', ceilMode: false, countIncludePad: false, kernel: [2, 2], strides: [1, 1], pads: [0, 0, 0, 0], dilations: [1, 1] } : undefined;
  const PH = poolKind === 1 ? Math.floor(OH / 2) : poolKind === 2 ? OH - 1 : OH;
  const PW = poolKind === 1 ? Math.floor(OW / 2) : poolKind === 2 ? OW - 1 : OW;
  // Extremes now and then: full-range int16 weights and inputs (outputs saturate, the sums stay exact).
  const amp = r() < 0.3 ? 32767 : 6000;
  const wq = Int16Array.from({ length: M * C * 9 }, () => (r() < 0.05 ? -32768 : int(-amp, amp)));
  const qm: QuantizedModel = {
    graph: {
      name: 'wino', opset: 13, inputs: [{ name: 'x', shape: [1, C, H, W] }], outputs: [{ name: 'y', shape: [1, M, PH, PW] }], initializers: new Map(),
      nodes: [{
        op: 'conv', name: 'conv', inputs: ['x', 'w', 'b'], outputs: ['y'], kernel: [3, 3], strides: [1, 1], pads: [pt, pl, pb, pr],
        dilations: [1, 1], group: 1, activation, pool,
      }],
      shapes: new Map([['x', [1, C, H, W]], ['y', [1, M, PH, PW]]]),
    },
    formats: new Map([['x', 14], ['y', 12]]),
    weights: new Map([['conv', { q: wq, dims: [M, C, 3, 3], wf: [15] }]]),
    biases: new Map([['conv', { q: Float64Array.from({ length: M }, () => int(-(2 ** 30), 2 ** 30)) }]]),
    constants: new Map(), options: { format: 'auto', perChannel: false, calibration: 'test' }, report: [],
  };
  const x = Int16Array.from({ length: C * H * W }, () => (r() < 0.05 ? -32768 : int(-amp, amp)));
  return { qm, inputs: { x: { q: x, f: 14, dims: [1, C, H, W] } }, desc: `C${C} M${M} ${H}x${W} pads ${pads} pool ${poolKind} act ${activation?.kind ?? 'none'}` };
}

/** Every combination of pads 0..2 on the four sides (81), each with its own seeded layer. */
export function allPadCases(seed: number): WinoCase[] {
  const out: WinoCase[] = [];
  for (let pt = 0; pt <= 2; pt++) for (let pl = 0; pl <= 2; pl++) for (let pb = 0; pb <= 2; pb++) for (let pr = 0; pr <= 2; pr++) {
    out.push(winoCase(seed * 1000 + out.length, [pt, pl, pb, pr]));
  }
  return out;
}
