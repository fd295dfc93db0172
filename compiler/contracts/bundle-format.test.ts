import { describe, expect, it } from 'vitest';
import {
  DESC_BYTES, DESC_FIELDS, decodeDescriptor, decodeHeader, emptyDescriptor, encodeDescriptor, encodeHeader,
  Flag, jobWeightBlockBytes, jobWeightWords, weightBlockBytes, weightHeaderBytes, winoPackInto, winoUnpack,
} from './bundle-format.ts';
import { configDiff, configHash, validateConfig } from './hw-config.ts';
import { defaultConfig } from '../../boards/ultra96/board.ts';
import { genSvPackage } from './gen-sv-package.ts';
import { genHlsHeader } from './gen-hls-header.ts';

describe('descriptor encoding', () => {
  it('places fields at the documented bytes and bits', () => {
    const d = emptyDescriptor();
    Object.assign(d, { flags: 0b0101, layer: 0x1234, inAddr: 0xdeadbeef, strideH: 2, strideW: 3, dilH: 1, dilW: 4, poolKind: 2, outGroups: 1, actA: -3, avgM: 0x1c71c });
    const buf = new DataView(new ArrayBuffer(DESC_BYTES));
    encodeDescriptor(d, buf, 0);
    expect(buf.getUint8(0)).toBe(1);
    expect(buf.getUint8(1)).toBe(5);
    expect(buf.getUint16(2, true)).toBe(0x1234);
    expect(buf.getUint32(4, true)).toBe(0xdeadbeef);
    expect(buf.getUint8(44)).toBe(0x32);
    expect(buf.getUint8(45)).toBe(0x41);
    expect(buf.getUint8(48)).toBe(0x12);
    expect(buf.getInt16(56, true)).toBe(-3);
    expect(buf.getUint32(60, true)).toBe(0x1c71c);
    expect(decodeDescriptor(buf, 0)).toEqual(d);
  });

  it('fields do not overlap and fill exactly 64 bytes', () => {
    const bits = new Uint8Array(DESC_BYTES * 8);
    for (const f of DESC_FIELDS) for (let b = 0; b < f.bits; b++) bits[f.offset * 8 + f.lsb + b]++;
    expect(Math.max(...bits)).toBe(1);
    expect(bits.reduce((a, b) => a + b, 0)).toBe(512);
  });

  it('refuses a value that does not fit its field', () => {
    const d = emptyDescriptor();
    d.strideH = 16;
    expect(() => encodeDescriptor(d, new DataView(new ArrayBuffer(64)), 0)).toThrow('descriptor field strideH = 16 does not fit unsigned 4 bits');
  });

  it('header round-trips the config hash as two u32 words', () => {
    const buf = new DataView(new ArrayBuffer(64));
    encodeHeader({ version: 1, count: 7, ddrBytes: 4096, configHash: '0123456789abcdef' }, buf);
    expect(buf.getUint32(4, true)).toBe(0x414e4e43);
    expect(buf.getUint32(16, true)).toBe(0x89abcdef);
    expect(buf.getUint32(20, true)).toBe(0x01234567);
    expect(decodeHeader(buf)).toMatchObject({ opcode: 15, version: 1, count: 7, ddrBytes: 4096, configHash: '0123456789abcdef' });
  });

  it('weight block sizes at PO = PI = 16: 160-byte header, 512-byte words', () => {
    expect(weightHeaderBytes(16)).toBe(160);
    expect(weightBlockBytes(16, 16, 3, 3, 2)).toBe(160 + 18 * 512);
  });
});

