// The program bundle contract: the engine's instruction set (64-byte JOB descriptors after one
// HEADER record), the DDR records it reads (weight blocks with bias and shifts) and the manifest.
// This file is the one definition; docs/bundle-format.md explains the semantics, and
// gen-sv-package.ts / gen-hls-header.ts emit it for the RTL and HLS.
//
// Invariants:
//  - every record is little-endian; a descriptor is exactly DESC_BYTES bytes with the fields
//    of DESC_FIELDS at their byte offsets and bit positions; unused fields are 0;
//  - every address is a byte offset from the bundle base (the engine's BASE register);
//    descriptor 0 (offset 0) is the HEADER; jobs follow until one with FLAG.LAST;
//  - activations are NCHW16c planes: element (c, y, x) of a tensor at A lives at
//    A + (c / PI)·cgStride + y·rowStride + x·2·PI + 2·(c % PI); padded channels hold 0;
//  - addresses of planes, weight blocks and descriptors are multiples of 32 (one entry).
export const FORMAT_NAME = 'cnna-bundle';
/** First 8 bytes of the single-file bundle archive (`bundle.cnnab`, compiler/backend/bundle-archive.ts). */
export const ARCHIVE_MAGIC = 'CNNAB1\0\0';
export const FORMAT_VERSION = 1;
export const DESC_BYTES = 64;
/** 'CNNA' read as a little-endian u32. */
export const HEADER_MAGIC = 0x414e4e43;
export const ADDR_ALIGN = 64;
export const MAX_SHIFT = 63;

export const Opcode = { JOB: 1, HEADER: 15 } as const;
export const Act = { NONE: 0, RELU: 1, LEAKY: 2, CLIP: 3 } as const;
export const PoolKind = { NONE: 0, MAX: 1, AVG: 2 } as const;
export const Flag = {
  /** The input tile equals the previous job's (same inAddr, strides, dims, no write in between): the engine may skip its load. */
  REUSE_INPUT: 1 << 0,
  /** Wait until every earlier job's output writes have completed before loading this job's input. */
  SYNC: 1 << 1,
  /** The last job: raise done (and the interrupt) after it. */
  LAST: 1 << 2,
  /**
   * The weight block (wAddr, kh, kw, cg) equals the previous job's: the engine keeps that block and skips
   * loading it, unless this or the previous job is streamed (see isStreamed), where it loads it anyway.
   */
  REUSE_WEIGHTS: 1 << 3,
  /**
   * Run the job as exact-integer Winograd F(2x2, 3x3) (docs/numerics.md): kh = kw = 3, stride 1, dilation 1,
   * cg·PI <= WINO_MAX_LANES; the weight block holds WINO_WORDS_PER_GROUP transformed words per channel group.
   * Only an engine whose config has array.winograd runs it.
   */
  WINOGRAD: 1 << 4,
  /**
   * A batched FC job: its rows are images (row n of the input tile is image n's vector, row n of the output
   * its result). Shape: kh = kw = 1, win = wc = wp = 1, hin = hc = hp in 1..MAX_BATCH, strides and
   * dilations 1, no pads, poolKind NONE. The engine streams the weights (any cg; the weight bank does not
   * bound it) and applies each word to every row before the next, so a weight word crosses DDR once for
   * all the images. The result is the one the pseudo-code gives (a 1x1 conv over hc rows).
   */
  BATCH: 1 << 5,
  /** BATCH only: the sums start from the sums the previous job held (ACC_OUT) instead of the bias. */
  ACC_IN: 1 << 6,
  /** BATCH only: the sums are held for the next job (which must carry ACC_IN); nothing is written. */
  ACC_OUT: 1 << 7,
} as const;

/** Words per input channel group of a Winograd weight block: 4 runs of (one word of high nibbles, 4 low halves). */
export const WINO_WORDS_PER_GROUP = 20;
/** Most reduced lanes (cg·PI) of a Winograd job: 4·9·cg·PI·2^30 < 2^47 (docs/numerics.md). */
export const WINO_MAX_LANES = 3640;

/** Most images (rows) of one BATCH job: the engine keeps this many sums per output lane. */
export const MAX_BATCH = 8;
/** Most images one batch bundle runs per start (FC layers take them MAX_BATCH at a time). */
export const MAX_BUNDLE_BATCH = 64;

/** Status codes the engine reports (the STATUS register): defined with the register map. */
export { EngineStatus as EngineError } from './register-map.ts';

