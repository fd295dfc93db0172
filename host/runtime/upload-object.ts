// Resumable, content-addressed upload of one object (docs/protocol.md 4.2): UPLOAD_BEGIN
// tells what the board already holds, only the missing ranges are sent (at most `window`
// chunks unacknowledged), UPLOAD_END verifies the SHA-256 on the board.
import { createHash } from 'node:crypto';
import { CnnaError } from '../../compiler/errors/cnna-error.ts';
import { boardCodeOf } from '../protocol/protocol-error.ts';
import { missingRanges, type Range } from '../protocol/ranges.ts';
import type { BoardClient } from './board-client.ts';

export type ObjectKind = 'bitstream' | 'hwh' | 'bundle';

export interface UploadResult {
  sha256: string;
  size: number;
  /** Bytes sent in this call (0 when the board already had the object). */
  sentBytes: number;
  /** Bytes the board already held when the call started (resume). */
  resumedBytes: number;
  cached: boolean;
}

export interface UploadOptions {
  onProgress?: (done: number, total: number) => void;
  /** Stop after sending this many bytes (tests: simulate an interrupted upload). */
  stopAfterBytes?: number;
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export async function uploadObject(client: BoardClient, kind: ObjectKind, bytes: Uint8Array, o: UploadOptions = {}): Promise<UploadResult> {
  const sha256 = sha256Hex(bytes);
  const size = bytes.length;
  if (size === 0) throw new CnnaError('E_USAGE', `the ${kind} is empty`);
  if (size > client.hello.limits.maxUpload) {
    throw new CnnaError('E_LIMIT', `the ${kind} has ${size} bytes; the board accepts uploads of at most ${client.hello.limits.maxUpload}`);
  }
  let sentBytes = 0;
  let resumedBytes = -1;
  for (let round = 0; round < 4; round++) {
    const begin = await client.request('UPLOAD_BEGIN', { kind, size, sha256 });
    const received = begin.body.received as Range[];
    const held = received.reduce((t, [a, b]) => t + (b - a), 0);
    if (resumedBytes < 0) resumedBytes = held;
    if (begin.body.complete === true) {
      o.onProgress?.(size, size);
      return { sha256, size, sentBytes, resumedBytes, cached: sentBytes === 0 };
    }
    const chunk = Math.min(Number(begin.body.chunkSize), client.hello.limits.chunkSize);
    const work: Range[] = [];
    for (const [a, b] of missingRanges(received, size)) for (let s = a; s < b; s += chunk) work.push([s, Math.min(b, s + chunk)]);
    let done = held;
    o.onProgress?.(done, size);
    let restart = false;
    let next = 0;
    const window = Math.max(1, client.hello.limits.window);
    const worker = async () => {
      while (next < work.length && !restart) {
        if (o.stopAfterBytes !== undefined && sentBytes >= o.stopAfterBytes) return;
        const [a, b] = work[next++];
        sentBytes += b - a;
        try {
          await client.request('UPLOAD_CHUNK', { uploadId: sha256, offset: a }, bytes.subarray(a, b));
        } catch (e) {
          if (boardCodeOf(e) === 'UNKNOWN_UPLOAD') { restart = true; return; }
          throw e;
        }
        done += b - a;
        o.onProgress?.(Math.min(done, size), size);
      }
    };
    await Promise.all(Array.from({ length: Math.min(window, work.length) }, worker));
    if (o.stopAfterBytes !== undefined && sentBytes >= o.stopAfterBytes) {
      throw new CnnaError('E_LINK', `upload of the ${kind} stopped after ${sentBytes} bytes (as asked)`);
    }
    if (restart) continue;
    try {
      await client.request('UPLOAD_END', { uploadId: sha256 });
      o.onProgress?.(size, size);
      return { sha256, size, sentBytes, resumedBytes, cached: false };
    } catch (e) {
      const code = boardCodeOf(e);
      if (code === 'INCOMPLETE' || code === 'HASH_MISMATCH' || code === 'UNKNOWN_UPLOAD') continue;
      throw e;
    }
  }
  throw new CnnaError('E_BOARD', `the board did not accept the ${kind} (${sha256.slice(0, 12)}…) after 4 rounds of upload`, { hint: 'the link may be corrupting data; check the cable and retry' });
}
