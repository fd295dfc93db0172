// The sweep's space file: a JSON object from dotted hardware-config paths to a list of values or a
// range {from, to, step}, plus "where": constraints over those paths ("array.po >= array.pi",
// "array.po % array.pi == 0"). Fields not named come from the board's default config. Expansion is
// the cartesian product in file order, filtered by the constraints, de-duplicated by config hash;
// each config is validated later (a config outside the template is listed as refused, not dropped).
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { CnnaError } from '../../compiler/errors/cnna-error.ts';

export const MAX_SPACE_CONFIGS = 100_000;

const rangeSchema = z.object({ from: z.number(), to: z.number(), step: z.number().positive() }).strict();
const valuesSchema = z.union([z.array(z.union([z.number(), z.string(), z.boolean()])).min(1), rangeSchema]);

export interface Space {
  /** Dotted path -> the values it takes, in file order. */
  axes: { path: string; values: (number | string | boolean)[] }[];
  where: { text: string; test: (c: Record<string, unknown>) => boolean }[];
  /** sha256 (16 hex) of the canonical space, so shards and merges can check they ran the same one. */
  hash: string;
  source: string;
}

/** Leaf paths of an object ("array.pi", "buffers.inputBankEntries", ...). */
export function leafPaths(o: unknown, prefix = ''): string[] {
  if (o && typeof o === 'object' && !Array.isArray(o)) {
    return Object.entries(o as Record<string, unknown>).flatMap(([k, v]) => leafPaths(v, prefix ? `${prefix}.${k}` : k));
  }
  return [prefix];
}

export function getPath(o: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((a, k) => (a && typeof a === 'object' ? (a as Record<string, unknown>)[k] : undefined), o);
}

export function setPath(o: Record<string, unknown>, path: string, v: unknown): void {
  const ks = path.split('.');
  let cur = o;
  for (const k of ks.slice(0, -1)) cur = cur[k] as Record<string, unknown>;
  cur[ks[ks.length - 1]] = v;
}

// Constraint expressions: comparisons of arithmetic over numbers and config paths.
type Tok = { t: 'num'; v: number } | { t: 'path'; v: string } | { t: 'op'; v: string };

function tokenize(s: string, where: string): Tok[] {
  const out: Tok[] = [];
  const re = /\s*(?:(\d+(?:\.\d+)?)|([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)|(>=|<=|==|!=|&&|\|\||[-+*/%<>()]))/y;
  let i = 0;
  while (i < s.length) {
    if (/^\s*$/.test(s.slice(i))) break;
    re.lastIndex = i;
    const m = re.exec(s);
    if (!m) throw new CnnaError('E_USAGE', `${where}: cannot read '${s.slice(i).trim()}'`, { hint: 'a constraint compares config paths and numbers: "array.po >= array.pi", "array.po % array.pi == 0"' });
    if (m[1] !== undefined) out.push({ t: 'num', v: Number(m[1]) });
    else if (m[2] !== undefined) out.push({ t: 'path', v: m[2] });
    else out.push({ t: 'op', v: m[3] });
    i = re.lastIndex;
  }
  return out;
}

type Expr = (c: Record<string, unknown>) => number;

function parseExpr(text: string, where: string, paths: Set<string>): (c: Record<string, unknown>) => boolean {
  const toks = tokenize(text, where);
  let p = 0;
  const peek = (): Tok | undefined => toks[p];
  const isOp = (v: string): boolean => peek()?.t === 'op' && peek()!.v === v;
  const fail = (msg: string): never => { throw new CnnaError('E_USAGE', `${where}: ${msg} in '${text}'`); };
  const atom = (): Expr => {
    const t = toks[p++];
    if (!t) return fail('unexpected end');
    if (t.t === 'num') { const v = t.v; return () => v; }
    if (t.t === 'path') {
      if (!paths.has(t.v)) fail(`unknown field '${t.v}'`);
      const path = t.v;
      return (c) => Number(getPath(c, path));
    }
    if (t.v === '(') { const e = orE(); if (!isOp(')')) fail("missing ')'"); p++; return e; }
    if (t.v === '-') { const e = atom(); return (c) => -e(c); }
    return fail(`unexpected '${t.v}'`);
  };
  const bin = (next: () => Expr, ops: string[], f: (op: string, a: number, b: number) => number) => (): Expr => {
    let l = next();
    while (peek()?.t === 'op' && ops.includes(String(peek()!.v))) {
      const op = String(toks[p++].v);
      const a = l;
      const b = next();
      l = (c) => f(op, a(c), b(c));
    }
    return l;
  };
  const mul = bin(atom, ['*', '/', '%'], (op, a, b) => (op === '*' ? a * b : op === '/' ? a / b : a % b));
  const add = bin(mul, ['+', '-'], (op, a, b) => (op === '+' ? a + b : a - b));
  const cmp = bin(add, ['>=', '<=', '>', '<', '==', '!='], (op, a, b) => Number(
    op === '>=' ? a >= b : op === '<=' ? a <= b : op === '>' ? a > b : op === '<' ? a < b : op === '==' ? a === b : a !== b));
  const andE = bin(cmp, ['&&'], (_op, a, b) => Number(Boolean(a) && Boolean(b)));
  const orE = bin(andE, ['||'], (_op, a, b) => Number(Boolean(a) || Boolean(b)));
  const e = orE();
  if (p !== toks.length) fail(`unexpected '${(toks[p] as { v: unknown }).v}'`);
  return (c) => Boolean(e(c));
}

/**
 * Optional config fields a space may name although a board's default config leaves them out, with their
 * value type (compiler/contracts/hw-config.ts). array.winograd false is the same engine as no field: the
 * expansion drops it, so such a config has the hash of one without it.
 */
export const OPTIONAL_FIELDS: Record<string, 'boolean'> = { 'array.winograd': 'boolean' };

/** Parse and schema-check a space object; `defaults` is the board's default config (its leaf paths are the fields). */
export function parseSpace(raw: unknown, defaults: object, source: string): Space {
  const known = [...new Set([...leafPaths(defaults), ...Object.keys(OPTIONAL_FIELDS)])].filter((k) => !['version', 'board.name', 'board.part'].includes(k));
  const knownSet = new Set(known);
  const hint = `fields: ${known.join(', ')}`;
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new CnnaError('E_USAGE', `${source}: a space is a JSON object from config paths to values`, { hint });
  const axes: Space['axes'] = [];
  const where: Space['where'] = [];
  for (const [key, v] of Object.entries(raw as Record<string, unknown>)) {
    if (key === 'where') {
      if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) throw new CnnaError('E_USAGE', `${source}: 'where' must be a list of constraint strings`);
      v.forEach((text: string, i) => where.push({ text, test: parseExpr(text, `${source}: where[${i}]`, knownSet) }));
      continue;
    }
    if (!knownSet.has(key)) throw new CnnaError('E_USAGE', `${source}: '${key}' is not a config field`, { hint });
    const r = valuesSchema.safeParse(v);
    if (!r.success) throw new CnnaError('E_USAGE', `${source}: '${key}' must be a non-empty list of values or {"from", "to", "step"}`, { hint: 'e.g. "array.pi": [8, 16] or "clockMhz": {"from": 150, "to": 250, "step": 25}' });
    let values: (number | string | boolean)[];
    if (Array.isArray(r.data)) values = r.data;
    else {
      const { from, to, step } = r.data;
      if (to < from) throw new CnnaError('E_USAGE', `${source}: '${key}': range 'to' (${to}) is below 'from' (${from})`);
      const n = Math.floor((to - from) / step + 1e-9) + 1;
      if (n > MAX_SPACE_CONFIGS) throw new CnnaError('E_USAGE', `${source}: '${key}': the range has ${n} values`);
      values = Array.from({ length: n }, (_, i) => Number((from + i * step).toPrecision(12)));
    }
    const want = getPath(defaults, key) === undefined ? OPTIONAL_FIELDS[key] : typeof getPath(defaults, key);
    const bad = values.find((x) => typeof x !== want);
    if (bad !== undefined) throw new CnnaError('E_USAGE', `${source}: '${key}': value ${JSON.stringify(bad)} is not a ${want}`);
    axes.push({ path: key, values: [...new Set(values)] });
  }
  const size = axes.reduce((a, x) => a * x.values.length, 1);
  if (size > MAX_SPACE_CONFIGS) throw new CnnaError('E_USAGE', `${source}: the space has ${size} configs before constraints, more than ${MAX_SPACE_CONFIGS}`, { hint: 'split it, or narrow the lists' });
  const hash = createHash('sha256').update(JSON.stringify({ axes, where: where.map((w) => w.text) })).digest('hex').slice(0, 16);
  return { axes, where, hash, source };
}

