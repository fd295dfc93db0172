// Bundle files: directory and archive hold the same bytes; a corrupted or truncated bundle is
// refused with a message naming the file.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileBundle } from './compile-bundle.ts';
import { readBundle, writeBundle } from './bundle-io.ts';
import { unpackArchive } from './bundle-archive.ts';
import { defaultConfig } from '../../boards/ultra96/board.ts';
import { makeCase } from '../../test/engine/random-layer.ts';

describe('bundle files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cnna-bundle-'));
  const b = compileBundle(makeCase(1, 3).qm, defaultConfig());
  writeBundle(b, dir, true);

  it('the directory and the archive read back to the same bundle', () => {
    const a = readBundle(dir);
    const c = readBundle(join(dir, 'bundle.cnnab'));
    expect(a.manifest).toEqual(b.manifest);
    expect(Buffer.from(c.descriptors)).toEqual(Buffer.from(b.descriptors));
    expect(Buffer.from(c.weights)).toEqual(Buffer.from(b.weights));
    const arch = readFileSync(join(dir, 'bundle.cnnab'));
    expect(arch.subarray(0, 8).toString('latin1')).toBe('CNNAB1\0\0');
    expect(arch.readUInt32LE(8)).toBe(3);
    expect(arch.readUInt16LE(12)).toBe('manifest.json'.length);
  });

  it('a changed weights.bin is refused naming the file and both hashes', () => {
    const bad = mkdtempSync(join(tmpdir(), 'cnna-bundle-bad-'));
    writeBundle(b, bad);
    const w = readFileSync(join(bad, 'weights.bin'));
    w[w.length - 1] ^= 1;
    writeFileSync(join(bad, 'weights.bin'), w);
    expect(() => readBundle(bad)).toThrow(new RegExp(`^${bad}/weights.bin has sha256 [0-9a-f]{16}…, the manifest says ${b.manifest.files['weights.bin'].slice(0, 16)}…$`));
  });

  it('the single-file bundle checks its own hashes: a changed weight byte inside bundle.cnnab is refused', () => {
    const arch = readFileSync(join(dir, 'bundle.cnnab'));
    arch[arch.length - 1] ^= 1; // weights.bin is the last file of the archive
    const bad = join(mkdtempSync(join(tmpdir(), 'cnna-bundle-arch-')), 'bundle.cnnab');
    writeFileSync(bad, arch);
    expect(() => readBundle(bad)).toThrow(new RegExp(`^${bad}/weights.bin has sha256 [0-9a-f]{16}…, the manifest says ${b.manifest.files['weights.bin'].slice(0, 16)}…$`));
  });

  it('writing over a bundle leaves no temporaries, and removes those of a writer that died', () => {
    const d = mkdtempSync(join(tmpdir(), 'cnna-bundle-tmp-'));
    writeFileSync(join(d, '.weights.bin.tmp-999999999-0badc0de'), 'left by a killed compile');
    writeFileSync(join(d, '.weights.bin.tmp-' + process.pid + '-00000000'), 'a live writer (this process)');
    writeFileSync(join(d, 'notes.txt'), 'not ours');
    writeBundle(b, d, true);
    writeBundle(b, d, true);
    expect(readdirSync(d).sort()).toEqual(['.weights.bin.tmp-' + process.pid + '-00000000', 'bundle.cnnab', 'descriptors.bin', 'manifest.json', 'notes.txt', 'weights.bin']);
    expect(readBundle(d).manifest).toEqual(b.manifest);
  });

  it('a truncated archive is refused', () => {
    const arch = readFileSync(join(dir, 'bundle.cnnab'));
    expect(() => unpackArchive(arch.subarray(0, arch.length - 10), 'x.cnnab')).toThrow(/^x\.cnnab: file 'weights\.bin' \(\d+ bytes at \d+\) runs past the end \(\d+ bytes\)$/);
    expect(() => unpackArchive(new Uint8Array(4), 'y.cnnab')).toThrow("y.cnnab is not a cnna bundle archive (no CNNAB1 magic)");
  });
});
