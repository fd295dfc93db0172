// `cnna simulate <model.onnx|bundle> --backend ref [--input FILE… | --images IDX --labels IDX]
// [--limit N] [--batch N] [--scale S --mean M --std D] [--trace FILE] [--config FILE] --json`: runs the
// bundle on an engine simulator image by image (or N images per start with --batch N: every backend), checks its int16 outputs against the golden
// model (runFixed) bit for bit, and reports cycles, latency at the config clock and per-layer
// utilization, DDR bytes, stalls and roofline. A bundle path needs --model to check bit-exactness.
// Backends register in BACKENDS (ref: sim/ref; rtl: sim/verilator; hls: sim/hls, the HLS C++ in its
// clocked SystemC system model; hls-untimed: the same C++ untimed, cycles from sim/perf). With
// --exit-threshold T, a bundle compiled with early exits runs as a cascade on any backend (the segment
// walk of sim/run-segments.ts stops at the first exit confident enough) and the report counts, per exit,
// the images that left there, their top-1 and their mean engine cycles (cli/early-exit.ts).
import { checkBatch, compileBundle } from '../../compiler/backend/compile-bundle.ts';
import { isBundlePath, readBundle } from '../../compiler/backend/bundle-io.ts';
import { bundleBatch, type Bundle } from '../../compiler/contracts/bundle-format.ts';
import { validateConfig, type HwConfig } from '../../compiler/contracts/hw-config.ts';
import { matchInputs, readInputFile } from '../../compiler/data/input-files.ts';
import { DEFAULT_PREPROCESS, toBatch, type Preprocess } from '../../compiler/data/preprocess.ts';
import { requireFinite } from '../../compiler/data/finite.ts';
import { CnnaError } from '../../compiler/errors/cnna-error.ts';
import { checkOutputFile, writeFileAtomic } from '../../compiler/util/atomic-write.ts';
import { runFixed } from '../../compiler/golden/fixed/run-fixed.ts';
import type { Tensor } from '../../compiler/ir/graph.ts';
import type { QuantizedModel } from '../../compiler/golden/fixed/quantized-model.ts';
import { loadConfig } from '../../boards/ultra96/board.ts';
import { perfCompileOptions } from '../../sim/perf/model-bundle.ts';
import { checkBundleConfig, rawGraphInputs, runBundle, type LayerStats } from '../../sim/ref/run-bundle.ts';
import { runSegmentsAsync } from '../../sim/run-segments.ts';
import { hlsBackend } from '../../sim/hls/hls-backend.ts';
import { rtlBackend } from '../../sim/verilator/rtl-backend.ts';
import type { Command } from '../command.ts';
import { QUANT_OPTIONS, nonFinitePolicy, argmax, loadModel, quantizeForCli } from '../model-pipeline.ts';
import { progress } from '../progress.ts';
import { checkImagesFit, parseNumber } from './accuracy.ts';
import { IMAGE_OPTIONS, loadImages } from '../image-flags.ts';
import { CascadeTally, EXIT_THRESHOLD_OPTIONS, answerOutput, cascadeExits, cascadeLines, exitThresholdFlag } from '../early-exit.ts';

export interface BackendRun {
  raw: Record<string, { q: Int16Array; f: number; dims: number[] }>;
  /** Every image's outputs of a batch bundle's start (backends that run batches). */
  images?: { raw: Record<string, { q: Int16Array; f: number; dims: number[] }> }[];
  cycles: number;
  perLayer: LayerStats[];
  /** The early exit the image left at (partitioned bundles run with an exit threshold); its `raw` then holds the outputs computed by then. */
  exit?: string;
}

export interface SimBackend {
  /** Runs one start: one inference, or one set per image of a batch bundle (`batch` backends only). `trace` receives one JSON line per job when set. */
  run(bundle: Bundle, inputs: Record<string, Tensor> | Record<string, Tensor>[], opts: { config: HwConfig; trace?: (line: string) => void }): Promise<BackendRun>;
  /** The backend runs batch bundles (manifest.batch > 1). */
  batch?: boolean;
  /** Optional batch form: every inference in one simulator process (the RTL backend). */
  runMany?(bundle: Bundle, inputs: (Record<string, Tensor> | Record<string, Tensor>[])[], opts: { config: HwConfig; trace?: (line: string) => void; onDone?: () => void }): Promise<BackendRun[]>;
}

