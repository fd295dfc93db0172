// Quantizer on hand-built graphs: the formats it picks follow docs/numerics.md "Choosing f"
// (expected values worked out by hand in the comments), the report, lowering, and the errors.
import { describe, expect, it } from 'vitest';
import type { Graph, Node, Tensor } from '../ir/graph.ts';
import { quantize } from './quantize.ts';
import { formatReport } from './format-report.ts';
import { runFixed } from '../golden/fixed/run-fixed.ts';

const t = (dims: number[], v: number[]): Tensor => ({ dims, data: Float32Array.from(v) });
const win = { kernel: [1, 1] as [number, number], strides: [1, 1] as [number, number], pads: [0, 0, 0, 0] as [number, number, number, number], dilations: [1, 1] as [number, number] };

function graph(nodes: Node[], inits: Record<string, Tensor>, shapes: Record<string, number[]>, input: [string, number[]], outputs: string[]): Graph {
  const sh = new Map(Object.entries(shapes));
  sh.set(input[0], input[1]);
  return {
    name: 'g', opset: 13, inputs: [{ name: input[0], shape: input[1] }], outputs: outputs.map((o) => ({ name: o, shape: sh.get(o)! })),
    initializers: new Map(Object.entries(inits)), nodes, shapes: sh,
  };
}

// 1×1 conv, 2 input and 2 output channels: y0 = 0.75·x0 - 0.25·x1 + 0.1, y1 = 3·x1.
const conv = (activation?: { kind: 'relu' }) => graph(
  [{ op: 'conv', name: 'c', inputs: ['x', 'W', 'B'], outputs: ['y'], group: 1, ...win, activation }],
  { W: t([2, 2, 1, 1], [0.75, -0.25, 0, 3]), B: t([2], [0.1, 0]) },
  { y: [1, 2, 1, 1] }, ['x', [1, 2, 1, 1]], ['y'],
);
// x = (1.2, -0.7): y0 = 0.9 + 0.175 + 0.1 = 1.175, y1 = -2.1; x = (0.3, 0.2): y0 = 0.225 - 0.05 + 0.1 = 0.275, y1 = 0.6
const calib = [t([2, 2, 1, 1], [1.2, -0.7, 0.3, 0.2])];

