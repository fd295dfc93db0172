// TCP transport of the agent: one session per connection, on 127.0.0.1 unless told otherwise.
// The socket reads straight into the session's frame buffer (transport/zero-copy-socket.ts).
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { CnnaError } from '../../compiler/errors/cnna-error.ts';
import type { AgentCore } from './agent-core.ts';
import { adoptWithUserBuffer } from '../transport/zero-copy-socket.ts';
import { AgentSession } from './agent-session.ts';

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
  const server: Server = createServer({ pauseOnConnect: true }, (accepted) => {
    let socket: Socket | undefined;
    const session = new AgentSession(core, {
      send: (b) => { if (socket && !socket.destroyed) socket.write(b); },
      close: () => socket?.destroy(),
    }, 'tcp');
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
