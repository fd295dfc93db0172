// Resend pacing of BoardClient on a slow link: a scripted agent answers every request after
// 500 ms, and on each PING it receives it also reports three corrupted frames (ERROR, requestId
// 0), as a loaded board on a noisy serial line does. Each report asks the client to resend what
// is unanswered "soon" (fastRetransmitMs 80 ms), but never sooner than two round trips after the
// last send, so the PING is answered instead of running out of its 3 sends (before that rule it
// was sent at 0, 80 and 160 ms and failed at 240 ms, in timer order, however loaded the machine).
// The agent is scripted (not the virtual board) because only a script is slow and noisy on purpose.
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { agentMac } from '../protocol/auth-mac.ts';
import { decodeFrame, encodeFrame, type Frame } from '../protocol/frame-codec.ts';
import { FLAG_RESPONSE } from '../protocol/message-types.ts';
import { createStreamDecoder, encodeForTransport } from '../protocol/stream-decoder.ts';
import { BoardClient } from './board-client.ts';

const TOKEN = 'pacing-token-01';
const DELAY_MS = 500;
const NONCE = '42'.repeat(16);

interface SlowAgent { port: number; received: Frame[]; close(): Promise<void> }

async function startSlowAgent(): Promise<SlowAgent> {
  const received: Frame[] = [];
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const server: Server = createServer((sock) => {
    sockets.add(sock);
    sock.on('error', () => {});
    sock.on('close', () => sockets.delete(sock));
    const send = (f: Parameters<typeof encodeFrame>[0]) => { if (!sock.destroyed) sock.write(encodeForTransport('tcp', encodeFrame(f))); };
    const dec = createStreamDecoder('tcp');
    sock.on('data', (d) => {
      for (const e of dec.push(d)) {
        if (e.kind !== 'frame') continue;
        const r = decodeFrame(e.bytes, { direction: 'to-agent' });
        if (!r.ok) continue;
        const f = r.frame;
        received.push(f);
        if (f.type === 'PING') {
          for (let i = 0; i < 3; i++) send({ type: 'ERROR', flags: FLAG_RESPONSE, requestId: 0, body: { code: 'BAD_CRC', message: 'scripted noise' } });
        }
        const body = f.type === 'HELLO'
          ? { protocol: 1, board: 'scripted', part: 'none', agent: 'slow', backend: 'none', overlay: null, hwh: null, bundle: null, deployId: null,
            nonce: NONCE, auth: 'hmac-sha256', limits: { maxFrame: 1 << 20, maxUpload: 1 << 20, chunkSize: 4096, window: 8, keepaliveMs: 5000, idleTimeoutMs: 60000 } }
          : f.type === 'AUTH' ? { mac: agentMac(TOKEN, NONCE, String(f.body.clientNonce)) } : {};
        const t = setTimeout(() => {
          timers.delete(t);
          send({ type: f.type, flags: FLAG_RESPONSE, requestId: f.requestId, body, blob: f.blob });
        }, DELAY_MS);
        timers.add(t);
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    port: (server.address() as AddressInfo).port,
    received,
    close: () => new Promise<void>((r) => {
      for (const t of timers) clearTimeout(t);
      for (const s of sockets) s.destroy();
      server.close(() => r());
    }),
  };
}

describe('BoardClient resend pacing', () => {
  let agent: SlowAgent | undefined;
  let client: BoardClient | undefined;
  afterEach(async () => { await client?.close(); await agent?.close(); });

  it('does not use up its sends on corrupted-frame reports while a slow answer is on its way', async () => {
    agent = await startSlowAgent();
    client = await BoardClient.connect({
      transport: { kind: 'tcp', host: '127.0.0.1', port: agent.port }, token: TOKEN,
      fastRetransmitMs: 80, maxAttempts: 3, retransmitMs: 60_000, keepalive: false, reconnectMs: 0,
    });
    const r = await client.request('PING', {}, new Uint8Array([7, 8, 9]));
    expect(Array.from(r.blob)).toEqual([7, 8, 9]);
    expect(client.stats.agentFrameErrors).toBeGreaterThanOrEqual(3);
  });
});
