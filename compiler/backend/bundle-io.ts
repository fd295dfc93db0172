// Writing and reading bundles: a directory (manifest.json, descriptors.bin, weights.bin) or the
// single-file archive. Reading checks every file's sha256 against the manifest, in both forms.
// Writing is atomic per file (util/atomic-write.ts) and orders the renames so that a writer
// killed at any point leaves a directory that either holds a complete bundle or is refused
// with E_BUNDLE: data files first, then bundle.cnnab, manifest.json last.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { FORMAT_NAME, type Bundle, type Manifest } from '../contracts/bundle-format.ts';
import { CnnaError } from '../errors/cnna-error.ts';
import { ioError } from '../errors/io-error.ts';
import { writeFilesAtomic } from '../util/atomic-write.ts';
import { packArchive, unpackArchive } from './bundle-archive.ts';

export function bundleFiles(b: Bundle): [string, Uint8Array][] {
  return [
    ['manifest.json', new TextEncoder().encode(`${JSON.stringify(b.manifest, null, 2)}\n`)],
    [b.manifest.descriptors.file, b.descriptors],
    [b.manifest.params.file, b.weights],
  ];
}

/** Write the bundle directory, and `bundle.cnnab` beside its files when `archive` is set. */
export function writeBundle(b: Bundle, dir: string, archive = false): string[] {
  const files = bundleFiles(b);
  const [manifest, ...data] = files;
  const ordered: [string, Uint8Array][] = [...data, ...(archive ? [['bundle.cnnab', packArchive(files)] as [string, Uint8Array]] : []), manifest];
  const written = writeFilesAtomic(dir, ordered);
  // reported in the usual order: manifest, data files, archive
  return [written[written.length - 1], ...written.slice(0, -1)];
}

function fromFiles(get: (name: string) => Uint8Array | undefined, source: string): Bundle {
  const mj = get('manifest.json');
  if (!mj) throw new CnnaError('E_BUNDLE', `${source} has no manifest.json`);
  let manifest: Manifest;
  try {
    manifest = JSON.parse(new TextDecoder().decode(mj)) as Manifest;
  } catch (e) {
    throw new CnnaError('E_BUNDLE', `${source}/manifest.json is not JSON: ${(e as Error).message}`);
  }
  if (manifest.format !== FORMAT_NAME) throw new CnnaError('E_BUNDLE', `${source}/manifest.json is not a cnna bundle manifest (format '${String(manifest.format)}')`);
  const need = (name: string): Uint8Array => {
    const b = get(name);
    if (!b) throw new CnnaError('E_BUNDLE', `${source} lacks ${name}, which its manifest names`);
    const sha = createHash('sha256').update(b).digest('hex');
    if (manifest.files?.[name] !== sha) {
      throw new CnnaError('E_BUNDLE', `${source}/${name} has sha256 ${sha.slice(0, 16)}…, the manifest says ${String(manifest.files?.[name]).slice(0, 16)}…`, { hint: 'the bundle is corrupt or was edited; recompile it' });
    }
    return b;
  };
  return { manifest, descriptors: need(manifest.descriptors.file), weights: need(manifest.params.file) };
}

/** Read a bundle directory or a `.cnnab` archive. */
export function readBundle(path: string): Bundle {
  if (!existsSync(path)) throw new CnnaError('E_IO', `bundle ${path} does not exist`);
  const read = (p: string): Uint8Array => {
    try {
      return new Uint8Array(readFileSync(p));
    } catch (e) {
      throw ioError(e, p, 'read the bundle file');
    }
  };
  if (statSync(path).isDirectory()) {
    return fromFiles((n) => (existsSync(join(path, n)) ? read(join(path, n)) : undefined), path);
  }
  const files = unpackArchive(read(path), path);
  return fromFiles((n) => files.get(n), path);
}

export function isBundlePath(path: string): boolean {
  return existsSync(path) && (statSync(path).isDirectory() ? existsSync(join(path, 'manifest.json')) : path.endsWith('.cnnab'));
}
