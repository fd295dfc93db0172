// The build lock: a lock left by a killed build (its owner process gone) is taken over at once
// instead of after the 20-minute staleness limit; a live owner's lock is waited for.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { acquireBuildLock, releaseBuildLock } from './build-lock.ts';

const dir = mkdtempSync(join(tmpdir(), 'cnna-lock-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('simulator build lock', () => {
  it('takes over a lock whose owner process is gone', async () => {
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    const lock = join(dir, 'a.lock');
    mkdirSync(lock);
    writeFileSync(join(lock, 'owner'), `${hostname()} ${dead.stdout}\n`);
    expect(await acquireBuildLock(lock, () => false)).toBe(true);
    expect(readFileSync(join(lock, 'owner'), 'utf8')).toBe(`${hostname()} ${process.pid}\n`);
    releaseBuildLock(lock);
    expect(existsSync(lock)).toBe(false);
  }, 30_000);

  it('waits for a live owner, and returns false when the model appears meanwhile', async () => {
    const lock = join(dir, 'b.lock');
    mkdirSync(lock);
    writeFileSync(join(lock, 'owner'), `${hostname()} ${process.pid}\n`);
    let polls = 0;
    expect(await acquireBuildLock(lock, () => ++polls > 3)).toBe(false);
    expect(existsSync(lock)).toBe(true);
  }, 30_000);
});
