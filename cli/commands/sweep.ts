// `cnna sweep <model.onnx>… --board B [--space FILE] -o DIR [--objective latency|throughput] [--batch N]
// [--verify ref|rtl|hls --top K] [--synth [--top K]] [--shard K/N] [--baseline FILE --max-regress PCT]
// [--junit FILE] [--workers N] [--json]`: design-space exploration of the engine template. Every config
// of the space is validated, compiled for every model (layout only), run through the performance model
// per layer, the resource model, the board fit and the timing estimate, on worker threads (one per
// core) with a resume cache in DIR; the Pareto front and the best config are written with sweep.json,
// sweep.csv, best-config.json and report.html (sim/sweep/, docs/sweep.md).
// `cnna sweep merge DIR… -o DIR`: shards back into what one run gives.
// Exit codes: 0 done, 1 error, 2 usage error, 3 the best objective regressed past --max-regress.
import { statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { availableParallelism } from 'node:os';
import { checkBatch, compileBundle } from '../../compiler/backend/compile-bundle.ts';
import { validateConfig, type HwConfig } from '../../compiler/contracts/hw-config.ts';
import { CnnaError } from '../../compiler/errors/cnna-error.ts';
import { ensureDir, writeFileAtomic } from '../../compiler/util/atomic-write.ts';
import { runFixed } from '../../compiler/golden/fixed/run-fixed.ts';
import type { QuantizedModel } from '../../compiler/golden/fixed/quantized-model.ts';
import { boardByName, boardDefaultConfig } from '../../boards/index.ts';
import { modelBundle, perfCompileOptions } from '../../sim/perf/model-bundle.ts';
import { runSynth } from '../../sim/synth/yosys.ts';
import { boardFit, rawConfigHash, type SweepEntry } from '../../sim/sweep/evaluate.ts';
import { pathClass } from '../../sim/sweep/timing-estimate.ts';
import { eligible, objectiveValue, type Objective } from '../../sim/sweep/pareto.ts';
import { defaultSpaceFile, expandSpace, inShard, parseShard, readSpaceFile } from '../../sim/sweep/space.ts';
import { hashFile, runSweep } from '../../sim/sweep/run-sweep.ts';
import {
  bestEntry, describeConfig, finishSweep, mergeSweeps, readSweepFile, regression, sweepJunit, writeSweepOutputs, type SweepFile,
} from '../../sim/sweep/sweep-output.ts';
import type { Command, CommandContext } from '../command.ts';
import { QUANT_OPTIONS, loadModel, quantizeForCli } from '../model-pipeline.ts';
import { progress } from '../progress.ts';
import { BACKENDS } from './simulate.ts';
import { rtlPackage } from '../../sim/verilator/rtl-sources.ts';
import { hlsBuildKey } from '../../sim/hls/build.ts';

/**
 * --verify and --synth build engines of the chosen configs; a space with array.winograd configs is refused
 * up front (E_CONFIG) when the engine does not run Winograd jobs, by asking the engine's own build check
 * (rtlPackage, hlsBuildKey: requireEngineSupport) on the board default with array.winograd.
 */
async function checkEnginesRunSpace(configs: Record<string, unknown>[], defaults: HwConfig, verify: string | undefined, synth: boolean): Promise<void> {
  const wino = configs.find((c) => (c.array as { winograd?: boolean } | undefined)?.winograd === true);
  if (!wino) return;
  const probe = validateConfig({ ...defaults, array: { ...defaults.array, winograd: true } }, 'config');
  const checks: [string, () => unknown][] = [];
  if (verify === 'rtl' || synth) checks.push([verify === 'rtl' ? '--verify rtl' : '--synth', () => rtlPackage(probe)]);
  if (verify === 'hls' || verify === 'hls-untimed') checks.push([`--verify ${verify}`, () => hlsBuildKey(probe)]);
  for (const [option, check] of checks) {
    try {
      await check();
    } catch (e) {
      if (!(e instanceof CnnaError) || e.code !== 'E_CONFIG') continue;
      throw new CnnaError('E_CONFIG', `sweep ${option}: the space has array.winograd configs (e.g. ${rawConfigHash(wino)}), and ${e.message}`, {
        hint: `drop array.winograd from the space for ${option}, or verify on the engine model (--verify ref)`,
      });
    }
  }
}

export const REGRESSION_EXIT_CODE = 3;

function baselineOptions(values: Record<string, unknown>): { base: SweepFile; maxRegress: number } | undefined {
  const maxRegress = values['max-regress'] === undefined ? undefined : Number(values['max-regress']);
  if (maxRegress !== undefined && !(maxRegress >= 0)) throw new CnnaError('E_USAGE', `--max-regress '${String(values['max-regress'])}' is not a percentage >= 0`);
  if ((values.baseline === undefined) !== (maxRegress === undefined)) throw new CnnaError('E_USAGE', '--baseline FILE and --max-regress PCT go together');
  return values.baseline === undefined ? undefined : { base: readSweepFile(String(values.baseline)), maxRegress: maxRegress! };
}

function checkBaseline(s: SweepFile, b: { base: SweepFile; maxRegress: number } | undefined): { ok: boolean; message: string; regressionPct: number | null } | undefined {
  if (!b) return undefined;
  const reg = regression(s, b.base);
  const ok = reg !== null && reg.pct <= b.maxRegress;
  return {
    ok, regressionPct: reg?.pct ?? null,
    message: reg === null ? 'no fitting config in this sweep or the baseline' : `best ${s.objective} ${reg.now.toFixed(4)} vs baseline ${reg.before.toFixed(4)}: ${reg.pct >= 0 ? '+' : ''}${reg.pct.toFixed(2)}% (allowed ${b.maxRegress}%)`,
  };
}

function failRegression(check: { ok: boolean; message: string } | undefined, objective: string, result: unknown, ctx: CommandContext): void {
  if (!check || check.ok) return;
  if (ctx.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  throw new CnnaError('E_REGRESSION', `best ${objective} regressed: ${check.message}`, { exitCode: REGRESSION_EXIT_CODE, hint: 'the outputs are written; compare report.html with the baseline\'s' });
}

function checkModelFile(path: string): void {
  let isFile = false;
  try { isFile = statSync(path).isFile(); } catch { throw new CnnaError('E_IO', `cannot read model '${path}': no such file`); }
  if (!isFile) throw new CnnaError('E_IO', `cannot read model '${path}': it is a directory, not an .onnx file`);
}

function positiveInt(name: string, v: unknown): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!/^\d+$/.test(String(v)) || n < 1) throw new CnnaError('E_USAGE', `--${name} '${String(v)}' is not a positive integer`);
  return n;
}