describe('quantize', () => {
  it('picks per-tensor formats from calibration ranges', () => {
    const qm = quantize(conv(), { calibration: calib });
    // input amax 1.2 -> e = 1 -> f = 14; weights amax 3 -> e = 2 -> f_w = 13; y amax 2.1 -> e = 2 -> f = 13
    expect(qm.formats.get('x')).toBe(14);
    expect(qm.weights.get('c')!.wf).toEqual([13]);
    expect(qm.formats.get('y')).toBe(13);
    // w_q = quant(w, 13): 0.75 -> 6144, -0.25 -> -2048, 0, 3 -> 24576
    expect(Array.from(qm.weights.get('c')!.q)).toEqual([6144, -2048, 0, 24576]);
    // bias at f_acc = 27: float32 0.1 = 13421773·2^-27 -> 13421773
    expect(Array.from(qm.biases.get('c')!.q)).toEqual([13421773, 0]);
    expect(qm.options).toEqual({ format: 'auto', perChannel: false, calibration: 'user batch (2 samples)' });
  });

  it('scales weights per output channel when asked', () => {
    const qm = quantize(conv(), { calibration: calib, perChannel: true });
    // channel 0 amax 0.75 -> f_w 15; channel 1 amax 3 -> 13
    expect(qm.weights.get('c')!.wf).toEqual([15, 13]);
    expect(Array.from(qm.weights.get('c')!.q)).toEqual([24576, -8192, 0, 24576]);
    // the float32 bias 0.1 is 13421773·2^-27; at 14 + 15 = 29 it is 13421773·4 = 53687092 (the exact
    // 0.1 of docs/numerics.md example 3 gives 53687091)
    expect(qm.biases.get('c')!.q[0]).toBe(53687092);
  });

  it('uses the post-ReLU range for a fused ReLU and a fixed format when asked', () => {
    // with ReLU y amax = 1.175 -> e = 1 -> f = 14
    expect(quantize(conv({ kind: 'relu' }), { calibration: calib }).formats.get('y')).toBe(14);
    const q14 = quantize(conv(), { calibration: calib, format: 14 });
    expect([q14.formats.get('x'), q14.formats.get('y')]).toEqual([14, 14]);
    // y1 = -2.1 saturates in Q2.14 on the first sample
    const row = q14.report.find((r) => r.node === 'c')!;
    expect(row.saturated).toBe(1);
    expect(row.total).toBe(4);
    expect(row.format).toBe('Q2.14');
  });

  it('fixes the weight format when asked (the paper\'s Q2.14 weights)', () => {
    const qm = quantize(conv(), { calibration: calib, weightFormat: 14 });
    // 3 saturates at Q2.14: quant(3, 14) = 49152 -> 32767; 0.75 -> 12288, -0.25 -> -4096
    expect(qm.weights.get('c')!.wf).toEqual([14]);
    expect(Array.from(qm.weights.get('c')!.q)).toEqual([12288, -4096, 0, 32767]);
  });

  it('caps an output format at f_in + f_w', () => {
    // tiny weights and outputs: w = 2^-10 (f_w = 25), x amax 2^-10 (f = 25), y amax 2^-20 -> wants f = 35 -> clamped to 31
    const g = graph(
      [{ op: 'conv', name: 'c', inputs: ['x', 'W'], outputs: ['y'], group: 1, ...win }],
      { W: t([1, 1, 1, 1], [2 ** -10]) }, { y: [1, 1, 1, 1] }, ['x', [1, 1, 1, 1]], ['y'],
    );
    const qm = quantize(g, { calibration: [t([1, 1, 1, 1], [2 ** -10])] });
    expect(qm.formats.get('x')).toBe(24);
    expect(qm.weights.get('c')!.wf).toEqual([24]);
    expect(qm.formats.get('y')).toBe(31);
    const qm2 = quantize(g, { calibration: [t([1, 1, 1, 1], [2 ** -10])], format: 2 });
    expect(qm2.formats.get('y')).toBe(2);
  });

  it('reports every node with SQNR, and the table lists them', () => {
    const qm = quantize(conv(), { calibration: calib });
    expect(qm.report.map((r) => [r.node, r.op, r.format])).toEqual([['x', 'input', 'Q2.14'], ['c', 'conv', 'Q3.13']]);
    const c = qm.report[1];
    expect(c.min).toBeCloseTo(-2.1, 6);
    expect(c.max).toBeCloseTo(1.175, 6);
    expect(c.sqnrDb).toBeGreaterThan(60);
    const table = formatReport(qm.report);
    expect(table.split('\n')[0]).toMatch(/^node\s+op\s+format\s+weight f\s+min\s+max\s+saturated\s+SQNR dB$/);
    expect(table).toContain('Q3.13');
  });

  it('lowers a standalone BatchNormalization and a MatMul', () => {
    const g = graph(
      [
        { op: 'batchnorm', name: 'bn', inputs: ['x', 's', 'b', 'm', 'v'], outputs: ['z'], epsilon: 0 },
        { op: 'flatten', name: 'f', inputs: ['z'], outputs: ['zf'], axis: 1 },
        { op: 'matmul', name: 'mm', inputs: ['zf', 'B'], outputs: ['y'] },
      ],
      { s: t([2], [2, 1]), b: t([2], [0.5, 0]), m: t([2], [0, 1]), v: t([2], [4, 1]), B: t([2, 1], [1, 1]) },
      { z: [1, 2, 1, 1], zf: [1, 2], y: [1, 1] }, ['x', [1, 2, 1, 1]], ['y'],
    );
    // bn: z0 = 2·x0/2 + 0.5 = x0 + 0.5, z1 = x1 - 1; y = z0 + z1 = x0 + x1 - 0.5
    const qm = quantize(g, { calibration: [t([1, 2, 1, 1], [0.25, 0.5])] });
    expect(qm.graph.nodes.map((n) => n.op)).toEqual(['conv', 'flatten', 'gemm']);
    const r = runFixed(qm, { x: t([1, 2, 1, 1], [0.25, 0.5]) });
    expect(r.outputs.y.data[0]).toBeCloseTo(0.25, 3);
  });

  it('warns and uses seeded synthetic inputs when the input is not 28×28 grey', () => {
    const g = graph(
      [{ op: 'activation', name: 'r', inputs: ['x'], outputs: ['y'], activation: { kind: 'relu' } }],
      {}, { y: [1, 3, 4, 4] }, ['x', [1, 3, 4, 4]], ['y'],
    );
    const warnings: string[] = [];
    const qm = quantize(g, { onWarning: (w) => warnings.push(w), calibrationImages: 3 });
    expect(warnings).toEqual(["input 'x' has shape [1, 3, 4, 4], not N×1×28×28: calibrating on 3 synthetic inputs, uniform in [-2, 2) (seed 1); formats may be off for real data, so pass a calibration batch for accurate ones"]);
    expect(qm.options.calibration).toBe('synthetic uniform [-2, 2), 3 inputs, seed 1');
    // uniform in [-2, 2): amax just below 2 -> e = 1 -> f = 14
    expect(qm.formats.get('x')).toBe(14);
  });

  it('rejects bad formats, dynamic weights and mismatched calibration batches', () => {
    expect(() => quantize(conv(), { calibration: calib, format: 40 })).toThrow("format 40 is not 'auto' or an integer number of fractional bits in [-16, 31]");
    expect(() => quantize(conv(), { calibration: [t([1, 3, 1, 1], [1, 2, 3])] })).toThrow("calibration batch has shape [1, 3, 1, 1], the model input 'x' is [1, 2, 1, 1]");
    const g = conv();
    g.initializers.delete('W');
    expect(() => quantize(g, { calibration: calib })).toThrow("conv node 'c': weight 'W' is not a constant; the fixed-point engine multiplies activations by constant weights only");
  });
});

