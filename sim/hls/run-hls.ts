// The `--backend hls` executor: runs a program bundle on the HLS engine's C++ (hls/) inside its SystemC
// system model (hls/sim/system_model.cpp). It lays the bundle and each input set out in a simulated DDR
// exactly as sim/ref and the RTL driver do (NCHW16c, zero padding), lets the model's AXI4-Lite host start
// the engine and wait for its interrupt, and reads the outputs back from the DDR the HLS kernels wrote.
// Nothing here computes a layer.
//
// Modes: 'untimed' (the fast C-simulation: the HLS top called once per start; cycles and per-layer figures
// come from the performance model, sim/perf) and 'clocked' (the engine as a clocked SystemC module whose
// DDR transfers pay the board's latency and bandwidth; cycles, MAC-busy, stalls and beats are its counters).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { decodeDescriptor, decodeHeader, DESC_BYTES, Flag, reusesWeights, winogradJobError, type Bundle, type Descriptor } from '../../compiler/contracts/bundle-format.ts';
import { configHash, validateConfig, type HwConfig } from '../../compiler/contracts/hw-config.ts';
import { describeStatus } from '../../compiler/contracts/register-map.ts';
import { CnnaError } from '../../compiler/errors/cnna-error.ts';
import type { Tensor } from '../../compiler/ir/graph.ts';
import { ddrBytesPerCycle, ddrLatencyCycles, getBoard, type BoardLimits } from '../../boards/ultra96/board.ts';
import { modelBundle } from '../perf/model-bundle.ts';
import { PerfModel } from '../perf/perf-model.ts';
import { checkBundleConfig, type LayerStats } from '../ref/run-bundle.ts';
import { ensureHlsModel, type HlsModel } from './build.ts';
import { dumpOutputLines, loadBundleLines, loadInputLines, readOutputs, type DdrInputSet } from '../ddr-image.ts';
import { checkBatchJobs } from '../verilator/run-rtl.ts';

export type HlsMode = 'untimed' | 'clocked';

/** One start's inputs: one image's, or (a batch bundle) `images`, one set per image. */
export type HlsInputSet = DdrInputSet;

type RawOuts = Record<string, { q: Int16Array; f: number; dims: number[] }>;

/**
 * Refuse a bundle with a WINOGRAD job this engine does not run (E_BUNDLE naming the descriptor, as sim/ref):
 * on a config without array.winograd, or one winogradJobError refuses (not 3x3 / stride 1 / dilation 1, or
 * more than WINO_MAX_LANES lanes).
 */
export function checkWinogradJobs(bundle: Bundle, config: HwConfig): void {
  const v = new DataView(bundle.descriptors.buffer, bundle.descriptors.byteOffset, bundle.descriptors.byteLength);
  const count = Math.min(decodeHeader(v, 0).count, Math.floor(bundle.descriptors.byteLength / DESC_BYTES) - 1);
  for (let j = 1; j <= count; j++) {
    const d = decodeDescriptor(v, j * DESC_BYTES);
    if (d.flags & Flag.WINOGRAD) {
      if (!config.array.winograd) {
        throw new CnnaError('E_BUNDLE', `descriptor ${j} of bundle '${bundle.manifest.model}' is a WINOGRAD job, but the engine's config has no array.winograd`, {
          hint: 'recompile the model for this engine\'s config (the compiler emits Winograd jobs only for a config with array.winograd)',
        });
      }
      const err = winogradJobError(d, config.array.pi, `descriptor ${j} of bundle '${bundle.manifest.model}'`);
      if (err) throw new CnnaError('E_BUNDLE', err);
    }
    if (d.flags & Flag.LAST) break;
  }
}

/**
 * Refuse a REUSE_WEIGHTS job whose weight block differs from the previous job's (E_BUNDLE, as sim/ref): the
 * engine keeps the previous block and would compute with it.
 */
export function checkReusedWeights(bundle: Bundle): void {
  const v = new DataView(bundle.descriptors.buffer, bundle.descriptors.byteOffset, bundle.descriptors.byteLength);
  const count = Math.min(decodeHeader(v, 0).count, Math.floor(bundle.descriptors.byteLength / DESC_BYTES) - 1);
  let prev: Descriptor | null = null;
  for (let j = 1; j <= count; j++) {
    const d = decodeDescriptor(v, j * DESC_BYTES);
    if (reusesWeights(d, prev) && (prev!.wAddr !== d.wAddr || prev!.kh !== d.kh || prev!.kw !== d.kw || prev!.cg !== d.cg || (prev!.flags & Flag.WINOGRAD) !== (d.flags & Flag.WINOGRAD))) {
      throw new CnnaError('E_BUNDLE', `descriptor ${j} of bundle '${bundle.manifest.model}' has REUSE_WEIGHTS but its weight block (wAddr ${d.wAddr}, ${d.kh}x${d.kw}x${d.cg} words${d.flags & Flag.WINOGRAD ? ', Winograd' : ''}) differs from descriptor ${j - 1}'s (wAddr ${prev!.wAddr}, ${prev!.kh}x${prev!.kw}x${prev!.cg}${prev!.flags & Flag.WINOGRAD ? ', Winograd' : ''})`);
    }
    if (d.flags & Flag.LAST) break;
    prev = d;
  }
}

