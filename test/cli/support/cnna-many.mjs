#!/usr/bin/env node
// Runs many `cnna` command lines in one process (the same entry as bin/cnna.js: cli/main.ts with
// its argument parsing, error mapping and exit codes), so a test can put 100 cases through the
// CLI without paying the start-up of 100 processes. argv[2]: a JSON file holding an array of
// argument arrays. Each run's exit code is printed to stderr as `#cnna-many <index> <code>`.
import { readFileSync } from 'node:fs';
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../../../cli/main.ts');
const runs = JSON.parse(readFileSync(process.argv[2], 'utf8'));
for (let i = 0; i < runs.length; i++) {
  const code = await main(runs[i]);
  process.stderr.write(`#cnna-many ${i} ${code}\n`);
}