function topK(entries: SweepEntry[], o: Objective, k: number | undefined): SweepEntry[] {
  const key = (e: SweepEntry): number[] => [objectiveValue(e, o), e.resources!.dsp, e.resources!.bram36, e.resources!.lut];
  const ok = entries.filter(eligible).sort((a, b) => {
    const x = key(a);
    const y = key(b);
    for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return x[i] - y[i];
    return a.configHash < b.configHash ? -1 : 1;
  });
  return k === undefined ? ok : ok.slice(0, k);
}

async function verifyTop(s: SweepFile, models: { name: string; path: string }[], backendName: string, k: number, values: Record<string, unknown>, ctx: CommandContext) {
  const backend = BACKENDS[backendName];
  if (!backend) throw new CnnaError('E_USAGE', `--verify '${backendName}' is not a simulator backend`, { hint: `known: ${Object.keys(BACKENDS).join(', ')}` });
  const qms = new Map<string, QuantizedModel>();
  const board = boardByName(s.board);
  const chosen = topK(s.entries, s.objective, k);
  const bar = progress(`verify ${backendName}`, chosen.length * models.length, { json: ctx.json });
  const out: { configHash: string; model: string; bitExact: boolean; mismatches: number; modeledCycles: number; simulatedCycles: number; errorPct: number }[] = [];
  try {
    for (const e of chosen) {
      const config = e.config as unknown as HwConfig;
      for (const m of models) {
        let qm = qms.get(m.path);
        if (!qm) { qm = quantizeForCli(loadModel(m.path, 'sweep').graph, values, ctx); qms.set(m.path, qm); }
        const bundle = compileBundle(qm, config, { name: m.name, ...perfCompileOptions(config, board) });
        const io = bundle.manifest.inputs[0];
        const n = io.shape.reduce((a, b) => a * b, 1);
        const x = { [io.name]: { dims: io.shape, data: Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.37) * 0.5) } };
        const r = await backend.run(bundle, x, { config });
        const gold = runFixed(qm, x, { keepAll: true });
        let bad = 0;
        for (const o of bundle.manifest.outputs) {
          const src = o.hostTail ? qm.graph.nodes.find((nd) => nd.outputs[0] === o.name)!.inputs[0] : o.name;
          const g = gold.raw[src].q;
          const q = r.raw[o.name].q;
          for (let i = 0; i < q.length; i++) if (q[i] !== g[i]) bad++;
        }
        const modeled = modelBundle(bundle, config, board).cycles;
        out.push({ configHash: e.configHash, model: m.name, bitExact: bad === 0, mismatches: bad, modeledCycles: modeled, simulatedCycles: r.cycles, errorPct: Number(((100 * (modeled - r.cycles)) / r.cycles).toFixed(3)) });
        ctx.log(`  verify ${e.configHash} ${m.name} on ${backendName}: ${bad === 0 ? 'bit-exact' : `${bad} values differ`}, modeled ${modeled} vs simulated ${r.cycles} cycles (${out[out.length - 1].errorPct}%)`);
        bar.tick(1);
      }
    }
  } finally {
    bar.stop();
  }
  return out;
}

