// The content cache's upload verification: the incremental SHA-256 (kept while chunks arrive in
// order) and the read-back of chunks that came out of order give the object's hash, and a
// corrupted chunk ends in HASH_MISMATCH with nothing kept.
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ContentCache } from './content-cache.ts';

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const dirs: string[] = [];
afterAll(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });
const size = 6 << 20;
const chunk = 512 * 1024;

function cacheFor(): ContentCache {
  const d = mkdtempSync(join(tmpdir(), 'cnna-content-cache-'));
  dirs.push(d);
  return new ContentCache(d);
}

describe('content cache upload verification', () => {
  it('accepts an upload whose chunks arrive in order, shuffled, or repeated', () => {
    for (const order of ['in order', 'shuffled', 'repeated'] as const) {
      const cache = cacheFor();
      const data = randomBytes(size);
      const h = sha(data);
      cache.begin(h, 'bitstream', size);
      const offsets = Array.from({ length: size / chunk }, (_, i) => i * chunk);
      if (order === 'shuffled') [offsets[2], offsets[9]] = [offsets[9], offsets[2]];
      if (order === 'repeated') offsets.splice(4, 0, 0, chunk);
      for (const o of offsets) cache.writeChunk(h, o, data.subarray(o, o + chunk));
      expect(cache.finish(h), order).toEqual({ kind: 'bitstream', size });
      expect(sha(readFileSync(cache.objectPath(h))), order).toBe(h);
      cache.close();
    }
  });

  it('rejects a corrupted chunk with HASH_MISMATCH and keeps nothing', () => {
    const cache = cacheFor();
    const data = randomBytes(size);
    const h = sha(data);
    const corrupted = Buffer.from(data);
    corrupted[5 * chunk + 77] ^= 1;
    cache.begin(h, 'bundle', size);
    for (let o = 0; o < size; o += chunk) cache.writeChunk(h, o, corrupted.subarray(o, o + chunk));
    expect(() => cache.finish(h)).toThrow(`uploaded bytes hash to ${sha(corrupted)}, not the declared ${h}; the upload was discarded`);
    expect(cache.has(h)).toBe(false);
    expect(cache.partial(h)).toBeUndefined();
    cache.close();
  });
});
