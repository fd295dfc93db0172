// The ONNX conformance cases the back end maps to the engine (test/engine/engine-conformance-cases.ts, the
// same selection as the engine-model and RTL conformance tests) on the HLS engine, untimed, in one process:
// every output the HLS kernels wrote must equal the golden model bit for bit.
import { describe, expect, it } from 'vitest';
import { engineConformanceCases, sameInt16 } from '../../test/engine/engine-conformance-cases.ts';
import { runBundlesHls } from './run-hls.ts';

describe('ONNX conformance cases on the HLS engine', () => {
  it('every case that maps to the engine is bit-exact against the golden model', async () => {
    const cases = [...engineConformanceCases()];
    const errors = cases.flatMap((c) => ('error' in c ? [`${c.name}: ${c.error}`] : []));
    expect(errors).toEqual([]);
    const items = cases.flatMap((c) => ('bundle' in c ? [c] : []));
    const r = await runBundlesHls(items.map(({ bundle, images }) => ({ bundle, inputSets: images.map(({ tensors }) => ({ tensors })) })));
    const failures: string[] = [];
    let images = 0;
    items.forEach((it, b) => {
      r.results[b].forEach((run, i) => {
        images++;
        it.bundle.manifest.outputs.forEach((io, k) => {
          if (!sameInt16(run.raw[io.name].q, it.images[i].gold[k])) failures.push(`${it.name} image ${i} output ${io.name}`);
        });
      });
    });
    console.log(`HLS conformance: ${items.length} mapped cases (${images} images) run, ${failures.length} not bit-exact`);
    expect(failures).toEqual([]);
    expect(items.length).toBeGreaterThanOrEqual(40);
  }, 900_000);
});
