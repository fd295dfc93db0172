import { describe, expect, it } from 'vitest';
import { defaultModel } from './ort-reference.ts';
import { cnna } from './run-cli.ts';

describe('cnna inspect', () => {
  it('lists the default model after optimize: fused layers, shapes, MACs, parameters, mapping', () => {
    const r = cnna(['inspect', defaultModel, '--json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    // conv(1→8, 3×3, pad 1) + relu + maxpool 2 → conv(8→16) + relu + maxpool 2 → fc 784→64 + relu → fc 64→10
    const conv1 = 28 * 28 * 8 * 1 * 9;
    const conv2 = 14 * 14 * 16 * 8 * 9;
    expect(out.layers.map((l: { name: string; op: string; fused: string[]; input: number[]; output: number[]; macs: number; params: number; target: string }) =>
      [l.name, l.op, l.fused, l.input, l.output, l.macs, l.params, l.target])).toEqual([
      ['conv1', 'conv', ['relu', 'maxpool 2×2'], [1, 1, 28, 28], [1, 8, 14, 14], conv1, 8 * 9 + 8, 'accelerator'],
      ['conv2', 'conv', ['relu', 'maxpool 2×2'], [1, 8, 14, 14], [1, 16, 7, 7], conv2, 16 * 72 + 16, 'accelerator'],
      ['fc1', 'gemm', ['relu'], [1, 16, 7, 7], [1, 64], 784 * 64, 784 * 64 + 64, 'accelerator'],
      ['fc2', 'gemm', [], [1, 64], [1, 10], 640, 650, 'accelerator'],
    ]);
    expect(out.importedNodes).toBe(10);
    expect(out.totals.params).toBe(80 + 1168 + 50240 + 650);
    expect(out.totals.macs).toBe(conv1 + conv2 + 784 * 64 + 640);
  });

  it('prints a table and a total line', () => {
    const r = cnna(['inspect', defaultModel]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('conv1  conv 3×3 pad 1 +relu +maxpool 2×2  [1×1×28×28]  [1×8×14×14]');
    expect(r.stdout).toContain('total: 333,056 MACs (100.0% on the accelerator), 52,138 parameters; 4 of 4 layers on the accelerator, 0 on the host, 0 not mapped');
  });
});

describe('cnna inspect mapping of host and unmapped layers', () => {
  it('softmax and a leftover flatten run on the host; an Add of a constant is not mapped', async () => {
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const { OnnxBuilder, int, ints } = await import('../../models/onnx-writer.ts');
    const dir = mkdtempSync(join(tmpdir(), 'cnna-inspect-'));
    try {
      const b = new OnnxBuilder('mixed');
      b.input('x', [1, 2, 4, 4]).output('p', [1, 32]);
      b.initializer('w', [2, 2, 1, 1], new Float32Array([1, 0, 0, 1])).initializer('c', [1, 2, 4, 4], new Float32Array(32).fill(0.5));
      b.node('Conv', ['x', 'w'], ['y'], { kernel_shape: ints([1, 1]) }, 'conv');
      b.node('Add', ['y', 'c'], ['z'], {}, 'add_const');
      b.node('Flatten', ['z'], ['f'], { axis: int(1) }, 'flatten');
      b.node('Softmax', ['f'], ['p'], { axis: int(1) }, 'softmax');
      const file = join(dir, 'mixed.onnx');
      b.writeFile(file);
      const r = cnna(['inspect', file, '--json']);
      expect(r.code).toBe(0);
      const out = JSON.parse(r.stdout);
      expect(out.layers.map((l: { name: string; target: string; reason?: string }) => [l.name, l.target, l.reason])).toEqual([
        ['conv', 'accelerator', undefined],
        ['add_const', 'not mapped', "add node 'add_const' reads the constant 'c'; the engine takes constants only as conv and FC weights"],
        ['flatten', 'not mapped', "flatten node 'flatten' reads 'z', the output of add node 'add_const', which the engine does not run"],
        ['softmax', 'not mapped', "softmax node 'softmax' reads 'f', the output of flatten node 'flatten', which the engine does not run"],
      ]);
      expect(out.totals).toMatchObject({ layers: 4, host: 0, notMapped: 3, accelerator: { layers: 1, macs: 16 * 2 * 2 } });
      // compile gives the same answer: it stops at the first node inspect marks not mapped.
      const c = cnna(['compile', file, '--format', 'Q2.14', '-o', join(dir, 'b')]);
      expect(c.code).toBe(1);
      expect(c.stderr).toContain("cnna: error [E_UNSUPPORTED]: add node 'add_const' reads the constant 'c'; the engine takes constants only as conv and FC weights");
    } finally {
      rmSync(dir, { recursive: true });
    }
  });

  it('asks the back end: an SPP head and a trailing Flatten run on the accelerator, pool pads and modes are shown', async () => {
    const { mkdtempSync, rmSync, writeFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const { sppModel } = await import('../engine/export-patterns.ts');
    const dir = mkdtempSync(join(tmpdir(), 'cnna-inspect-'));
    try {
      const file = join(dir, 'spp.onnx');
      writeFileSync(file, sppModel());
      const r = cnna(['inspect', file, '--json']);
      expect(r.code).toBe(0);
      const out = JSON.parse(r.stdout);
      expect(out.layers.map((l: { name: string; kind: string; target: string; reason?: string; jobs: number }) => [l.name, l.kind, l.target, l.reason ?? '', l.jobs > 0])).toEqual([
        ['conv', 'conv 3×3 pad 1 +relu', 'accelerator', '', true],
        ['gmax', 'global maxpool', 'accelerator', '', true],
        ['avg', 'avgpool 3×3/2×2 pad 1,1,0,0 count_include_pad', 'accelerator', '', true],
        ['max', 'maxpool 3×3/2×2 pad 1,1,0,0', 'accelerator', '', true],
        ['fg', 'flatten', 'accelerator', 'layout only (no job)', false],
        ['fa', 'flatten', 'accelerator', 'layout only (no job)', false],
        ['fm', 'flatten', 'accelerator', 'layout only (no job)', false],
        ['cat', 'concat axis 1', 'accelerator', '', true],
        ['fc', 'fc', 'accelerator', '', true],
      ]);
      expect(out.layers[2].pool).toEqual({ kind: 'avg', kernel: [3, 3], strides: [2, 2], pads: [1, 1, 0, 0], dilations: [1, 1], ceilMode: false, countIncludePad: true });
      expect(out.totals).toMatchObject({ layers: 9, host: 0, notMapped: 0 });
    } finally {
      rmSync(dir, { recursive: true });
    }
  });
});
