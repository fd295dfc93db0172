// The committed engine golden vectors are current (same bytes as the compiler and golden model
// produce now), and the engine model reproduces every expected output from the files alone.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultConfig } from '../../boards/ultra96/board.ts';
import { readBundle } from '../../compiler/backend/bundle-io.ts';
import { runBundle } from '../../sim/ref/run-bundle.ts';
import { NAMED_CASES, VECTOR_COUNT, caseDir, vectorFiles } from './engine-vectors.ts';

const ALL: (number | string)[] = [...Array.from({ length: VECTOR_COUNT }, (_, i) => i), ...Object.keys(NAMED_CASES)];
const dirOf = (i: number | string): string => (typeof i === 'number' ? caseDir(i) : i);

const root = fileURLToPath(new URL('../vectors/engine/', import.meta.url));
const config = defaultConfig();

describe('engine golden vectors (test/vectors/engine)', () => {
  it(`${VECTOR_COUNT} random and the named committed cases equal a fresh compile + golden run`, () => {
    const stale: string[] = [];
    for (const i of ALL) {
      for (const [n, b] of vectorFiles(config, i)) {
        const onDisk = new Uint8Array(readFileSync(join(root, dirOf(i), n)));
        if (Buffer.compare(Buffer.from(onDisk), Buffer.from(b)) !== 0) stale.push(`${dirOf(i)}/${n}`);
      }
    }
    expect(stale).toEqual([]);
  });

  it('the engine model run from the files reproduces every expected output', () => {
    let exact = 0;
    let elements = 0;
    for (const i of ALL) {
      const dir = join(root, dirOf(i));
      const meta = JSON.parse(readFileSync(join(dir, 'case.json'), 'utf8')) as { inputs: { name: string; file: string }[]; outputs: { name: string; file: string }[] };
      const raw: Record<string, Int16Array> = {};
      for (const io of meta.inputs) { const b = readFileSync(join(dir, io.file)); raw[io.name] = new Int16Array(b.buffer, b.byteOffset, b.length / 2); }
      const r = runBundle(readBundle(dir), {}, { config, rawInputs: raw });
      let same = true;
      for (const io of meta.outputs) {
        const b = readFileSync(join(dir, io.file));
        const want = new Int16Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.length));
        elements += want.length;
        if (Buffer.compare(Buffer.from(want.buffer), Buffer.from(r.raw[io.name].q.buffer)) !== 0) same = false;
      }
      if (same) exact++;
    }
    expect(exact).toBe(ALL.length);
    expect(elements).toBeGreaterThan(50_000);
  });
});
