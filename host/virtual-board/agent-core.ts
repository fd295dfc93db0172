// The state one agent shares across its sessions: identity, limits, the content cache, the
// deployments staged by DEPLOY and the one active deployment, the emulated MMIO registers
// and DMA buffers. Sessions (agent-session.ts) call the handlers in handlers/ with it.
// Invariants: `active` changes only in activate() (one assignment after active.json was
// renamed into place); a staged deployment only references verified cache objects.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isCnnaError } from '../../compiler/errors/cnna-error.ts';
import { checkDeploy, type RefusedArtifact } from '../hwh/deploy-checks.ts';
import { parseHwh } from '../hwh/parse-hwh.ts';
import type { Hwh } from '../hwh/hwh-types.ts';
import { ProtocolError } from '../protocol/protocol-error.ts';
import { DEFAULT_MAX_FRAME } from '../protocol/message-types.ts';
import { ContentCache, type ActiveRecord } from './content-cache.ts';
import type { EngineBackend, LoadedProgram } from './engine-backend.ts';
import { deployIdOf } from './deploy-id.ts';

export interface AgentLimits {
  maxFrame: number;
  maxUpload: number;
  chunkSize: number;
  window: number;
  keepaliveMs: number;
  idleTimeoutMs: number;
}

/**
 * What one agent holds for all its connections together (docs/protocol.md section 6). Not
 * announced in HELLO; each refusal is a protocol error (BUSY, FRAME_TOO_LARGE, AUTH_FAILED).
 */
export interface AgentGuards {
  /** TCP connections at once; a new one past it evicts the oldest unauthenticated one, else is refused (BUSY). */
  maxConnections: number;
  /** Bytes of frame buffers beyond the small pre-AUTH size, plus queued request blobs, across all sessions. */
  maxBufferedBytes: number;
  /** The largest frame accepted before a successful AUTH (HELLO, AUTH and PING fit). */
  preAuthMaxFrame: number;
  /** Wrong pairing MACs from one peer (TCP: its address; serial: the line) before it is locked out, across HELLOs and connections. */
  maxAuthFailures: number;
  /** The first lock-out; it doubles with each lock-out in a row, up to maxAuthLockoutMs. */
  authLockoutMs: number;
  maxAuthLockoutMs: number;
}

export const DEFAULT_GUARDS: AgentGuards = {
  maxConnections: 64,
  maxBufferedBytes: 128 * 1024 * 1024,
  preAuthMaxFrame: 4096,
  maxAuthFailures: 3,
  authLockoutMs: 1000,
  maxAuthLockoutMs: 60_000,
};

export interface AgentOptions {
  cacheDir: string;
  token: string;
  backend: EngineBackend;
  limits?: Partial<AgentLimits>;
  guards?: Partial<AgentGuards>;
  /** Test hook: the session nonces, in order (hex, 16 bytes each); random when absent. */
  nonces?: string[];
  board?: string;
  part?: string;
  log?: (line: string) => void;
}

export interface Deployment extends ActiveRecord {
  program: LoadedProgram;
  hwh: string;
  parsedHwh: Hwh;
}

export const AGENT_VERSION = 'cnna-virtual/0.1.0';
/** Bulk chunk size the virtual board announces on TCP (docs/protocol.md 2.2): the most a frame of maxFrame holds. */
export const DEFAULT_TCP_CHUNK = DEFAULT_MAX_FRAME - 1024;

export class AgentCore {
  readonly cache: ContentCache;
  readonly token: string;
  readonly backend: EngineBackend;
  readonly board: string;
  readonly part: string;
  readonly startedAt = Date.now();
  readonly log: (line: string) => void;
  private readonly baseLimits: AgentLimits;
  private readonly nonces: string[];
  readonly staged = new Map<string, Deployment>();
  active: Deployment | undefined;
  /** Emulated AXI-Lite registers of the active overlay (address → u32). */
  registers = new Map<number, number>();
  /** Emulated DMA buffers of the active deployment. */
  buffers = new Map<string, Uint8Array>();
  readonly guards: AgentGuards;
  /** Bytes granted from maxBufferedBytes (frame-buffer growth and queued blobs of every session). */
  private buffered = 0;
  /** Pairing failures per peer (failures since the last lock-out or success, lock-outs in a row, locked until). */
  private readonly authFailures = new Map<string, { failures: number; lockouts: number; lockedUntil: number; last: number }>();