export function readSpaceFile(file: string, defaults: object): Space {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new CnnaError('E_IO', `cannot read space file ${file}: ${(e as Error).message}`);
  }
  return parseSpace(raw, defaults, file);
}

/** A board's default space (boards/<name>/space.json). */
export function defaultSpaceFile(board: string): string {
  const f = join(fileURLToPath(new URL('../../boards/', import.meta.url)), board, 'space.json');
  if (!existsSync(f)) throw new CnnaError('E_USAGE', `board '${board}' has no default space (boards/${board}/space.json)`, { hint: 'pass --space FILE' });
  return f;
}

/** The configs of a space over `defaults`, in expansion order, with how many the constraints removed. */
export function expandSpace(space: Space, defaults: object): { configs: Record<string, unknown>[]; excluded: number } {
  const configs: Record<string, unknown>[] = [];
  let excluded = 0;
  const idx = space.axes.map(() => 0);
  const total = space.axes.reduce((a, x) => a * x.values.length, 1);
  for (let n = 0; n < total; n++) {
    const c = structuredClone(defaults) as Record<string, unknown>;
    space.axes.forEach((a, i) => setPath(c, a.path, a.values[idx[i]]));
    if (space.where.every((w) => w.test(c))) {
      // (after the constraints, which read array.winograd false as 0)
      const array = c.array as Record<string, unknown> | undefined;
      if (array?.winograd === false) delete array.winograd;
      configs.push(c);
    } else excluded++;
    for (let i = space.axes.length - 1; i >= 0; i--) {
      if (++idx[i] < space.axes[i].values.length) break;
      idx[i] = 0;
    }
  }
  return { configs, excluded };
}

/** Shard K of N (1-based) takes the configs whose hash, read as a number, is K-1 mod N. */
export function inShard(configHash: string, shard: { k: number; n: number } | null): boolean {
  return !shard || parseInt(configHash.slice(0, 8), 16) % shard.n === shard.k - 1;
}

export function parseShard(s: string): { k: number; n: number } {
  const m = /^(\d+)\/(\d+)$/.exec(s);
  const k = m ? Number(m[1]) : NaN;
  const n = m ? Number(m[2]) : NaN;
  if (!m || n < 1 || k < 1 || k > n) throw new CnnaError('E_USAGE', `--shard '${s}' is not K/N with 1 <= K <= N`, { hint: 'e.g. --shard 2/4 runs the second of four shards' });
  return { k, n };
}