export type DescField =
  | 'opcode' | 'flags' | 'layer' | 'inAddr' | 'wAddr' | 'outAddr' | 'inCgStride' | 'outCgStride'
  | 'inRowStride' | 'outRowStride' | 'hin' | 'win' | 'cg' | 'hc' | 'wc' | 'hp' | 'wp'
  | 'kh' | 'kw' | 'strideH' | 'strideW' | 'dilH' | 'dilW' | 'padT' | 'padL'
  | 'poolKind' | 'outGroups' | 'poolKh' | 'poolKw' | 'poolStrideH' | 'poolStrideW' | 'poolPadT' | 'poolPadL'
  | 'act' | 'avgShift' | 'actA' | 'actB' | 'avgM';

export interface FieldDef {
  name: DescField;
  /** Byte offset of the containing byte/half/word. */
  offset: number;
  /** Bit position inside the little-endian value that starts at `offset`, and width in bits. */
  lsb: number;
  bits: number;
  signed: boolean;
  doc: string;
}

const f = (name: DescField, offset: number, bits: number, doc: string, lsb = 0, signed = false): FieldDef =>
  ({ name, offset, lsb, bits, signed, doc });

/** The JOB descriptor. Byte offsets refer to the 64-byte record; multi-byte fields are little-endian. */
export const DESC_FIELDS: FieldDef[] = [
  f('opcode', 0, 8, 'JOB = 1 (HEADER = 15 only in record 0)'),
  f('flags', 1, 8, 'bit0 REUSE_INPUT, bit1 SYNC, bit2 LAST, bit3 REUSE_WEIGHTS, bit4 WINOGRAD, bit5 BATCH, bit6 ACC_IN, bit7 ACC_OUT'),
  f('layer', 2, 16, 'index into manifest.layers (per-layer counters)'),
  f('inAddr', 4, 32, 'input tile origin: entry (group 0, row 0, column 0) of this job'),
  f('wAddr', 8, 32, 'weight block: bias[PO] int64, shift[PO] u8, zero pad to 32 B, then Kh*Kw*CG words (WINOGRAD: 20*CG)'),
  f('outAddr', 12, 32, 'output origin: entry (lane group 0, pooled row 0, pooled column 0) of this job'),
  f('inCgStride', 16, 32, 'bytes between consecutive input channel groups'),
  f('outCgStride', 20, 32, 'bytes between consecutive output lane groups (PO > PI only)'),
  f('inRowStride', 24, 16, 'bytes between input rows'),
  f('outRowStride', 26, 16, 'bytes between output rows'),
  f('hin', 28, 16, 'input rows of the tile; rows outside [0, hin) read as 0 (padding)'),
  f('win', 30, 16, 'input columns of the tile; columns outside [0, win) read as 0'),
  f('cg', 32, 16, 'input channel groups reduced over'),
  f('hc', 34, 16, 'conv output rows of the job region (pool candidates must lie in [0, hc))'),
  f('wc', 36, 16, 'conv output columns of the job region'),
  f('hp', 38, 16, 'output rows written'),
  f('wp', 40, 16, 'output columns written'),
  f('kh', 42, 8, 'kernel rows'),
  f('kw', 43, 8, 'kernel columns'),
  f('strideH', 44, 4, 'conv stride rows (1..15)'),
  f('strideW', 44, 4, 'conv stride columns (1..15)', 4),
  f('dilH', 45, 4, 'conv dilation rows (1..15)'),
  f('dilW', 45, 4, 'conv dilation columns (1..15)', 4),
  f('padT', 46, 8, 'conv pad top (job-local)'),
  f('padL', 47, 8, 'conv pad left (job-local)'),
  f('poolKind', 48, 4, 'NONE 0, MAX 1, AVG 2 (NONE behaves as a 1x1 window, stride 1, no pad)'),
  f('outGroups', 48, 4, 'lane groups of PI written (1..PO/PI)', 4),
  f('poolKh', 49, 8, 'pool window rows'),
  f('poolKw', 50, 8, 'pool window columns'),
  f('poolStrideH', 51, 4, 'pool stride rows (1..15)'),
  f('poolStrideW', 51, 4, 'pool stride columns (1..15)', 4),
  f('poolPadT', 52, 8, 'pool pad top (job-local)'),
  f('poolPadL', 53, 8, 'pool pad left (job-local)'),
  f('act', 54, 8, 'NONE 0, RELU 1, LEAKY 2, CLIP 3'),
  f('avgShift', 55, 8, 'AVG: total shift 16 + c_n'),
  f('actA', 56, 16, 'LEAKY: a_q = quant(alpha, 15); CLIP: lo', 0, true),
  f('actB', 58, 16, 'CLIP: hi', 0, true),
  f('avgM', 60, 32, 'AVG: multiplier M_n (17 bits, unsigned)'),
];

