// A real pseudo-terminal pair made by socat (raw, no echo): bytes written to one end come
// out of the other. Used as a serial line between the host runtime and the virtual board.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface PtyPair { a: string; b: string; close(): Promise<void> }

export async function openPtyPair(): Promise<PtyPair> {
  const dir = mkdtempSync(join(tmpdir(), 'cnna-pty-'));
  const a = join(dir, 'host');
  const b = join(dir, 'board');
  const proc: ChildProcess = spawn('socat', ['-d', '-d', `pty,raw,echo=0,link=${a}`, `pty,raw,echo=0,link=${b}`], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  proc.stderr?.on('data', (d) => { stderr += String(d); });
  const t0 = Date.now();
  while (!(existsSync(a) && existsSync(b) && stderr.includes('starting data transfer loop'))) {
    if (proc.exitCode !== null || Date.now() - t0 > 60_000) { // a limit for a hang: socat starts in ms, later under load
      proc.kill();
      throw new Error(`socat did not create the pty pair: ${stderr.trim() || 'no output'}`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  return {
    a, b,
    close: async () => {
      if (proc.exitCode === null) {
        const done = new Promise((r) => proc.once('exit', r));
        proc.kill('SIGTERM');
        await done;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
