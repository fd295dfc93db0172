// The host side of the board protocol (docs/protocol.md): one client per board link. It
// frames requests, matches responses by request id, and recovers from a lossy link:
//  - retransmission with a fresh request id (never a replayed id) when a response is
//    overdue, when a later queued request was answered first (the agent answers queued
//    requests in arrival order, so the earlier one was lost), or soon after either side
//    saw a corrupted frame (but not sooner than two smoothed round trips after its last send,
//    so a slow or loaded link does not use up maxAttempts while answers are on their way);
//  - re-handshake when the agent lost the session (AUTH_REQUIRED: agent restart, serial);
//  - reconnect when a TCP connection drops, then resend what was pending;
//  - per-request deadlines that end in CANCEL and a clear E_TIMEOUT.
// Invariants: every request settles exactly once (answer, board error, timeout or link
// error); a request is sent only in an authenticated session (HELLO/AUTH excepted).
import { randomBytes } from 'node:crypto';
import { CnnaError } from '../../compiler/errors/cnna-error.ts';
import { agentMac, hostMac, macEquals } from '../protocol/auth-mac.ts';
import { decodeFrame, encodeFrame, encodeFrameTcpParts, type Body } from '../protocol/frame-codec.ts';
import type { MessageType } from '../protocol/message-types.ts';
import { boardError, FRAME_ERROR_CODES } from '../protocol/protocol-error.ts';
import { createStreamDecoder, createTcpReader, encodeForTransport, type StreamDecoder } from '../protocol/stream-decoder.ts';
import { openTransport } from '../transport/open-transport.ts';
import { describeTransport, type Transport, type TransportSpec } from '../transport/transport.ts';

export interface ClientOptions {
  transport: TransportSpec;
  token: string;
  clientName?: string;
  /** Deadline of ordinary requests (default 10 s). */
  timeoutMs?: number;
  /** Deadline of INFER, UPLOAD_END, DEPLOY, ACTIVATE (default 60 s). */
  longTimeoutMs?: number;
  /** Resend an unanswered request after this long (default 2000 ms, plus the transfer time on serial). */
  retransmitMs?: number;
  /** The same for INFER, UPLOAD_END, DEPLOY, ACTIVATE, which may compute for long (default 20 s). */
  longRetransmitMs?: number;
  /** Resend soon after a corrupted frame was seen on either side (default 150 ms). */
  fastRetransmitMs?: number;
  /** Sends per request before giving up (default 8). */
  maxAttempts?: number;
  /** How long to keep trying to reconnect a dropped TCP link (default 15 s; 0 = never). */
  reconnectMs?: number;
  keepalive?: boolean;
  onEvent?: (e: ClientEvent) => void;
}

export type ClientEvent =
  | { kind: 'retransmit'; type: MessageType; attempt: number; why: string }
  | { kind: 'corrupt-frame'; code: string }
  | { kind: 'agent-frame-error'; code: string }
  | { kind: 'reconnect'; attempt: number }
  | { kind: 'rehandshake' };

export interface Reply { body: Body; blob: Uint8Array; rttNs: number; requestId: number }

export interface HelloInfo {
  protocol: number; board: string; part: string; agent: string; backend: string;
  overlay: string | null; hwh: string | null; bundle: string | null; deployId: string | null;
  limits: { maxFrame: number; maxUpload: number; chunkSize: number; window: number; keepaliveMs: number; idleTimeoutMs: number };
}

interface Pending {
  type: MessageType;
  body: Body;
  blob?: Uint8Array;
  handshake: boolean;
  queued: boolean;
  ids: number[];
  sentAt: Map<number, bigint>;
  /** Send sequence number of each attempt's id (answer order = send order for queued requests). */
  seqOf: Map<number, number>;
  seq: number;
  attempts: number;
  wireBytes: number;
  retransmitAt: number;
  lastSend: number;
  retransmitTimer?: NodeJS.Timeout;
  deadlineTimer?: NodeJS.Timeout;
  cancelRequested: boolean;
  resolve: (r: Reply) => void;
  reject: (e: Error) => void;
}