export type Descriptor = Record<DescField, number>;

export interface Header { version: number; count: number; ddrBytes: number; configHash: string }

/** HEADER record (descriptor 0): byte offset and width of each field; encodeHeader, the generated packages and the docs read it. */
export const HEADER_FIELDS: { name: string; offset: number; bits: number; doc: string }[] = [
  { name: 'opcode', offset: 0, bits: 8, doc: '15' },
  { name: 'version', offset: 2, bits: 16, doc: 'FORMAT_VERSION' },
  { name: 'magic', offset: 4, bits: 32, doc: "0x414E4E43 ('CNNA')" },
  { name: 'count', offset: 8, bits: 32, doc: 'JOB descriptors after the header' },
  { name: 'ddrBytes', offset: 12, bits: 32, doc: 'bytes of DDR the bundle uses from BASE' },
  { name: 'hashLo', offset: 16, bits: 32, doc: 'config hash (16 hex digits read as a u64), low 32 bits' },
  { name: 'hashHi', offset: 20, bits: 32, doc: 'config hash, high 32 bits' },
];

/** A streamed job (one conv pixel: hc = wc = hp = wp = 1, or a BATCH job; never a WINOGRAD job) consumes its weight words as they arrive. */
export function isStreamed(d: Pick<Descriptor, 'hc' | 'wc' | 'hp' | 'wp'> & { flags?: number }): boolean {
  if ((d.flags ?? 0) & Flag.WINOGRAD) return false;  // its tiles read the block again and again
  return (d.hc === 1 && d.wc === 1 && d.hp === 1 && d.wp === 1) || !!((d.flags ?? 0) & Flag.BATCH);
}

/**
 * Why a job's BATCH / ACC_IN / ACC_OUT flags are not allowed (docs/bundle-format.md "Batch"), or null.
 * `prev` is the job before it in the program (ACC_IN needs an ACC_OUT job of the same shape just before).
 */
export function batchFlagError(d: Descriptor, prev: Descriptor | null): string | null {
  const batch = !!(d.flags & Flag.BATCH);
  if (!batch) {
    if (d.flags & (Flag.ACC_IN | Flag.ACC_OUT)) return 'has ACC_IN or ACC_OUT without BATCH';
    if (prev && prev.flags & Flag.ACC_OUT) return 'follows an ACC_OUT job but has no ACC_IN (the held sums would be lost)';
    return null;
  }
  if (d.kh !== 1 || d.kw !== 1 || d.win !== 1 || d.wc !== 1 || d.wp !== 1 || d.hin !== d.hc || d.hp !== d.hc || d.hc < 1 || d.hc > MAX_BATCH
    || d.strideH !== 1 || d.strideW !== 1 || d.dilH !== 1 || d.dilW !== 1 || d.padT !== 0 || d.padL !== 0 || d.poolKind !== PoolKind.NONE) {
    return `is a BATCH job but not of the batch shape (kh = kw = win = wc = wp = 1, hin = hc = hp in 1..${MAX_BATCH}, stride and dilation 1, no pad, no pool): kh ${d.kh}, kw ${d.kw}, hin ${d.hin}, win ${d.win}, hc ${d.hc}, wc ${d.wc}, hp ${d.hp}, wp ${d.wp}, pool ${d.poolKind}`;
  }
  const heldBefore = !!(prev && prev.flags & Flag.ACC_OUT);
  if (d.flags & Flag.ACC_IN) {
    if (!heldBefore) return 'has ACC_IN but the job before it did not hold its sums (ACC_OUT)';
    if (prev!.hc !== d.hc) return `has ACC_IN over ${d.hc} rows but the held sums are of ${prev!.hc} rows`;
  } else if (heldBefore) {
    return 'follows an ACC_OUT job but has no ACC_IN (the held sums would be lost)';
  }
  return null;
}

