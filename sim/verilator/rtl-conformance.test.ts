// ONNX conformance cases (libonnx-testdata; the selection of the golden model's fixed-point conformance
// test) that the back end maps to the engine, run on the Verilator model in one simulation process:
// every output the engine wrote must equal the golden model bit for bit. Cases the back end refuses
// (E_UNSUPPORTED / E_FIT) are listed, not run. Batch > 1 cases run one image per inference.
import { describe, expect, it } from 'vitest';
import { engineConformanceCases, sameInt16 } from '../../test/engine/engine-conformance-cases.ts';
import { runBundlesRtl } from './run-rtl.ts';

describe('ONNX conformance cases on the RTL engine', () => {
  it('every case that maps to the engine is bit-exact against the golden model', async () => {
    const cases = [...engineConformanceCases()];
    const errors = cases.flatMap((c) => ('error' in c ? [`${c.name}: ${c.error}`] : []));
    expect(errors).toEqual([]);
    const refused = cases.filter((c) => 'refused' in c);
    const items = cases.flatMap((c) => ('bundle' in c ? [c] : []));
    const r = await runBundlesRtl(items.map(({ bundle, images }) => ({ bundle, inputSets: images.map(({ tensors }) => ({ tensors })) })));
    const failures: string[] = [];
    items.forEach((it, b) => {
      r.results[b].forEach((run, i) => {
        it.bundle.manifest.outputs.forEach((io, k) => {
          if (!sameInt16(run.raw[io.name].q, it.images[i].gold[k])) failures.push(`${it.name} image ${i} output ${io.name}`);
        });
      });
    });
    console.log(`RTL conformance: ${items.length} mapped cases run, ${failures.length} not bit-exact, ${refused.length} refused by the back end`);
    expect(failures).toEqual([]);
    expect(items.length).toBeGreaterThanOrEqual(40);
  }, 900_000);
});
