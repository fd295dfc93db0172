import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import onnxProto from 'onnx-proto';
import type { onnx as Onnx } from 'onnx-proto';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { OnnxBuilder, float, int, ints } from './onnx-writer.ts';

const { onnx } = onnxProto;

/** Conv 3×3 pad 1 (2 filters) → Relu → MaxPool 2×2 → Flatten → Gemm 8→3, on a 1×1×4×4 input. */
function tiny(): { b: OnnxBuilder; w: Float32Array; bias: Float32Array; fc: Float32Array; fcb: Float32Array } {
  const w = Float32Array.from({ length: 18 }, (_, i) => ((i * 7) % 11 - 5) / 8);
  const bias = Float32Array.from([0.25, -0.5]);
  const fc = Float32Array.from({ length: 24 }, (_, i) => ((i * 5) % 7 - 3) / 4);
  const fcb = Float32Array.from([1, 0, -1]);
  const b = new OnnxBuilder('tiny');
  b.input('x', ['batch', 1, 4, 4]).output('y', ['batch', 3]);
  b.initializer('w', [2, 1, 3, 3], w).initializer('b', [2], bias).initializer('fc', [3, 8], fc).initializer('fcb', [3], fcb);
  b.node('Conv', ['x', 'w', 'b'], ['c'], { kernel_shape: ints([3, 3]), pads: ints([1, 1, 1, 1]) });
  b.node('Relu', ['c'], ['r']);
  b.node('MaxPool', ['r'], ['p'], { kernel_shape: ints([2, 2]), strides: ints([2, 2]) });
  b.node('Flatten', ['p'], ['f'], { axis: int(1) });
  b.node('Gemm', ['f', 'fc', 'fcb'], ['y'], { transB: int(1), alpha: float(1) });
  return { b, w, bias, fc, fcb };
}

/** The same network computed with plain loops. */
function reference(x: Float32Array, t: ReturnType<typeof tiny>): number[] {
  const conv = new Float64Array(2 * 16);
  for (let m = 0; m < 2; m++) for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) {
    let s = t.bias[m];
    for (let dy = 0; dy < 3; dy++) for (let dx = 0; dx < 3; dx++) {
      const yy = i + dy - 1, xx = j + dx - 1;
      if (yy >= 0 && yy < 4 && xx >= 0 && xx < 4) s += t.w[m * 9 + dy * 3 + dx] * x[yy * 4 + xx];
    }
    conv[m * 16 + i * 4 + j] = Math.max(0, s);
  }
  const pooled: number[] = [];
  for (let m = 0; m < 2; m++) for (let i = 0; i < 2; i++) for (let j = 0; j < 2; j++) {
    pooled.push(Math.max(...[0, 1].flatMap((a) => [0, 1].map((c) => conv[m * 16 + (2 * i + a) * 4 + 2 * j + c]))));
  }
  return [0, 1, 2].map((o) => t.fcb[o] + pooled.reduce((s, v, k) => s + v * t.fc[o * 8 + k], 0));
}

describe('OnnxBuilder', () => {
  it('writes a model that onnxruntime runs and that computes what the loops compute', async () => {
    const t = tiny();
    const session = await ort.InferenceSession.create(t.b.toBytes());
    const x = Float32Array.from({ length: 16 }, (_, i) => Math.sin(i + 1));
    const out = await session.run({ x: new ort.Tensor('float32', x, [1, 1, 4, 4]) });
    expect(out.y.dims).toEqual([1, 3]);
    const want = reference(x, t);
    Array.from(out.y.data as Float32Array).forEach((v, i) => expect(v).toBeCloseTo(want[i], 5));
  });

  it('declares opset 13, raw_data initializers and named, shaped inputs and outputs', () => {
    const t = tiny();
    const m = onnx.ModelProto.decode(t.b.toBytes());
    expect(m.opsetImport.map((o) => [o.domain, Number(o.version)])).toEqual([['', 13]]);
    const g = m.graph as Onnx.GraphProto;
    const inits = g.initializer as Onnx.TensorProto[];
    expect(inits.map((i) => [i.name, i.dims.map(Number), i.dataType, i.rawData.length])).toEqual([
      ['w', [2, 1, 3, 3], 1, 72], ['b', [2], 1, 8], ['fc', [3, 8], 1, 96], ['fcb', [3], 1, 12],
    ]);
    expect(new Float32Array(Uint8Array.from(inits[0].rawData).buffer)).toEqual(t.w);
    const dims = (v: Onnx.IValueInfoProto) => v.type!.tensorType!.shape!.dim!.map((d) => d.dimParam || Number(d.dimValue));
    expect(g.input.map((v) => [v.name, dims(v)])).toEqual([['x', ['batch', 1, 4, 4]]]);
    expect(g.output.map((v) => [v.name, dims(v)])).toEqual([['y', ['batch', 3]]]);
    expect(g.node.map((n) => n.opType)).toEqual(['Conv', 'Relu', 'MaxPool', 'Flatten', 'Gemm']);
  });

  it('writeFile streams the same bytes as toBytes and reports progress up to the total', () => {
    const t = tiny();
    const dir = mkdtempSync(join(tmpdir(), 'cnna-writer-'));
    try {
      const seen: number[] = [];
      const size0 = t.b.toBytes().length;
      const size = t.b.writeFile(join(dir, 'm.onnx'), (done, total) => { seen.push(done); expect(total).toBe(size0); });
      expect(size).toBe(size0);
      expect(seen.at(-1)).toBe(size0);
      expect(new Uint8Array(readFileSync(join(dir, 'm.onnx')))).toEqual(t.b.toBytes());
    } finally {
      rmSync(dir, { recursive: true });
    }
  });

  it('refuses initializers whose data does not fill their dims, and duplicate names', () => {
    const b = new OnnxBuilder('bad');
    expect(() => b.initializer('w', [2, 3], new Float32Array(5))).toThrow("initializer 'w': dims [2, 3] hold 6 values but 5 were given");
    b.initializer('w', [1], new Float32Array(1));
    expect(() => b.initializer('w', [1], new Float32Array(1))).toThrow("initializer 'w' is defined twice");
  });
});
