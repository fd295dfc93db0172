// Calibrates the resource model (sim/synth/resource-model.ts) against Yosys and checks it on held-out
// configs: synthesizes each point of sim/synth/resource-points.ts (`synth_xilinx -family xcup` through
// runSynth, one at a time, cached in .cache/synth by config + RTL + Yosys, so a re-run on an unchanged
// RTL takes seconds), fits the DSP and LUTRAM constants and the LUT and FF coefficients (least squares
// over the model's FEATURES) on the fit points, and prints Yosys against the model for every point,
// with the held-out check (DSP exact, BRAM36 within 2, LUT within 8 %).
//   node --import tsx scripts/calibrate-resources.ts [--cached-only] [--write] [--json]
// --cached-only: no synthesis, only the points already in the cache (the others are listed as missing).
// --write: the fit goes to sim/synth/resource-calibration.json (coefficients and every point) and the
// table to docs/sweep.md (between the "resource-fit" markers).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { execSync } from 'node:child_process';
import { ultra96 } from '../boards/ultra96/board.ts';
import { configHash } from '../compiler/contracts/hw-config.ts';
import { cachedSynth, runSynth, type SynthReport } from '../sim/synth/yosys.ts';
import { DSP_PER_LANE, FEATURES, weightBeatsDsp, estimateResources, fifoLutramTotal, memoryMuxLut, type ResourceCoefficients } from '../sim/synth/resource-model.ts';
import { FIT_POINTS, HELD_OUT_POINTS, pointConfig, pointLabel, type PointSpec } from '../sim/synth/resource-points.ts';
import { TIMING_MODEL } from '../sim/synth/timing-model.ts';
import { PATH_CLASSES, fanoutNs, pathClass, timingEstimate } from '../sim/sweep/timing-estimate.ts';

const { values } = parseArgs({ options: { 'cached-only': { type: 'boolean', default: false }, write: { type: 'boolean', default: false }, json: { type: 'boolean', default: false } } });
const root = join(import.meta.dirname, '..');
const log = (s: string) => console.error(s);

interface Measured { spec: PointSpec; kind: 'fit' | 'heldOut'; synth: SynthReport }
const measured: Measured[] = [];
const missing: string[] = [];
const all: [PointSpec, 'fit' | 'heldOut'][] = [...FIT_POINTS.map((p) => [p, 'fit'] as [PointSpec, 'fit']), ...HELD_OUT_POINTS.map((p) => [p, 'heldOut'] as [PointSpec, 'heldOut'])];
for (const [i, [spec, kind]] of all.entries()) {
  const c = pointConfig(spec);
  log(`[${i + 1}/${all.length}] ${kind} ${pointLabel(spec)} (${configHash(c)})`);
  const t0 = Date.now();
  // Every end register's worst path (the timing model's classes need each class's worst, not the top 5).
  const r = values['cached-only'] ? await cachedSynth(c, ultra96, { paths: 1e6 }) : await runSynth(c, ultra96, { onLog: log, paths: 1e6 });
  if (!r) { missing.push(`${kind} ${pointLabel(spec)}`); log('  not in the cache'); continue; }
  log(`  ${r.cached ? 'cached' : `synthesized in ${((Date.now() - t0) / 1000).toFixed(0)} s`}`);
  measured.push({ spec, kind, synth: r });
}

/** Least squares: coefficients b minimizing |X b - y|, by the normal equations. */
function leastSquares(X: number[][], y: number[]): number[] {
  const n = X[0].length;
  const A = Array.from({ length: n }, (_, i) => Array.from({ length: n + 1 }, (_, j) => (j < n ? X.reduce((a, r) => a + r[i] * r[j], 0) : X.reduce((a, r, k) => a + r[i] * y[k], 0))));
  for (let col = 0; col < n; col++) {
    let piv = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(A[r][col]) > Math.abs(A[piv][col])) piv = r;
    if (Math.abs(A[piv][col]) < 1e-9) throw new Error(`the fit points do not determine feature '${Object.keys(FEATURES)[col]}': add a fit point that varies it (sim/synth/resource-points.ts)`);
    [A[col], A[piv]] = [A[piv], A[col]];
    for (let r = 0; r < n; r++) {
      if (r === col) continue;
      const f = A[r][col] / A[col][col];
      for (let k = col; k <= n; k++) A[r][k] -= f * A[col][k];
    }
  }
  return A.map((r, i) => r[n] / r[i]);
}