describe('hardware config', () => {
  it('validates the Ultra96 default and names every bad field', () => {
    const c = defaultConfig();
    expect(c.array).toEqual({ pi: 16, po: 16 });
    expect(() => validateConfig({ ...c, array: { pi: 12, po: 20 } }, 'x.json')).toThrow(
      'x.json is invalid: array.pi: must be one of 8, 16, 32, 64; array.po: must be a multiple of array.pi (12)',
    );
  });

  it('accepts exactly the template range and names the field and the reason otherwise', () => {
    const c = defaultConfig();
    const ok = (o: Record<string, unknown>) => validateConfig({ ...c, ...o });
    const bad = (o: Record<string, unknown>) => () => validateConfig({ ...c, ...o }, 'c.json');
    for (const pi of [8, 16, 32]) expect(ok({ array: { pi, po: pi } }).array.pi).toBe(pi);
    // PI 64 is in the template's lane set, but its smallest array (64 x 64) fits no board.
    expect(bad({ array: { pi: 64, po: 64 } })).toThrow('c.json is invalid: array.po: array.pi x array.po = 4096 multiplies; no board in the boards database has more than 1728 DSP slices (ZCU104), so the template stops there: use array.pi x array.po <= 1728');
    expect(ok({ array: { pi: 16, po: 48 } }).array.po).toBe(48);
    expect(ok({ array: { pi: 8, po: 120 } }).array.po).toBe(120);
    expect(ok({ array: { pi: 16, po: 96 } }).array.po).toBe(96);
    expect(bad({ array: { pi: 16, po: 128 } })).toThrow('array.pi x array.po = 2048 multiplies');
    expect(ok({ axi: { ...c.axi, dataBits: 256, burstBeats: 7, ports: 1 }, array: { pi: 16, po: 16 } }).axi.burstBeats).toBe(7);
    expect(ok({ axi: { ...c.axi, burstBeats: 1 } }).axi.burstBeats).toBe(1);
    expect(ok({ axi: { ...c.axi, burstBeats: 256 } }).axi.burstBeats).toBe(256);
    expect(ok({ buffers: { inputBankEntries: 1000, weightBankWords: 100, outputFifoEntries: 33 } }).buffers.inputBankEntries).toBe(1000);
    expect(bad({ array: { pi: 4, po: 4 } })).toThrow('c.json is invalid: array.pi: must be one of 8, 16, 32, 64');
    expect(bad({ array: { pi: 16, po: 24 } })).toThrow('c.json is invalid: array.po: must be a multiple of array.pi (16)');
    expect(bad({ array: { pi: 16, po: 144 } })).toThrow('c.json is invalid: array.po: Number must be less than or equal to 128');
    expect(bad({ array: { pi: 8, po: 128 } })).toThrow(
      "c.json is invalid: array.po: 128 is 16 lane groups of array.pi 8; a JOB descriptor's outGroups field (4 bits) holds at most 15, so use array.po <= 120",
    );
    expect(bad({ array: { pi: 8, po: 8 }, axi: { ...c.axi, dataBits: 256 } })).toThrow(
      'c.json is invalid: axi.dataBits: 256 is wider than one input entry (array.pi 8 x 16 = 128 bits); the engine moves whole entries per bus beat, so use axi.dataBits <= 128 or array.pi >= 16',
    );
    expect(bad({ axi: { ...c.axi, dataBits: 32 } })).toThrow('c.json is invalid: axi.dataBits: Invalid input');
    expect(bad({ axi: { ...c.axi, ports: 3 } })).toThrow('c.json is invalid: axi.ports: Number must be less than or equal to 2');
    expect(bad({ axi: { ...c.axi, burstBeats: 0 } })).toThrow('c.json is invalid: axi.burstBeats: Number must be greater than or equal to 1');
    expect(bad({ axi: { ...c.axi, burstBeats: 257 } })).toThrow('c.json is invalid: axi.burstBeats: Number must be less than or equal to 256');
    expect(bad({ buffers: { ...c.buffers, inputBankEntries: 15 } })).toThrow('c.json is invalid: buffers.inputBankEntries: Number must be greater than or equal to 16');
  });

  it('hash is independent of key order and changes with any field', () => {
    const c = defaultConfig();
    const reordered = JSON.parse(JSON.stringify({ version: 1, axi: c.axi, buffers: c.buffers, accBits: 48, dataBits: 16, array: c.array, clockMhz: c.clockMhz, board: c.board }));
    expect(configHash(validateConfig(reordered))).toBe(configHash(c));
    const other = validateConfig({ ...c, buffers: { ...c.buffers, weightBankWords: 321 } });
    expect(configHash(other)).not.toBe(configHash(c));
    expect(configHash(c)).toMatch(/^[0-9a-f]{16}$/);
    expect(configDiff(c, other)).toEqual(['buffers.weightBankWords (320 vs 321)']);
  });

  it('generated SV package and HLS header carry the config and every field', () => {
    const c = defaultConfig();
    const sv = genSvPackage(c);
    expect(sv).toContain(`localparam logic [63:0] CONFIG_HASH = 64'h${configHash(c)};`);
    expect(sv).toContain('localparam int unsigned D_STRIDE_W_LSB = 356;');
    expect(sv).toContain('localparam int unsigned D_AVG_M_LSB = 480;');
    const h = genHlsHeader(c);
    expect(h).toContain('constexpr int Pi = 16;');
    expect(h).toContain('r.strideW = desc_bits(d, 44, 4, 4);');
  });
});

describe('Winograd weight block layout (docs/bundle-format.md)', () => {
  it('packs 20-bit weights as runs of a high-nibble word and four low words, by hand', () => {
    // One lane (PI = PO = 1), two groups: group 1 holds the same weights as group 0.
    const u = [-294912, 294907, 1, -1, 65536, -65537, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    const words = new Int16Array(40);
    winoPackInto(words, 1, 0, 0, u);
    winoPackInto(words, 1, 1, 0, u);
    // -294912 = 0xB8000, 294907 = 0x47FFB, 1 = 0x00001, -1 = 0xFFFFF: high word 0xF04B = -4021 (nibbles B, 4, 0, F);
    // 65536 = 0x10000, -65537 = 0xEFFFF: high word 0x00E1 = 225.
    const group = [-4021, -32768, 32763, 1, -1, 225, 0, -1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    expect(Array.from(words)).toEqual([...group, ...group]);
    for (let g = 0; g < 2; g++) {
      for (let t = 0; t < 16; t++) {
        const run = g * 20 + 5 * (t >> 2);
        expect(winoUnpack(words[run + 1 + (t & 3)], words[run], t)).toBe(u[t]);
      }
    }
    expect(() => winoPackInto(words, 1, 0, 0, [2 ** 19, ...u.slice(1)])).toThrow('Winograd weight 524288 does not fit 20 bits');
  });

  it('sizes a Winograd block as 20 words per channel group', () => {
    const d = { flags: Flag.WINOGRAD, kh: 3, kw: 3, cg: 4 };
    expect(jobWeightWords(d)).toBe(80);
    expect(jobWeightWords({ ...d, flags: 0 })).toBe(36);
    expect(jobWeightBlockBytes(16, 16, d)).toBe(160 + 80 * 512);
  });
});
