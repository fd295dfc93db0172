// report.html of a sweep: one self-contained page (inline CSS, SVG and a few lines of script; no
// network): Pareto scatter plots of the objective against DSP, BRAM36 and LUT (one mark per
// evaluated config; fitting, not fitting and on-the-front told apart), the per-layer roofline and
// utilisation bars of the best config, and a table of every config that sorts on a header click.
import { boardByName } from '../../boards/index.ts';
import type { HwConfig } from '../../compiler/contracts/hw-config.ts';
import { PerfModel } from '../perf/perf-model.ts';
import type { SweepEntry } from './evaluate.ts';
import type { SweepFile } from './sweep-output.ts';
import { getPath } from './space.ts';

const esc = (s: unknown): string => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const W = 420;
const H = 300;
const M = { l: 62, r: 12, t: 24, b: 40 };

function ticks(lo: number, hi: number, n = 5): number[] {
  if (hi <= lo) return [lo];
  const step = 10 ** Math.floor(Math.log10((hi - lo) / n));
  const s = [1, 2, 5, 10].map((k) => k * step).find((k) => (hi - lo) / k <= n) ?? step * 10;
  const out: number[] = [];
  for (let v = Math.ceil(lo / s) * s; v <= hi + 1e-9; v += s) out.push(Number(v.toPrecision(10)));
  return out;
}

function scatter(id: string, title: string, xLabel: string, pts: { x: number; y: number; e: SweepEntry }[], yLabel: string, limit?: number): string {
  const xs = pts.map((p) => p.x).concat(limit ?? []);
  const ys = pts.map((p) => p.y);
  const x0 = 0;
  const x1 = Math.max(1, ...xs) * 1.05;
  const y0 = 0;
  const y1 = Math.max(1e-9, ...ys) * 1.05;
  const sx = (v: number) => M.l + ((v - x0) / (x1 - x0)) * (W - M.l - M.r);
  const sy = (v: number) => H - M.b - ((v - y0) / (y1 - y0)) * (H - M.t - M.b);
  const marks = pts.map((p) => {
    const cls = `mark ${p.e.fit?.ok ? 'fit' : 'nofit'}${p.e.pareto ? ' pareto' : ''}`;
    const tip = `${p.e.configHash}: ${yLabel} ${p.y.toFixed(3)}, ${xLabel} ${p.x}${p.e.fit?.ok ? '' : ' (does not fit)'}`;
    return p.e.fit?.ok
      ? `<circle class="${cls}" data-hash="${p.e.configHash}" cx="${sx(p.x).toFixed(1)}" cy="${sy(p.y).toFixed(1)}" r="${p.e.pareto ? 4.5 : 3}"><title>${esc(tip)}</title></circle>`
      : `<rect class="${cls}" data-hash="${p.e.configHash}" x="${(sx(p.x) - 2.5).toFixed(1)}" y="${(sy(p.y) - 2.5).toFixed(1)}" width="5" height="5"><title>${esc(tip)}</title></rect>`;
  }).join('');
  const xt = ticks(x0, x1).map((v) => `<g><line x1="${sx(v)}" x2="${sx(v)}" y1="${H - M.b}" y2="${H - M.b + 4}"/><text x="${sx(v)}" y="${H - M.b + 16}" text-anchor="middle">${v}</text></g>`).join('');
  const yt = ticks(y0, y1).map((v) => `<g><line x1="${M.l - 4}" x2="${M.l}" y1="${sy(v)}" y2="${sy(v)}"/><text x="${M.l - 6}" y="${sy(v) + 4}" text-anchor="end">${v}</text></g>`).join('');
  const lim = limit !== undefined ? `<line class="limit" x1="${sx(limit)}" x2="${sx(limit)}" y1="${M.t}" y2="${H - M.b}"><title>board limit ${limit}</title></line>` : '';
  return `<figure><figcaption>${esc(title)}</figcaption><svg id="${id}" class="scatter" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img">
<line class="axis" x1="${M.l}" x2="${W - M.r}" y1="${H - M.b}" y2="${H - M.b}"/><line class="axis" x1="${M.l}" x2="${M.l}" y1="${M.t}" y2="${H - M.b}"/>${xt}${yt}${lim}
<text x="${(W + M.l) / 2}" y="${H - 6}" text-anchor="middle">${esc(xLabel)}</text><text transform="translate(14 ${(H - M.b + M.t) / 2}) rotate(-90)" text-anchor="middle">${esc(yLabel)}</text>${marks}</svg></figure>`;
}

