// The single-file bundle (`bundle.cnnab`): "CNNAB1\0\0" (8 B) | u32 LE file count | per file:
// u16 LE name length, name (UTF-8), u64 LE offset, u64 LE size | the file bytes at their offsets.
// manifest.json is the first file. Same bytes as the bundle directory.
import { ARCHIVE_MAGIC } from '../contracts/bundle-format.ts';
import { CnnaError } from '../errors/cnna-error.ts';

export { ARCHIVE_MAGIC };

export function packArchive(files: [string, Uint8Array][]): Uint8Array {
  const enc = new TextEncoder();
  const names = files.map(([n]) => enc.encode(n));
  const indexBytes = 8 + 4 + names.reduce((s, n) => s + 2 + n.length + 16, 0);
  const total = indexBytes + files.reduce((s, [, b]) => s + b.length, 0);
  const out = new Uint8Array(total);
  const v = new DataView(out.buffer);
  out.set(enc.encode(ARCHIVE_MAGIC), 0);
  v.setUint32(8, files.length, true);
  let p = 12;
  let data = indexBytes;
  files.forEach(([, b], i) => {
    v.setUint16(p, names[i].length, true);
    out.set(names[i], p + 2);
    p += 2 + names[i].length;
    v.setBigUint64(p, BigInt(data), true);
    v.setBigUint64(p + 8, BigInt(b.length), true);
    p += 16;
    out.set(b, data);
    data += b.length;
  });
  return out;
}

export function unpackArchive(buf: Uint8Array, source = 'bundle archive'): Map<string, Uint8Array> {
  const dec = new TextDecoder();
  if (buf.length < 12 || dec.decode(buf.subarray(0, 8)) !== ARCHIVE_MAGIC) {
    throw new CnnaError('E_FORMAT', `${source} is not a cnna bundle archive (no CNNAB1 magic)`);
  }
  const v = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const n = v.getUint32(8, true);
  if (n > 64) throw new CnnaError('E_LIMIT', `${source} declares ${n} files; at most 64 are accepted`);
  const files = new Map<string, Uint8Array>();
  let p = 12;
  for (let i = 0; i < n; i++) {
    if (p + 2 > buf.length) throw new CnnaError('E_TRUNCATED', `${source} ends inside its index`);
    const len = v.getUint16(p, true);
    if (p + 2 + len + 16 > buf.length) throw new CnnaError('E_TRUNCATED', `${source} ends inside its index`);
    const name = dec.decode(buf.subarray(p + 2, p + 2 + len));
    p += 2 + len;
    const off = Number(v.getBigUint64(p, true));
    const size = Number(v.getBigUint64(p + 8, true));
    p += 16;
    if (off + size > buf.length) throw new CnnaError('E_TRUNCATED', `${source}: file '${name}' (${size} bytes at ${off}) runs past the end (${buf.length} bytes)`);
    files.set(name, buf.subarray(off, off + size));
  }
  return files;
}
