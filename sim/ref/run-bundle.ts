// The TypeScript engine model (`--backend ref`): runs a bundle's descriptors on a simulated
// DDR byte image, job by job, exactly as the hardware does, and reads the outputs from that
// image. Nothing here calls the golden model. Cycle figures come from sim/perf.
import { batchFlagError, bundleBatch, decodeDescriptor, decodeHeader, DESC_BYTES, FORMAT_VERSION, HEADER_MAGIC, imageIo, Opcode, Flag, reusesWeights, type Bundle, type Descriptor, type Manifest, type TensorIo } from '../../compiler/contracts/bundle-format.ts';
import { configDiff, configHash, validateConfig, type HwConfig } from '../../compiler/contracts/hw-config.ts';
import { CnnaError } from '../../compiler/errors/cnna-error.ts';
import { quant } from '../../compiler/golden/fixed/fixed-point.ts';
import type { Tensor } from '../../compiler/ir/graph.ts';
import { softmax } from '../../compiler/golden/fixed/ops/softmax.ts';
import { LayerAccumulator, type LayerPerf } from '../perf/model-bundle.ts';
import { makeDdr, runJob, type Ddr, type HeldSums } from './run-job.ts';
import { runSegments } from '../run-segments.ts';

/** Per-layer figures of a run: the perf model's record, roofline optional (an executor may not model it). */
export type LayerStats = Omit<LayerPerf, 'rooflineCycles' | 'rooflineRatio'> & Partial<Pick<LayerPerf, 'rooflineCycles' | 'rooflineRatio'>>;

export type RawOutputs = Record<string, { q: Int16Array; f: number; dims: number[] }>;

export interface RunBundleResult {
  /** int16 engine outputs in ONNX element order (pre host tail), with their format (image 0 of a batch). */
  raw: RawOutputs;
  /** Dequantized outputs; host-tail outputs (softmax) as float32 after the tail (image 0 of a batch). */
  outputs: Record<string, Tensor>;
  /** Every image's outputs (one entry at batch 1). */
  images: { raw: RawOutputs; outputs: Record<string, Tensor> }[];
  cycles: number;
  latencySeconds: number;
  perLayer: LayerStats[];
  ddr: Ddr;
}

export interface RunBundleOptions {
  /** The engine's own config; a bundle built for another config is refused. Default: the bundle's. */
  config?: HwConfig;
  /** Inputs already quantized (int16, NCHW element order); one set per image for a batch bundle. */
  rawInputs?: Record<string, Int16Array> | Record<string, Int16Array>[];
  /** Called after every job (progress, traces). */
  onJob?: (index: number, d: Descriptor, cycles: number) => void;
}

/** Refuse a bundle compiled for another config, naming both hashes and the fields that differ. */
export function checkBundleConfig(bundle: Bundle, engine: HwConfig): void {
  const mine = configHash(engine);
  if (bundle.manifest.configHash !== mine) {
    const diff = configDiff(bundle.manifest.hwConfig, engine);
    throw new CnnaError('E_BUNDLE', `bundle '${bundle.manifest.model}' was compiled for config ${bundle.manifest.configHash}, this engine is built for config ${mine}; differing fields: ${diff.join(', ') || '(none listed)'}`, {
      hint: 'recompile the model with this engine\'s config (cnna compile --config FILE), or run it on an engine built from the bundle\'s config',
    });
  }
}

/** Index of ONNX element k of a tensor within the NCHW16c image (int16 units from the layout offset). */
export function elementIndex(io: TensorIo, pi: number): (k: number) => number {
  const { h, w, cgStride, rowStride } = io.layout;
  return (k: number) => {
    let c: number, y: number, x: number;
    if (io.order === 'vector') { c = k; y = 0; x = 0; } else {
      c = Math.floor(k / (h * w));
      const r = k - c * h * w;
      y = Math.floor(r / w);
      x = r - y * w;
    }
    return (Math.floor(c / pi) * cgStride + y * rowStride + x * pi * 2 + (c % pi) * 2) >> 1;
  };
}

