// File-system failures as typed errors: `ioError(e, path, doing)` turns a Node error (ENOENT,
// EISDIR, ENOTDIR, EEXIST, EACCES, ENAMETOOLONG, ENOSPC, EROFS, ...) into an E_IO CnnaError
// that names the path, says what went wrong in words and what to do. The CLI also sends every
// file-system error that reaches it unconverted through here, so none is an "internal error".
import { CnnaError } from './cnna-error.ts';

/** errno code → what it means and what to do (the `%s` in a hint is the path). */
const MEANING: Record<string, [string, string]> = {
  ENOENT: ['no such file or directory', 'check the path'],
  ENOTDIR: ['a part of the path is a file, not a directory', 'choose a path whose parent folders are directories'],
  EISDIR: ['it is a directory', 'remove or rename that directory, or choose another path'],
  EEXIST: ['it already exists', 'remove it or choose another path'],
  EACCES: ['permission denied', 'choose a location you can write to, or fix its permissions'],
  EPERM: ['operation not permitted', 'choose a location you can write to, or fix its permissions'],
  ENAMETOOLONG: ['the name is too long', 'use a shorter path (at most 255 bytes per name and 4096 in all)'],
  ENOSPC: ['no space left on the device', 'free some space or choose another disk'],
  EDQUOT: ['disk quota exceeded', 'free some space or choose another disk'],
  EROFS: ['the file system is read-only', 'choose a writable location'],
  EMFILE: ['too many open files', 'close other programs or raise the limit (ulimit -n)'],
  ENFILE: ['too many open files in the system', 'close other programs'],
  ELOOP: ['too many symbolic links in the path', 'check the symbolic links in the path'],
  EBUSY: ['the file is busy', 'retry when no other program uses it'],
  EXDEV: ['the rename crosses file systems', 'write the output on the same file system as its directory'],
  EIO: ['an input/output error from the device', 'check the disk (dmesg) and retry'],
  EINVAL: ['the operation is not supported at this path', 'choose a path on an ordinary file system'],
};

export interface ErrnoLike { code?: string; syscall?: string; path?: string; message?: string }

/** A Node system error with an errno code (what fs calls throw). */
export function isErrno(e: unknown): e is ErrnoLike & Error {
  return e instanceof Error && typeof (e as ErrnoLike).code === 'string' && /^E[A-Z0-9]+$/.test((e as ErrnoLike).code!);
}

/** The E_IO error for a failed file-system call: `cannot <doing> '<path>': <meaning> (<CODE>)`. */
export function ioError(e: unknown, path: string, doing: string): CnnaError {
  const code = isErrno(e) ? e.code! : undefined;
  const [meaning, hint] = (code && MEANING[code]) || [code ? `system error ${code}` : (e as Error)?.message ?? String(e), 'check the path and retry'];
  return new CnnaError('E_IO', `cannot ${doing} '${path}': ${meaning}${code ? ` (${code})` : ''}`, { hint, cause: e });
}

/** What a bare fs error that reached the CLI was doing, from its syscall. */
export function ioErrorFromErrno(e: ErrnoLike & Error): CnnaError {
  const doing: Record<string, string> = {
    open: 'open', read: 'read', write: 'write', mkdir: 'create directory', rename: 'rename to', unlink: 'remove',
    rmdir: 'remove', scandir: 'list', stat: 'read', lstat: 'read', fsync: 'sync', copyfile: 'copy', access: 'access',
  };
  return ioError(e, e.path ?? '(unknown path)', doing[e.syscall ?? ''] ?? e.syscall ?? 'access');
}
