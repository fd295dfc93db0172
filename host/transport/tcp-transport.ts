// TCP transport (node:net), Nagle off so small frames leave at once. A frame given in parts
// (writev) is copied into a reused staging buffer and written once (staging-pool.ts says why);
// small frames are joined into a fresh buffer, frames larger than a staging buffer go as parts.
// Reads land in one reused buffer (net's `onread`): a chunk given to onData is valid only during
// the callback.
import { connect } from 'node:net';
import { CnnaError } from '../../compiler/errors/cnna-error.ts';
import { StagingPool } from './staging-pool.ts';
import type { Transport } from './transport.ts';

const SMALL = 16 * 1024;
const READ_BYTES = 256 * 1024;
const STAGE_BYTES = 1024 * 1024 + 64 * 1024;

export function openTcp(host: string, port: number, timeoutMs = 5000): Promise<Transport> {
  return new Promise((resolve, reject) => {
    let dataCb: ((chunk: Uint8Array) => void) | undefined;
    const readBuf = Buffer.allocUnsafeSlow(READ_BYTES);
    const sock = connect({ host, port, onread: { buffer: readBuf, callback: (n: number) => { dataCb?.(readBuf.subarray(0, n)); return true; } } });
    const description = `tcp ${host}:${port}`;
    const pool = new StagingPool(STAGE_BYTES);
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
          let total = 0;
          for (const p of parts) total += p.length;
          if (total <= SMALL) {
            sock.write(Buffer.concat(parts, total));
          } else if (total <= STAGE_BYTES) {
            const stage = pool.take();
            let at = 0;
            for (const p of parts) { stage.set(p, at); at += p.length; }
            sock.write(stage.subarray(0, total), () => pool.give(stage));
          } else {
            sock.cork();
            for (const p of parts) sock.write(p);
            sock.uncork();
          }
        },
        onData: (cb) => { dataCb = cb; },
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