export function runBundle(bundle: Bundle, inputs: Record<string, Tensor> | Record<string, Tensor>[], opts: RunBundleOptions = {}): RunBundleResult {
  const m = bundle.manifest;
  const bundleConfig = validateConfig(m.hwConfig, `manifest of bundle '${m.model}'`);
  const config = opts.config ?? bundleConfig;
  checkBundleConfig(bundle, config);
  if (m.segments) {
    // Partitioned bundles run batch 1 (the compiler refuses a batch with host segments).
    const one = <T>(x: T | T[] | undefined, what: string): T | undefined => {
      if (!Array.isArray(x)) return x;
      if (x.length !== 1) throw new CnnaError('E_USAGE', `bundle '${m.model}' runs 1 image per start, ${x.length} ${what} were given`);
      return x[0];
    };
    return runPartitioned(bundle, one(inputs, 'input sets')!, { ...opts, rawInputs: one(opts.rawInputs, 'raw input sets') }, config);
  }
  const { pi, po } = config.array;
  const ddr = makeDdr(m.memoryMap.ddrBytes);
  const hv = new DataView(bundle.descriptors.buffer, bundle.descriptors.byteOffset, bundle.descriptors.byteLength);
  const h = decodeHeader(hv, 0);
  if (h.opcode !== Opcode.HEADER || h.magic !== HEADER_MAGIC) throw new CnnaError('E_BUNDLE', `descriptors.bin of '${m.model}' does not start with a HEADER record (magic 0x${h.magic.toString(16)})`);
  if (h.version !== FORMAT_VERSION) throw new CnnaError('E_BUNDLE', `descriptors.bin has format version ${h.version}, this engine runs version ${FORMAT_VERSION}`);
  if (h.configHash !== configHash(config)) throw new CnnaError('E_BUNDLE', `descriptors.bin header carries config hash ${h.configHash}, this engine is built for ${configHash(config)}`);
  if (bundle.descriptors.length < (h.count + 1) * DESC_BYTES) throw new CnnaError('E_BUNDLE', `descriptors.bin holds ${bundle.descriptors.length} bytes, the header announces ${h.count} jobs`);
  ddr.bytes.set(bundle.descriptors, m.descriptors.offset);
  ddr.bytes.set(bundle.weights, m.params.offset);

  const batch = bundleBatch(m);
  const tensorSets = Array.isArray(inputs) ? inputs : [inputs];
  const rawSets = opts.rawInputs === undefined ? undefined : Array.isArray(opts.rawInputs) ? opts.rawInputs : [opts.rawInputs];
  const nSets = rawSets?.length ?? tensorSets.length;
  if (nSets !== batch) {
    throw new CnnaError('E_USAGE', `bundle '${m.model}' runs ${batch} image${batch === 1 ? '' : 's'} per start, ${nSets} input set${nSets === 1 ? ' was' : 's were'} given`, {
      hint: batch > 1 ? `give exactly ${batch} images (cnna simulate --batch ${batch} with at least ${batch} images), or compile with another batch` : 'give one input set',
    });
  }
  for (let b = 0; b < batch; b++) {
    for (const io0 of m.inputs) {
      const io = imageIo(io0, b);
      const idx = elementIndex(io, pi);
      const n = io.shape.slice(1).reduce((a, c) => a * c, 1);
      const raw = rawSets?.[b]?.[io.name];
      const t = tensorSets[b]?.[io.name];
      if (!raw && !t) throw new CnnaError('E_USAGE', `missing input '${io.name}'${batch > 1 ? ` of image ${b}` : ''} (shape [${io.shape.join(', ')}])`);
      const src = raw ?? t!.data;
      if (src.length !== n) throw new CnnaError('E_USAGE', `input '${io.name}' has ${src.length} values, the bundle expects ${n} ([${io.shape.join(', ')}])`);
      const base = io.layout.offset >> 1;
      for (let k = 0; k < n; k++) ddr.i16[base + idx(k)] = raw ? raw[k] : quant(src[k], io.f);
    }
  }

  const acc = new LayerAccumulator(bundle, config);
  let prev: Descriptor | null = null;
  const held: HeldSums = { sums: null };
  for (let j = 1; j <= h.count; j++) {
    const d = decodeDescriptor(ddr.view, m.descriptors.offset + j * DESC_BYTES);
    if (d.opcode !== Opcode.JOB) throw new CnnaError('E_BUNDLE', `descriptor ${j} has opcode ${d.opcode}, not JOB`);
    if (reusesWeights(d, prev) && (prev!.wAddr !== d.wAddr || prev!.kh !== d.kh || prev!.kw !== d.kw || prev!.cg !== d.cg)) {
      // The engine would compute with the previous job's weights: refuse instead of disagreeing with it.
      throw new CnnaError('E_BUNDLE', `descriptor ${j} has REUSE_WEIGHTS but its weight block (wAddr ${d.wAddr}, ${d.kh}x${d.kw}x${d.cg} words) differs from descriptor ${j - 1}'s (wAddr ${prev!.wAddr}, ${prev!.kh}x${prev!.kw}x${prev!.cg})`);
    }
    if (d.flags & Flag.WINOGRAD && !config.array.winograd) {
      throw new CnnaError('E_BUNDLE', `descriptor ${j} is a WINOGRAD job, but the engine's config has no array.winograd`, {
        hint: 'recompile the model for this engine\'s config (the compiler emits Winograd jobs only for a config with array.winograd)',
      });
    }
    const batchErr = batchFlagError(d, prev);
    if (batchErr) throw new CnnaError('E_BUNDLE', `descriptor ${j} ${batchErr}`);
    if (d.flags & Flag.BATCH && bundleBatch(m) === 1) throw new CnnaError('E_BUNDLE', `descriptor ${j} is a BATCH job but the manifest of '${m.model}' has no batch`);
    runJob(ddr, d, pi, po, j, held);
    prev = d;
    // The performance model looks one job ahead (the loader's reads for it share the DDR controller).
    const next = !(d.flags & Flag.LAST) && j < h.count ? decodeDescriptor(ddr.view, m.descriptors.offset + (j + 1) * DESC_BYTES) : null;
    const c = acc.add(d, next?.opcode === Opcode.JOB ? next : null);
    opts.onJob?.(j, d, c);
    if (d.flags & Flag.LAST) break;
  }
  const stats = acc.finish();
  const cycles = acc.cycles;

  const images = Array.from({ length: batch }, (_, b) => readImageOutputs(ddr, m, b, pi));
  return { raw: images[0].raw, outputs: images[0].outputs, images, cycles, latencySeconds: cycles / (config.clockMhz * 1e6), perLayer: stats, ddr };
}

