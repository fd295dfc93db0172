// The protocol's typed error codes (docs/protocol.md section 5) and their mapping to the
// CLI's CnnaError codes. ProtocolError is what agent handlers throw; the session turns it
// into an ERROR frame. The host turns a received ERROR frame into a CnnaError.
import { CnnaError, type ErrorCode } from '../../compiler/errors/cnna-error.ts';

export const PROTOCOL_ERROR_CODES = [
  'TRUNCATED', 'BAD_CRC', 'BAD_COBS', 'FRAME_TOO_LARGE', 'UNSUPPORTED_VERSION', 'BAD_FRAME', 'UNKNOWN_TYPE',
  'BAD_REQUEST', 'AUTH_REQUIRED', 'AUTH_FAILED', 'REPLAYED',
  'UPLOAD_TOO_LARGE', 'UNKNOWN_UPLOAD', 'BAD_RANGE', 'INCOMPLETE', 'HASH_MISMATCH',
  'NOT_CACHED', 'BAD_ARTIFACT', 'UNKNOWN_DEPLOY', 'NOT_DEPLOYED', 'BAD_INPUT',
  'MMIO_DENIED', 'UNKNOWN_BUFFER', 'BUSY', 'TIMEOUT', 'CANCELLED', 'BACKEND', 'INTERNAL',
] as const;

export type ProtocolErrorCode = (typeof PROTOCOL_ERROR_CODES)[number];

/** Errors of the frame layer: the frame itself was bad, not the request. */
export const FRAME_ERROR_CODES: ReadonlySet<string> = new Set([
  'TRUNCATED', 'BAD_CRC', 'BAD_COBS', 'FRAME_TOO_LARGE', 'UNSUPPORTED_VERSION', 'BAD_FRAME', 'UNKNOWN_TYPE',
]);

export class ProtocolError extends Error {
  readonly code: ProtocolErrorCode;
  readonly detail?: Record<string, unknown>;
  constructor(code: ProtocolErrorCode, message: string, detail?: Record<string, unknown>) {
    super(message);
    this.name = 'ProtocolError';
    this.code = code;
    this.detail = detail;
  }
}

export function cnnaCodeFor(code: string): ErrorCode {
  if (code === 'AUTH_REQUIRED' || code === 'AUTH_FAILED') return 'E_AUTH';
  if (code === 'TIMEOUT') return 'E_TIMEOUT';
  if (FRAME_ERROR_CODES.has(code) || code === 'BAD_REQUEST' || code === 'REPLAYED') return 'E_PROTOCOL';
  return 'E_BOARD';
}

const HINTS: Partial<Record<string, string>> = {
  AUTH_FAILED: 'pass the token the board agent was started with (--token or CNNA_BOARD_TOKEN)',
  AUTH_REQUIRED: 'the board lost the session; reconnect',
  NOT_DEPLOYED: "deploy a model first: cnna deploy <bundle> --overlay <bit> --hwh <hwh>",
  MMIO_DENIED: "use an address inside a register range of the overlay's .hwh (cnna board info lists them)",
  UPLOAD_TOO_LARGE: 'the board limits upload sizes (see maxUpload in cnna board info)',
  BAD_INPUT: 'the input must match the deployed bundle (see cnna board info)',
};

/** The CnnaError a host raises for an ERROR frame the agent sent. */
export function boardError(what: string, code: string, message: string, detail?: unknown): CnnaError {
  const err = new CnnaError(cnnaCodeFor(code), `${what}: board error ${code}: ${message}`, { hint: HINTS[code] });
  (err as CnnaError & { boardCode?: string; detail?: unknown }).boardCode = code;
  (err as CnnaError & { boardCode?: string; detail?: unknown }).detail = detail;
  return err;
}

export function boardCodeOf(e: unknown): string | undefined {
  return (e as { boardCode?: string } | undefined)?.boardCode;
}
