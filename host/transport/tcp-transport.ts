// TCP transport (node:net), Nagle off so small frames leave at once.
import { connect } from 'node:net';
import { CnnaError } from '../../compiler/errors/cnna-error.ts';
import type { Transport } from './transport.ts';

export function openTcp(host: string, port: number, timeoutMs = 5000): Promise<Transport> {
  return new Promise((resolve, reject) => {
    const sock = connect({ host, port });
    const description = `tcp ${host}:${port}`;
    let closing = false;
    let closeCb: ((reason: string) => void) | undefined;
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new CnnaError('E_LINK', `${description}: no connection within ${timeoutMs} ms`, { hint: 'is the board agent running? (cnna board serve --virtual --tcp PORT)' }));
    }, timeoutMs);
    sock.once('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(new CnnaError('E_LINK', `${description}: cannot connect (${e.code ?? e.message})`, { hint: 'is the board agent running and listening on that port? (cnna board serve --virtual --tcp PORT)' }));
    });
    sock.once('connect', () => {
      clearTimeout(timer);
      sock.removeAllListeners('error');
      sock.setNoDelay(true);
      sock.on('error', () => {});
      sock.on('close', () => { if (!closing) closeCb?.('the connection closed'); });
      resolve({
        framing: 'tcp',
        description,
        write: (b) => { if (!sock.destroyed) sock.write(b); },
        writev: (parts) => {
          if (sock.destroyed) return;
          sock.cork();
          for (const p of parts) sock.write(p);
          sock.uncork();
        },
        onData: (cb) => sock.on('data', cb),
        onClose: (cb) => { closeCb = cb; },
        close: () => new Promise<void>((done) => {
          closing = true;
          if (sock.destroyed) { done(); return; }
          sock.once('close', () => done());
          sock.destroy();
        }),
      });
    });
  });
}