  constructor(opts: AgentOptions) {
    if (!opts.token) throw new ProtocolError('BAD_REQUEST', 'the agent needs a pairing token');
    this.cache = new ContentCache(opts.cacheDir);
    this.token = opts.token;
    this.backend = opts.backend;
    this.board = opts.board ?? 'virtual';
    this.part = opts.part ?? 'xczu3eg-sbva484-1-e';
    this.log = opts.log ?? (() => {});
    this.nonces = [...(opts.nonces ?? [])];
    this.guards = { ...DEFAULT_GUARDS, ...opts.guards };
    this.baseLimits = {
      maxFrame: DEFAULT_MAX_FRAME, maxUpload: 512 * 1024 * 1024, chunkSize: 0, window: 8, keepaliveMs: 5000, idleTimeoutMs: 60000,
      ...opts.limits,
    };
  }

  limits(framing: 'serial' | 'tcp' | 'direct'): AgentLimits {
    // Defaults: 4 KiB on serial (a corrupted byte costs one small chunk), maxFrame - 1024 on TCP
    // (per-chunk costs dominate there: 512 KiB used ~25% less CPU per byte than 256 KiB on
    // loopback, 1 MiB - 1 KiB another ~10% less on the host).
    const chunkSize = this.baseLimits.chunkSize || (framing === 'serial' ? 4096 : DEFAULT_TCP_CHUNK);
    return { ...this.baseLimits, chunkSize: Math.min(chunkSize, this.baseLimits.maxFrame - 1024) };
  }

  /** Takes `bytes` from the shared buffer budget; false (nothing taken) when that would exceed it. */
  reserveBuffer(bytes: number): boolean {
    if (this.buffered + bytes > this.guards.maxBufferedBytes) return false;
    this.buffered += bytes;
    return true;
  }

  releaseBuffer(bytes: number): void {
    this.buffered = Math.max(0, this.buffered - bytes);
  }

  bufferedBytes(): number { return this.buffered; }

  /** Milliseconds `peer` must still wait before its next AUTH is checked (0: not locked). */
  authLockedFor(peer: string, now = Date.now()): number {
    const r = this.authFailures.get(peer);
    return r && r.lockedUntil > now ? r.lockedUntil - now : 0;
  }

  /** Records a wrong MAC from `peer`; returns the lock-out it started (ms), or 0. */
  authFailed(peer: string, now = Date.now()): number {
    let r = this.authFailures.get(peer);
    if (r && now - r.last > 10 * this.guards.maxAuthLockoutMs) r = undefined; // long quiet: forgotten
    if (!r) {
      if (this.authFailures.size >= 4096) this.authFailures.delete(this.authFailures.keys().next().value!); // the oldest record
      r = { failures: 0, lockouts: 0, lockedUntil: 0, last: now };
    }
    this.authFailures.delete(peer);
    this.authFailures.set(peer, r); // most recent last
    r.last = now;
    r.failures++;
    if (r.failures < this.guards.maxAuthFailures) return 0;
    const ms = Math.min(this.guards.maxAuthLockoutMs, this.guards.authLockoutMs * 2 ** r.lockouts);
    r.failures = 0;
    r.lockouts++;
    r.lockedUntil = now + ms;
    return ms;
  }

  /** A correct MAC from `peer` clears its record. */
  authSucceeded(peer: string): void {
    this.authFailures.delete(peer);
  }

  /** Releases open files (the agent is stopping). */
  close(): void {
    this.cache.close();
  }

  nextNonce(): string {
    return this.nonces.shift() ?? randomBytes(16).toString('hex');
  }