async function synthTop(s: SweepFile, k: number | undefined, ctx: CommandContext): Promise<number> {
  const board = boardByName(s.board);
  const chosen = topK(s.entries, s.objective, k).concat(s.entries.filter((e) => e.status === 'ok' && !e.fit?.ok && k === undefined));
  const bar = progress('synth', chosen.length, { json: ctx.json });
  const queue = [...chosen];
  await Promise.all(Array.from({ length: Math.min(availableParallelism(), queue.length) }, async () => {
    for (let e = queue.shift(); e; e = queue.shift()) {
      const r = await runSynth(e.config as unknown as HwConfig, board, { onLog: ctx.warn });
      const x = r.resources;
      e.resources = { ...e.resources!, dsp: x.dsp48e2, bram36: x.bram36Equivalent, lut: x.lut, lutAsLogic: x.lutAsLogic, lutAsMemory: x.lutAsMemory, ff: x.ff, source: 'yosys' };
      e.fit = boardFit(e.resources, board);
      if (r.timing.fmaxMhz !== null) e.timing = { fmaxMhz: r.timing.fmaxMhz, worstNs: r.timing.worstNs, worstClass: r.timing.paths[0] ? pathClass(r.timing.paths[0]).name : '', meetsClock: (e.config as unknown as HwConfig).clockMhz <= r.timing.fmaxMhz, source: 'yosys' };
      bar.tick(1);
    }
  }));
  bar.stop();
  return chosen.length;
}

