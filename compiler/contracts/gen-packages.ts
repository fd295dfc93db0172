// Writes the generated RTL package (every name) and C++ header for a config into two folders. The command-line
// entry is scripts/gen-contracts.ts (`--packages DIR [config.json]`); the flows in sim/ generate their own copies.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
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
