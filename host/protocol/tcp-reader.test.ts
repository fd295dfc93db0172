// The zero-copy TCP reader (createTcpReader): frames of every size up to maxFrame, delivered
// in reads of random sizes, come out byte-exact and in order whether the bytes arrive through
// readBuffer/commit or push; the buffer stays within its bound, always offers room for a read,
// and an oversized length ends the stream.
import { describe, expect, it } from 'vitest';
import { prng } from '../../test/e2e/support/link-faults.ts';
import { createStreamDecoder, createTcpReader, type StreamEvent } from './stream-decoder.ts';

const MAX = 200_000;

function lengthPrefixed(frames: Uint8Array[]): Uint8Array {
  const out = Buffer.alloc(frames.reduce((t, f) => t + 4 + f.length, 0));
  let at = 0;
  for (const f of frames) {
    out.writeUInt32LE(f.length, at);
    out.set(f, at + 4);
    at += 4 + f.length;
  }
  return out;
}

function randomFrames(rnd: () => number, n: number): Uint8Array[] {
  const sizes = [16, 17, 100, 65535, 65536, 65537, MAX - 1, MAX];
  return Array.from({ length: n }, (_, i) => {
    const len = rnd() < 0.4 ? sizes[i % sizes.length] : 16 + Math.floor(rnd() * (MAX - 16));
    return Uint8Array.from({ length: len }, (_, j) => (j * 7 + i * 13 + len) & 0xff);
  });
}

const hexOf = (e: StreamEvent) => (e.kind === 'frame' ? Buffer.from(e.bytes).toString('hex') : e.kind);

describe('TCP reader (zero-copy reads)', () => {
  it('delivers frames of every size byte-exact through reads of random sizes, in bounded memory', () => {
    const rnd = prng(4242);
    const frames = randomFrames(rnd, 60);
    const stream = lengthPrefixed(frames);
    const reader = createTcpReader(MAX);
    const got: string[] = [];
    let peak = 0;
    for (let at = 0; at < stream.length;) {
      const into = reader.readBuffer();
      expect(into.length).toBeGreaterThanOrEqual(65536);
      const k = Math.min(into.length, stream.length - at, 1 + Math.floor(rnd() * (rnd() < 0.5 ? 3000 : 400_000)));
      into.set(stream.subarray(at, at + k));
      at += k;
      // Frame bytes are only valid until the next readBuffer(): read them now.
      for (const e of reader.commit(k)) got.push(hexOf(e));
      peak = Math.max(peak, reader.buffered());
    }
    expect(got).toEqual(frames.map((f) => Buffer.from(f).toString('hex')));
    expect(reader.buffered()).toBe(0);
    expect(peak).toBeLessThanOrEqual(2 * (MAX + 4) + 65536);
  });

  it('gives the same events through push() as the copying decoder, for a stream with short and oversized lengths', () => {
    const rnd = prng(77);
    const frames = randomFrames(rnd, 12);
    const bad = Buffer.from([5, 0, 0, 0, 1, 2, 3, 4, 5]);
    const huge = Buffer.alloc(4);
    huge.writeUInt32LE(MAX + 1);
    const stream = Buffer.concat([lengthPrefixed(frames.slice(0, 6)), bad, lengthPrefixed(frames.slice(6)), huge, lengthPrefixed(frames.slice(0, 2))]);
    const reference = createStreamDecoder('tcp', MAX);
    const reader = createTcpReader(MAX);
    const a: string[] = [];
    const b: string[] = [];
    // The reader gets every piece in the same reused buffer (as a socket's onread delivers
    // them), overwritten right after the call: it must keep nothing that points into it.
    const reused = Buffer.alloc(300_000);
    for (let at = 0; at < stream.length;) {
      const k = Math.min(stream.length - at, 1 + Math.floor(rnd() * 300_000));
      const piece = stream.subarray(at, at + k);
      for (const e of reference.push(piece)) a.push(hexOf(e));
      reused.set(piece);
      for (const e of reader.push(reused.subarray(0, k))) b.push(hexOf(e));
      reused.fill(0xa5);
      at += k;
    }
    expect(b).toEqual(a);
    expect(a.filter((x) => x === 'error')).toHaveLength(2);
    expect(a[a.length - 1]).toBe('close');
    expect(a.filter((x) => x !== 'error' && x !== 'close')).toEqual(frames.map((f) => Buffer.from(f).toString('hex')));
  });
});