export const sweepCommand: Command = {
  name: 'sweep',
  summary: 'explore the engine design space: every config of a space on the perf, resource and timing models, board fit, Pareto front, HTML report',
  usage: 'sweep <model.onnx>… --board ultra96 [--space FILE] -o DIR [--objective latency|throughput] [--batch N] [--verify ref|rtl|hls --top K] [--synth] [--shard K/N] [--baseline FILE --max-regress PCT] [--junit FILE] [--workers N]',
  options: {
    board: { type: 'string', default: 'ultra96' },
    space: { type: 'string' },
    out: { type: 'string', short: 'o' },
    objective: { type: 'string', default: 'latency' },
    batch: { type: 'string', default: '1' },
    verify: { type: 'string' },
    top: { type: 'string' },
    synth: { type: 'boolean', default: false },
    shard: { type: 'string' },
    baseline: { type: 'string' },
    'max-regress': { type: 'string' },
    junit: { type: 'string' },
    workers: { type: 'string' },
    'no-cache': { type: 'boolean', default: false },
    ...QUANT_OPTIONS,
  },
  async run({ values, positionals }, ctx) {
    const out = values.out as string | undefined;
    if (!out) throw new CnnaError('E_USAGE', 'sweep: missing -o DIR (where to write sweep.json, sweep.csv, best-config.json, report.html)', { hint: 'usage: cnna sweep model.onnx --board ultra96 -o build/sweep' });
    if (positionals.length === 0) throw new CnnaError('E_USAGE', 'sweep: missing <model.onnx> (one or more models)');
    const objective = String(values.objective);
    if (objective !== 'latency' && objective !== 'throughput') throw new CnnaError('E_USAGE', `--objective '${objective}' is not latency or throughput`);
    const batchText = String(values.batch);
    const batch = checkBatch(/^\d+$/.test(batchText) ? Number(batchText) : batchText);
    if (batch > 1 && values.verify !== undefined) {
      throw new CnnaError('E_CONFIG', `sweep: --verify simulates batch 1 bundles, --batch ${batch} was given`, { hint: 'drop --verify, or verify the chosen config with cnna simulate --batch N --backend rtl' });
    }
    const top = positiveInt('top', values.top);
    const workers = positiveInt('workers', values.workers);
    if (values.verify !== undefined && top === undefined) throw new CnnaError('E_USAGE', '--verify needs --top K (how many of the best configs to simulate)');
    if (values.verify !== undefined && !BACKENDS[String(values.verify)]) throw new CnnaError('E_USAGE', `--verify '${String(values.verify)}' is not a simulator backend`, { hint: `known: ${Object.keys(BACKENDS).join(', ')}` });
    const baseline = baselineOptions(values);
    const shard = values.shard === undefined ? null : parseShard(String(values.shard));
    const board = boardByName(String(values.board));
    const defaults = boardDefaultConfig(board.name);
    const spaceFile = (values.space as string | undefined) ?? defaultSpaceFile(board.name);
    const space = readSpaceFile(spaceFile, defaults);
    const { configs, excluded } = expandSpace(space, defaults);
    const seen = new Set<string>();
    const all: { raw: Record<string, unknown>; index: number }[] = [];
    configs.forEach((raw) => { const h = rawConfigHash(raw); if (!seen.has(h)) { seen.add(h); all.push({ raw, index: all.length }); } });
    const items = all.filter((it) => inShard(rawConfigHash(it.raw), shard));
    await checkEnginesRunSpace(items.map((it) => it.raw), defaults, values.verify as string | undefined, !!values.synth);
    const models = await Promise.all(positionals.map(async (p) => {
      checkModelFile(p);
      return { name: basename(p).replace(/\.onnx$/i, ''), path: p, sha256: await hashFile(p) };
    }));
    if (new Set(models.map((m) => m.name)).size !== models.length) throw new CnnaError('E_USAGE', 'sweep: two models have the same file name');
    ensureDir(out);
    ctx.log(`sweep on ${board.name}: ${all.length} configs from ${spaceFile}${excluded ? ` (${excluded} removed by constraints)` : ''}${shard ? `, shard ${shard.k}/${shard.n}: ${items.length}` : ''}; ${models.length} model(s)${batch > 1 ? `, batch ${batch} (latency per start, throughput = ${batch} / latency)` : ''}`);
    const t0 = performance.now();
    const bar = progress('sweep', items.length, { json: ctx.json });
    let last = 0;
    const r = await runSweep(items, {
      board, models, workers, batch, cacheFile: values['no-cache'] ? null : join(out, 'sweep-cache.jsonl'),
      onProgress: (done) => { bar.tick(done - last); last = done; },
    });
    bar.stop();
    const seconds = (performance.now() - t0) / 1000;
    let s = finishSweep({
      board: board.name, objective, models: models.map((m) => ({ name: m.name, sha256: m.sha256 })),
      space: { source: spaceFile, hash: space.hash, configs: all.length, excluded, axes: space.axes.map((a) => a.path) }, shard, entries: r.entries,
    });
    let synthesized = 0;
    if (values.synth) {
      synthesized = await synthTop(s, top, ctx);
      s = finishSweep({ board: s.board, objective, models: s.models, space: s.space, shard, entries: s.entries });
    }
    const verify = values.verify !== undefined ? await verifyTop(s, models, String(values.verify), top!, values, ctx) : undefined;
    const files = writeSweepOutputs(out, s);
    const baselineCheck = checkBaseline(s, baseline);
    if (values.junit) { writeFileAtomic(String(values.junit), sweepJunit(s, baselineCheck)); files.push(String(values.junit)); }
    const best = bestEntry(s);
    ctx.log(`${s.counts.configs} configs in ${seconds.toFixed(1)} s on ${r.workers} worker(s) (models loaded in ${r.loadSeconds.toFixed(1)} s; ${r.cached} from the resume cache, ${r.compiles} compiles): ${s.counts.refused} refused, ${s.counts.fitting} fit, ${s.counts.pareto} on the Pareto front`);
    if (best) ctx.log(`best: ${best.configHash} ${describeConfig(best.config)}: ${best.latencyMs!.toFixed(3)} ms, DSP ${best.resources!.dsp}, BRAM36 ${best.resources!.bram36}, LUT ${best.resources!.lut}`);
    else ctx.log('no config fits the board');
    if (baselineCheck) ctx.log(`baseline: ${baselineCheck.message}${baselineCheck.ok ? '' : '  REGRESSED'}`);
    ctx.log(`wrote ${files.join(', ')}`);
    const result = {
      board: s.board, objective, counts: s.counts, best: best ? { configHash: best.configHash, config: best.config, latencyMs: best.latencyMs, throughputIps: best.throughputIps, resources: best.resources, timing: best.timing } : null,
      front: s.entries.filter((e) => e.pareto).map((e) => e.configHash), batch, files, seconds: Number(seconds.toFixed(2)), loadSeconds: Number(r.loadSeconds.toFixed(2)), workers: r.workers, cached: r.cached, compiles: r.compiles,
      ...(values.synth ? { synthesized } : {}), ...(verify ? { verify } : {}), ...(baselineCheck ? { baseline: baselineCheck } : {}),
    };
    failRegression(baselineCheck, objective, result, ctx);
    return result;
  },
};

