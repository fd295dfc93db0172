// Builds the shared engine golden vectors (test/vectors/engine/, format in its README): per
// random case a bundle for the default Ultra96 config, its int16 inputs and the golden model's
// expected int16 outputs. Used by scripts/gen-engine-vectors.ts (writes them) and by the test
// that checks the committed files are still what the compiler and golden model produce.
import { compileBundle } from '../../compiler/backend/compile-bundle.ts';
import { bundleFiles } from '../../compiler/backend/bundle-io.ts';
import { runFixed } from '../../compiler/golden/fixed/run-fixed.ts';
import type { HwConfig } from '../../compiler/contracts/hw-config.ts';
import { elementIndex } from '../../sim/ref/run-bundle.ts';
import { makeCase } from './random-layer.ts';
import { toTensors } from './ref-vs-golden.ts';

export const VECTOR_SEED = 1;
export const VECTOR_COUNT = 200;

const bytesOf = (a: Int16Array): Uint8Array => new Uint8Array(a.buffer.slice(a.byteOffset, a.byteOffset + a.byteLength));

/** The files of case `i` (relative names -> bytes). */
export function vectorFiles(config: HwConfig, i: number): Map<string, Uint8Array> {
  const c = makeCase(VECTOR_SEED, i);
  const bundle = compileBundle(c.qm, config);
  const gold = runFixed(c.qm, toTensors(c.inputs));
  const files = new Map<string, Uint8Array>(bundleFiles(bundle));
  const meta = {
    seed: VECTOR_SEED, index: i, layer: c.params,
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
