// Writes the shared engine golden vectors: node --import tsx scripts/gen-engine-vectors.ts
// (test/vectors/engine/case-NNN/ for the default Ultra96 config; see its README).
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultConfig } from '../boards/ultra96/board.ts';
import { configHash } from '../compiler/contracts/hw-config.ts';
import { NAMED_CASES, VECTOR_COUNT, VECTOR_SEED, caseDir, vectorFiles } from '../test/engine/engine-vectors.ts';
import { makeCase } from '../test/engine/random-layer.ts';

const root = fileURLToPath(new URL('../test/vectors/engine/', import.meta.url));
const config = defaultConfig();
const index: { dir: string; kind: string }[] = [];
for (let i = 0; i < VECTOR_COUNT; i++) {
  const dir = join(root, caseDir(i));
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (const [n, b] of vectorFiles(config, i)) writeFileSync(join(dir, n), b);
  index.push({ dir: caseDir(i), kind: makeCase(VECTOR_SEED, i).kind });
}
for (const name of Object.keys(NAMED_CASES)) {
  const dir = join(root, name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (const [n, b] of vectorFiles(config, name)) writeFileSync(join(dir, n), b);
  index.push({ dir: name, kind: 'conv' });
}
writeFileSync(join(root, 'index.json'), `${JSON.stringify({ seed: VECTOR_SEED, configHash: configHash(config), count: VECTOR_COUNT, cases: index }, null, 1)}\n`);
console.log(`wrote ${VECTOR_COUNT} random and ${Object.keys(NAMED_CASES).length} named cases to ${root}`);
