import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { runFloat } from '../../compiler/golden/float/run-float.ts';
import { importOnnx } from '../../compiler/onnx/import-onnx.ts';
import { optimize } from '../../compiler/passes/index.ts';
import { buildZooModel, parameterCount, zoo, zooModel } from './index.ts';
import { quantize } from '../../compiler/quant/quantize.ts';
import { compileBundle } from '../../compiler/backend/compile-bundle.ts';
import { loadConfig } from '../../boards/ultra96/board.ts';
import { runFixed } from '../../compiler/golden/fixed/run-fixed.ts';
import { runBundle } from '../../sim/ref/run-bundle.ts';
import { DESC_BYTES, decodeDescriptor } from '../../compiler/contracts/bundle-format.ts';
import type { ZooModel } from './layers.ts';

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
    expect(Object.keys(zoo).sort()).toEqual(['allconv', 'mobilenetv2', 'nin', 'resnet18', 'squeezenet', 'vgg-small', 'vgg16']);
    expect(() => zooModel('resnet50')).toThrow("unknown zoo model 'resnet50'");
  });
});

describe('benchmark zoo layer lists', () => {
  // torchvision's published counts (sum of p.numel() over model.parameters(): conv and FC
  // weights and biases, BatchNorm weight and bias); All-CNN-C and NiN by their papers' layers.
  it.each([
    ['resnet18', 11_689_512], ['mobilenetv2', 3_504_872], ['squeezenet', 1_235_496], ['allconv', 1_369_738], ['nin', 966_986],
  ])('%s has %i parameters', (name, n) => {
    expect(parameterCount(zooModel(name))).toBe(n);
  });

  it('resnet18: 20 convs (3 of them 1×1 downsamples), 20 BatchNorms, 8 residual adds, GAP, fc 512→1000', () => {
    const l = zooModel('resnet18').layers;
    const convs = l.flatMap((x) => (x.kind === 'conv' ? [x] : []));
    expect(convs).toHaveLength(20);
    expect(convs.filter((c) => c.name.includes('downsample')).map((c) => [c.name, c.k, c.stride])).toEqual([
      ['layer2.0.downsample.0', 1, 2], ['layer3.0.downsample.0', 1, 2], ['layer4.0.downsample.0', 1, 2],
    ]);
    expect(l.filter((x) => x.kind === 'bn')).toHaveLength(20);
    expect(l.filter((x) => x.kind === 'add')).toHaveLength(8);
    expect(l.slice(-3).map((x) => x.kind)).toEqual(['gap', 'flatten', 'linear']);
  });

  it('mobilenetv2: 17 depthwise 3×3 convs, 10 residual adds, ReLU6, 1280→1000 classifier', () => {
    const l = zooModel('mobilenetv2').layers;
    const dw = l.flatMap((x) => (x.kind === 'conv' && x.groups === x.cin && x.cin > 1 ? [x] : []));
    expect(dw).toHaveLength(17);
    expect(dw.every((c) => c.k === 3 && c.cin === c.cout)).toBe(true);
    expect(l.filter((x) => x.kind === 'add')).toHaveLength(10);
    expect(l.filter((x) => x.kind === 'relu6')).toHaveLength(35);
    expect(l.filter((x) => x.kind === 'relu')).toHaveLength(0);
    const fc = l[l.length - 1];
    expect(fc.kind === 'linear' && [fc.name, fc.in, fc.out]).toEqual(['classifier.1', 1280, 1000]);
  });

  it('squeezenet: 8 fire modules, each a channel concat of its expand1x1 and expand3x3', () => {
    const l = zooModel('squeezenet').layers;
    expect(l.filter((x) => x.kind === 'concat').map((x) => x.from)).toEqual(
      [3, 4, 6, 7, 9, 10, 11, 12].map((i) => [`features.${i}.e1`, `features.${i}.e3`]),
    );
  });
});

