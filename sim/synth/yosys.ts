// Yosys flow for the engine: reads the generated package and rtl/*.sv, runs
// `synth_xilinx -family xcup -flatten`, and reports DSP48E2 / RAMB36E2 / RAMB18E2 / LUT / FF counts, the
// fit against the board and a static timing estimate of the netlist (timing.ts). Results are cached under
// .cache/synth/<key>.json (+ the gzipped netlist, so a changed delay model re-times without re-synthesizing),
// key = hash of the config, every RTL source, the Yosys version and the script, because a full synthesis
// takes minutes.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { gunzipSync, gzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { configHash, type HwConfig } from '../../compiler/contracts/hw-config.ts';
import { CnnaError } from '../../compiler/errors/cnna-error.ts';
import type { BoardLimits } from '../../boards/ultra96/board.ts';
import { repoRoot, rtlPackage, rtlSources } from '../verilator/rtl-sources.ts';
import { parseYosysStat, type ResourceCounts } from './yosys-stat.ts';
import { estimateTiming, type TimingReport, type YosysNetlist } from './timing.ts';

export interface FitCheck {
  dsp: { used: number; limit: number; ok: boolean };
  bram36: { used: number; limit: number; ok: boolean };
  /** LUTs against 85% of the device, leaving room for the interconnect. */
  lut: { used: number; limit: number; ok: boolean; fraction: number };
  ff: { used: number; limit: number; ok: boolean };
  ok: boolean;
}

export interface SynthReport {
  board: string;
  part: string;
  configHash: string;
  resources: ResourceCounts;
  fit: FitCheck;
  timing: TimingReport;
  cached: boolean;
  seconds: number;
  key: string;
  yosys: string;
}

export const LUT_BUDGET = 0.85;

export function synthScript(files: string[]): string {
  return [
    `read_verilog -sv ${files.join(' ')}`,
    'synth_xilinx -family xcup -top cnna_top -flatten -noiopad',
    'tee -o stat.txt stat',
    'write_json netlist.json',
    '',
  ].join('\n');
}

export function checkFit(r: ResourceCounts, b: BoardLimits): FitCheck {
  const lutLimit = Math.floor(b.lut * LUT_BUDGET);
  const dsp = { used: r.dsp48e2, limit: b.dsp, ok: r.dsp48e2 <= b.dsp };
  const bram36 = { used: r.bram36Equivalent, limit: b.bram36, ok: r.bram36Equivalent <= b.bram36 };
  const lut = { used: r.lut, limit: lutLimit, ok: r.lut <= lutLimit, fraction: r.lut / b.lut };
  const ff = { used: r.ff, limit: b.ff, ok: r.ff <= b.ff };
  return { dsp, bram36, lut, ff, ok: dsp.ok && bram36.ok && lut.ok && ff.ok };
}

/** The cache key of a synthesis: hash of the generated package, the Yosys version (`yosys -V`), the script and every RTL source. */
export function synthCacheKey(config: HwConfig, yosysVersion: string): string {
  const h = createHash('sha256');
  h.update(rtlPackage(config));
  h.update(yosysVersion);
  h.update(synthScript(['pkg']));
  for (const f of rtlSources()) h.update(readFileSync(f));
  return h.digest('hex').slice(0, 16);
}

/** runSynth from the cache only: null when this config was never synthesized on this RTL and Yosys. */
export async function cachedSynth(config: HwConfig, board: BoardLimits, opts: { cacheDir?: string; paths?: number } = {}): Promise<SynthReport | null> {
  return runSynth(config, board, { ...opts, cacheOnly: true });
}

/**
 * Synthesizes (or reads from the cache) the engine for a config and times its netlist. `paths`: how many
 * worst paths the timing report lists (default 5, one per end register); the cached netlist is re-timed,
 * so asking for more paths does not re-synthesize.
 */