const fit = measured.filter((m) => m.kind === 'fit');
if (fit.length < Object.keys(FEATURES).length) {
  console.error(`only ${fit.length} of ${FIT_POINTS.length} fit points are synthesized (${Object.keys(FEATURES).length} needed): ${missing.join('; ')}`);
  process.exit(1);
}
const names = Object.keys(FEATURES);
const X = fit.map((m) => names.map((n) => FEATURES[n](pointConfig(m.spec))));
const dspControls = fit.map((m) => { const [pi, po] = m.spec; return m.synth.resources.dsp48e2 - pi * po - DSP_PER_LANE * po - weightBeatsDsp(pointConfig(m.spec)); });
// The DSP structure is exact: every fit point must leave the same constant (else the structure misses a product).
if (new Set(dspControls).size > 1) console.error(`warning: the DSP constant differs between the fit points (${dspControls.join(', ')}): a product of the RTL is missing from resource-model.ts`);
const round2 = (v: number) => Math.round(v * 100) / 100;
const coefficients: ResourceCoefficients = {
  dspControl: Math.round(dspControls.reduce((a, b) => a + b, 0) / dspControls.length),
  lutram: Object.fromEntries(leastSquares(X, fit.map((m) => m.synth.resources.lutAsMemory - fifoLutramTotal(pointConfig(m.spec)))).map((b, i) => [names[i], round2(b)])),
  lut: Object.fromEntries(leastSquares(X, fit.map((m) => m.synth.resources.lutAsLogic - memoryMuxLut(pointConfig(m.spec)))).map((b, i) => [names[i], round2(b)])),
  ff: Object.fromEntries(leastSquares(X, fit.map((m) => m.synth.resources.ff)).map((b, i) => [names[i], round2(b)])),
};

// Timing: each class's worst path on each point, its base delay (minus the fanout term) the largest over the fit points.
const round3 = (v: number) => Math.round(v * 1000) / 1000;
const classNs = (m: Measured): Record<string, number> => Object.fromEntries(PATH_CLASSES.map((k) => [k.name, Math.max(0, ...m.synth.timing.paths.filter((p) => pathClass(p) === k).map((p) => p.ns))]));
const timingBaseNs: Record<string, number> = Object.fromEntries(PATH_CLASSES.map((k) => [k.name, round3(Math.max(...fit.map((m) => classNs(m)[k.name] - fanoutNs(k, pointConfig(m.spec)))))]));

const pct = (m: number, y: number) => (100 * (m - y)) / y;
const rows = measured.map((m) => {
  const c = pointConfig(m.spec);
  const y = m.synth.resources;
  const e = estimateResources(c, coefficients);
  const t = timingEstimate(c, timingBaseNs);
  return {
    kind: m.kind, label: pointLabel(m.spec), configHash: configHash(c),
    config: { pi: c.array.pi, po: c.array.po, inputBankEntries: c.buffers.inputBankEntries, weightBankWords: c.buffers.weightBankWords, outputFifoEntries: c.buffers.outputFifoEntries, axiDataBits: c.axi.dataBits, burstBeats: c.axi.burstBeats, ports: c.axi.ports },
    dsp: y.dsp48e2, bram36: y.bram36Equivalent, lut: y.lut, lutAsMemory: y.lutAsMemory, ff: y.ff, fmaxMhz: m.synth.timing.fmaxMhz, worstNs: m.synth.timing.worstNs, classNs: classNs(m),
    worstPath: m.synth.timing.paths[0] ? `${m.synth.timing.paths[0].from} -> ${m.synth.timing.paths[0].to}` : '',
    model: { dsp: e.dsp, bram36: e.bram36, lut: e.lut, lutAsMemory: e.lutAsMemory, ff: e.ff, fmaxMhz: t.fmaxMhz, worstClass: t.worstClass },
    lutErrorPct: round2(pct(e.lut, y.lut)), ffErrorPct: round2(pct(e.ff, y.ff)), fmaxErrorPct: m.synth.timing.fmaxMhz ? round2(pct(t.fmaxMhz, m.synth.timing.fmaxMhz)) : null,
  };
});
const held = rows.filter((r) => r.kind === 'heldOut');
const heldOk = held.map((r) => ({ label: r.label, dsp: r.model.dsp === r.dsp, bram36: Math.abs(r.model.bram36 - r.bram36) <= 2, lut: Math.abs(r.lutErrorPct) <= 8 }));
const pass = held.length > 0 && heldOk.every((h) => h.dsp && h.bram36 && h.lut);

