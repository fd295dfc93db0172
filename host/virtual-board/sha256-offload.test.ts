// SHA-256 on the helper thread: digests equal node:crypto's for interleaved streams, updates of
// every size (larger than a ring slot, wrapping around the ring) and empty streams; the content
// cache verifies large uploads with it whether chunks arrive in order or not, and a corrupted
// chunk still ends in HASH_MISMATCH.
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { prng } from '../../test/e2e/support/link-faults.ts';
import { ContentCache } from './content-cache.ts';
import { sha256OffloadRunning, sha256Stream } from './sha256-offload.ts';

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const dirs: string[] = [];
afterAll(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

describe('sha256Stream on the helper thread', () => {
  it('matches node:crypto for three interleaved streams (24 MiB, 24 MiB, 3 B) in pieces of 1 B to 5 MiB', () => {
    const rnd = prng(31337);
    const data = [randomBytes(24 << 20), randomBytes(24 << 20), randomBytes(3)];
    const streams = data.map(() => sha256Stream(1 << 30, 0));
    expect(sha256OffloadRunning()).toBe(true);
    const at = [0, 0, 0];
    while (at.some((a, i) => a < data[i].length)) {
      const i = Math.floor(rnd() * 3);
      if (at[i] >= data[i].length) continue;
      const k = Math.min(data[i].length - at[i], rnd() < 0.1 ? 5 << 20 : 1 + Math.floor(rnd() * 700_000));
      streams[i].update(data[i].subarray(at[i], at[i] + k));
      at[i] += k;
    }
    expect(streams.map((s) => s.digestHex())).toEqual(data.map(sha));
    const empty = sha256Stream(1 << 30, 0);
    expect(empty.digestHex()).toBe(sha(new Uint8Array(0)));
    const dropped = sha256Stream(1 << 30, 0);
    dropped.update(data[0].subarray(0, 1000));
    dropped.drop();
  });
});

describe('content cache with offloaded hashing (12 MiB uploads)', () => {
  const size = 12 << 20;
  const chunk = 512 * 1024;
  const cacheFor = () => {
    const d = mkdtempSync(join(tmpdir(), 'cnna-sha-offload-'));
    dirs.push(d);
    return new ContentCache(d);
  };

  it('verifies an upload whose chunks arrive in order, and one whose chunks arrive shuffled', () => {
    for (const shuffled of [false, true]) {
      const cache = cacheFor();
      const data = randomBytes(size);
      const h = sha(data);
      cache.begin(h, 'bitstream', size);
      const offsets = Array.from({ length: size / chunk }, (_, i) => i * chunk);
      if (shuffled) [offsets[2], offsets[9]] = [offsets[9], offsets[2]];
      for (const o of offsets) cache.writeChunk(h, o, data.subarray(o, o + chunk));
      expect(cache.finish(h)).toEqual({ kind: 'bitstream', size });
      expect(sha(readFileSync(cache.objectPath(h)))).toBe(h);
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
