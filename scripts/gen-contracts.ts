// Writes the files generated from the TypeScript contracts (compiler/contracts/):
//   node --import tsx scripts/gen-contracts.ts                 the committed ones: the agent's contract.py
//                                                              and the tables in docs/engine.md, docs/bundle-format.md
//   node --import tsx scripts/gen-contracts.ts --packages DIR [config.json]
//                                                              also the RTL package cnna_pkg.sv (every name) and the
//                                                              C++ header cnna_config.h for a config into DIR
// test/contracts/generated-files.test.ts checks the committed files equal what this writes.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../boards/ultra96/board.ts';
import { applyDocTables } from '../compiler/contracts/gen-doc-tables.ts';
import { genPythonContract } from '../compiler/contracts/gen-python-contract.ts';
import { writePackages } from '../compiler/contracts/gen-packages.ts';

const root = fileURLToPath(new URL('../', import.meta.url));
const PYTHON_CONTRACT = 'boards/ultra96/agent/cnna_agent/contract.py';
const CONTRACT_DOCS = ['docs/engine.md', 'docs/bundle-format.md'];

const written: string[] = [];
writeFileSync(join(root, PYTHON_CONTRACT), genPythonContract());
written.push(PYTHON_CONTRACT);
for (const d of CONTRACT_DOCS) {
  const p = join(root, d);
  writeFileSync(p, applyDocTables(readFileSync(p, 'utf8')));
  written.push(d);
}
const k = process.argv.indexOf('--packages');
if (k > 0) {
  const dir = process.argv[k + 1];
  if (!dir) throw new Error('--packages needs a directory');
  const c = loadConfig(process.argv[k + 2]);
  const r = writePackages(c, dir, dir);
  written.push(r.sv, r.h);
}
console.log(`wrote ${written.join(', ')}`);
