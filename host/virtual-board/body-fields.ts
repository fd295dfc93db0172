// Typed readers for request bodies: each returns the field or throws ProtocolError
// BAD_REQUEST naming the message and the field (docs/protocol.md 1.2 step 9).
import { ProtocolError } from '../protocol/protocol-error.ts';
import type { Body } from '../protocol/frame-codec.ts';

const HASH = /^[0-9a-f]{64}$/;

function bad(msg: string, key: string, want: string): never {
  throw new ProtocolError('BAD_REQUEST', `${msg}: field '${key}' must be ${want}`);
}

export function fieldInt(body: Body, msg: string, key: string, min: number, max: number): number {
  const v = body[key];
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min || v > max) bad(msg, key, `an integer in [${min}, ${max}]`);
  return v;
}

export function fieldOptionalInt(body: Body, msg: string, key: string, min: number, max: number): number | undefined {
  return body[key] === undefined ? undefined : fieldInt(body, msg, key, min, max);
}

export function fieldString(body: Body, msg: string, key: string, maxLength = 256): string {
  const v = body[key];
  if (typeof v !== 'string' || v.length > maxLength) bad(msg, key, `a string of at most ${maxLength} characters`);
  return v;
}

export function fieldHash(body: Body, msg: string, key: string): string {
  const v = body[key];
  if (typeof v !== 'string' || !HASH.test(v)) bad(msg, key, 'a SHA-256 hash as 64 lowercase hex characters');
  return v;
}

export function fieldEnum<T extends string>(body: Body, msg: string, key: string, values: readonly T[]): T {
  const v = body[key];
  if (typeof v !== 'string' || !(values as readonly string[]).includes(v)) bad(msg, key, `one of ${values.join(', ')}`);
  return v as T;
}

export function fieldArray(body: Body, msg: string, key: string, maxLength: number): unknown[] {
  const v = body[key];
  if (!Array.isArray(v) || v.length > maxLength) bad(msg, key, `an array of at most ${maxLength} items`);
  return v;
}

export function isHash(s: unknown): s is string {
  return typeof s === 'string' && HASH.test(s);
}
