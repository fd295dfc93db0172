// Canonical JSON of docs/protocol.md 1.1: no whitespace, object keys sorted by code point,
// non-ASCII unescaped, integers only. Equal to Python's
// json.dumps(o, separators=(",", ":"), sort_keys=True, ensure_ascii=False).
export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

export function canonicalJson(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'number') {
    if (!Number.isSafeInteger(v)) throw new RangeError(`protocol bodies hold integers only, got ${v}`);
    return String(v);
  }
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'string') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (typeof v === 'object') {
    const keys = Object.keys(v as object).filter((k) => (v as Record<string, unknown>)[k] !== undefined).sort(byCodePoint);
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson((v as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  throw new TypeError(`cannot encode a ${typeof v} in a protocol body`);
}

function byCodePoint(a: string, b: string): number {
  const ia = [...a];
  const ib = [...b];
  for (let i = 0; i < Math.min(ia.length, ib.length); i++) {
    const d = ia[i].codePointAt(0)! - ib[i].codePointAt(0)!;
    if (d !== 0) return d;
  }
  return ia.length - ib.length;
}
