// The back end's Winograd/direct choice with the performance model as its cycle model (perfCompileOptions,
// what the CLI and the sweep pass): on single-layer models over several shapes, boards, AXI widths and
// port counts, the 'auto' compile picks Winograd exactly when the performance model gives the all-Winograd
// bundle fewer cycles than the all-direct one.
import { describe, expect, it } from 'vitest';
import type { QuantizedModel } from '../../compiler/golden/fixed/quantized-model.ts';
import type { HwConfig } from '../../compiler/contracts/hw-config.ts';
import { compileBundle } from '../../compiler/backend/compile-bundle.ts';
import { defaultConfig } from '../../boards/ultra96/board.ts';
import { modelBundle, perfCompileOptions } from './model-bundle.ts';

/** One 3x3 stride-1 conv, C -> M channels on HW x HW (C large enough that no tap packing applies). */
function conv(C: number, M: number, HW: number): QuantizedModel {
  return {
    graph: {
      name: 'c', opset: 13, inputs: [{ name: 'x', shape: [1, C, HW, HW] }], outputs: [{ name: 'y', shape: [1, M, HW, HW] }], initializers: new Map(),
      nodes: [{ op: 'conv', name: 'conv', inputs: ['x', 'w', 'b'], outputs: ['y'], kernel: [3, 3], strides: [1, 1], pads: [1, 1, 1, 1], dilations: [1, 1], group: 1, activation: { kind: 'relu' } }],
      shapes: new Map([['x', [1, C, HW, HW]], ['y', [1, M, HW, HW]]]),
    },
    formats: new Map([['x', 14], ['y', 12]]),
    weights: new Map([['conv', { q: new Int16Array(M * C * 9), dims: [M, C, 3, 3], wf: [15] }]]),
    biases: new Map([['conv', { q: new Float64Array(M) }]]),
    constants: new Map(), options: { format: 'auto', perChannel: false, calibration: 'test' }, report: [],
  };
}

describe('Winograd/direct choice on the performance model', () => {
  it('auto takes Winograd exactly when the performance model gives it fewer cycles', () => {
    const seen = { wino: 0, direct: 0 };
    const bad: string[] = [];
    for (const board of ['ultra96', 'pynq-z2']) {
      for (const [C, M, HW] of [[16, 16, 4], [16, 64, 2], [64, 64, 4], [32, 256, 3], [64, 16, 6], [48, 48, 3], [16, 128, 2], [64, 64, 14]]) {
        for (const ports of [1, 2]) {
          for (const dataBits of [64, 128] as const) {
            const d = defaultConfig(board);
            const c: HwConfig = { ...d, array: { ...d.array, winograd: true }, axi: { ...d.axi, ports, dataBits } };
            const qm = conv(C, M, HW);
            const auto = compileBundle(qm, c, { layoutOnly: true, ...perfCompileOptions(c) });
            const wino = modelBundle(compileBundle(qm, c, { layoutOnly: true, winograd: 'always' }), c).cycles;
            const direct = modelBundle(compileBundle(qm, c, { layoutOnly: true, winograd: 'never' }), c).cycles;
            const chose = auto.manifest.layers[0].winograd === true;
            seen[chose ? 'wino' : 'direct']++;
            if (chose !== wino < direct) bad.push(`${board} C${C} M${M} ${HW}x${HW} AXI ${dataBits}x${ports}: chose ${chose ? 'Winograd' : 'direct'}, modeled Winograd ${wino} vs direct ${direct} cycles`);
          }
        }
      }
    }
    expect(bad).toEqual([]);
    // Both outcomes occur, so the check above compares real choices.
    expect(seen.wino).toBeGreaterThan(0);
    expect(seen.direct).toBeGreaterThan(0);
  });

  it('a config without array.winograd gets no cycle model (its compile is unchanged)', () => {
    expect(perfCompileOptions(defaultConfig())).toEqual({});
  });
});
