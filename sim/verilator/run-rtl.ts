// The `--backend rtl` executor: runs a program bundle on the Verilator model of the engine. It lays the
// bundle and each input set out in a simulated DDR (exactly as sim/ref does: NCHW16c, zero padding),
// lets the C++ harness start the engine over AXI4-Lite and wait for its interrupt, and reads the outputs
// back from the DDR region the engine wrote. Nothing here computes a layer: cycles, MAC-busy, stall and
// DDR figures are the engine's counters and what the harness observed on its pins and AXI ports.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { batchFlagError, winogradJobError, bundleBatch, decodeDescriptor, decodeHeader, DESC_BYTES, Flag, type Bundle, type Descriptor } from '../../compiler/contracts/bundle-format.ts';
import { EngineStatus, describeStatus } from '../../compiler/contracts/register-map.ts';
import { configHash, validateConfig, type HwConfig } from '../../compiler/contracts/hw-config.ts';
import { CnnaError } from '../../compiler/errors/cnna-error.ts';
import type { Tensor } from '../../compiler/ir/graph.ts';
import { ddrControllerBytesPerCycle, ddrLatencyCycles, getBoard, type BoardLimits } from '../../boards/ultra96/board.ts';
import { checkBundleConfig, type LayerStats } from '../ref/run-bundle.ts';
import { DDR_PORT_MAX_BURSTS, PerfModel } from '../perf/perf-model.ts';
import { modelBundle } from '../perf/model-bundle.ts';
import { ensureRtlModel, type RtlModel } from './build.ts';
import { dumpOutputLines, loadBundleLines, loadInputLines, readOutputs } from '../ddr-image.ts';

/** One start's inputs: int16 (already quantized, ONNX element order) or float tensors; a batch bundle's: one set per image. */
export interface RtlInputSet {
  raw?: Record<string, Int16Array>;
  tensors?: Record<string, Tensor>;
  images?: { raw?: Record<string, Int16Array>; tensors?: Record<string, Tensor> }[];
}

export interface RtlRunResult {
  /** Image 0's outputs (the only image at batch 1). */
  raw: Record<string, { q: Int16Array; f: number; dims: number[] }>;
  outputs: Record<string, Tensor>;
  /** Every image's outputs (one entry at batch 1). */
  images: { raw: Record<string, { q: Int16Array; f: number; dims: number[] }>; outputs: Record<string, Tensor> }[];
  cycles: number;
  latencySeconds: number;
  perLayer: LayerStats[];
  /** Engine counters over the whole run. */
  stallCycles: number;
  macBusyCycles: number;
  /** MAC work done / (cycles · PI · PO), from the layers' MAC counts. */
  utilization: number;
  ddrReadBytes: number;
  ddrWriteBytes: number;
  jobs: number;
  /** The engine's STATUS register after the run (0; another code only with RtlOptions.returnStatus). */
  status: number;
  /** What the harness's DDR model saw on the AXI ports in this run. */
  axi: {
    /** Read bursts (AR handshakes) on port 0 and port 1. */
    rdBursts: [number, number];
    /** Read beats on port 0 (descriptors, input tiles, parameters; with axi.ports 1 also weights) and port 1 (weights). */
    rdPortBeats: [number, number];
    /** Write bursts (all on port 0). */
    wrBursts: number;
    /** Error responses the harness sent (AxiStress.inject). */
    errorsInjected: number;
    /** Bytes read (either port) from the RtlOptions.watch range of this run's bundle (0 without it). */
    watchBytes: number;
  };
}

/** Random AXI backpressure in the harness's DDR model (percent chances per cycle or beat, seeded). */
export interface AxiStress {
  seed: number;
  /** ARREADY low (both read ports). */
  arPct?: number;
  /** A gap (RVALID low) before a read beat. */
  rGapPct?: number;
  /** AWREADY low. */
  awPct?: number;
  /** WREADY low. */
  wPct?: number;
  /** B response up to this many cycles late (uniform). */
  bMaxDelay?: number;
  /** Read burst up to this many cycles later than the DDR latency (uniform). */
  rMaxExtraLatency?: number;
}

