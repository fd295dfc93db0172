// The hardware config: the engine's template parameters, one schema-checked object. It is the
// single source for the compiler's tiling, the RTL package (gen-sv-package.ts), the HLS header
// (gen-hls-header.ts), the performance model and the board fit check.
//
// The template range (every executor, the RTL included, builds each accepted config correctly;
// anything else is refused here with E_CONFIG naming the field and the reason):
//  - array.pi (input-channel lanes) in {8, 16, 32, 64}; array.po (output-channel lanes) any multiple
//    of pi up to 128 and at most 15 lane groups (po / pi; the descriptor's outGroups field is 4 bits,
//    so pi 8 stops at po 120);
//  - axi.dataBits 64, 128 or 256 and no wider than one input entry (pi int16): an entry, a weight
//    word and an output lane group are whole bus beats;
//  - axi.ports 1 or 2; axi.burstBeats any integer 1..256;
//  - buffer depths any integer in range (not only powers of two); depths are per BANK: the input
//    and weight buffers have two banks each (double buffering), and one job's input tile / weight
//    block must fit one bank. An input entry is one channel group (pi int16); a weight word is one
//    po x pi block (po·pi int16);
//  - configHash() is a stable function of the canonical JSON (sorted keys) of the validated config.
// rtl/cnna_top.sv repeats the structural rules as elaboration checks ($error in a generate block).
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { CnnaError } from '../errors/cnna-error.ts';

/** The input-lane counts the engine is built for. */
export const PI_VALUES = [8, 16, 32, 64] as const;
/** Largest output-lane count. */
export const PO_MAX = 128;
/**
 * Largest MAC array (pi x po multiplies): the most DSP slices of any board in boards/ (ZCU104:
 * 1,728). A bigger array fits no board, and the template is only built and tested up to it, so it
 * is refused rather than accepted untested (boards/boards.test.ts checks the figure).
 */
export const MAX_ARRAY_MACS = 1728;
/** Most lane groups (po / pi) per output vector: the descriptor's 4-bit outGroups field. */
export const MAX_LANE_GROUPS = 15;
/** Least read-FIFO depth of an AXI read master, in bus beats (see axiReadFifoBeats). */
export const AXI_READ_FIFO_MIN_BEATS = 64;

/**
 * Words (PO x PI int16) of the RTL's weight ring: 2·weightBankWords rounded up to a power of two (double
 * buffering: a job's block and the next one's).
 */
export function weightRingWords(c: HwConfig): number {
  return 2 ** Math.ceil(Math.log2(Math.max(1, 2 * c.buffers.weightBankWords)));
}

/**
 * Largest weight block (words after its header) of a non-streamed job: weightBankWords for a direct job;
 * a WINOGRAD job's block (20 words per channel group) may fill the whole weight ring (weightRingWords), so
 * that 512-channel 3x3 layers (cg 32, 640 words) run as Winograd jobs on a 320-word bank: the next job's
 * words wait for ring room instead of arriving during the job.
 */
export function maxBlockWords(c: HwConfig, winograd: boolean): number {
  return winograd ? weightRingWords(c) : c.buffers.weightBankWords;
}

/**
 * Depth in bus beats of each AXI read master's FIFO (the RTL's cnna_pkg::AXI_RD_FIFO). The master only
 * issues a burst the FIFO has room for, so this bounds the beats in flight: four bursts, and at least
 * AXI_READ_FIFO_MIN_BEATS so that short bursts still cover a DDR latency of ~40-60 cycles at one beat per
 * cycle (with 4 x burstBeats alone, 1-beat bursts kept 4 beats in flight: 0.09 beats per cycle).
 */
export function axiReadFifoBeats(c: Pick<HwConfig, 'axi'>): number {
  return Math.max(4 * c.axi.burstBeats, AXI_READ_FIFO_MIN_BEATS);
}

