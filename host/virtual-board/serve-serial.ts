// Serial transport of the agent: one session on a serial device (a real UART, or one end of
// a socat pty pair), COBS framing, default 3,000,000 baud.
import { SerialPort } from 'serialport';
import { CnnaError } from '../../compiler/errors/cnna-error.ts';
import type { AgentCore } from './agent-core.ts';
import { AgentSession } from './agent-session.ts';

export interface SerialAgent {
  path: string;
  session: AgentSession;
  close(): Promise<void>;
}

export async function serveSerial(core: AgentCore, opts: { path: string; baudRate?: number }): Promise<SerialAgent> {
  const port = new SerialPort({ path: opts.path, baudRate: opts.baudRate ?? 3_000_000, autoOpen: false });
  await new Promise<void>((done, reject) => port.open((e) => (e ? reject(new CnnaError('E_LINK', `cannot open serial device ${opts.path}: ${e.message}`, { hint: 'check the path (e.g. /dev/ttyUSB1) and permissions' })) : done())));
  let session: AgentSession;
  session = new AgentSession(core, {
    send: (b) => { if (port.isOpen) port.write(Buffer.from(b.buffer, b.byteOffset, b.length)); },
    close: () => {},
  }, 'serial', { peer: `serial:${opts.path}` });
  port.on('data', (d: Buffer) => session.receive(d));
  port.on('error', () => {});
  core.log(`virtual board listening on serial ${opts.path} at ${opts.baudRate ?? 3_000_000} baud`);
  return {
    path: opts.path, session,
    close: () => new Promise<void>((done) => {
      session.end();
      if (!port.isOpen) { done(); return; }
      port.close(() => done());
    }),
  };
}
