import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { runFloat } from '../../compiler/golden/float/run-float.ts';
import { importOnnx } from '../../compiler/onnx/import-onnx.ts';
import { optimize } from '../../compiler/passes/index.ts';
import { buildZooModel, parameterCount, zoo, zooModel } from './index.ts';

describe('vgg16 layer list', () => {
  const m = zooModel('vgg16');
  it('has exactly 138,357,544 parameters (torchvision vgg16)', () => {
    expect(parameterCount(m)).toBe(138_357_544);
  });
  it('is 13 convs 3×3 pad 1 each followed by ReLU, 5 max pools, then 3 Linear with ReLU and Dropout', () => {
    const kinds = m.layers.map((l) => l.kind);
    expect(kinds.filter((k) => k === 'conv')).toHaveLength(13);
    expect(kinds.filter((k) => k === 'maxpool')).toHaveLength(5);
    expect(kinds.filter((k) => k === 'dropout')).toHaveLength(2);
    m.layers.forEach((l, i) => {
      if (l.kind === 'conv') {
        expect([l.k, l.pad]).toEqual([3, 1]);
        expect(m.layers[i + 1].kind).toBe('relu');
      }
    });
    const channels = m.layers.flatMap((l) => (l.kind === 'conv' ? [l.cout] : []));
    expect(channels).toEqual([64, 64, 128, 128, 256, 256, 256, 512, 512, 512, 512, 512, 512]);
    const fcs = m.layers.flatMap((l) => (l.kind === 'linear' ? [[l.in, l.out]] : []));
    expect(fcs).toEqual([[25088, 4096], [4096, 4096], [4096, 1000]]);
    expect(kinds.slice(-8)).toEqual(['flatten', 'linear', 'relu', 'dropout', 'linear', 'relu', 'dropout', 'linear']);
    expect(m.input.shape).toEqual([1, 3, 224, 224]);
  });
});

describe('vgg-small end to end', () => {
  it('writes an ONNX file that onnxruntime runs, with finite, non-vanishing logits', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cnna-zoo-'));
    try {
      const file = join(dir, 'vgg-small.onnx');
      const b = buildZooModel(zooModel('vgg-small'), 7);
      b.writeFile(file);
      expect(b.parameterCount()).toBe(parameterCount(zooModel('vgg-small')));
      const session = await ort.InferenceSession.create(file);
      const x = Float32Array.from({ length: 784 }, (_, i) => ((i * 37) % 256) / 255);
      const out = await session.run({ image: new ort.Tensor('float32', x, [1, 1, 28, 28]) });
      const y = Array.from(out.logits.data as Float32Array);
      expect(y).toHaveLength(10);
      const rms = Math.sqrt(y.reduce((s, v) => s + v * v, 0) / 10);
      expect(rms).toBeGreaterThan(0.05);
      expect(rms).toBeLessThan(20);
      expect(new Set(y).size).toBe(10);

      const g = optimize(importOnnx(file));
      expect(g.nodes.map((n) => (n.op === 'conv' ? `conv${n.pool ? '+pool' : ''}` : n.op))).toEqual(['conv', 'conv+pool', 'conv', 'conv+pool', 'gemm', 'gemm']);
      const mine = runFloat(g, { image: { dims: [1, 1, 28, 28], data: x } }).logits.data;
      mine.forEach((v, i) => expect(Math.abs(v - y[i])).toBeLessThan(1e-4));
    } finally {
      rmSync(dir, { recursive: true });
    }
  });

  it('is deterministic in its seed', () => {
    const a = buildZooModel(zooModel('vgg-small'), 1).toBytes();
    expect(buildZooModel(zooModel('vgg-small'), 1).toBytes()).toEqual(a);
    expect(buildZooModel(zooModel('vgg-small'), 2).toBytes()).not.toEqual(a);
  });

  it('names unknown models and lists the known ones', () => {
    expect(Object.keys(zoo).sort()).toEqual(['vgg-small', 'vgg16']);
    expect(() => zooModel('resnet50')).toThrow("unknown zoo model 'resnet50'");
  });
});
