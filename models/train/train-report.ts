// The HTML training report of `cnna train --report FILE`: one self-contained page (inline SVG, no
// network) with the loss curve, float and fixed-point validation accuracy per epoch (epoch 0 = before
// training), and the trained format of every value.
import { writeFileAtomic } from '../../compiler/util/atomic-write.ts';
import type { EpochRecord, TrainResult } from './train-loop.ts';

export interface TrainReport {
  model: string;
  dataset: string;
  options: Record<string, unknown>;
  initial: TrainResult['initial'];
  history: EpochRecord[];
  formats: { value: string; format: string }[];
}

const esc = (s: string): string => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

/** A line plot of one or more series over x = 0..n-1, as inline SVG; each point is a <circle class="mark">. */
export function linePlot(title: string, series: { name: string; color: string; ys: number[]; xs: number[] }[], yLabel: string): string {
  const W = 480, H = 260, L = 56, R = 12, T = 28, B = 40;
  const all = series.flatMap((s) => s.ys).filter(Number.isFinite);
  const xsAll = series.flatMap((s) => s.xs);
  let lo = Math.min(...all), hi = Math.max(...all);
  if (!(hi > lo)) { lo -= 0.5; hi += 0.5; }
  const x0 = Math.min(...xsAll), x1 = Math.max(...xsAll, x0 + 1);
  const px = (x: number) => L + ((x - x0) / (x1 - x0)) * (W - L - R);
  const py = (y: number) => T + (1 - (y - lo) / (hi - lo)) * (H - T - B);
  const ticks = Array.from({ length: 5 }, (_, i) => lo + ((hi - lo) * i) / 4);
  const parts = [
    `<svg class="plot" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" aria-label="${esc(title)}">`,
    `<text x="${W / 2}" y="16" text-anchor="middle" font-weight="bold">${esc(title)}</text>`,
    `<line x1="${L}" y1="${H - B}" x2="${W - R}" y2="${H - B}" stroke="#444"/><line x1="${L}" y1="${T}" x2="${L}" y2="${H - B}" stroke="#444"/>`,
    ...ticks.map((t) => `<text x="${L - 4}" y="${py(t) + 4}" text-anchor="end" font-size="10">${t.toPrecision(3)}</text>`),
    `<text x="${(L + W - R) / 2}" y="${H - 8}" text-anchor="middle" font-size="11">epoch</text>`,
    `<text x="12" y="${(T + H - B) / 2}" font-size="11" transform="rotate(-90 12 ${(T + H - B) / 2})" text-anchor="middle">${esc(yLabel)}</text>`,
  ];
  series.forEach((s, k) => {
    const pts = s.xs.map((x, i) => [px(x), py(s.ys[i])]);
    parts.push(`<polyline fill="none" stroke="${s.color}" stroke-width="2" points="${pts.map((p) => p.join(',')).join(' ')}"/>`);
    for (let i = 0; i < pts.length; i++) parts.push(`<circle class="mark" cx="${pts[i][0]}" cy="${pts[i][1]}" r="3" fill="${s.color}"><title>${esc(s.name)} epoch ${s.xs[i]}: ${s.ys[i].toFixed(4)}</title></circle>`);
    parts.push(`<text x="${W - R - 4}" y="${T + 14 + 14 * k}" text-anchor="end" font-size="11" fill="${s.color}">${esc(s.name)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('');
}

export function trainReportHtml(r: TrainReport): string {
  const ep = [0, ...r.history.map((h) => h.epoch)];
  const valF = [r.initial.valFloatTop1, ...r.history.map((h) => h.valFloatTop1)].map((v) => 100 * v);
  const valX = [r.initial.valFixedTop1, ...r.history.map((h) => h.valFixedTop1)].map((v) => 100 * v);
  const rows = r.history.map((h) => `<tr><td>${h.epoch}</td><td>${h.meanLoss.toFixed(4)}</td><td>${(100 * h.trainFixedTop1).toFixed(2)}</td><td>${(100 * h.valFloatTop1).toFixed(2)}</td><td>${(100 * h.valFixedTop1).toFixed(2)}</td><td>${h.imagesPerSecond.toFixed(1)}</td><td>${esc(h.formatChanges.join(', '))}</td></tr>`);
  return `<!doctype html><html><head><meta charset="utf-8"><title>cnna train: ${esc(r.model)}</title>
<style>body{font-family:sans-serif;margin:24px;color:#222}table{border-collapse:collapse;margin:12px 0}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}th{background:#eee}td:first-child{text-align:left}.plots{display:flex;flex-wrap:wrap;gap:16px}</style></head><body>
<h1>cnna train</h1>
<p>Model <code>${esc(r.model)}</code>, data ${esc(r.dataset)}. Options: <code>${esc(JSON.stringify(r.options))}</code>.</p>
<div class="plots">
${linePlot('Mean training loss', [{ name: 'loss', color: '#c0392b', xs: r.history.map((h) => h.epoch), ys: r.history.map((h) => h.meanLoss) }], 'cross-entropy')}
${linePlot('Validation top-1 (%)', [{ name: 'float', color: '#2471a3', xs: ep, ys: valF }, { name: 'fixed point', color: '#1e8449', xs: ep, ys: valX }], 'top-1 %')}
</div>
<h2>Epochs</h2>
<table><tr><th>epoch</th><th>loss</th><th>train fixed %</th><th>val float %</th><th>val fixed %</th><th>images/s</th><th>formats changed</th></tr>
<tr><td>0 (before)</td><td></td><td></td><td>${(100 * r.initial.valFloatTop1).toFixed(2)}</td><td>${(100 * r.initial.valFixedTop1).toFixed(2)}</td><td></td><td></td></tr>
${rows.join('\n')}</table>
<h2>Trained formats</h2>
<table><tr><th>value</th><th>format</th></tr>${r.formats.map((f) => `<tr><td>${esc(f.value)}</td><td>${f.format}</td></tr>`).join('')}</table>
</body></html>
`;
}

export function writeTrainReport(path: string, r: TrainReport): void {
  writeFileAtomic(path, trainReportHtml(r));
}