describe('accumulator bound', () => {
  // 1×1 conv, one channel: y = w·x + b with x = w = 2^-10 and b = 1.0, calibrated on that input.
  // Without the bound f_in = f_w = 24 (amax 2^-10 -> e = -9 -> f = 24) and f_acc = 48: the bias
  // 2^48 does not fit 48 bits. K = 1 product, so f_acc <= floor(log2((2^47 - 3/2 - 2^30) / 1)) = 46
  // and f_w = 22: x_q = 2^14, w_q = 2^12, bias_q = 2^46, acc = 2^46 + 2^26 < 2^47.
  const g = graph(
    [{ op: 'conv', name: 'c', inputs: ['x', 'W', 'B'], outputs: ['y'], group: 1, ...win }],
    { W: t([1, 1, 1, 1], [2 ** -10]), B: t([1], [1]) },
    { y: [1, 1, 1, 1] }, ['x', [1, 1, 1, 1]], ['y'],
  );
  const x = t([1, 1, 1, 1], [2 ** -10]);

  it('caps f_acc at 46, warns, marks the layer in the report, and the result matches float', () => {
    const warnings: string[] = [];
    const qm = quantize(g, { calibration: [x], onWarning: (w) => warnings.push(w) });
    expect(qm.formats.get('x')).toBe(24);
    expect(qm.weights.get('c')!.wf).toEqual([22]);
    expect(Array.from(qm.weights.get('c')!.q)).toEqual([4096]);
    expect(Array.from(qm.biases.get('c')!.q)).toEqual([2 ** 46]);
    expect(warnings).toEqual([`layer 'c' (conv): f_acc capped at 46 (f_in 24 + f_w 22) so that bias and product sum fit the 48-bit accumulator (docs/numerics.md "Accumulator bound"); the layer's weights lose precision`]);
    expect(qm.report.find((r) => r.node === 'c')!.accCapped).toBe(true);
    expect(formatReport(qm.report)).toContain('22 (acc cap)');
    // Float y = 1 + 2^-20; output amax in [1, 2) -> e = 1 -> f = 14, so y_q = rshr(2^46 + 2^26, 32) = 2^14.
    expect(qm.formats.get('y')).toBe(14);
    const got = runFixed(qm, { x }).outputs.y.data[0];
    // Within half an output step of float (one requantize rounding), not the wrapped 0.5 / -0.5.
    expect(Math.abs(got - (1 + 2 ** -20))).toBeLessThanOrEqual(2 ** -15);
    expect(got).toBe(1);
  });
});