function roofline(e: SweepEntry, board: string): string {
  const c = e.config as unknown as HwConfig;
  const perf = new PerfModel(c, boardByName(board));
  const peak = c.array.pi * c.array.po;
  const layers = e.models.flatMap((m) => (m.layers ?? []).filter((l) => l.macs > 0 && l.ddrBytes > 0).map((l) => ({ ...l, model: m.model })));
  const ai = layers.map((l) => l.macs / l.ddrBytes);
  const lx0 = Math.floor(Math.log10(Math.min(0.1, ...ai)));
  const lx1 = Math.ceil(Math.log10(Math.max(10, ...ai, (peak / perf.bw) * 10)));
  const ly0 = Math.floor(Math.log10(Math.min(peak / 100, ...layers.map((l) => l.macs / l.cycles))));
  const ly1 = Math.ceil(Math.log10(peak * 1.01));
  const sx = (v: number) => M.l + ((Math.log10(v) - lx0) / (lx1 - lx0)) * (W - M.l - M.r);
  const sy = (v: number) => H - M.b - ((Math.log10(v) - ly0) / (ly1 - ly0)) * (H - M.t - M.b);
  const knee = peak / perf.bw;
  const roof = `<polyline class="roof" points="${sx(10 ** lx0)},${sy(Math.max(10 ** ly0, perf.bw * 10 ** lx0))} ${sx(knee)},${sy(peak)} ${sx(10 ** lx1)},${sy(peak)}"/>`;
  const pts = layers.map((l) => `<circle class="layer" cx="${sx(l.macs / l.ddrBytes).toFixed(1)}" cy="${sy(l.macs / l.cycles).toFixed(1)}" r="3.5"><title>${esc(`${l.model} ${l.name}: ${(l.macs / l.ddrBytes).toFixed(2)} MAC/B, ${(l.macs / l.cycles).toFixed(1)} MAC/cycle`)}</title></circle>`).join('');
  const xt = Array.from({ length: lx1 - lx0 + 1 }, (_, i) => 10 ** (lx0 + i)).map((v) => `<text x="${sx(v)}" y="${H - M.b + 16}" text-anchor="middle">${v}</text>`).join('');
  const yt = Array.from({ length: ly1 - ly0 + 1 }, (_, i) => 10 ** (ly0 + i)).map((v) => `<text x="${M.l - 6}" y="${sy(v) + 4}" text-anchor="end">${v}</text>`).join('');
  return `<figure><figcaption>Roofline of the best config (${peak} MAC/cycle, ${perf.bw.toFixed(2)} B/cycle)</figcaption><svg id="roofline" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img">
<line class="axis" x1="${M.l}" x2="${W - M.r}" y1="${H - M.b}" y2="${H - M.b}"/><line class="axis" x1="${M.l}" x2="${M.l}" y1="${M.t}" y2="${H - M.b}"/>${xt}${yt}${roof}${pts}
<text x="${(W + M.l) / 2}" y="${H - 6}" text-anchor="middle">MACs per DDR byte</text><text transform="translate(14 ${(H - M.b + M.t) / 2}) rotate(-90)" text-anchor="middle">MACs per cycle</text></svg></figure>`;
}

function utilBars(e: SweepEntry): string {
  const rows = e.models.flatMap((m) => (m.layers ?? []).map((l) => ({ ...l, model: m.model })));
  const bh = 16;
  const h = rows.length * bh + 20;
  const bars = rows.map((l, i) => `<g class="ubar"><text x="0" y="${i * bh + 12}">${esc(`${e.models.length > 1 ? `${l.model} ` : ''}${l.name}`)}</text><rect x="250" y="${i * bh + 2}" width="${(l.utilization * 300).toFixed(1)}" height="${bh - 4}"/><text x="${255 + l.utilization * 300}" y="${i * bh + 12}">${(100 * l.utilization).toFixed(1)}%</text></g>`).join('');
  return `<figure><figcaption>MAC-array utilisation per layer (best config)</figcaption><svg id="utilisation" viewBox="0 0 640 ${h}" width="640" height="${h}" role="img">${bars}</svg></figure>`;
}

