// What a sweep writes to its output directory, and how shards merge: sweep.json (versioned, one
// entry per config), sweep.csv, best-config.json (ready for `cnna compile --config`), report.html,
// and on request JUnit XML. Files are written atomically.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CnnaError } from '../../compiler/errors/cnna-error.ts';
import { writeFileAtomic } from '../../compiler/util/atomic-write.ts';
import type { SweepEntry } from './evaluate.ts';
import { leafPaths, getPath } from './space.ts';
import { markPareto, objectiveValue, type Objective } from './pareto.ts';
import { renderReport } from './report-html.ts';

export const SWEEP_FORMAT = 'cnna-sweep';
export const SWEEP_VERSION = 1;

export interface SweepFile {
  format: typeof SWEEP_FORMAT;
  version: typeof SWEEP_VERSION;
  board: string;
  objective: Objective;
  models: { name: string; sha256: string }[];
  space: { source: string; hash: string; configs: number; excluded: number; axes: string[] };
  /** This file's part of the space (null: all of it). */
  shard: { k: number; n: number } | null;
  counts: { configs: number; refused: number; fitting: number; pareto: number };
  best: string | null;
  entries: SweepEntry[];
}

export function finishSweep(head: Omit<SweepFile, 'counts' | 'best' | 'format' | 'version'>): SweepFile {
  const best = markPareto(head.entries, head.objective);
  const entries = head.entries;
  return {
    format: SWEEP_FORMAT, version: SWEEP_VERSION, ...head,
    counts: {
      configs: entries.length,
      refused: entries.filter((e) => e.status === 'refused').length,
      fitting: entries.filter((e) => e.status === 'ok' && e.fit?.ok).length,
      pareto: entries.filter((e) => e.pareto).length,
    },
    best: best?.configHash ?? null,
    entries,
  };
}

export function readSweepFile(dirOrFile: string): SweepFile {
  const file = existsSync(join(dirOrFile, 'sweep.json')) ? join(dirOrFile, 'sweep.json') : dirOrFile;
  let s: SweepFile;
  try {
    s = JSON.parse(readFileSync(file, 'utf8')) as SweepFile;
  } catch (e) {
    throw new CnnaError('E_IO', `cannot read sweep result ${file}: ${(e as Error).message}`);
  }
  if (s.format !== SWEEP_FORMAT || s.version !== SWEEP_VERSION) {
    throw new CnnaError('E_FORMAT', `${file} is not a ${SWEEP_FORMAT} version ${SWEEP_VERSION} file (format ${JSON.stringify(s.format)}, version ${JSON.stringify(s.version)})`);
  }
  return s;
}

/** Shards of one sweep -> the sweep one run gives. Every shard must come from the same space, board, models and objective, and all N must be there. */
export function mergeSweeps(parts: SweepFile[], names: string[]): SweepFile {
  if (parts.length === 0) throw new CnnaError('E_USAGE', 'sweep merge: no shard directories given');
  const a = parts[0];
  const same = (p: SweepFile) => [p.board, p.objective, JSON.stringify(p.models), p.space.hash];
  parts.forEach((p, i) => {
    const d = same(p).findIndex((v, k) => v !== same(a)[k]);
    if (d >= 0) throw new CnnaError('E_USAGE', `sweep merge: ${names[i]} ran a different ${['board', 'objective', 'model set', 'space'][d]} than ${names[0]}`);
    if (!p.shard) throw new CnnaError('E_USAGE', `sweep merge: ${names[i]} is not a shard (it ran the whole space)`);
  });
  const n = a.shard!.n;
  const ks = parts.map((p) => p.shard!.k).sort((x, y) => x - y);
  const want = Array.from({ length: n }, (_, i) => i + 1);
  if (parts.some((p) => p.shard!.n !== n) || ks.join() !== want.join()) {
    throw new CnnaError('E_USAGE', `sweep merge: expected shards 1..${n} of ${n} once each, got ${parts.map((p) => `${p.shard!.k}/${p.shard!.n}`).join(', ')}`);
  }
  const entries = parts.flatMap((p) => p.entries).map((e) => ({ ...e, pareto: false })).sort((x, y) => x.index - y.index);
  return finishSweep({ board: a.board, objective: a.objective, models: a.models, space: a.space, shard: null, entries });
}

