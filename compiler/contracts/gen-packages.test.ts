// The generated HLS header decodes descriptors exactly as bundle-format.ts encodes them
// (compiled with g++ and run on TS-encoded bytes); the SV package lists every field.
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultConfig } from '../../boards/ultra96/board.ts';
import { DESC_FIELDS, emptyDescriptor, encodeDescriptor } from './bundle-format.ts';
import { writePackages } from './gen-packages.ts';

const gxx = ['/usr/bin/g++', '/usr/local/bin/g++'].find((p) => existsSync(p));

describe('generated packages', () => {
  it.skipIf(!gxx)('the HLS header decodes a TS-encoded descriptor field by field (g++)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cnna-hls-'));
    const { h } = writePackages(defaultConfig(), dir, dir);
    const prints = DESC_FIELDS.map((f) => `printf("%lld\\n", (long long)r.${f.name});`).join('\n  ');
    writeFileSync(join(dir, 't.cpp'), `#include "cnna_config.h"\n#include <cstdio>\nint main() {\n  uint8_t d[64];\n  if (fread(d, 1, 64, stdin) != 64) return 2;\n  cnna::Desc r = cnna::decode_desc(d);\n  ${prints}\n  return 0;\n}\n`);
    execFileSync(gxx!, ['-std=c++17', '-Wall', '-Wextra', '-Werror', '-o', join(dir, 't'), join(dir, 't.cpp')], { cwd: dir });
    expect(h.endsWith('cnna_config.h')).toBe(true);
    const d = emptyDescriptor();
    DESC_FIELDS.forEach((f, i) => {
      const max = f.signed ? 2 ** (f.bits - 1) - 1 : 2 ** f.bits - 1;
      d[f.name] = f.signed ? -((i * 977) % (max + 1)) : (i * 2654435761) % (max + 1);
    });
    const bytes = new Uint8Array(64);
    encodeDescriptor(d, new DataView(bytes.buffer), 0);
    const out = execFileSync(join(dir, 't'), { input: bytes }).toString().trim().split('\n').map(Number);
    expect(out).toEqual(DESC_FIELDS.map((f) => d[f.name]));
  });

  it('the SV package has an LSB and width for every descriptor field', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cnna-sv-'));
    const { sv } = writePackages(defaultConfig(), dir, dir);
    const text = execFileSync('cat', [sv]).toString();
    for (const f of DESC_FIELDS) {
      const n = f.name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();
      expect(text).toContain(`localparam int unsigned D_${n}_LSB = ${f.offset * 8 + f.lsb};`);
      expect(text).toContain(`localparam int unsigned D_${n}_W = ${f.bits};`);
    }
  });
});
