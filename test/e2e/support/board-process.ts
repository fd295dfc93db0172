// The virtual board in its own process (`cnna board serve --virtual … --json`), so its memory
// can be measured alone (VmRSS of that pid) and a flood cannot disturb the test's process.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from './shared-paths.ts';

export interface BoardProcess { pid: number; port: number; proc: ChildProcess; stop(): Promise<void> }

export async function startBoardProcess(opts: { token: string; backend?: string; args?: string[] }): Promise<BoardProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'cnna-board-proc-'));
  const proc = spawn(process.execPath, [join(repoRoot, 'bin/cnna.js'), 'board', 'serve', '--virtual', '--backend', opts.backend ?? 'ref',
    '--tcp', '0', '--token', opts.token, '--cache', dir, '--json', ...(opts.args ?? [])], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  proc.stderr!.on('data', (d) => { err += String(d); });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    proc.stdout!.on('data', (d) => {
      out += String(d);
      const m = /"listening":"tcp:[^"]*:(\d+)"/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    proc.once('exit', (c) => reject(new Error(`board serve exited with ${c}: ${err}`)));
  });
  return {
    pid: proc.pid!, port, proc,
    stop: async () => {
      if (proc.exitCode === null) {
        const gone = new Promise((r) => proc.once('exit', r));
        proc.kill('SIGTERM');
        await gone;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Resident memory of a process, MiB (VmRSS). */
export function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}