export const BACKENDS: Record<string, SimBackend> = {
  ref: {
    batch: true,
    async run(bundle, inputs, opts) {
      return runBundle(bundle, inputs, {
        config: opts.config,
        onJob: opts.trace ? (j, d, cycles) => opts.trace!(JSON.stringify({ job: j, cycles, ...d })) : undefined,
      });
    },
  },
  rtl: rtlBackend,
  hls: hlsBackend,
  // The same HLS C++, untimed (the fast C-simulation, e.g. for VGG16); cycles from the performance model.
  'hls-untimed': {
    batch: true,
    run: (bundle, inputs, opts) => hlsBackend.run(bundle, inputs, { ...opts, mode: 'untimed' }),
    runMany: (bundle, inputs, opts) => hlsBackend.runMany(bundle, inputs, { ...opts, mode: 'untimed' }),
  },
};

/** Runs a partitioned bundle on `b`: each engine segment as its own bundle (sim/run-segments.ts), one inference at a time, stopping at an exit confident enough. */
function segmentedBackend(b: SimBackend, exitThreshold: number | undefined): SimBackend {
  return {
    async run(bundle, inputs, opts) {
      const perLayer: LayerStats[] = [];
      // (partitioned bundles run batch 1: the compiler refuses a batch with host segments)
      const r = await runSegmentsAsync(bundle, rawGraphInputs(bundle, inputs as Record<string, Tensor>), async (view, raw) => {
        // q·2^-f quantizes back to q exactly, so the backend sees the segment's int16 inputs unchanged
        const t = Object.fromEntries(view.manifest.inputs.map((io) => [io.name, { dims: io.shape, data: Float32Array.from(raw[io.name], (q) => q * 2 ** -io.f) }]));
        const x = await b.run(view, t, { config: opts.config });
        perLayer.push(...x.perLayer);
        return x;
      }, { exitThreshold });
      // after an early exit, the outputs of the segments not run are absent
      const outs = bundle.manifest.outputs.filter((io) => r.values.has(io.name));
      return { raw: Object.fromEntries(outs.map((io) => [io.name, { q: r.values.get(io.name)!, f: io.f, dims: io.shape }])), cycles: r.cycles, perLayer, ...(r.exit ? { exit: r.exit } : {}) };
    },
  };
}

function singleImage(t: Tensor, i: number): Tensor {
  const per = t.data.length / t.dims[0];
  return { dims: [1, ...t.dims.slice(1)], data: t.data.slice(i * per, (i + 1) * per) };
}