  /** Reloads the deployment recorded in active.json (after an agent restart). */
  async restore(): Promise<void> {
    const rec = this.cache.readActive();
    if (!rec) return;
    try {
      const d = await this.stage(rec.bitstream, rec.hwh, rec.bundle);
      this.switchTo(d);
      this.log(`restored deployment ${d.deployId}`);
    } catch (e) {
      this.log(`could not restore the active deployment ${rec.deployId}: ${(e as Error).message}`);
    }
  }

  async stage(bitstream: string, hwh: string, bundle: string): Promise<Deployment> {
    const missing = [...new Set([bitstream, hwh, bundle].filter((h) => !this.cache.has(h)))];
    if (missing.length > 0) {
      throw new ProtocolError('NOT_CACHED', `DEPLOY: ${missing.length} object${missing.length > 1 ? 's' : ''} not in the cache; upload ${missing.length > 1 ? 'them' : 'it'} first`, { missing });
    }
    const refuse = (artifact: RefusedArtifact, message: string): never => {
      const hash = { bitstream, hwh, bundle }[artifact];
      // a refused artifact leaves the cache, unless a deployment still uses it
      const used = [this.active, ...this.staged.values()].some((d) => d && (d.bitstream === hash || d.hwh === hash || d.bundle === hash));
      if (!used) this.cache.remove(hash);
      throw new ProtocolError('BAD_ARTIFACT', `DEPLOY: ${message}${used ? '' : `; the ${artifact} ${hash.slice(0, 12)} was removed from the cache`}`, { artifact, removed: !used });
    };
    let parsedHwh: Hwh | undefined;
    try {
      parsedHwh = parseHwh(readFileSync(this.cache.objectPath(hwh), 'utf8'), `.hwh ${hwh.slice(0, 12)}`);
    } catch (e) {
      refuse('hwh', `the .hwh does not parse: ${(e as Error).message}`);
    }
    let program: LoadedProgram | undefined;
    try {
      program = await this.backend.load(new Uint8Array(this.cache.read(bundle)), this.cache.objectPath(bundle));
    } catch (e) {
      if (!isCnnaError(e)) throw e;
      refuse('bundle', `the bundle is not valid for the ${this.backend.name} engine: ${e.message}`);
    }
    const refusal = checkDeploy({
      bitstream: new Uint8Array(this.cache.read(bitstream)), hwh: parsedHwh!, boardPart: this.part,
      bundle: program!.configHash === undefined ? undefined : { model: program!.model ?? 'model', configHash: program!.configHash, clockMhz: program!.clockHz / 1e6 },
    });
    if (refusal) refuse(refusal.artifact, refusal.message);
    if (!parsedHwh || !program) throw new Error('unreachable');
    const deployId = deployIdOf(bitstream, hwh, bundle);
    const d: Deployment = { deployId, bitstream, hwh, bundle, program, parsedHwh };
    this.staged.set(deployId, d);
    return d;
  }

  activate(deployId: string): Deployment {
    const d = this.staged.get(deployId);
    if (!d) throw new ProtocolError('UNKNOWN_DEPLOY', `ACTIVATE: deployment ${deployId} was not staged by DEPLOY in this agent run; send DEPLOY first`);
    this.cache.writeActive({ deployId: d.deployId, bitstream: d.bitstream, hwh: d.hwh, bundle: d.bundle });
    this.switchTo(d);
    return d;
  }

  private switchTo(d: Deployment): void {
    const buffers = new Map<string, Uint8Array>();
    const bytesOf = (shape: number[]) => 2 * shape.reduce((a, b) => a * b, 1);
    buffers.set('input', new Uint8Array(d.program.inputs.reduce((t, s) => t + bytesOf(s.shape), 0)));
    buffers.set('output', new Uint8Array(d.program.outputs.reduce((t, s) => t + bytesOf(s.shape), 0)));
    this.buffers = buffers;
    this.registers = new Map();
    this.active = d;
  }

  identity(): Record<string, unknown> {
    return {
      protocol: 1, board: this.board, part: this.part, agent: AGENT_VERSION, backend: this.backend.name,
      overlay: this.active?.bitstream ?? null, hwh: this.active?.hwh ?? null, bundle: this.active?.bundle ?? null,
      deployId: this.active?.deployId ?? null,
    };
  }
}