const yosys = execSync('yosys -V').toString().trim();
const rtlCommit = execSync('git log -1 --format=%h -- rtl compiler/contracts', { cwd: root }).toString().trim();
const n = (v: number) => v.toLocaleString('en-US');
const table = [
  '| Config | Kind | DSP (Yosys / model) | BRAM36 | LUT | LUT error | LUTRAM | FF | FF error | fmax MHz (netlist estimate / model) |',
  '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ...rows.map((r) => `| ${r.label} | ${r.kind === 'fit' ? 'fit' : 'held out'} | ${r.dsp} / ${r.model.dsp} | ${r.bram36} / ${r.model.bram36} | ${n(r.lut)} / ${n(r.model.lut)} | ${r.lutErrorPct >= 0 ? '+' : ''}${r.lutErrorPct.toFixed(1)} % | ${n(r.lutAsMemory)} / ${n(r.model.lutAsMemory)} | ${n(r.ff)} / ${n(r.model.ff)} | ${r.ffErrorPct >= 0 ? '+' : ''}${r.ffErrorPct.toFixed(1)} % | ${r.fmaxMhz ?? '–'} / ${r.model.fmaxMhz} |`),
].join('\n');
const coefText = `DSP = PO·PI + ${DSP_PER_LANE}·PO + ${coefficients.dspControl} (+ 1 when PO·PI·16/AXI is not a power of two); LUTRAM = FIFOs + ${names.map((k) => `${coefficients.lutram[k]}·${k}`).join(' + ')}; `
  + `LUT logic = ${names.map((k) => `${coefficients.lut[k]}·${k}`).join(' + ')} + block-RAM muxes; FF = ${names.map((k) => `${coefficients.ff[k]}·${k}`).join(' + ')}; `
  + `worst path (ns) = max(${PATH_CLASSES.map((k) => `${k.name} ${timingBaseNs[k.name]}${k.lanesText ? ` + ${TIMING_MODEL.netPerFanoutDoubling}·log2(${k.lanesText})` : ''}`).join(', ')})`;

if (values.json) {
  console.log(JSON.stringify({ yosys, rtlCommit, coefficients, timingBaseNs, rows, missing, heldOutPass: pass }, null, 1));
} else {
  console.log(`Yosys: ${yosys}; RTL at ${rtlCommit}`);
  console.log(coefText);
  console.log(table);
  if (missing.length) console.log(`missing (not synthesized): ${missing.join('; ')}`);
  console.log(`held out: ${held.length} configs, ${pass ? 'all within the bounds' : 'NOT all within the bounds'} (DSP exact, BRAM36 within 2, LUT within 8 %)`);
}

if (values.write) {
  const file = join(root, 'sim/synth/resource-calibration.json');
  const old = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  const point = (r: (typeof rows)[number]) => ({ config: r.config, source: `scripts/calibrate-resources.ts, config ${r.configHash}`, dsp: r.dsp, bram36: r.bram36, lut: r.lut, lutAsMemory: r.lutAsMemory, ff: r.ff, fmaxMhz: r.fmaxMhz, worstNs: r.worstNs, worstPath: r.worstPath, classNs: r.classNs, model: r.model });
  writeFileSync(file, `${JSON.stringify({
    yosys: `${yosys}, synth_xilinx -family xcup -flatten (sim/synth/yosys.ts)`,
    rtl: `rtl/ and its generated package at commit ${rtlCommit}`,
    written: new Date().toISOString().slice(0, 16),
    sdpRam: old.sdpRam,
    coefficients,
    timing: { what: 'sim/sweep/timing-estimate.ts: worst path per class = baseNs + netPerFanoutDoubling * log2(lanes)', classes: Object.fromEntries(PATH_CLASSES.map((k) => [k.name, k.what])), baseNs: timingBaseNs },
    fit: rows.filter((r) => r.kind === 'fit').map(point),
    heldOut: held.map(point),
  }, null, 1)}\n`);
  const docs = join(root, 'docs/sweep.md');
  const d = readFileSync(docs, 'utf8');
  const begin = '<!-- generated: resource-fit (scripts/calibrate-resources.ts --write) -->';
  const end = '<!-- end generated: resource-fit -->';
  const i = d.indexOf(begin);
  const j = d.indexOf(end);
  if (i < 0 || j < i) throw new Error(`docs/sweep.md has no '${begin}' ... '${end}' block`);
  writeFileSync(docs, `${d.slice(0, i + begin.length)}\nYosys: ${yosys}; RTL at ${rtlCommit}; written ${new Date().toISOString().slice(0, 16)} UTC.\n${coefText}.\n\n${table}\n${d.slice(j)}`);
  console.log(`wrote ${file} and the table in ${docs}`);
}
if (!pass) process.exitCode = 1;
