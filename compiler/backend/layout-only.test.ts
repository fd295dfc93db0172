// Layout-only compiles (descriptors and memory map without building weight blocks, what sweeps use)
// give the same descriptors, memory map and layers as a full compile; the generated descriptor codec
// writes and reads the same bytes as a plain field-by-field reference written from DESC_FIELDS here.
import { describe, expect, it } from 'vitest';
import { compileBundle } from './compile-bundle.ts';
import { DESC_BYTES, DESC_FIELDS, decodeDescriptor, emptyDescriptor, encodeDescriptor, type Descriptor } from '../contracts/bundle-format.ts';
import { defaultConfig } from '../../boards/ultra96/board.ts';
import { importOnnx } from '../onnx/import-onnx.ts';
import { optimize } from '../passes/index.ts';
import { quantize } from '../quant/quantize.ts';
import { buildZooModel, zooModel } from '../../models/zoo/index.ts';
import type { HwConfig } from '../contracts/hw-config.ts';

function refEncode(d: Descriptor): Uint8Array {
  const out = new Uint8Array(DESC_BYTES);
  for (const fd of DESC_FIELDS) {
    let v = BigInt(d[fd.name]);
    if (v < 0n) v += 1n << BigInt(fd.bits);
    const bit0 = fd.offset * 8 + fd.lsb;
    for (let b = 0; b < fd.bits; b++) if ((v >> BigInt(b)) & 1n) out[(bit0 + b) >> 3] |= 1 << ((bit0 + b) & 7);
  }
  return out;
}

describe('descriptor codec', () => {
  it('encodes and decodes 2,000 random descriptors as the bit-by-bit reference does', () => {
    let s = 12345;
    const rnd = (): number => { s = (s * 1103515245 + 12345) % 2 ** 31; return s / 2 ** 31; };
    for (let i = 0; i < 2000; i++) {
      const d = emptyDescriptor();
      for (const fd of DESC_FIELDS) {
        const span = 2 ** fd.bits;
        d[fd.name] = Math.floor(rnd() * span) - (fd.signed ? span / 2 : 0);
      }
      const buf = new Uint8Array(DESC_BYTES + 8).fill(0xa5);
      encodeDescriptor(d, new DataView(buf.buffer), 8);
      expect(buf.subarray(8)).toEqual(refEncode(d));
      expect(buf.subarray(0, 8)).toEqual(new Uint8Array(8).fill(0xa5));
      expect(decodeDescriptor(new DataView(buf.buffer), 8)).toEqual(d);
    }
  });

  it('refuses a field that does not fit, naming it', () => {
    const d = emptyDescriptor();
    d.strideW = 16;
    expect(() => encodeDescriptor(d, new DataView(new ArrayBuffer(64)), 0)).toThrow('descriptor field strideW = 16 does not fit unsigned 4 bits');
    d.strideW = 1;
    d.actA = -32769;
    expect(() => encodeDescriptor(d, new DataView(new ArrayBuffer(64)), 0)).toThrow('descriptor field actA = -32769 does not fit signed 16 bits');
    d.actA = 0;
    d.hin = 1.5;
    expect(() => encodeDescriptor(d, new DataView(new ArrayBuffer(64)), 0)).toThrow('descriptor field hin = 1.5 does not fit unsigned 16 bits');
  });
});

describe('layout-only compile', () => {
  const qm = quantize(optimize(importOnnx(buildZooModel(zooModel('vgg-small'), 1).toBytes())), { calibrationImages: 2, report: false });
  const base = defaultConfig();
  const configs: HwConfig[] = [
    base,
    { ...base, array: { pi: 8, po: 8 }, buffers: { inputBankEntries: 512, weightBankWords: 16, outputFifoEntries: 64 } },
    { ...base, array: { pi: 16, po: 32 }, buffers: { ...base.buffers, inputBankEntries: 1024, weightBankWords: 64 } },
  ];
  it.each(configs.map((c, i) => [i, c] as const))('config %i: same descriptors, memory map and layers as a full compile, no weight bytes', (_i, c) => {
    const full = compileBundle(qm, c);
    const lo = compileBundle(qm, c, { layoutOnly: true });
    expect(full.weights.length).toBeGreaterThan(0);
    expect(lo.weights.length).toBe(0);
    expect(Buffer.from(lo.descriptors).equals(Buffer.from(full.descriptors))).toBe(true);
    expect(lo.manifest.memoryMap).toEqual(full.manifest.memoryMap);
    expect(lo.manifest.layers).toEqual(full.manifest.layers);
    expect(lo.manifest.params.size).toBe(full.weights.length);
    expect(lo.manifest.files['weights.bin']).toBe('');
  });
});
