// Transport framers (docs/protocol.md section 2). Both turn a byte stream into frame byte
// strings and stream-level errors, with bounded memory:
//  - serial: COBS frames delimited by 0x00; an over-long frame is reported once and skipped
//    to the next 0x00;
//  - tcp: u32 LE length prefix; a length < 16 is reported and skipped; a length > maxFrame is
//    reported and the stream must be closed (event 'close').
// Invariant: the decoders never buffer more than maxFrame + its COBS overhead (+ 4) bytes.
// Lifetime: a frame's bytes stay valid until the next push() on the same decoder (the TCP
// framer assembles frames that span reads in one reused buffer: fresh memory for every 64 KiB
// frame costs more CPU than the rest of the protocol). Copy what must outlive that.
import { cobsDecode, cobsEncode, cobsMaxEncodedLength } from './cobs.ts';
import { DEFAULT_MAX_FRAME, MIN_FRAME_BYTES } from './message-types.ts';
import type { ProtocolErrorCode } from './protocol-error.ts';

export type StreamEvent =
  | { kind: 'frame'; bytes: Uint8Array }
  | { kind: 'error'; code: ProtocolErrorCode; message: string }
  | { kind: 'close' };

export interface StreamDecoder {
  push(chunk: Uint8Array): StreamEvent[];
  /** Bytes currently buffered (for memory-bound checks). */
  buffered(): number;
}

export type Framing = 'serial' | 'tcp';

export function encodeForTransport(framing: Framing, frame: Uint8Array): Uint8Array {
  if (framing === 'serial') return cobsEncode(frame, true);
  const out = new Uint8Array(4 + frame.length);
  new DataView(out.buffer).setUint32(0, frame.length, true);
  out.set(frame, 4);
  return out;
}

export function createStreamDecoder(framing: Framing, maxFrame = DEFAULT_MAX_FRAME): StreamDecoder {
  return framing === 'serial' ? new CobsStreamDecoder(maxFrame) : new LengthStreamDecoder(maxFrame);
}

class CobsStreamDecoder implements StreamDecoder {
  private buf: Uint8Array;
  private len = 0;
  private dropping = false;
  private readonly limit: number;
  constructor(private readonly maxFrame: number) {
    this.limit = cobsMaxEncodedLength(maxFrame);
    this.buf = new Uint8Array(Math.min(this.limit, 4096));
  }

  buffered(): number { return this.len; }

  push(chunk: Uint8Array): StreamEvent[] {
    const events: StreamEvent[] = [];
    let i = 0;
    while (i < chunk.length) {
      const z = chunk.indexOf(0, i);
      const end = z === -1 ? chunk.length : z;
      if (!this.dropping) {
        const part = end - i;
        if (this.len + part > this.limit) {
          events.push({ kind: 'error', code: 'FRAME_TOO_LARGE', message: `serial frame longer than ${this.limit} encoded bytes` });
          this.len = 0;
          this.dropping = true;
        } else {
          this.append(chunk.subarray(i, end));
        }
      }
      if (z === -1) break;
      if (this.dropping) {
        this.dropping = false;
      } else if (this.len > 0) {
        const decoded = cobsDecode(this.buf.subarray(0, this.len));
        if (decoded === undefined) events.push({ kind: 'error', code: 'BAD_COBS', message: 'invalid COBS encoding' });
        else events.push({ kind: 'frame', bytes: decoded });
      }
      this.len = 0;
      i = z + 1;
    }
    if (this.buf.length > 65536 && this.len === 0) this.buf = new Uint8Array(4096);
    return events;
  }

  private append(part: Uint8Array): void {
    if (this.len + part.length > this.buf.length) {
      const next = new Uint8Array(Math.min(this.limit, Math.max(this.buf.length * 2, this.len + part.length)));
      next.set(this.buf.subarray(0, this.len));
      this.buf = next;
    }
    this.buf.set(part, this.len);
    this.len += part.length;
  }
}

class LengthStreamDecoder implements StreamDecoder {
  private chunks: Uint8Array[] = [];
  private scratch: Buffer | undefined;
  private total = 0;
  private need = -1;
  private skip = 0;
  private closed = false;
  constructor(private readonly maxFrame: number) {}

  buffered(): number { return this.total; }

  push(chunk: Uint8Array): StreamEvent[] {
    const events: StreamEvent[] = [];
    if (this.closed) return events;
    this.chunks.push(chunk);
    this.total += chunk.length;
    for (;;) {
      if (this.skip > 0) {
        const s = Math.min(this.skip, this.total);
        this.take(s);
        this.skip -= s;
        if (this.skip > 0) break;
      }
      if (this.need < 0) {
        if (this.total < 4) break;
        const h = this.take(4);
        const length = new DataView(h.buffer, h.byteOffset, 4).getUint32(0, true);
        if (length > this.maxFrame) {
          events.push({ kind: 'error', code: 'FRAME_TOO_LARGE', message: `frame length ${length} exceeds the limit of ${this.maxFrame}` });
          events.push({ kind: 'close' });
          this.closed = true;
          this.chunks = [];
          this.total = 0;
          return events;
        }
        if (length < MIN_FRAME_BYTES) {
          events.push({ kind: 'error', code: 'TRUNCATED', message: `frame length ${length} is shorter than the 16-byte minimum` });
          this.skip = length;
          continue;
        }
        this.need = length;
      }
      if (this.total < this.need) break;
      events.push({ kind: 'frame', bytes: this.take(this.need) });
      this.need = -1;
    }
    return events;
  }

  private take(n: number): Uint8Array {
    const first = this.chunks[0];
    if (first && first.length >= n) {
      const out = first.subarray(0, n);
      if (first.length === n) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
      this.total -= n;
      return out;
    }
    if (!this.scratch || this.scratch.length < n) this.scratch = Buffer.allocUnsafe(Math.max(n, 65536 + 1024));
    const out = this.scratch.subarray(0, n);
    let o = 0;
    while (o < n) {
      const c = this.chunks[0];
      const k = Math.min(c.length, n - o);
      out.set(c.subarray(0, k), o);
      o += k;
      if (k === c.length) this.chunks.shift();
      else this.chunks[0] = c.subarray(k);
    }
    this.total -= n;
    return out;
  }
}
