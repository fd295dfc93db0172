// Runs the PYNQ agent's Python unittest suite (boards/ultra96/agent/tests) so `npm test` covers
// it: exit code 0, and the number of tests run equals the number of test methods in the files
// (an import error or a silently skipped module would change that count).
import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const testsDir = join(repoRoot, 'boards/ultra96/agent/tests');

function countTestMethods(): number {
  let n = 0;
  for (const f of readdirSync(testsDir)) {
    if (!/^test_.*\.py$/.test(f)) continue;
    n += (readFileSync(join(testsDir, f), 'utf8').match(/^\s+def test_\w+\(self/gm) ?? []).length;
  }
  return n;
}

describe('PYNQ agent (Python unittest)', () => {
  it('passes every test of boards/ultra96/agent/tests', () => {
    const version = execFileSync('python3', ['--version'], { encoding: 'utf8' }).trim();
    expect(version).toMatch(/^Python 3\.(\d{2,})/);
    const r = spawnSync('python3', ['-m', 'unittest', 'discover', '-s', testsDir, '-t', testsDir, '-p', 'test_*.py'], {
      cwd: repoRoot,
      encoding: 'utf8',
      timeout: 110_000,
      env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' },
    });
    const out = `${r.stdout}\n${r.stderr}`;
    const ran = /^Ran (\d+) tests? in/m.exec(out);
    expect(r.status, out.slice(-4000)).toBe(0);
    expect(ran, out.slice(-2000)).not.toBeNull();
    expect(Number(ran![1])).toBe(countTestMethods());
    expect(out).toMatch(/^OK/m);
  });
});
