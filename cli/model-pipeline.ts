// What the model commands (inspect, run, accuracy, demo) share: load + optimize a model with
// a clear error for a missing file, quantize it with a progress bar, the quantization
// options (a user calibration batch: --calibration FILE, .npy or .pb, repeatable), and top-k /
// argmax over output rows.
import { statSync } from 'node:fs';
import { requireFinite, requireFiniteGraph, type NonFinitePolicy } from '../compiler/data/finite.ts';
import { readInputFile } from '../compiler/data/input-files.ts';
import { CnnaError } from '../compiler/errors/cnna-error.ts';
import type { Graph, Tensor } from '../compiler/ir/graph.ts';
import { runFloat } from '../compiler/golden/float/run-float.ts';
import { importOnnx } from '../compiler/onnx/import-onnx.ts';
import { optimize } from '../compiler/passes/index.ts';
import { parseFormat } from '../compiler/golden/fixed/fixed-point.ts';
import { quantize } from '../compiler/quant/quantize.ts';
import { TRAINED_FORMATS_KEY, trainedFormats } from '../compiler/quant/trained-formats.ts';
import type { QuantizedModel } from '../compiler/golden/fixed/quantized-model.ts';
import type { CommandContext } from './command.ts';
import { progress } from './progress.ts';

export interface LoadedModel {
  path: string;
  /** As imported (shapes inferred, batch 1). */
  imported: Graph;
  /** After optimize(): what the quantizer, the executors and the back end see. */
  graph: Graph;
}

/** The non-finite policy of the command's options (--allow-nonfinite maps instead of refusing). */
export function nonFinitePolicy(values?: Record<string, unknown>): NonFinitePolicy {
  return values?.['allow-nonfinite'] ? 'map' : 'refuse';
}

/** Loads and optimizes a model; NaN / ±Inf in its tensors give E_NUMERIC unless `values` has --allow-nonfinite. */
export function loadModel(path: string | undefined, command: string, values?: Record<string, unknown>): LoadedModel {
  if (!path) throw new CnnaError('E_USAGE', `${command}: missing <model> (an .onnx file)`, { hint: `usage: cnna ${command} <model.onnx> ...` });
  let isFile = false;
  try {
    isFile = statSync(path).isFile();
  } catch {
    throw new CnnaError('E_IO', `cannot read model '${path}': no such file`, { hint: "check the path; 'cnna zoo' writes generated models and models/default/fashion_cnn.onnx ships with cnna" });
  }
  if (!isFile) throw new CnnaError('E_IO', `cannot read model '${path}': it is a directory, not an .onnx file`);
  const imported = importOnnx(path);
  requireFiniteGraph(imported, nonFinitePolicy(values));
  return { path, imported, graph: optimize(imported) };
}

/** CLI options every command that quantizes accepts. */
export const QUANT_OPTIONS = {
  format: { type: 'string', default: 'auto' },
  'per-channel': { type: 'boolean', default: false },
  /** Default-calibration images (Fashion-MNIST or synthetic); the quantizer's default is 256 for Fashion-MNIST. */
  'calibration-images': { type: 'string' },
  /** Calibration batch files for the first model input (.npy or .pb, already preprocessed); replace the default images. */
  calibration: { type: 'string', multiple: true },
  /** Map NaN to 0 and ±Inf to ±FLOAT32_MAX in weights and inputs instead of refusing them (docs/numerics.md). */
  'allow-nonfinite': { type: 'boolean', default: false },
} as const;

