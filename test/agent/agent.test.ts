// Runs the PYNQ agent's Python unittest suite (boards/ultra96/agent/tests) so `npm test` covers
// it: every test_*.py module runs in its own python3 process, all at once (most of their wall
// time is waiting on sockets, ptys and a fake engine, so they overlap well on 2 cores). Each
// must exit 0 and run exactly as many tests as the module has test methods (an import error or
// a silently skipped class would change that count).
// The limit is for a hang, not a speed: the suite takes ~9 s of CPU and ~20 s of wall alone,
// but up to ~200 s of wall on a 2-core machine under a load of 15-20.
import { execFileSync, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const testsDir = join(repoRoot, 'boards/ultra96/agent/tests');
const HANG_MS = 900_000;

const modules = readdirSync(testsDir).filter((f) => /^test_.*\.py$/.test(f)).sort();

function countTestMethods(file: string): number {
  return (readFileSync(join(testsDir, file), 'utf8').match(/^\s+def test_\w+\(self/gm) ?? []).length;
}

interface Run { module: string; status: number | null; signal: string | null; out: string; ms: number }

function runModule(file: string): Promise<Run> {
  const module = file.replace(/\.py$/, '');
  const t0 = Date.now();
  return new Promise((res, rej) => {
    const p = spawn('python3', ['-m', 'unittest', module], {
      cwd: testsDir,
      env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    p.stdout.on('data', (d) => { out += String(d); });
    p.stderr.on('data', (d) => { out += String(d); });
    const hang = setTimeout(() => { out += `\n(killed: still running after ${HANG_MS / 1000} s)\n`; p.kill('SIGKILL'); }, HANG_MS);
    p.once('error', (e) => { clearTimeout(hang); rej(e); });
    p.once('close', (status, signal) => { clearTimeout(hang); res({ module, status, signal, out, ms: Date.now() - t0 }); });
  });
}

describe('PYNQ agent (Python unittest)', () => {
  it('passes every test of boards/ultra96/agent/tests', async () => {
    const version = execFileSync('python3', ['--version'], { encoding: 'utf8' }).trim();
    expect(version).toMatch(/^Python 3\.(\d{2,})/);
    expect(modules.length).toBeGreaterThanOrEqual(5);
    const runs = await Promise.all(modules.map(runModule));
    process.stderr.write(`agent python suite: ${runs.map((r) => `${r.module} ${(r.ms / 1000).toFixed(1)} s`).join(', ')}\n`);
    let total = 0;
    for (const [i, r] of runs.entries()) {
      const ran = /^Ran (\d+) tests? in/m.exec(r.out);
      expect(r.status, `${r.module}:\n${r.out.slice(-4000)}`).toBe(0);
      expect(ran, `${r.module}:\n${r.out.slice(-2000)}`).not.toBeNull();
      expect(Number(ran![1]), r.module).toBe(countTestMethods(modules[i]));
      expect(r.out, r.module).toMatch(/^OK/m);
      total += Number(ran![1]);
    }
    expect(total).toBeGreaterThanOrEqual(30);
  }, HANG_MS + 60_000);
});
