// The agent's content-addressed cache directory (docs/protocol.md 4.2, 6):
//   objects/<sha256>          verified objects (bitstream, .hwh, bundle)
//   objects/<sha256>.json     {kind, size}
//   partial/<sha256>.part     an upload in progress (bytes at their offsets)
//   partial/<sha256>.json     {kind, size}
//   partial/<sha256>.log      append-only (u32 offset, u32 length) records of persisted chunks
//   active.json               the active deployment, replaced by write-temp-then-rename
// Invariants: every path is built from a validated 64-hex hash (or a fixed name) and checked
// to lie inside the root; an object exists in objects/ only after its SHA-256 matched; a
// chunk is recorded in the log only after its bytes were written.
import { createHash } from 'node:crypto';
import {
  closeSync, existsSync, mkdirSync, openSync, readFileSync, readSync, readdirSync, renameSync,
  rmSync, statSync, writeFileSync, writeSync,
} from 'node:fs';
import { join, resolve, sep } from 'node:path';
import { addRange, rangesTotal, type Range } from '../protocol/ranges.ts';
import { ProtocolError } from '../protocol/protocol-error.ts';
import { isHash } from './body-fields.ts';
import { sha256Stream, type Sha256Stream } from './sha256-offload.ts';

export const OBJECT_KINDS = ['bitstream', 'hwh', 'bundle'] as const;
export type ObjectKind = (typeof OBJECT_KINDS)[number];

export interface PartialUpload {
  kind: ObjectKind;
  size: number;
  ranges: Range[];
  /**
   * SHA-256 over bytes [0, hashedUpTo), kept while chunks arrive in order (on a helper thread for
   * large objects); dropped when a write touches that prefix or the helper fails (then
   * UPLOAD_END hashes the whole file).
   */
  hasher?: Sha256Stream;
  hashedUpTo: number;
}

const MAX_OPEN_UPLOADS = 4;
export interface ActiveRecord { deployId: string; bitstream: string; hwh: string; bundle: string }

export class ContentCache {
  readonly root: string;
  private readonly partials = new Map<string, PartialUpload>();
  /** Open file descriptors of uploads in progress (data, log), least recently used first. */
  private readonly fds = new Map<string, { data: number; log: number }>();

  constructor(root: string) {
    this.root = resolve(root);
    mkdirSync(join(this.root, 'objects'), { recursive: true });
    mkdirSync(join(this.root, 'partial'), { recursive: true });
  }

  private path(sub: 'objects' | 'partial' | '', name: string): string {
    const p = resolve(this.root, sub, name);
    if (!p.startsWith(this.root + sep)) throw new ProtocolError('BAD_REQUEST', `path '${name}' leaves the cache directory`);
    return p;
  }

  private hashPath(sub: 'objects' | 'partial', hash: string, ext: string): string {
    if (!isHash(hash)) throw new ProtocolError('BAD_REQUEST', `'${String(hash).slice(0, 80)}' is not a SHA-256 hash (64 lowercase hex characters)`);
    return this.path(sub, hash + ext);
  }

  has(hash: string): boolean {
    return existsSync(this.hashPath('objects', hash, ''));
  }

  objectMeta(hash: string): { kind: ObjectKind; size: number } | undefined {
    const p = this.hashPath('objects', hash, '.json');
    if (!existsSync(p)) return undefined;
    return JSON.parse(readFileSync(p, 'utf8'));
  }

  objectPath(hash: string): string {
    return this.hashPath('objects', hash, '');
  }

  read(hash: string): Buffer {
    return readFileSync(this.hashPath('objects', hash, ''));
  }

  list(): { sha256: string; kind: ObjectKind; size: number }[] {
    return readdirSync(join(this.root, 'objects'))
      .filter((n) => isHash(n))
      .sort()
      .map((h) => ({ sha256: h, ...(this.objectMeta(h) ?? { kind: 'bundle' as ObjectKind, size: statSync(this.hashPath('objects', h, '')).size }) }));
  }

  partial(hash: string): PartialUpload | undefined {
    const known = this.partials.get(hash);
    if (known) return known;
    const meta = this.hashPath('partial', hash, '.json');
    if (!existsSync(meta)) return undefined;
    const { kind, size } = JSON.parse(readFileSync(meta, 'utf8')) as { kind: ObjectKind; size: number };
    let ranges: Range[] = [];
    const logPath = this.hashPath('partial', hash, '.log');
    if (existsSync(logPath)) {
      const log = readFileSync(logPath);
      for (let i = 0; i + 8 <= log.length; i += 8) {
        const off = log.readUInt32LE(i);
        const len = log.readUInt32LE(i + 4);
        if (off + len <= size) ranges = addRange(ranges, off, off + len);
      }
    }
    const p: PartialUpload = { kind, size, ranges, hashedUpTo: ranges.length === 0 ? 0 : -1, hasher: ranges.length === 0 ? sha256Stream(size) : undefined };
    this.partials.set(hash, p);
    return p;
  }

  private open(hash: string): { data: number; log: number } {
    let f = this.fds.get(hash);
    if (f) {
      this.fds.delete(hash);
      this.fds.set(hash, f);
      return f;
    }
    f = { data: openSync(this.hashPath('partial', hash, '.part'), 'r+'), log: openSync(this.hashPath('partial', hash, '.log'), 'a') };
    this.fds.set(hash, f);
    if (this.fds.size > MAX_OPEN_UPLOADS) this.closeFds(this.fds.keys().next().value!);
    return f;
  }