export function renderReport(s: SweepFile): string {
  const withLat = s.entries.filter((e) => e.status === 'ok' && e.latencyMs !== undefined);
  const yLabel = s.objective === 'latency' ? 'latency (ms)' : 'throughput (images/s)';
  const y = (e: SweepEntry) => (s.objective === 'latency' ? e.latencyMs! : e.throughputIps!);
  const b = boardByName(s.board);
  const best = s.entries.find((e) => e.configHash === s.best);
  const cols: [string, (e: SweepEntry) => unknown][] = [
    ['config', (e) => e.configHash], ['PI', (e) => getPath(e.config, 'array.pi')], ['PO', (e) => getPath(e.config, 'array.po')],
    ['input bank', (e) => getPath(e.config, 'buffers.inputBankEntries')], ['weight bank', (e) => getPath(e.config, 'buffers.weightBankWords')],
    ['out FIFO', (e) => getPath(e.config, 'buffers.outputFifoEntries')], ['MHz', (e) => getPath(e.config, 'clockMhz')],
    ['AXI', (e) => `${getPath(e.config, 'axi.dataBits')}x${getPath(e.config, 'axi.ports')}`], ['Winograd', (e) => (getPath(e.config, 'array.winograd') === true ? 'yes' : '')],
    ['latency ms', (e) => e.latencyMs?.toFixed(3) ?? ''], ['images/s', (e) => e.throughputIps?.toFixed(2) ?? ''],
    ['DSP', (e) => e.resources?.dsp ?? ''], ['BRAM36', (e) => e.resources?.bram36 ?? ''], ['LUT', (e) => e.resources?.lut ?? ''], ['FF', (e) => e.resources?.ff ?? ''],
    ['fits', (e) => (e.fit ? (e.fit.ok ? 'yes' : 'no') : '')], ['fmax MHz', (e) => e.timing?.fmaxMhz ?? ''], ['Pareto', (e) => (e.pareto ? 'yes' : '')],
    ['status', (e) => (e.status === 'ok' ? 'ok' : `refused: ${e.reason}`)],
  ];
  const table = `<table id="configs"><thead><tr>${cols.map(([h], i) => `<th data-col="${i}">${esc(h)}</th>`).join('')}</tr></thead><tbody>${
    s.entries.map((e) => `<tr class="${e.configHash === s.best ? 'best' : ''}">${cols.map(([, f]) => `<td>${esc(f(e))}</td>`).join('')}</tr>`).join('')}</tbody></table>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>cnna sweep: ${esc(s.board)}</title>
<style>
body{font:14px system-ui,sans-serif;margin:24px;color:#222}h1{font-size:20px}figure{display:inline-block;margin:8px;vertical-align:top}
figcaption{font-weight:600;margin-bottom:4px}svg text{font-size:11px;fill:#333}.axis,svg line{stroke:#888}
.mark.fit{fill:#1f77b4;opacity:.75}.mark.nofit{fill:#bbb}.mark.pareto{fill:#d62728;opacity:1}.limit{stroke:#d62728;stroke-dasharray:4 3}
.roof{fill:none;stroke:#333;stroke-width:2}.layer{fill:#ff7f0e}.ubar rect{fill:#2ca02c}
table{border-collapse:collapse;font-size:12px}th,td{border:1px solid #ddd;padding:2px 6px;text-align:right}th{cursor:pointer;background:#f3f3f3}
tr.best td{background:#fff3c4}.legend span{margin-right:16px}
</style></head><body>
<h1>cnna sweep on ${esc(b.title)} (${esc(b.part)})</h1>
<p>${s.counts.configs} configs${s.space.excluded ? ` (${s.space.excluded} more removed by the space's constraints)` : ''}: ${s.counts.refused} refused, ${s.counts.fitting} fit the board, ${s.counts.pareto} on the Pareto front of ${esc(s.objective)} × DSP × BRAM36 × LUT. Models: ${s.models.map((m) => esc(m.name)).join(', ')}. Space ${esc(s.space.source)}.</p>
<p>Timing: ${(() => { const t = s.entries.filter((e) => e.timing); const src = new Set(t.map((e) => e.timing!.source)); const lo = Math.min(...t.map((e) => e.timing!.fmaxMhz)); return t.length ? `estimated fmax ${lo} MHz and up (${[...src].join(', ')}); ${t.filter((e) => e.timing!.meetsClock).length} of ${t.length} configs run at or below it (the table's fmax column)` : 'no config evaluated'; })()}.</p>
<p class="legend"><span style="color:#d62728">● Pareto front</span><span style="color:#1f77b4">● fits</span><span style="color:#999">■ does not fit</span>dashed: the board's limit</p>
${scatter('plot-dsp', `${yLabel} vs DSP`, 'DSP slices', withLat.map((e) => ({ x: e.resources!.dsp, y: y(e), e })), yLabel, b.dsp)}
${scatter('plot-bram', `${yLabel} vs BRAM36`, 'BRAM36', withLat.map((e) => ({ x: e.resources!.bram36, y: y(e), e })), yLabel, b.bram36)}
${scatter('plot-lut', `${yLabel} vs LUT`, 'LUTs', withLat.map((e) => ({ x: e.resources!.lut, y: y(e), e })), yLabel, Math.floor(b.lut * 0.85))}
<h2>Best config${best ? `: ${esc(best.configHash)}` : ''}</h2>
${best ? `<pre id="best-config">${esc(JSON.stringify(best.config, null, 2))}</pre>${roofline(best, s.board)}${utilBars(best)}` : '<p>No config fits the board.</p>'}
<h2>All configs</h2>
${table}
<script>
document.querySelectorAll('#configs th').forEach(function (th) {
  th.addEventListener('click', function () {
    var col = Number(th.dataset.col), body = document.querySelector('#configs tbody');
    var dir = th.dataset.dir === 'asc' ? -1 : 1; th.dataset.dir = dir === 1 ? 'asc' : 'desc';
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = a.cells[col].textContent, y = b.cells[col].textContent, nx = parseFloat(x), ny = parseFloat(y);
      // Empty cells (a refused config has no latency or resources) sort last in both directions.
      if (x === '' || y === '') return (x === '') - (y === '');
      if (!isNaN(nx) && !isNaN(ny)) return dir * (nx - ny);
      return dir * x.localeCompare(y);
    });
    rows.forEach(function (r) { body.appendChild(r); });
  });
});
</script>
</body></html>
`;
}
