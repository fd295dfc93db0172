// TCP transport of the agent: one session per connection, on 127.0.0.1 unless told otherwise.
// The socket reads straight into the session's frame buffer (transport/zero-copy-socket.ts).
// At most guards.maxConnections connections at once: one more evicts the oldest connection
// that has not authenticated (ERROR BUSY, requestId 0, then close), or, when every connection
// is authenticated, is itself refused the same way. Pairing failures count per remote address.
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { CnnaError } from '../../compiler/errors/cnna-error.ts';
import type { AgentCore } from './agent-core.ts';
import { adoptWithUserBuffer } from '../transport/zero-copy-socket.ts';
import { AgentSession } from './agent-session.ts';
import { encodeFrame } from '../protocol/frame-codec.ts';
import { FLAG_RESPONSE } from '../protocol/message-types.ts';
import { encodeForTransport } from '../protocol/stream-decoder.ts';

export interface TcpAgent {
  port: number;
  host: string;
  sessions: Set<AgentSession>;
  close(): Promise<void>;
}

export async function serveTcp(core: AgentCore, opts: { port: number; host?: string }): Promise<TcpAgent> {
  const host = opts.host ?? '127.0.0.1';
  const sessions = new Set<AgentSession>();
  const sockets = new Set<Socket>();
  const max = core.guards.maxConnections;
  const server: Server = createServer({ pauseOnConnect: true }, (accepted) => {
    if (sessions.size >= max) {
      const oldest = [...sessions].find((s) => !s.authenticated); // insertion order: oldest first
      if (oldest) {
        sessions.delete(oldest);
        oldest.evict('BUSY', `the board holds its limit of ${max} connections; this one had not authenticated and was the oldest such, so it is closed to make room`);
      } else {
        const refusal = encodeFrame({ type: 'ERROR', flags: FLAG_RESPONSE, requestId: 0, body: { code: 'BUSY', message: `the board holds its limit of ${max} connections, all authenticated; retry later` } });
        accepted.on('error', () => {});
        accepted.end(encodeForTransport('tcp', refusal));
        return;
      }
    }
    let socket: Socket | undefined;
    const session = new AgentSession(core, {
      send: (b) => { if (socket && !socket.destroyed) socket.write(b); },
      close: () => {
        // The session is over (it no longer counts toward the cap). Half-close so the last ERROR
        // reaches the peer: destroying a socket with unread input sends RST, which can discard it.
        sessions.delete(session);
        if (!socket || socket.destroyed) return;
        const s = socket;
        s.end();
        setTimeout(() => s.destroy(), 1000).unref();
      },
    }, 'tcp', { peer: accepted.remoteAddress ?? 'tcp' });
    socket = adoptWithUserBuffer(accepted, {
      buffer: () => session.readBuffer(),
      callback: (n) => session.received(n),
      fallback: (chunk) => session.receive(chunk),
    });
    const s = socket;
    s.setNoDelay(true);
    sockets.add(s);
    sessions.add(session);
    s.on('error', () => {});
    s.on('close', () => { session.end(); sessions.delete(session); sockets.delete(s); });
  });
  await new Promise<void>((resolveListen, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => reject(new CnnaError('E_LINK', `cannot listen on ${host}:${opts.port}: ${e.code ?? e.message}`, { hint: 'pick another port with --tcp PORT' })));
    server.listen(opts.port, host, () => resolveListen());
  });
  const port = (server.address() as AddressInfo).port;
  core.log(`virtual board listening on tcp ${host}:${port}`);
  return {
    port, host, sessions,
    close: () => new Promise<void>((done) => {
      for (const s of sockets) s.destroy();
      server.close(() => done());
    }),
  };
}