export const hwConfigSchema = z.object({
  /** Config schema version. */
  version: z.literal(1),
  board: z.object({
    name: z.string().min(1),
    part: z.string().min(1),
  }).strict(),
  clockMhz: z.number().positive().max(1000),
  array: z.object({
    /** Input-channel lanes (MACs per output lane per cycle). */
    pi: z.number().int().refine((v) => (PI_VALUES as readonly number[]).includes(v), `must be one of ${PI_VALUES.join(', ')}`),
    /** Output-channel lanes: a multiple of pi (po / pi lane groups of one output vector). */
    po: z.number().int().min(1).max(PO_MAX),
    /**
     * The engine runs Winograd jobs (Flag.WINOGRAD: exact-integer F(2x2, 3x3), docs/numerics.md). Absent or
     * false: the compiler emits direct jobs only (the config hash of a config without it is unchanged).
     */
    winograd: z.boolean().optional(),
  }).strict(),
  dataBits: z.literal(16),
  accBits: z.literal(48),
  buffers: z.object({
    /** Input bank depth in entries of pi int16 (there are two banks). */
    inputBankEntries: z.number().int().min(16).max(1 << 20),
    /** Weight bank depth in words of po x pi int16 (there are two banks; FC jobs stream instead). */
    weightBankWords: z.number().int().min(1).max(1 << 16),
    /** Output FIFO depth in entries of pi int16. */
    outputFifoEntries: z.number().int().min(16).max(1 << 20),
  }).strict(),
  axi: z.object({
    dataBits: z.union([z.literal(64), z.literal(128), z.literal(256)]),
    /** AXI4 master ports the engine drives (2: port 1 reads the weights, port 0 everything else; 1: port 0 carries all). */
    ports: z.number().int().min(1).max(2),
    /** Maximum burst length in beats (any integer; AXI4 INCR allows 256). */
    burstBeats: z.number().int().min(1).max(256),
  }).strict(),
}).strict().superRefine((c, ctx) => {
  if (c.array.po % c.array.pi !== 0) {
    ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['array', 'po'], message: `must be a multiple of array.pi (${c.array.pi})` });
  } else if (c.array.po / c.array.pi > MAX_LANE_GROUPS) {
    ctx.addIssue({
      code: z.ZodIssueCode.custom, path: ['array', 'po'],
      message: `${c.array.po} is ${c.array.po / c.array.pi} lane groups of array.pi ${c.array.pi}; a JOB descriptor's outGroups field (4 bits) holds at most ${MAX_LANE_GROUPS}, so use array.po <= ${MAX_LANE_GROUPS * c.array.pi}`,
    });
  }
  if (c.array.pi * c.array.po > MAX_ARRAY_MACS) {
    ctx.addIssue({
      code: z.ZodIssueCode.custom, path: ['array', 'po'],
      message: `array.pi x array.po = ${c.array.pi * c.array.po} multiplies; no board in the boards database has more than ${MAX_ARRAY_MACS} DSP slices (ZCU104), so the template stops there: use array.pi x array.po <= ${MAX_ARRAY_MACS}`,
    });
  }
  const entryBits = c.array.pi * c.dataBits;
  if ((PI_VALUES as readonly number[]).includes(c.array.pi) && c.axi.dataBits > entryBits) {
    ctx.addIssue({
      code: z.ZodIssueCode.custom, path: ['axi', 'dataBits'],
      message: `${c.axi.dataBits} is wider than one input entry (array.pi ${c.array.pi} x 16 = ${entryBits} bits); the engine moves whole entries per bus beat, so use axi.dataBits <= ${entryBits} or array.pi >= ${c.axi.dataBits / c.dataBits}`,
    });
  }
});

export type HwConfig = z.infer<typeof hwConfigSchema>;

/**
 * Refuse a config an engine cannot be built for: `engine` names it ('the RTL engine', 'the HLS engine') and
 * `winograd` says whether it runs Winograd jobs. Throws E_CONFIG naming the field.
 */
export function requireEngineSupport(c: HwConfig, engine: string, caps: { winograd: boolean }): void {
  if (c.array.winograd && !caps.winograd) {
    throw new CnnaError('E_CONFIG', `array.winograd is set, but ${engine} does not run Winograd jobs`, {
      hint: 'drop array.winograd from the config (the compiler then emits direct jobs only), or run the bundle on the engine model (--backend ref)',
    });
  }
}

/** Parse and check a config object; throws E_CONFIG naming every bad field. `source` names the file. */
export function validateConfig(raw: unknown, source = 'hardware config'): HwConfig {
  const r = hwConfigSchema.safeParse(raw);
  if (!r.success) {
    const lines = r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new CnnaError('E_CONFIG', `${source} is invalid: ${lines.join('; ')}`, {
      hint: 'see compiler/contracts/hw-config.ts for the schema, or start from boards/ultra96/config.json',
    });
  }
  return r.data;
}

function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o).sort().map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

/** 16 hex digits (the first 8 bytes of sha256 of the canonical JSON). The engine holds it as CONFIG_HASH. */
export function configHash(c: HwConfig): string {
  return createHash('sha256').update(canonical(c)).digest('hex').slice(0, 16);
}

/** Dotted paths whose values differ between two configs (for mismatch messages). */
export function configDiff(a: unknown, b: unknown, prefix = ''): string[] {
  if (a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
    const ka = a as Record<string, unknown>;
    const kb = b as Record<string, unknown>;
    const keys = [...new Set([...Object.keys(ka), ...Object.keys(kb)])].sort();
    return keys.flatMap((k) => configDiff(ka[k], kb[k], prefix ? `${prefix}.${k}` : k));
  }
  return canonical(a) === canonical(b) ? [] : [`${prefix} (${canonical(a)} vs ${canonical(b)})`];
}