/** The engine keeps the previous job's weight block for this job (REUSE_WEIGHTS, neither job streamed). */
export function reusesWeights(d: Descriptor, prev: Descriptor | null): boolean {
  return !!(d.flags & Flag.REUSE_WEIGHTS) && prev !== null && !isStreamed(d) && !isStreamed(prev);
}

function containerBytes(fd: FieldDef): number {
  return fd.lsb + fd.bits <= 8 ? 1 : fd.lsb + fd.bits <= 16 ? 2 : 4;
}

// The descriptor codec is generated from DESC_FIELDS once at load (straight-line code with one fixed
// object shape instead of a loop over field names): compiling VGG16 writes and reads thousands of
// descriptors per config, and a design-space sweep does that for every config.
const fieldList = DESC_FIELDS.map((fd) => fd.name).join(', ');
const getter = (n: number, o: string): string => (n === 1 ? `v.getUint8(${o})` : n === 2 ? `v.getUint16(${o}, true)` : `v.getUint32(${o}, true)`);

const emptyDescriptorImpl = new Function(`return { ${DESC_FIELDS.map((fd) => `${fd.name}: ${fd.name === 'opcode' ? Opcode.JOB : 0}`).join(', ')} };`) as () => Descriptor;

const encodeDescriptorImpl = new Function('d', 'out', 'at', [
  'new Uint8Array(out.buffer, out.byteOffset + at, ' + DESC_BYTES + ').fill(0);',
  'let v = 0;',
  ...DESC_FIELDS.map((fd) => {
    const lo = fd.signed ? -(2 ** (fd.bits - 1)) : 0;
    const hi = fd.signed ? 2 ** (fd.bits - 1) - 1 : 2 ** fd.bits - 1;
    const n = containerBytes(fd);
    const o = `at + ${fd.offset}`;
    const raw = `(${fd.signed ? `(v < 0 ? v + ${2 ** fd.bits} : v)` : 'v'} * ${2 ** fd.lsb})`;
    const put = n === 1 ? `out.setUint8(${o}, out.getUint8(${o}) | ${raw});`
      : n === 2 ? `out.setUint16(${o}, out.getUint16(${o}, true) | ${raw}, true);`
        : `out.setUint32(${o}, (out.getUint32(${o}, true) + ${raw}) >>> 0, true);`;
    return `v = d.${fd.name}; if (!Number.isInteger(v) || v < ${lo} || v > ${hi}) throw new RangeError('descriptor field ${fd.name} = ' + v + ' does not fit ${fd.signed ? 'signed' : 'unsigned'} ${fd.bits} bits'); ${put}`;
  }),
].join('\n')) as (d: Descriptor, out: DataView, at: number) => void;

const decodeDescriptorImpl = new Function('v', 'at', [
  ...DESC_FIELDS.map((fd) => {
    // Integer shifts and masks (a field never crosses its 32-bit container); a whole 32-bit field as read.
    const raw = getter(containerBytes(fd), `at + ${fd.offset}`);
    const x = fd.bits >= 32 ? raw : `((${raw} >>> ${fd.lsb}) & ${2 ** fd.bits - 1})`;
    // Signed fields: two's complement, inline (a closure per field and call made the sweep's decode slow).
    return fd.signed ? `const ${fd.name}_u = ${x}; const ${fd.name} = ${fd.name}_u >= ${2 ** (fd.bits - 1)} ? ${fd.name}_u - ${2 ** fd.bits} : ${fd.name}_u;` : `const ${fd.name} = ${x};`;
  }),
  `return { ${fieldList} };`,
].join('\n')) as (v: DataView, at: number) => Descriptor;

export function emptyDescriptor(): Descriptor {
  return emptyDescriptorImpl();
}

export function encodeDescriptor(d: Descriptor, out: DataView, at: number): void {
  encodeDescriptorImpl(d, out, at);
}

export function decodeDescriptor(v: DataView, at: number): Descriptor {
  return decodeDescriptorImpl(v, at);
}

const hdr = (name: string): number => HEADER_FIELDS.find((h) => h.name === name)!.offset;

export function encodeHeader(h: Header, out: DataView, at = 0): void {
  for (let i = 0; i < DESC_BYTES; i++) out.setUint8(at + i, 0);
  out.setUint8(at + hdr('opcode'), Opcode.HEADER);
  out.setUint16(at + hdr('version'), h.version, true);
  out.setUint32(at + hdr('magic'), HEADER_MAGIC, true);
  out.setUint32(at + hdr('count'), h.count, true);
  out.setUint32(at + hdr('ddrBytes'), h.ddrBytes, true);
  const big = BigInt(`0x${h.configHash}`);
  out.setUint32(at + hdr('hashLo'), Number(big & 0xffffffffn), true);
  out.setUint32(at + hdr('hashHi'), Number(big >> 32n), true);
}