/** Answer one AXI burst with an error response. */
export interface AxiInject {
  /** Which run of the batch (0-based, over all bundles and input sets in order); default 0. */
  run?: number;
  kind: 'read' | 'write';
  /** Read port (0: descriptors, tiles, params; 1: weights). */
  port?: 0 | 1;
  /** 0-based burst index within the run, on that port (reads) or among writes. */
  burst: number;
  resp: 'SLVERR' | 'DECERR';
}

export interface RtlBatchResult {
  runs: RtlRunResult[];
  model: RtlModel;
  /** Wall time of the simulation process (build excluded). */
  simSeconds: number;
}

export interface RtlOptions {
  /** The engine's config; default: the bundle's. A bundle for another config is refused. */
  config?: HwConfig;
  board?: BoardLimits;
  /** Write a VCD of the whole simulation here (builds a tracing model). */
  trace?: string;
  /** Harness logs and scratch files go here (default: a temp dir, removed afterwards). */
  workDir?: string;
  /** Per-run cycle limit (default: the watchdog, rtlWatchdogCycles of the performance model's prediction). */
  maxCycles?: number;
  onLog?: (line: string) => void;
  onRun?: (done: number, total: number) => void;
  /** Random backpressure on every AXI channel of the DDR model (results must not change, only cycles). */
  stress?: AxiStress;
  /** Error responses on chosen bursts (the engine must stop with STATUS 8 AXI). */
  inject?: AxiInject[];
  /**
   * Count the bytes read from bundle offsets [from, to) (relative to each bundle's BASE; e.g. the weight
   * blocks of the FC layers): axi.watchBytes of every run.
   */
  watch?: { from: number; to: number };
  /**
   * A run that ends with a non-zero STATUS comes back with that status, the engine's counters and no
   * outputs, instead of failing the whole batch (later runs in the same process still run).
   */
  returnStatus?: boolean;
}

/**
 * The per-run watchdog: a run that raises no done within this many cycles is a hang (E_SIM). Derived from
 * the performance model's prediction M for the bundle: 4·M + 20,000 cycles (the RTL stays within 1.5·M on
 * the calibrated models; the margin covers configs the model fits less well, e.g. narrow AXI), and
 * 16·M + 100,000 under the harness's random AXI backpressure (stress), which the model does not know.
 */
export function rtlWatchdogCycles(predicted: number, stressed = false): number {
  return stressed ? Math.ceil(16 * predicted) + 100_000 : Math.ceil(4 * predicted) + 20_000;
}

/**
 * Refuse a bundle whose BATCH / ACC_IN / ACC_OUT flags break the rules, or (given the engine's config) with a
 * WINOGRAD job that is malformed or meant for an engine with array.winograd when this one has none (E_BUNDLE
 * naming the descriptor), as sim/ref does: the RTL checks neither and would compute something else.
 */
export function checkBatchJobs(bundle: Bundle, config?: HwConfig): void {
  const v = new DataView(bundle.descriptors.buffer, bundle.descriptors.byteOffset, bundle.descriptors.byteLength);
  const count = Math.min(decodeHeader(v, 0).count, Math.floor(bundle.descriptors.byteLength / DESC_BYTES) - 1);
  let prev: Descriptor | null = null;
  for (let j = 1; j <= count; j++) {
    const d = decodeDescriptor(v, j * DESC_BYTES);
    const err = batchFlagError(d, prev);
    if (err) throw new CnnaError('E_BUNDLE', `descriptor ${j} of bundle '${bundle.manifest.model}' ${err}`);
    const wino = config ? winogradJobError(d, config.array.pi, `descriptor ${j} of bundle '${bundle.manifest.model}'`) : null;
    if (wino) throw new CnnaError('E_BUNDLE', wino);
    if (config && d.flags & Flag.WINOGRAD && d.flags & Flag.BATCH) throw new CnnaError('E_BUNDLE', `descriptor ${j} of bundle '${bundle.manifest.model}' is both WINOGRAD and BATCH, which no engine runs`);
    if (config && d.flags & Flag.WINOGRAD && !config.array.winograd) {
      throw new CnnaError('E_BUNDLE', `descriptor ${j} of bundle '${bundle.manifest.model}' is a WINOGRAD job, but the engine's config has no array.winograd`, {
        hint: 'recompile the model for this engine\'s config (the compiler emits Winograd jobs only for a config with array.winograd)',
      });
    }
    if (d.flags & Flag.BATCH && bundleBatch(bundle.manifest) === 1) throw new CnnaError('E_BUNDLE', `descriptor ${j} is a BATCH job but the manifest of '${bundle.manifest.model}' has no batch`);
    if (d.flags & Flag.LAST) break;
    prev = d;
  }
}

