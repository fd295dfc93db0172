// Pareto front of a sweep over (objective, DSP, BRAM36, LUT), all minimized; only configs that were
// evaluated for every model and fit the board take part. Identical points are all on the front.
// The best config is the front's best objective, ties broken by DSP, BRAM36, LUT, then config hash.
import type { SweepEntry } from './evaluate.ts';

export type Objective = 'latency' | 'throughput';

export function objectiveValue(e: SweepEntry, o: Objective): number {
  return o === 'latency' ? e.latencyMs! : -e.throughputIps!;
}

function vec(e: SweepEntry, o: Objective): number[] {
  return [objectiveValue(e, o), e.resources!.dsp, e.resources!.bram36, e.resources!.lut];
}

export function eligible(e: SweepEntry): boolean {
  return e.status === 'ok' && Boolean(e.fit?.ok);
}

/** Sets `pareto` on every entry; returns the best entry or null. */
export function markPareto(entries: SweepEntry[], o: Objective): SweepEntry | null {
  const cand = entries.filter(eligible);
  const vs = cand.map((e) => vec(e, o));
  for (const e of entries) e.pareto = false;
  cand.forEach((e, i) => {
    const a = vs[i];
    e.pareto = !vs.some((b, j) => j !== i && b.every((x, k) => x <= a[k]) && b.some((x, k) => x < a[k]));
  });
  const front = cand.filter((e) => e.pareto);
  front.sort((x, y) => {
    const a = vec(x, o);
    const b = vec(y, o);
    for (let k = 0; k < a.length; k++) if (a[k] !== b[k]) return a[k] - b[k];
    return x.configHash < y.configHash ? -1 : x.configHash > y.configHash ? 1 : 0;
  });
  return front[0] ?? null;
}