export function decodeHeader(v: DataView, at = 0): Header & { magic: number; opcode: number } {
  const lo = BigInt(v.getUint32(at + hdr('hashLo'), true));
  const hi = BigInt(v.getUint32(at + hdr('hashHi'), true));
  return {
    opcode: v.getUint8(at + hdr('opcode')),
    version: v.getUint16(at + hdr('version'), true),
    magic: v.getUint32(at + hdr('magic'), true),
    count: v.getUint32(at + hdr('count'), true),
    ddrBytes: v.getUint32(at + hdr('ddrBytes'), true),
    configHash: ((hi << 32n) | lo).toString(16).padStart(16, '0'),
  };
}

/** Bytes of a weight block's bias + shift header: PO·8 + PO, rounded up to 32. */
export function weightHeaderBytes(po: number): number {
  return Math.ceil((po * 9) / 32) * 32;
}

/**
 * Why a WINOGRAD job cannot run (docs/bundle-format.md "Winograd jobs"), or null: it must be 3x3, stride 1,
 * dilation 1 and reduce over at most WINO_MAX_LANES lanes (cg·PI). Every executor refuses such a job with
 * E_BUNDLE (the RTL itself does not check the shape and would compute something else). `what` names the job.
 */
export function winogradJobError(d: Descriptor, pi: number, what: string): string | null {
  if (!(d.flags & Flag.WINOGRAD)) return null;
  if (d.kh !== 3 || d.kw !== 3 || d.strideH !== 1 || d.strideW !== 1 || d.dilH !== 1 || d.dilW !== 1) {
    return `${what}: a WINOGRAD job must be 3x3, stride 1, dilation 1 (it is ${d.kh}x${d.kw}, stride ${d.strideH}x${d.strideW}, dilation ${d.dilH}x${d.dilW})`;
  }
  if (d.cg * pi > WINO_MAX_LANES) {
    return `${what}: a WINOGRAD job reduces over ${d.cg * pi} lanes (cg ${d.cg} x PI ${pi}), more than ${WINO_MAX_LANES} (the 48-bit bound of docs/numerics.md)`;
  }
  return null;
}

/** Bytes of a whole weight block. */
export function weightBlockBytes(pi: number, po: number, kh: number, kw: number, cg: number): number {
  return weightHeaderBytes(po) + kh * kw * cg * pi * po * 2;
}

/** Words (PO x PI int16) of a job's weight block after its header: kh·kw·cg, or 20·cg for a Winograd job. */
export function jobWeightWords(d: Pick<Descriptor, 'flags' | 'kh' | 'kw' | 'cg'>): number {
  return d.flags & Flag.WINOGRAD ? WINO_WORDS_PER_GROUP * d.cg : d.kh * d.kw * d.cg;
}

/** Bytes of a job's whole weight block (header and words). */
export function jobWeightBlockBytes(pi: number, po: number, d: Pick<Descriptor, 'flags' | 'kh' | 'kw' | 'cg'>): number {
  return weightHeaderBytes(po) + jobWeightWords(d) * pi * po * 2;
}

/**
 * Winograd weight block layout: word index (after the header, in words) and how a transformed weight U
 * (20-bit signed) of position t (0..15, row-major 4x4) and channel group g is split. Per group, 20 words in
 * four runs j = 0..3 of five words: first the high word of positions 4j..4j+3, then their four low words.
 * A low word holds bits 15:0 of U (the int16 with that bit pattern) of element m·PI + ci; the high word
 * holds bits 19:16 of U at bits 4·(t & 3) + 3 .. 4·(t & 3) of the same element. U = sext20(nibble << 16 | low).
 * The high word comes first so that an engine can merge each low word with its nibble as the words stream in.
 */
