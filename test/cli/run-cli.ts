// Spawns the real `cnna` command (node bin/cnna.js) for the CLI end-to-end tests.
import { spawn, spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

export const repoRoot = resolve(import.meta.dirname, '../..');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function cnna(args: string[], opts: { cwd?: string; timeoutMs?: number } = {}): CliResult {
  const r = spawnSync(process.execPath, [resolve(repoRoot, 'bin/cnna.js'), ...args], {
    cwd: opts.cwd ?? repoRoot,
    encoding: 'utf8',
    timeout: opts.timeoutMs ?? 600_000,
    env: { ...process.env, FORCE_COLOR: '0' },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The real `cnna` command without blocking this process (for tests whose virtual board runs in it). */
export function cnnaAsync(args: string[], opts: { cwd?: string } = {}): Promise<CliResult> {
  return new Promise((res) => {
    const p = spawn(process.execPath, [resolve(repoRoot, 'bin/cnna.js'), ...args], { cwd: opts.cwd ?? repoRoot, env: { ...process.env, FORCE_COLOR: '0' } });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => { stdout += String(d); });
    p.stderr.on('data', (d) => { stderr += String(d); });
    p.once('close', (code) => res({ code, stdout, stderr }));
  });
}
