// UPLOAD_BEGIN / UPLOAD_CHUNK / UPLOAD_END / UPLOAD_STATUS (docs/protocol.md 4.2): resumable,
// content-addressed uploads into the agent's cache. uploadId = the object's SHA-256.
import { ProtocolError } from '../../protocol/protocol-error.ts';
import { rangesTotal } from '../../protocol/ranges.ts';
import { fieldEnum, fieldHash, fieldInt } from '../body-fields.ts';
import { OBJECT_KINDS } from '../content-cache.ts';
import type { Handler } from './handler.ts';

export const handleUploadBegin: Handler = (body, _blob, { core, limits }) => {
  const kind = fieldEnum(body, 'UPLOAD_BEGIN', 'kind', OBJECT_KINDS);
  const size = fieldInt(body, 'UPLOAD_BEGIN', 'size', 1, Number.MAX_SAFE_INTEGER);
  const sha256 = fieldHash(body, 'UPLOAD_BEGIN', 'sha256');
  if (size > limits.maxUpload) {
    throw new ProtocolError('UPLOAD_TOO_LARGE', `UPLOAD_BEGIN: ${size} bytes exceed this board's upload limit of ${limits.maxUpload}`);
  }
  if (core.cache.has(sha256)) {
    return { body: { uploadId: sha256, size, chunkSize: limits.chunkSize, received: [[0, size]], complete: true } };
  }
  const p = core.cache.begin(sha256, kind, size);
  return { body: { uploadId: sha256, size, chunkSize: limits.chunkSize, received: p.ranges, complete: false } };
};

export const handleUploadChunk: Handler = (body, blob, { core, limits }) => {
  const uploadId = fieldHash(body, 'UPLOAD_CHUNK', 'uploadId');
  const offset = fieldInt(body, 'UPLOAD_CHUNK', 'offset', 0, Number.MAX_SAFE_INTEGER);
  const p = core.cache.partial(uploadId);
  if (!p) throw new ProtocolError('UNKNOWN_UPLOAD', `UPLOAD_CHUNK: no upload in progress for ${uploadId}; send UPLOAD_BEGIN first`);
  if (blob.length === 0 || blob.length > limits.chunkSize || offset + blob.length > p.size) {
    throw new ProtocolError('BAD_RANGE', `UPLOAD_CHUNK: ${blob.length} bytes at offset ${offset} do not fit a ${p.size}-byte upload in chunks of at most ${limits.chunkSize}`);
  }
  const after = core.cache.writeChunk(uploadId, offset, blob);
  return { body: { uploadId, offset, length: blob.length, received: rangesTotal(after.ranges) } };
};

export const handleUploadEnd: Handler = (body, _blob, { core }) => {
  const uploadId = fieldHash(body, 'UPLOAD_END', 'uploadId');
  const done = core.cache.finish(uploadId);
  core.log(`cached ${done.kind} ${uploadId.slice(0, 12)}… (${done.size} bytes)`);
  return { body: { sha256: uploadId, size: done.size, kind: done.kind } };
};

export const handleUploadStatus: Handler = (body, _blob, { core }) => {
  const uploadId = fieldHash(body, 'UPLOAD_STATUS', 'uploadId');
  const meta = core.cache.has(uploadId) ? core.cache.objectMeta(uploadId) : undefined;
  if (meta) return { body: { uploadId, size: meta.size, received: [[0, meta.size]], complete: true } };
  const p = core.cache.partial(uploadId);
  if (!p) throw new ProtocolError('UNKNOWN_UPLOAD', `UPLOAD_STATUS: no upload of ${uploadId}`);
  return { body: { uploadId, size: p.size, received: p.ranges, complete: false } };
};
