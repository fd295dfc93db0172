// A server-side TCP socket that reads straight into a buffer its owner chooses (net's `onread`
// option), instead of a fresh 64 KiB buffer per read: on a bulk upload those buffers cost the
// receiver more CPU (page faults, GC) than the whole protocol. Node's net.Server has no
// `onread` option, so the accepted connection's handle is moved into a new net.Socket that has
// one. The server must be created with `pauseOnConnect: true` (nothing is read before the move).
// When the handle cannot be moved (another Node version), the accepted socket is returned as it
// is, with ordinary 'data' events that are passed to `fallback`.
import { Socket } from 'node:net';

export interface ZeroCopyReads {
  /** Where the next read must land. */
  buffer: () => Uint8Array;
  /** `n` bytes arrived at the start of the last buffer(). */
  callback: (n: number) => void;
  /** Used instead when the handle could not be moved: one chunk of bytes (owned by the callee). */
  fallback: (chunk: Uint8Array) => void;
}

interface HandleOwner { _handle?: { readStart?: unknown; useUserBuffer?: unknown } | null }

/** Takes over a connection accepted with pauseOnConnect; returns the socket to use from now on. */
export function adoptWithUserBuffer(accepted: Socket, reads: ZeroCopyReads): Socket {
  const owner = accepted as unknown as HandleOwner;
  const handle = owner._handle;
  if (!handle || typeof handle.readStart !== 'function' || typeof handle.useUserBuffer !== 'function') {
    accepted.on('data', (d: Buffer) => reads.fallback(d));
    accepted.resume();
    return accepted;
  }
  owner._handle = null;
  // Without a handle, destroy() only settles the old socket's stream state and the server's
  // connection count; the connection itself lives on in the new socket.
  accepted.destroy();
  const opts = {
    handle, readable: true, writable: true,
    onread: { buffer: reads.buffer, callback: (n: number) => { reads.callback(n); } },
  };
  return new Socket(opts as unknown as ConstructorParameters<typeof Socket>[0]);
}
