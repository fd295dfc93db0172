import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildModelProto } from './build-model.ts';
import { importOnnx } from './import-onnx.ts';
import { onnx } from './onnx-proto.ts';

const dir = mkdtempSync(join(tmpdir(), 'cnna-read-model-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('readModel (importOnnx from a path)', () => {
  it('uses float weights in place, aligned, whatever their offset in the file', () => {
    const w = Float32Array.from({ length: 64 * 32 }, (_, i) => Math.sin(i));
    for (let pad = 0; pad < 4; pad++) {
      const m = buildModelProto({
        inputs: [{ name: 'x', dims: [1, 32] }], outputs: [{ name: 'y' }],
        initializers: [{ name: 'w', dims: [64, 32], data: w }],
        nodes: [{ op: 'Gemm', name: 'fc', inputs: ['x', 'w'], outputs: ['y'], attrs: { transB: 1 } }],
      });
      m.producerName = 'p'.repeat(pad + 1);
      const bytes = onnx.ModelProto.encode(m).finish();
      const path = join(dir, `m${pad}.onnx`);
      writeFileSync(path, bytes);
      const t = importOnnx(path).initializers.get('w')!;
      expect(t.data).toEqual(w);
      expect(t.data.byteOffset % 4).toBe(0);
      expect(t.data.buffer.byteLength).toBeGreaterThanOrEqual(bytes.length);
    }
  });

  it('reports a missing file, a directory and a truncated file with typed errors', () => {
    expect(() => importOnnx(join(dir, 'nope.onnx'))).toThrow(expect.objectContaining({ code: 'E_IO', message: `${join(dir, 'nope.onnx')}: cannot read the model (ENOENT)` }));
    expect(() => importOnnx(dir)).toThrow(expect.objectContaining({ code: 'E_IO', message: `${dir}: not a regular file` }));
    const m = onnx.ModelProto.encode(buildModelProto({ inputs: [{ name: 'x', dims: [1, 4] }], outputs: [{ name: 'y' }], nodes: [{ op: 'Relu', inputs: ['x'], outputs: ['y'] }] })).finish();
    writeFileSync(join(dir, 'cut.onnx'), m.subarray(0, m.length - 3));
    expect(() => importOnnx(join(dir, 'cut.onnx'))).toThrow(expect.objectContaining({ code: 'E_TRUNCATED' }));
  });
});
