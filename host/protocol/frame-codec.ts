// Frame encode/decode (docs/protocol.md section 1): header | payload | CRC-32, payload =
// u32 jsonLength | canonical JSON body | blob. decodeFrame applies the checks of section 1.2
// in order and reports the first failure as a protocol error code, never by throwing.
import { canonicalJson } from './canonical-json.ts';
import { crc32 } from './crc32.ts';
import {
  CRC_BYTES, DEFAULT_MAX_FRAME, FLAG_RESPONSE, HEADER_BYTES, MIN_FRAME_BYTES, PROTOCOL_VERSION,
  MESSAGE_TYPES, messageTypeName, type MessageType,
} from './message-types.ts';
import type { ProtocolErrorCode } from './protocol-error.ts';

export type Body = Record<string, unknown>;

export interface Frame {
  type: MessageType;
  flags: number;
  requestId: number;
  body: Body;
  blob: Uint8Array;
}

export type Direction = 'to-agent' | 'to-host';

export type DecodeResult =
  | { ok: true; frame: Frame }
  | { ok: false; code: ProtocolErrorCode; requestId: number; message: string };

const EMPTY = new Uint8Array(0);
const utf8 = new TextEncoder();
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** Encodes a frame; `typeCode` overrides the type's code (tests send unknown types). */
export function encodeFrame(f: { type: MessageType; flags?: number; requestId: number; body?: Body; blob?: Uint8Array; typeCode?: number }): Uint8Array {
  const json = utf8.encode(canonicalJson(f.body ?? {}));
  const blob = f.blob ?? EMPTY;
  const payloadLength = 4 + json.length + blob.length;
  const out = new Uint8Array(HEADER_BYTES + payloadLength + CRC_BYTES);
  const v = new DataView(out.buffer);
  v.setUint8(0, PROTOCOL_VERSION);
  v.setUint8(1, f.typeCode ?? MESSAGE_TYPES[f.type]);
  v.setUint16(2, f.flags ?? 0, true);
  v.setUint32(4, f.requestId >>> 0, true);
  v.setUint32(8, payloadLength, true);
  v.setUint32(12, json.length, true);
  out.set(json, 16);
  out.set(blob, 16 + json.length);
  v.setUint32(out.length - 4, crc32(out, 0, out.length - 4), true);
  return out;
}

/**
 * The TCP encoding of a frame (u32 length prefix + frame) as three parts, so a bulk blob goes to
 * the socket without being copied: [prefix | header | jsonLength | json], blob, crc.
 */
export function encodeFrameTcpParts(f: { type: MessageType; flags?: number; requestId: number; body?: Body; blob?: Uint8Array }): Uint8Array[] {
  const json = utf8.encode(canonicalJson(f.body ?? {}));
  const blob = f.blob ?? EMPTY;
  const payloadLength = 4 + json.length + blob.length;
  const head = new Uint8Array(4 + HEADER_BYTES + 4 + json.length);
  const v = new DataView(head.buffer);
  v.setUint32(0, HEADER_BYTES + payloadLength + CRC_BYTES, true);
  v.setUint8(4, PROTOCOL_VERSION);
  v.setUint8(5, MESSAGE_TYPES[f.type]);
  v.setUint16(6, f.flags ?? 0, true);
  v.setUint32(8, f.requestId >>> 0, true);
  v.setUint32(12, payloadLength, true);
  v.setUint32(16, json.length, true);
  head.set(json, 20);
  const tail = new Uint8Array(4);
  new DataView(tail.buffer).setUint32(0, crc32(blob, 0, blob.length, crc32(head, 4)), true);
  return blob.length ? [head, blob, tail] : [head, tail];
}

function fail(code: ProtocolErrorCode, requestId: number, message: string): DecodeResult {
  return { ok: false, code, requestId, message };
}

/** Decodes and checks one frame (bytes after transport decoding). The blob aliases `bytes`. */
export function decodeFrame(bytes: Uint8Array, opts: { direction: Direction; maxFrame?: number }): DecodeResult {
  const maxFrame = opts.maxFrame ?? DEFAULT_MAX_FRAME;
  const n = bytes.length;
  if (n > maxFrame) return fail('FRAME_TOO_LARGE', 0, `frame of ${n} bytes exceeds the limit of ${maxFrame}`);
  if (n < MIN_FRAME_BYTES) return fail('TRUNCATED', 0, `frame of ${n} bytes is shorter than the 16-byte minimum`);
  const v = new DataView(bytes.buffer, bytes.byteOffset, n);
  const crc = v.getUint32(n - 4, true);
  if (crc32(bytes, 0, n - 4) !== crc) return fail('BAD_CRC', 0, 'frame CRC-32 mismatch');
  const version = v.getUint8(0);
  const typeCode = v.getUint8(1);
  const flags = v.getUint16(2, true);
  const requestId = v.getUint32(4, true);
  const payloadLength = v.getUint32(8, true);
  if (version !== PROTOCOL_VERSION) return fail('UNSUPPORTED_VERSION', requestId, `frame version ${version}; this side speaks version ${PROTOCOL_VERSION}`);
  const expected = HEADER_BYTES + payloadLength + CRC_BYTES;
  if (expected > n) return fail('TRUNCATED', requestId, `header declares ${payloadLength} payload bytes but the frame holds ${n - MIN_FRAME_BYTES}`);
  if (expected < n) return fail('BAD_FRAME', requestId, `${n - expected} bytes after the declared payload`);
  if ((flags & ~FLAG_RESPONSE) !== 0) return fail('BAD_FRAME', requestId, `reserved flag bits set (flags 0x${flags.toString(16)})`);
  const type = messageTypeName(typeCode);
  if (opts.direction === 'to-agent') {
    if (flags & FLAG_RESPONSE) return fail('BAD_FRAME', requestId, 'RESPONSE flag set on a request');
    if (requestId === 0) return fail('BAD_FRAME', 0, 'request id 0 is reserved');
    if (type === undefined || type === 'ERROR') return fail('UNKNOWN_TYPE', requestId, `unknown message type 0x${typeCode.toString(16).padStart(2, '0')}`);
  } else {
    if (!(flags & FLAG_RESPONSE)) return fail('BAD_FRAME', requestId, 'RESPONSE flag missing on a response');
    if (type === undefined) return fail('UNKNOWN_TYPE', requestId, `unknown message type 0x${typeCode.toString(16).padStart(2, '0')}`);
  }
  if (payloadLength < 4) return fail('BAD_FRAME', requestId, `payload of ${payloadLength} bytes has no JSON length`);
  const jsonLength = v.getUint32(HEADER_BYTES, true);
  if (4 + jsonLength > payloadLength) return fail('BAD_FRAME', requestId, `JSON length ${jsonLength} runs past the payload`);
  let body: unknown;
  try {
    body = JSON.parse(strictUtf8.decode(bytes.subarray(16, 16 + jsonLength)));
  } catch (e) {
    return fail('BAD_FRAME', requestId, `body is not UTF-8 JSON (${(e as Error).message})`);
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return fail('BAD_FRAME', requestId, 'body is not a JSON object');
  const blob = bytes.subarray(16 + jsonLength, n - 4);
  return { ok: true, frame: { type: type!, flags, requestId, body: body as Body, blob } };
}
