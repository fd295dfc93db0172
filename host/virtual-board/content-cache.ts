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
import { createHash, type Hash } from 'node:crypto';
import {
  closeSync, existsSync, mkdirSync, openSync, readFileSync, readSync, readdirSync, renameSync,
  rmSync, statSync, writeFileSync, writeSync,
} from 'node:fs';
import { join, resolve, sep } from 'node:path';
import { addRange, rangesTotal, type Range } from '../protocol/ranges.ts';
import { ProtocolError } from '../protocol/protocol-error.ts';
import { isHash } from './body-fields.ts';

export const OBJECT_KINDS = ['bitstream', 'hwh', 'bundle'] as const;
export type ObjectKind = (typeof OBJECT_KINDS)[number];

export interface PartialUpload {
  kind: ObjectKind;
  size: number;
  ranges: Range[];
  /** SHA-256 over bytes [0, hashedUpTo), kept while chunks arrive in order; dropped when a write touches that prefix. */
  hasher?: Hash;
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
    const p: PartialUpload = { kind, size, ranges, hashedUpTo: ranges.length === 0 ? 0 : -1, hasher: ranges.length === 0 ? createHash('sha256') : undefined };
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
    const p: PartialUpload = { kind, size, ranges: [], hasher: createHash('sha256'), hashedUpTo: 0 };
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
    if (p.hasher && offset < p.hashedUpTo) p.hasher = undefined;
    if (p.hasher && offset === p.hashedUpTo) {
      p.hasher.update(data);
      p.hashedUpTo += data.length;
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
    const incremental = p.hasher !== undefined && p.hashedUpTo >= 0;
    const h = incremental ? p.hasher! : createHash('sha256');
    const fd = openSync(part, 'r');
    try {
      const buf = Buffer.alloc(1 << 20);
      for (let at = incremental ? p.hashedUpTo : 0; at < p.size;) {
        const n = readSync(fd, buf, 0, Math.min(buf.length, p.size - at), at);
        if (n <= 0) break;
        h.update(buf.subarray(0, n));
        at += n;
      }
    } finally {
      closeSync(fd);
    }
    const got = h.digest('hex');
    if (got !== hash) {
      this.discard(hash);
      throw new ProtocolError('HASH_MISMATCH', `uploaded bytes hash to ${got}, not the declared ${hash}; the upload was discarded`);
    }
    writeFileSync(this.hashPath('objects', hash, '.json'), JSON.stringify({ kind: p.kind, size: p.size }));
    renameSync(part, this.hashPath('objects', hash, ''));
    this.discard(hash);
    return { kind: p.kind, size: p.size };
  }

  /** Removes a verified object (DEPLOY refused it). */
  remove(hash: string): void {
    rmSync(this.hashPath('objects', hash, ''), { force: true });
    rmSync(this.hashPath('objects', hash, '.json'), { force: true });
  }

  discard(hash: string): void {
    this.closeFds(hash);
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
