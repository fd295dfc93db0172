// Zero-copy reads on an accepted TCP connection (adoptWithUserBuffer): every byte lands, in
// order, in the buffers the owner hands out; the 'data' fallback is not used on this Node; the
// adopted socket closes when the peer ends, and the server's connection count settles.
import { randomBytes } from 'node:crypto';
import { connect, createServer, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { prng } from '../../test/e2e/support/link-faults.ts';
import { adoptWithUserBuffer } from './zero-copy-socket.ts';

describe('adoptWithUserBuffer', () => {
  it('reads 3 MiB written in random pieces into the owner\'s buffers, byte-exact', async () => {
    const sent = randomBytes(3 << 20);
    const arena = Buffer.alloc(1 << 20);
    const received = Buffer.alloc(sent.length + 1);
    let got = 0;
    let offset = 0;
    let last: Uint8Array | undefined;
    let fallbackBytes = 0;
    let adopted: Socket | undefined;
    let accepted: Socket | undefined;
    const closed = new Promise<void>((resolveClosed) => {
      const server = createServer({ pauseOnConnect: true }, (s) => {
        accepted = s;
        adopted = adoptWithUserBuffer(s, {
          buffer: () => {
            // A different place each time: the bytes must arrive where the last call said.
            offset = (offset + 4099) % (arena.length - 65536);
            last = arena.subarray(offset, offset + 65536);
            return last;
          },
          callback: (n) => {
            received.set(last!.subarray(0, n), got);
            got += n;
          },
          fallback: (chunk) => { fallbackBytes += chunk.length; },
        });
        adopted.on('close', () => server.close(() => resolveClosed()));
      });
      server.listen(0, '127.0.0.1', () => {
        const port = (server.address() as { port: number }).port;
        const c = connect(port, '127.0.0.1', () => {
          const rnd = prng(99);
          for (let at = 0; at < sent.length;) {
            const k = Math.min(sent.length - at, 1 + Math.floor(rnd() * 200_000));
            c.write(sent.subarray(at, at + k));
            at += k;
          }
          c.end();
        });
      });
    });
    await closed;
    expect(adopted).not.toBe(accepted);
    expect(fallbackBytes).toBe(0);
    expect(got).toBe(sent.length);
    expect(received.subarray(0, got).equals(sent)).toBe(true);
  });
});