describe('benchmark zoo models import, run in onnxruntime and compile for the default config', () => {
  const config = loadConfig(undefined);
  // ResNet-18 and MobileNetV2 take about 8 s each to quantize and compile; scripts/bench-zoo.ts does them.
  it.each([
    ['allconv', [1, 3, 32, 32], ['conv', 'conv', 'conv', 'conv', 'conv', 'conv', 'conv', 'conv', 'conv+gap', 'flatten']],
    ['nin', [1, 3, 32, 32], ['conv', 'conv', 'conv+max', 'conv', 'conv', 'conv+avg', 'conv', 'conv', 'conv+gap', 'flatten']],
    ['squeezenet', [1, 3, 224, 224], null],
  ] as const)('%s', async (name, shape, ops) => {
    const dir = mkdtempSync(join(tmpdir(), 'cnna-zoo-'));
    try {
      const file = join(dir, `${name}.onnx`);
      buildZooModel(zooModel(name), 3).writeFile(file);
      const n = (shape as readonly number[]).reduce((a, b) => a * b, 1);
      const x = Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.37) * 0.5);
      const session = await ort.InferenceSession.create(file);
      const y = Array.from((await session.run({ input: new ort.Tensor('float32', x, [...shape]) })).logits.data as Float32Array);
      const classes = name === 'squeezenet' ? 1000 : 10;
      expect(y).toHaveLength(classes);
      expect(y.every(Number.isFinite)).toBe(true);
      expect(new Set(y).size).toBeGreaterThan(classes / 2);

      const g = optimize(importOnnx(file));
      const opsOf = g.nodes.map((nd) => (nd.op === 'conv' && nd.pool ? `conv+${nd.pool.kind.replace('global', 'g').replace('gavg', 'gap')}` : nd.op));
      if (ops) expect(opsOf).toEqual(ops);
      const mine = runFloat(g, { input: { dims: [...shape], data: x } }).logits.data;
      const scale = Math.max(...y.map(Math.abs));
      mine.forEach((v, i) => expect(Math.abs(v - y[i])).toBeLessThan(1e-4 * Math.max(1, scale)));

      const qm = quantize(g, { calibrationImages: 1, report: false });
      const bundle = compileBundle(qm, config, { name });
      if (name === 'squeezenet') {
        // classifier.1 + ReLU + GAP over 13×13×512 does not fit the input bank fused (5408 entries
        // of 4096): the back end runs conv jobs into a temporary tensor, then pool jobs.
        expect(opsOf.slice(-3)).toEqual(['concat', 'conv+gap', 'flatten']);
        const last = bundle.manifest.layers[bundle.manifest.layers.length - 1];
        expect([last.name, last.macs]).toEqual(['classifier.1', 512 * 1000 * 13 * 13]);
      }
      // The engine's TypeScript model runs the bundle bit-exact against the golden model.
      const r = runBundle(bundle, { input: { dims: [...shape], data: x } }, { config });
      const gold = runFixed(qm, { input: { dims: [...shape], data: x } }).raw.logits.q;
      expect(gold).toHaveLength(classes);
      expect(Array.from(r.raw.logits.q)).toEqual(Array.from(gold));
    } finally {
      rmSync(dir, { recursive: true });
    }
  }, 60_000);
});

describe('depthwise convs on the engine', () => {
  // A MobileNetV2-style block at 48 channels (3 input groups at PI = 16): 1×1 expand + ReLU6,
  // depthwise 3×3 + ReLU6, 1×1 project, residual add, then a depthwise 3×3 stride 2 and GAP.
  const block: ZooModel = {
    name: 'dw-block', description: 'test', input: { name: 'input', shape: [1, 16, 10, 10] }, output: { name: 'logits', shape: [1, 16] },
    layers: [
      { kind: 'conv', name: 'pw0', cin: 16, cout: 16, k: 1, pad: 0, save: 'x' },
      { kind: 'conv', name: 'expand', cin: 16, cout: 48, k: 1, pad: 0 }, { kind: 'relu6' },
      { kind: 'conv', name: 'dw', cin: 48, cout: 48, k: 3, pad: 1, groups: 48 }, { kind: 'bn', name: 'dw.bn', c: 48 }, { kind: 'relu6' },
      { kind: 'conv', name: 'project', cin: 48, cout: 16, k: 1, pad: 0, bias: false, save: 'p' },
      { kind: 'add', from: ['p', 'x'] },
      { kind: 'conv', name: 'dw2', cin: 16, cout: 16, k: 3, pad: 1, stride: 2, groups: 16 }, { kind: 'relu' },
      { kind: 'gap' }, { kind: 'flatten' },
    ],
  };
  it('each output block reads only its own input group (cg 1, 9 weight words), bit-exact against the golden model', () => {
    const config = loadConfig(undefined);
    const g = optimize(importOnnx(buildZooModel(block, 5).toBytes()));
    const qm = quantize(g, { calibrationImages: 1, report: false });
    const bundle = compileBundle(qm, config, { name: 'dw-block' });
    const v = new DataView(bundle.descriptors.buffer, bundle.descriptors.byteOffset, bundle.descriptors.byteLength);
    const jobsOf = (name: string) => {
      const l = bundle.manifest.layers.find((x) => x.name === name)!;
      return Array.from({ length: l.jobs[1] - l.jobs[0] + 1 }, (_, j) => decodeDescriptor(v, (l.jobs[0] + j) * DESC_BYTES));
    };
    const dw = jobsOf('dw');
    expect(new Set(dw.map((d) => d.cg))).toEqual(new Set([1]));
    expect(new Set(dw.map((d) => d.inAddr)).size).toBe(3);
    expect(jobsOf('expand').every((d) => d.cg === 1)).toBe(true);
    expect(jobsOf('project').every((d) => d.cg === 3)).toBe(true);
    const x = { dims: [1, 16, 10, 10], data: Float32Array.from({ length: 1600 }, (_, i) => Math.cos(i * 0.21)) };
    const r = runBundle(bundle, { input: x }, { config });
    const gold = runFixed(qm, { input: x }).raw.logits.q;
    expect(gold).toHaveLength(16);
    expect(new Set(gold).size).toBeGreaterThan(8);
    expect(Array.from(r.raw.logits.q)).toEqual(Array.from(gold));
  });
});