export const simulateCommand: Command = {
  name: 'simulate',
  summary: 'run a model or bundle on an engine simulator (ref: TypeScript engine model) and check it bit-exact against the golden model',
  usage: 'simulate <model.onnx|bundle> [--model model.onnx] --backend ref|rtl|hls|hls-untimed [--input FILE ... | --dataset fashion-mnist | --images IDX --labels IDX] [--limit N] [--batch N] [--scale S --mean M --std D] [--trace FILE] [--config FILE] [--exit OUTPUT…] [--exit-threshold T]',
  options: {
    backend: { type: 'string', default: 'ref' },
    board: { type: 'string', default: 'ultra96' },
    config: { type: 'string' },
    model: { type: 'string' },
    input: { type: 'string', short: 'i', multiple: true },
    ...IMAGE_OPTIONS,
    limit: { type: 'string' },
    batch: { type: 'string' },
    scale: { type: 'string' },
    mean: { type: 'string' },
    std: { type: 'string' },
    trace: { type: 'string' },
    exit: { type: 'string', multiple: true },
    ...EXIT_THRESHOLD_OPTIONS,
    ...QUANT_OPTIONS,
  },
  async run({ values, positionals }, ctx) {
    const backendName = String(values.backend);
    const chosen = BACKENDS[backendName];
    if (!chosen) throw new CnnaError('E_USAGE', `simulate: unknown backend '${backendName}'`, { hint: `known backends: ${Object.keys(BACKENDS).join(', ')}` });
    const target = positionals[0];
    const exitThreshold = exitThresholdFlag(values);
    const exitNames = (values.exit as string[] | undefined) ?? [];
    const trace = values.trace as string | undefined;
    if (trace) checkOutputFile(trace); // before the long work
    if (!target) throw new CnnaError('E_USAGE', 'simulate: missing <model.onnx|bundle>', { hint: 'usage: cnna simulate model.onnx --backend ref --images IDX --labels IDX --limit 100' });
    const files = (values.input as string[] | undefined) ?? [];
    const haveImages = values.images !== undefined || values.labels !== undefined || values.dataset !== undefined;
    if (files.length && haveImages) throw new CnnaError('E_USAGE', 'simulate: pass either --input FILE... or --images/--labels, not both');
    if (!files.length && !haveImages) throw new CnnaError('E_USAGE', 'simulate: no inputs given', { hint: 'pass --input FILE (.pb or .npy), or --images IDX --labels IDX [--limit N]' });

    const batchText = values.batch as string | undefined;
    const batchOpt = batchText === undefined ? undefined : checkBatch(/^\d+$/.test(batchText) ? Number(batchText) : batchText);
    if ((batchOpt ?? 1) > 1 && !chosen.batch) {
      throw new CnnaError('E_CONFIG', `simulate: backend '${backendName}' runs batch 1 only, --batch ${batchOpt} needs a backend that runs batch bundles`, {
        hint: `use --backend ${Object.entries(BACKENDS).filter(([, b]) => b.batch).map(([n]) => n).join(' or --backend ')}, or drop --batch`,
      });
    }
    let bundle: Bundle;
    let qm: QuantizedModel | undefined;
    let config: HwConfig;
    const images = haveImages ? loadImages(values, 'simulate') : undefined;
    if (isBundlePath(target)) {
      if (exitNames.length) throw new CnnaError('E_USAGE', `simulate: --exit compiles an early exit into a model, but ${target} is a bundle`, { hint: 'compile the model with its exit (cnna compile model.onnx --exit OUTPUT -o DIR), or pass the model.onnx to simulate' });
      bundle = readBundle(target);
      config = values.config ? loadConfig(values.config as string, String(values.board)) : validateConfig(bundle.manifest.hwConfig, `${target}/manifest.json`);
      if (images) checkImagesFit(bundle.manifest.inputs, images.set, images.name, 'simulate');
      if (values.model) qm = quantizeForCli(loadModel(values.model as string, 'simulate', values).graph, values, ctx);
    } else {
      config = loadConfig(values.config as string | undefined, String(values.board));
      const m = loadModel(target, 'simulate', values);
      if (images) checkImagesFit(m.graph.inputs, images.set, images.name, 'simulate'); // before the long work
      qm = quantizeForCli(m.graph, values, ctx);
      bundle = compileBundle(qm, config, { batch: batchOpt ?? 1, exits: exitNames, ...perfCompileOptions(config) });
    }
    checkBundleConfig(bundle, config);
    const exits = cascadeExits(bundle, exitThreshold, 'simulate');
    const man = bundle.manifest;
    const batchN = bundleBatch(man);
    if (batchOpt !== undefined && batchOpt !== batchN) {
      throw new CnnaError('E_CONFIG', `simulate: the bundle runs batch ${batchN}, --batch ${batchOpt} was given`, { hint: `recompile it with cnna compile --batch ${batchOpt}, or drop --batch` });
    }
    if (batchN > 1 && !chosen.batch) {
      throw new CnnaError('E_CONFIG', `simulate: the bundle runs batch ${batchN}, backend '${backendName}' runs batch 1 only`, { hint: `use --backend ${Object.entries(BACKENDS).filter(([, b]) => b.batch).map(([n]) => n).join(' or --backend ')}, or a bundle compiled without --batch` });
    }
    const inName = man.inputs[0]?.name;

    // Inputs: one batch-1 feed per inference.
    const feeds: Record<string, Tensor>[] = [];
    let labels: number[] | undefined;
    const limit = values.limit === undefined ? Infinity : Number(values.limit);
    if (limit !== Infinity && (!Number.isSafeInteger(limit) || limit < 1)) throw new CnnaError('E_USAGE', `--limit '${String(values.limit)}' is not a positive integer`);
    if (files.length) {
      const inputs = files.map(readInputFile);
      for (const f of inputs) requireFinite(`input file '${f.file}'`, f.dims, f.data, nonFinitePolicy(values));
      const vis = man.inputs.map((io) => ({ name: io.name, shape: io.shape }));
      const { feeds: f, batch } = matchInputs(vis, inputs);
      for (let i = 0; i < Math.min(batch, limit); i++) feeds.push(Object.fromEntries(Object.entries(f).map(([k, t]) => [k, singleImage(t, i)])));
    } else {
      const pp: Preprocess = {
        scale: parseNumber('scale', values.scale, DEFAULT_PREPROCESS.scale),
        mean: parseNumber('mean', values.mean, DEFAULT_PREPROCESS.mean),
        std: parseNumber('std', values.std, DEFAULT_PREPROCESS.std),
      };
      const { set } = images!;
      const n = Math.min(limit, set.count);
      const x = toBatch(set, 0, n, pp);
      for (let i = 0; i < n; i++) feeds.push({ [inName]: singleImage(x, i) });
      labels = Array.from(set.labels.subarray(0, n));
    }

    // Batch bundles: N images per start; images beyond a whole number of batches are left out.
    if (batchN > 1) {
      if (feeds.length < batchN) throw new CnnaError('E_USAGE', `simulate: --batch ${batchN} needs at least ${batchN} images, ${feeds.length} given`, { hint: 'give more images (--limit) or a smaller --batch' });
      const whole = feeds.length - (feeds.length % batchN);
      if (whole < feeds.length) ctx.warn(`simulate: ${feeds.length - whole} image(s) beyond the last whole batch of ${batchN} are not run`);
      feeds.length = whole;
      labels = labels?.slice(0, whole);
    }
    const starts: (Record<string, Tensor> | Record<string, Tensor>[])[] = batchN > 1
      ? Array.from({ length: feeds.length / batchN }, (_, k) => feeds.slice(k * batchN, (k + 1) * batchN))
      : feeds;
    const traceLines: string[] = [];
    const bar = progress(`simulate ${backendName}`, feeds.length, { json: ctx.json });
    const t0 = performance.now();
    let cycles = 0;
    let perLayer: LayerStats[] = [];
    let mismatchImages = 0;
    let mismatchValues = 0;
    let compared = 0;
    let firstMismatch: string | undefined;
    let correct = 0;
    // A partitioned bundle: every engine segment on the backend, the host ops between them here
    // (sim/ref runs them itself, unless an exit threshold asks for the cascade).
    const backend = bundle.manifest.segments && (backendName !== 'ref' || exitThreshold !== undefined) ? segmentedBackend(chosen, exitThreshold) : chosen;
    const tally = exitThreshold === undefined ? undefined : new CascadeTally(man.outputs, exits, exitThreshold, config.clockMhz, labels !== undefined);
    const many = backend.runMany
      ? await backend.runMany(bundle, starts, { config, trace: trace ? (l) => { traceLines.push(l); } : undefined })
      : undefined;
    let run: BackendRun | undefined;
    for (let i = 0; i < feeds.length; i++) {
      const s = Math.floor(i / batchN);
      if (i % batchN === 0) run = many ? many[s] : await backend.run(bundle, starts[s], { config, trace: trace && i === 0 ? (l) => { traceLines.push(l); } : undefined });
      const r = batchN > 1 ? { raw: run!.images![i % batchN].raw } : run!;
      cycles = run!.cycles;
      perLayer = run!.perLayer;
      // the answer: the exit the image left at, else the first output that is not an early exit's
      const answer = answerOutput(man.outputs, exits, run!.exit);
      const right = labels !== undefined && argmax(r.raw[answer].q) === labels[i];
      if (right) correct++;
      tally?.add(run!.exit, run!.cycles, right);
      if (qm) {
        const gold = runFixed(qm, feeds[i], { keepAll: true });
        let bad = 0;
        for (const io of man.outputs) {
          if (run!.exit && !r.raw[io.name]) continue; // a segment after the exit, not run
          const src = io.hostTail ? qm.graph.nodes.find((n) => n.outputs[0] === io.name)?.inputs[0] ?? io.name : io.name;
          const g = gold.raw[src];
          const q = r.raw[io.name].q;
          if (!g || g.q.length !== q.length) throw new CnnaError('E_USAGE', `--model does not produce output '${io.name}' of the bundle`);
          for (let k = 0; k < q.length; k++) {
            compared++;
            if (q[k] !== g.q[k]) { bad++; firstMismatch ??= `image ${i}, ${io.name}[${k}]: ${backendName} ${q[k]}, golden ${g.q[k]}`; }
          }
        }
        if (bad) { mismatchImages++; mismatchValues += bad; }
      }
      bar.tick(1);
    }
    bar.stop();
    if (trace) writeFileAtomic(trace, traceLines.map((l) => `${l}\n`).join(''));
    const seconds = (performance.now() - t0) / 1000;
    const latencySeconds = cycles / (config.clockMhz * 1e6);
    const bitExact = qm ? mismatchImages === 0 : null;
    ctx.log(`${man.model} on ${backendName}: ${feeds.length} inference(s), ${cycles} cycles = ${(latencySeconds * 1e3).toFixed(3)} ms at ${config.clockMhz} MHz${batchN > 1 ? ` per start of ${batchN} images (${((latencySeconds / batchN) * 1e3).toFixed(3)} ms per image, ${(batchN / latencySeconds).toFixed(2)} images/s)` : ''}`);
    ctx.log(qm ? `  bit-exact vs golden model: ${bitExact ? 'yes' : `NO (${mismatchImages} images, ${mismatchValues} values; first ${firstMismatch})`} over ${compared} values`
      : '  bit-exactness not checked (a bundle alone has no golden model; pass --model model.onnx)');
    if (labels) ctx.log(`  top-1: ${((100 * correct) / feeds.length).toFixed(2)}% (${correct}/${feeds.length})`);
    const cascade = tally?.report();
    if (cascade) for (const l of cascadeLines(cascade)) ctx.log(l);
    for (const l of perLayer) {
      ctx.log(`  ${l.name.padEnd(32)} ${String(l.cycles).padStart(10)} cyc  util ${(100 * l.utilization).toFixed(1).padStart(5)}%  DDR ${String(l.ddrBytes).padStart(10)} B  stall ${String(l.stallCycles).padStart(9)}  roofline ${((l.rooflineRatio ?? 0) * 100).toFixed(1)}%`);
    }
    return {
      backend: backendName,
      model: man.model,
      configHash: man.configHash,
      inferences: feeds.length,
      bitExact,
      ...(qm ? { mismatches: { images: mismatchImages, values: mismatchValues, compared, first: firstMismatch ?? null } } : { bitExactReason: 'no --model given for the bundle' }),
      cycles,
      latencySeconds,
      clockMhz: config.clockMhz,
      batch: batchN,
      starts: feeds.length / batchN,
      secondsPerImage: latencySeconds / batchN,
      imagesPerSecond: latencySeconds > 0 ? batchN / latencySeconds : null,
      ...(labels ? { accuracy: { top1: correct / feeds.length, correct, n: feeds.length } } : {}),
      ...(cascade ? { cascade } : {}),
      layers: perLayer,
      wallSeconds: Number(seconds.toFixed(3)),
    };
  },
};
