// Connection floods against a board agent on TCP (used by test/e2e/flood.test.ts and
// scripts/bench-flood.ts): many connections that each send the header of a 1 MiB frame and
// half of its bytes, then hold; unauthenticated, or after a real HELLO/AUTH handshake. Also a
// well-behaved client (BoardClient: HELLO, AUTH, INFO, PING).
import { connect, type Socket } from 'node:net';
import { hostMac } from '../../../host/protocol/auth-mac.ts';
import { decodeFrame, encodeFrame, type Frame } from '../../../host/protocol/frame-codec.ts';
import { DEFAULT_MAX_FRAME } from '../../../host/protocol/message-types.ts';
import { createStreamDecoder, encodeForTransport } from '../../../host/protocol/stream-decoder.ts';
import { BoardClient } from '../../../host/runtime/board-client.ts';

/** The first half of a frame of `DEFAULT_MAX_FRAME` bytes: its u32 length and 512 KiB of payload (shared, never copied). */
const HALF_FRAME = (() => {
  const b = Buffer.alloc(4 + DEFAULT_MAX_FRAME / 2, 0x5a);
  b.writeUInt32LE(DEFAULT_MAX_FRAME, 0);
  return b;
})();

export interface FloodConn { sock: Socket; answers: Frame[]; closed: boolean }

function open(port: number): Promise<FloodConn> {
  return new Promise((resolve) => {
    const sock = connect(port, '127.0.0.1');
    const c: FloodConn = { sock, answers: [], closed: false };
    const dec = createStreamDecoder('tcp');
    sock.on('data', (d) => {
      for (const e of dec.push(d)) if (e.kind === 'frame') { const f = decodeFrame(e.bytes, { direction: 'to-host' }); if (f.ok) c.answers.push(f.frame); }
    });
    sock.on('error', () => {});
    sock.on('close', () => { c.closed = true; });
    sock.once('connect', () => resolve(c));
    sock.once('close', () => resolve(c));
  });
}

function nextAnswer(c: FloodConn, n: number, limitMs = 60_000): Promise<Frame | undefined> {
  return new Promise((resolve) => {
    const t0 = Date.now();
    const poll = () => {
      if (c.answers.length >= n) resolve(c.answers[n - 1]);
      else if (c.closed || Date.now() - t0 > limitMs) resolve(undefined);
      else setTimeout(poll, 5);
    };
    poll();
  });
}

/** `n` unauthenticated connections, each sending half of a 1 MiB frame; opened `parallel` at a time. */
export async function floodUnauthenticated(port: number, n: number, parallel = 100): Promise<FloodConn[]> {
  const conns: FloodConn[] = [];
  for (let i = 0; i < n; i += parallel) {
    const batch = await Promise.all(Array.from({ length: Math.min(parallel, n - i) }, () => open(port)));
    for (const c of batch) if (!c.closed) c.sock.write(HALF_FRAME);
    conns.push(...batch);
  }
  return conns;
}

/** `n` connections that pair with `token` (HELLO + AUTH), then each send half of a 1 MiB frame; one at a time. */
export async function floodAuthenticated(port: number, token: string, n: number): Promise<FloodConn[]> {
  const conns: FloodConn[] = [];
  for (let i = 0; i < n; i++) {
    const c = await open(port);
    conns.push(c);
    c.sock.write(encodeForTransport('tcp', encodeFrame({ type: 'HELLO', requestId: 1, body: { client: 'flood', protocol: 1 } })));
    const h = await nextAnswer(c, 1);
    if (!h || h.type !== 'HELLO') continue;
    const clientNonce = '00'.repeat(15) + (i & 0xff).toString(16).padStart(2, '0');
    c.sock.write(encodeForTransport('tcp', encodeFrame({ type: 'AUTH', requestId: 2, body: { clientNonce, mac: hostMac(token, String(h.body.nonce), clientNonce) } })));
    const a = await nextAnswer(c, 2);
    if (!a || a.type !== 'AUTH') continue;
    c.sock.write(HALF_FRAME);
    await new Promise((r) => setTimeout(r, 2)); // let the board read the header (and refuse it when over budget)
  }
  return conns;
}

export function closeAll(conns: FloodConn[]): void {
  for (const c of conns) c.sock.destroy();
}

/** A well-behaved client: pairs, asks INFO and PINGs; returns the round-trip ms of the PINGs. */
export async function wellBehaved(port: number, token: string, pings = 5): Promise<{ board: string; pingMs: number[] }> {
  const client = await BoardClient.connect({ transport: { kind: 'tcp', host: '127.0.0.1', port }, token, keepalive: false });
  try {
    const info = await client.request('INFO');
    const pingMs: number[] = [];
    for (let i = 0; i < pings; i++) {
      const t = performance.now();
      await client.request('PING', {}, new Uint8Array([i]));
      pingMs.push(performance.now() - t);
    }
    return { board: String(info.body.board), pingMs };
  } finally {
    await client.close();
  }
}
