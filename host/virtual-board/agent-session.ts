// One session of the agent side of the protocol (docs/protocol.md section 3): frame checks,
// handshake and pairing-token auth, replay protection, a sequential request queue with
// per-request timeouts and cancellation, keep-alive and idle timeout (idle = nothing valid
// received and no request queued or running, for idleTimeoutMs). Transport-agnostic:
// it gets bytes (or whole frames) and hands encoded bytes to `io.send`.
// Memory and pairing guards shared with the other sessions (AgentCore.guards, docs/protocol.md
// section 6): on TCP, frames above preAuthMaxFrame are refused until AUTH succeeds; the TCP read
// buffer grows past its small first size, and a request blob is queued, only with bytes from
// the agent's shared budget (else BUSY); wrong MACs count per peer across HELLOs and
// connections, and a peer that reaches maxAuthFailures is locked out for a while.
// Invariants: a request runs only after it passed the frame, replay and auth checks; at most
// one queued request runs at a time; the queue holds at most MAX_QUEUED requests; every
// rejected frame gets exactly one ERROR answer, and the session keeps serving (except after
// the errors that close a TCP connection: FRAME_TOO_LARGE, a refused buffer growth, a lock-out);
// the budget bytes a session holds (`reserved` + its queued blobs) go back when it ends.
import { isCnnaError } from '../../compiler/errors/cnna-error.ts';
import { agentMac, hostMac, isMacHex, isNonceHex, macEquals } from '../protocol/auth-mac.ts';
import { decodeFrame, encodeFrame, type Body, type Frame } from '../protocol/frame-codec.ts';
import { FLAG_RESPONSE, type MessageType } from '../protocol/message-types.ts';
import { ProtocolError, type ProtocolErrorCode } from '../protocol/protocol-error.ts';
import { createStreamDecoder, createTcpReader, encodeForTransport, type StreamDecoder, type StreamEvent, type TcpReader } from '../protocol/stream-decoder.ts';
import type { AgentCore, AgentLimits } from './agent-core.ts';
import { fieldInt, fieldOptionalInt, fieldString } from './body-fields.ts';
import { handleBufferRead, handleBufferWrite } from './handlers/handle-buffer.ts';
import { handleActivate, handleDeploy } from './handlers/handle-deploy.ts';
import { handleInfer } from './handlers/handle-infer.ts';
import { handleInfo } from './handlers/handle-info.ts';
import { handleMmioRead, handleMmioWrite } from './handlers/handle-mmio.ts';
import { handleUploadBegin, handleUploadChunk, handleUploadEnd, handleUploadStatus } from './handlers/handle-upload.ts';
import type { Handler, Reply } from './handlers/handler.ts';

export const MAX_QUEUED = 64;
/** Requests whose handlers finish without waiting: they may run synchronously on arrival. */
const SYNC_TYPES: ReadonlySet<MessageType> = new Set(['INFO', 'UPLOAD_BEGIN', 'UPLOAD_CHUNK', 'UPLOAD_STATUS', 'MMIO_READ', 'MMIO_WRITE', 'BUFFER_READ', 'BUFFER_WRITE']);
const NEVER_ABORTED = new AbortController().signal;

const HANDLERS: Partial<Record<MessageType, Handler>> = {
  INFO: handleInfo,
  UPLOAD_BEGIN: handleUploadBegin,
  UPLOAD_CHUNK: handleUploadChunk,
  UPLOAD_END: handleUploadEnd,
  UPLOAD_STATUS: handleUploadStatus,
  DEPLOY: handleDeploy,
  ACTIVATE: handleActivate,
  INFER: handleInfer,
  MMIO_READ: handleMmioRead,
  MMIO_WRITE: handleMmioWrite,
  BUFFER_READ: handleBufferRead,
  BUFFER_WRITE: handleBufferWrite,
};

export interface SessionIo {
  send(bytes: Uint8Array): void;
  /** Ends the connection (TCP); serial sessions are reset instead. */
  close(): void;
}

export type SessionFraming = 'serial' | 'tcp' | 'direct';

interface Queued { frame: Frame; budget: number }

export class AgentSession {
  private readonly decoder?: StreamDecoder;
  private readonly reader?: TcpReader;
  private readonly limits: AgentLimits;
  private nonce: string | undefined;
  private authed = false;
  private highest = 0;
  private queue: Queued[] = [];
  private running: { requestId: number; abort: AbortController } | undefined;
  private idleTimer: NodeJS.Timeout | undefined;
  private closed = false;
  /** Budget bytes this session's read buffer took from the agent (AgentCore.reserveBuffer). */
  private reserved = 0;
  /** Who pairing failures are counted against (TCP: the remote address; serial: the line). */
  readonly peer: string;