export const sweepMergeCommand: Command = {
  name: 'sweep merge',
  summary: 'merge the shards of a sweep (cnna sweep --shard K/N) into the outputs one run gives',
  usage: 'sweep merge DIR… -o DIR [--junit FILE] [--baseline FILE --max-regress PCT]',
  options: { out: { type: 'string', short: 'o' }, junit: { type: 'string' }, baseline: { type: 'string' }, 'max-regress': { type: 'string' } },
  async run({ values, positionals }, ctx) {
    const out = values.out as string | undefined;
    if (!out) throw new CnnaError('E_USAGE', 'sweep merge: missing -o DIR');
    const baseline = baselineOptions(values);
    const s = mergeSweeps(positionals.map(readSweepFile), positionals);
    ensureDir(out);
    const files = writeSweepOutputs(out, s);
    const baselineCheck = checkBaseline(s, baseline);
    if (values.junit) { writeFileAtomic(String(values.junit), sweepJunit(s, baselineCheck)); files.push(String(values.junit)); }
    const best = bestEntry(s);
    ctx.log(`merged ${positionals.length} shards: ${s.counts.configs} configs, ${s.counts.pareto} on the Pareto front; best ${best ? `${best.configHash} ${describeConfig(best.config)} ${best.latencyMs!.toFixed(3)} ms` : 'none'}`);
    ctx.log(`wrote ${files.join(', ')}`);
    if (baselineCheck) ctx.log(`baseline: ${baselineCheck.message}${baselineCheck.ok ? '' : '  REGRESSED'}`);
    const result = { counts: s.counts, best: s.best, front: s.entries.filter((e) => e.pareto).map((e) => e.configHash), files, ...(baselineCheck ? { baseline: baselineCheck } : {}) };
    failRegression(baselineCheck, s.objective, result, ctx);
    return result;
  },
};
