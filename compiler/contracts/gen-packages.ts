// Writes the generated RTL package and HLS header for a config:
//   node --import tsx compiler/contracts/gen-packages.ts [config.json] [outDir]
// Default: boards/ultra96/config.json into rtl/generated/ and hls/generated/.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../../boards/ultra96/board.ts';
import { genSvPackage } from './gen-sv-package.ts';
import { genHlsHeader } from './gen-hls-header.ts';
import type { HwConfig } from './hw-config.ts';

export function writePackages(c: HwConfig, rtlDir: string, hlsDir: string): { sv: string; h: string } {
  mkdirSync(rtlDir, { recursive: true });
  mkdirSync(hlsDir, { recursive: true });
  const sv = join(rtlDir, 'cnna_pkg.sv');
  const h = join(hlsDir, 'cnna_config.h');
  writeFileSync(sv, genSvPackage(c));
  writeFileSync(h, genHlsHeader(c));
  return { sv, h };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const root = fileURLToPath(new URL('../../', import.meta.url));
  const c = loadConfig(process.argv[2]);
  const out = process.argv[3];
  const r = writePackages(c, out ?? join(root, 'rtl/generated'), out ?? join(root, 'hls/generated'));
  console.log(`wrote ${r.sv} and ${r.h}`);
}
