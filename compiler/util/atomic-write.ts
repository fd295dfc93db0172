// Outputs written whole or not at all. Each file is written to a temporary file beside it
// (`.<name>.tmp-<pid>-<random>`, same directory so same file system), fsynced, closed and
// renamed over the target; then the directory is fsynced so the rename itself is durable. A
// process killed at any point leaves either the old file or the new one under the target
// name, never a mix or a truncated file (at worst a stale temporary, removed by the next
// write to that directory once its process is gone).
//
// Several files (a bundle) are renamed in the caller's order after ALL of them are written:
// the bundle writer renames the manifest last, so a directory caught between two renames
// holds an old manifest whose hashes do not match the new data files (refused with E_BUNDLE),
// never a silently mixed bundle.
//
// Directories are created one level at a time (`ensureDir`), not with mkdirSync's recursive
// option: on Node 20 that loops forever under /proc (`mkdir -p /proc/x`). Paths on the
// kernel's pseudo file systems (/proc, /sys) are refused up front (PSEUDO_FS_ROOTS).
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { basename, dirname, join, parse, resolve, sep } from 'node:path';
import { CnnaError } from '../errors/cnna-error.ts';
import { ioError } from '../errors/io-error.ts';

/** Kernel pseudo file systems: writing there is never what a user meant, and mkdir can hang. */
export const PSEUDO_FS_ROOTS = ['/proc', '/sys'];

/** Refuses an output path on a pseudo file system (E_IO). */
export function checkOutputPath(path: string): void {
  const abs = resolve(path);
  for (const root of PSEUDO_FS_ROOTS) {
    if (abs === root || abs.startsWith(root + sep)) {
      throw new CnnaError('E_IO', `cannot write '${path}': ${root} is a kernel pseudo file system, not a place for output files`, {
        hint: 'choose an output path on an ordinary file system',
      });
    }
  }
}

/** Early check of an output file (before long work): not on /proc or /sys, not a directory, its directory exists. */
export function checkOutputFile(path: string): void {
  checkOutputPath(path);
  let isDir = false;
  try {
    isDir = statSync(path).isDirectory();
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' && code !== 'ENOTDIR') throw ioError(e, path, 'write'); // ENOTDIR: explained by checkParentDir
  }
  if (isDir) throw new CnnaError('E_IO', `cannot write '${path}': it is a directory`, { hint: 'give a file name, or remove or rename that directory' });
  checkParentDir(path);
}

/** The directory of an output file must exist already (a file output does not create folders). */
function checkParentDir(path: string): string {
  const dir = dirname(resolve(path));
  let isDir: boolean | undefined;
  try {
    isDir = statSync(dir).isDirectory();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw ioError(e, path, 'write');
  }
  if (isDir === undefined) throw new CnnaError('E_IO', `cannot write '${path}': its directory '${dir}' does not exist`, { hint: 'create the directory first, or choose another path' });
  if (!isDir) throw new CnnaError('E_IO', `cannot write '${path}': '${dir}' is a file, not a directory`, { hint: 'choose a path whose parent folders are directories' });
  return dir;
}

/** `mkdir -p`, one level at a time; E_IO naming the path when a level is a file or cannot be created. */
export function ensureDir(dir: string): void {
  checkOutputPath(dir);
  const abs = resolve(dir);
  const { root } = parse(abs);
  let at = root;
  for (const part of abs.slice(root.length).split(sep).filter(Boolean)) {
    at = join(at, part);
    let isDir: boolean | undefined;
    try {
      isDir = statSync(at).isDirectory();
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT') throw ioError(e, at === abs ? dir : at, 'create directory');
    }
    if (isDir === false) {
      throw new CnnaError('E_IO', `cannot create directory '${dir}': '${at}' is a file, not a directory`, {
        hint: at === abs ? 'remove that file or choose another output directory' : 'choose a path whose parent folders are directories',
      });
    }
    if (isDir === undefined) {
      try {
        mkdirSync(at);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'EEXIST' && statSync(at).isDirectory()) continue; // made by someone else meanwhile
        throw ioError(e, at === abs ? dir : at, 'create directory');
      }
    }
  }
}