/** DDR address where the harness places the bundle (non-zero, so relocation by BASE is exercised). */
export const RTL_BASE = 0x10000;


interface HarnessRun {
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
  ddrError?: string;
  axiProtocolError?: string;
  rdBursts: [number, number];
  rdPortBeats: [number, number];
  wrBursts: number;
  errorsInjected: number;
  watchBytes?: number;
  layers: { layer: number; cycles: number; macBusy: number; stalls: number; jobs: number; rdBeats: number; wrBeats: number }[];
}

export async function runBundleRtl(bundle: Bundle, inputSets: RtlInputSet[], opts: RtlOptions = {}): Promise<RtlBatchResult> {
  const r = await runBundlesRtl([{ bundle, inputSets }], opts);
  return { runs: r.results[0], model: r.model, simSeconds: r.simSeconds };
}

/** Several bundles (same config) in one simulation process, each at its own BASE in one DDR. */
export async function runBundlesRtl(items: { bundle: Bundle; inputSets: RtlInputSet[] }[], opts: RtlOptions = {}): Promise<{ results: RtlRunResult[][]; model: RtlModel; simSeconds: number }> {
  if (items.length === 0) throw new CnnaError('E_USAGE', 'runBundlesRtl: no bundles');
  for (const it of items) {
    if (it.bundle.manifest.segments) throw new CnnaError('E_UNSUPPORTED', `bundle '${it.bundle.manifest.model}' is partitioned into engine and host segments; runBundlesRtl runs one engine program per bundle`, { hint: 'run each engine segment as its own bundle (engineViews, compiler/backend/bundle-segments.ts) with sim/run-segments.ts, as cnna simulate and the virtual board do' });
  }
  const m0 = items[0].bundle.manifest;
  const config = opts.config ?? validateConfig(m0.hwConfig, `manifest of bundle '${m0.model}'`);
  for (const it of items) { checkBundleConfig(it.bundle, config); checkBatchJobs(it.bundle, config); }
  const { pi, po } = config.array;
  const board = opts.board ?? getBoard(config.board.name);
  const model = await ensureRtlModel(config, { trace: !!opts.trace, onLog: opts.onLog });
  const work = opts.workDir ?? mkdtempSync(join(tmpdir(), 'cnna-rtl-'));
  mkdirSync(work, { recursive: true });
  const beat = config.axi.dataBits / 8;
  const beatsToBytes = (n: number) => n * beat;
  try {
    const S: string[] = [];
    const bases: number[] = [];
    let top = RTL_BASE;
    for (const it of items) {
      bases.push(top);
      top = Math.ceil((top + it.bundle.manifest.memoryMap.ddrBytes + 4096) / 4096) * 4096;
    }
    S.push(`ddr ${top}`);
    S.push(`timing ${ddrLatencyCycles(config, board)} ${ddrControllerBytesPerCycle(config, board).toFixed(4)} ${DDR_PORT_MAX_BURSTS}`);
    const st = opts.stress;
    if (st) {
      const pct = (v: number | undefined, name: string) => {
        const x = v ?? 0;
        if (!Number.isInteger(x) || x < 0 || x > 90) throw new CnnaError('E_USAGE', `stress.${name} must be an integer percent in 0..90 (got ${v})`);
        return x;
      };
      const cyc = (v: number | undefined, name: string) => {
        const x = v ?? 0;
        if (!Number.isInteger(x) || x < 0 || x > 10_000) throw new CnnaError('E_USAGE', `stress.${name} must be an integer number of cycles in 0..10000 (got ${v})`);
        return x;
      };
      if (!Number.isInteger(st.seed) || st.seed < 0) throw new CnnaError('E_USAGE', `stress.seed must be a non-negative integer (got ${st.seed})`);
      S.push(`stress ${st.seed} ${pct(st.arPct, 'arPct')} ${pct(st.rGapPct, 'rGapPct')} ${pct(st.awPct, 'awPct')} ${pct(st.wPct, 'wPct')} ${cyc(st.bMaxDelay, 'bMaxDelay')} ${cyc(st.rMaxExtraLatency, 'rMaxExtraLatency')}`);
    }
    const injects = opts.inject ?? [];
    for (const inj of injects) {
      if (!Number.isInteger(inj.burst) || inj.burst < 0) throw new CnnaError('E_USAGE', `inject.burst must be a non-negative integer (got ${inj.burst})`);
      if (inj.kind === 'read' && inj.port === 1 && config.axi.ports < 2) throw new CnnaError('E_USAGE', 'inject: read port 1 exists only with axi.ports 2');
    }
    let runIndex = 0;
    const predicted = items.map((it) => modelBundle(it.bundle, config).cycles);
    const limits = predicted.map((m) => opts.maxCycles ?? rtlWatchdogCycles(m, !!opts.stress));
    const total = items.reduce((a, it) => a + it.inputSets.length, 0);
    items.forEach(({ bundle, inputSets }, b) => {
      const m = bundle.manifest;
      const BASE = bases[b];
      S.push(...loadBundleLines(work, b, bundle, BASE));
      if (opts.watch) S.push(`watch ${BASE + opts.watch.from} ${BASE + opts.watch.to}`);
      inputSets.forEach((set, i) => {
        S.push(...loadInputLines(work, b, i, m, set, BASE, pi));
        for (const inj of injects) {
          if ((inj.run ?? 0) !== runIndex) continue;
          const resp = inj.resp === 'DECERR' ? 3 : 2;
          S.push(inj.kind === 'read' ? `inject read ${inj.port ?? 0} ${inj.burst} ${resp}` : `inject write ${inj.burst} ${resp}`);
        }
        runIndex++;
        S.push(`run ${BASE} ${limits[b]}`);
        S.push(...dumpOutputLines(work, b, i, m, BASE));
      });
    });
    const script = join(work, 'script.txt');
    writeFileSync(script, `${S.join('\n')}\n`);
    const logDir = join(work, 'logs');
    const args = ['--script', script, '--logdir', logDir];
    if (opts.trace) args.push('+trace');
    const t0 = Date.now();
    const lines: HarnessRun[] = [];
    const proc = execa(model.exe, args, { cwd: work, reject: false, buffer: { stdout: false }, stderr: 'pipe' });
    let pending = '';
    proc.stdout?.on('data', (chunk: Buffer) => {
      pending += chunk.toString();
      let nl: number;
      while ((nl = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, nl).trim();
        pending = pending.slice(nl + 1);
        if (line.startsWith('{')) {
          lines.push(JSON.parse(line) as HarnessRun);
          opts.onRun?.(lines.length, total);
        }
      }
    });
    const r = await proc;
    const simSeconds = (Date.now() - t0) / 1000;
    // The harness stops at the first run that hit its watchdog; name it.
    const hung = lines.findIndex((h) => h.timeout);
    if (hung >= 0) {
      let b = 0, i = hung;
      while (i >= items[b].inputSets.length) i -= items[b++].inputSets.length;
      const h = lines[hung];
      throw new CnnaError('E_SIM', `RTL engine: no done after ${limits[b]} cycles; the model predicts ${predicted[b]} (bundle '${items[b].bundle.manifest.model}', run ${i}, ${h.jobs} of ${items[b].bundle.manifest.descriptors.count} jobs done)`, {
        hint: 'the engine hung: a bug in the RTL for this config or bundle; rerun with trace to get a VCD',
      });
    }
    if (r.exitCode !== 0 || lines.length !== total) {
      throw new CnnaError('E_SIM', `RTL simulation failed (exit ${r.exitCode}, ${lines.length}/${total} runs): ${String(r.stderr ?? '').slice(-2000)}`);
    }
    if (opts.trace) writeFileSync(opts.trace, readFileSync(join(logDir, 'cnna.vcd')));
    const hash = configHash(config);
    const perf = new PerfModel(config, board);
    let lineNo = 0;
    const results: RtlRunResult[][] = items.map(() => []);
    const toRun = (m: Bundle['manifest'], b: number, h: HarnessRun, i: number): RtlRunResult => {
      if (h.ddrError) throw new CnnaError('E_SIM', `RTL run ${i}: ${h.ddrError}`);
      if (h.axiProtocolError) throw new CnnaError('E_SIM', `RTL run ${i}: AXI protocol violation by the engine: ${h.axiProtocolError}`);
      const axi = { rdBursts: h.rdBursts, rdPortBeats: h.rdPortBeats, wrBursts: h.wrBursts, errorsInjected: h.errorsInjected, watchBytes: h.watchBytes ?? 0 } as RtlRunResult['axi'];
      if (h.status !== 0 && opts.returnStatus) {
        return {
          raw: {}, outputs: {}, images: [], cycles: h.cycles, latencySeconds: h.cycles / (config.clockMhz * 1e6), perLayer: [], stallCycles: h.stalls,
          macBusyCycles: h.macBusy, utilization: 0, ddrReadBytes: beatsToBytes(h.rdBeats), ddrWriteBytes: beatsToBytes(h.wrBeats),
          jobs: h.jobs, status: h.status, axi,
        };
      }
      if (h.status === EngineStatus.AXI) {
        throw new CnnaError('E_SIM', `the RTL engine stopped running bundle '${m.model}' (run ${i}): status ${describeStatus(h.status)}`, {
          hint: 'the DDR model answered a read or write with SLVERR/DECERR; outputs of this run are not valid',
        });
      }
      if (h.status !== 0) {
        throw new CnnaError('E_BUNDLE', `the RTL engine refused bundle '${m.model}': status ${describeStatus(h.status)} (engine config ${hash})`);
      }
      const idHex = ((BigInt(h.configIdHi >>> 0) << 32n) | BigInt(h.configIdLo >>> 0)).toString(16).padStart(16, '0');
      if (idHex !== hash) throw new CnnaError('E_SIM', `RTL model reports CONFIG_ID ${idHex}, expected ${hash}: stale build cache?`);
      const { raw, outputs, images } = readOutputs(work, b, i, m, pi);
      const perLayer: LayerStats[] = m.layers.map((l) => ({
        name: l.name, op: l.op, jobs: 0, cycles: 0, macs: l.macs, utilization: 0, ddrBytes: 0, stallCycles: 0,
        // (a Winograd layer's roofline counts its multiplies, as the performance model's)
        rooflineCycles: Math.ceil(perf.roofline(l.mults ?? l.macs, l.minDdrBytes ?? 0)), rooflineRatio: 0,
      }));
      for (const l of h.layers) {
        const s = perLayer[l.layer];
        if (!s) continue;
        s.jobs += l.jobs;
        s.cycles += l.cycles;
        s.stallCycles += l.stalls;
        s.ddrBytes += beatsToBytes(l.rdBeats + l.wrBeats);
      }
      for (const s of perLayer) {
        s.utilization = s.cycles ? s.macs / (s.cycles * pi * po) : 0;
        s.rooflineRatio = s.cycles ? (s.rooflineCycles ?? 0) / s.cycles : 0;
      }
      const macs = m.layers.reduce((a, l) => a + l.macs, 0);
      return {
        raw, outputs, images,
        cycles: h.cycles,
        latencySeconds: h.cycles / (config.clockMhz * 1e6),
        perLayer,
        stallCycles: h.stalls,
        macBusyCycles: h.macBusy,
        utilization: h.cycles ? macs / (h.cycles * pi * po) : 0,
        ddrReadBytes: beatsToBytes(h.rdBeats),
        ddrWriteBytes: beatsToBytes(h.wrBeats),
        jobs: h.jobs,
        status: 0,
        axi,
      };
    };
    items.forEach(({ bundle, inputSets }, b) => {
      results[b] = inputSets.map((_, i) => toRun(bundle.manifest, b, lines[lineNo++], i));
    });
    return { results, model, simSeconds };
  } finally {
    if (!opts.workDir) rmSync(work, { recursive: true, force: true });
  }
}
