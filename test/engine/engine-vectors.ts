// Builds the shared engine golden vectors (test/vectors/engine/, format in its README): per
// random case a bundle for the default Ultra96 config, its int16 inputs and the golden model's
// expected int16 outputs. Used by scripts/gen-engine-vectors.ts (writes them) and by the test
// that checks the committed files are still what the compiler and golden model produce.
import { compileBundle } from '../../compiler/backend/compile-bundle.ts';
import { bundleFiles } from '../../compiler/backend/bundle-io.ts';
import { runFixed } from '../../compiler/golden/fixed/run-fixed.ts';
import type { HwConfig } from '../../compiler/contracts/hw-config.ts';
import { elementIndex } from '../../sim/ref/run-bundle.ts';
import type { Graph } from '../../compiler/ir/graph.ts';
import { quantize } from '../../compiler/quant/quantize.ts';
import { makeCase, type RandomCase } from './random-layer.ts';
import { toTensors } from './ref-vs-golden.ts';

export const VECTOR_SEED = 1;
export const VECTOR_COUNT = 200;

const bytesOf = (a: Int16Array): Uint8Array => new Uint8Array(a.buffer.slice(a.byteOffset, a.byteOffset + a.byteLength));

/**
 * Named cases beside the random ones (directory name -> case). `case-accumulator-bound`: the 1×1 conv
 * of docs/numerics.md "Accumulator bound" (x = w = 2^-10, bias 1.0, calibrated on x), which the
 * quantizer caps at f_acc = 46; expected output 2^14 at f = 14.
 */
export const NAMED_CASES: Record<string, () => RandomCase> = {
  'case-accumulator-bound': () => {
    const g: Graph = {
      name: 'accumulator-bound', opset: 13, inputs: [{ name: 'x', shape: [1, 1, 1, 1] }], outputs: [{ name: 'y', shape: [1, 1, 1, 1] }],
      initializers: new Map([['W', { dims: [1, 1, 1, 1], data: Float32Array.from([2 ** -10]) }], ['B', { dims: [1], data: Float32Array.from([1]) }]]),
      nodes: [{ op: 'conv', name: 'c', inputs: ['x', 'W', 'B'], outputs: ['y'], group: 1, kernel: [1, 1], strides: [1, 1], pads: [0, 0, 0, 0], dilations: [1, 1] }],
      shapes: new Map([['x', [1, 1, 1, 1]], ['y', [1, 1, 1, 1]]]),
    };
    const qm = quantize(g, { calibration: [{ dims: [1, 1, 1, 1], data: Float32Array.from([2 ** -10]) }], onWarning: () => {}, report: false });
    const f = qm.formats.get('x')!;
    return { index: -1, kind: 'conv', qm, inputs: { x: { q: Int16Array.from([2 ** -10 * 2 ** f]), f, dims: [1, 1, 1, 1] } }, params: { kind: 'conv', name: 'accumulator-bound', C: 1, M: 1, fIn: f, fW: qm.weights.get('c')!.wf } };
  },
};

/** The files of case `i` (relative names -> bytes), or of a named case. */
export function vectorFiles(config: HwConfig, i: number | string): Map<string, Uint8Array> {
  const c = typeof i === 'number' ? makeCase(VECTOR_SEED, i) : NAMED_CASES[i]();
  const bundle = compileBundle(c.qm, config);
  const gold = runFixed(c.qm, toTensors(c.inputs));
  const files = new Map<string, Uint8Array>(bundleFiles(bundle));
  const meta = {
    ...(typeof i === 'number' ? { seed: VECTOR_SEED, index: i } : { name: i }), layer: c.params,
    inputs: bundle.manifest.inputs.map((io) => ({ name: io.name, shape: io.shape, f: io.f, file: `in-${io.name}.bin`, ddrFile: `in-${io.name}.ddr.bin`, offset: io.layout.offset })),
    outputs: bundle.manifest.outputs.map((io) => ({ name: io.name, shape: io.shape, f: io.f, file: `out-${io.name}.bin`, offset: io.layout.offset })),
  };
  files.set('case.json', new TextEncoder().encode(`${JSON.stringify(meta, null, 1)}\n`));
  const pi = config.array.pi;
  for (const io of bundle.manifest.inputs) {
    const q = c.inputs[io.name].q;
    files.set(`in-${io.name}.bin`, bytesOf(q));
    const img = new Int16Array(io.layout.cg * io.layout.cgStride / 2);
    const idx = elementIndex(io, pi);
    for (let k = 0; k < q.length; k++) img[idx(k)] = q[k];
    files.set(`in-${io.name}.ddr.bin`, bytesOf(img));
  }
  for (const io of bundle.manifest.outputs) files.set(`out-${io.name}.bin`, bytesOf(gold.raw[io.name].q));
  return files;
}

export function caseDir(i: number): string {
  return `case-${String(i).padStart(3, '0')}`;
}
