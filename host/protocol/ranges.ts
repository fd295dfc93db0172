// Half-open byte ranges [start, end) kept sorted and merged: the "received" set of a
// resumable upload (docs/protocol.md 4.2).
export type Range = [number, number];

export function addRange(ranges: Range[], start: number, end: number): Range[] {
  const out: Range[] = [];
  let s = start;
  let e = end;
  let placed = false;
  for (const [a, b] of ranges) {
    if (b < s) out.push([a, b]);
    else if (a > e) {
      if (!placed) { out.push([s, e]); placed = true; }
      out.push([a, b]);
    } else {
      s = Math.min(s, a);
      e = Math.max(e, b);
    }
  }
  if (!placed) out.push([s, e]);
  return out;
}

export function rangesTotal(ranges: Range[]): number {
  return ranges.reduce((t, [a, b]) => t + (b - a), 0);
}

/** The gaps of `ranges` inside [0, size). */
export function missingRanges(ranges: Range[], size: number): Range[] {
  const out: Range[] = [];
  let at = 0;
  for (const [a, b] of ranges) {
    if (a > at) out.push([at, Math.min(a, size)]);
    at = Math.max(at, b);
  }
  if (at < size) out.push([at, size]);
  return out;
}