/** Image b's outputs from the DDR image: int16 with formats, and dequantized (softmax host tail applied). */
export function readImageOutputs(ddr: Ddr, m: Manifest, b: number, pi: number): { raw: RawOutputs; outputs: Record<string, Tensor> } {
  const raw: RawOutputs = {};
  const outputs: Record<string, Tensor> = {};
  for (const io0 of m.outputs) {
    const io = imageIo(io0, b);
    const idx = elementIndex(io, pi);
    const n = io.shape.slice(1).reduce((a, c) => a * c, 1);
    const q = new Int16Array(n);
    const base = io.layout.offset >> 1;
    for (let k = 0; k < n; k++) q[k] = ddr.i16[base + idx(k)];
    raw[io.name] = { q, f: io.f, dims: io.shape };
    outputs[io.name] = dequantOutput(io, q);
  }
  return { raw, outputs };
}

/** A graph output as float: q·2^-f, or the softmax host tail of it. */
export function dequantOutput(io: TensorIo, q: Int16Array): Tensor {
  const deq = new Float64Array(q.length);
  for (let k = 0; k < q.length; k++) deq[k] = q[k] * 2 ** -io.f;
  const tail = io.hostTail?.[0];
  return tail ? { dims: io.shape, data: softmax(deq, io.shape, tail.axis, tail.coerce2d) } : { dims: io.shape, data: Float32Array.from(deq) };
}

/** Graph inputs as int16 in ONNX element order: given raw, or quantized to each input's format. */
export function rawGraphInputs(bundle: Bundle, inputs: Record<string, Tensor>, rawInputs?: Record<string, Int16Array>): Record<string, Int16Array> {
  const out: Record<string, Int16Array> = {};
  for (const io of bundle.manifest.inputs) {
    const n = io.shape.slice(1).reduce((a, b) => a * b, 1);
    const raw = rawInputs?.[io.name];
    const t = inputs[io.name];
    if (!raw && !t) throw new CnnaError('E_USAGE', `missing input '${io.name}' (shape [${io.shape.join(', ')}])`);
    const src = raw ?? t!.data;
    if (src.length !== n) throw new CnnaError('E_USAGE', `input '${io.name}' has ${src.length} values, the bundle expects ${n} ([${io.shape.join(', ')}])`);
    out[io.name] = raw ?? Int16Array.from(t!.data, (v) => quant(v, io.f));
  }
  return out;
}

/** A partitioned bundle: engine segments on this engine model, host segments by sim/run-segments.ts. */
function runPartitioned(bundle: Bundle, inputs: Record<string, Tensor>, opts: RunBundleOptions, config: HwConfig): RunBundleResult {
  const m = bundle.manifest;
  const perLayer: LayerStats[] = [];
  let ddr: Ddr | undefined;
  const r = runSegments(bundle, rawGraphInputs(bundle, inputs, opts.rawInputs as Record<string, Int16Array> | undefined), (view, raw) => {
    const x = runBundle(view, {}, { config, rawInputs: raw, onJob: opts.onJob });
    perLayer.push(...x.perLayer);
    ddr = x.ddr;
    return x;
  });
  const raw: RunBundleResult['raw'] = {};
  const outputs: Record<string, Tensor> = {};
  for (const io of m.outputs) {
    const q = r.values.get(io.name);
    if (!q) throw new CnnaError('E_BUNDLE', `bundle '${m.model}': no segment wrote graph output '${io.name}'`);
    raw[io.name] = { q, f: io.f, dims: io.shape };
    outputs[io.name] = dequantOutput(io, q);
  }
  return { raw, outputs, images: [{ raw, outputs }], cycles: r.cycles, latencySeconds: r.cycles / (config.clockMhz * 1e6), perLayer, ddr: ddr! };
}