export function quantizeForCli(graph: Graph, values: Record<string, unknown>, ctx: CommandContext): QuantizedModel {
  const fmt = String(values.format ?? 'auto');
  const format = fmt === 'auto' ? 'auto' : parseFormat(fmt);
  const ciText = values['calibration-images'];
  const calibrationImages = ciText === undefined ? undefined : /^\d+$/.test(String(ciText)) && Number(ciText) >= 1 ? Number(ciText) : NaN;
  if (Number.isNaN(calibrationImages)) throw new CnnaError('E_USAGE', `--calibration-images '${String(ciText)}' is not a positive integer`);
  const calibFiles = (values.calibration as string[] | undefined) ?? [];
  if (calibFiles.length > 0 && calibrationImages !== undefined) throw new CnnaError('E_USAGE', '--calibration and --calibration-images exclude each other', { hint: '--calibration-images sizes the default calibration set; --calibration FILE replaces it' });
  const readCalib = (f: string): Tensor => {
    const t = readInputFile(f);
    requireFinite(`calibration file '${f}'`, t.dims, t.data, nonFinitePolicy(values));
    return { dims: t.dims, data: t.data };
  };
  // NAME=FILE gives input NAME its data; a plain FILE is a batch of the only input, or, for a model with
  // several inputs, one file per input in the model's input order.
  const inputNames = graph.inputs.map((vi) => vi.name);
  const named = calibFiles.map((a) => {
    const eq = a.indexOf('=');
    return eq > 0 && inputNames.includes(a.slice(0, eq)) ? { input: a.slice(0, eq), file: a.slice(eq + 1) } : { input: undefined, file: a };
  });
  let calibration: Tensor[] = [];
  let calibrationByInput: Record<string, Tensor[]> | undefined;
  if (named.some((c) => c.input !== undefined) || (graph.inputs.length > 1 && named.length > 0)) {
    const plain = named.filter((c) => c.input === undefined);
    if (plain.length > 0 && plain.length !== named.length) {
      throw new CnnaError('E_USAGE', `--calibration mixes NAME=FILE and plain files ('${plain[0].file}')`, { hint: `name every file: --calibration NAME=FILE with NAME one of ${inputNames.join(', ')}` });
    }
    if (plain.length > 0 && plain.length !== graph.inputs.length) {
      const list = graph.inputs.map((vi) => `'${vi.name}' [${vi.shape.join(', ')}]`).join(', ');
      throw new CnnaError('E_USAGE', `the model has ${graph.inputs.length} inputs (${list}) and ${plain.length} --calibration file(s) were given; plain files go one per input, in that order`, {
        hint: `pass ${graph.inputs.length} files, or name them: --calibration ${inputNames[0]}=FILE ...`,
      });
    }
    calibrationByInput = {};
    named.forEach((c, i) => { const k = c.input ?? inputNames[i]; (calibrationByInput![k] ??= []).push(readCalib(c.file)); });
  } else {
    calibration = named.map((c) => readCalib(c.file));
  }
  let bar: ReturnType<typeof progress> | undefined;
  let last = 0;
  // A model exported by cnna train carries the formats it was trained in; they are used unless a
  // fixed --format replaces them.
  const trained = trainedFormats(graph);
  if (trained && format !== 'auto') ctx.warn(`the model carries the formats it was trained in ('${TRAINED_FORMATS_KEY}'); --format ${fmt} replaces them`);
  const useTrained = trained !== undefined && format === 'auto';
  if (useTrained) ctx.log(`formats: as trained (the model's '${TRAINED_FORMATS_KEY}' metadata)`);
  const qm = quantize(graph, {
    ...(useTrained ? { fixedFormats: trained } : {}),
    format,
    perChannel: Boolean(values['per-channel']),
    calibrationImages,
    calibration,
    ...(calibrationByInput ? { calibrationByInput } : {}),
    onWarning: (m) => ctx.warn(m),
    onProgress: (done, total) => {
      bar ??= progress('calibrate', total, { json: ctx.json });
      bar.tick(done - last);
      last = done;
    },
  });
  bar?.stop();
  return qm;
}

/**
 * runFloat at any batch size: the executor infers every shape from its inputs, so the graph's
 * input shapes are replaced by the feeds' (axis 0 may differ from the imported batch).
 */
export function runFloatAnyBatch(graph: Graph, feeds: Record<string, Tensor>): Record<string, Tensor> {
  const g: Graph = { ...graph, inputs: graph.inputs.map((vi) => (feeds[vi.name] ? { ...vi, shape: feeds[vi.name].dims.slice() } : vi)) };
  return runFloat(g, feeds);
}

/** Row i of an [N, ...] tensor, flattened. */
export function row(t: Tensor, i: number): Float32Array {
  const per = t.data.length / Math.max(1, t.dims[0]);
  return t.data.subarray(i * per, (i + 1) * per);
}

export function argmax(v: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < v.length; i++) if (v[i] > v[best]) best = i;
  return best;
}

/** Indices and values of the k largest entries, largest first (ties: lower index first). */
export function topK(v: ArrayLike<number>, k: number): { index: number; value: number }[] {
  return Array.from({ length: v.length }, (_, i) => ({ index: i, value: v[i] }))
    .sort((a, b) => b.value - a.value || a.index - b.index)
    .slice(0, k);
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

export const shapeText = (s: readonly (number | string)[] | undefined): string => (s ? `[${s.join('×')}]` : '?');