export interface HlsRunResult {
  /** Outputs of image 0 (the only image at batch 1), read from the DDR the engine wrote. */
  raw: RawOuts;
  outputs: Record<string, Tensor>;
  /** Every image's outputs of the start (one entry at batch 1), each read from the DDR the engine wrote. */
  images: { raw: RawOuts; outputs: Record<string, Tensor> }[];
  cycles: number;
  /** Where `cycles` comes from: the clocked model's counter, or the performance model (untimed). */
  cyclesSource: 'clocked' | 'perf-model';
  latencySeconds: number;
  perLayer: LayerStats[];
  stallCycles: number;
  macBusyCycles: number;
  ddrReadBytes: number;
  ddrWriteBytes: number;
  jobs: number;
}

export interface HlsOptions {
  config?: HwConfig;
  board?: BoardLimits;
  mode?: HlsMode;
  workDir?: string;
  maxCycles?: number;
  onLog?: (line: string) => void;
  onRun?: (done: number, total: number) => void;
}

/** DDR address where the model places the first bundle (non-zero, so relocation by BASE is exercised). */
export const HLS_BASE = 0x10000;

interface ModelRun {
  timeout: boolean;
  status: number;
  cycles: number;
  stalls: number;
  macBusy: number;
  jobs: number;
  rdBeats: number;
  wrBeats: number;
  configIdLo: number;
  configIdHi: number;
  layers: { layer: number; cycles: number; macBusy: number; stalls: number; jobs: number; rdBeats: number; wrBeats: number }[];
}

export async function runBundleHls(bundle: Bundle, inputSets: HlsInputSet[], opts: HlsOptions = {}): Promise<{ runs: HlsRunResult[]; model: HlsModel; simSeconds: number }> {
  const r = await runBundlesHls([{ bundle, inputSets }], opts);
  return { runs: r.results[0], model: r.model, simSeconds: r.simSeconds };
}