export function winoLowWord(g: number, t: number): number {
  return g * WINO_WORDS_PER_GROUP + 5 * (t >> 2) + 1 + (t & 3);
}
export function winoHighWord(g: number, t: number): number {
  return g * WINO_WORDS_PER_GROUP + 5 * (t >> 2);
}
/** Bit position of position t's nibble inside its high word's element. */
export function winoHighShift(t: number): number {
  return 4 * (t & 3);
}
/**
 * Write the 16 transformed weights u (20-bit signed, position order) of one element (lane = m·PI + ci) and
 * channel group g into a Winograd block's words (Int16Array after the header, zeroed; `word` = PI·PO).
 */
export function winoPackInto(words: Int16Array, word: number, g: number, lane: number, u: ArrayLike<number>): void {
  for (let t = 0; t < 16; t++) {
    const v = u[t];
    if (!Number.isInteger(v) || v < -(2 ** 19) || v >= 2 ** 19) throw new RangeError(`Winograd weight ${v} does not fit 20 bits`);
    words[winoLowWord(g, t) * word + lane] = v; // Int16Array keeps bits 15:0
    const hi = winoHighWord(g, t) * word + lane;
    words[hi] = words[hi] | (((v >> 16) & 0xf) << winoHighShift(t));
  }
}

/** U from its low int16 and its high word's int16 element. */
export function winoUnpack(low: number, high: number, t: number): number {
  const nib = ((high & 0xffff) >> winoHighShift(t)) & 0xf;
  return (nib >= 8 ? nib - 16 : nib) * 65536 + (low & 0xffff);
}

/** Layout of an activation tensor in DDR (NCHW16c planes). */
export interface ActLayout {
  /** Byte offset from the bundle base (of image 0 in a batch bundle). */
  offset: number;
  /** Batch bundles (manifest.batch > 1): bytes from image n's tensor to image n + 1's. */
  imageStride?: number;
  /** Real channels, rows, columns. */
  c: number;
  h: number;
  w: number;
  /** Channel groups (c padded up to cg·PI). */
  cg: number;
  cgStride: number;
  rowStride: number;
}

export interface TensorIo {
  name: string;
  /** ONNX shape, batch included (batch 1). */
  shape: number[];
  /** Fractional bits of the int16 data. */
  f: number;
  layout: ActLayout;
  /**
   * How the ONNX tensor's elements map onto (c, y, x): 'nchw' for 4-D tensors; 'vector' for
   * [N, F] held as c = F, h = w = 1; 'chw-flat' for [N, C·H·W] flattened from a C×H×W tensor.
   */
  order: 'nchw' | 'vector' | 'chw-flat';
  /** Host steps after the engine, in float32 on the dequantized output. */
  hostTail?: { op: 'softmax'; axis: number; coerce2d: boolean; output: string }[];
}

/** A tensor a host op reads or writes: its name, ONNX shape (batch 1) and fractional bits. */
export interface HostTensor { name: string; shape: number[]; f: number }

/**
 * An op that runs beside the engine, on int16 tensors in ONNX element order (docs/numerics.md
 * "Host ops" is the bit-exact rule):
 *  - lut: out[k] = table[x[k] + 32768], `table` is 65536 int16 in weights.bin at `table.offset`
 *    (bytes from the start of the params region); `fn` names the function it tabulates;
 *  - softmax: float64 softmax of x·2^-f_in along `axis` (rank-2 coerced when `coerce2d`), rounded
 *    to float32, quantized to the output's f;
 *  - reshape: the same int16 values under another name and shape (a Flatten / Reshape between host ops);
 *  - mul, div: of `input` and `input2` (same shape), elementwise;
 *  - exit: an early exit on the graph output `input` (no data change): a runtime given a threshold T stops
 *    here when the largest softmax probability of `input` (the host tail rule) is at least T.
 */
export type HostOp =
  | { op: 'lut'; fn: string; node: string; input: HostTensor; output: HostTensor; table: { offset: number; entries: number } }
  | { op: 'softmax'; node: string; axis: number; coerce2d: boolean; input: HostTensor; output: HostTensor }
  | { op: 'reshape'; node: string; input: HostTensor; output: HostTensor }
  | { op: 'mul' | 'div'; node: string; input: HostTensor; input2: HostTensor; output: HostTensor }
  | { op: 'exit'; node: string; input: HostTensor; output: HostTensor };

/**
 * An exit threshold T in [0, 1] on the board protocol: the integer T · EXIT_THRESHOLD_SCALE (INFER's
 * `exitThresholdPpm`, docs/protocol.md 4.4; protocol bodies hold integers only). The agent compares
 * the exit's confidence with exitThresholdPpm / EXIT_THRESHOLD_SCALE.
 */
