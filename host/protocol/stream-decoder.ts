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
// Zero-copy reads (TCP, createTcpReader): the socket reads straight into the framer's own
// buffer (readBuffer() says where, commit(n) parses the n bytes that arrived there); frames are
// views of that buffer, valid until the next readBuffer() or commit(). The buffer holds at
// most one incomplete frame plus one read, so it never grows past 2 · (maxFrame + 4) + 64 KiB.
// The agent sizes it for small frames first (`initialFrame`) and lets it grow only when a
// longer frame's header arrives and its memory budget agrees (`grow`); `setMaxFrame` lowers
// the accepted frame size (the agent accepts only small frames before AUTH).
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
  /** Accept frames up to `n` bytes from now on (at most the maxFrame the decoder was made with). */
  setMaxFrame(n: number): void;
}

export interface TcpReaderOptions {
  /** The frame size the read buffer is first sized for (default: maxFrame). */
  initialFrame?: number;
  /** Asked before the buffer grows by `bytes` for a longer frame; false refuses it (BUSY, then close). */
  grow?: (bytes: number) => boolean;
}

/** A TCP framer that a socket reads into directly (net's `onread` buffer): no copy per read. */
export interface TcpReader extends StreamDecoder {
  /** Where the next read must land (the free tail of the framer's buffer; at least 64 KiB). */
  readBuffer(): Uint8Array;
  /** `n` bytes arrived at the start of the last readBuffer(): parse them. */
  commit(n: number): StreamEvent[];
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

/** The TCP framer with zero-copy reads (readBuffer/commit); push() works on it too. */
export function createTcpReader(maxFrame = DEFAULT_MAX_FRAME, opts: TcpReaderOptions = {}): TcpReader {
  return new LengthStreamDecoder(maxFrame, true, opts);
}

/** Read-buffer size for frames up to `frame` bytes: one incomplete frame plus one read, twice over. */
const capFor = (frame: number): number => 2 * (frame + 4) + MIN_READ;

const MIN_READ = 65536;

class CobsStreamDecoder implements StreamDecoder {
  private buf: Uint8Array;
  private len = 0;
  private dropping = false;
  private limit: number;
  constructor(private readonly maxFrame: number) {
    this.limit = cobsMaxEncodedLength(maxFrame);
    this.buf = new Uint8Array(Math.min(this.limit, 4096));
  }

  buffered(): number { return this.len; }

  setMaxFrame(n: number): void { this.limit = cobsMaxEncodedLength(Math.min(n, this.maxFrame)); }

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

class LengthStreamDecoder implements TcpReader {
  private chunks: Uint8Array[] = [];
  private scratch: Buffer | undefined;
  private total = 0;
  private need = -1;
  private skip = 0;
  private closed = false;
  /** Zero-copy mode: the read buffer; bytes [start, end) of it are the one buffered chunk. */
  private rbuf: Buffer | undefined;
  private start = 0;
  private end = 0;
  /** Frames above this are refused (FRAME_TOO_LARGE); at most maxFrame. */
  private limit: number;
  /** The frame size the read buffer is (to be) sized for. */
  private sizedFor: number;
  /** `reader`: frames live in the framer's own buffer, and push() copies chunks into it. */
  constructor(private readonly maxFrame: number, private readonly reader = false, private readonly opts: TcpReaderOptions = {}) {
    this.limit = maxFrame;
    this.sizedFor = Math.min(opts.initialFrame ?? maxFrame, maxFrame);
  }

  buffered(): number { return this.total; }

  setMaxFrame(n: number): void { this.limit = Math.min(n, this.maxFrame); }

  push(chunk: Uint8Array): StreamEvent[] {
    if (this.closed) return [];
    if (this.reader) {
      // A reader fed by push() (the chunk may be a reused buffer): copy it into the read
      // buffer, one free tail at a time, and hand out copies of the frames.
      const events: StreamEvent[] = [];
      for (let at = 0; at < chunk.length && !this.closed;) {
        const into = this.readBuffer();
        const k = Math.min(into.length, chunk.length - at);
        into.set(chunk.subarray(at, at + k));
        at += k;
        for (const e of this.commit(k)) events.push(e.kind === 'frame' ? { kind: 'frame', bytes: e.bytes.slice() } : e);
      }
      return events;
    }
    this.chunks.push(chunk);
    this.total += chunk.length;
    return this.parse();
  }

  readBuffer(): Uint8Array {
    const cap = capFor(this.sizedFor);
    if (!this.rbuf || this.rbuf.length < cap) {
      const next = Buffer.allocUnsafe(cap);
      if (this.rbuf && this.total > 0) {
        this.rbuf.copy(next, 0, this.start, this.end);
        this.end -= this.start;
        this.start = 0;
        this.chunks[0] = next.subarray(0, this.end);
      }
      this.rbuf = next;
    }
    if (this.total === 0) {
      this.start = 0;
      this.end = 0;
    } else if (cap - this.end < Math.max(MIN_READ, this.need - this.total)) {
      // Move the incomplete frame to the front so the rest of it (and a full read) fits.
      this.rbuf.copyWithin(0, this.start, this.end);
      this.end -= this.start;
      this.start = 0;
      this.chunks[0] = this.rbuf.subarray(0, this.end);
    }
    return this.rbuf.subarray(this.end);
  }

  commit(n: number): StreamEvent[] {
    if (this.closed || n <= 0 || !this.rbuf || !this.reader) return [];
    this.end += n;
    if (this.total === 0) this.start = this.end - n;
    this.chunks = [this.rbuf.subarray(this.start, this.end)];
    this.total = this.end - this.start;
    const events = this.parse();
    this.start = this.end - this.total;
    return events;
  }

  private parse(): StreamEvent[] {
    const events: StreamEvent[] = [];
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
        if (length > this.limit) {
          events.push({ kind: 'error', code: 'FRAME_TOO_LARGE', message: `frame length ${length} exceeds the limit of ${this.limit}${this.limit < this.maxFrame ? ' before AUTH' : ''}` });
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
        if (this.reader && length > this.sizedFor) {
          // the buffer must grow for this frame: to the full maxFrame at once, if the budget agrees
          if (this.opts.grow && !this.opts.grow(capFor(this.maxFrame) - capFor(this.sizedFor))) {
            events.push({ kind: 'error', code: 'BUSY', message: `a frame of ${length} bytes does not fit the agent's buffer budget now (other connections hold it); retry later` });
            events.push({ kind: 'close' });
            this.closed = true;
            this.chunks = [];
            this.total = 0;
            return events;
          }
          this.sizedFor = this.maxFrame;
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