function tempName(target: string): string {
  return join(dirname(target), `.${basename(target)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes the temporaries that killed writers left for `names` in `dir`. */
function removeStaleTemps(dir: string, names: string[]): void {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return;
  }
  for (const e of entries) {
    const m = /^\.(.+)\.tmp-(\d+)-[0-9a-f]{8}$/.exec(e);
    if (m && names.includes(m[1]) && !alive(Number(m[2]))) rmSync(join(dir, e), { force: true });
  }
}

/** fsync a directory (makes renames in it durable); file systems that refuse it are skipped. */
export function fsyncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // some file systems cannot fsync a directory; the renames are still atomic
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function writeTemp(target: string, data: Uint8Array | string): string {
  const tmp = tempName(target);
  let fd: number | undefined;
  try {
    fd = openSync(tmp, 'wx', 0o644);
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    for (let off = 0; off < bytes.length;) off += writeSync(fd, bytes, off, bytes.length - off);
    fsyncSync(fd);
  } catch (e) {
    if (fd !== undefined) closeSync(fd);
    rmSync(tmp, { force: true });
    throw ioError(e, target, 'write');
  }
  closeSync(fd);
  return tmp;
}

/**
 * Writes `files` (name → bytes) into `dir` whole or not at all: every file goes to a fsynced
 * temporary first, then they are renamed over their targets in the given order, and the
 * directory is fsynced. Creates `dir` when missing. Throws E_IO naming the path.
 */
export function writeFilesAtomic(dir: string, files: [string, Uint8Array | string][]): string[] {
  ensureDir(dir);
  const targets = files.map(([n]) => join(dir, n));
  for (const t of targets) {
    let isDir = false;
    try {
      isDir = statSync(t).isDirectory();
    } catch {
      // absent: fine
    }
    if (isDir) throw new CnnaError('E_IO', `cannot write '${t}': it is a directory`, { hint: 'remove or rename that directory, or choose another output path' });
  }
  removeStaleTemps(dir, files.map(([n]) => n));
  const temps: string[] = [];
  try {
    files.forEach(([, data], i) => temps.push(writeTemp(targets[i], data)));
    temps.forEach((tmp, i) => {
      try {
        renameSync(tmp, targets[i]);
      } catch (e) {
        throw ioError(e, targets[i], 'write');
      }
    });
  } catch (e) {
    for (const t of temps) rmSync(t, { force: true });
    throw e;
  }
  fsyncDir(dir);
  return targets;
}

/** One file, whole or not at all (see writeFilesAtomic); its directory must exist. */
export function writeFileAtomic(path: string, data: Uint8Array | string): void {
  checkOutputPath(path);
  const dir = checkParentDir(path);
  writeFilesAtomic(dir, [[basename(path), data]]);
}

/** A file streamed in pieces, whole or not at all: write to `fd`, then commit() (fsync, close, rename) or abort(). */
export interface AtomicFile { fd: number; commit(): void; abort(): void }

export function createAtomicFile(path: string): AtomicFile {
  checkOutputPath(path);
  const dir = checkParentDir(path);
  let isDir = false;
  try {
    isDir = statSync(path).isDirectory();
  } catch {
    // absent: fine
  }
  if (isDir) throw new CnnaError('E_IO', `cannot write '${path}': it is a directory`, { hint: 'remove or rename that directory, or choose another output path' });
  removeStaleTemps(dir, [basename(path)]);
  const tmp = tempName(path);
  let fd: number;
  try {
    fd = openSync(tmp, 'wx', 0o644);
  } catch (e) {
    throw ioError(e, path, 'write');
  }
  let open = true;
  const abort = (): void => {
    if (open) closeSync(fd);
    open = false;
    rmSync(tmp, { force: true });
  };
  return {
    fd,
    abort,
    commit: () => {
      try {
        fsyncSync(fd);
        closeSync(fd);
        open = false;
        renameSync(tmp, path);
      } catch (e) {
        abort();
        throw ioError(e, path, 'write');
      }
      fsyncDir(dir);
    },
  };
}