export async function runSynth(config: HwConfig, board: BoardLimits, opts: { cacheDir?: string; noCache?: boolean; cacheOnly?: boolean; onLog?: (s: string) => void; paths?: number } = {}): Promise<SynthReport> {
  let yosys: string;
  try {
    yosys = (await execa('yosys', ['-V'])).stdout.trim();
  } catch {
    throw new CnnaError('E_SIM', 'yosys is not installed or not on PATH', { hint: 'run `npm run setup` (Debian package yosys)' });
  }
  const cache = opts.cacheDir ?? join(repoRoot, '.cache', 'synth');
  mkdirSync(cache, { recursive: true });
  const pkgText = rtlPackage(config);
  const key = synthCacheKey(config, yosys);
  const cacheFile = join(cache, `${key}.json`);
  const netFile = join(cache, `${key}.netlist.json.gz`);
  if (opts.cacheOnly && !(existsSync(cacheFile) && existsSync(netFile))) return null as never;
  const t0 = Date.now();
  let stat: string;
  let netlist: Buffer;
  let cached = false;
  if (!opts.noCache && existsSync(cacheFile) && existsSync(netFile)) {
    stat = (JSON.parse(readFileSync(cacheFile, 'utf8')) as { stat: string }).stat;
    netlist = gunzipSync(readFileSync(netFile));
    cached = true;
  } else {
    const work = mkdtempSync(join(tmpdir(), 'cnna-synth-'));
    try {
      const pkg = join(work, 'cnna_pkg.sv');
      writeFileSync(pkg, pkgText);
      writeFileSync(join(work, 'synth.ys'), synthScript([pkg, ...rtlSources()]));
      opts.onLog?.(`yosys: synth_xilinx -family xcup for config ${configHash(config)} (takes minutes)`);
      const r = await execa('yosys', ['-q', '-l', 'yosys.log', 'synth.ys'], { cwd: work, reject: false, all: true });
      if (r.exitCode !== 0 || !existsSync(join(work, 'stat.txt')) || !existsSync(join(work, 'netlist.json'))) {
        const log = existsSync(join(work, 'yosys.log')) ? readFileSync(join(work, 'yosys.log'), 'utf8') : r.all ?? '';
        throw new CnnaError('E_SIM', `yosys synthesis failed (exit ${r.exitCode}):\n${log.split('\n').filter((l) => /ERROR/.test(l)).slice(0, 10).join('\n')}`);
      }
      stat = readFileSync(join(work, 'stat.txt'), 'utf8');
      netlist = readFileSync(join(work, 'netlist.json'));
      writeFileSync(netFile, gzipSync(netlist));
      writeFileSync(cacheFile, JSON.stringify({ key, configHash: configHash(config), yosys, stat }));
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }
  const resources = parseYosysStat(stat);
  const timing = estimateTiming(JSON.parse(netlist.toString('utf8')) as YosysNetlist, { top: 'cnna_top', worst: opts.paths });
  return {
    board: board.name, part: board.part, configHash: configHash(config), resources, fit: checkFit(resources, board), timing,
    cached, seconds: (Date.now() - t0) / 1000, key, yosys,
  };
}

/**
 * Synthesizes engine modules (any cnna_* module with its submodules) with parameter overrides, all in one
 * Yosys process (the sources are read once, saved and reloaded per module), and returns each one's counts
 * and timing estimate.
 */
export async function synthModules(config: HwConfig, jobs: { top: string; params?: Record<string, number> }[]): Promise<(ResourceCounts & { timing: TimingReport })[]> {
  const work = mkdtempSync(join(tmpdir(), 'cnna-synth-mod-'));
  try {
    const pkg = join(work, 'cnna_pkg.sv');
    writeFileSync(pkg, rtlPackage(config));
    const files = [pkg, ...rtlSources()];
    const lines = [`read_verilog -sv ${files.join(' ')}`, 'design -save base'];
    jobs.forEach((j, i) => {
      lines.push('design -load base');
      for (const [k, v] of Object.entries(j.params ?? {})) lines.push(`chparam -set ${k} ${v} ${j.top}`);
      lines.push(`synth_xilinx -family xcup -top ${j.top} -flatten -noiopad`, `tee -o stat-${i}.txt stat`, `write_json netlist-${i}.json`);
    });
    writeFileSync(join(work, 'synth.ys'), `${lines.join('\n')}\n`);
    const r = await execa('yosys', ['-q', '-l', 'yosys.log', 'synth.ys'], { cwd: work, reject: false, all: true });
    if (r.exitCode !== 0 || !jobs.every((_, i) => existsSync(join(work, `stat-${i}.txt`)))) {
      throw new CnnaError('E_SIM', `yosys failed on modules ${jobs.map((j) => j.top).join(', ')} (exit ${r.exitCode}): ${(r.all ?? '').slice(-1000)}`);
    }
    return jobs.map((j, i) => ({
      ...parseYosysStat(readFileSync(join(work, `stat-${i}.txt`), 'utf8')),
      timing: estimateTiming(JSON.parse(readFileSync(join(work, `netlist-${i}.json`), 'utf8')) as YosysNetlist, { top: j.top }),
    }));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
