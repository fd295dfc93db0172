// Typed errors. Every failure a user can cause (bad model, bad config, bad input file, broken
// link) is a CnnaError with a stable `code`; the CLI prints `message` (and `hint`) without a
// stack trace unless --verbose, and exits with `exitCode`. Anything else is a bug.

export type ErrorCode =
  | 'E_USAGE'          // bad command line
  | 'E_IO'             // file missing or unreadable
  | 'E_FORMAT'         // not the format we expected (not ONNX, bad IDX, bad .npy, bad .pb)
  | 'E_TRUNCATED'      // file ends early
  | 'E_LIMIT'          // declared size beyond what we accept
  | 'E_GRAPH'          // structurally invalid graph (cycle, missing input, bad shape)
  | 'E_UNSUPPORTED'    // valid ONNX that cnna does not support (op, attribute, opset)
  | 'E_CONFIG'         // invalid hardware config
  | 'E_BUNDLE'         // invalid or mismatched program bundle
  | 'E_FIT'            // a layer that the engine cannot hold even when tiled
  | 'E_NUMERIC'        // NaN or ±Inf in weights, statistics or inputs
  | 'E_SIM'            // simulator failure
  | 'E_PROTOCOL'       // board protocol error
  | 'E_TIMEOUT'        // an operation ran out of time
  | 'E_LINK'           // transport failure
  | 'E_AUTH'           // pairing token rejected
  | 'E_BOARD'          // the board (or virtual board) reported an error
  | 'E_REGRESSION';    // a result got worse than its baseline by more than allowed (cnna sweep --baseline: exit 3)

export class CnnaError extends Error {
  readonly code: ErrorCode;
  readonly hint?: string;
  readonly exitCode: number;

  constructor(code: ErrorCode, message: string, options: { hint?: string; cause?: unknown; exitCode?: number } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CnnaError';
    this.code = code;
    this.hint = options.hint;
    this.exitCode = options.exitCode ?? (code === 'E_USAGE' ? 2 : 1);
  }

  toJSON(): { code: ErrorCode; message: string; hint?: string } {
    return { code: this.code, message: this.message, ...(this.hint ? { hint: this.hint } : {}) };
  }
}

export function isCnnaError(e: unknown): e is CnnaError {
  return e instanceof CnnaError;
}
