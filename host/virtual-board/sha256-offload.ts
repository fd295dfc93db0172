// Incremental SHA-256 of uploads on a helper thread, so the agent's event loop only receives,
// checks, writes and acknowledges chunks (hashing was a third of its CPU on a bulk upload).
// One worker per process, shared by every stream. The main thread copies each update into a
// shared ring buffer (reused memory) and posts its place; the worker hashes the updates of a
// stream in order. digestHex() blocks (Atomics.wait) until the worker has hashed everything
// before it; update() blocks only while the ring is full. A worker that fails or stops
// answering turns every stream into an error (the upload is then verified by a full re-hash
// at UPLOAD_END, see content-cache.ts), never into a wrong digest.
import { createHash, type Hash } from 'node:crypto';
import { Worker } from 'node:worker_threads';

export interface Sha256Stream {
  update(bytes: Uint8Array): void;
  /** The digest of everything given to update(); throws when the helper thread failed. */
  digestHex(): string;
  /** Forget the stream (the upload was discarded). */
  drop(): void;
}

const RING = 16 << 20;
const WAIT_MS = 15_000;
// Control words (Int32): [0] digest sequence number written by the worker, [1] failure flag.
const CTRL_DONE = 0;
const CTRL_FAILED = 1;

const WORKER_CODE = `
const { parentPort, workerData } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const ring = new Uint8Array(workerData.ring);
const consumed = new BigInt64Array(workerData.consumed);
const ctrl = new Int32Array(workerData.ctrl);
const digestOut = new Uint8Array(workerData.digest);
const streams = new Map();
parentPort.on('message', (m) => {
  try {
    if (m.op === 'update') {
      let h = streams.get(m.id);
      if (!h) { h = createHash('sha256'); streams.set(m.id, h); }
      h.update(ring.subarray(m.pos, m.pos + m.len));
      Atomics.add(consumed, 0, BigInt(m.len));
      Atomics.notify(consumed, 0);
    } else if (m.op === 'digest') {
      const h = streams.get(m.id) || createHash('sha256');
      streams.delete(m.id);
      digestOut.set(h.digest());
      Atomics.store(ctrl, ${CTRL_DONE}, m.seq);
      Atomics.notify(ctrl, ${CTRL_DONE});
    } else if (m.op === 'drop') {
      streams.delete(m.id);
    }
  } catch (e) {
    Atomics.store(ctrl, ${CTRL_FAILED}, 1);
    Atomics.notify(ctrl, ${CTRL_DONE});
    Atomics.notify(consumed, 0);
  }
});
`;

class HashThread {
  private readonly worker: Worker;
  private readonly ring: Uint8Array;
  private readonly consumed: BigInt64Array;
  private readonly ctrl: Int32Array;
  private readonly digestOut: Uint8Array;
  private produced = 0n;
  private pos = 0;
  private nextId = 1;
  private seq = 0;
  failed = false;

  constructor() {
    const ring = new SharedArrayBuffer(RING);
    const consumed = new SharedArrayBuffer(8);
    const ctrl = new SharedArrayBuffer(8);
    const digest = new SharedArrayBuffer(32);
    this.ring = new Uint8Array(ring);
    this.consumed = new BigInt64Array(consumed);
    this.ctrl = new Int32Array(ctrl);
    this.digestOut = new Uint8Array(digest);
    this.worker = new Worker(WORKER_CODE, { eval: true, workerData: { ring, consumed, ctrl, digest } });
    this.worker.unref();
    const fail = () => { this.failed = true; };
    this.worker.on('error', fail);
    this.worker.on('exit', fail);
  }

  newId(): number { return this.nextId++; }

  update(id: number, bytes: Uint8Array): void {
    for (let at = 0; at < bytes.length;) {
      const len = Math.min(bytes.length - at, RING - this.pos, RING / 4);
      this.waitForRoom(len);
      this.ring.set(bytes.subarray(at, at + len), this.pos);
      this.worker.postMessage({ op: 'update', id, pos: this.pos, len });
      this.produced += BigInt(len);
      this.pos = (this.pos + len) % RING;
      at += len;
    }
  }

  digest(id: number): Buffer {
    const seq = ++this.seq;
    this.worker.postMessage({ op: 'digest', id, seq });
    const until = Date.now() + WAIT_MS;
    while (Atomics.load(this.ctrl, CTRL_DONE) !== seq) {
      this.check(until);
      Atomics.wait(this.ctrl, CTRL_DONE, Atomics.load(this.ctrl, CTRL_DONE), 100);
    }
    return Buffer.from(this.digestOut);
  }

  drop(id: number): void {
    if (!this.failed) this.worker.postMessage({ op: 'drop', id });
  }

  private waitForRoom(len: number): void {
    const until = Date.now() + WAIT_MS;
    for (;;) {
      const used = this.produced - Atomics.load(this.consumed, 0);
      if (used + BigInt(len) <= BigInt(RING)) return;
      this.check(until);
      Atomics.wait(this.consumed, 0, Atomics.load(this.consumed, 0), 100);
    }
  }

  private check(until: number): void {
    if (this.failed || Atomics.load(this.ctrl, CTRL_FAILED) !== 0) {
      this.failed = true;
      throw new Error('the SHA-256 helper thread failed');
    }
    if (Date.now() > until) {
      this.failed = true;
      throw new Error(`the SHA-256 helper thread did not answer within ${WAIT_MS} ms`);
    }
  }
}

let thread: HashThread | undefined;

function helper(): HashThread | undefined {
  if (thread?.failed) thread = undefined;
  if (!thread) {
    try {
      thread = new HashThread();
    } catch {
      return undefined;
    }
  }
  return thread;
}

/** Whether the helper thread runs (tests: large uploads really are hashed off the event loop). */
export function sha256OffloadRunning(): boolean {
  return thread !== undefined && !thread.failed;
}

/** Starts the helper thread now, so the first upload does not wait for it. */
export function warmUpSha256Offload(): void {
  helper();
}

class InlineStream implements Sha256Stream {
  private readonly h: Hash = createHash('sha256');
  update(bytes: Uint8Array): void { this.h.update(bytes); }
  digestHex(): string { return this.h.digest('hex'); }
  drop(): void {}
}

class OffloadedStream implements Sha256Stream {
  private readonly id: number;
  constructor(private readonly t: HashThread) { this.id = t.newId(); }
  update(bytes: Uint8Array): void { this.t.update(this.id, bytes); }
  digestHex(): string { return this.t.digest(this.id).toString('hex'); }
  drop(): void { this.t.drop(this.id); }
}

/** A SHA-256 stream: on the helper thread for large objects (when it runs), inline otherwise. */
export function sha256Stream(size: number, offloadFrom = 1 << 20): Sha256Stream {
  const t = size >= offloadFrom ? helper() : undefined;
  return t ? new OffloadedStream(t) : new InlineStream();
}
