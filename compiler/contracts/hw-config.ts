// The hardware config: the engine's template parameters, one schema-checked object. It is the
// single source for the compiler's tiling, the RTL package (gen-sv-package.ts), the HLS header
// (gen-hls-header.ts), the performance model and the board fit check.
//
// Invariants:
//  - pi (input-channel lanes) is a power of two >= 8, so one pixel's channel group is a whole
//    number of 16-byte AXI beats; po (output-channel lanes) is a multiple of pi;
//  - buffer depths are per BANK; the input and weight buffers have two banks each (double
//    buffering), and one job's input tile / weight block must fit one bank. An input entry is
//    one channel group (pi int16); a weight word is one po x pi block (po·pi int16);
//  - configHash() is a stable function of the canonical JSON (sorted keys) of the validated config.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { CnnaError } from '../errors/cnna-error.ts';

const pow2 = (n: number): boolean => Number.isInteger(n) && n > 0 && (n & (n - 1)) === 0;

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
    pi: z.number().int().refine(pow2, 'must be a power of two').refine((v) => v >= 8 && v <= 64, 'must be in [8, 64]'),
    /** Output-channel lanes. */
    po: z.number().int().min(1).max(128),
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
    ports: z.number().int().min(1).max(4),
    /** Maximum burst length in beats. */
    burstBeats: z.number().int().refine(pow2, 'must be a power of two').refine((v) => v <= 256, 'must be <= 256'),
  }).strict(),
}).strict().superRefine((c, ctx) => {
  if (c.array.po % c.array.pi !== 0) {
    ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['array', 'po'], message: `must be a multiple of array.pi (${c.array.pi})` });
  }
});

export type HwConfig = z.infer<typeof hwConfigSchema>;

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
