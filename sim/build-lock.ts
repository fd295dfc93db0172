// The lock that lets concurrent callers (vitest workers, sweeps, several checkouts sharing .cache)
// build one cached simulator model at a time: a lock directory beside the cache entry, holding the
// owner's host and pid. A waiter takes over a lock whose owner process is gone (a build killed
// midway), or, whatever its owner, one older than 20 minutes; so a killed build never leaves the
// next run waiting.
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';

const STALE_MS = 20 * 60_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function ownerGone(lock: string): boolean {
  try {
    const [host, pidText] = readFileSync(join(lock, 'owner'), 'utf8').trim().split(' ');
    const pid = Number(pidText);
    if (host !== hostname() || !Number.isInteger(pid) || pid <= 0) return false;
    try {
      process.kill(pid, 0);
      return false;
    } catch (e) {
      return (e as NodeJS.ErrnoException).code === 'ESRCH';
    }
  } catch {
    // No owner file yet (the owner is between mkdir and write): not gone.
    return false;
  }
}

/**
 * Waits until this process holds `lock`, or until `ready()` says the model exists (then returns false:
 * nothing to build). Returns true when the caller holds the lock and must release it with releaseBuildLock.
 */
export async function acquireBuildLock(lock: string, ready: () => boolean): Promise<boolean> {
  for (;;) {
    if (ready()) return false;
    try {
      mkdirSync(lock);
      writeFileSync(join(lock, 'owner'), `${hostname()} ${process.pid}\n`);
      return true;
    } catch {
      try {
        if (ownerGone(lock) || Date.now() - statSync(lock).mtimeMs > STALE_MS) rmSync(lock, { recursive: true, force: true });
      } catch { /* lock vanished */ }
      await sleep(500);
    }
  }
}

export function releaseBuildLock(lock: string): void {
  rmSync(lock, { recursive: true, force: true });
}
