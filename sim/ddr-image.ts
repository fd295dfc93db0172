// What the RTL and HLS drivers share when they lay a program bundle out in a simulated DDR for their
// system models: the model-script lines that load a bundle's descriptors and weights, zero the
// activations and load one input set (NCHW16c, zero-padded, at each input's layout offset), dump the
// output regions, and the reading of those dumps back into int16 tensors (and the dequantized / host-tail
// outputs). The executable spec of the layout is sim/ref/run-bundle.ts (elementIndex).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bundleBatch, imageIo, type Bundle } from '../compiler/contracts/bundle-format.ts';
import { CnnaError } from '../compiler/errors/cnna-error.ts';
import { quant } from '../compiler/golden/fixed/fixed-point.ts';
import { softmax } from '../compiler/golden/fixed/ops/softmax.ts';
import type { Tensor } from '../compiler/ir/graph.ts';
import { elementIndex } from './ref/run-bundle.ts';

export interface DdrInputSet {
  raw?: Record<string, Int16Array>;
  tensors?: Record<string, Tensor>;
  /** A batch bundle's start: one set per image (manifest.batch of them) instead of raw / tensors. */
  images?: { raw?: Record<string, Int16Array>; tensors?: Record<string, Tensor> }[];
}

type Manifest = Bundle['manifest'];

export function regionBytes(io: { layout: { cg: number; cgStride: number } }): number {
  return io.layout.cg * io.layout.cgStride;
}

/** Script lines that load bundle b's descriptors and weights at BASE (files written into `work`). */
export function loadBundleLines(work: string, b: number, bundle: Bundle, BASE: number): string[] {
  const m = bundle.manifest;
  writeFileSync(join(work, `b${b}-descriptors.bin`), bundle.descriptors);
  writeFileSync(join(work, `b${b}-weights.bin`), bundle.weights);
  return [
    `load ${BASE + m.descriptors.offset} ${join(work, `b${b}-descriptors.bin`)}`,
    `load ${BASE + m.params.offset} ${join(work, `b${b}-weights.bin`)}`,
  ];
}

/** Script lines that zero the activations and load input set i of bundle b (every image's, for a batch bundle). */
export function loadInputLines(work: string, b: number, i: number, m: Manifest, set: DdrInputSet, BASE: number, pi: number): string[] {
  const S: string[] = [];
  const acts = m.memoryMap.regions.find((r) => r.name === 'activations');
  if (acts) S.push(`zero ${BASE + acts.offset} ${acts.size}`);
  const batch = bundleBatch(m);
  const images = set.images ?? [set];
  if (images.length !== batch) {
    throw new CnnaError('E_USAGE', `bundle '${m.model}' runs ${batch} image${batch === 1 ? '' : 's'} per start, input set ${i} has ${images.length}`, {
      hint: batch > 1 ? `give ${batch} images per start (DdrInputSet.images)` : 'give one image per start',
    });
  }
  images.forEach((img1, n) => {
    for (const io0 of m.inputs) {
      const io = imageIo(io0, n);
      const count = io.shape.slice(1).reduce((a, c) => a * c, 1);
      const raw = img1.raw?.[io.name];
      const t = img1.tensors?.[io.name];
      if (!raw && !t) throw new CnnaError('E_USAGE', `missing input '${io.name}'${batch > 1 ? ` of image ${n}` : ''} (shape [${io.shape.join(', ')}])`);
      const src = raw ?? t!.data;
      if (src.length !== count) throw new CnnaError('E_USAGE', `input '${io.name}' has ${src.length} values, the bundle expects ${count} ([${io.shape.join(', ')}])`);
      const img = new Int16Array(regionBytes(io) / 2);
      const idx = elementIndex(io, pi);
      for (let k = 0; k < count; k++) img[idx(k)] = raw ? raw[k] : quant(src[k], io.f);
      const file = join(work, `b${b}-in-${i}${n ? `-${n}` : ''}-${io.name.replace(/[^\w.-]/g, '_')}.bin`);
      writeFileSync(file, new Uint8Array(img.buffer));
      S.push(`load ${BASE + io.layout.offset} ${file}`);
    }
  });
  return S;
}

/** Script lines that dump run i's output regions of bundle b. */
export function dumpOutputLines(work: string, b: number, i: number, m: Manifest, BASE: number): string[] {
  return Array.from({ length: bundleBatch(m) }, (_, n) => m.outputs.map((io0, k) => {
    const io = imageIo(io0, n);
    return `dump ${BASE + io.layout.offset} ${regionBytes(io)} ${join(work, `b${b}-out-${i}${n ? `-${n}` : ''}-${k}.bin`)}`;
  })).flat();
}

type Outs = { raw: Record<string, { q: Int16Array; f: number; dims: number[] }>; outputs: Record<string, Tensor> };

/** Run i's outputs of bundle b from the dumps (image 0's), with every image's for a batch bundle. */
export function readOutputs(work: string, b: number, i: number, m: Manifest, pi: number): Outs & { images: Outs[] } {
  const images = Array.from({ length: bundleBatch(m) }, (_, n) => readImageOutputs(work, b, i, n, m, pi));
  return { ...images[0], images };
}

/** Image n's outputs of run i of bundle b from the dumps: int16 with formats, and dequantized (softmax host tail applied). */
function readImageOutputs(work: string, b: number, i: number, image: number, m: Manifest, pi: number): Outs {
  const raw: Record<string, { q: Int16Array; f: number; dims: number[] }> = {};
  const outputs: Record<string, Tensor> = {};
  m.outputs.forEach((io, k) => {
    const buf = readFileSync(join(work, `b${b}-out-${i}${image ? `-${image}` : ''}-${k}.bin`));
    const img = new Int16Array(buf.buffer, buf.byteOffset, buf.byteLength >> 1);
    const idx = elementIndex(io, pi);
    const n = io.shape.slice(1).reduce((a, c) => a * c, 1);
    const q = new Int16Array(n);
    for (let e = 0; e < n; e++) q[e] = img[idx(e)];
    raw[io.name] = { q, f: io.f, dims: io.shape };
    const deq = new Float64Array(n);
    for (let e = 0; e < n; e++) deq[e] = q[e] * 2 ** -io.f;
    const tail = io.hostTail?.[0];
    outputs[io.name] = tail
      ? { dims: io.shape, data: softmax(deq, io.shape, tail.axis, tail.coerce2d) }
      : { dims: io.shape, data: Float32Array.from(deq) };
  });
  return { raw, outputs };
}