const csvCell = (v: unknown): string => {
  const s = v === undefined || v === null ? '' : String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

export function sweepCsv(s: SweepFile): string {
  // Every field any config has (array.winograd only where a space names it), in first-seen order.
  const cfgCols = [...new Set(s.entries.flatMap((e) => leafPaths(e.config)))].filter((k) => k !== 'version' && !k.startsWith('board.'));
  const modelCols = s.models.flatMap((m) => [`${m.name}.latencyMs`, `${m.name}.utilization`]);
  const head = ['configHash', ...cfgCols, 'status', 'reason', 'latencyMs', 'throughputIps', ...modelCols, 'dsp', 'bram36', 'lut', 'ff', 'fits', 'fmaxMhz', 'meetsClock', 'pareto'];
  const rows = s.entries.map((e) => [
    e.configHash, ...cfgCols.map((k) => getPath(e.config, k)), e.status, e.reason ?? '', e.latencyMs?.toFixed(4) ?? '', e.throughputIps?.toFixed(3) ?? '',
    ...s.models.flatMap((m) => { const r = e.models.find((x) => x.model === m.name); return [r?.latencyMs?.toFixed(4) ?? '', r?.utilization?.toFixed(4) ?? '']; }),
    e.resources?.dsp ?? '', e.resources?.bram36 ?? '', e.resources?.lut ?? '', e.resources?.ff ?? '', e.fit ? e.fit.ok : '', e.timing?.fmaxMhz ?? '', e.timing ? e.timing.meetsClock : '', e.pareto,
  ]);
  return [head, ...rows].map((r) => r.map(csvCell).join(',')).join('\n') + '\n';
}

const xml = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** JUnit XML: one case per config (refused or not fitting: skipped with the reason), plus the baseline check if any. */
export function sweepJunit(s: SweepFile, baseline?: { ok: boolean; message: string }): string {
  const cases = s.entries.map((e) => {
    const name = `${e.configHash} ${describeConfig(e.config)}`;
    const body = e.status === 'refused' ? `<skipped message="${xml(`refused: ${e.reason ?? ''}`)}"/>`
      : !e.fit?.ok ? `<skipped message="${xml(`does not fit ${s.board}: ${fitReason(e)}`)}"/>` : '';
    return `    <testcase classname="cnna.sweep.${xml(s.board)}" name="${xml(name)}" time="0">${body}</testcase>`;
  });
  if (baseline) cases.push(`    <testcase classname="cnna.sweep.${xml(s.board)}" name="baseline" time="0">${baseline.ok ? '' : `<failure message="${xml(baseline.message)}"/>`}</testcase>`);
  const failures = baseline && !baseline.ok ? 1 : 0;
  const skipped = s.entries.filter((e) => e.status === 'refused' || !e.fit?.ok).length;
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites>\n  <testsuite name="cnna sweep ${xml(s.board)}" tests="${cases.length}" failures="${failures}" skipped="${skipped}">\n${cases.join('\n')}\n  </testsuite>\n</testsuites>\n`;
}

export function fitReason(e: SweepEntry): string {
  const f = e.fit!;
  return (['dsp', 'bram36', 'lut', 'ff'] as const).filter((k) => !f[k].ok).map((k) => `${k} ${f[k].used} > ${f[k].limit}`).join(', ');
}

export function describeConfig(c: Record<string, unknown>): string {
  const g = (p: string) => getPath(c, p);
  return `${g('array.pi')}x${g('array.po')} in${g('buffers.inputBankEntries')} w${g('buffers.weightBankWords')} fifo${g('buffers.outputFifoEntries')} ${g('clockMhz')}MHz axi${g('axi.dataBits')}x${g('axi.ports')}${g('array.winograd') === true ? ' winograd' : ''}`;
}

export function bestEntry(s: SweepFile): SweepEntry | null {
  return s.entries.find((e) => e.configHash === s.best) ?? null;
}

export function writeSweepOutputs(dir: string, s: SweepFile): string[] {
  const files = ['sweep.json', 'sweep.csv', 'report.html'];
  writeFileAtomic(join(dir, 'sweep.json'), `${JSON.stringify(s, null, 1)}\n`);
  writeFileAtomic(join(dir, 'sweep.csv'), sweepCsv(s));
  const best = bestEntry(s);
  if (best) { writeFileAtomic(join(dir, 'best-config.json'), `${JSON.stringify(best.config, null, 2)}\n`); files.push('best-config.json'); }
  writeFileAtomic(join(dir, 'report.html'), renderReport(s));
  return files.map((f) => join(dir, f));
}

/** Regression of the best objective against a baseline sweep, in percent (positive: worse). */
export function regression(s: SweepFile, base: SweepFile): { pct: number; now: number; before: number } | null {
  const a = bestEntry(s);
  const b = bestEntry(base);
  if (!a || !b) return null;
  const now = Math.abs(objectiveValue(a, s.objective));
  const before = Math.abs(objectiveValue(b, s.objective));
  const pct = s.objective === 'latency' ? ((now - before) / before) * 100 : ((before - now) / before) * 100;
  return { pct, now, before };
}