const LONG: ReadonlySet<MessageType> = new Set(['INFER', 'UPLOAD_END', 'DEPLOY', 'ACTIVATE']);
const IMMEDIATE: ReadonlySet<MessageType> = new Set(['HELLO', 'AUTH', 'PING', 'CANCEL']);
/** Errors the agent sends on arrival (before queueing): they do not follow the queue order. */
const ARRIVAL_ERRORS: ReadonlySet<string> = new Set([...FRAME_ERROR_CODES, 'REPLAYED', 'AUTH_REQUIRED', 'AUTH_FAILED', 'BUSY']);

export class BoardClient {
  readonly spec: TransportSpec;
  hello!: HelloInfo;
  private readonly opts: Required<Omit<ClientOptions, 'onEvent' | 'clientName'>> & Pick<ClientOptions, 'onEvent' | 'clientName'>;
  private transport: Transport | undefined;
  private decoder: StreamDecoder | undefined;
  private nextId = 1;
  private sendSeq = 0;
  private readonly pending = new Set<Pending>();
  private readonly byId = new Map<number, Pending>();
  private session: Promise<void> | undefined;
  private ready = false;
  private closed = false;
  private dead: CnnaError | undefined;
  private lastSend = Date.now();
  /** Smoothed round trip of answered ordinary requests (ms; 0 = none yet): how soon an answer can come back. */
  private srttMs = 0;
  private keepaliveTimer: NodeJS.Timeout | undefined;
  readonly stats = { retransmits: 0, corruptFrames: 0, agentFrameErrors: 0, reconnects: 0, rehandshakes: 0 };

  private constructor(opts: ClientOptions) {
    this.spec = opts.transport;
    this.opts = {
      timeoutMs: 10_000, longTimeoutMs: 60_000, retransmitMs: 2000, longRetransmitMs: 20_000, fastRetransmitMs: 150, maxAttempts: 8,
      reconnectMs: 15_000, keepalive: true, ...opts,
    };
  }

  /** Opens the link, then HELLO + AUTH. Throws CnnaError E_LINK / E_AUTH / E_TIMEOUT. */
  static async connect(opts: ClientOptions): Promise<BoardClient> {
    if (!opts.token) throw new CnnaError('E_USAGE', 'a pairing token is required', { hint: 'pass --token T or set CNNA_BOARD_TOKEN' });
    const c = new BoardClient(opts);
    await c.attach(await openTransport(opts.transport));
    try {
      await c.establish();
    } catch (e) {
      await c.close();
      throw e;
    }
    if (c.opts.keepalive) c.startKeepalive();
    return c;
  }

  get description(): string { return describeTransport(this.spec); }

