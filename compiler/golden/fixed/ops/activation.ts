// Activations on int16 values at one format (docs/numerics.md step 3): ReLU, LeakyReLU with a
// Q0.15 slope and a rounding shift, Clip with bounds quantized at the tensor's format.
import type { Activation } from '../../../ir/graph.ts';
import { clipBounds, leakyAq, rshr } from '../fixed-point.ts';

export const enum ActKind { None = 0, Relu = 1, Leaky = 2, Clip = 3 }

export interface FixedAct {
  kind: ActKind;
  aq: number;
  lo: number;
  hi: number;
}

export const NO_ACT: FixedAct = { kind: ActKind.None, aq: 0, lo: 0, hi: 0 };

export function compileActivation(act: Activation | undefined, f: number, where: string): FixedAct {
  if (!act) return NO_ACT;
  switch (act.kind) {
    case 'relu': return { kind: ActKind.Relu, aq: 0, lo: 0, hi: 0 };
    case 'leaky': return { kind: ActKind.Leaky, aq: leakyAq(act.alpha, where), lo: 0, hi: 0 };
    case 'clip': {
      const [lo, hi] = clipBounds(act.min, act.max, f);
      return { kind: ActKind.Clip, aq: 0, lo, hi };
    }
  }
}

/** Apply in place to buf[start, start + len). */
export function applyActivation(buf: Int16Array, start: number, len: number, a: FixedAct): void {
  const end = start + len;
  switch (a.kind) {
    case ActKind.None: return;
    case ActKind.Relu:
      for (let i = start; i < end; i++) if (buf[i] < 0) buf[i] = 0;
      return;
    case ActKind.Leaky:
      for (let i = start; i < end; i++) { const y = buf[i]; if (y < 0) buf[i] = rshr(y * a.aq, 15); }
      return;
    case ActKind.Clip:
      for (let i = start; i < end; i++) { const y = buf[i]; buf[i] = y < a.lo ? a.lo : y > a.hi ? a.hi : y; }
      return;
  }
}