export const EXIT_THRESHOLD_SCALE = 1_000_000;

/**
 * Images on the board protocol (docs/protocol.md 4.4): an INFER carries `images` (default 1) copies of
 * the inputs, image-major, and the active bundle runs exactly `manifest.batch` images per start (the
 * bundle format has no padding images). The BAD_INPUT messages both agents send for another count, as
 * templates with {model}, {batch} and {images} (the Python agent fills them with str.format).
 */
export const INFER_IMAGES_BATCH1 = "INFER: bundle '{model}' runs 1 image per start (compiled without --batch), the request carries {images} images; compile it with --batch {images} and deploy that to run them in one start, or send one image per INFER";
export const INFER_IMAGES_BATCHN = "INFER: bundle '{model}' runs {batch} images per start (compiled with --batch {batch}), the request carries {images}; send exactly {batch} images per INFER (a batch bundle has no padding images)";

/** The refusal of an INFER carrying `images` images on a bundle that runs `batch` per start, or null when they agree. */
export function inferImagesError(model: string, batch: number, images: number): string | null {
  if (images === batch) return null;
  const fill: Record<string, string> = { model, batch: String(batch), images: String(images) };
  return (batch === 1 ? INFER_IMAGES_BATCH1 : INFER_IMAGES_BATCHN).replace(/\{(model|batch|images)\}/g, (_, k: string) => fill[k]);
}

/**
 * One step of a partitioned program. An engine segment is a program of its own inside
 * descriptors.bin: a HEADER record at descriptor index `header` followed by its `count` jobs, every
 * address relative to that HEADER's byte offset (64·header), so the engine runs it with
 * BASE = bundle base + 64·header. It reads `inputs` and writes `outputs` (layouts absolute, from the
 * bundle base); its layers are manifest.layers[layers[0] .. layers[1]] (its jobs' `layer` field counts
 * from layers[0]).
 */
export type Segment =
  | { kind: 'engine'; header: number; count: number; layers: [number, number]; inputs: TensorIo[]; outputs: TensorIo[] }
  | { kind: 'host'; ops: HostOp[] };

export interface ManifestLayer {
  name: string;
  op: string;
  /** Descriptor indices [first, last] (1-based; 0 is the header). */
  jobs: [number, number];
  macs: number;
  /** Least DDR traffic of the layer: its input and output tensors once, every weight block once. */
  minDdrBytes?: number;
  /** The layer runs as Winograd jobs (Flag.WINOGRAD). */
  winograd?: boolean;
  /** Multiplies of a Winograd layer: 16 per 2x2 output tile per (input, output) channel pair (macs counts the direct ones). */
  mults?: number;
}

export interface MemoryRegion { name: string; offset: number; size: number; file?: string }

export interface Manifest {
  format: typeof FORMAT_NAME;
  version: number;
  model: string;
  configHash: string;
  hwConfig: unknown;
  memoryMap: { ddrBytes: number; regions: MemoryRegion[] };
  descriptors: { file: string; offset: number; count: number };
  params: { file: string; offset: number; size: number };
  inputs: TensorIo[];
  outputs: TensorIo[];
  layers: ManifestLayer[];
  /**
   * Present when the graph has ops the engine cannot run: engine and host segments in execution
   * order (graph inputs and outputs above are the whole model's). Absent: one engine program, the
   * HEADER at descriptor 0.
   */
  segments?: Segment[];
  /**
   * Images one start runs (default 1). Image n's copy of every input and output is at
   * `layout.offset + n·layout.imageStride`; `inputs` and `outputs` describe one image.
   */
  batch?: number;
  /** sha256 (hex) of every other file of the bundle. */
  files: Record<string, string>;
}

/** Images a bundle runs per start (manifest.batch, default 1). */
export function bundleBatch(m: Pick<Manifest, 'batch'>): number {
  return m.batch ?? 1;
}

/** Image n's copy of a batch bundle's input or output (image 0: the tensor itself). */
export function imageIo(io: TensorIo, n: number): TensorIo {
  if (n === 0) return io;
  return { ...io, layout: { ...io.layout, offset: io.layout.offset + n * (io.layout.imageStride ?? 0) } };
}

/** A bundle in memory: the manifest and the bytes of the files it names. */
export interface Bundle {
  manifest: Manifest;
  descriptors: Uint8Array;
  weights: Uint8Array;
}