  private closeFds(hash: string): void {
    const f = this.fds.get(hash);
    if (!f) return;
    this.fds.delete(hash);
    closeSync(f.data);
    closeSync(f.log);
  }

  /** Closes every open file (the agent is stopping). */
  close(): void {
    for (const h of [...this.fds.keys()]) this.closeFds(h);
  }

  /** Starts (or finds) an upload; a partial upload with a different size or kind restarts. */
  begin(hash: string, kind: ObjectKind, size: number): PartialUpload {
    const existing = this.partial(hash);
    if (existing && existing.size === size && existing.kind === kind) return existing;
    if (existing) this.discard(hash);
    writeFileSync(this.hashPath('partial', hash, '.json'), JSON.stringify({ kind, size }));
    writeFileSync(this.hashPath('partial', hash, '.part'), new Uint8Array(0));
    writeFileSync(this.hashPath('partial', hash, '.log'), new Uint8Array(0));
    const p: PartialUpload = { kind, size, ranges: [], hasher: sha256Stream(size), hashedUpTo: 0 };
    this.partials.set(hash, p);
    return p;
  }

  writeChunk(hash: string, offset: number, data: Uint8Array): PartialUpload {
    const p = this.partial(hash);
    if (!p) throw new ProtocolError('UNKNOWN_UPLOAD', `no upload in progress for ${hash}`);
    const f = this.open(hash);
    let done = 0;
    while (done < data.length) done += writeSync(f.data, data, done, data.length - done, offset + done);
    const rec = Buffer.alloc(8);
    rec.writeUInt32LE(offset, 0);
    rec.writeUInt32LE(data.length, 4);
    writeSync(f.log, rec);
    if (p.hasher && offset < p.hashedUpTo) this.dropHasher(p);
    if (p.hasher && offset === p.hashedUpTo) {
      try {
        p.hasher.update(data);
        p.hashedUpTo += data.length;
      } catch {
        this.dropHasher(p);
      }
    }
    p.ranges = addRange(p.ranges, offset, offset + data.length);
    return p;
  }

  /** Verifies the SHA-256 of a complete upload and moves it into objects/ (rename). */
  finish(hash: string): { kind: ObjectKind; size: number } {
    const p = this.partial(hash);
    if (!p) throw new ProtocolError('UNKNOWN_UPLOAD', `no upload in progress for ${hash}`);
    if (rangesTotal(p.ranges) !== p.size) {
      throw new ProtocolError('INCOMPLETE', `upload ${hash.slice(0, 12)}… holds ${rangesTotal(p.ranges)} of ${p.size} bytes`, { received: p.ranges });
    }
    this.closeFds(hash);
    const part = this.hashPath('partial', hash, '.part');
    let got: string | undefined;
    if (p.hasher) {
      // The hasher holds the in-order prefix; the rest (chunks that came out of order) is read back.
      const hasher = p.hasher;
      p.hasher = undefined;
      try {
        readFileRange(part, p.hashedUpTo, p.size, (b) => hasher.update(b));
        got = hasher.digestHex();
      } catch {
        hasher.drop();
      }
    }
    // A mismatch is confirmed from the file before the upload is thrown away.
    if (got !== hash) {
      const h = createHash('sha256');
      readFileRange(part, 0, p.size, (b) => h.update(b));
      got = h.digest('hex');
    }
    if (got !== hash) {
      this.discard(hash);
      throw new ProtocolError('HASH_MISMATCH', `uploaded bytes hash to ${got}, not the declared ${hash}; the upload was discarded`);
    }
    writeFileSync(this.hashPath('objects', hash, '.json'), JSON.stringify({ kind: p.kind, size: p.size }));
    renameSync(part, this.hashPath('objects', hash, ''));
    this.discard(hash);
    return { kind: p.kind, size: p.size };
  }

  private dropHasher(p: PartialUpload): void {
    p.hasher?.drop();
    p.hasher = undefined;
  }

  discard(hash: string): void {
    this.closeFds(hash);
    const p = this.partials.get(hash);
    if (p) this.dropHasher(p);
    this.partials.delete(hash);
    for (const ext of ['.part', '.json', '.log']) rmSync(this.hashPath('partial', hash, ext), { force: true });
  }

  readActive(): ActiveRecord | undefined {
    const p = this.path('', 'active.json');
    if (!existsSync(p)) return undefined;
    try {
      const r = JSON.parse(readFileSync(p, 'utf8')) as ActiveRecord;
      return [r.bitstream, r.hwh, r.bundle].every(isHash) && typeof r.deployId === 'string' ? r : undefined;
    } catch {
      return undefined;
    }
  }

  writeActive(r: ActiveRecord): void {
    const tmp = this.path('', `active.json.tmp-${process.pid}`);
    writeFileSync(tmp, JSON.stringify(r));
    renameSync(tmp, this.path('', 'active.json'));
  }

  bytes(): number {
    return this.list().reduce((t, o) => t + o.size, 0);
  }
}

/** Calls `use` with bytes [from, to) of a file, in pieces of at most 1 MiB (valid during the call). */
function readFileRange(path: string, from: number, to: number, use: (bytes: Uint8Array) => void): void {
  if (from >= to) return;
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(Math.min(1 << 20, to - from));
    for (let at = from; at < to;) {
      const n = readSync(fd, buf, 0, Math.min(buf.length, to - at), at);
      if (n <= 0) throw new Error(`${path} ends at ${at}, before ${to}`);
      use(buf.subarray(0, n));
      at += n;
    }
  } finally {
    closeSync(fd);
  }
}