  constructor(private readonly core: AgentCore, private readonly io: SessionIo, private readonly framing: SessionFraming, opts: { peer?: string } = {}) {
    this.limits = core.limits(framing);
    this.peer = opts.peer ?? framing;
    if (framing === 'tcp') {
      this.decoder = this.reader = createTcpReader(this.limits.maxFrame, {
        initialFrame: Math.min(core.guards.preAuthMaxFrame, this.limits.maxFrame),
        grow: (bytes) => {
          if (!core.reserveBuffer(bytes)) return false;
          this.reserved += bytes;
          return true;
        },
      });
    } else if (framing === 'serial') this.decoder = createStreamDecoder(framing, this.limits.maxFrame);
    this.setAuthed(false);
    this.touch();
  }

  /** Authenticated (AUTH succeeded since the last HELLO). */
  get authenticated(): boolean { return this.authed; }

  /** Refuses the session with one ERROR (requestId 0) and ends it: the agent is making room (TCP). */
  evict(code: ProtocolErrorCode, message: string): void {
    this.sendError(0, code, message);
    this.end();
    this.io.close();
  }

  /** Bytes from the transport. */
  receive(chunk: Uint8Array): void {
    if (this.closed || !this.decoder) return;
    this.handleEvents(this.decoder.push(chunk));
  }

  /** TCP zero-copy reads: where the socket must put the next bytes (see TcpReader). */
  readBuffer(): Uint8Array {
    if (!this.reader) throw new Error('readBuffer() is for TCP sessions');
    return this.reader.readBuffer();
  }

  /** TCP zero-copy reads: `n` bytes arrived in the last readBuffer(). */
  received(n: number): void {
    if (this.closed || !this.reader) return;
    this.handleEvents(this.reader.commit(n));
  }

  private handleEvents(events: StreamEvent[]): void {
    for (const e of events) {
      if (this.closed) return;
      if (e.kind === 'frame') this.receiveFrame(e.bytes);
      else if (e.kind === 'error') this.sendError(0, e.code, e.message);
      else { this.end(); this.io.close(); return; }
    }
  }

  /** Buffered transport bytes (memory-bound checks). */
  buffered(): number { return this.decoder?.buffered() ?? 0; }

  /** One frame, after transport decoding. */
  receiveFrame(bytes: Uint8Array): void {
    if (this.closed) return;
    const d = decodeFrame(bytes, { direction: 'to-agent', maxFrame: this.limits.maxFrame });
    if (!d.ok) {
      this.sendError(d.requestId, d.code, d.message);
      return;
    }
    const f = d.frame;
    this.touch();
    if (f.type === 'HELLO') {
      this.hello(f);
      return;
    }
    if (f.requestId <= this.highest) {
      this.sendError(f.requestId, 'REPLAYED', `request id ${f.requestId} is not above ${this.highest}, the highest this session has seen`);
      return;
    }
    this.highest = f.requestId;
    if (f.type === 'PING') {
      if (f.blob.length > 1024) this.sendError(f.requestId, 'BAD_REQUEST', `PING: blob of ${f.blob.length} bytes exceeds 1024`);
      else this.respond(f, { body: {}, blob: f.blob });
      return;
    }
    if (f.type === 'AUTH') {
      this.auth(f);
      return;
    }
    if (!this.authed) {
      this.sendError(f.requestId, 'AUTH_REQUIRED', `${f.type} needs an authenticated session; send HELLO and AUTH first`);
      return;
    }
    if (f.type === 'CANCEL') {
      this.cancel(f);
      return;
    }
    if (this.queue.length >= MAX_QUEUED) {
      this.sendError(f.requestId, 'BUSY', `${this.queue.length} requests are already queued`);
      return;
    }
    if (!this.running && this.queue.length === 0 && SYNC_TYPES.has(f.type)) {
      this.runNow(f);
      return;
    }
    if (f.blob.length > 0 && !this.core.reserveBuffer(f.blob.length)) {
      this.sendError(f.requestId, 'BUSY', `${f.type}: the agent's buffer budget (${this.core.guards.maxBufferedBytes} bytes across connections) cannot hold this request's ${f.blob.length}-byte blob now; retry later`);
      return;
    }
    this.queue.push({ frame: { ...f, blob: f.blob.length ? f.blob.slice() : f.blob }, budget: f.blob.length });
    if (!this.running) void this.pump();
  }

