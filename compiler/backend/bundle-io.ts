// Writing and reading bundles: a directory (manifest.json, descriptors.bin, weights.bin) or the
// single-file archive. Reading checks every file's sha256 against the manifest.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FORMAT_NAME, type Bundle, type Manifest } from '../contracts/bundle-format.ts';
import { CnnaError } from '../errors/cnna-error.ts';
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
  mkdirSync(dir, { recursive: true });
  const files = bundleFiles(b);
  const written: string[] = [];
  for (const [n, bytes] of files) { writeFileSync(join(dir, n), bytes); written.push(join(dir, n)); }
  if (archive) { writeFileSync(join(dir, 'bundle.cnnab'), packArchive(files)); written.push(join(dir, 'bundle.cnnab')); }
  return written;
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
  if (statSync(path).isDirectory()) {
    return fromFiles((n) => (existsSync(join(path, n)) ? new Uint8Array(readFileSync(join(path, n))) : undefined), path);
  }
  const files = unpackArchive(new Uint8Array(readFileSync(path)), path);
  return fromFiles((n) => files.get(n), path);
}

export function isBundlePath(path: string): boolean {
  return existsSync(path) && (statSync(path).isDirectory() ? existsSync(join(path, 'manifest.json')) : path.endsWith('.cnnab'));
}