  /** Sends a request and waits for its answer; board errors become CnnaError. */
  async request(type: MessageType, body: Body = {}, blob?: Uint8Array, o: { timeoutMs?: number; handshake?: boolean } = {}): Promise<Reply> {
    if (this.dead) throw this.dead;
    if (this.closed) throw new CnnaError('E_LINK', `${type}: the client is closed`);
    const handshake = o.handshake ?? false;
    if (!handshake) await this.ensureSession();
    return new Promise<Reply>((resolve, reject) => {
      const p: Pending = {
        type, body, blob, handshake, queued: !IMMEDIATE.has(type), ids: [], sentAt: new Map(), seqOf: new Map(), seq: 0, attempts: 0,
        wireBytes: 64 + (blob?.length ?? 0), retransmitAt: 0, lastSend: 0, cancelRequested: false, resolve, reject,
      };
      const deadline = o.timeoutMs ?? (LONG.has(type) ? this.opts.longTimeoutMs : this.opts.timeoutMs);
      p.deadlineTimer = setTimeout(() => {
        const last = p.ids[p.ids.length - 1];
        this.settle(p, new CnnaError('E_TIMEOUT', `${type}: no answer from the board within ${deadline} ms over ${this.description}`, { hint: 'check the link and that the board agent is running; raise the timeout for long operations' }));
        if (last !== undefined && this.ready && p.queued) void this.request('CANCEL', { requestId: last }, undefined, { timeoutMs: 2000 }).catch(() => {});
      }, deadline);
      this.pending.add(p);
      this.transmit(p, 'first send');
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.keepaliveTimer);
    for (const p of [...this.pending]) this.settle(p, new CnnaError('E_LINK', `${p.type}: the client was closed`));
    const t = this.transport;
    this.transport = undefined;
    await t?.close();
  }

  // ---------------------------------------------------------------- session

  private async establish(): Promise<void> {
    let lastErr: unknown;
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        const h = await this.request('HELLO', { client: this.opts.clientName ?? 'cnna-host/0.1.0', protocol: 1 }, undefined, { handshake: true });
        if (h.body.protocol !== 1) throw new CnnaError('E_PROTOCOL', `the board speaks protocol ${String(h.body.protocol)}; this host speaks 1`);
        const nonce = String(h.body.nonce);
        const clientNonce = randomBytes(16).toString('hex');
        const a = await this.request('AUTH', { clientNonce, mac: hostMac(this.opts.token, nonce, clientNonce) }, undefined, { handshake: true });
        if (typeof a.body.mac !== 'string' || !macEquals(a.body.mac, agentMac(this.opts.token, nonce, clientNonce))) {
          throw new CnnaError('E_AUTH', `the board on ${this.description} did not prove it knows the pairing token`, { hint: 'you may be talking to a different board' });
        }
        this.hello = h.body as unknown as HelloInfo;
        this.ready = true;
        return;
      } catch (e) {
        lastErr = e;
        if (!(e instanceof CnnaError) || e.code !== 'E_AUTH' || (e as { boardCode?: string }).boardCode !== 'AUTH_FAILED') throw e;
        // pairing from this host is locked out (docs/protocol.md 3.2): retrying now only extends it
        if ((e as { detail?: { lockedForMs?: unknown } }).detail?.lockedForMs !== undefined) throw e;
      }
    }
    throw lastErr;
  }

  private ensureSession(): Promise<void> {
    if (this.ready) return Promise.resolve();
    if (!this.session) this.session = this.recover().finally(() => { this.session = undefined; });
    return this.session;
  }

  /** Gets back to an authenticated session: reconnects (TCP) when the link is down, then HELLO + AUTH, then resends what is pending. */
  private async recover(): Promise<void> {
    const until = Date.now() + Math.max(this.opts.reconnectMs, 1000);
    let delay = 50;
    for (let attempt = 1; ; attempt++) {
      try {
        if (!this.transport) {
          if (this.spec.kind !== 'tcp' || this.opts.reconnectMs <= 0) throw new CnnaError('E_LINK', `${this.description}: the link is down`);
          this.stats.reconnects++;
          this.opts.onEvent?.({ kind: 'reconnect', attempt });
          await this.attach(await openTransport(this.spec, 2000));
        }
        await this.establish();
        this.resendAll('new session');
        return;
      } catch (e) {
        const err = e instanceof CnnaError ? e : new CnnaError('E_LINK', String((e as Error)?.message ?? e));
        if (this.closed) throw err;
        const fatal = err.code === 'E_AUTH' || err.code === 'E_PROTOCOL' || (this.spec.kind === 'tcp' && this.opts.reconnectMs <= 0);
        if (fatal || Date.now() + delay > until) {
          const final = fatal ? err : new CnnaError('E_LINK', `${this.description}: could not get a session back within ${Math.max(this.opts.reconnectMs, 1000)} ms (${err.message})`, { hint: 'is the board agent still running?' });
          this.fail(final);
          throw final;
        }
        await new Promise((r) => setTimeout(r, delay));
        delay = Math.min(delay * 2, 1000);
      }
    }
  }

  private sessionLost(why: string): void {
    if (!this.ready) return;
    this.ready = false;
    this.stats.rehandshakes++;
    this.opts.onEvent?.({ kind: 'rehandshake' });
    for (const p of this.pending) if (!p.handshake) clearTimeout(p.retransmitTimer);
    void this.ensureSession().catch(() => {});
    void why;
  }

  private resendAll(why: string): void {
    for (const p of this.pending) if (!p.handshake) this.transmit(p, why);
  }

  private fail(e: CnnaError): void {
    this.dead = e;
    for (const p of [...this.pending]) this.settle(p, e);
  }

  // ---------------------------------------------------------------- link

  private async attach(t: Transport): Promise<void> {
    this.transport = t;
    this.decoder = t.framing === 'tcp' ? createTcpReader() : createStreamDecoder(t.framing);
    t.onData((chunk) => { if (this.transport === t) this.onData(chunk); });
    t.onClose((reason) => { if (this.transport === t) this.onLinkDown(reason); });
  }

  private onLinkDown(reason: string): void {
    if (this.closed) return;
    this.transport = undefined;
    this.ready = false;
    for (const p of [...this.pending]) {
      clearTimeout(p.retransmitTimer);
      if (p.handshake) this.settle(p, new CnnaError('E_LINK', `${p.type}: the link dropped (${reason})`));
    }
    if (this.spec.kind !== 'tcp' || this.opts.reconnectMs <= 0) {
      this.fail(new CnnaError('E_LINK', `${this.description}: ${reason}`, { hint: 'check the board and the cable, then retry' }));
      return;
    }
    // Reconnect now when requests wait; otherwise on the next request.
    if (this.pending.size > 0) void this.ensureSession().catch(() => {});
  }

  private transmit(p: Pending, why: string): void {
    clearTimeout(p.retransmitTimer);
    if (!this.pending.has(p)) return;
    if (!this.transport || (!p.handshake && !this.ready)) return;
    if (p.attempts >= this.opts.maxAttempts) {
      this.settle(p, new CnnaError('E_TIMEOUT', `${p.type}: no valid answer after ${p.attempts} sends over ${this.description}`, { hint: 'the link is losing or corrupting too many frames' }));
      return;
    }
    if (p.attempts > 0) {
      this.stats.retransmits++;
      this.opts.onEvent?.({ kind: 'retransmit', type: p.type, attempt: p.attempts + 1, why });
    }
    p.attempts++;
    const id = this.nextId++;
    if (this.nextId > 0xffffffff) this.nextId = 1;
    p.ids.push(id);
    p.seq = ++this.sendSeq;
    p.seqOf.set(id, p.seq);
    this.byId.set(id, p);
    p.sentAt.set(id, process.hrtime.bigint());
    if (this.transport.framing === 'tcp') this.transport.writev(encodeFrameTcpParts({ type: p.type, requestId: id, body: p.body, blob: p.blob }));
    else this.transport.write(encodeForTransport('serial', encodeFrame({ type: p.type, requestId: id, body: p.body, blob: p.blob })));
    this.lastSend = Date.now();
    const transferMs = this.spec.kind === 'serial' ? Math.ceil((p.wireBytes * 10 * 1000) / this.spec.baudRate) * 2 : 0;
    p.lastSend = Date.now();
    this.arm(p, (LONG.has(p.type) ? Math.max(this.opts.retransmitMs, this.opts.longRetransmitMs) : this.opts.retransmitMs) + transferMs);
  }

  private arm(p: Pending, ms: number): void {
    clearTimeout(p.retransmitTimer);
    p.retransmitAt = Date.now() + ms;
    p.retransmitTimer = setTimeout(() => {
      // TCP loses nothing by itself: a second overdue answer means the stream is out of step
      // (a corrupted length) or the peer is gone, so start over on a new connection.
      if (this.spec.kind === 'tcp' && p.attempts >= 2 && this.opts.reconnectMs > 0) this.resetLink(`no answer to ${p.type} within ${ms} ms`);
      else this.transmit(p, `no answer within ${ms} ms`);
    }, ms);
  }

  /**
   * A frame was lost somewhere: resend what is unanswered soon, unless it is answered first. A
   * long request (INFER...) sent more than a second ago is left alone: it is most likely
   * computing, and the lost frame was another one. No request is resent sooner than two round
   * trips (SRTT) after its last send: its answer cannot be overdue before that, and on a slow or
   * loaded link corrupted frames seen every ~100 ms would otherwise use up maxAttempts in a
   * second with answers still on their way.
   */
  private hurry(): void {
    const now = Date.now();
    for (const p of this.pending) {
      if (LONG.has(p.type) && now - p.lastSend > 1000) continue;
      const at = Math.max(now + this.opts.fastRetransmitMs, p.lastSend + Math.ceil(2 * this.srttMs));
      if (p.retransmitTimer && p.retransmitAt > at) this.arm(p, at - now);
    }
  }

  private sampleRtt(p: Pending, rttNs: number): void {
    if (LONG.has(p.type)) return; // includes compute time, not the link's
    const ms = rttNs / 1e6;
    this.srttMs = this.srttMs > 0 ? 0.875 * this.srttMs + 0.125 * ms : ms;
  }

  private onData(chunk: Uint8Array): void {
    if (!this.decoder) return;
    for (const e of this.decoder.push(chunk)) {
      const d = e.kind === 'frame' ? decodeFrame(e.bytes, { direction: 'to-host' }) : undefined;
      if (d?.ok) {
        this.onFrame(d.frame.type, d.frame.requestId, d.frame.body, d.frame.blob);
        continue;
      }
      const code = d ? (d as { code: string }).code : e.kind === 'error' ? e.code : 'FRAME_TOO_LARGE';
      this.stats.corruptFrames++;
      this.opts.onEvent?.({ kind: 'corrupt-frame', code });
      if (this.spec.kind === 'tcp') {
        // TCP does not corrupt bytes: something in between did, and the length framing may be
        // out of step now. Start over on a fresh connection; pending requests are resent.
        this.resetLink(`corrupted frame (${code})`);
        return;
      }
      this.hurry();
    }
  }

  private resetLink(reason: string): void {
    const t = this.transport;
    if (!t) return;
    void t.close();
    this.onLinkDown(reason);
  }

  private onFrame(type: MessageType, requestId: number, body: Body, blob: Uint8Array): void {
    if (type === 'ERROR' && requestId === 0) {
      this.stats.agentFrameErrors++;
      this.opts.onEvent?.({ kind: 'agent-frame-error', code: String(body.code) });
      this.hurry();
      return;
    }
    const p = this.byId.get(requestId);
    if (!p) return;
    if (type === 'ERROR') {
      const code = String(body.code);
      if (code === 'AUTH_REQUIRED' && !p.handshake) { this.sessionLost(code); return; }
      if (code === 'REPLAYED' || code === 'BUSY' || (code === 'CANCELLED' && !p.cancelRequested)) {
        this.arm(p, code === 'BUSY' ? 50 : 0);
        return;
      }
      if (p.queued && !ARRIVAL_ERRORS.has(code)) this.resendEarlier(p.seqOf.get(requestId) ?? p.seq, p);
      this.settle(p, boardError(p.type, code, String(body.message), body.detail));
      return;
    }
    if (type !== p.type) {
      this.settle(p, new CnnaError('E_PROTOCOL', `${p.type}: the board answered with a ${type} frame`));
      return;
    }
    if (p.queued) this.resendEarlier(p.seqOf.get(requestId) ?? p.seq, p);
    const rttNs = Number(process.hrtime.bigint() - (p.sentAt.get(requestId) ?? 0n));
    this.sampleRtt(p, rttNs);
    this.settle(p, { body, blob: blob.slice(), rttNs, requestId });
  }

  /** Queued requests are answered in arrival order: any queued request sent before p and still unanswered was lost. */
  private resendEarlier(answeredSeq: number, p: Pending): void {
    for (const q of this.pending) {
      if (q !== p && q.queued && !q.handshake && q.seq < answeredSeq) this.transmit(q, 'a later request was answered first');
    }
  }

  private settle(p: Pending, r: Reply | Error): void {
    if (!this.pending.delete(p)) return;
    clearTimeout(p.retransmitTimer);
    clearTimeout(p.deadlineTimer);
    for (const id of p.ids) this.byId.delete(id);
    if (r instanceof Error) p.reject(r);
    else p.resolve(r);
  }

  private startKeepalive(): void {
    const every = Math.max(250, Math.min(this.hello.limits?.keepaliveMs ?? 5000, 30_000));
    this.keepaliveTimer = setInterval(() => {
      if (!this.ready || this.pending.size > 0 || Date.now() - this.lastSend < every) return;
      void this.request('PING', {}, undefined, { timeoutMs: 3000 }).catch(() => {});
    }, every);
    this.keepaliveTimer.unref();
  }
}
