// Plain-text table of a quantization report (one row per graph input and node).
import type { LayerReport } from '../golden/fixed/quantized-model.ts';

export function formatReport(report: LayerReport[]): string {
  const head = ['node', 'op', 'format', 'weight f', 'min', 'max', 'saturated', 'SQNR dB'];
  const rows = report.map((r) => [
    r.node, r.op, r.format,
    r.weightF ? `${r.weightF.length === 1 ? String(r.weightF[0]) : `${Math.min(...r.weightF)}..${Math.max(...r.weightF)}`}${r.accCapped ? ' (acc cap)' : ''}` : '',
    num(r.min), num(r.max),
    r.total > 0 ? `${r.saturated}/${r.total}` : String(r.saturated),
    Number.isNaN(r.sqnrDb) ? '' : r.sqnrDb === Infinity ? 'exact' : r.sqnrDb.toFixed(1),
  ]);
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((c, i) => (i >= 4 ? c.padStart(w[i]) : c.padEnd(w[i]))).join('  ').trimEnd();
  return [line(head), line(w.map((x) => '-'.repeat(x))), ...rows.map(line)].join('\n');
}

function num(v: number): string {
  if (!Number.isFinite(v)) return '';
  return Math.abs(v) >= 1000 || (v !== 0 && Math.abs(v) < 0.001) ? v.toExponential(2) : v.toFixed(4);
}