/** Several bundles (same config) in one system-model process, each at its own BASE in one DDR. */
export async function runBundlesHls(items: { bundle: Bundle; inputSets: HlsInputSet[] }[], opts: HlsOptions = {}): Promise<{ results: HlsRunResult[][]; model: HlsModel; simSeconds: number }> {
  if (items.length === 0) throw new CnnaError('E_USAGE', 'runBundlesHls: no bundles');
  for (const it of items) {
    if (it.bundle.manifest.segments) throw new CnnaError('E_UNSUPPORTED', `bundle '${it.bundle.manifest.model}' is partitioned into engine and host segments; runBundlesHls runs one engine program per bundle`, { hint: 'run each engine segment as its own bundle (engineViews, compiler/backend/bundle-segments.ts) with sim/run-segments.ts, as cnna simulate and the virtual board do' });
  }
  const m0 = items[0].bundle.manifest;
  const config = opts.config ?? validateConfig(m0.hwConfig, `manifest of bundle '${m0.model}'`);
  for (const it of items) {
    checkBundleConfig(it.bundle, config);
    // The engine stops with BAD_OPCODE on a job it cannot run; refuse such a bundle first, naming the job.
    checkBatchJobs(it.bundle);
    checkWinogradJobs(it.bundle, config);
    checkReusedWeights(it.bundle);
  }
  const mode = opts.mode ?? 'untimed';
  const { pi, po } = config.array;
  const board = opts.board ?? getBoard(config.board.name);
  const model = await ensureHlsModel(config, { onLog: opts.onLog });
  const work = opts.workDir ?? mkdtempSync(join(tmpdir(), 'cnna-hls-'));
  mkdirSync(work, { recursive: true });
  const beat = config.axi.dataBits / 8;
  try {
    const S: string[] = [];
    const bases: number[] = [];
    let top = HLS_BASE;
    for (const it of items) {
      bases.push(top);
      top = Math.ceil((top + it.bundle.manifest.memoryMap.ddrBytes + 4096) / 4096) * 4096;
    }
    S.push(`ddr ${top}`);
    S.push(`timing ${ddrLatencyCycles(config, board)} ${ddrBytesPerCycle(config, board).toFixed(4)} ${Math.min(2, config.axi.ports)}`);
    S.push(`mode ${mode}`);
    const maxCycles = opts.maxCycles ?? 2e9;
    const total = items.reduce((a, it) => a + it.inputSets.length, 0);
    items.forEach(({ bundle, inputSets }, b) => {
      const m = bundle.manifest;
      const BASE = bases[b];
      S.push(...loadBundleLines(work, b, bundle, BASE));
      inputSets.forEach((set, i) => {
        S.push(...loadInputLines(work, b, i, m, set, BASE, pi));
        S.push(`run ${BASE} ${maxCycles}`);
        S.push(...dumpOutputLines(work, b, i, m, BASE));
      });
    });
    const script = join(work, 'script.txt');
    writeFileSync(script, `${S.join('\n')}\n`);
    const t0 = Date.now();
    const lines: ModelRun[] = [];
    const proc = execa(model.exe, ['--script', script, '--mhz', String(config.clockMhz)], { cwd: work, reject: false, buffer: { stdout: false }, stderr: 'pipe' });
    let pending = '';
    proc.stdout?.on('data', (chunk: Buffer) => {
      pending += chunk.toString();
      let nl: number;
      while ((nl = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, nl).trim();
        pending = pending.slice(nl + 1);
        if (line.startsWith('{')) {
          lines.push(JSON.parse(line) as ModelRun);
          opts.onRun?.(lines.length, total);
        }
      }
    });
    const r = await proc;
    const simSeconds = (Date.now() - t0) / 1000;
    if (r.exitCode !== 0 || lines.length !== total) {
      throw new CnnaError('E_SIM', `HLS C-simulation failed (exit ${r.exitCode}, ${lines.length}/${total} runs): ${String(r.stderr ?? '').slice(-2000)}`);
    }
    const hash = configHash(config);
    const perf = new PerfModel(config, board);
    const results: HlsRunResult[][] = items.map(() => []);
    let lineNo = 0;
    items.forEach(({ bundle, inputSets }, b) => {
      const m = bundle.manifest;
      const modeled = mode === 'untimed' ? modelBundle(bundle, config) : undefined;
      results[b] = inputSets.map((_, i) => {
        const h = lines[lineNo++];
        if (h.timeout) throw new CnnaError('E_SIM', `HLS engine did not finish run ${i} within ${maxCycles} cycles (${h.jobs} jobs done)`);
        if (h.status !== 0) {
          throw new CnnaError('E_BUNDLE', `the HLS engine refused bundle '${m.model}': status ${describeStatus(h.status)} (engine config ${hash})`);
        }
        const idHex = ((BigInt(h.configIdHi >>> 0) << 32n) | BigInt(h.configIdLo >>> 0)).toString(16).padStart(16, '0');
        if (idHex !== hash) throw new CnnaError('E_SIM', `HLS model reports CONFIG_ID ${idHex}, expected ${hash}: stale build cache?`);
        const { raw, outputs, images } = readOutputs(work, b, i, m, pi);
        let perLayer: LayerStats[];
        let cycles: number;
        if (modeled) {
          perLayer = modeled.perLayer;
          cycles = modeled.cycles;
        } else {
          perLayer = m.layers.map((l) => ({
            name: l.name, op: l.op, jobs: 0, cycles: 0, macs: l.macs, utilization: 0, ddrBytes: 0, stallCycles: 0,
            rooflineCycles: Math.ceil(perf.roofline(l.macs, l.minDdrBytes ?? 0)), rooflineRatio: 0,
          }));
          for (const l of h.layers) {
            const s = perLayer[l.layer];
            if (!s) continue;
            s.jobs += l.jobs;
            s.cycles += l.cycles;
            s.stallCycles += l.stalls;
            s.ddrBytes += (l.rdBeats + l.wrBeats) * beat;
          }
          for (const s of perLayer) {
            s.utilization = s.cycles ? s.macs / (s.cycles * pi * po) : 0;
            s.rooflineRatio = s.cycles ? (s.rooflineCycles ?? 0) / s.cycles : 0;
          }
          cycles = h.cycles;
        }
        return {
          raw, outputs, images, cycles, cyclesSource: modeled ? 'perf-model' : 'clocked',
          latencySeconds: cycles / (config.clockMhz * 1e6),
          perLayer,
          stallCycles: modeled ? perLayer.reduce((a, l) => a + l.stallCycles, 0) : h.stalls,
          macBusyCycles: h.macBusy,
          ddrReadBytes: h.rdBeats * beat,
          ddrWriteBytes: h.wrBeats * beat,
          jobs: h.jobs,
        } satisfies HlsRunResult;
      });
    });
    return { results, model, simSeconds };
  } finally {
    if (!opts.workDir) rmSync(work, { recursive: true, force: true });
  }
}