  /** The connection ended: stop everything this session started. */
  end(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.idleTimer);
    this.dropQueue();
    this.core.releaseBuffer(this.reserved);
    this.reserved = 0;
    this.running?.abort.abort(new ProtocolError('CANCELLED', 'the connection closed'));
  }

  /** Empties the queue and gives its blobs' budget back. */
  private dropQueue(): Queued[] {
    const dropped = this.queue;
    this.queue = [];
    for (const q of dropped) this.core.releaseBuffer(q.budget);
    return dropped;
  }

  private hello(f: Frame): void {
    try {
      const protocol = fieldInt(f.body, 'HELLO', 'protocol', 0, 2 ** 31);
      fieldString(f.body, 'HELLO', 'client', 256);
      if (protocol !== 1) throw new ProtocolError('UNSUPPORTED_VERSION', `HELLO: protocol ${protocol} requested; this agent speaks protocol 1`);
    } catch (e) {
      this.highest = Math.max(this.highest, f.requestId);
      this.sendError(f.requestId, (e as ProtocolError).code, (e as Error).message);
      return;
    }
    for (const q of this.dropQueue()) this.sendError(q.frame.requestId, 'CANCELLED', 'a new HELLO started a new session');
    this.running?.abort.abort(new ProtocolError('CANCELLED', 'a new HELLO started a new session'));
    this.nonce = this.core.nextNonce();
    this.setAuthed(false);
    this.highest = f.requestId;
    this.respond(f, { body: { ...this.core.identity(), nonce: this.nonce, auth: 'hmac-sha256', limits: { ...this.limits } } });
  }

  private auth(f: Frame): void {
    const clientNonce = f.body.clientNonce;
    const mac = f.body.mac;
    if (!isNonceHex(clientNonce) || !isMacHex(mac)) {
      this.sendError(f.requestId, 'BAD_REQUEST', "AUTH: 'clientNonce' must be 32 and 'mac' 64 lowercase hex characters");
      return;
    }
    if (!this.nonce) {
      this.sendError(f.requestId, 'AUTH_FAILED', 'AUTH: send HELLO first');
      return;
    }
    const locked = this.core.authLockedFor(this.peer);
    if (locked > 0) {
      // not checked at all while locked: a right guess is refused too
      this.sendError(f.requestId, 'AUTH_FAILED', `AUTH: too many wrong pairing MACs from ${this.peer}; pairing from it is locked for another ${locked} ms`, { lockedForMs: locked });
      this.dropSession();
      return;
    }
    if (!macEquals(mac, hostMac(this.core.token, this.nonce, clientNonce))) {
      const lockMs = this.core.authFailed(this.peer);
      this.sendError(f.requestId, 'AUTH_FAILED', lockMs > 0
        ? `AUTH: the MAC does not match the pairing token; after ${this.core.guards.maxAuthFailures} wrong MACs pairing from ${this.peer} is locked for ${lockMs} ms`
        : 'AUTH: the MAC does not match the pairing token', lockMs > 0 ? { lockedForMs: lockMs } : undefined);
      if (lockMs > 0) this.dropSession();
      return;
    }
    this.core.authSucceeded(this.peer);
    this.setAuthed(true);
    this.respond(f, { body: { mac: agentMac(this.core.token, this.nonce, clientNonce) } });
  }

  private cancel(f: Frame): void {
    let target: number;
    try {
      target = fieldInt(f.body, 'CANCEL', 'requestId', 1, 0xffffffff);
    } catch (e) {
      this.sendError(f.requestId, 'BAD_REQUEST', (e as Error).message);
      return;
    }
    let cancelled = false;
    const i = this.queue.findIndex((q) => q.frame.requestId === target);
    if (i >= 0) {
      this.core.releaseBuffer(this.queue.splice(i, 1)[0].budget);
      this.sendError(target, 'CANCELLED', `cancelled by request ${f.requestId}`);
      cancelled = true;
    } else if (this.running?.requestId === target && !this.running.abort.signal.aborted) {
      // A request already cancelled (or timed out) is not cancelled twice.
      this.running.abort.abort(new ProtocolError('CANCELLED', `cancelled by request ${f.requestId}`));
      cancelled = true;
    }
    this.respond(f, { body: { requestId: target, cancelled } });
  }

  /** Fast path: a request whose handler never waits runs at once when nothing is queued (no copy of its blob). */
  private runNow(frame: Frame): void {
    try {
      const reply = HANDLERS[frame.type]!(frame.body, frame.blob, { core: this.core, limits: this.limits, signal: NEVER_ABORTED });
      if (reply instanceof Promise) throw new Error(`${frame.type} handler is not synchronous`);
      this.respond(frame, reply);
    } catch (e) {
      this.sendFailure(frame.requestId, frame.type, e);
    }
  }

  private async pump(): Promise<void> {
    while (!this.closed && this.queue.length > 0) {
      const { frame, budget } = this.queue.shift()!;
      this.core.releaseBuffer(budget); // the blob is the handler's now; it is bounded by the one running request
      const abort = new AbortController();
      this.running = { requestId: frame.requestId, abort };
      let timer: NodeJS.Timeout | undefined;
      try {
        const timeoutMs = fieldOptionalInt(frame.body, frame.type, 'timeoutMs', 1, 2 ** 31 - 1);
        if (timeoutMs !== undefined) {
          timer = setTimeout(() => abort.abort(new ProtocolError('TIMEOUT', `${frame.type}: not done within ${timeoutMs} ms`)), timeoutMs);
        }
        const aborted = new Promise<never>((_, reject) => {
          abort.signal.addEventListener('abort', () => reject(abort.signal.reason), { once: true });
        });
        aborted.catch(() => {});
        const handler = HANDLERS[frame.type]!;
        const reply = await Promise.race([Promise.resolve().then(() => handler(frame.body, frame.blob, { core: this.core, limits: this.limits, signal: abort.signal })), aborted]);
        if (!this.closed) this.respond(frame, reply);
      } catch (e) {
        if (!this.closed) this.sendFailure(frame.requestId, frame.type, e);
      } finally {
        clearTimeout(timer);
        this.running = undefined;
      }
    }
    if (!this.closed) this.touch();
  }

  private sendFailure(requestId: number, type: string, e: unknown): void {
    if (e instanceof ProtocolError) this.sendError(requestId, e.code, e.message, e.detail);
    else if (isCnnaError(e)) this.sendError(requestId, 'BACKEND', `${type}: ${e.message}`);
    else {
      this.core.log(`internal error in ${type}: ${(e as Error)?.stack ?? String(e)}`);
      this.sendError(requestId, 'INTERNAL', `${type}: internal agent error: ${(e as Error)?.message ?? String(e)}`);
    }
  }

  private respond(f: Frame, r: Reply): void {
    this.write(encodeFrame({ type: f.type, flags: FLAG_RESPONSE, requestId: f.requestId, body: r.body, blob: r.blob }));
  }

  private sendError(requestId: number, code: ProtocolErrorCode, message: string, detail?: Record<string, unknown>): void {
    const body: Body = { code, message };
    if (detail) body.detail = detail;
    this.write(encodeFrame({ type: 'ERROR', flags: FLAG_RESPONSE, requestId, body }));
  }

  private write(frame: Uint8Array): void {
    if (this.closed) return;
    this.io.send(this.framing === 'direct' ? frame : encodeForTransport(this.framing, frame));
  }

  /** After a lock-out: TCP closes the connection, serial resets the session. */
  private dropSession(): void {
    if (this.framing === 'tcp') { this.end(); this.io.close(); } else this.resetSession();
  }

  /**
   * Authentication state, and on TCP the frame size it allows (small before AUTH). Serial keeps
   * maxFrame: one line holds one session, and a host that lost its session must get
   * AUTH_REQUIRED for its next (large) request to notice.
   */
  private setAuthed(authed: boolean): void {
    this.authed = authed;
    if (this.framing === 'tcp') this.reader!.setMaxFrame(authed ? this.limits.maxFrame : this.core.guards.preAuthMaxFrame);
  }

  private resetSession(): void {
    this.setAuthed(false);
    this.nonce = undefined;
    this.dropQueue();
  }

  /** (Re)starts the idle countdown; a session with a request running or queued is not idle. */
  private touch(): void {
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => {
      if (this.running || this.queue.length > 0) return; // pump() restarts the countdown when it drains
      if (this.framing === 'tcp') { this.end(); this.io.close(); } else this.resetSession();
    }, this.limits.idleTimeoutMs);
    this.idleTimer.unref();
  }
}
