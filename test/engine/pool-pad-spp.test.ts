// Exporter patterns that used to stop at compile time, on the engine model against the golden
// model: the Pad(0) PyTorch puts before AvgPool2d (folded into the pool, counted in the divisor),
// a zero Pad before a MaxPool of ReLU output, and an SPP head (three pools of one map, each
// flattened, concatenated on axis 1 and read by one FC layer) with pyramid levels whose channel
// counts do not fill whole planes.
import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../boards/ultra96/board.ts';
import { compileBundle } from '../../compiler/backend/compile-bundle.ts';
import { buildModel } from '../../compiler/onnx/build-model.ts';
import { importOnnx } from '../../compiler/onnx/import-onnx.ts';
import { describeGraph } from '../../compiler/passes/describe-graph.ts';
import { optimize } from '../../compiler/passes/index.ts';
import { quantize } from '../../compiler/quant/quantize.ts';
import { compareRefGolden } from './ref-vs-golden.ts';
import { rng } from './random-layer.ts';
import { sppModel } from './export-patterns.ts';

describe('pool pads and SPP heads on the engine model', () => {
  it('folds both Pads, concatenates the flattened levels for the FC, and matches the golden model bit for bit', () => {
    const g = optimize(importOnnx(sppModel()));
    expect(describeGraph(g)).toEqual([
      'conv: conv[k3x3 s1,1 p1,1,1,1+relu](x, w, b) -> r',
      'gmax: pool[globalmax](r) -> g',
      'avg: pool[avg3x3/2 p1,1,0,0 cip](r) -> a',
      'max: pool[max3x3/2 p1,1,0,0](r) -> m',
      'fg: flatten(g) -> g2',
      'fa: flatten(a) -> a2',
      'fm: flatten(m) -> m2',
      'cat: concat(a2, m2, g2) -> v',
      'fc: gemm[tB](v, fw, fb) -> y',
    ]);
    const config = defaultConfig();
    const qm = quantize(g, { calibrationImages: 8, report: false, onWarning: () => {} });
    const bundle = compileBundle(qm, config);
    expect(bundle.manifest.layers.map((l) => l.op)).toEqual(['conv', 'pool', 'pool', 'pool', 'concat', 'gemm']);
    const r = rng(9);
    for (let k = 0; k < 3; k++) {
      const x = { dims: [1, 3, 8, 8], data: Float32Array.from({ length: 192 }, () => r() * 4 - 2) };
      const cmp = compareRefGolden(qm, { x }, config);
      expect(cmp.total).toBe(7);
      expect(cmp.first).toBeUndefined();
      expect(cmp.mismatches).toBe(0);
    }
  });

  it('refuses a concat of flattened tensors as a graph output, naming it', () => {
    const g = optimize(importOnnx(buildModel({
      opset: 13, inputs: [{ name: 'x', dims: [1, 3, 4, 4] }], outputs: [{ name: 'v' }],
      nodes: [
        { op: 'MaxPool', name: 'p', inputs: ['x'], outputs: ['m'], attrs: { kernel_shape: [2, 2], strides: [2, 2] } },
        { op: 'Flatten', name: 'f1', inputs: ['x'], outputs: ['x2'] },
        { op: 'Flatten', name: 'f2', inputs: ['m'], outputs: ['m2'] },
        { op: 'Concat', name: 'cat', inputs: ['x2', 'm2'], outputs: ['v'], attrs: { axis: 1 } },
      ],
    })));
    const qm = quantize(g, { format: 14, report: false });
    expect(() => compileBundle(qm, defaultConfig())).toThrow("graph output 'v' is a concat of flattened tensors, which the engine only feeds to an FC layer");
  });
});
