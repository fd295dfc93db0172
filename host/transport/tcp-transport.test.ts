// The TCP transport's writev: frames given in parts arrive byte-exact and in order, also when
// many large frames wait in the socket's queue at once (staging buffers are reused only after
// their write reached the kernel), for small, staged and oversized frames alike.
import { createServer, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { openTcp } from './tcp-transport.ts';

function pattern(n: number, seed: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (i * 31 + seed * 17 + (i >> 9)) & 0xff;
  return b;
}

describe('tcp transport writev', () => {
  it('delivers 60 queued frames of 100 B to 1.5 MiB byte-exact', async () => {
    const expected: Uint8Array[] = [];
    for (let i = 0; i < 60; i++) {
      const size = i % 10 === 9 ? 1_500_000 : i % 3 === 0 ? 100 : 300_000 + i;
      expected.push(pattern(20, i), pattern(size, i + 1000), pattern(4, i + 2000));
    }
    const want = Buffer.concat(expected);
    const chunks: Buffer[] = [];
    let got = 0;
    let peer: Socket | undefined;
    const server = createServer({ pauseOnConnect: true }, (s) => { peer = s; });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const t = await openTcp('127.0.0.1', (server.address() as { port: number }).port);
    try {
      for (let i = 0; i < expected.length; i += 3) t.writev(expected.slice(i, i + 3));
      while (!peer) await new Promise((r) => setTimeout(r, 5));
      // The reader was paused while all of the above was written: it waited in the queue.
      await new Promise<void>((resolveAll) => {
        peer!.on('data', (d: Buffer) => {
          chunks.push(d);
          got += d.length;
          if (got >= want.length) resolveAll();
        });
        peer!.resume();
      });
    } finally {
      await t.close();
      peer?.destroy();
      await new Promise((r) => server.close(r));
    }
    const all = Buffer.concat(chunks);
    expect(all.length).toBe(want.length);
    expect(all.equals(want)).toBe(true);
  });
});
